"""The parameters of ``l1_distance``."""

from __future__ import annotations

from dataclasses import dataclass

from core.kinds import common
from core.kinds.registry import param
from core.structures.dyadic_trees import MAX_GRID_LEVELS

__all__ = ["Params"]

GRID_LEVELS_DERIVED = ("8 without alpha; with alpha the depth L whose leaves misplace a row "
                       "by at most alpha times a typical distance, L = ceil(log2(2 / alpha)) "
                       "on a box; a derived depth is lowered to fit the release size limit")


@dataclass(frozen=True, slots=True)
class Params:
    grid_levels: int | None = param(
        "integer", "depth L of the dyadic tree per coordinate (2^L leaves)", minimum=1,
        maximum=MAX_GRID_LEVELS, derived=GRID_LEVELS_DERIVED)
    alpha: float | None = common.alpha(
        "grid_levels not given is derived from it; the banded estimator's band ratio "
        "1 + alpha (at least 0.001 there; 0.1 when not given)")
    mechanism: str = common.mechanism()
    estimator: str = param(
        "string", "prefix (purely additive error) or banded (the paper's (1 + alpha) "
        "variant, count trees only)", default="prefix", choices=("prefix", "banded"))
