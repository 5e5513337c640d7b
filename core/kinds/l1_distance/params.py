"""The parameters of ``l1_distance``."""

from __future__ import annotations

from dataclasses import dataclass

from core.domain import MAX_DOMAIN_SCALE, MIN_DOMAIN_SCALE
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
    coordinate_bound: float | None = param(
        "number", "public bound t on every coordinate's distance from the domain's centre: "
        "each grid spans [c_i - t, c_i + t] (where narrower than the domain) and rows are "
        "clamped into it, at a bias of at most R^2 / (4 t) per row on an l2 ball of radius "
        "R (reported); for dense data on a ball in many dimensions about 4 R / sqrt(d)",
        minimum=MIN_DOMAIN_SCALE, maximum=MAX_DOMAIN_SCALE,
        derived="none: the domain's own range (a ball's radius, a box's half-widths)")
