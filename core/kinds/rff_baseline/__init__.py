"""``rff_baseline``: Gaussian kernel density, random Fourier feature baseline (LSQ-RFF).

Derivation: docs/privacy/kde.md#rff_baseline. Layout and generic tests:
core/kinds/__init__.py; this kind's own tests: tests/unit/core/test_kernels.py.
"""

from core.kinds.registry import KindDef
from core.kinds.rff_baseline.audit import AUDIT
from core.kinds.rff_baseline.params import Params
from core.kinds.rff_baseline.reference import reference
from core.kinds.rff_baseline.release import RandomFeatureRelease
from core.kinds.rff_baseline.spec import RFFBaselineSpec

__all__ = ["KIND"]

KIND = KindDef(
    name="rff_baseline",
    title="Gaussian kernel density, random Fourier feature baseline (LSQ-RFF)",
    formula=("exp(-||x - y||_2^2 / bandwidth^2)"),
    params=Params,
    spec=RFFBaselineSpec,
    release=RandomFeatureRelease,
    mechanisms=("laplace",),
    relations=("add_remove", "replace_one"),
    sensitivity=("features (m values): L1 sqrt(2) m, L2 sqrt(2m) under add_remove;"
                 " twice both under replace_one (|sqrt 2 cos| <= sqrt 2 per "
                 "feature); count: 1 under add_remove, 0 (public) under "
                 "replace_one"),
    query_cost=("O(d m) per point (m = features)"),
    derivation="docs/privacy/kde.md#rff_baseline",
    example_params={"bandwidth": 0.8, "features": 64},
    reference=reference,
    audit=AUDIT,
)
