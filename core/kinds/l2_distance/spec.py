"""The spec of ``l2_distance``: F(y) = sum_x ||x - y||_2 by an oblivious l2 -> l1
embedding (``embedding``) and an ``l1_distance`` structure over the embedded rows.

Derivation: docs/privacy/distance.md, "6. l2_distance: the oblivious embedding".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np

from core.kinds.l1_distance.spec import L1DistanceSpec, estimate
from core.kinds.l2_distance.embedding import (
    EmbeddedBox,
    distortion_std,
    draw_projection,
    embedding_constant,
)
from core.kinds.l2_distance.params import MAX_PROJECTION_DIM, Params
from core.kinds.l2_distance.release import L2DistanceBuilder
from core.kinds.registry import parse_params
from core.privacy.mechanisms import Mechanism, NoisePlan, Statistic
from core.structures.base import (
    SECONDS_PER_MAC,
    SECONDS_PER_NORMAL,
    SECONDS_PER_PASS,
    Cost,
    DataSpec,
    ErrorEstimate,
    build_cost,
    chunk_sizes,
)
from core.structures.dyadic_trees import (
    check_release_size,
    grid_half_widths,
    tree_build_cost,
    tree_query_seconds,
    tree_size,
    worst_noise_std,
)

__all__ = ["DEFAULT_PROJECTION_DIM", "L2DistanceSpec"]

DEFAULT_PROJECTION_DIM = 128


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
        typed = parse_params(Params, params)
        k, levels, alpha = typed.projection_dim, typed.grid_levels, typed.alpha
        mechanism, estimator = typed.mechanism, typed.estimator
        d = data.dim
        c = embedding_constant(d)
        if k is None:  # distortion_std <= alpha
            k = DEFAULT_PROJECTION_DIM if alpha is None else min(
                MAX_PROJECTION_DIM, max(1, math.ceil((1 - c * c) / (c * c * alpha**2))))
        m2 = data.domain.max_l2(d)
        half = math.sqrt(d) * m2 / (k * c)
        inner_data = DataSpec(k, EmbeddedBox.uniform(-half, half, k), data.neighbouring)
        check_release_size(0, k * d + d, "projection_dim")
        inner = L1DistanceSpec.create(
            inner_data, levels, alpha, mechanism, estimator,  # type: ignore[arg-type]
            typical=m2,
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
        return estimate(inner, plan, rows, noise,
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
