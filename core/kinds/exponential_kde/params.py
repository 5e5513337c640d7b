"""The parameters of ``exponential_kde``."""

from __future__ import annotations

from dataclasses import dataclass

from core.kinds import common
from core.kinds.registry import param
from core.structures.feature_maps import MAX_FEATURES, MAX_PROJECTION_DIM

__all__ = ["Params"]


@dataclass(frozen=True, slots=True)
class Params:
    bandwidth: float = common.bandwidth()
    alpha: float | None = common.alpha(
        "features and projection_dim not given are derived from it")
    projection_dim: int | None = param(
        "integer", "dimension k of the data-independent JL projection applied before the "
        "features (none: no projection)", minimum=1, maximum=MAX_PROJECTION_DIM,
        derived="none; with alpha (and projection_dim absent) the smallest k whose "
        "projection error fits half of alpha's variance budget, used only when "
        "k <= d/2; an explicit null always means no projection")
    features: int | None = param(
        "integer", "number m of random features (m/2 frequencies, a cos and a sin each); "
        "rounded up to even", minimum=2, maximum=MAX_FEATURES,
        derived="1024 without alpha; with alpha ceil(1/alpha^2), or ceil(2/alpha^2) when "
        "a projection was derived, capped at 65,536")
    mechanism: str = common.mechanism()
    frequencies: str = param(
        "string", "frequency design: orthogonal (blocks of orthogonal directions with "
        "stratified radii, lower variance) or iid", default="orthogonal",
        choices=("orthogonal", "iid"))
    precision: str = common.precision()
