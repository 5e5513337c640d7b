"""Distance sums from noisy dyadic trees: ``l1_distance`` and ``l2_distance``.

``l1_distance``: F(y) = sum_x ||x - y||_1, by one-dimensional decomposition. Rows are
shifted by the domain's centre c (u = x - c). Coordinate i gets a data-independent grid
of N = 2^L equal leaves over [-h_i, h_i] (h_i the box's half-width, or the radius of an
l2 ball), L = ``grid_levels``, and the release holds two dyadic trees per coordinate,
every node of levels 0..L (2^(L+1) - 1 nodes, heap order): ``counts`` (rows per node)
and ``sums`` (sum of u_i per node). Each row touches L + 1 nodes of every tree, so
(add/remove) counts have L1 sensitivity d(L+1) and L2 sqrt(d(L+1)), sums (L+1) M1 and
sqrt(L+1) M2 (M1, M2 the domain's max l1 / l2 distance from c). Under replace-one the
roots do not move (n is public): counts 2Ld and sqrt(2Ld); sums 2(L+1) M1 and
sqrt(2(L+2)) M2 (two values sharing a node below the root share a sign).

Two estimators answer a query v = y - c, coordinate by coordinate:

- ``prefix`` (default; purely additive error, as in Liu et al. 2024): with b the grid
  boundary nearest to v_i (clamped to [0, N]), sum_x |u - v| = v (2 P_c(b) - n)
  - 2 P_s(b) + S, from the prefix count and sum of the leaves below b (at most L nodes)
  and the roots n, S. Exact for queries outside the domain; inside, only the rows in
  the leaf between the boundary and v are misplaced, each by at most 2 |v - b|.
- ``banded`` (the paper's (1 + alpha) variant): releases the count trees only, and
  weighs each row by the near-edge distance of its band, geometric bands of ratio
  (1 + alpha) around v snapped to the grid. The answer underestimates the truth by a
  factor at most 1 + alpha, plus at most one leaf width per row in the innermost bands.

``l2_distance``: F(y) = sum_x ||x - y||_2 by an oblivious l2 -> l1 embedding,
z = s G (x - c), with k rows g_j drawn uniformly on the sphere of radius sqrt(d) from
the public seed and s = 1 / (k c_d), c_d = sqrt(d) E|s_1|, so that E s ||G u||_1 =
||u||_2; every |z_j| <= s sqrt(d) M2 whatever the draw, so the inner ``l1_distance``
over the box [-s sqrt(d) M2, +]^k has seed-independent sensitivities.

Derivations (sensitivities, exact noise variance, discretisation bound, the banded
argument, the embedding's distortion): docs/privacy/distance.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, ClassVar, Literal, Self

import numpy as np
from array_api_compat import array_namespace, device
from numpy.typing import NDArray

from core._array import Array
from core.domain import Box
from core.errors import CorruptRelease, InvalidParameter
from core.privacy.mechanisms import Mechanism, NoisePlan, Statistic
from core.structures.base import (
    SECONDS_PER_BAND_EDGE_LEVEL,
    SECONDS_PER_MAC,
    SECONDS_PER_NORMAL,
    SECONDS_PER_PASS,
    SECONDS_PER_PREFIX_LEVEL,
    SECONDS_PER_TREE_LEAF,
    SECONDS_PER_TREE_ROW,
    Cost,
    DataSpec,
    ErrorEstimate,
    QueryResult,
    Reduce,
    build_cost,
    check_points,
    chunk_sizes,
    clamp_count,
)
from core.structures.params import ParamReader

__all__ = [
    "L1DistanceRelease", "L1DistanceSpec", "L2DistanceRelease", "L2DistanceSpec",
    "band_offsets", "distortion_std", "draw_projection", "embedding_constant", "tree_size",
]

Estimator = Literal["prefix", "banded"]
DEFAULT_GRID_LEVELS = 8
MAX_GRID_LEVELS = 20
DEFAULT_BANDED_ALPHA = 0.1
MIN_BANDED_ALPHA = 1e-3  # 1/alpha single-leaf bands and more: at most ~8,500 band edges
DEFAULT_PROJECTION_DIM = 128
MAX_PROJECTION_DIM = 8_192
MAX_RELEASE_VALUES = 2**26  # 512 MiB of float64: a hard cap whatever the service allows
_BLOCK_VALUES = 2**22  # accumulate: rows x columns (and columns x leaves) per block
_QUERY_VALUES = 2**20  # query: (point, coordinate, band edge) triples per block
_PROBES = 512  # banded worst-case std: grid positions probed (all when N < this)
_PROBE_ENDS = 256
# and at most about this many (position, shift, band edge, level) terms in all: fewer
# positions for many bands and levels, so that the error model takes a second at most
_PROBE_WORK = 2**23


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
    """The statistics of rows X (n, d) shifted by ``center``, flattened coordinate-major
    (d * (2^(L+1) - 1) values each), computed in blocks of rows and columns so that
    memory stays near ``_BLOCK_VALUES`` values per array whatever the chunk's size."""
    xp = array_namespace(X)
    dev = device(X)
    n, d = X.shape
    rows = max(1, min(n, _BLOCK_VALUES))
    cols = max(1, min(d, _BLOCK_VALUES // rows, _BLOCK_VALUES // (2**levels + 1)))
    counts, sums = [], []
    for c0 in range(0, d, cols):
        c1 = min(c0 + cols, d)
        shift = xp.asarray(center[c0:c1], dtype=xp.float64, device=dev)
        block_counts: Array = None
        block_sums: Array = None
        for r0 in range(0, max(n, 1), rows):  # one pass over an empty chunk too
            r1 = min(r0 + rows, n)
            bc, bs = grid_trees(X[r0:r1, c0:c1] - shift, half_widths[c0:c1], levels,
                                with_sums)
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

def _prefix(tree: NDArray[np.float64], B: NDArray[np.int64],
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


def _banded(B: NDArray[np.int64], shift: NDArray[np.float64], levels: int,
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
    block = max(1, _QUERY_VALUES // (2 * offsets.size))
    worst = 0.0
    for start in range(0, B.size, block):
        _, var, _ = _banded(B[start:start + block], shift[start:start + block], levels,
                            offsets)
        worst = max(worst, float(np.max(var)))
    return worst


# --- cost (the constants and ``Cost``: core.structures.base) ----------------------------

@lru_cache(maxsize=1024)
def band_count(alpha: float, levels: int) -> int:
    """How many band edges the banded estimator uses on a grid of 2^levels leaves."""
    return int(band_offsets(alpha, 2**levels).size)


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
    edges = 2 * band_count(_alpha(alpha), levels)
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
    factor = banded_variance_factor(_alpha(alpha), levels)
    return math.sqrt(factor * float(np.sum(widths**2))) * sc


def approximation_mean(estimator: Estimator, leaf_width_l1: float, alpha: float | None,
                       typical: float) -> float:
    """Data-independent bound on the discretisation error of a mean answer: every row
    is misplaced by at most one leaf per coordinate (sum_i w_i), and the banded answer
    may also be low by a factor 1 + alpha (alpha times a typical distance)."""
    if estimator == "prefix":
        return leaf_width_l1
    return _alpha(alpha) * typical + leaf_width_l1


def _alpha(alpha: float | None) -> float:
    return DEFAULT_BANDED_ALPHA if alpha is None else alpha


@dataclass(frozen=True, slots=True)
class L1DistanceRelease:
    """Noisy count (and sum) trees per coordinate, on grids over [c - h, c + h]."""

    kind: ClassVar[str] = "l1_distance"
    dim: int
    params: dict[str, Any]
    plan: NoisePlan
    center: NDArray[np.float64]  # (d,)
    half_widths: NDArray[np.float64]  # (d,)
    counts: NDArray[np.float64]  # (d, T)
    sums: NDArray[np.float64] | None  # (d, T), prefix estimator only
    levels: int
    estimator: Estimator
    alpha: float | None
    typical: float  # a typical distance on the domain (M1; M2 inside l2_distance)
    query_sq_l2: float  # bound on ||v||^2 over in-domain queries, for the worst-case std

    @classmethod
    def assemble(cls, spec: L1DistanceSpec, plan: NoisePlan,
                 noisy: Mapping[str, NDArray[np.float64]]) -> L1DistanceRelease:
        d, T = spec.data.dim, tree_size(spec.grid_levels)
        sums = noisy.get("sums")
        return cls(dim=d, params=spec.public_params(), plan=plan,
                   center=spec.data.domain.center(d), half_widths=grid_half_widths(spec.data),
                   counts=np.asarray(noisy["counts"], dtype=np.float64).reshape(d, T),
                   sums=None if sums is None else np.asarray(sums, np.float64).reshape(d, T),
                   levels=spec.grid_levels, estimator=spec.estimator, alpha=spec.alpha,
                   typical=spec.typical, query_sq_l2=spec.query_sq_l2)

    @property
    def leaf_widths(self) -> NDArray[np.float64]:
        return np.asarray(2.0 * self.half_widths / 2**self.levels)

    @property
    def noisy_count(self) -> float:
        """n from the d count roots: their mean, d independent noisy copies of n."""
        return float(np.mean(self.counts[:, 0]))

    def query(self, points: NDArray[np.float64], reduce: Reduce = "sum") -> QueryResult:
        Y = check_points(points, self.dim)
        return self.answer_offsets(Y - self.center, reduce)

    def answer_offsets(self, V: NDArray[np.float64], reduce: Reduce) -> QueryResult:
        """Answers for query offsets v = y - c, (q, d)."""
        q, d = V.shape
        out = np.zeros((4, q))  # values, noise variance, root covariance, approximation
        width = 1 if self.estimator == "prefix" else 2 * self._offsets().size
        per_block = max(1, _QUERY_VALUES // (d * width))
        for start in range(0, q, per_block):
            stop = min(start + per_block, q)
            out[:, start:stop] = self._block(V[start:stop])
        values, variance, root_coef, approx = out
        if self.estimator == "banded":
            approx = approx + _alpha(self.alpha) * np.maximum(values, 0.0)
        if reduce == "sum":
            return QueryResult(values, np.sqrt(variance), approx)
        n_hat = clamp_count(self.noisy_count)
        count_var = self.plan.std("counts") ** 2 / d  # n-hat's noise variance
        ratio = values / n_hat
        # delta method; n-hat shares the count roots with the numerator: cov =
        # sum_i (root coefficient_i) sc^2 / d
        var = variance - 2 * ratio * root_coef * count_var + ratio**2 * count_var
        return QueryResult(ratio, np.sqrt(np.maximum(var, 0.0)) / n_hat, approx / n_hat)

    def _offsets(self) -> NDArray[np.int64]:
        return band_offsets(_alpha(self.alpha), 2**self.levels)

    def _block(self, V: NDArray[np.float64]) -> NDArray[np.float64]:
        """(4, q): values, noise variance, sum_i coefficient of count root i, and the
        approximation bound (prefix: all of it; banded: the innermost bands' part)."""
        L, N = self.levels, 2**self.levels
        h, w = self.half_widths, self.leaf_widths
        sc = self.plan.std("counts")
        B = np.rint(np.clip((V + h) / w, 0.0, float(N))).astype(np.int64)
        delta = (B * w - h) - V  # nearest boundary minus v: |delta| <= w/2 in the domain
        if self.sums is not None:  # the prefix estimator
            ss = self.plan.std("sums")
            Pc, nodes = _prefix(self.counts, B, L)
            Ps, _ = _prefix(self.sums, B, L)
            per = V * (2 * Pc - self.counts[:, 0]) - 2 * Ps + self.sums[:, 0]
            # prefix nodes and the root are distinct nodes, except at B = N (prefix = root)
            factor = np.where(B == N, 1, 4 * nodes + 1)
            variance = factor * (V**2 * sc**2 + ss**2)
            root = np.where(B == N, V, -V)
            # the misplaced rows lie between the boundary and v, inside one leaf
            leaf = np.where(delta <= 0, B, B - 1)
            inside = (leaf >= 0) & (leaf < N)
            cols = np.arange(V.shape[1])
            noisy = self.counts[cols, (2**L - 1) + np.clip(leaf, 0, N - 1)]
            approx = np.where(inside, 2 * np.abs(delta) * np.maximum(noisy + 2 * sc, 0.0), 0.0)
            return np.stack([per.sum(axis=1), variance.sum(axis=1), root.sum(axis=1),
                             approx.sum(axis=1)])
        q, d = V.shape
        cols = np.tile(np.arange(d, dtype=np.int64), q)
        answer, unit_var, root = (a.reshape(q, d) for a in _banded(
            B.ravel(), (delta / w).ravel(), L, self._offsets(), self.counts, cols))
        e = forced_leaves(_alpha(self.alpha))
        (c_hi, n_hi), (c_lo, n_lo) = (_prefix(self.counts, np.minimum(B + e, N), L),
                                      _prefix(self.counts, np.maximum(B - e, 0), L))
        # rows in the single-leaf bands: noisy count + 2 std (a bound on that std)
        inner = w * np.maximum(c_hi - c_lo + 2 * sc * np.sqrt(n_hi + n_lo), 0.0)
        return np.stack([(answer * w).sum(axis=1), (unit_var * w**2).sum(axis=1) * sc**2,
                         (root * w).sum(axis=1), inner.sum(axis=1)])

    def error_model(self) -> dict[str, float]:
        sc = self.plan.std("counts")
        leaf_l1 = float(np.sum(self.leaf_widths))
        model = {
            "counts_noise_std": sc, "count_noise_std": sc / math.sqrt(self.dim),
            "noise_std_sum": worst_noise_std(self.plan, self.estimator, self.levels,
                                             self.half_widths, self.query_sq_l2, self.alpha),
            "leaf_width_l1": leaf_l1,
            "approximation_std_mean": approximation_mean(self.estimator, leaf_l1, self.alpha,
                                                         self.typical),
        }
        if self.sums is not None:
            model["sums_noise_std"] = self.plan.std("sums")
        return model

    def header(self) -> dict[str, Any]:
        return {"kind": self.kind, "dim": self.dim, "params": self.params,
                "plan": self.plan.to_dict(), "levels": self.levels,
                "estimator": self.estimator, "alpha": self.alpha, "typical": self.typical,
                "query_sq_l2": self.query_sq_l2}

    def arrays(self) -> dict[str, NDArray[np.float64]]:
        out = {"center": self.center, "half_widths": self.half_widths, "counts": self.counts}
        if self.sums is not None:
            out["sums"] = self.sums
        return out

    @classmethod
    def from_parts(cls, header: Mapping[str, Any],
                   arrays: Mapping[str, NDArray[np.float64]]) -> Self:
        try:
            release = cls(dim=int(header["dim"]), params=header["params"],
                          plan=NoisePlan.from_dict(header["plan"]), center=arrays["center"],
                          half_widths=arrays["half_widths"], counts=arrays["counts"],
                          sums=arrays.get("sums"), **_grid_header(header))
        except (KeyError, TypeError, ValueError) as exc:
            raise CorruptRelease("l1_distance release is incomplete") from exc
        release.check_shapes()
        return release

    def check_shapes(self) -> None:
        d, T = self.dim, tree_size(self.levels)
        ok = (self.center.shape == (d,) and self.half_widths.shape == (d,)
              and self.counts.shape == (d, T) and bool(np.all(self.half_widths > 0))
              and (self.sums is None) == (self.estimator == "banded")
              and (self.sums is None or self.sums.shape == (d, T)))
        if not ok:
            raise CorruptRelease("distance release arrays do not fit its header")


def _grid_header(header: Mapping[str, Any]) -> dict[str, Any]:
    levels, estimator, alpha = int(header["levels"]), header["estimator"], header["alpha"]
    if not 1 <= levels <= MAX_GRID_LEVELS or estimator not in ("prefix", "banded"):
        raise ValueError("grid header out of range")
    return {"levels": levels, "estimator": estimator,
            "alpha": None if alpha is None else float(alpha),
            "typical": float(header["typical"]), "query_sq_l2": float(header["query_sq_l2"])}


class L1DistanceBuilder:
    def __init__(self, spec: L1DistanceSpec) -> None:
        self._spec = spec
        self._center = spec.data.domain.center(spec.data.dim)
        self._half = grid_half_widths(spec.data)

    def accumulate(self, chunk: Array) -> dict[str, Array]:
        return accumulate_trees(chunk, self._center, self._half, self._spec.grid_levels,
                                self._spec.estimator == "prefix")

    def finish(self, noisy: Mapping[str, NDArray[np.float64]],
               plan: NoisePlan) -> L1DistanceRelease:
        return L1DistanceRelease.assemble(self._spec, plan, noisy)


def grid_half_widths(data: DataSpec) -> NDArray[np.float64]:
    """h_i, the half-width of coordinate i's grid: the box's, or the ball's radius."""
    domain = data.domain
    if isinstance(domain, Box):
        return domain.half_widths(data.dim)
    return np.full(data.dim, domain.radius)


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


def _read_grid(reader: ParamReader) -> tuple[int | None, float | None, Mechanism, Estimator]:
    levels = reader.optional_int_in("grid_levels", 1, MAX_GRID_LEVELS)
    alpha = reader.alpha()
    mechanism = reader.choice("mechanism", ("laplace", "gaussian"), "laplace")
    estimator = reader.choice("estimator", ("prefix", "banded"), "prefix")
    return levels, alpha, mechanism, estimator  # type: ignore[return-value]


def levels_for(alpha: float, half_l1: float, typical: float) -> int:
    """The grid depth that meets ``alpha``: both estimators misplace a row by at most
    one leaf per coordinate, sum_i w_i = 2 sum_i h_i / 2^L <= alpha * typical (on a box:
    leaf width <= alpha * half-width, L = ceil(log2(2 / alpha)))."""
    ratio = 2.0 * half_l1 / (alpha * typical)
    return min(MAX_GRID_LEVELS, max(1, math.ceil(math.log2(ratio) - 1e-12)))


def _check_size(trees: int, extra: int, k_name: str | None = None) -> None:
    if extra > MAX_RELEASE_VALUES and k_name is not None:
        raise InvalidParameter(f"params.{k_name}", f"makes the release larger than "
                               f"{MAX_RELEASE_VALUES} values")
    if trees + extra > MAX_RELEASE_VALUES:
        raise InvalidParameter("params.grid_levels", f"makes the release larger than "
                               f"{MAX_RELEASE_VALUES} values; use fewer levels")


@dataclass(frozen=True, slots=True)
class L1DistanceSpec:
    kind: ClassVar[str] = "l1_distance"
    data: DataSpec
    grid_levels: int
    alpha: float | None  # the banded estimator's alpha always; else as given
    mechanism: Mechanism
    estimator: Estimator
    typical: float  # typical_mean: M1 here, M2 for the inner structure of l2_distance
    query_sq_l2: float  # bound on ||v||^2 for in-domain queries (noise weights)

    @classmethod
    def parse(cls, params: Mapping[str, Any], data: DataSpec) -> Self:
        reader = ParamReader(params)
        levels, alpha, mechanism, estimator = _read_grid(reader)
        reader.done()
        half = grid_half_widths(data)
        typical = data.domain.max_l1(data.dim)
        return cls.create(data, levels, alpha, mechanism, estimator, typical=typical,
                          query_sq_l2=data.domain.max_l2(data.dim) ** 2,
                          half_l1=float(np.sum(half)), extra=2 * data.dim)

    @classmethod
    def create(cls, data: DataSpec, levels: int | None, alpha: float | None,
               mechanism: Mechanism, estimator: Estimator, *, typical: float,
               query_sq_l2: float, half_l1: float, extra: int) -> Self:
        if estimator == "banded" and alpha is None:
            alpha = DEFAULT_BANDED_ALPHA
        if estimator == "banded" and alpha is not None and alpha < MIN_BANDED_ALPHA:
            raise InvalidParameter("params.alpha", f"must be at least {MIN_BANDED_ALPHA:g} "
                                   "for the banded estimator: below it the single-leaf "
                                   "bands number 1/alpha and more, and the prefix "
                                   "estimator is both more accurate and faster")
        trees = 2 if estimator == "prefix" else 1
        if levels is None:  # a derived depth is capped to fit; a requested one refused
            levels = (DEFAULT_GRID_LEVELS if alpha is None
                      else levels_for(alpha, half_l1, typical))
            while levels > 1 and trees * data.dim * tree_size(levels) + extra > \
                    MAX_RELEASE_VALUES:
                levels -= 1
        _check_size(trees * data.dim * tree_size(levels), extra)
        return cls(data, levels, alpha, mechanism, estimator, typical, query_sq_l2)

    def public_params(self) -> dict[str, Any]:
        return {"grid_levels": self.grid_levels, "alpha": self.alpha,
                "mechanism": self.mechanism, "estimator": self.estimator}

    def statistics(self) -> list[Statistic]:
        d = self.data.dim
        return tree_statistics(d, self.grid_levels, self.estimator, self.data,
                               self.data.domain.max_l1(d), self.data.domain.max_l2(d),
                               self.query_sq_l2)

    def builder(self, seed: int) -> L1DistanceBuilder:
        return L1DistanceBuilder(self)

    def release_bytes(self) -> int:
        trees = 2 if self.estimator == "prefix" else 1
        return 8 * (2 * self.data.dim + trees * self.data.dim * tree_size(self.grid_levels))

    def estimate(self, plan: NoisePlan, rows: int) -> ErrorEstimate:
        half = grid_half_widths(self.data)
        return _estimate(self, plan, rows, worst_noise_std(
            plan, self.estimator, self.grid_levels, half, self.query_sq_l2, self.alpha),
            float(np.sum(2.0 * half / 2**self.grid_levels)), 0.0)

    def cost(self, rows: int, chunk_rows: int) -> Cost:
        """The trees of every coordinate (``tree_build_cost``); the noise: every node
        of every tree, d (2^(L+1) - 1) values per tree, which dominates deep grids. A
        query: ``tree_query_seconds``."""
        d = self.data.dim
        with_sums = self.estimator == "prefix"
        per_row, per_chunk, working = tree_build_cost(d, self.grid_levels, with_sums, rows,
                                                      chunk_rows)
        return build_cost(data=self.data, statistics=self.statistics(),
                          mechanism=self.mechanism, release_bytes=self.release_bytes(),
                          rows=rows, chunk_rows=chunk_rows, seconds_per_row=per_row,
                          seconds_per_chunk=per_chunk, fixed_seconds=0.0,
                          working_bytes=working, query_seconds=tree_query_seconds(
                              d, self.grid_levels, self.estimator, self.alpha))


def _estimate(spec: L1DistanceSpec, plan: NoisePlan, rows: int, noise_sum: float,
              leaf_l1: float, distortion: float) -> ErrorEstimate:
    """Mean: (sd_sum + F/n * sd_n) / n (Cauchy-Schwarz on the covariance), with the
    largest in-domain mean distance F/n = 2 * typical."""
    n = max(float(rows), 1.0)
    count_std = plan.std("counts") / math.sqrt(spec.data.dim)
    typical = spec.typical
    approx = approximation_mean(spec.estimator, leaf_l1, spec.alpha, typical)
    return ErrorEstimate(
        noise_std_sum=noise_sum, noise_std_mean=(noise_sum + 2 * typical * count_std) / n,
        approximation_mean=approx + distortion * typical, typical_mean=typical,
        target_mean=None if spec.alpha is None else spec.alpha * typical)


# --- l2_distance -------------------------------------------------------------------------

def embedding_constant(dim: int) -> float:
    """c_d = sqrt(d) E|s_1| for s uniform on the unit sphere of R^d, E|s_1| =
    Gamma(d/2) / (sqrt(pi) Gamma((d+1)/2)): E|<g, u>| = c_d ||u|| for g uniform on the
    sphere of radius sqrt(d). c_1 = 1; c_d decreases to sqrt(2/pi)."""
    return math.sqrt(dim / math.pi) * math.exp(math.lgamma(dim / 2) - math.lgamma((dim + 1) / 2))


def distortion_std(dim: int, k: int) -> float:
    """Relative std of s ||G u||_1 around ||u||_2: each |<g_j, u>| / (c_d ||u||) has mean
    1 and second moment E[d s_1^2] / c_d^2 = 1 / c_d^2, and the k rows are independent."""
    c = embedding_constant(dim)
    return math.sqrt(max(1.0 - c * c, 0.0) / (k * c * c))


def draw_projection(dim: int, k: int, seed: int) -> NDArray[np.float64]:
    """k rows uniform on the sphere of radius sqrt(d), from the public seed (PCG64)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    Z = rng.standard_normal((k, dim))
    norms = np.linalg.norm(Z, axis=1, keepdims=True)
    return np.asarray(Z / np.maximum(norms, np.finfo(np.float64).tiny) * math.sqrt(dim))


@dataclass(frozen=True, slots=True)
class L2DistanceSpec:
    kind: ClassVar[str] = "l2_distance"
    data: DataSpec
    projection_dim: int
    inner: L1DistanceSpec  # over the box [-H, H]^k, H = s sqrt(d) M2

    @property
    def mechanism(self) -> Mechanism:
        return self.inner.mechanism

    @property
    def scale(self) -> float:
        return 1.0 / (self.projection_dim * embedding_constant(self.data.dim))

    @classmethod
    def parse(cls, params: Mapping[str, Any], data: DataSpec) -> Self:
        reader = ParamReader(params)
        k = reader.optional_int_in("projection_dim", 1, MAX_PROJECTION_DIM)
        levels, alpha, mechanism, estimator = _read_grid(reader)
        reader.done()
        d = data.dim
        c = embedding_constant(d)
        if k is None:  # distortion_std <= alpha
            k = DEFAULT_PROJECTION_DIM if alpha is None else min(
                MAX_PROJECTION_DIM, max(1, math.ceil((1 - c * c) / (c * c * alpha**2))))
        m2 = data.domain.max_l2(d)
        half = math.sqrt(d) * m2 / (k * c)
        inner_data = DataSpec(k, EmbeddedBox.uniform(-half, half, k), data.neighbouring)
        _check_size(0, k * d + d, "projection_dim")
        inner = L1DistanceSpec.create(
            inner_data, levels, alpha, mechanism, estimator, typical=m2,
            query_sq_l2=m2**2 / (k * c * c),  # E ||s G v||^2 = s^2 k ||v||^2
            half_l1=k * half, extra=k * d + d)
        return cls(data, k, inner)

    def public_params(self) -> dict[str, Any]:
        return {"projection_dim": self.projection_dim, **self.inner.public_params()}

    def statistics(self) -> list[Statistic]:
        return self.inner.statistics()

    def builder(self, seed: int) -> L2DistanceBuilder:
        return L2DistanceBuilder(self, draw_projection(self.data.dim, self.projection_dim,
                                                       seed))

    def release_bytes(self) -> int:
        d, k = self.data.dim, self.projection_dim
        trees = 2 if self.inner.estimator == "prefix" else 1
        return 8 * (d + k * d + trees * k * tree_size(self.inner.grid_levels))

    def estimate(self, plan: NoisePlan, rows: int) -> ErrorEstimate:
        """As a built release reports, with the projection's largest singular value
        (unknown before the seed) replaced by its typical value sqrt(k) + sqrt(d)."""
        d, k, inner = self.data.dim, self.projection_dim, self.inner
        half = grid_half_widths(inner.data)
        sigma = math.sqrt(k) + math.sqrt(d)
        query_sq = (self.scale * sigma * inner.typical) ** 2
        noise = worst_noise_std(plan, inner.estimator, inner.grid_levels, half, query_sq,
                                inner.alpha)
        return _estimate(inner, plan, rows, noise,
                         float(np.sum(2.0 * half / 2**inner.grid_levels)),
                         distortion_std(d, k))

    def cost(self, rows: int, chunk_rows: int) -> Cost:
        """Per row the embedding (d k multiply-adds), then ``l1_distance``'s trees on the
        k embedded coordinates; once: k x d normals. A query: the embedding and the
        inner query on k coordinates."""
        d, k, inner = self.data.dim, self.projection_dim, self.inner
        largest, _ = chunk_sizes(rows, chunk_rows)
        per_row, per_chunk, working = tree_build_cost(
            k, inner.grid_levels, inner.estimator == "prefix", rows, chunk_rows)
        per_row += d * k * SECONDS_PER_MAC["float64"] + 4 * k * SECONDS_PER_PASS
        per_chunk += 3 * k * d * SECONDS_PER_PASS  # the scaled projection, transposed
        fixed = k * d * (SECONDS_PER_NORMAL + 3 * SECONDS_PER_PASS)
        working += 3 * 8 * k * d + 3 * 8 * max(largest, 1) * k
        query = (d * k * SECONDS_PER_MAC["float64"] + 2 * d * SECONDS_PER_PASS
                 + tree_query_seconds(k, inner.grid_levels, inner.estimator, inner.alpha))
        return build_cost(data=self.data, statistics=self.statistics(),
                          mechanism=self.mechanism, release_bytes=self.release_bytes(),
                          rows=rows, chunk_rows=chunk_rows, seconds_per_row=per_row,
                          seconds_per_chunk=per_chunk, fixed_seconds=fixed,
                          working_bytes=working, query_seconds=query)


@dataclass(frozen=True, slots=True)
class EmbeddedBox(Box):
    """The box [-H, H]^k the embedded rows of ``l2_distance`` live in: derived from a
    declared domain, so its scale may leave the declared range (H = sqrt(d) M2 / (k c_d)
    spans 1e-16 to 1e17 over that range and projection_dim); every bound that the
    declared range gives the arithmetic still holds for it (docs: core.domain)."""

    def __post_init__(self) -> None:
        if len(self.low) != len(self.high) or not self.low or not all(
                -math.inf < lo < hi < math.inf
                for lo, hi in zip(self.low, self.high, strict=True)):
            raise InvalidParameter("domain", "embedded box needs finite low < high")


class L2DistanceBuilder:
    def __init__(self, spec: L2DistanceSpec, projection: NDArray[np.float64]) -> None:
        self._spec = spec
        self._projection = projection
        self._center = spec.data.domain.center(spec.data.dim)
        self._embed = spec.scale * projection  # (k, d)
        self._half = grid_half_widths(spec.inner.data)

    @property
    def projection(self) -> NDArray[np.float64]:
        """The public randomness this builder drew (it may be published)."""
        return self._projection

    def accumulate(self, chunk: Array) -> dict[str, Array]:
        xp = array_namespace(chunk)
        dev = device(chunk)
        Z = (chunk @ xp.asarray(self._embed.T.copy(), device=dev)
             - xp.asarray(self._embed @ self._center, device=dev))
        # |z_j| <= s ||g_j|| ||u|| <= H in exact arithmetic; the clip only keeps float
        # rounding inside the box that the sensitivities are derived for
        h = float(self._half[0])
        Z = xp.clip(Z, -h, h)
        return accumulate_trees(Z, np.zeros(self._half.shape[0]), self._half,
                                self._spec.inner.grid_levels,
                                self._spec.inner.estimator == "prefix")

    def finish(self, noisy: Mapping[str, NDArray[np.float64]],
               plan: NoisePlan) -> L2DistanceRelease:
        spec = self._spec
        inner = L1DistanceRelease.assemble(spec.inner, plan, noisy)
        return L2DistanceRelease(dim=spec.data.dim, params=spec.public_params(), plan=plan,
                                 center=self._center, projection=self._projection,
                                 inner=inner)


@dataclass(frozen=True, slots=True)
class L2DistanceRelease:
    """The public projection G and an ``l1_distance`` release of s G (x - c)."""

    kind: ClassVar[str] = "l2_distance"
    dim: int
    params: dict[str, Any]
    plan: NoisePlan
    center: NDArray[np.float64]  # (d,)
    projection: NDArray[np.float64]  # (k, d), rows of norm sqrt(d)
    inner: L1DistanceRelease

    @property
    def scale(self) -> float:
        return 1.0 / (int(self.projection.shape[0]) * embedding_constant(self.dim))

    def distortion(self) -> float:
        return distortion_std(self.dim, self.projection.shape[0])

    def query(self, points: NDArray[np.float64], reduce: Reduce = "sum") -> QueryResult:
        Y = check_points(points, self.dim)
        Z = (Y - self.center) @ (self.scale * self.projection).T
        values, std, approx = self.inner.answer_offsets(Z, reduce)
        # the embedding's error: relative std per row, so at most that times the answer
        # for the sum over rows (Minkowski)
        return QueryResult(values, std, approx + self.distortion() * np.maximum(values, 0.0))

    def error_model(self) -> dict[str, float]:
        inner = self.inner
        sigma = float(np.linalg.norm(self.projection, 2))
        query_sq = (self.scale * sigma * inner.typical) ** 2
        model = inner.error_model()
        model["noise_std_sum"] = worst_noise_std(self.plan, inner.estimator, inner.levels,
                                                 inner.half_widths, query_sq, inner.alpha)
        model["distortion_relative_std"] = self.distortion()
        model["approximation_std_mean"] += self.distortion() * inner.typical
        return model

    def header(self) -> dict[str, Any]:
        inner = self.inner.header()
        return {"kind": self.kind, "dim": self.dim, "params": self.params,
                "plan": self.plan.to_dict(), "half_width": float(self.inner.half_widths[0]),
                **{key: inner[key] for key in ("levels", "estimator", "alpha", "typical",
                                               "query_sq_l2")}}

    def arrays(self) -> dict[str, NDArray[np.float64]]:
        out = {"center": self.center, "projection": self.projection,
               "counts": self.inner.counts}
        if self.inner.sums is not None:
            out["sums"] = self.inner.sums
        return out

    @classmethod
    def from_parts(cls, header: Mapping[str, Any],
                   arrays: Mapping[str, NDArray[np.float64]]) -> Self:
        try:
            dim, projection = int(header["dim"]), arrays["projection"]
            k = projection.shape[0]
            plan = NoisePlan.from_dict(header["plan"])
            half = float(header["half_width"])
            inner = L1DistanceRelease(
                dim=k, params=header["params"], plan=plan, center=np.zeros(k),
                half_widths=np.full(k, half), counts=arrays["counts"],
                sums=arrays.get("sums"), **_grid_header(header))
            release = cls(dim=dim, params=header["params"], plan=plan,
                          center=arrays["center"], projection=projection, inner=inner)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise CorruptRelease("l2_distance release is incomplete") from exc
        inner.check_shapes()
        if release.center.shape != (dim,) or projection.shape != (k, dim):
            raise CorruptRelease("distance release arrays do not fit its header")
        return release
