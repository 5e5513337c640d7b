"""The banded estimator of a distance sum from noisy dyadic count trees (the paper's
(1 + alpha) variant).

Each row is weighed by the near-edge distance of its band: geometric bands of ratio
(1 + alpha) around the query, snapped to the grid, single leaves nearest to it. The
answer underestimates the truth by a factor at most 1 + alpha, plus at most one leaf
width per row in the innermost bands. Host-side NumPy (queries and the error model).

Derivation: docs/privacy/distance.md, "5. The banded estimator".
"""

from __future__ import annotations

import math
from functools import cache, lru_cache

import numpy as np
from numpy.typing import NDArray

__all__ = ["QUERY_VALUES", "band_count", "band_offsets", "banded_answers",
           "banded_variance_factor", "forced_leaves"]

QUERY_VALUES = 2**20  # query: (point, coordinate, band edge) triples per block
_PROBES = 512  # banded worst-case std: grid positions probed (all when N < this)
_PROBE_ENDS = 256
# and at most about this many (position, shift, band edge, level) terms in all: fewer
# positions for many bands and levels, so that the error model takes a second at most
_PROBE_WORK = 2**23


def band_offsets(alpha: float, leaves: int) -> NDArray[np.int64]:
    """Band edges, in leaves from the query's boundary: single leaves up to e* =
    ceil(1/alpha + 1/2), then geometric, (O_{j+1} - 1/2) <= (1 + alpha)(O_j - 1/2), so a
    band's far edge is within 1 + alpha of its near edge wherever the query sits within
    half a leaf of its boundary; the last offset reaches ``leaves``."""
    forced = forced_leaves(alpha)
    offsets = list(range(min(forced, leaves) + 1))
    while offsets[-1] < leaves:
        e = offsets[-1]
        offsets.append(max(e + 1, math.floor((1 + alpha) * (e - 0.5) + 0.5 - 1e-9)))
    return np.asarray(offsets, dtype=np.int64)


def forced_leaves(alpha: float) -> int:
    """e*: bands nearer than this many leaves are single leaves, too thin for the
    (1 + alpha) ratio; each of their rows may be underestimated by up to one leaf."""
    return math.ceil(1.0 / alpha + 0.5)


def _band_weight(leaf: NDArray[np.int64], B: NDArray[np.int64], shift: NDArray[np.float64],
                 offsets: NDArray[np.int64]) -> NDArray[np.float64]:
    """rho(leaf), in leaf widths: the near-edge distance from v of the band holding the
    leaf; shift = (boundary - v) / width."""
    right = leaf >= B
    o = np.where(right, leaf - B, B - 1 - leaf)
    near = offsets[np.searchsorted(offsets, o, side="right") - 1].astype(np.float64)
    return np.maximum(np.where(right, near + shift, near - shift), 0.0)


def banded_answers(B: NDArray[np.int64], shift: NDArray[np.float64], levels: int,
            offsets: NDArray[np.int64], counts: NDArray[np.float64] | None = None,
            cols: NDArray[np.int64] | None = None,
            ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Banded answer, noise variance (per unit count variance) and root coefficient, in
    leaf widths, for flat arrays of (query, coordinate) pairs; pair p reads the count
    tree ``counts[cols[p]]`` (counts None: the variance only).

    sum_leaf rho(leaf) c(leaf) = rho(N-1) c(root) + sum over left children nu of
    (rho(last leaf of nu) - rho(last leaf of nu's sibling)) c(nu) (telescoping the
    prefix counts), and only left children whose sibling holds a band edge have a
    non-zero coefficient: they are found from the edges, level by level."""
    N = 2**levels
    P = B.shape[0]
    edges = np.clip(np.concatenate([B[:, None] - offsets[::-1][None, :],
                                    B[:, None] + offsets[1:][None, :]], axis=1), 0, N)
    b, s = B[:, None], shift[:, None]
    answer = np.zeros(P)
    variance = np.zeros(P)
    tree = np.zeros((1, 1)) if counts is None else counts
    which = np.zeros(P, dtype=np.int64) if cols is None else cols
    for level in range(1, levels + 1):
        width = 2 ** (levels - level)
        K = edges >> (levels - level)
        first = np.concatenate([np.ones((P, 1), dtype=bool), K[:, 1:] != K[:, :-1]], axis=1)
        first &= (K & 1) == 1
        coef = (_band_weight(K * width - 1, b, s, offsets)
                - _band_weight((K + 1) * width - 1, b, s, offsets))
        coef = np.where(first, coef, 0.0)
        variance += np.sum(coef * coef, axis=1)
        if counts is not None:
            node = np.where(first, (2**level - 1) + K - 1, 0)
            answer += np.sum(coef * tree[which[:, None], node], axis=1)
    root = _band_weight(np.full((P, 1), N - 1), b, s, offsets)[:, 0]
    variance += root * root
    if counts is not None:
        answer += root * tree[which, 0]
    return answer, variance, root


@cache
def banded_variance_factor(alpha: float, levels: int) -> float:
    """max over grid positions b and shifts of the banded noise variance of one
    coordinate, in (leaf width x count noise std)^2. The variance is a convex quadratic
    in the shift on each side of 0, so the shifts -1/2, 0, 1/2 cover it. Every b is
    probed when 2^L < 512; else the 257 positions at each end (where the root's
    coefficient, the distance to the far end, is largest) and 257 evenly spaced ones,
    as many fewer of each as keeps the work within ``_PROBE_WORK`` terms (large grids
    with many bands: a second at most; 9 of each at the least)."""
    N = 2**levels
    offsets = band_offsets(alpha, N)
    affordable = _PROBE_WORK // (3 * 2 * offsets.size * levels)
    if min(_PROBES, affordable) >= N + 1:
        positions = np.arange(N + 1, dtype=np.int64)
    else:
        each = min(_PROBE_ENDS, max(8, affordable // 3))
        ends = np.arange(each + 1, dtype=np.int64)
        even = np.linspace(0, N, each + 1).round().astype(np.int64)
        positions = np.unique(np.concatenate([ends, N - ends, even]))
    B = np.repeat(positions, 3)
    shift = np.tile(np.array([-0.5, 0.0, 0.5]), positions.size)
    block = max(1, QUERY_VALUES // (2 * offsets.size))
    worst = 0.0
    for start in range(0, B.size, block):
        _, var, _ = banded_answers(B[start:start + block], shift[start:start + block], levels,
                            offsets)
        worst = max(worst, float(np.max(var)))
    return worst



@lru_cache(maxsize=1024)
def band_count(alpha: float, levels: int) -> int:
    """How many band edges the banded estimator uses on a grid of 2^levels leaves."""
    return int(band_offsets(alpha, 2**levels).size)
