"""The spec of ``cauchy_kde``: smooth kernels as sums of exponentials.

f(x, y) = 1 / (1 + h(x, y)) with ``metric_input`` choosing h:

- ``sq_l2`` (default, the Cauchy kernel): h = ||x - y||_2^2 / sigma^2;
- ``l2``: h = ||x - y||_2 / sigma;
- ``l1``: h = ||x - y||_1 / sigma.

With the quadrature 1/(1 + h) ~ sum_j a_j e^{-t_j h} (core.structures.quadrature), term
j is a random-feature structure for the kernel e^{-t_j h}: Gaussian with bandwidth
sigma / sqrt(t_j) (sq_l2), exponential with bandwidth sigma / t_j (l2) or Laplace with
bandwidth sigma / t_j (l1), all sharing one optional JL projection (not for l1). The
release holds every term's noisy feature sum (statistics ``features_0`` ...
``features_{J-1}``) and the noisy count under ONE noise plan: the weights a_j^2 * 2/m
make ``plan_noise`` split epsilon (basic composition) or rho (zCDP) across the terms so
as to minimise the answer's noise variance, and the whole release is (epsilon,
delta)-DP by that composition. A query is F(y) = sum_j a_j (2/m) <S_j, phi_j(y)>.

Derivation: docs/privacy/smooth.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Self

import numpy as np

from core.errors import InvalidParameter
from core.kinds.cauchy_kde.params import Params
from core.kinds.cauchy_kde.release import CauchyKDEBuilder, feature_statistic
from core.kinds.registry import parse_params
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
    MAX_FEATURES,
    AngleProfile,
    Design,
    FeatureMap,
    KernelName,
    Precision,
    block_rows,
    check_angle_range,
    draw_frequencies,
    draw_orthogonal_frequencies,
    draw_projection,
    feature_row_bytes,
    feature_row_seconds,
    frequency_draw_cost,
    typical_row_l1,
)
from core.structures.feature_sums import kernel_estimate
from core.structures.phase_form import phase_precision, phase_query_seconds
from core.structures.quadrature import SumOfExponentials, sum_of_exponentials, terms_for

__all__ = ["CauchyKDESpec", "MetricInput"]

MetricInput = Literal["sq_l2", "l2", "l1"]
KERNEL_OF: dict[MetricInput, KernelName] = {
    "sq_l2": "gaussian", "l2": "exponential", "l1": "laplace"}
MAX_TERM_FEATURES = 262_144  # terms * features: 4 MAX_FEATURES in all
DEFAULT_FEATURES = 1024  # per term
# Without alpha the terms are chosen for alpha = 0.01; with it, the quadrature's bias
# gets a tenth of alpha and the random features the rest.
DEFAULT_ALPHA = 0.01
QUADRATURE_SHARE = 0.1


def _term_bandwidth(metric: MetricInput, bandwidth: float, t: float) -> float:
    """e^{-t h} as a base kernel: exp(-||d||^2 t / sigma^2) = gaussian(sigma / sqrt t);
    exp(-||d|| t / sigma) = exponential or laplace(sigma / t)."""
    return bandwidth / math.sqrt(t) if metric == "sq_l2" else bandwidth / t


@dataclass(frozen=True, slots=True)
class CauchyKDESpec:
    kind: ClassVar[str] = "cauchy_kde"
    data: DataSpec
    bandwidth: float
    features: int  # per term
    terms: int
    projection_dim: int | None
    metric_input: MetricInput
    mechanism: Mechanism
    alpha: float | None = None
    frequencies: Design = "orthogonal"
    precision: Precision = "float32"

    @classmethod
    def parse(cls, params: Mapping[str, Any], data: DataSpec) -> Self:
        typed = parse_params(Params, params)
        bandwidth, alpha = typed.bandwidth, typed.alpha
        metric = typed.metric_input
        terms = typed.terms
        if terms is None:  # the quadrature's bias gets a tenth of the accuracy asked for
            terms = terms_for(QUADRATURE_SHARE * (DEFAULT_ALPHA if alpha is None else alpha))
        quadrature = sum_of_exponentials(terms)
        features = typed.features
        if features is None:
            features = _features_for(alpha, quadrature)
        features += features % 2  # paired features come two by two
        if terms * features > MAX_TERM_FEATURES:
            raise InvalidParameter("params.features", f"terms * features must be at most "
                                   f"{MAX_TERM_FEATURES:,}: lower features or terms")
        projection_dim = typed.projection_dim
        if projection_dim is not None and metric == "l1":
            raise InvalidParameter("params.projection_dim",
                                   "must be null for metric_input 'l1': a JL projection "
                                   "does not preserve the l1 distance")
        mechanism, precision = typed.mechanism, typed.precision
        design = typed.frequencies
        if metric == "l1":  # the laplace kernel is not rotation-invariant: iid only
            if design not in (None, "iid"):
                raise InvalidParameter("params.frequencies", "must be one of iid")
            design = "iid"
        elif design is None:
            design = "orthogonal"
        kernel: KernelName = KERNEL_OF[metric]  # type: ignore[index]
        narrowest = min(_term_bandwidth(metric, bandwidth, t)  # type: ignore[arg-type]
                        for t in quadrature.nodes)
        check_angle_range(kernel, dim=data.dim,
                          k=data.dim if projection_dim is None else projection_dim,
                          bandwidth=narrowest, input_bound=data.domain.max_norm(data.dim),
                          projected=projection_dim is not None)
        return cls(data, bandwidth, features, terms, projection_dim, metric,  # type: ignore[arg-type]
                   mechanism, alpha, design, precision)  # type: ignore[arg-type]

    @property
    def quadrature(self) -> SumOfExponentials:
        return sum_of_exponentials(self.terms)

    @property
    def kernel(self) -> KernelName:
        return KERNEL_OF[self.metric_input]

    def public_params(self) -> dict[str, Any]:
        return {"bandwidth": self.bandwidth, "features": self.features, "terms": self.terms,
                "projection_dim": self.projection_dim, "metric_input": self.metric_input,
                "mechanism": self.mechanism, "frequencies": self.frequencies,
                "precision": self.precision}

    def _shape(self) -> FeatureMap:
        """One term's feature map with the right sizes but no randomness."""
        projection = None if self.projection_dim is None else np.empty((self.projection_dim, 0))
        return FeatureMap("paired", np.empty((self.features // 2, 0)), None, projection,
                          self.kernel)

    def statistics(self) -> list[Statistic]:
        """One statistic per term, weighted by its coefficient squared times 2/m (what
        a unit of its noise variance adds to the answer's variance), and the count."""
        shape = self._shape()
        l1, l2 = shape.sensitivities(self.data.neighbouring)
        return [Statistic(feature_statistic(j), self.features, l1, l2,
                          a**2 * shape.answer_weight())
                for j, a in enumerate(self.quadrature.coefficients)
                ] + [count_statistic(self.data.neighbouring)]

    def builder(self, seed: int) -> CauchyKDEBuilder:
        """From the seed: the shared projection (if any), then each term's m/2
        frequencies for its kernel and bandwidth, in term order."""
        rng = np.random.Generator(np.random.PCG64(seed))
        projection = draw_projection(rng, self.projection_dim, self.data.dim)
        k = self.data.dim if self.projection_dim is None else self.projection_dim
        draw = (draw_orthogonal_frequencies if self.frequencies == "orthogonal"
                else draw_frequencies)
        maps = tuple(
            FeatureMap("paired", draw(
                rng, self.kernel, self.features // 2, k,
                _term_bandwidth(self.metric_input, self.bandwidth, t)), None, projection,
                self.kernel, self.precision, self.data.domain.max_norm(self.data.dim))
            for t in self.quadrature.nodes)
        return CauchyKDEBuilder(self, maps)

    def release_bytes(self) -> int:
        """Per term a feature sum (m) and frequencies (m/2 x k); one projection (k x d)."""
        k = self.data.dim if self.projection_dim is None else self.projection_dim
        projection = 0 if self.projection_dim is None else self.projection_dim * self.data.dim
        return 8 * (self.terms * (self.features + (self.features // 2) * k) + projection)

    def estimate(self, plan: NoisePlan, rows: int) -> ErrorEstimate:
        shape = self._shape()
        a = self.quadrature.coefficients
        sum_std = math.sqrt(math.fsum((a_j * plan.std(feature_statistic(j))) ** 2
                                      * shape.answer_weight() for j, a_j in enumerate(a)))
        approximation = math.fsum(a) * shape.approximation_std() + self.quadrature.max_error
        return kernel_estimate(plan, sum_std, rows, approximation, self.alpha)

    def cost(self, rows: int, chunk_rows: int) -> Cost:
        """As ``gaussian_kde`` once per term (each term's features at its own
        bandwidth), with one shared projection; the noise: terms * m + 1 values. A
        query: one phase form over every term's m/2 frequencies."""
        d, m, terms = self.data.dim, self.features, self.terms
        projected = self.projection_dim is not None
        k = d if self.projection_dim is None else self.projection_dim
        z_bound = self.data.domain.max_norm(d) * (math.sqrt(d) if projected else 1.0)
        bandwidths = [_term_bandwidth(self.metric_input, self.bandwidth, t)
                      for t in self.quadrature.nodes]
        profiles = [AngleProfile.of(self.kernel, k, b, z_bound) for b in bandwidths]
        block = block_rows(m)
        largest, _ = chunk_sizes(rows, chunk_rows)
        per_block = terms * 3 * (m // 2) * k * SECONDS_PER_PASS
        per_row = ((d * k * SECONDS_PER_MAC["float64"] if projected else 0.0)
                   + math.fsum(feature_row_seconds(k, m, self.precision, a) for a in profiles)
                   + per_block / block)
        # one shared projection, then each term's frequencies
        draw_seconds, draw_bytes = frequency_draw_cost(self.kernel, self.frequencies,
                                                       m // 2, k, d, projected)
        draw_seconds += (terms - 1) * frequency_draw_cost(self.kernel, self.frequencies,
                                                          m // 2, k, d, False)[0]
        working = (min(block, max(largest, 1))
                   * (max(feature_row_bytes(k, m, self.precision, a.wide) for a in profiles)
                      + (8 * k if projected else 0)) + terms * draw_bytes)
        widest = max(typical_row_l1(self.kernel, m // 2, k, b) for b in bandwidths)
        query = phase_precision(self.precision, widest)
        # the query's angles: as large as the narrowest term's
        angles = profiles[int(np.argmin(bandwidths))]
        return build_cost(data=self.data, statistics=self.statistics(),
                          mechanism=self.mechanism, release_bytes=self.release_bytes(),
                          rows=rows, chunk_rows=chunk_rows, seconds_per_row=per_row,
                          seconds_per_chunk=per_block, fixed_seconds=draw_seconds,
                          working_bytes=working, query_seconds=phase_query_seconds(
                              d, k, projected, terms * (m // 2), query, angles))


def _features_for(alpha: float | None, quadrature: SumOfExponentials) -> int:
    """Without alpha, DEFAULT_FEATURES per term. With it, the smallest m whose
    random-feature bound sum_j a_j / sqrt(m) fits in alpha minus the quadrature's bias,
    so that the whole approximation bound meets alpha (without projection); capped so
    that terms * features stays within MAX_TERM_FEATURES."""
    most = min(MAX_FEATURES, MAX_TERM_FEATURES // quadrature.terms)
    most -= most % 2
    if alpha is None:
        return min(DEFAULT_FEATURES, most)
    room = alpha - quadrature.max_error
    if room <= 0:
        return most
    return max(2, min(most, math.ceil((math.fsum(quadrature.coefficients) / room) ** 2)))
