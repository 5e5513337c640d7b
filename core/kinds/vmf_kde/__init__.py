"""``vmf_kde``: von Mises-Fisher (cosine) kernel density on the unit sphere.

f(x, y) = exp(kappa (x.y - 1)) between rows and queries normalised to unit length (a
zero row becomes the public unit vector e_1), in (0, 1]. On the sphere it equals the
Gaussian kernel exp(-||x - y||^2 / sigma^2) with sigma^2 = 2 / kappa, so the paired
Gaussian random features serve it with their sensitivities unchanged. The release also
answers the vMF KDE's log-density (``VmfKDERelease.log_density``, with the
log-normaliser of core/special.py).

Derivation: docs/privacy/vmf.md#vmf_kde. Layout and generic tests: core/kinds/__init__.py;
this kind's own tests: tests/unit/core/test_vmf.py.
"""

from core.kinds import common
from core.kinds.registry import KindDef
from core.kinds.vmf_kde.audit import AUDIT
from core.kinds.vmf_kde.params import Params
from core.kinds.vmf_kde.reference import reference
from core.kinds.vmf_kde.release import VmfKDERelease
from core.kinds.vmf_kde.spec import VmfKDESpec

__all__ = ["KIND"]

KIND = KindDef(
    name="vmf_kde",
    title="von Mises-Fisher (cosine) kernel density on the unit sphere",
    formula="exp(kappa (x.y - 1)), x and y normalised to unit l2 norm",
    params=Params,
    spec=VmfKDESpec,
    release=VmfKDERelease,
    mechanisms=("laplace", "gaussian"),
    relations=("add_remove", "replace_one"),
    sensitivity=common.PAIRED_FEATURE_SENSITIVITY,
    query_cost=common.PROJECTED_FEATURE_QUERY_COST + "; plus O(d) to normalise it",
    derivation="docs/privacy/vmf.md#vmf_kde",
    example_params={"kappa": 4.0, "features": 64, "projection_dim": 2},
    reference=reference,
    audit=AUDIT,
)
