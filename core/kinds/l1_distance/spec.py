"""The spec of ``l1_distance``: F(y) = sum_x ||x - y||_1, by one-dimensional
decomposition over noisy dyadic trees (core.structures.dyadic_trees).

Two estimators answer a query v = y - c, coordinate by coordinate:

- ``prefix`` (default; purely additive error, as in Liu et al. 2024): with b the grid
  boundary nearest to v_i (clamped to [0, N]), sum_x |u - v| = v (2 P_c(b) - n)
  - 2 P_s(b) + S, from the prefix count and sum of the leaves below b (at most L nodes)
  and the roots n, S. Exact for queries outside the domain; inside, only the rows in
  the leaf between the boundary and v are misplaced, each by at most 2 |v - b|.
- ``banded`` (the paper's (1 + alpha) variant, core.structures.banded): releases the
  count trees only.

``coordinate_bound`` t narrows every grid to [-min(h_i, t), min(h_i, t)] and clamps
rows into it: far finer leaves where the data occupy a small part of the domain's range
(an l2 ball in many dimensions), at a public worst-case bias per row
(``clipping_bias``) that the error model and every answer's bound report.

Derivations (sensitivities, exact noise variance, discretisation bound, the banded
argument): docs/privacy/distance.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np
from numpy.typing import NDArray

from core.errors import InvalidParameter
from core.kinds.l1_distance.params import Params
from core.kinds.l1_distance.release import L1DistanceBuilder
from core.kinds.registry import parse_params
from core.privacy.mechanisms import Mechanism, NoisePlan, Statistic
from core.structures import dyadic_trees
from core.structures.base import (
    Cost,
    DataSpec,
    ErrorEstimate,
    build_cost,
)
from core.structures.dyadic_trees import (
    DEFAULT_BANDED_ALPHA,
    DEFAULT_GRID_LEVELS,
    MAX_RELEASE_VALUES,
    MIN_BANDED_ALPHA,
    Estimator,
    approximation_mean,
    check_release_size,
    clipped_norms,
    clipping_bias,
    grid_half_widths,
    levels_for,
    tree_build_cost,
    tree_query_seconds,
    tree_size,
    worst_noise_std,
)

__all__ = ["L1DistanceSpec", "estimate"]


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
    coordinate_bound: float | None = None  # t: grids and rows clamped to [-t, t]

    @classmethod
    def parse(cls, params: Mapping[str, Any], data: DataSpec) -> Self:
        typed = parse_params(Params, params)
        levels, alpha = typed.grid_levels, typed.alpha
        mechanism, estimator = typed.mechanism, typed.estimator
        bound = typed.coordinate_bound
        half = grid_half_widths(data, bound)
        typical = data.domain.max_l1(data.dim)
        return cls.create(data, levels, alpha, mechanism, estimator,  # type: ignore[arg-type]
                          typical=typical,
                          query_sq_l2=data.domain.max_l2(data.dim) ** 2,
                          half_l1=float(np.sum(half)), extra=2 * data.dim,
                          coordinate_bound=bound)

    @classmethod
    def create(cls, data: DataSpec, levels: int | None, alpha: float | None,
               mechanism: Mechanism, estimator: Estimator, *, typical: float,
               query_sq_l2: float, half_l1: float, extra: int,
               coordinate_bound: float | None = None) -> Self:
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
        check_release_size(trees * data.dim * tree_size(levels), extra)
        return cls(data, levels, alpha, mechanism, estimator, typical, query_sq_l2,
                   coordinate_bound)

    def public_params(self) -> dict[str, Any]:
        out = {"grid_levels": self.grid_levels, "alpha": self.alpha,
               "mechanism": self.mechanism, "estimator": self.estimator}
        if self.coordinate_bound is not None:  # absent: the releases made before it
            out["coordinate_bound"] = self.coordinate_bound
        return out

    def half_widths(self) -> NDArray[np.float64]:
        """h_i of every coordinate's grid: the domain's, narrowed to the bound."""
        return grid_half_widths(self.data, self.coordinate_bound)

    @property
    def clip_bias(self) -> float:
        """The worst-case bias per row of the clamp to the bound (0 without one)."""
        return clipping_bias(self.data, self.coordinate_bound)

    def statistics(self) -> list[Statistic]:
        """The trees' sensitivities with M1, M2 those of the clamped rows (equal to the
        domain's unless the bound is below R / sqrt(d) on a ball, or below some of a
        box's half-widths)."""
        max_l1, max_l2 = clipped_norms(self.data, self.half_widths())
        return dyadic_trees.tree_statistics(self.data.dim, self.grid_levels, self.estimator,
                                            self.data, max_l1, max_l2, self.query_sq_l2)

    def builder(self, seed: int) -> L1DistanceBuilder:
        return L1DistanceBuilder(self)

    def release_bytes(self) -> int:
        trees = 2 if self.estimator == "prefix" else 1
        return 8 * (2 * self.data.dim + trees * self.data.dim * tree_size(self.grid_levels))

    def estimate(self, plan: NoisePlan, rows: int) -> ErrorEstimate:
        half = self.half_widths()
        return estimate(self, plan, rows, worst_noise_std(
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


def estimate(spec: L1DistanceSpec, plan: NoisePlan, rows: int, noise_sum: float,
              leaf_l1: float, distortion: float) -> ErrorEstimate:
    """Mean: (sd_sum + F/n * sd_n) / n (Cauchy-Schwarz on the covariance), with the
    largest in-domain mean distance F/n = 2 * typical; the approximation: the grid's,
    the clamp's worst-case bias per row and the embedding's distortion."""
    n = max(float(rows), 1.0)
    count_std = plan.std("counts") / math.sqrt(spec.data.dim)
    typical = spec.typical
    approx = approximation_mean(spec.estimator, leaf_l1, spec.alpha, typical)
    return ErrorEstimate(
        noise_std_sum=noise_sum, noise_std_mean=(noise_sum + 2 * typical * count_std) / n,
        approximation_mean=approx + spec.clip_bias + distortion * typical,
        typical_mean=typical,
        target_mean=None if spec.alpha is None else spec.alpha * typical)
