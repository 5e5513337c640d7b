"""``rff_baseline``: Gaussian kernel density, random Fourier feature baseline (LSQ-RFF).

What is where: ``params.py`` the typed parameters (names, ranges, defaults,
meanings); ``spec.py`` how they are read and what the build releases (its
statistics and sensitivities); ``release.py`` the builder and the release;
``reference.py`` the exact brute force; ``audit.py`` the audit's structure and
worst-case neighbours. Derivation: docs/privacy/kde.md#rff_baseline.
Tests: every generic test iterates the registry (test_registry.py, test_structures.py,
test_error_model.py, test_cost.py, test_finite.py, test_sensitivity.py,
test_serialization.py, test_totality.py, tests/privacy/ (audit layers), test_kernels.py,
test_leakage.py, test_parity.py); this kind's own: tests/unit/core/test_kernels.py.
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
