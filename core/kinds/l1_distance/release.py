"""The release of ``l1_distance``: noisy count (and sum) trees per coordinate on grids
over [c - h, c + h] (h narrowed to ``coordinate_bound`` where one is given), answered by
the prefix or the banded estimator; and its builder. ``l2_distance`` holds one of these
over its embedded coordinates."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np
from numpy.typing import NDArray

from core._array import Array
from core.errors import CorruptRelease
from core.privacy.mechanisms import NoisePlan
from core.structures.banded import QUERY_VALUES, band_offsets, banded_answers, forced_leaves
from core.structures.base import (
    DataSpec,
    ErrorModel,
    QueryResult,
    Reduce,
    check_points,
    clamp_count,
)
from core.structures.dyadic_trees import (
    MAX_GRID_LEVELS,
    Estimator,
    accumulate_trees,
    approximation_mean,
    banded_alpha,
    prefix_totals,
    tree_size,
    worst_noise_std,
)

if TYPE_CHECKING:
    from core.kinds.l1_distance.spec import L1DistanceSpec

__all__ = ["L1DistanceBuilder", "L1DistanceRelease", "grid_header"]


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
    clip_bias: float = 0.0  # worst-case bias per row of the clamp to coordinate_bound

    @classmethod
    def assemble(cls, spec: L1DistanceSpec, plan: NoisePlan,
                 noisy: Mapping[str, NDArray[np.float64]]) -> L1DistanceRelease:
        d, T = spec.data.dim, tree_size(spec.grid_levels)
        sums = noisy.get("sums")
        return cls(dim=d, params=spec.public_params(), plan=plan,
                   center=spec.data.domain.center(d), half_widths=spec.half_widths(),
                   counts=np.asarray(noisy["counts"], dtype=np.float64).reshape(d, T),
                   sums=None if sums is None else np.asarray(sums, np.float64).reshape(d, T),
                   levels=spec.grid_levels, estimator=spec.estimator, alpha=spec.alpha,
                   typical=spec.typical, query_sq_l2=spec.query_sq_l2,
                   clip_bias=spec.clip_bias)

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
        per_block = max(1, QUERY_VALUES // (d * width))
        for start in range(0, q, per_block):
            stop = min(start + per_block, q)
            out[:, start:stop] = self._block(V[start:stop])
        values, variance, root_coef, approx = out
        if self.estimator == "banded":
            approx = approx + banded_alpha(self.alpha) * np.maximum(values, 0.0)
        count_var = self.plan.std("counts") ** 2 / d  # n-hat's noise variance
        if self.clip_bias > 0:  # each row's clamp moves its distance by at most this
            approx = approx + self.clip_bias * max(self.noisy_count
                                                   + 2 * math.sqrt(count_var), 0.0)
        if reduce == "sum":
            return QueryResult(values, np.sqrt(variance), approx)
        n_hat = clamp_count(self.noisy_count)
        ratio = values / n_hat
        # delta method; n-hat shares the count roots with the numerator: cov =
        # sum_i (root coefficient_i) sc^2 / d
        var = variance - 2 * ratio * root_coef * count_var + ratio**2 * count_var
        return QueryResult(ratio, np.sqrt(np.maximum(var, 0.0)) / n_hat, approx / n_hat)

    def _offsets(self) -> NDArray[np.int64]:
        return band_offsets(banded_alpha(self.alpha), 2**self.levels)

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
            Pc, nodes = prefix_totals(self.counts, B, L)
            Ps, _ = prefix_totals(self.sums, B, L)
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
        answer, unit_var, root = (a.reshape(q, d) for a in banded_answers(
            B.ravel(), (delta / w).ravel(), L, self._offsets(), self.counts, cols))
        e = forced_leaves(banded_alpha(self.alpha))
        (c_hi, n_hi), (c_lo, n_lo) = (prefix_totals(self.counts, np.minimum(B + e, N), L),
                                      prefix_totals(self.counts, np.maximum(B - e, 0), L))
        # rows in the single-leaf bands: noisy count + 2 std (a bound on that std)
        inner = w * np.maximum(c_hi - c_lo + 2 * sc * np.sqrt(n_hi + n_lo), 0.0)
        return np.stack([(answer * w).sum(axis=1), (unit_var * w**2).sum(axis=1) * sc**2,
                         (root * w).sum(axis=1), inner.sum(axis=1)])

    def error_model(self, data: DataSpec) -> ErrorModel:
        sc = self.plan.std("counts")
        leaf_l1 = float(np.sum(self.leaf_widths))
        details = {"counts_noise_std": sc, "leaf_width_l1": leaf_l1}
        if self.sums is not None:
            details["sums_noise_std"] = self.plan.std("sums")
        if self.clip_bias > 0:
            details["clip_bias_per_row"] = self.clip_bias
        return ErrorModel(
            noise_std_sum=worst_noise_std(self.plan, self.estimator, self.levels,
                                          self.half_widths, self.query_sq_l2, self.alpha),
            count_noise_std=sc / math.sqrt(self.dim),
            approximation_std_mean=approximation_mean(self.estimator, leaf_l1, self.alpha,
                                                      self.typical) + self.clip_bias,
            details=details)

    def header(self) -> dict[str, Any]:
        out = {"kind": self.kind, "dim": self.dim, "params": self.params,
               "plan": self.plan.to_dict(), "levels": self.levels,
               "estimator": self.estimator, "alpha": self.alpha, "typical": self.typical,
               "query_sq_l2": self.query_sq_l2}
        if self.clip_bias > 0:  # absent: no clamp (and the releases made before it)
            out["clip_bias"] = self.clip_bias
        return out

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
                          sums=arrays.get("sums"), **grid_header(header))
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


def grid_header(header: Mapping[str, Any]) -> dict[str, Any]:
    levels, estimator, alpha = int(header["levels"]), header["estimator"], header["alpha"]
    clip_bias = float(header.get("clip_bias", 0.0))
    if not (1 <= levels <= MAX_GRID_LEVELS and estimator in ("prefix", "banded")
            and math.isfinite(clip_bias) and clip_bias >= 0):
        raise ValueError("grid header out of range")
    return {"levels": levels, "estimator": estimator,
            "alpha": None if alpha is None else float(alpha),
            "typical": float(header["typical"]), "query_sq_l2": float(header["query_sq_l2"]),
            "clip_bias": clip_bias}


class L1DistanceBuilder:
    def __init__(self, spec: L1DistanceSpec) -> None:
        self._spec = spec
        self._center = spec.data.domain.center(spec.data.dim)
        self._half = spec.half_widths()

    def accumulate(self, chunk: Array) -> dict[str, Array]:
        return accumulate_trees(chunk, self._center, self._half, self._spec.grid_levels,
                                self._spec.estimator == "prefix")

    def finish(self, noisy: Mapping[str, NDArray[np.float64]],
               plan: NoisePlan) -> L1DistanceRelease:
        return L1DistanceRelease.assemble(self._spec, plan, noisy)
