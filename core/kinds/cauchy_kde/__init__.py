"""``cauchy_kde``: Cauchy (smooth) kernel density as a sum of exponentials.

Derivation: docs/privacy/smooth.md#3-what-is-released-and-why-it-is-dp. Layout and
generic tests: core/kinds/__init__.py; this kind's own tests:
tests/unit/core/test_kernels.py.
"""

from core.kinds.cauchy_kde.audit import AUDIT
from core.kinds.cauchy_kde.params import Params
from core.kinds.cauchy_kde.reference import reference
from core.kinds.cauchy_kde.release import CauchyKDERelease
from core.kinds.cauchy_kde.spec import CauchyKDESpec
from core.kinds.registry import KindDef

__all__ = ["KIND"]

KIND = KindDef(
    name="cauchy_kde",
    title="Cauchy (smooth) kernel density as a sum of exponentials",
    formula=("1 / (1 + h(x, y)), h = ||x - y||_2^2 / bandwidth^2 (metric_input "
             "sq_l2), ||x - y||_2 / bandwidth (l2) or ||x - y||_1 / bandwidth "
             "(l1)"),
    params=Params,
    spec=CauchyKDESpec,
    release=CauchyKDERelease,
    mechanisms=("laplace", "gaussian"),
    relations=("add_remove", "replace_one"),
    sensitivity=("per term j of the J = terms: features_j (m values): L1 "
                 "m/sqrt(2), L2 sqrt(m/2) under add_remove, L1 sqrt(2) m, L2 "
                 "sqrt(2m) under replace_one; count: 1 under add_remove, 0 "
                 "(public) under replace_one; the budget is split across the terms"
                 " by basic composition (laplace) or zCDP (gaussian)"),
    query_cost=("O(d k + J k m/2) per point (J = terms, k = projection_dim or d, m"
                " = features)"),
    derivation="docs/privacy/smooth.md#3-what-is-released-and-why-it-is-dp",
    example_params={"bandwidth": 0.8, "features": 16, "terms": 3, "projection_dim": 2},
    reference=reference,
    audit=AUDIT,
)
