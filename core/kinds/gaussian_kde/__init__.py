"""``gaussian_kde``: Gaussian kernel density.

Derivation: docs/privacy/kde.md#gaussian_kde. Layout and generic tests:
core/kinds/__init__.py; this kind's own tests: tests/unit/core/test_kernels.py.
"""

from core.kinds import common
from core.kinds.gaussian_kde.audit import AUDIT
from core.kinds.gaussian_kde.params import Params
from core.kinds.gaussian_kde.reference import reference
from core.kinds.gaussian_kde.release import RandomFeatureRelease
from core.kinds.gaussian_kde.spec import GaussianKDESpec
from core.kinds.registry import KindDef

__all__ = ["KIND"]

KIND = KindDef(
    name="gaussian_kde",
    title="Gaussian kernel density",
    formula=("exp(-||x - y||_2^2 / bandwidth^2)"),
    params=Params,
    spec=GaussianKDESpec,
    release=RandomFeatureRelease,
    mechanisms=("laplace", "gaussian"),
    relations=("add_remove", "replace_one"),
    sensitivity=common.PAIRED_FEATURE_SENSITIVITY,
    query_cost=common.PROJECTED_FEATURE_QUERY_COST,
    derivation="docs/privacy/kde.md#gaussian_kde",
    example_params={"bandwidth": 0.8, "features": 64, "projection_dim": 2},
    reference=reference,
    audit=AUDIT,
)
