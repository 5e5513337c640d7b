"""The parameters of ``l2_distance``."""

from __future__ import annotations

from dataclasses import dataclass

from core.kinds import common
from core.kinds.l1_distance.params import GRID_LEVELS_DERIVED
from core.kinds.registry import param
from core.structures.dyadic_trees import MAX_GRID_LEVELS

__all__ = ["Params"]

MAX_PROJECTION_DIM = 8_192


@dataclass(frozen=True, slots=True)
class Params:
    projection_dim: int | None = param(
        "integer", "rows k of the oblivious l2 -> l1 embedding (its relative distortion "
        "std falls as 1/sqrt(k))", minimum=1, maximum=MAX_PROJECTION_DIM,
        derived="128 without alpha; with alpha the smallest k whose distortion std is at "
        "most alpha, capped at 8,192")
    grid_levels: int | None = param(
        "integer", "depth L of the dyadic tree per embedded coordinate (2^L leaves)",
        minimum=1, maximum=MAX_GRID_LEVELS, derived=GRID_LEVELS_DERIVED)
    alpha: float | None = common.alpha(
        "projection_dim and grid_levels not given are derived from it; the banded "
        "estimator's band ratio 1 + alpha (at least 0.001 there; 0.1 when not given)")
    mechanism: str = common.mechanism()
    estimator: str = param(
        "string", "prefix (purely additive error) or banded (the paper's (1 + alpha) "
        "variant, count trees only)", default="prefix", choices=("prefix", "banded"))
