"""``laplace_kde``: Laplace (l1) kernel density.

What is where: ``params.py`` the typed parameters (names, ranges, defaults,
meanings); ``spec.py`` how they are read and what the build releases (its
statistics and sensitivities); ``release.py`` the builder and the release;
``reference.py`` the exact brute force; ``audit.py`` the audit's structure and
worst-case neighbours. Derivation: docs/privacy/kde.md#exponential_kde-and-laplace_kde.
Tests: every generic test iterates the registry (test_registry.py, test_structures.py,
test_error_model.py, test_cost.py, test_finite.py, test_sensitivity.py,
test_serialization.py, test_totality.py, tests/privacy/ (audit layers), test_kernels.py,
test_leakage.py, test_parity.py); this kind's own: tests/unit/core/test_kernels.py.
"""

from core.kinds.laplace_kde.audit import AUDIT
from core.kinds.laplace_kde.params import Params
from core.kinds.laplace_kde.reference import reference
from core.kinds.laplace_kde.release import RandomFeatureRelease
from core.kinds.laplace_kde.spec import LaplaceKDESpec
from core.kinds.registry import KindDef

__all__ = ["KIND"]

KIND = KindDef(
    name="laplace_kde",
    title="Laplace (l1) kernel density",
    formula=("exp(-||x - y||_1 / bandwidth)"),
    params=Params,
    spec=LaplaceKDESpec,
    release=RandomFeatureRelease,
    mechanisms=("laplace", "gaussian"),
    relations=("add_remove", "replace_one"),
    sensitivity=("features (m values): L1 m/sqrt(2), L2 sqrt(m/2) under "
                 "add_remove; L1 sqrt(2) m, L2 sqrt(2m) under replace_one (paired "
                 "features: |cos| + |sin| <= sqrt 2 and cos^2 + sin^2 = 1 per "
                 "frequency, whatever the row); count: 1 under add_remove, 0 "
                 "(public) under replace_one"),
    query_cost=("O(d m/2) per point (m = features)"),
    derivation="docs/privacy/kde.md#exponential_kde-and-laplace_kde",
    example_params={"bandwidth": 0.8, "features": 64},
    reference=reference,
    audit=AUDIT,
)
