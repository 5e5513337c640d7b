"""Data domains, declared before any row arrives and never derived from the data.

Every sensitivity in privsim is a bound over the declared domain, so every row is
clipped into it before it is summed (``clip``); the service may instead reject rows
outside it. The bounds below are the only facts about rows the mechanisms rely on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from core.errors import InvalidParameter

__all__ = [
    "MAX_DOMAIN_SCALE", "MIN_DOMAIN_SCALE", "Box", "Domain", "L2Ball", "Neighbouring",
    "domain_from_dict",
]

Neighbouring = Literal["add_remove", "replace_one"]

# Rows are scaled or clamped a hair inside the boundary so that float rounding never
# leaves a clipped row outside the domain the sensitivities were derived for.
_INSIDE = 1.0 - 8 * np.finfo(np.float64).eps

# The range a domain's scale may take: a ball's radius, and every box bound's absolute
# value, at most MAX_DOMAIN_SCALE; a ball's radius and every box width at least
# MIN_DOMAIN_SCALE. Inside it every kind's arithmetic stays finite for up to 1e10 rows
# in up to 65,536 dimensions (MAX_DIM) at epsilon >= 1e-9, with room to spare:
# - the largest: M2 = max ||x - c|| <= sqrt(65,536) * 1e12 = 2.6e14, so sq_l2's
#   sensitivity M2^2 <= 6.6e28, its sum of ||x - c||^2 <= 1e10 * 6.6e28 = 6.6e38, its
#   noise scale <= 6.6e28 / 1e-11 (one statistic's share of epsilon) = 6.6e39; with
#   query coordinates up to MAX_QUERY_MAGNITUDE = 1e15 (core.structures.base), ||y - c||^2
#   <= 65,536 (1e15 + 1e12)^2 = 6.6e34 and every answer, std and square of one stays
#   below 1e100 (float64 overflows at 1.8e308);
# - the smallest: 1 / M2^4 (sq_l2's noise weight) <= 1 / (5e-13)^4 = 1.6e49, and an
#   l1 grid leaf is >= 1e-12 / 2^20 = 1e-18 wide, so a query is at most 1e33 leaves
#   away (its square 1e66). A radius of 1e-300 made M2^2 underflow to 0 (a division
#   by zero), a radius of 1e100 made M2^4 overflow.
# No real dataset needs more: rescale the data (and queries) into this range.
MAX_DOMAIN_SCALE = 1e12
MIN_DOMAIN_SCALE = 1e-12
_RANGE = f"between {MIN_DOMAIN_SCALE:g} and {MAX_DOMAIN_SCALE:g}"


_NORM_BLOCK_VALUES = 2**21  # values per block of ``_norms`` (16 MiB of temporaries)


def _norms(rows: NDArray[np.float64]) -> NDArray[np.float64]:
    """Row l2 norms without overflow for huge (finite) values: inf only if truly huge.
    Computed a block of rows at a time, so that the temporaries stay small whatever the
    chunk (each row's norm depends on that row alone: the same values as in one go)."""
    n, d = rows.shape
    if not d:
        return np.zeros(n)
    out = np.empty(n)
    step = max(1, _NORM_BLOCK_VALUES // d)
    for start in range(0, n, step):
        block = rows[start:start + step]
        peak = np.max(np.abs(block), axis=1)
        safe = np.where(peak > 0, peak, 1.0)
        with np.errstate(over="ignore"):
            out[start:start + step] = np.linalg.norm(block / safe[:, None], axis=1) * safe
    return out


@dataclass(frozen=True, slots=True)
class L2Ball:
    """{x : ||x||_2 <= radius}, centred at the origin."""

    radius: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.radius)
                and MIN_DOMAIN_SCALE <= self.radius <= MAX_DOMAIN_SCALE):
            raise InvalidParameter("domain.radius", f"must be a number {_RANGE}")

    def center(self, dim: int) -> NDArray[np.float64]:
        return np.zeros(dim)

    def max_l2(self, dim: int) -> float:
        """max ||x - center||_2 over the domain."""
        return self.radius

    def max_l1(self, dim: int) -> float:
        """max ||x - center||_1 over the domain."""
        return self.radius * math.sqrt(dim)

    def max_norm(self, dim: int) -> float:
        """max ||x||_2 over the domain."""
        return self.radius

    def outside(self, rows: NDArray[np.float64]) -> NDArray[np.bool_]:
        return _norms(rows) > self.radius

    def clip(self, rows: NDArray[np.float64]) -> NDArray[np.float64]:
        """Rows outside scaled onto the ball, a hair inside; ``rows`` itself when none
        is outside (the product by 1 it would take is exact: the same values, without
        a copy of a whole chunk)."""
        norms = _norms(rows)
        outside = norms > self.radius * _INSIDE
        if not outside.any():
            return rows
        clipped = rows.copy()
        clipped[outside] *= (self.radius * _INSIDE / norms[outside])[:, None]
        return clipped

    def to_dict(self) -> dict[str, object]:
        return {"type": "l2_ball", "radius": self.radius}


@dataclass(frozen=True, slots=True)
class Box:
    """{x : low_i <= x_i <= high_i}; ``low`` and ``high`` are per-coordinate bounds."""

    low: tuple[float, ...]
    high: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.low) != len(self.high) or not self.low:
            raise InvalidParameter("domain", "low and high must have the same length >= 1")
        for lo, hi in zip(self.low, self.high, strict=True):
            if not (-MAX_DOMAIN_SCALE <= lo < hi <= MAX_DOMAIN_SCALE
                    and hi - lo >= MIN_DOMAIN_SCALE):
                raise InvalidParameter("domain", f"need every bound within "
                                       f"+-{MAX_DOMAIN_SCALE:g} and every width high - low "
                                       f"at least {MIN_DOMAIN_SCALE:g}")

    @classmethod
    def uniform(cls, low: float, high: float, dim: int) -> Box:
        return cls((float(low),) * dim, (float(high),) * dim)

    def _bounds(self, dim: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        if len(self.low) != dim:
            raise InvalidParameter("domain", f"box bounds must have length dim = {dim}")
        return np.asarray(self.low), np.asarray(self.high)

    def center(self, dim: int) -> NDArray[np.float64]:
        low, high = self._bounds(dim)
        return (low + high) / 2

    def half_widths(self, dim: int) -> NDArray[np.float64]:
        low, high = self._bounds(dim)
        return (high - low) / 2

    def max_l2(self, dim: int) -> float:
        return float(np.linalg.norm(self.half_widths(dim)))

    def max_l1(self, dim: int) -> float:
        return float(np.sum(self.half_widths(dim)))

    def max_norm(self, dim: int) -> float:
        """max ||x||_2 over the domain (at the corner farthest from the origin)."""
        low, high = self._bounds(dim)
        return float(_norms(np.maximum(np.abs(low), np.abs(high))[None, :])[0])

    def outside(self, rows: NDArray[np.float64]) -> NDArray[np.bool_]:
        low, high = self._bounds(rows.shape[1])
        return np.asarray(np.any((rows < low) | (rows > high), axis=1))

    def clip(self, rows: NDArray[np.float64]) -> NDArray[np.float64]:
        """Clamp each coordinate into the box, a hair inside its faces, so that the
        rounded x_i - c_i never exceeds the half-width the sensitivities use."""
        center, half = self.center(rows.shape[1]), self.half_widths(rows.shape[1])
        return np.clip(rows, center - half * _INSIDE, center + half * _INSIDE)

    def to_dict(self) -> dict[str, object]:
        return {"type": "box", "low": list(self.low), "high": list(self.high)}


Domain = L2Ball | Box


def domain_from_dict(spec: dict[str, object], dim: int) -> Domain:
    """Parse ``{"type": "l2_ball", "radius": r}`` or ``{"type": "box", "low", "high"}``.

    Box bounds may be scalars (the same for every coordinate) or lists of length dim.
    """
    kind = spec.get("type")
    if kind == "l2_ball":
        radius = spec.get("radius")
        if not isinstance(radius, int | float) or isinstance(radius, bool):
            raise InvalidParameter("domain.radius", "must be a number")
        return L2Ball(float(radius))
    if kind == "box":
        low, high = (_bound(spec.get(k), k, dim) for k in ("low", "high"))
        return Box(low, high)
    raise InvalidParameter("domain.type", "must be 'l2_ball' or 'box'")


def _bound(value: object, name: str, dim: int) -> tuple[float, ...]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (float(value),) * dim
    if isinstance(value, list) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    ):
        if len(value) != dim:
            raise InvalidParameter(f"domain.{name}", f"must be a number or a list of length {dim}")
        return tuple(float(v) for v in value)
    raise InvalidParameter(f"domain.{name}", "must be a number or a list of numbers")
