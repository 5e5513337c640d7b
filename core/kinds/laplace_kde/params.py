"""The parameters of ``laplace_kde``."""

from __future__ import annotations

from dataclasses import dataclass

from core.kinds import common
from core.kinds.registry import param
from core.structures.feature_maps import MAX_FEATURES, MAX_PROJECTION_DIM

__all__ = ["Params"]


@dataclass(frozen=True, slots=True)
class Params:
    bandwidth: float = common.bandwidth()
    alpha: float | None = common.alpha("features not given are derived from it")
    projection_dim: int | None = param(
        "integer", "refused: must be null, a JL projection does not preserve the l1 "
        "distance (declared so that the refusal names the parameter)", minimum=1,
        maximum=MAX_PROJECTION_DIM, derived="none: no projection, always")
    features: int | None = param(
        "integer", "number m of random features (m/2 frequencies, a cos and a sin each); "
        "rounded up to even", minimum=2, maximum=MAX_FEATURES,
        derived="1024 without alpha; with alpha ceil(1/alpha^2), capped at 65,536")
    mechanism: str = common.mechanism()
    frequencies: str = param(
        "string", "frequency design: iid only (the l1 kernel is not rotation-invariant, "
        "so orthogonal directions do not apply)", default="iid", choices=("iid",))
    precision: str = common.precision()
