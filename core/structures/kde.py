"""Kernel density from random Fourier features: ``gaussian_kde`` and ``rff_baseline``.

Both approximate the Gaussian kernel k(x, y) = exp(-||x - y||^2 / sigma^2) by an inner
product of bounded feature vectors, k(x, y) ~ c <phi(x), phi(y)>, with frequencies
omega ~ N(0, (2 / sigma^2) I) (Rahimi and Recht 2007). The structure releases the noisy
feature sum S = sum_x phi(x) and, under add/remove, a noisy count; a query is
F(y) = c <S, phi(y)>, mean = F(y) / n. Every row moves S by a bounded amount whatever
its value, so the sensitivities below hold for any domain.

- ``gaussian_kde`` (this paper's pipeline): an optional data-independent JL projection
  z = P x (P has iid N(0, 1/k) entries), then paired features
  phi(z) = [cos(W z), sin(W z)] (m/2 frequencies, no random phases; Sutherland and
  Schneider 2015), c = 2/m. L1 sensitivity m/sqrt(2) and L2 sensitivity sqrt(m/2) under
  add/remove; twice both under replace-one. Laplace or Gaussian mechanism. With the
  Gaussian mechanism the query noise std is sigma_noise * sqrt(2/m) with
  sigma_noise proportional to sqrt(m/2): it does not grow with m.
- ``rff_baseline`` (Wagner, Naamad and Mishra 2023, LSQ-RFF): no projection, features
  phi_j(x) = sqrt(2) cos(omega_j . x + b_j) with random phases b_j ~ U[0, 2 pi), c = 1/m,
  L1 sensitivity sqrt(2) m (add/remove), Laplace only: the prior art, for comparison.

Derivation: docs/privacy/kde.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Self

import numpy as np
from array_api_compat import array_namespace, device
from numpy.typing import NDArray

from core._array import Array
from core.errors import CorruptRelease
from core.privacy.mechanisms import Mechanism, NoisePlan, Statistic
from core.structures.base import (
    DataSpec,
    QueryResult,
    Reduce,
    check_points,
    clamp_count,
    count_statistic,
    ratio_std,
)
from core.structures.params import ParamReader

__all__ = ["GaussianKDESpec", "RFFBaselineSpec", "RandomFeatureRelease"]

FeatureStyle = Literal["paired", "phased"]
MAX_FEATURES = 65_536
MAX_PROJECTION_DIM = 8_192
_BLOCK_ROWS = 2_048  # rows per block: bounds memory to block * m / 2 floats


@dataclass(frozen=True, slots=True)
class FeatureMap:
    """Public randomness of a random-feature structure, and the map it defines."""

    style: FeatureStyle
    frequencies: NDArray[np.float64]  # (m/2, k) paired or (m, k) phased
    phases: NDArray[np.float64] | None  # (m,) phased only
    projection: NDArray[np.float64] | None  # (k, d) or None

    @property
    def size(self) -> int:
        rows = int(self.frequencies.shape[0])
        return 2 * rows if self.style == "paired" else rows

    @property
    def scale(self) -> float:
        """c in k(x, y) ~ c <phi(x), phi(y)>."""
        return 2.0 / self.size if self.style == "paired" else 1.0 / self.size

    def transform(self, X: Array) -> Array:
        """phi(X) for an (n, d) array of any Array API namespace: (n, m)."""
        xp = array_namespace(X)
        dev = device(X)
        Z = X
        if self.projection is not None:
            Z = Z @ xp.asarray(self.projection.T.copy(), device=dev)
        T = Z @ xp.asarray(self.frequencies.T.copy(), device=dev)
        if self.style == "paired":
            return xp.concat([xp.cos(T), xp.sin(T)], axis=1)
        phases = xp.asarray(self.phases, device=dev)
        return math.sqrt(2.0) * xp.cos(T + phases)

    def sensitivities(self, neighbouring: str) -> tuple[float, float]:
        """(L1, L2) sensitivity of sum_x phi(x)."""
        m = self.size
        if self.style == "paired":  # |cos| + |sin| <= sqrt 2 and cos^2 + sin^2 = 1 per pair
            l1, l2 = m / math.sqrt(2.0), math.sqrt(m / 2.0)
        else:  # |sqrt 2 cos| <= sqrt 2 per feature
            l1, l2 = math.sqrt(2.0) * m, math.sqrt(2.0 * m)
        factor = 2.0 if neighbouring == "replace_one" else 1.0
        return factor * l1, factor * l2

    def answer_weight(self) -> float:
        """c^2 E||phi(y)||^2: how much one unit of per-coordinate noise variance on S
        adds to the variance of F(y) (paired: exactly 2/m; phased: 1/m on average)."""
        return self.scale**2 * (self.size / 2 if self.style == "paired" else self.size)

    def approximation_std(self) -> float:
        """Bound on the std, over the public randomness, of c<phi(x), phi(y)> - k(x, y)
        for one pair, hence of the mean-KDE error (Minkowski). Var of one paired
        frequency is (1 + k^4)/2 - k^2 <= 1/2, of one phased feature <= 1; with the JL
        projection, ||Pz||^2/||z||^2 ~ chi2_k / k and |d/du exp(-t u)| <= 1/e gives a
        further (sqrt(2/k)/e) to first order."""
        var = 1.0 / self.size
        if self.projection is not None:
            var += 2.0 / (self.projection.shape[0] * math.e**2)
        return math.sqrt(var)

    def arrays(self) -> dict[str, NDArray[np.float64]]:
        out = {"frequencies": self.frequencies}
        if self.phases is not None:
            out["phases"] = self.phases
        if self.projection is not None:
            out["projection"] = self.projection
        return out


def draw_feature_map(style: FeatureStyle, *, dim: int, features: int, bandwidth: float,
                     projection_dim: int | None, seed: int) -> FeatureMap:
    """Public, data-independent randomness from a published seed."""
    rng = np.random.Generator(np.random.PCG64(seed))
    projection = None
    k = dim
    if projection_dim is not None:
        projection = rng.standard_normal((projection_dim, dim)) / math.sqrt(projection_dim)
        k = projection_dim
    rows = features // 2 if style == "paired" else features
    # E[cos(w . delta)] = exp(-||delta||^2 / sigma^2) for w ~ N(0, (2 / sigma^2) I)
    frequencies = rng.standard_normal((rows, k)) * (math.sqrt(2.0) / bandwidth)
    phases = rng.uniform(0.0, 2 * math.pi, size=rows) if style == "phased" else None
    return FeatureMap(style, frequencies, phases, projection)


class RandomFeatureBuilder:
    def __init__(self, spec: GaussianKDESpec | RFFBaselineSpec, fmap: FeatureMap) -> None:
        self._spec = spec
        self._fmap = fmap

    @property
    def feature_map(self) -> FeatureMap:
        """The public randomness this builder drew (it may be published)."""
        return self._fmap

    def accumulate(self, chunk: Array) -> dict[str, Array]:
        xp = array_namespace(chunk)
        n = chunk.shape[0]
        total = xp.zeros(self._fmap.size, dtype=xp.float64, device=device(chunk))
        for start in range(0, n, _BLOCK_ROWS):
            stop = min(start + _BLOCK_ROWS, n)
            total = total + xp.sum(self._fmap.transform(chunk[start:stop, ...]), axis=0)
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

    def query(self, points: NDArray[np.float64], reduce: Reduce = "sum") -> QueryResult:
        Y = check_points(points, self.dim)
        sigma = self.plan.std("features")
        c = self.fmap.scale
        values = np.empty(Y.shape[0])
        noise_std = np.empty(Y.shape[0])
        for start in range(0, Y.shape[0], _BLOCK_ROWS):
            stop = min(start + _BLOCK_ROWS, Y.shape[0])
            phi = self.fmap.transform(Y[start:stop])
            values[start:stop] = c * (phi @ self.feature_sum)
            noise_std[start:stop] = c * sigma * np.linalg.norm(phi, axis=1)
        n_hat = clamp_count(self.count)
        approx = np.full(Y.shape[0], self.fmap.approximation_std())
        if reduce == "sum":
            return QueryResult(values, noise_std, approx * n_hat)
        std = ratio_std(values, noise_std, n_hat, self.plan.std("count"))
        return QueryResult(values / n_hat, std, approx)

    def error_model(self) -> dict[str, float]:
        return {
            # exact for paired features; the average over queries for phased ones
            "noise_std_sum": self.plan.std("features") * math.sqrt(self.fmap.answer_weight()),
            "count_noise_std": self.plan.std("count"),
            "approximation_std_mean": self.fmap.approximation_std(),
        }

    def header(self) -> dict[str, Any]:
        return {"kind": self.kind, "dim": self.dim, "params": self.params,
                "plan": self.plan.to_dict(), "style": self.fmap.style, "count": self.count}

    def arrays(self) -> dict[str, NDArray[np.float64]]:
        return {"feature_sum": self.feature_sum, **self.fmap.arrays()}

    @classmethod
    def from_parts(cls, header: Mapping[str, Any],
                   arrays: Mapping[str, NDArray[np.float64]]) -> Self:
        try:
            fmap = FeatureMap(header["style"], arrays["frequencies"], arrays.get("phases"),
                              arrays.get("projection"))
            return cls(kind=header["kind"], dim=int(header["dim"]), params=header["params"],
                       plan=NoisePlan.from_dict(header["plan"]), fmap=fmap,
                       feature_sum=arrays["feature_sum"], count=float(header["count"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise CorruptRelease("random-feature release is incomplete") from exc


def _features_from(reader: ParamReader) -> int:
    alpha = reader.optional_positive_float("alpha")
    # the approximation std bound is 1/sqrt(m): m = 1/alpha^2 meets alpha
    default = 1024 if alpha is None else min(MAX_FEATURES, math.ceil(1.0 / alpha**2))
    return reader.int_in("features", 2, MAX_FEATURES, default)


@dataclass(frozen=True, slots=True)
class GaussianKDESpec:
    kind: ClassVar[str] = "gaussian_kde"
    data: DataSpec
    bandwidth: float
    features: int
    projection_dim: int | None
    mechanism: Mechanism

    @classmethod
    def parse(cls, params: Mapping[str, Any], data: DataSpec) -> Self:
        reader = ParamReader(params)
        bandwidth = reader.positive_float("bandwidth")
        features = _features_from(reader)
        features += features % 2  # paired features come two by two
        projection_dim = reader.optional_int_in("projection_dim", 1, MAX_PROJECTION_DIM)
        mechanism = reader.choice("mechanism", ("laplace", "gaussian"), "laplace")
        reader.done()
        return cls(data, bandwidth, features, projection_dim, mechanism)  # type: ignore[arg-type]

    def public_params(self) -> dict[str, Any]:
        return {"bandwidth": self.bandwidth, "features": self.features,
                "projection_dim": self.projection_dim, "mechanism": self.mechanism}

    def _shape(self) -> FeatureMap:
        """A feature map with the right sizes but no randomness (for sensitivities)."""
        rows = self.features // 2
        projection = None if self.projection_dim is None else np.empty((self.projection_dim, 0))
        return FeatureMap("paired", np.empty((rows, 0)), None, projection)

    def statistics(self) -> list[Statistic]:
        shape = self._shape()
        l1, l2 = shape.sensitivities(self.data.neighbouring)
        return [Statistic("features", self.features, l1, l2, shape.answer_weight()),
                count_statistic(self.data.neighbouring)]

    def builder(self, seed: int) -> RandomFeatureBuilder:
        fmap = draw_feature_map("paired", dim=self.data.dim, features=self.features,
                                bandwidth=self.bandwidth, projection_dim=self.projection_dim,
                                seed=seed)
        return RandomFeatureBuilder(self, fmap)


@dataclass(frozen=True, slots=True)
class RFFBaselineSpec:
    kind: ClassVar[str] = "rff_baseline"
    data: DataSpec
    bandwidth: float
    features: int
    mechanism: Mechanism = "laplace"

    @classmethod
    def parse(cls, params: Mapping[str, Any], data: DataSpec) -> Self:
        reader = ParamReader(params)
        bandwidth = reader.positive_float("bandwidth")
        features = _features_from(reader)
        reader.choice("mechanism", ("laplace",), "laplace")
        reader.done()
        return cls(data, bandwidth, features)

    def public_params(self) -> dict[str, Any]:
        return {"bandwidth": self.bandwidth, "features": self.features,
                "mechanism": self.mechanism}

    def statistics(self) -> list[Statistic]:
        shape = FeatureMap("phased", np.empty((self.features, 0)), np.empty(0), None)
        l1, l2 = shape.sensitivities(self.data.neighbouring)
        return [Statistic("features", self.features, l1, l2, shape.answer_weight()),
                count_statistic(self.data.neighbouring)]

    def builder(self, seed: int) -> RandomFeatureBuilder:
        fmap = draw_feature_map("phased", dim=self.data.dim, features=self.features,
                                bandwidth=self.bandwidth, projection_dim=None, seed=seed)
        return RandomFeatureBuilder(self, fmap)
