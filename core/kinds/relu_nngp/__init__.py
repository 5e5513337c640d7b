"""``relu_nngp``: ReLU network Gaussian process (NNGP, arc-cosine) kernel.

Derivation: docs/privacy/relu_kernels.md#relu_nngp. Layout and generic tests:
core/kinds/__init__.py; this kind's own tests: tests/unit/core/test_relu_kernels.py.
"""

from core.kinds.registry import KindDef
from core.kinds.relu_nngp.audit import AUDIT
from core.kinds.relu_nngp.params import Params
from core.kinds.relu_nngp.reference import reference
from core.kinds.relu_nngp.release import ReluFeatureRelease
from core.kinds.relu_nngp.spec import ReluNNGPSpec

__all__ = ["KIND"]

KIND = KindDef(
    name="relu_nngp",
    title="ReLU network Gaussian process (NNGP, arc-cosine) kernel",
    formula=("sqrt(q_xx q_yy) (sin t + (pi - t) cos t) / (2 pi), q_xy = <x, y> / d, t = "
             "arccos(q_xy / sqrt(q_xx q_yy)) (0 where a norm is 0)"),
    params=Params,
    spec=ReluNNGPSpec,
    release=ReluFeatureRelease,
    mechanisms=("laplace", "gaussian"),
    relations=("add_remove", "replace_one"),
    sensitivity=("features (m values, clipped to l2 norm C): L1 C sqrt(m), L2 C under add_remove; "
                 "L1 C sqrt(2m), L2 sqrt(2) C under replace_one (the features are >= 0); count: 1 "
                 "under add_remove, 0 (public) under replace_one"),
    query_cost=("O(d m) per point (m = features)"),
    derivation="docs/privacy/relu_kernels.md#relu_nngp",
    example_params={"features": 256},
    reference=reference,
    audit=AUDIT,
)
