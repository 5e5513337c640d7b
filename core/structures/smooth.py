"""Smooth kernels as sums of exponentials: ``cauchy_kde``.

f(x, y) = 1 / (1 + h(x, y)) with ``metric_input`` choosing h:

- ``sq_l2`` (default, the Cauchy kernel): h = ||x - y||_2^2 / sigma^2;
- ``l2``: h = ||x - y||_2 / sigma;
- ``l1``: h = ||x - y||_1 / sigma.

1/(1 + h) = int_0^inf e^{-s(1 + h)} ds; with s = e^u and the trapezoid rule on J
(``terms``) equally spaced nodes u_j, 1/(1 + h) ~ sum_j a_j e^{-t_j h} with t_j = e^{u_j}
and a_j = step e^{u_j} e^{-t_j} > 0, within a deterministic, numerically verified bound
for every h >= 0 (``SumOfExponentials``). Term j is a random-feature structure for the
kernel e^{-t_j h}: Gaussian with bandwidth sigma / sqrt(t_j) (sq_l2), exponential with
bandwidth sigma / t_j (l2) or Laplace with bandwidth sigma / t_j (l1), all sharing one
optional JL projection (not for l1). The release holds every term's noisy feature sum
(statistics ``features_0`` ... ``features_{J-1}``) and the noisy count under ONE noise
plan: the weights a_j^2 * 2/m make ``plan_noise`` split epsilon (basic composition) or
rho (zCDP) across the terms so as to minimise the answer's noise variance, and the whole
release is (epsilon, delta)-DP by that composition. A query is
F(y) = sum_j a_j (2/m) <S_j, phi_j(y)>.

Derivation: docs/privacy/smooth.md.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Self

import numpy as np
from array_api_compat import array_namespace, device
from numpy.typing import NDArray

from core._array import Array
from core.errors import CorruptRelease, InvalidParameter
from core.privacy.mechanisms import Mechanism, NoisePlan, Statistic
from core.structures.base import (
    SECONDS_PER_MAC,
    SECONDS_PER_PASS,
    Cost,
    DataSpec,
    ErrorEstimate,
    QueryResult,
    Reduce,
    build_cost,
    check_points,
    chunk_sizes,
    clamp_count,
    count_statistic,
    ratio_std,
)
from core.structures.kde import (
    MAX_FEATURES,
    MAX_PROJECTION_DIM,
    AngleProfile,
    Design,
    FeatureMap,
    KernelName,
    PhaseForm,
    Precision,
    block_rows,
    check_angle_range,
    draw_frequencies,
    draw_orthogonal_frequencies,
    draw_projection,
    feature_row_bytes,
    feature_row_seconds,
    fixed_blocks,
    frequency_draw_cost,
    kernel_estimate,
    phase_precision,
    phase_query_seconds,
    typical_row_l1,
)
from core.structures.params import ParamReader

__all__ = [
    "CauchyKDEBuilder", "CauchyKDERelease", "CauchyKDESpec", "MetricInput",
    "SumOfExponentials", "sum_of_exponentials", "terms_for",
]

MetricInput = Literal["sq_l2", "l2", "l1"]
METRIC_INPUTS: tuple[MetricInput, ...] = ("sq_l2", "l2", "l1")
KERNEL_OF: dict[MetricInput, KernelName] = {
    "sq_l2": "gaussian", "l2": "exponential", "l1": "laplace"}
MAX_TERMS = 32
MAX_TERM_FEATURES = 262_144  # terms * features: 4 MAX_FEATURES in all
DEFAULT_FEATURES = 1024  # per term
# Without alpha the terms are chosen for alpha = 0.01; with it, the quadrature's bias
# gets a tenth of alpha and the random features the rest.
DEFAULT_ALPHA = 0.01
QUADRATURE_SHARE = 0.1
H_MAX = 1e9  # the error bound is computed on [0, H_MAX]; beyond it, a tail bound
_BOUND_POINTS = 50_000  # grid of the final bound: (its spacing)^2 / 2 ~ 9e-8
_SEARCH_POINTS, _REFINE_POINTS = 150, 1_000


def feature_statistic(term: int) -> str:
    return f"features_{term}"


# --- the quadrature -------------------------------------------------------------------

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


def _term_bandwidth(metric: MetricInput, bandwidth: float, t: float) -> float:
    """e^{-t h} as a base kernel: exp(-||d||^2 t / sigma^2) = gaussian(sigma / sqrt t);
    exp(-||d|| t / sigma) = exponential or laplace(sigma / t)."""
    return bandwidth / math.sqrt(t) if metric == "sq_l2" else bandwidth / t


# --- the structure --------------------------------------------------------------------

class CauchyKDEBuilder:
    def __init__(self, spec: CauchyKDESpec, maps: tuple[FeatureMap, ...]) -> None:
        self._spec = spec
        self._maps = maps

    @property
    def feature_maps(self) -> list[FeatureMap]:
        """Every term's public feature map, in term order (one shared projection)."""
        return list(self._maps)

    def accumulate(self, chunk: Array) -> dict[str, Array]:
        xp = array_namespace(chunk)
        dev = device(chunk)
        n = chunk.shape[0]
        totals = [xp.zeros(fmap.size, dtype=xp.float64, device=dev) for fmap in self._maps]
        for rows, real in fixed_blocks(chunk, block_rows(self._maps[0].size)):
            Z = self._maps[0].project(rows)  # once for every term
            for j, fmap in enumerate(self._maps):
                totals[j] = totals[j] + xp.sum(fmap.features(Z)[:real, ...], axis=0,
                                               dtype=xp.float64)
        out = {feature_statistic(j): total for j, total in enumerate(totals)}
        out["count"] = xp.asarray([float(n)], dtype=xp.float64, device=dev)
        return out

    def finish(self, noisy: Mapping[str, NDArray[np.float64]],
               plan: NoisePlan) -> CauchyKDERelease:
        spec = self._spec
        return CauchyKDERelease(
            dim=spec.data.dim, params=spec.public_params(), plan=plan,
            quadrature=spec.quadrature, feature_maps=self._maps,
            feature_sums=tuple(np.asarray(noisy[feature_statistic(j)], dtype=np.float64)
                               for j in range(len(self._maps))),
            count=float(noisy["count"][0]))


@dataclass(frozen=True, slots=True)
class CauchyKDERelease:
    """Every term's noisy feature sum, the noisy count, the public feature maps and the
    quadrature that combines the terms."""

    kind: ClassVar[str] = "cauchy_kde"
    dim: int
    params: dict[str, Any]
    plan: NoisePlan
    quadrature: SumOfExponentials
    feature_maps: tuple[FeatureMap, ...]
    feature_sums: tuple[NDArray[np.float64], ...]
    count: float
    _phase: PhaseForm | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # every term's frequencies side by side, weighted by a_j c: one cosine each
        object.__setattr__(self, "_phase", PhaseForm.of(
            self.feature_maps, self.feature_sums,
            [a * fmap.scale for a, fmap in zip(self.quadrature.coefficients,
                                                self.feature_maps, strict=True)]))

    def _terms(self) -> list[tuple[float, FeatureMap, NDArray[np.float64], float]]:
        """Per term: a_j * c_j (the answer's weight of <S_j, phi_j>), the map, S_j and
        the noise std of S_j's coordinates."""
        return [(a * fmap.scale, fmap, total, self.plan.std(feature_statistic(j)))
                for j, (a, fmap, total) in enumerate(zip(
                    self.quadrature.coefficients, self.feature_maps, self.feature_sums,
                    strict=True))]

    def approximation_std(self) -> float:
        """Per pair: sum_j a_j * (term j's random-feature RMSE bound) (Minkowski) plus
        the quadrature's deterministic bias bound."""
        return math.fsum(a * fmap.approximation_std() for a, fmap in zip(
            self.quadrature.coefficients, self.feature_maps, strict=True)
        ) + self.quadrature.max_error

    def noise_std_sum(self) -> float:
        """The noise std of a sum answer, the same at every query (paired features,
        ||phi_j||^2 = m/2): sqrt(sum_j (a_j c sigma_j)^2 m/2) = sqrt(sum_j a_j^2
        sigma_j^2 2/m)."""
        return math.sqrt(math.fsum((weight * sigma) ** 2 * (fmap.size / 2)
                                   for weight, fmap, _, sigma in self._terms()))

    def query(self, points: NDArray[np.float64], reduce: Reduce = "sum") -> QueryResult:
        """sum_j a_j c <S_j, phi_j(y)> in phase form; its noise std is the same at every
        query (``noise_std_sum``); float32 rounding joins the approximation bound."""
        Y = check_points(points, self.dim)
        phase = self._phase
        if phase is None:  # set in __post_init__; here for the type checker
            raise CorruptRelease("cauchy_kde release has no phase form")
        values = np.empty(Y.shape[0])
        rounding = np.empty(Y.shape[0])
        block = block_rows(sum(fmap.size for fmap in self.feature_maps) // 2)
        for start in range(0, Y.shape[0], block):
            stop = min(start + block, Y.shape[0])
            values[start:stop], rounding[start:stop] = phase.evaluate(Y[start:stop])
        noise_std = np.full(Y.shape[0], self.noise_std_sum())
        n_hat = clamp_count(self.count)
        approx = np.full(Y.shape[0], self.approximation_std())
        if reduce == "sum":
            return QueryResult(values, noise_std, approx * n_hat + rounding)
        std = ratio_std(values, noise_std, n_hat, self.plan.std("count"))
        return QueryResult(values / n_hat, std, approx + rounding / n_hat)

    def error_model(self) -> dict[str, float]:
        return {"noise_std_sum": self.noise_std_sum(),
                "count_noise_std": self.plan.std("count"),
                "approximation_std_mean": self.approximation_std(),
                "quadrature_error": self.quadrature.max_error}

    def header(self) -> dict[str, Any]:
        return {"kind": self.kind, "dim": self.dim, "params": self.params,
                "plan": self.plan.to_dict(), "count": self.count,
                "kernel": self.feature_maps[0].kernel,
                "precision": self.feature_maps[0].precision,
                "nodes": list(self.quadrature.nodes),
                "coefficients": list(self.quadrature.coefficients),
                "quadrature_error": self.quadrature.max_error}

    def arrays(self) -> dict[str, NDArray[np.float64]]:
        out: dict[str, NDArray[np.float64]] = {}
        projection = self.feature_maps[0].projection
        if projection is not None:
            out["projection"] = projection
        for j, (fmap, total) in enumerate(zip(self.feature_maps, self.feature_sums,
                                              strict=True)):
            out[f"frequencies_{j}"] = fmap.frequencies
            out[f"feature_sum_{j}"] = total
        return out

    @classmethod
    def from_parts(cls, header: Mapping[str, Any],
                   arrays: Mapping[str, NDArray[np.float64]]) -> Self:
        try:
            nodes = tuple(float(t) for t in header["nodes"])
            coefficients = tuple(float(a) for a in header["coefficients"])
            if not 1 <= len(nodes) == len(coefficients) <= MAX_TERMS:
                raise ValueError("quadrature")
            quadrature = SumOfExponentials(nodes, coefficients,
                                           float(header["quadrature_error"]))
            projection = arrays.get("projection")
            kernel = header["kernel"]
            precision = header.get("precision", "float64")
            maps = tuple(FeatureMap("paired", arrays[f"frequencies_{j}"], None, projection,
                                    kernel, precision) for j in range(len(nodes)))
            sums = tuple(arrays[f"feature_sum_{j}"] for j in range(len(nodes)))
            if len(arrays) != 2 * len(nodes) + (projection is not None) or any(
                    s.shape != (fmap.size,) for s, fmap in zip(sums, maps, strict=True)):
                raise ValueError("arrays")
            return cls(dim=int(header["dim"]), params=header["params"],
                       plan=NoisePlan.from_dict(header["plan"]), quadrature=quadrature,
                       feature_maps=maps, feature_sums=sums, count=float(header["count"]))
        except (KeyError, TypeError, ValueError, InvalidParameter) as exc:
            raise CorruptRelease("cauchy_kde release is incomplete") from exc


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
        reader = ParamReader(params)
        bandwidth = reader.bandwidth()
        alpha = reader.alpha()
        metric = reader.choice("metric_input", METRIC_INPUTS, "sq_l2")
        terms = reader.optional_int_in("terms", 1, MAX_TERMS)
        if terms is None:  # the quadrature's bias gets a tenth of the accuracy asked for
            terms = terms_for(QUADRATURE_SHARE * (DEFAULT_ALPHA if alpha is None else alpha))
        quadrature = sum_of_exponentials(terms)
        features = reader.optional_int_in("features", 2, MAX_FEATURES)
        if features is None:
            features = _features_for(alpha, quadrature)
        features += features % 2  # paired features come two by two
        if terms * features > MAX_TERM_FEATURES:
            raise InvalidParameter("params.features", f"terms * features must be at most "
                                   f"{MAX_TERM_FEATURES:,}: lower features or terms")
        projection_dim = reader.optional_int_in("projection_dim", 1, MAX_PROJECTION_DIM)
        if projection_dim is not None and metric == "l1":
            raise InvalidParameter("params.projection_dim",
                                   "must be null for metric_input 'l1': a JL projection "
                                   "does not preserve the l1 distance")
        mechanism = reader.choice("mechanism", ("laplace", "gaussian"), "laplace")
        if metric == "l1":  # the laplace kernel is not rotation-invariant
            design = reader.choice("frequencies", ("iid",), "iid")
        else:
            design = reader.choice("frequencies", ("orthogonal", "iid"), "orthogonal")
        precision = reader.choice("precision", ("float32", "float64"), "float32")
        reader.done()
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
