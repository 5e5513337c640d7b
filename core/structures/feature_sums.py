"""Noisy random-feature sums: the release of ``gaussian_kde``, ``exponential_kde``,
``laplace_kde`` and ``rff_baseline``, and the spec pipeline the paired kinds share.

The structure releases the noisy feature sum S = sum_x phi(x) (see
``core.structures.feature_maps``) and, under add/remove, a noisy count; a query is
F(y) = c <S, phi(y)>, mean = F(y) / n. Every row moves S by a bounded amount whatever
its value and whatever the frequencies, so the sensitivities hold for any domain and
any kernel: paired features (m of them) L1 m/sqrt(2) and L2 sqrt(m/2) under add/remove,
twice both under replace-one; phased features L1 sqrt(2) m and L2 sqrt(2m). With the
Gaussian mechanism the query noise std of paired features is sigma_noise * sqrt(2/m)
with sigma_noise proportional to sqrt(m/2): it does not grow with m.

Derivation: docs/privacy/kde.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, Self

import numpy as np
from array_api_compat import array_namespace, device
from numpy.typing import NDArray

from core._array import Array
from core.errors import CorruptRelease, InvalidParameter
from core.parallel import run_blocks
from core.privacy.mechanisms import Mechanism, NoisePlan, Statistic
from core.structures.base import (
    SECONDS_PER_MAC,
    SECONDS_PER_PASS,
    Cost,
    DataSpec,
    ErrorEstimate,
    ErrorModel,
    QueryResult,
    Reduce,
    build_cost,
    check_points,
    chunk_sizes,
    clamp_count,
    count_statistic,
    ratio_std,
)
from core.structures.feature_maps import (
    MAX_FEATURES,
    MAX_PROJECTION_DIM,
    ROTATION_DESIGNS,
    AngleProfile,
    Design,
    FeatureMap,
    KernelName,
    Precision,
    angle_work,
    block_rows,
    check_angle_range,
    draw_feature_map,
    draw_structured_frequencies,
    feature_row_bytes,
    feature_row_seconds,
    fixed_blocks,
    frequency_draw_cost,
    projection_variance,
    query_block_rows,
    typical_row_l1,
)
from core.structures.phase_form import PhaseForm, phase_precision, phase_query_seconds
from core.structures.structured import (
    GENERATOR,
    StructuredPhaseForm,
    structured_query_seconds,
)

__all__ = ["PairedFeatureSpec", "PairedParams", "RandomFeatureBuilder", "RandomFeatureRelease",
           "features_for", "kernel_estimate", "projection_for"]


def kernel_estimate(plan: NoisePlan, sum_std: float, rows: int, approximation: float,
                    alpha: float | None) -> ErrorEstimate:
    """The error estimate of a kernel kind: ``sum_std`` is the (query-independent) noise
    std of a sum answer; the mean's std is ``ratio_std`` at the largest mean a kernel
    can have, F/n = 1, so it bounds the first-order std of every mean answer."""
    n = float(max(rows, 1))
    mean_std = ratio_std(np.array([n]), np.array([sum_std]), n, plan.std("count"))
    return ErrorEstimate(noise_std_sum=sum_std, noise_std_mean=float(mean_std[0]),
                         approximation_mean=approximation, typical_mean=1.0,
                         target_mean=alpha)


class FeatureSumSpec(Protocol):
    """What ``RandomFeatureBuilder`` reads of the spec that made it."""

    kind: ClassVar[str]

    @property
    def data(self) -> DataSpec: ...

    def public_params(self) -> dict[str, Any]: ...


class RandomFeatureBuilder:
    def __init__(self, spec: FeatureSumSpec, fmap: FeatureMap) -> None:
        self._spec = spec
        self._fmap = fmap

    @property
    def feature_map(self) -> FeatureMap:
        """The public randomness this builder drew (it may be published)."""
        return self._fmap

    @property
    def feature_maps(self) -> list[FeatureMap]:
        """The same as a list of one map, like the sum-of-kernels builders."""
        return [self._fmap]

    def accumulate(self, chunk: Array) -> dict[str, Array]:
        xp = array_namespace(chunk)
        n = chunk.shape[0]
        total = xp.zeros(self._fmap.size, dtype=xp.float64, device=device(chunk))
        fmap = self._fmap
        for rows, real in fixed_blocks(chunk, block_rows(fmap.size)):
            if fmap.summable32(rows):
                total = total + fmap.paired_sum32(rows, real)
            else:
                total = total + xp.sum(fmap.transform(rows)[:real, ...], axis=0,
                                       dtype=xp.float64)
        return {"features": total, "count": xp.asarray([float(n)], dtype=xp.float64)}

    def finish(self, noisy: Mapping[str, NDArray[np.float64]],
               plan: NoisePlan) -> RandomFeatureRelease:
        return RandomFeatureRelease(
            kind=self._spec.kind, dim=self._spec.data.dim,
            params=self._spec.public_params(), plan=plan, fmap=self._fmap,
            feature_sum=np.asarray(noisy["features"], dtype=np.float64),
            count=float(noisy["count"][0]),
        )


@dataclass(frozen=True, slots=True)
class RandomFeatureRelease:
    """Noisy feature sum and count, plus the public feature map."""

    kind: str
    dim: int
    params: dict[str, Any]
    plan: NoisePlan
    fmap: FeatureMap
    feature_sum: NDArray[np.float64]
    count: float
    _phase: PhaseForm | StructuredPhaseForm | None = field(
        default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.fmap.style == "paired" and self.fmap.structure is not None:
            object.__setattr__(self, "_phase", StructuredPhaseForm.of(
                self.fmap.structure, self.fmap.projection, self.fmap.precision,
                self.feature_sum, self.fmap.scale))
        elif self.fmap.style == "paired":
            object.__setattr__(self, "_phase", PhaseForm.of(
                [self.fmap], [self.feature_sum], [self.fmap.scale]))

    def query(self, points: NDArray[np.float64], reduce: Reduce = "sum") -> QueryResult:
        Y = check_points(points, self.dim)
        sigma = self.plan.std("features")
        c = self.fmap.scale
        values = np.empty(Y.shape[0])
        noise_std = np.empty(Y.shape[0])
        rounding = np.zeros(Y.shape[0])
        phase = self._phase

        def answer(start: int, stop: int) -> None:
            if phase is not None:  # paired: ||phi(y)||^2 = m/2 exactly
                values[start:stop], rounding[start:stop] = phase.evaluate(Y[start:stop])
                noise_std[start:stop] = c * sigma * math.sqrt(self.fmap.size / 2)
                return
            phi = self.fmap.transform(Y[start:stop])
            values[start:stop] = c * (phi @ self.feature_sum)
            noise_std[start:stop] = c * sigma * np.linalg.norm(phi, axis=1)

        # structured frequencies: blocks on the query pool (their small products, the
        # cosines and the sums release the GIL and run on one BLAS thread each); dense
        # ones leave the CPUs to BLAS, whose threads already share their products
        block = (query_block_rows(self.fmap.size, Y.shape[0])
                 if isinstance(phase, StructuredPhaseForm) else block_rows(self.fmap.size))
        run_blocks(Y.shape[0], block, answer)
        n_hat = clamp_count(self.count)
        approx = np.full(Y.shape[0], self.fmap.approximation_std())
        if reduce == "sum":
            return QueryResult(values, noise_std, approx * n_hat + rounding)
        std = ratio_std(values, noise_std, n_hat, self.plan.std("count"))
        return QueryResult(values / n_hat, std, approx + rounding / n_hat)

    def error_model(self, data: DataSpec) -> ErrorModel:
        # noise_std_sum: exact for paired features; the average over queries for phased ones
        return ErrorModel(self.plan.std("features") * math.sqrt(self.fmap.answer_weight()),
                          self.plan.std("count"), self.fmap.approximation_std())

    def header(self) -> dict[str, Any]:
        """The public parameters; structured frequencies add what regenerates them
        (``StructuredFrequencies.header``: the seed, the sizes, the bandwidth)."""
        out = {"kind": self.kind, "dim": self.dim, "params": self.params,
               "plan": self.plan.to_dict(), "style": self.fmap.style,
               "kernel": self.fmap.kernel, "precision": self.fmap.precision,
               "count": self.count}
        if self.fmap.structure is not None:
            out["structured"] = self.fmap.structure.header()
        return out

    def arrays(self) -> dict[str, NDArray[np.float64]]:
        return {"feature_sum": self.feature_sum, **self.fmap.arrays()}

    @classmethod
    def from_parts(cls, header: Mapping[str, Any],
                   arrays: Mapping[str, NDArray[np.float64]]) -> Self:
        try:
            # releases written before the kernel was recorded are all Gaussian
            kernel = header.get("kernel", "gaussian")
            structure, stored = None, arrays.get("frequencies")
            if "structured" in header:  # regenerated from the seed, never stored
                spec = header["structured"]
                if spec["design"] != "structured" or spec["generator"] != GENERATOR:
                    raise CorruptRelease("unknown structured-frequency generator")
                structure = draw_structured_frequencies(
                    int(spec["seed"], 16), kernel, int(spec["rows"]), int(spec["dim"]),
                    float(spec["bandwidth"]))
            elif stored is None:
                raise KeyError("frequencies")
            fmap = FeatureMap(header["style"], stored if structure is None else None,
                              arrays.get("phases"), arrays.get("projection"), kernel,
                              header.get("precision", "float64"), structure=structure)
            return cls(kind=header["kind"], dim=int(header["dim"]), params=header["params"],
                       plan=NoisePlan.from_dict(header["plan"]), fmap=fmap,
                       feature_sum=arrays["feature_sum"], count=float(header["count"]))
        except (KeyError, TypeError, ValueError, InvalidParameter) as exc:
            raise CorruptRelease("random-feature release is incomplete") from exc


def projection_for(kernel: KernelName, alpha: float, dim: int) -> int | None:
    """The JL dimension that alpha asks for, or None where it does not pay.

    With alpha and no ``projection_dim``, the approximation bound alpha is split in
    variance: the projection's term (``projection_variance``) gets alpha^2 / 2 and the
    features the other half (m = 2 / alpha^2). That k is the smallest meeting its half;
    a projection is used only when k <= d / 2, where it cuts the query's d * m / 2
    multiply-adds to d * k + k * m / 2 (about a third of the time of the cosines and
    products at k = d / 2); otherwise the features get the whole bound (m = 1/alpha^2)."""
    budget = alpha**2 / 2.0
    k = 1
    while projection_variance(kernel, k) > budget:
        k *= 2
        if k > MAX_PROJECTION_DIM:
            return None
    low = k // 2 + 1
    while low < k:  # smallest k in (k/2, k] within the budget (the variance falls in k)
        mid = (low + k) // 2
        if projection_variance(kernel, mid) <= budget:
            k = mid
        else:
            low = mid + 1
    return k if 2 * k <= dim else None


def features_for(features: int | None, alpha: float | None) -> int:
    """``features``: given, or ceil(1/alpha^2) (the approximation std bound is
    1/sqrt(m): that m meets alpha, capped at MAX_FEATURES), or 1024."""
    if features is not None:
        return features
    return 1024 if alpha is None else min(MAX_FEATURES, math.ceil(1.0 / alpha**2))


class PairedParams(Protocol):
    """The typed parameters every paired kind declares (its ``params.Params``)."""

    @property
    def bandwidth(self) -> float: ...
    @property
    def alpha(self) -> float | None: ...
    @property
    def projection_dim(self) -> int | None: ...
    @property
    def features(self) -> int | None: ...
    @property
    def mechanism(self) -> str: ...
    @property
    def frequencies(self) -> str: ...
    @property
    def precision(self) -> str: ...


@dataclass(frozen=True, slots=True)
class PairedFeatureSpec:
    """The pipeline ``gaussian_kde``, ``exponential_kde`` and ``laplace_kde`` share:
    optional projection, paired features of the kind's kernel, noisy sum and count.
    A kind subclasses it with its ``kind`` and ``kernel`` and parses its own typed
    parameters into ``from_params``."""

    kind: ClassVar[str]
    kernel: ClassVar[KernelName]
    data: DataSpec
    bandwidth: float
    features: int
    projection_dim: int | None
    mechanism: Mechanism
    alpha: float | None = None  # the accuracy asked for, if any (sizes came from it)
    frequencies: Design = "orthogonal"
    precision: Precision = "float32"

    @classmethod
    def from_params(cls, typed: PairedParams, data: DataSpec, *,
                    projection_given: bool) -> Self:
        """The cross-field rules on parsed parameters: sizes derived from alpha, the
        laplace kernel's refusal of a projection, the angle range. ``projection_given``:
        whether the request named ``projection_dim`` at all (an explicit null turns
        the automatic projection off)."""
        bandwidth, alpha = typed.bandwidth, typed.alpha
        projection_dim = typed.projection_dim
        auto = None
        if alpha is not None and not projection_given and cls.kernel != "laplace":
            auto = projection_for(cls.kernel, alpha, data.dim)
        if auto is not None and alpha is not None:  # half the variance budget each
            projection_dim = auto
            features = (min(MAX_FEATURES, math.ceil(2.0 / alpha**2))
                        if typed.features is None else typed.features)
        else:
            features = features_for(typed.features, alpha)
        features += features % 2  # paired features come two by two
        if projection_dim is not None and cls.kernel == "laplace":
            raise InvalidParameter("params.projection_dim",
                                   f"must be null for {cls.kind}: a JL projection does not "
                                   "preserve the l1 distance")
        mechanism, design, precision = typed.mechanism, typed.frequencies, typed.precision
        if design in ROTATION_DESIGNS and cls.kernel == "laplace":
            raise InvalidParameter("params.frequencies", "must be iid: the l1 kernel is not "
                                   "rotation-invariant")
        check_angle_range(cls.kernel, dim=data.dim,
                          k=data.dim if projection_dim is None else projection_dim,
                          bandwidth=bandwidth, input_bound=data.domain.max_norm(data.dim),
                          projected=projection_dim is not None,
                          design=design)  # type: ignore[arg-type]
        return cls(data, bandwidth, features, projection_dim, mechanism,  # type: ignore[arg-type]
                   alpha, design, precision)  # type: ignore[arg-type]

    def public_params(self) -> dict[str, Any]:
        return {"bandwidth": self.bandwidth, "features": self.features,
                "projection_dim": self.projection_dim, "mechanism": self.mechanism,
                "frequencies": self.frequencies, "precision": self.precision}

    def _shape(self) -> FeatureMap:
        """A feature map with the right sizes but no randomness (for sensitivities)."""
        rows = self.features // 2
        projection = None if self.projection_dim is None else np.empty((self.projection_dim, 0))
        return FeatureMap("paired", np.empty((rows, 0)), None, projection, self.kernel)

    def statistics(self) -> list[Statistic]:
        shape = self._shape()
        l1, l2 = shape.sensitivities(self.data.neighbouring)
        return [Statistic("features", self.features, l1, l2, shape.answer_weight()),
                count_statistic(self.data.neighbouring)]

    def builder(self, seed: int) -> RandomFeatureBuilder:
        fmap = draw_feature_map("paired", dim=self.data.dim, features=self.features,
                                bandwidth=self.bandwidth, projection_dim=self.projection_dim,
                                seed=seed, kernel=self.kernel, design=self.frequencies,
                                precision=self.precision,
                                input_bound=self.data.domain.max_norm(self.data.dim))
        return RandomFeatureBuilder(self, fmap)

    def release_bytes(self) -> int:
        """feature_sum (m), frequencies (m/2 x k; none when structured: the header
        holds their seed) and the projection (k x d)."""
        k = self.data.dim if self.projection_dim is None else self.projection_dim
        projection = 0 if self.projection_dim is None else self.projection_dim * self.data.dim
        stored = 0 if self.frequencies == "structured" else (self.features // 2) * k
        return 8 * (self.features + stored + projection)

    def estimate(self, plan: NoisePlan, rows: int) -> ErrorEstimate:
        """Paired features: the noise std of a sum answer is exactly
        plan.std("features") * sqrt(2/m) at every query."""
        shape = self._shape()
        sum_std = plan.std("features") * math.sqrt(shape.answer_weight())
        return kernel_estimate(plan, sum_std, rows, shape.approximation_std(), self.alpha)

    def cost(self, rows: int, chunk_rows: int) -> Cost:
        """Per row: the projection (d k), the m paired features (k m/2 multiply-adds, or
        the structured transforms; m cosines and sines); per block of rows: a copy of
        the frequencies (structured: of the signs); once: the public randomness
        (``frequency_draw_cost``); the noise: m + 1 values. A query: the phase form,
        m/2 frequencies."""
        d, m = self.data.dim, self.features
        projected = self.projection_dim is not None
        k = d if self.projection_dim is None else self.projection_dim
        z_bound = self.data.domain.max_norm(d) * (math.sqrt(d) if projected else 1.0)
        angles = AngleProfile.of(self.kernel, k, self.bandwidth, z_bound)
        block = block_rows(m)
        largest, _ = chunk_sizes(rows, chunk_rows)
        design = self.frequencies
        _, values = angle_work(k, m // 2, design)
        # the frequencies, transposed, cast (structured: the signs, cast)
        per_block = (values if design == "structured" else 3 * (m // 2) * k) * SECONDS_PER_PASS
        per_row = ((d * k * SECONDS_PER_MAC["float64"] if projected else 0.0)
                   + feature_row_seconds(k, m, self.precision, angles, design)
                   + per_block / block)
        draw_seconds, draw_bytes = frequency_draw_cost(self.kernel, design, m // 2, k, d,
                                                       projected)
        working = (min(block, max(largest, 1))
                   * (feature_row_bytes(k, m, self.precision, angles.wide, design)
                      + (8 * k if projected else 0)) + draw_bytes)
        if design == "structured":
            query_seconds = structured_query_seconds(d, k, projected, m // 2, self.precision,
                                                     angles)
        else:
            query = phase_precision(self.precision,
                                    typical_row_l1(self.kernel, m // 2, k, self.bandwidth))
            query_seconds = phase_query_seconds(d, k, projected, m // 2, query, angles)
        return build_cost(data=self.data, statistics=self.statistics(),
                          mechanism=self.mechanism, release_bytes=self.release_bytes(),
                          rows=rows, chunk_rows=chunk_rows, seconds_per_row=per_row,
                          seconds_per_chunk=per_block, fixed_seconds=draw_seconds,
                          working_bytes=working, query_seconds=query_seconds)


