"""``relu_ntk``: ReLU network neural tangent kernel (NTK).

Derivation: docs/privacy/relu_kernels.md#relu_ntk. Layout and generic tests:
core/kinds/__init__.py; this kind's own tests: tests/unit/core/test_relu_kernels.py.
"""

from core.kinds.registry import KindDef
from core.kinds.relu_ntk.audit import AUDIT
from core.kinds.relu_ntk.params import Params
from core.kinds.relu_ntk.reference import reference
from core.kinds.relu_ntk.release import ReluFeatureRelease
from core.kinds.relu_ntk.spec import ReluNTKSpec

__all__ = ["KIND"]

KIND = KindDef(
    name="relu_ntk",
    title="ReLU network neural tangent kernel (NTK)",
    formula=("q_xy (pi - t) / (2 pi) + sqrt(q_xx q_yy) (sin t + (pi - t) cos t) / (2 pi), q_xy = "
             "<x, y> / d, t = arccos(q_xy / sqrt(q_xx q_yy)) (0 where a norm is 0)"),
    params=Params,
    spec=ReluNTKSpec,
    release=ReluFeatureRelease,
    mechanisms=("laplace", "gaussian"),
    relations=("add_remove", "replace_one"),
    sensitivity=("features (m + m' values, m = features, m' = tangent_features, clipped together "
                 "to l2 norm C): L1 C sqrt(m + m'), L2 C under add_remove; L1 C sqrt(2m + 4m'), L2 "
                 "2C under replace_one; count: 1 under add_remove, 0 (public) under replace_one"),
    query_cost=("O(d (m + 2m')) per point (m = features, m' = tangent_features)"),
    derivation="docs/privacy/relu_kernels.md#relu_ntk",
    example_params={"features": 128, "tangent_features": 128},
    reference=reference,
    audit=AUDIT,
)
