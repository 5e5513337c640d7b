"""Noisy dyadic trees over a data-independent grid, per coordinate: the statistics of the
distance kinds, their sensitivities, prefix queries, error bounds and cost counts.

Coordinate i of the shifted rows u = x - c gets a grid of N = 2^L equal leaves over
[-h_i, h_i] (h_i the box's half-width, or the radius of an l2 ball), L = grid_levels,
and two trees per coordinate, every node of levels 0..L (2^(L+1) - 1 nodes, heap
order): ``counts`` (rows per node) and ``sums`` (sum of u_i per node). Each row touches
L + 1 nodes of every tree, so (add/remove) counts have L1 sensitivity d(L+1) and L2
sqrt(d(L+1)), sums (L+1) M1 and sqrt(L+1) M2 (M1, M2 the domain's max l1 / l2 distance
from c). Under replace-one the roots do not move (n is public): counts 2Ld and
sqrt(2Ld); sums 2(L+1) M1 and sqrt(2(L+2)) M2 (two values sharing a node below the root
share a sign).

A public ``coordinate_bound`` t narrows every grid to h_i = min(h_i, t): each row's
u_i is clamped into [-h_i, h_i] before it is counted (a fixed public map, so the
sensitivities above hold with M1, M2 those of the clamped domain, ``clipped_norms``),
at a bias of at most ``clipping_bias`` per row in any answer.

Derivation: docs/privacy/distance.md.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from array_api_compat import array_namespace, device
from numpy.typing import NDArray

from core._array import Array
from core.domain import Box
from core.errors import InvalidParameter
from core.privacy.mechanisms import NoisePlan, Statistic
from core.structures.banded import band_count, banded_variance_factor
from core.structures.base import (
    SECONDS_PER_BAND_EDGE_LEVEL,
    SECONDS_PER_PASS,
    SECONDS_PER_PREFIX_LEVEL,
    SECONDS_PER_TREE_LEAF,
    SECONDS_PER_TREE_ROW,
    DataSpec,
    chunk_sizes,
)

__all__ = [
    "DEFAULT_BANDED_ALPHA", "DEFAULT_GRID_LEVELS", "MAX_GRID_LEVELS", "MAX_RELEASE_VALUES",
    "MIN_BANDED_ALPHA", "Estimator", "accumulate_trees", "approximation_mean",
    "banded_alpha", "check_release_size", "clipped_norms", "clipping_bias",
    "grid_half_widths", "grid_trees", "levels_for",
    "prefix_totals", "tree_build_cost", "tree_query_seconds", "tree_size",
    "tree_statistics", "worst_noise_std",
]

Estimator = Literal["prefix", "banded"]
DEFAULT_GRID_LEVELS = 8
MAX_GRID_LEVELS = 20
DEFAULT_BANDED_ALPHA = 0.1
MIN_BANDED_ALPHA = 1e-3  # 1/alpha single-leaf bands and more: at most ~8,500 band edges
MAX_RELEASE_VALUES = 2**26  # 512 MiB of float64: a hard cap whatever the service allows
_BLOCK_VALUES = 2**22  # accumulate: rows x columns (and columns x leaves) per block


def tree_size(levels: int) -> int:
    """Nodes of one dyadic tree over 2^levels leaves, levels 0..levels."""
    return int(2 ** (levels + 1) - 1)


# --- exact sums (Array API) ------------------------------------------------------------

def grid_trees(U: Array, half_widths: NDArray[np.float64], levels: int,
               with_sums: bool) -> tuple[Array, Array | None]:
    """Node counts (and node sums of U) of every column of U on its own grid of 2^levels
    equal leaves over [-h, h]; (c, 2^(levels+1) - 1) each, heap order. Not private.

    Array API only (no bincount): sort each column, then the leaf boundaries are found by
    one ``searchsorted`` on keys column * (N + 1) + leaf, which are sorted because the
    leaf index is monotone in the value; node sums are differences of column prefix sums.
    """
    xp = array_namespace(U)
    dev = device(U)
    m, c = U.shape
    N = 2**levels
    half = xp.asarray(half_widths, dtype=xp.float64, device=dev)
    Us = xp.sort(U, axis=0)
    leaf = xp.clip(xp.floor((Us + half) * (N / (2.0 * half))), 0.0, N - 1.0)
    # the lower half of the leaves holds exactly the negative values, whatever the
    # rounding above: two values in one node below the root share a sign (the
    # replace-one sensitivity of the sums relies on it); still monotone in the value
    middle = N // 2
    leaf = xp.where(Us < 0, xp.clip(leaf, 0.0, middle - 1.0), xp.clip(leaf, 1.0 * middle, N - 1.0))
    leaf = xp.astype(leaf, xp.int64)
    col = xp.arange(c, dtype=xp.int64, device=dev)
    keys = xp.reshape(xp.permute_dims(leaf + col * (N + 1), (1, 0)), (-1,))
    bounds = xp.arange(N + 1, dtype=xp.int64, device=dev)
    targets = xp.reshape(col[:, None] * (N + 1) + bounds[None, :], (-1,))
    local = xp.reshape(xp.searchsorted(keys, targets), (c, N + 1)) - col[:, None] * m
    counts = _tree(xp, xp.astype(local[:, 1:] - local[:, :-1], xp.float64), levels)
    if not with_sums:
        return counts, None
    prefix = xp.cumulative_sum(xp.permute_dims(Us, (1, 0)), axis=1, include_initial=True)
    at = xp.take(xp.reshape(prefix, (-1,)), xp.reshape(local + col[:, None] * (m + 1), (-1,)))
    at = xp.reshape(at, (c, N + 1))
    return counts, _tree(xp, at[:, 1:] - at[:, :-1], levels)


def _tree(xp: Any, leaves: Array, levels: int) -> Array:
    """(c, 2^L) leaf values -> (c, 2^(L+1) - 1) node values, level 0 (root) first."""
    c = leaves.shape[0]
    parts = [leaves]
    for level in range(levels - 1, -1, -1):
        parts.append(xp.sum(xp.reshape(parts[-1], (c, 2**level, 2)), axis=2))
    return xp.concat(parts[::-1], axis=1)


def accumulate_trees(X: Array, center: NDArray[np.float64], half_widths: NDArray[np.float64],
                     levels: int, with_sums: bool) -> dict[str, Array]:
    """The statistics of rows X (n, d) shifted by ``center`` and clamped into
    [-h, h] per coordinate, flattened coordinate-major (d * (2^(L+1) - 1) values each),
    computed in blocks of rows and columns so that memory stays near ``_BLOCK_VALUES``
    values per array whatever the chunk's size. The clamp is what a ``coordinate_bound``
    narrower than the domain does to a row; for a grid spanning the domain it moves
    nothing (the domain's clip already put every row inside)."""
    xp = array_namespace(X)
    dev = device(X)
    n, d = X.shape
    rows = max(1, min(n, _BLOCK_VALUES))
    cols = max(1, min(d, _BLOCK_VALUES // rows, _BLOCK_VALUES // (2**levels + 1)))
    counts, sums = [], []
    for c0 in range(0, d, cols):
        c1 = min(c0 + cols, d)
        shift = xp.asarray(center[c0:c1], dtype=xp.float64, device=dev)
        high = xp.asarray(half_widths[c0:c1], dtype=xp.float64, device=dev)
        block_counts: Array = None
        block_sums: Array = None
        for r0 in range(0, max(n, 1), rows):  # one pass over an empty chunk too
            r1 = min(r0 + rows, n)
            U = xp.minimum(xp.maximum(X[r0:r1, c0:c1] - shift, -high), high)
            bc, bs = grid_trees(U, half_widths[c0:c1], levels, with_sums)
            block_counts = bc if block_counts is None else block_counts + bc
            if bs is not None:
                block_sums = bs if block_sums is None else block_sums + bs
        counts.append(block_counts)
        sums.append(block_sums)
    out = {"counts": xp.reshape(xp.concat(counts, axis=0), (-1,))}
    if with_sums:
        out["sums"] = xp.reshape(xp.concat(sums, axis=0), (-1,))
    return out


# --- queries (host) --------------------------------------------------------------------

def prefix_totals(tree: NDArray[np.float64], B: NDArray[np.int64],
            levels: int) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Noisy prefix totals of the leaves below boundary B (q, d), and how many nodes each
    used: the left children picked by B's bits (at most L), or the root when B = N."""
    d, T = tree.shape
    N = 2**levels
    flat = tree.ravel()
    base = np.arange(d, dtype=np.int64) * T
    values = np.zeros(B.shape)
    nodes = np.zeros(B.shape, dtype=np.int64)
    for level in range(1, levels + 1):
        K = B >> (levels - level)
        on = (K & 1) == 1
        index = base + (2**level - 1) + np.maximum(K - 1, 0)
        values += np.where(on, flat[np.minimum(index, flat.size - 1)], 0.0)
        nodes += on
    full = B == N
    return np.where(full, tree[:, 0], values), np.where(full, 1, nodes)

# --- cost (the constants and ``Cost``: core.structures.base) ----------------------------

def tree_build_cost(columns: int, levels: int, with_sums: bool, rows: int,
                    chunk_rows: int) -> tuple[float, float, int]:
    """(CPU seconds per row, per chunk, peak working bytes) of ``accumulate_trees`` on
    ``columns`` coordinates: per row and coordinate a sort, a leaf and a search (and
    prefix sums); per chunk, coordinate and tree, a search of every leaf boundary and
    the tree's levels, whatever the chunk's size (the cost of a deep grid on few rows);
    memory: a block of rows x columns and of columns x leaves (each at most
    ``_BLOCK_VALUES`` values) a dozen times over, and the chunk's trees."""
    trees = 2 if with_sums else 1
    leaves = 2**levels
    largest, _ = chunk_sizes(rows, chunk_rows)
    per_row = columns * SECONDS_PER_TREE_ROW * (1.0 if with_sums else 0.8)
    per_chunk = columns * trees * (leaves * SECONDS_PER_TREE_LEAF
                                   + 4 * tree_size(levels) * SECONDS_PER_PASS)
    block_rows = max(1, min(max(largest, 1), _BLOCK_VALUES))
    cols = max(1, min(columns, _BLOCK_VALUES // block_rows, _BLOCK_VALUES // (leaves + 1)))
    working = (12 * 8 * block_rows * cols + 12 * 8 * cols * (leaves + 1)
               + 3 * 8 * trees * columns * tree_size(levels))
    return per_row, per_chunk, working


def tree_query_seconds(columns: int, levels: int, estimator: Estimator,
                       alpha: float | None) -> float:
    """CPU seconds per query point of ``answer_offsets`` on ``columns`` coordinates:
    prefix, two trees' prefix nodes per level and a few dozen passes; banded, per level
    every band edge's coefficient (twice the band count), plus the innermost bands'
    prefixes."""
    if estimator == "prefix":
        return columns * (levels * SECONDS_PER_PREFIX_LEVEL + 20 * SECONDS_PER_PASS)
    edges = 2 * band_count(banded_alpha(alpha), levels)
    return columns * (levels * (edges * SECONDS_PER_BAND_EDGE_LEVEL
                                + 2 * SECONDS_PER_PREFIX_LEVEL) + 20 * SECONDS_PER_PASS)


# --- error model (public parameters only) ---------------------------------------------

def worst_noise_std(plan: NoisePlan, estimator: Estimator, levels: int,
                    half_widths: NDArray[np.float64], query_sq_l2: float,
                    alpha: float | None) -> float:
    """Std of the noise of a sum answer at the worst in-domain query. Prefix: every
    coordinate uses at most L prefix nodes and its root, (4L + 1)(v_i^2 sc^2 + ss^2),
    with sum_i v_i^2 <= ``query_sq_l2``; banded: the probed maximum of the variance per
    coordinate (``banded_variance_factor``) times sum_i w_i^2 sc^2."""
    sc = plan.std("counts")
    if estimator == "prefix":
        d = half_widths.shape[0]
        var = (4 * levels + 1) * (query_sq_l2 * sc**2 + d * plan.std("sums") ** 2)
        return math.sqrt(var)
    widths = 2.0 * half_widths / 2**levels
    factor = banded_variance_factor(banded_alpha(alpha), levels)
    return math.sqrt(factor * float(np.sum(widths**2))) * sc


def approximation_mean(estimator: Estimator, leaf_width_l1: float, alpha: float | None,
                       typical: float) -> float:
    """Data-independent bound on the discretisation error of a mean answer: every row
    is misplaced by at most one leaf per coordinate (sum_i w_i), and the banded answer
    may also be low by a factor 1 + alpha (alpha times a typical distance)."""
    if estimator == "prefix":
        return leaf_width_l1
    return banded_alpha(alpha) * typical + leaf_width_l1


def banded_alpha(alpha: float | None) -> float:
    return DEFAULT_BANDED_ALPHA if alpha is None else alpha

def grid_half_widths(data: DataSpec, bound: float | None = None) -> NDArray[np.float64]:
    """h_i, the half-width of coordinate i's grid: the box's, or the ball's radius;
    with a public ``bound`` t, min(h_i, t)."""
    domain = data.domain
    if isinstance(domain, Box):
        half = domain.half_widths(data.dim)
    else:
        half = np.full(data.dim, domain.radius)
    return half if bound is None else np.minimum(half, bound)


def clipped_norms(data: DataSpec, half_widths: NDArray[np.float64]) -> tuple[float, float]:
    """(M1, M2): the largest l1 and l2 norms of a domain row u = x - c once clamped
    into [-h_i, h_i], min(M1, sum_i h_i) and min(M2, ||h||_2). Exact suprema: on a box
    the clamped box's corner; on a ball of radius R with h_i = t, u_i = R / sqrt(d)
    reaches sqrt(d) R when t >= R / sqrt(d), and u_i = t reaches d t (inside the
    ball) otherwise (likewise R and sqrt(d) t for l2). Equal to the domain's own when
    the grid spans it."""
    d = data.dim
    return (min(data.domain.max_l1(d), float(np.sum(half_widths))),
            min(data.domain.max_l2(d), float(np.linalg.norm(half_widths))))


def clipping_bias(data: DataSpec, bound: float | None) -> float:
    """The worst-case bias per row that clamping coordinates to [-t, t] adds to an l1
    distance: | ||u - v||_1 - ||clamp(u) - v||_1 | <= ||u - clamp(u)||_1 =
    sum_i (|u_i| - t)_+ (triangle inequality), at its largest over the domain. Box:
    sum_i (h_i - t)_+ (a corner). Ball of radius R: with k coordinates above t, the
    sum is at most sqrt(k) R - k t (Cauchy-Schwarz, equal coordinates R / sqrt(k)),
    so the supremum is max over k = 1..d of (sqrt(k) R - k t)_+, which is at most
    R^2 / (4 t) (at k = R^2 / (4 t^2)) and 0 when t >= R. The function of k is
    concave, so the integers either side of its peak (clamped to 1..d) give it."""
    if bound is None:
        return 0.0
    domain = data.domain
    if isinstance(domain, Box):
        return float(np.sum(np.maximum(domain.half_widths(data.dim) - bound, 0.0)))
    R, t = domain.radius, bound
    peak = min(max(R * R / (4.0 * t * t), 1.0), float(data.dim))
    ks = {min(max(k, 1), data.dim) for k in (math.floor(peak), math.ceil(peak))}
    return max(0.0, *(math.sqrt(k) * R - k * t for k in ks))


def tree_statistics(dim: int, levels: int, estimator: Estimator, data: DataSpec,
                    max_l1: float, max_l2: float, query_sq_l2: float) -> list[Statistic]:
    """``counts`` (and ``sums``) with their sensitivities; weights: what one unit of
    per-node noise variance costs a sum answer, (4L + 1)(||v||^2 for counts, d for
    sums), the common factor dropped."""
    size = dim * tree_size(levels)
    L = levels
    if data.neighbouring == "add_remove":  # one row: one node per level and coordinate
        c1, c2 = float(dim * (L + 1)), math.sqrt(dim * (L + 1))
        s1, s2 = (L + 1) * max_l1, math.sqrt(L + 1) * max_l2
    else:
        # counts: the roots never move (n is public), below them two nodes per level
        # move by 1. sums: per coordinate (u - u')^2 <= 2(u^2 + u'^2) at the root, and
        # at most u^2 + u'^2 at each of the L other levels (different nodes; or one node,
        # whose values share a sign), so the L2 change is sqrt(2 (L + 2)) M2 at most
        c1, c2 = float(2 * L * dim), math.sqrt(2 * L * dim)
        s1, s2 = 2 * (L + 1) * max_l1, math.sqrt(2 * (L + 2)) * max_l2
    if estimator == "banded":
        return [Statistic("counts", size, c1, c2, 1.0)]
    return [Statistic("counts", size, c1, c2, query_sq_l2),
            Statistic("sums", size, s1, s2, float(dim))]

def levels_for(alpha: float, half_l1: float, typical: float) -> int:
    """The grid depth that meets ``alpha``: both estimators misplace a row by at most
    one leaf per coordinate, sum_i w_i = 2 sum_i h_i / 2^L <= alpha * typical (on a box:
    leaf width <= alpha * half-width, L = ceil(log2(2 / alpha)))."""
    ratio = 2.0 * half_l1 / (alpha * typical)
    return min(MAX_GRID_LEVELS, max(1, math.ceil(math.log2(ratio) - 1e-12)))


def check_release_size(trees: int, extra: int, k_name: str | None = None) -> None:
    if extra > MAX_RELEASE_VALUES and k_name is not None:
        raise InvalidParameter(f"params.{k_name}", f"makes the release larger than "
                               f"{MAX_RELEASE_VALUES} values")
    if trees + extra > MAX_RELEASE_VALUES:
        raise InvalidParameter("params.grid_levels", f"makes the release larger than "
                               f"{MAX_RELEASE_VALUES} values; use fewer levels")
