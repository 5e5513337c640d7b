"""Sums of exponentials: 1/(1 + h) ~ sum_j a_j e^{-t_j h} for every h >= 0.

1/(1 + h) = int_0^inf e^{-s(1 + h)} ds; with s = e^u and the trapezoid rule on J
(``terms``) equally spaced nodes u_j, 1/(1 + h) ~ sum_j a_j e^{-t_j h} with t_j = e^{u_j}
and a_j = step e^{u_j} e^{-t_j} > 0, within a deterministic, numerically verified bound
for every h >= 0 (``SumOfExponentials``). ``cauchy_kde`` builds one random-feature
structure per term.

Derivation: docs/privacy/smooth.md, "1. The quadrature".
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.errors import InvalidParameter

__all__ = ["H_MAX", "MAX_TERMS", "SumOfExponentials", "sum_of_exponentials", "terms_for"]

MAX_TERMS = 32
H_MAX = 1e9  # the error bound is computed on [0, H_MAX]; beyond it, a tail bound
_BOUND_POINTS = 50_000  # grid of the final bound: (its spacing)^2 / 2 ~ 9e-8
_SEARCH_POINTS, _REFINE_POINTS = 150, 1_000


@dataclass(frozen=True, slots=True)
class SumOfExponentials:
    """1/(1 + h) ~ sum_j coefficients[j] * exp(-nodes[j] * h), with
    |error| <= max_error for every h >= 0."""

    nodes: tuple[float, ...]  # t_j = e^{u_j}
    coefficients: tuple[float, ...]  # a_j = step e^{u_j} e^{-t_j}
    max_error: float

    @property
    def terms(self) -> int:
        return len(self.nodes)

    def __call__(self, h: NDArray[np.float64]) -> NDArray[np.float64]:
        t = np.asarray(self.nodes)
        a = np.asarray(self.coefficients)
        return np.asarray(np.sum(a * np.exp(-np.multiply.outer(h, t)), axis=-1))


def _h_grid(points: int) -> NDArray[np.float64]:
    """[0, H_MAX], evenly spaced in log(1 + h): spacing ~ (1 + h) * 20.7 / points."""
    return np.expm1(np.linspace(0.0, math.log1p(H_MAX), points))


def _trapezoid(terms: int, u_min: float, step: float) -> tuple[NDArray[np.float64],
                                                               NDArray[np.float64]]:
    """Nodes t_j = e^{u_min + j step} and coefficients a_j = step t_j e^{-t_j}."""
    t = np.exp(u_min + step * np.arange(terms))
    return t, step * t * np.exp(-t)


def _max_errors(terms: int, u_min: NDArray[np.float64], step: NDArray[np.float64],
                h: NDArray[np.float64]) -> NDArray[np.float64]:
    """max over the grid h of |sum_j a_j e^{-t_j h} - 1/(1+h)|, per candidate."""
    out = np.empty(u_min.shape[0])
    target = 1.0 / (1.0 + h)
    j = np.arange(terms)
    for start in range(0, u_min.shape[0], 128):
        u, s = u_min[start:start + 128, None], step[start:start + 128, None]
        t = np.exp(u + s * j)  # (c, J)
        a = s * t * np.exp(-t)
        approx = np.sum(a[:, None, :] * np.exp(-t[:, None, :] * h[None, :, None]), axis=2)
        out[start:start + 128] = np.max(np.abs(approx - target), axis=1)
    return out


def _search(terms: int) -> tuple[float, float]:
    """(u_min, step) minimising the max error: a grid over u_min in [-20, 0.5] (step
    0.25) and step in [0.3, 4] (28 geometric values) on a coarse h grid, then a pattern
    search (3 x 3 neighbours, halving) on a finer one. Deterministic."""
    U, S = np.meshgrid(np.arange(-20.0, 0.51, 0.25), np.geomspace(0.3, 4.0, 28),
                       indexing="ij")
    u, s = U.ravel(), S.ravel()
    best = int(np.argmin(_max_errors(terms, u, s, _h_grid(_SEARCH_POINTS))))
    u0, s0 = float(u[best]), float(s[best])
    h = _h_grid(_REFINE_POINTS)
    e0 = float(_max_errors(terms, np.array([u0]), np.array([s0]), h)[0])
    du, ds = 0.125, 0.05
    while du > 1e-3:
        cu = np.array([u0 + a * du for a in (-1, 0, 1) for _ in (-1, 0, 1)])
        cs = np.array([s0 * (1 + b * ds) for _ in (-1, 0, 1) for b in (-1, 0, 1)])
        errors = _max_errors(terms, cu, cs, h)
        k = int(np.argmin(errors))
        if errors[k] < e0:
            e0, u0, s0 = float(errors[k]), float(cu[k]), float(cs[k])
        else:
            du, ds = du / 2, ds / 2
    return u0, s0


def _error_bound(t: NDArray[np.float64], a: NDArray[np.float64]) -> float:
    """A bound on sup_{h >= 0} |g(h) - 1/(1+h)| for g(h) = sum_j a_j e^{-t_j h} with
    a_j, t_j > 0. On each interval [h_i, h_i+1] of a dense grid on [0, H_MAX] the error
    e is at most max(|e(h_i)|, |e(h_i+1)|) + (h_i+1 - h_i)^2 / 8 * max |e''|, and
    |e''| <= g''(h_i) + 2/(1+h_i)^3 there (both decrease in h). For h > H_MAX both g
    and 1/(1+h) lie in [0, their value at H_MAX], so |e| <= max of those two values."""
    h = _h_grid(_BOUND_POINTS)
    E = np.exp(-np.multiply.outer(h, t))
    g = np.sum(E * a, axis=1)
    e = np.abs(g - 1.0 / (1.0 + h))
    curvature = np.sum(E * (a * t * t), axis=1) + 2.0 / (1.0 + h) ** 3
    inside = np.maximum(e[:-1], e[1:]) + np.diff(h) ** 2 / 8 * curvature[:-1]
    tail = max(float(g[-1]), 1.0 / (1.0 + H_MAX))
    return max(float(np.max(inside)), tail)


@functools.lru_cache(maxsize=MAX_TERMS)
def sum_of_exponentials(terms: int) -> SumOfExponentials:
    """The J-term trapezoid sum of exponentials for 1/(1 + h) with the smallest max
    error our search finds, and its verified error bound (docs/privacy/smooth.md)."""
    if not 1 <= terms <= MAX_TERMS:
        raise InvalidParameter("params.terms", f"must be between 1 and {MAX_TERMS}")
    t, a = _trapezoid(terms, *_search(terms))
    return SumOfExponentials(tuple(float(x) for x in t), tuple(float(x) for x in a),
                             _error_bound(t, a))


def terms_for(error: float) -> int:
    """The fewest terms whose error bound is at most ``error`` (MAX_TERMS at most)."""
    for terms in range(1, MAX_TERMS):
        if sum_of_exponentials(terms).max_error <= error:
            return terms
    return MAX_TERMS
