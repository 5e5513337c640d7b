"""The spec of ``rff_baseline`` (Wagner, Naamad and Mishra 2023, LSQ-RFF): the Gaussian
kernel from phased features phi_j(x) = sqrt(2) cos(omega_j . x + b_j), random phases
b_j ~ U[0, 2 pi), c = 1/m, no projection, L1 sensitivity sqrt(2) m (add/remove),
Laplace only: the prior art, for comparison."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np

from core.kinds.registry import parse_params
from core.kinds.rff_baseline.params import Params
from core.privacy.mechanisms import Mechanism, NoisePlan, Statistic
from core.structures.base import (
    SECONDS_PER_MAC,
    SECONDS_PER_PASS,
    Cost,
    DataSpec,
    ErrorEstimate,
    build_cost,
    chunk_sizes,
    count_statistic,
)
from core.structures.feature_maps import (
    AngleProfile,
    FeatureMap,
    block_rows,
    check_angle_range,
    draw_feature_map,
    frequency_draw_cost,
    query_trig,
)
from core.structures.feature_sums import RandomFeatureBuilder, features_for, kernel_estimate

__all__ = ["RFFBaselineSpec"]


@dataclass(frozen=True, slots=True)
class RFFBaselineSpec:
    kind: ClassVar[str] = "rff_baseline"
    data: DataSpec
    bandwidth: float
    features: int
    mechanism: Mechanism = "laplace"
    alpha: float | None = None

    @classmethod
    def parse(cls, params: Mapping[str, Any], data: DataSpec) -> Self:
        typed = parse_params(Params, params)
        bandwidth, alpha = typed.bandwidth, typed.alpha
        features = features_for(typed.features, alpha)
        check_angle_range("gaussian", dim=data.dim, k=data.dim, bandwidth=bandwidth,
                          input_bound=data.domain.max_norm(data.dim), projected=False)
        return cls(data, bandwidth, features, alpha=alpha)

    def public_params(self) -> dict[str, Any]:
        return {"bandwidth": self.bandwidth, "features": self.features,
                "mechanism": self.mechanism}

    def _shape(self) -> FeatureMap:
        return FeatureMap("phased", np.empty((self.features, 0)), np.empty(0), None)

    def statistics(self) -> list[Statistic]:
        shape = self._shape()
        l1, l2 = shape.sensitivities(self.data.neighbouring)
        return [Statistic("features", self.features, l1, l2, shape.answer_weight()),
                count_statistic(self.data.neighbouring)]

    def builder(self, seed: int) -> RandomFeatureBuilder:
        fmap = draw_feature_map("phased", dim=self.data.dim, features=self.features,
                                bandwidth=self.bandwidth, projection_dim=None, seed=seed,
                                input_bound=self.data.domain.max_norm(self.data.dim))
        return RandomFeatureBuilder(self, fmap)

    def release_bytes(self) -> int:
        """feature_sum (m), frequencies (m x d) and phases (m)."""
        return 8 * self.features * (self.data.dim + 2)

    def estimate(self, plan: NoisePlan, rows: int) -> ErrorEstimate:
        """Phased features: the noise std of a sum answer depends on the query; this is
        its root-mean-square over the phases, plan.std("features") / sqrt(m)."""
        shape = self._shape()
        sum_std = plan.std("features") * math.sqrt(shape.answer_weight())
        return kernel_estimate(plan, sum_std, rows, shape.approximation_std(), self.alpha)

    def cost(self, rows: int, chunk_rows: int) -> Cost:
        """Per row: m phased features in float64 (d m multiply-adds, m cosines); per
        block: a copy of the frequencies; once: m x d iid normals and m phases; the
        noise: m + 1 values. A query: the same features and their norm."""
        d, m = self.data.dim, self.features
        block = block_rows(m)
        largest, _ = chunk_sizes(rows, chunk_rows)
        per_block = 2 * m * d * SECONDS_PER_PASS
        angles = AngleProfile.of("gaussian", d, self.bandwidth, self.data.domain.max_norm(d))
        feature = (d * SECONDS_PER_MAC["float64"] + angles.trig("float64")
                   + 5 * SECONDS_PER_PASS)
        draw_seconds, draw_bytes = frequency_draw_cost("gaussian", "iid", m, d, d, False)
        return build_cost(data=self.data, statistics=self.statistics(),
                          mechanism=self.mechanism, release_bytes=self.release_bytes(),
                          rows=rows, chunk_rows=chunk_rows,
                          seconds_per_row=m * feature + per_block / block,
                          seconds_per_chunk=per_block, fixed_seconds=draw_seconds,
                          working_bytes=min(block, max(largest, 1)) * 8 * 4 * m + draw_bytes,
                          query_seconds=m * (feature - angles.trig("float64")
                                             + query_trig("float64", angles.large64)
                                             + 2 * SECONDS_PER_PASS))
