"""``exponential_kde``: Exponential kernel density.

Derivation: docs/privacy/kde.md#exponential_kde-and-laplace_kde. Layout and generic
tests: core/kinds/__init__.py; this kind's own tests: tests/unit/core/test_kernels.py.
"""

from core.kinds import common
from core.kinds.exponential_kde.audit import AUDIT
from core.kinds.exponential_kde.params import Params
from core.kinds.exponential_kde.reference import reference
from core.kinds.exponential_kde.release import RandomFeatureRelease
from core.kinds.exponential_kde.spec import ExponentialKDESpec
from core.kinds.registry import KindDef

__all__ = ["KIND"]

KIND = KindDef(
    name="exponential_kde",
    title="Exponential kernel density",
    formula=("exp(-||x - y||_2 / bandwidth)"),
    params=Params,
    spec=ExponentialKDESpec,
    release=RandomFeatureRelease,
    mechanisms=("laplace", "gaussian"),
    relations=("add_remove", "replace_one"),
    sensitivity=common.PAIRED_FEATURE_SENSITIVITY,
    query_cost=common.PROJECTED_FEATURE_QUERY_COST,
    derivation="docs/privacy/kde.md#exponential_kde-and-laplace_kde",
    example_params={"bandwidth": 0.8, "features": 64, "projection_dim": 2},
    reference=reference,
    audit=AUDIT,
)
