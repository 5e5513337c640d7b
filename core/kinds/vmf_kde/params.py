"""The parameters of ``vmf_kde``: ``kappa`` (the concentration, in place of a bandwidth)
and those every paired-feature kernel with a JL projection takes (alpha,
projection_dim, features, mechanism, frequencies, precision: declared once in
``core.kinds.common.ProjectedKernelParams`` and copied from there)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.kinds.common import ProjectedKernelParams
from core.kinds.registry import param, param_defs

__all__ = ["MAX_KAPPA", "MIN_KAPPA", "Params"]

# kappa is the concentration of exp(kappa (x.y - 1)) on the unit sphere, i.e. a Gaussian
# bandwidth sigma = sqrt(2 / kappa) in the chord distance (at most 2): at 1e-6 the kernel
# is 1 - 2e-6 or more everywhere (a constant), at 1e8 it has fallen to 1/e at an angle of
# 1e-4 radians (a point mass for any sample a service holds)
MIN_KAPPA = 1e-6
MAX_KAPPA = 1e8

_PAIRED = {p.name: p for p in param_defs(ProjectedKernelParams)}


def _like(name: str) -> Any:
    """The declaration ``ProjectedKernelParams`` gives ``name``, as a fresh field."""
    p = _PAIRED[name]
    return param(p.type, p.meaning, required=p.required, default=p.default, derived=p.derived,
                 minimum=p.minimum, maximum=p.maximum, choices=p.choices)


@dataclass(frozen=True, slots=True)
class Params:
    kappa: float = param(
        "number", "concentration kappa of the kernel exp(kappa (x.y - 1)) between the "
        "rows and queries normalised to the unit sphere (the Gaussian bandwidth "
        "sqrt(2 / kappa) in the chord distance)", required=True,
        minimum=MIN_KAPPA, maximum=MAX_KAPPA)
    alpha: float | None = _like("alpha")
    projection_dim: int | None = _like("projection_dim")
    features: int | None = _like("features")
    mechanism: str = _like("mechanism")
    frequencies: str = _like("frequencies")
    precision: str = _like("precision")
