"""``laplace_kde``: Laplace (l1) kernel density.

Derivation: docs/privacy/kde.md#exponential_kde-and-laplace_kde. Layout and generic
tests: core/kinds/__init__.py; this kind's own tests: tests/unit/core/test_kernels.py.
"""

from core.kinds import common
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
    sensitivity=common.PAIRED_FEATURE_SENSITIVITY,
    query_cost=("O(d m/2) per point (m = features)"),
    derivation="docs/privacy/kde.md#exponential_kde-and-laplace_kde",
    example_params={"bandwidth": 0.8, "features": 64},
    reference=reference,
    audit=AUDIT,
)
