"""Clipped ReLU random features: the release of ``relu_nngp`` and ``relu_ntk``, the
closed forms of their kernels, and the spec pipeline both share.

The kernels are those of one hidden ReLU layer of infinite width, weight variance 1
and no bias (``neural_tangents.stax.serial(Dense(w, W_std=1, b_std=0), Relu(),
Dense(1, W_std=1, b_std=0))``). With q_xy = x . y / d and theta the angle between x
and y (pi/2 where a norm is 0: both kernels are then 0):

    NNGP(x, y) = sqrt(q_xx q_yy) (sin theta + (pi - theta) cos theta) / (2 pi)
    NTK(x, y)  = q_xy (pi - theta) / (2 pi) + NNGP(x, y)

Random features, from a published seed (public randomness; W, U, V have iid N(0, 1/d)
entries, independent of each other):

- NNGP, m features: r(x) = relu(W x) / sqrt(m), E[r(x) . r(y)] = NNGP(x, y) (the
  arc-cosine kernel of order 1, Cho and Saul 2009, with w . x ~ N(0, q_xx));
- NTK, m + m' features: f(x) = [r(x), p(x)] with the tangent features
  p_j(x) = (u_j . x) step(v_j . x) / sqrt(m'), E[p(x) . p(y)] = q_xy (pi - theta) /
  (2 pi) since u_j and v_j are independent (E[(u . x)(u . y)] = q_xy and
  P[v . x > 0, v . y > 0] = (pi - theta) / (2 pi)): m' values per row instead of the
  m' d of the Kronecker features x / sqrt(d) (x) step(V x) / sqrt(m').

Each row's feature vector is clipped to l2 norm C (``clip``, public), so the feature
sum S = sum_x clip(f(x)) has L2 sensitivity C under add/remove (sqrt(2) C under
replace-one for the NNGP, whose features are >= 0; 2 C for the NTK) and L1
sensitivity C sqrt(M) (replace-one: C sqrt(2m) and C sqrt(2m + 4m')). A query is
F(y) = f(y) . S with f(y) not clipped (post-processing: the clip bounds a row's
influence, not the query), noise std sigma ||f(y)||.

Derivation: docs/privacy/relu_kernels.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, Self

import numpy as np
from array_api_compat import array_namespace, device
from numpy.typing import NDArray

from core._array import Array
from core.errors import CorruptRelease, InvalidParameter
from core.privacy.mechanisms import Mechanism, NoisePlan, Statistic
from core.structures.base import (
    SECONDS_PER_MAC,
    SECONDS_PER_NORMAL,
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
from core.structures.feature_maps import block_rows, fixed_blocks

__all__ = [
    "CLIP_MULTIPLE", "CLIP_SHRINK", "MAX_CLIP", "MIN_CLIP", "ReluFeatureBuilder",
    "ReluFeatureMap", "ReluFeatureRelease", "ReluFeatureSpec", "clip_probability",
    "draw_relu_map", "relu_kernels", "relu_reference",
]

# the default clip is this multiple of the rms feature norm of a row on the domain's
# boundary: sqrt(E||f(x)||^2) at ||x|| = R (the kernel at x = y there), so that a row
# is clipped only where its squared feature norm exceeds 4 times its expectation
CLIP_MULTIPLE = 2.0
# a clipped row is scaled to norm C * CLIP_SHRINK, so that float rounding of its norm
# never takes it above C (the sensitivities are bounds in real arithmetic)
CLIP_SHRINK = 1.0 - 2.0**-30
# the range of an explicit clip: within a factor 1e3 beyond the defaults of the domain
# range (core.domain: radius 1e-12 to 1e12 in up to 65,536 dimensions)
MIN_CLIP = 1e-18
MAX_CLIP = 1e18
# E[(phi(x) . phi(y) per feature)^2] <= this * q_xx q_yy for either feature family
# (Cauchy-Schwarz on E relu(g)^4 = 3 sigma^4 / 2; tangent: E[(u.x)^2 (u.y)^2] =
# q_xx q_yy + 2 q_xy^2 <= 3 q_xx q_yy, times P[both gates open] <= 1/2)
_SECOND_MOMENT = 1.5


# --- closed forms ---------------------------------------------------------------------

def relu_kernels(X: NDArray[np.float64],
                 Y: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(NNGP, NTK) between every row of X (n, d) and every row of Y (q, d): two (q, n)
    float64 matrices, from the closed forms in the module docstring. Not private.

    theta = 2 atan2(||x' - y'||, ||x' + y'||) on the unit vectors x', y' (Kahan's
    formula): accurate to a few ulps at every angle, where arccos of the rounded cosine
    loses half the digits near 0 and pi (an error of 2e-9 relative in the NTK of
    opposite vectors). It costs q n d operations, as the products do."""
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    d = X.shape[1]
    x_norms, y_norms = np.linalg.norm(X, axis=1), np.linalg.norm(Y, axis=1)
    Xu = X / np.where(x_norms > 0, x_norms, 1.0)[:, None]
    Yu = Y / np.where(y_norms > 0, y_norms, 1.0)[:, None]
    theta = np.empty((Y.shape[0], X.shape[0]))
    block = max(1, 2**21 // max(Y.shape[0] * d, 1))  # bound the (q, block, d) temporaries
    for start in range(0, X.shape[0], block):
        rows = Xu[None, start:start + block, :]
        apart = np.linalg.norm(Yu[:, None, :] - rows, axis=-1)
        along = np.linalg.norm(Yu[:, None, :] + rows, axis=-1)
        theta[:, start:start + block] = 2 * np.arctan2(apart, along)
    scale = np.outer(y_norms, x_norms) / d  # sqrt(q_xx q_yy)
    cos = np.cos(theta)
    nngp = scale * (np.sin(theta) + (math.pi - theta) * cos) / (2 * math.pi)
    ntk = scale * cos * (math.pi - theta) / (2 * math.pi) + nngp
    positive = scale > 0  # theta = pi/2 convention: both kernels 0
    return np.where(positive, nngp, 0.0), np.where(positive, ntk, 0.0)


def relu_reference(rows: NDArray[np.float64], points: NDArray[np.float64], *,
                   tangent: bool, block: int = 2_048) -> NDArray[np.float64]:
    """F(y) = sum_x k(x, y) for k the NNGP (``tangent`` False) or the NTK, in float64,
    rows (n, d) and points (q, d) -> (q,), rows ``block`` at a time. Not private."""
    total = np.zeros(points.shape[0])
    for start in range(0, rows.shape[0], block):
        nngp, ntk = relu_kernels(rows[start:start + block], points)
        total += (ntk if tangent else nngp).sum(axis=1)
    return total


def clip_probability(features: int, tangent_features: int, ratio: float) -> float:
    """A Chernoff bound on P[||f(x)||^2 >= ratio * q_xx] over the public randomness,
    for one row x fixed independently of it: how likely the clip is to touch a row of
    squared norm q_xx d (``ratio`` = C^2 / q_xx; q_xx = R^2 / d on the boundary).

    ||f(x)||^2 / q_xx = A / m + B / m' with A, B sums of m and m' iid copies of
    Y = relu(g)^2, g ~ N(0, 1) (a tangent feature's (u . x)^2 step(v . x) / q_xx has
    Y's law), whose moment generating function is 1/2 + 1/(2 sqrt(1 - 2 mu)), so
    P <= min over lambda of exp(-lambda ratio) E e^{lambda A / m} E e^{lambda B / m'}."""
    sizes = [s for s in (features, tangent_features) if s > 0]
    top = 0.5 * min(sizes) * (1.0 - 1e-12)  # lambda / size < 1/2

    def log_bound(lam: float) -> float:
        return -lam * ratio + sum(s * math.log(0.5 + 0.5 / math.sqrt(1.0 - 2.0 * lam / s))
                                  for s in sizes)

    low, high = 0.0, top  # log_bound is convex in lambda: golden-section search
    golden = (math.sqrt(5.0) - 1.0) / 2.0
    for _ in range(200):
        a, b = high - golden * (high - low), low + golden * (high - low)
        if log_bound(a) <= log_bound(b):
            high = b
        else:
            low = a
    return min(1.0, math.exp(min(0.0, log_bound((low + high) / 2))))


# --- the public randomness ------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ReluFeatureMap:
    """W (m, d), and for the NTK U and V (m', d): rows of iid N(0, 1/d) entries."""

    weights: NDArray[np.float64]
    tangent_values: NDArray[np.float64] | None = None
    tangent_gates: NDArray[np.float64] | None = None

    def __post_init__(self) -> None:
        if (self.tangent_values is None) != (self.tangent_gates is None):
            raise InvalidParameter("features", "the tangent features need both U and V")
        if self.tangent_values is not None and self.tangent_gates is not None and (
                self.tangent_values.shape != self.tangent_gates.shape
                or self.tangent_values.shape[1] != self.weights.shape[1]):
            raise InvalidParameter("features", "U, V and W must have d columns, U and V "
                                   "the same rows")

    @property
    def features(self) -> int:
        return int(self.weights.shape[0])

    @property
    def tangent_features(self) -> int:
        return 0 if self.tangent_values is None else int(self.tangent_values.shape[0])

    @property
    def size(self) -> int:
        return self.features + self.tangent_features

    def transform(self, X: Array) -> Array:
        """f(x) for an (n, d) array of any Array API namespace: (n, m + m') float64."""
        xp = array_namespace(X)
        dev = device(X)
        Z = X @ xp.asarray(self.weights.T.copy(), device=dev)
        parts = [xp.where(Z > 0, Z, xp.zeros_like(Z)) / math.sqrt(self.features)]
        if self.tangent_values is not None and self.tangent_gates is not None:
            values = X @ xp.asarray(self.tangent_values.T.copy(), device=dev)
            gates = X @ xp.asarray(self.tangent_gates.T.copy(), device=dev)
            parts.append(xp.where(gates > 0, values, xp.zeros_like(values))
                         / math.sqrt(self.tangent_features))
        return xp.concat(parts, axis=1) if len(parts) > 1 else parts[0]

    def clipped(self, X: Array, clip: float) -> Array:
        """f(x) scaled to norm C * CLIP_SHRINK wherever its norm exceeds C."""
        xp = array_namespace(X)
        F = self.transform(X)
        norms = xp.sqrt(xp.sum(F * F, axis=1))
        over = norms > clip
        safe = xp.where(over, norms, xp.ones_like(norms))
        factor = xp.where(over, (clip * CLIP_SHRINK) / safe, xp.ones_like(norms))
        return F * xp.expand_dims(factor, axis=1)

    def arrays(self) -> dict[str, NDArray[np.float64]]:
        out = {"weights": self.weights}
        if self.tangent_values is not None and self.tangent_gates is not None:
            out |= {"tangent_values": self.tangent_values, "tangent_gates": self.tangent_gates}
        return out


def draw_relu_map(*, dim: int, features: int, tangent_features: int,
                  seed: int) -> ReluFeatureMap:
    """The public randomness from a published seed: W, then U and V (NTK only)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    scale = 1.0 / math.sqrt(dim)
    weights = rng.standard_normal((features, dim)) * scale
    if tangent_features == 0:
        return ReluFeatureMap(weights)
    values = rng.standard_normal((tangent_features, dim)) * scale
    gates = rng.standard_normal((tangent_features, dim)) * scale
    return ReluFeatureMap(weights, values, gates)


# --- building -------------------------------------------------------------------------

class ReluSpecLike(Protocol):
    """What the builder and the release read of the spec that made them."""

    kind: ClassVar[str]

    @property
    def data(self) -> DataSpec: ...

    @property
    def clip(self) -> float: ...

    def public_params(self) -> dict[str, Any]: ...


class ReluFeatureBuilder:
    def __init__(self, spec: ReluSpecLike, fmap: ReluFeatureMap) -> None:
        self._spec = spec
        self._fmap = fmap

    @property
    def feature_map(self) -> ReluFeatureMap:
        """The public randomness this builder drew (it may be published)."""
        return self._fmap

    def accumulate(self, chunk: Array) -> dict[str, Array]:
        """The sum of the rows' clipped features, over blocks of one fixed shape (a
        row's features never depend on the rows beside it), and the row count."""
        xp = array_namespace(chunk)
        total = xp.zeros(self._fmap.size, dtype=xp.float64, device=device(chunk))
        for rows, real in fixed_blocks(chunk, block_rows(self._fmap.size)):
            clipped = self._fmap.clipped(rows, self._spec.clip)
            total = total + xp.sum(clipped[:real, ...], axis=0, dtype=xp.float64)
        return {"features": total,
                "count": xp.asarray([float(chunk.shape[0])], dtype=xp.float64)}

    def finish(self, noisy: Mapping[str, NDArray[np.float64]],
               plan: NoisePlan) -> ReluFeatureRelease:
        data = self._spec.data
        return ReluFeatureRelease(
            kind=self._spec.kind, dim=data.dim, params=self._spec.public_params(),
            plan=plan, fmap=self._fmap, clip=self._spec.clip,
            input_bound=data.domain.max_norm(data.dim),
            feature_sum=np.asarray(noisy["features"], dtype=np.float64),
            count=float(noisy["count"][0]))


def _rf_std(features: int, tangent_features: int) -> float:
    """Bound on the std of the random-feature estimate of one kernel value, in units of
    sqrt(q_xx q_yy): the NNGP and tangent estimates are independent means of m and m'
    iid terms of second moment <= 1.5 q_xx q_yy."""
    var = _SECOND_MOMENT / features
    if tangent_features:
        var += _SECOND_MOMENT / tangent_features
    return math.sqrt(var)


def _boundary_kernel(dim: int, input_bound: float, tangent: bool) -> float:
    """k(x, x) = E||f(x)||^2 at ||x|| = R: q / 2 (NNGP) or q (NTK), q = R^2 / d."""
    q = input_bound**2 / dim
    return q if tangent else q / 2


@dataclass(frozen=True, slots=True)
class ReluFeatureRelease:
    """Noisy clipped-feature sum and count, plus the public feature map and clip.
    ``input_bound``: R, the declared domain's largest ||x|| (public)."""

    kind: str
    dim: int
    params: dict[str, Any]
    plan: NoisePlan
    fmap: ReluFeatureMap
    clip: float
    input_bound: float
    feature_sum: NDArray[np.float64]
    count: float

    def query(self, points: NDArray[np.float64], reduce: Reduce = "sum") -> QueryResult:
        """F(y) = f(y) . S, its noise std sigma ||f(y)|| and the random-feature error
        bound, per point (f(y) is not clipped)."""
        Y = check_points(points, self.dim)
        sigma = self.plan.std("features")
        values = np.empty(Y.shape[0])
        feature_norms = np.empty(Y.shape[0])
        block = block_rows(self.fmap.size)
        for start in range(0, Y.shape[0], block):
            stop = min(start + block, Y.shape[0])
            F = np.asarray(self.fmap.transform(Y[start:stop]))
            values[start:stop] = F @ self.feature_sum
            feature_norms[start:stop] = np.linalg.norm(F, axis=1)
        noise_std = sigma * feature_norms
        approx = self.approximation_mean(np.linalg.norm(Y, axis=1))
        n_hat = clamp_count(self.count)
        if reduce == "sum":
            return QueryResult(values, noise_std, approx * n_hat)
        std = ratio_std(values, noise_std, n_hat, self.plan.std("count"))
        return QueryResult(values / n_hat, std, approx)

    def approximation_mean(self, query_norms: NDArray[np.float64]) -> NDArray[np.float64]:
        """Bound on the std of the random-feature error of F(y)/n at queries of these
        norms: sqrt(1.5 (1/m + 1/m')) R ||y|| / d, per pair and so for the mean
        (Minkowski), for rows the clip leaves alone (see ``clip_probability``)."""
        rf = _rf_std(self.fmap.features, self.fmap.tangent_features)
        return np.asarray(rf * self.input_bound * query_norms / self.dim, dtype=np.float64)

    def error_model(self, data: DataSpec) -> ErrorModel:
        """At a query on the domain's boundary: the rms of its noise std over the
        public randomness, sigma sqrt(E||f(y)||^2), and the random-feature bound; the
        clip, and the Chernoff bound on the chance it touches a boundary row."""
        tangent = self.fmap.tangent_features > 0
        typical = _boundary_kernel(self.dim, self.input_bound, tangent)
        ratio = (self.clip / math.sqrt(typical))**2 * (1.0 if tangent else 0.5)
        return ErrorModel(
            self.plan.std("features") * math.sqrt(typical), self.plan.std("count"),
            float(self.approximation_mean(np.array([self.input_bound]))[0]),
            {"clip": self.clip, "clip_probability": clip_probability(
                self.fmap.features, self.fmap.tangent_features, ratio)})

    def header(self) -> dict[str, Any]:
        return {"kind": self.kind, "dim": self.dim, "params": self.params,
                "plan": self.plan.to_dict(), "clip": self.clip,
                "input_bound": self.input_bound, "count": self.count}

    def arrays(self) -> dict[str, NDArray[np.float64]]:
        return {"feature_sum": self.feature_sum, **self.fmap.arrays()}

    @classmethod
    def from_parts(cls, header: Mapping[str, Any],
                   arrays: Mapping[str, NDArray[np.float64]]) -> Self:
        try:
            fmap = ReluFeatureMap(arrays["weights"], arrays.get("tangent_values"),
                                  arrays.get("tangent_gates"))
            release = cls(kind=header["kind"], dim=int(header["dim"]),
                          params=header["params"], plan=NoisePlan.from_dict(header["plan"]),
                          fmap=fmap, clip=float(header["clip"]),
                          input_bound=float(header["input_bound"]),
                          feature_sum=arrays["feature_sum"], count=float(header["count"]))
        except (KeyError, TypeError, ValueError, InvalidParameter) as exc:
            raise CorruptRelease("relu feature release is incomplete") from exc
        if release.feature_sum.shape != (fmap.size,) or fmap.weights.shape[1] != release.dim:
            raise CorruptRelease("relu feature release arrays have the wrong shapes")
        return release


# --- the spec both kinds share --------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ReluFeatureSpec:
    """The pipeline ``relu_nngp`` and ``relu_ntk`` share: clipped ReLU features (and,
    with ``tangent``, the tangent features), noisy sum and count. A kind subclasses it
    with its ``kind`` and ``tangent`` and parses its typed parameters into
    ``from_sizes``; ``tangent_features`` is 0 for the NNGP."""

    kind: ClassVar[str]
    tangent: ClassVar[bool]
    data: DataSpec
    features: int
    tangent_features: int
    clip: float
    mechanism: Mechanism

    @classmethod
    def from_sizes(cls, data: DataSpec, features: int, tangent_features: int,
                   clip: float | None, mechanism: str) -> Self:
        """The rule across parameters: the clip, given or derived from the domain."""
        if clip is None:
            clip = cls.default_clip(data)
        return cls(data, features, tangent_features, float(clip),
                   "gaussian" if mechanism == "gaussian" else "laplace")

    @classmethod
    def default_clip(cls, data: DataSpec) -> float:
        """CLIP_MULTIPLE times the rms feature norm of a boundary row:
        2 R / sqrt(2 d) (NNGP) or 2 R / sqrt(d) (NTK), R the domain's largest ||x||."""
        typical = _boundary_kernel(data.dim, data.domain.max_norm(data.dim), cls.tangent)
        return CLIP_MULTIPLE * math.sqrt(typical)

    @property
    def size(self) -> int:
        return self.features + self.tangent_features

    def public_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"features": self.features}
        if self.tangent:
            params["tangent_features"] = self.tangent_features
        return params | {"clip": self.clip, "mechanism": self.mechanism}

    def sensitivities(self) -> tuple[float, float]:
        """(L1, L2) sensitivity of the clipped feature sum (docs/privacy/relu_kernels.md):
        add/remove C sqrt(M) and C; replace-one NNGP C sqrt(2m) and sqrt(2) C (its
        features are >= 0), NTK C sqrt(2m + 4m') and 2 C."""
        C, m, mt = self.clip, self.features, self.tangent_features
        if self.data.neighbouring == "add_remove":
            return C * math.sqrt(m + mt), C
        if self.tangent:
            return C * math.sqrt(2 * m + 4 * mt), 2 * C
        return C * math.sqrt(2 * m), math.sqrt(2.0) * C

    def _typical(self) -> float:
        return _boundary_kernel(self.data.dim, self.data.domain.max_norm(self.data.dim),
                                self.tangent)

    def statistics(self) -> list[Statistic]:
        # weights: the variance of a mean answer is sigma^2 ||f(y)||^2 + (F/n)^2 sigma_n^2,
        # with ||f(y)||^2 and F/n both about k(y, y) = s on the boundary: s and s^2,
        # divided by s
        l1, l2 = self.sensitivities()
        return [Statistic("features", self.size, l1, l2, 1.0),
                count_statistic(self.data.neighbouring, weight=self._typical())]

    def builder(self, seed: int) -> ReluFeatureBuilder:
        fmap = draw_relu_map(dim=self.data.dim, features=self.features,
                             tangent_features=self.tangent_features, seed=seed)
        return ReluFeatureBuilder(self, fmap)

    def release_bytes(self) -> int:
        """feature_sum (M), W (m x d), U and V (m' x d each)."""
        return 8 * (self.size + (self.features + 2 * self.tangent_features) * self.data.dim)

    def estimate(self, plan: NoisePlan, rows: int) -> ErrorEstimate:
        """At a query on the boundary: noise std sigma sqrt(s) of a sum, the mean's at
        F/n = s (the kernel's largest value there), the random-feature bound
        sqrt(1.5 (1/m + 1/m')) R^2 / d; typical answer s = k(y, y)."""
        typical = self._typical()
        n = float(max(rows, 1))
        sum_std = plan.std("features") * math.sqrt(typical)
        mean_std = ratio_std(np.array([n * typical]), np.array([sum_std]), n,
                             plan.std("count"))
        radius = self.data.domain.max_norm(self.data.dim)
        approx = _rf_std(self.features, self.tangent_features) * radius**2 / self.data.dim
        return ErrorEstimate(noise_std_sum=sum_std, noise_std_mean=float(mean_std[0]),
                             approximation_mean=approx, typical_mean=typical)

    def cost(self, rows: int, chunk_rows: int) -> Cost:
        """Per row: (m + 2m') d multiply-adds and about 8 passes over the M features
        (rectify or gate, square, norm, scale, sum); per chunk: a transposed copy of
        W, U, V; once: their (m + 2m') d normals; the noise: M + 1 values. A query:
        the same features and a dot product. Measured (``bench.cost.measure``, one
        core): 1.4-2x the build and 2x the query CPU at d = 8-32; at d = 512-1024 the
        wide products run 3-5 times faster than ``SECONDS_PER_MAC`` (calibrated at
        inner dimension 8), so the estimates are 4-8x high there."""
        d, M = self.data.dim, self.size
        weights = (self.features + 2 * self.tangent_features) * d
        block = block_rows(M)
        largest, _ = chunk_sizes(rows, chunk_rows)
        per_row = (weights * SECONDS_PER_MAC["float64"] + 8 * M * SECONDS_PER_PASS)
        per_chunk = 2 * weights * SECONDS_PER_PASS
        # per block row, the features' temporaries: measured 4.0 M (NNGP) and 4.9 M
        # (NTK, m = m') float64 values at their peak (bench.cost's cases)
        per_block_row = 5 * self.features + 7 * self.tangent_features
        working = min(block, max(largest, 1)) * 8 * per_block_row + 2 * 8 * weights
        return build_cost(data=self.data, statistics=self.statistics(),
                          mechanism=self.mechanism, release_bytes=self.release_bytes(),
                          rows=rows, chunk_rows=chunk_rows, seconds_per_row=per_row,
                          seconds_per_chunk=per_chunk,
                          fixed_seconds=weights * (SECONDS_PER_NORMAL + SECONDS_PER_PASS),
                          working_bytes=working,
                          query_seconds=per_row + weights * SECONDS_PER_PASS / block)

