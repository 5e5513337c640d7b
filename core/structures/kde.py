"""Kernel density from random Fourier features: ``gaussian_kde``, ``exponential_kde``,
``laplace_kde`` and ``rff_baseline``.

Each approximates a shift-invariant kernel k(x, y) = kappa(x - y) by an inner product of
bounded feature vectors, k(x, y) ~ c <phi(x), phi(y)>, with frequencies omega drawn from
the kernel's spectral distribution (Bochner; Rahimi and Recht 2007), so that
E cos(omega . delta) = kappa(delta):

- gaussian, exp(-||delta||_2^2 / sigma^2): omega ~ N(0, (2 / sigma^2) I);
- exponential, exp(-||delta||_2 / sigma): multivariate Cauchy, omega = z / (sigma |u|)
  with z ~ N(0, I) and u ~ N(0, 1);
- laplace, exp(-||delta||_1 / sigma): iid standard Cauchy / sigma per coordinate.

The structure releases the noisy feature sum S = sum_x phi(x) and, under add/remove, a
noisy count; a query is F(y) = c <S, phi(y)>, mean = F(y) / n. Every row moves S by a
bounded amount whatever its value and whatever the frequencies, so the sensitivities
below hold for any domain and any kernel.

- ``gaussian_kde`` (this paper's pipeline), ``exponential_kde`` (the same pipeline):
  an optional data-independent JL projection z = P x (P has iid N(0, 1/k) entries),
  then paired features phi(z) = [cos(W z), sin(W z)] (m/2 frequencies, no random
  phases; Sutherland and Schneider 2015), c = 2/m. L1 sensitivity m/sqrt(2) and L2
  sensitivity sqrt(m/2) under add/remove; twice both under replace-one. Laplace or
  Gaussian mechanism. With the Gaussian mechanism the query noise std is
  sigma_noise * sqrt(2/m) with sigma_noise proportional to sqrt(m/2): it does not grow
  with m.
- ``laplace_kde``: the same without projection (a JL projection does not preserve the
  l1 distance, so ``projection_dim`` is refused).
- ``rff_baseline`` (Wagner, Naamad and Mishra 2023, LSQ-RFF): Gaussian kernel, no
  projection, features phi_j(x) = sqrt(2) cos(omega_j . x + b_j) with random phases
  b_j ~ U[0, 2 pi), c = 1/m, L1 sensitivity sqrt(2) m (add/remove), Laplace only: the
  prior art, for comparison.

Derivation: docs/privacy/kde.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
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
    SECONDS_PER_NORMAL,
    SECONDS_PER_PASS,
    SECONDS_PER_QR,
    SECONDS_PER_QR_CUBE,
    SECONDS_PER_QUANTILE,
    SECONDS_PER_REMAINDER,
    SECONDS_PER_TRIG,
    SECONDS_PER_TRIG_LARGE,
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
from core.structures.params import ParamReader

__all__ = [
    "KERNELS", "ExponentialKDESpec", "FeatureMap", "GaussianKDESpec", "KernelName",
    "LaplaceKDESpec", "PairedKDESpec", "RFFBaselineSpec", "RandomFeatureBuilder",
    "RandomFeatureRelease",
    "check_angle_range", "draw_feature_map", "draw_frequencies", "draw_projection",
    "frequency_cap", "kernel_estimate",
    "projection_variance",
]

FeatureStyle = Literal["paired", "phased"]
Precision = Literal["float32", "float64"]
Design = Literal["orthogonal", "iid"]
F32_SHRINK = 1.0 - 2.0**-20  # float32 features are shrunk by this (see FeatureMap.features)
_F32_EPS = 2.0**-24  # unit roundoff of float32
_F64_EPS = 2.0**-53  # unit roundoff of float64
_FLOAT32_SAFE = 1e30  # frequencies above this (in l1 norm) are kept in float64 for queries
KernelName = Literal["gaussian", "exponential", "laplace"]
KERNELS: tuple[KernelName, ...] = ("gaussian", "exponential", "laplace")
MAX_FEATURES = 65_536
MAX_PROJECTION_DIM = 8_192
_BLOCK_ROWS = 2_048  # rows per block at most
_BLOCK_VALUES = 2**22  # and at most this many feature values per block (32 MiB float64)
# |u| in a Cauchy ratio z / |u| is raised to at least this, so that a u of exactly 0
# (NumPy's normal sampler can return it, rarely) gives a huge but finite frequency
_SMALLEST_DIVISOR = 1e-100
# standard normal draws are clamped to +-this (never binds in practice: P ~ e^-800), so
# that every frequency and projection entry has a deterministic bound
_NORMAL_CLAMP = 40.0
# the largest angle |omega . z| allowed over the declared domain: parameters under
# which it could be larger are refused at parse time, so float64 angles stay finite
MAX_ANGLE = 1e300
# cosines of angles beyond these take NumPy's slow path (measured: float32 4 ns below
# 1e4, 19 ns from 1e6; float64 28 ns to 1e8, 100 ns from 1e9)
LARGE_ANGLE: dict[Precision, float] = {"float32": 3e4, "float64": 3e8}
# float32 angles are used only where every angle over the domain stays below this: the
# float32 spacing there is 2^-4, beyond it the angles are formed in float64 and reduced
# modulo 2 pi before their float32 cos and sin (the features stay finite either way)
FLOAT32_ANGLE_LIMIT = 2.0**20
_NO_L1_PROJECTION = ("must be null for the laplace kernel: a JL projection does not "
                     "preserve the l1 distance")


def projection_variance(kernel: KernelName, k: int) -> float:
    """Bound on the mean squared error a JL projection to k dimensions adds to one
    kernel value (docs/privacy/kde.md, "Approximation error").

    gaussian: R = ||P d||^2 / ||d||^2 ~ chi2_k / k has variance 2/k and
    |d/dR exp(-t R)| <= 1/e at R = 1: 2 / (k e^2), first order (the exact value stays
    below it). exponential: R' = ||P d|| / ||d|| has variance ~ 1/(2k) and
    |d/dR' exp(-r R')| <= 1/e: 1 / (2 k e^2) to first order, which the exact value
    exceeds by a factor of about 1 + 1/k (1.72 at k = 1), so the bound is
    (1 + 2/k) / (2 k e^2). laplace: no projection."""
    if kernel == "gaussian":
        return 2.0 / (k * math.e**2)
    if kernel == "exponential":
        return (1.0 + 2.0 / k) / (2.0 * k * math.e**2)
    raise InvalidParameter("projection_dim", _NO_L1_PROJECTION)


@dataclass(frozen=True, slots=True)
class FeatureMap:
    """Public randomness of a random-feature structure, and the map it defines."""

    style: FeatureStyle
    frequencies: NDArray[np.float64]  # (m/2, k) paired or (m, k) phased
    phases: NDArray[np.float64] | None  # (m,) phased only
    projection: NDArray[np.float64] | None  # (k, d) or None
    kernel: KernelName = "gaussian"  # the spectral distribution of the frequencies
    precision: Precision = "float64"  # of the angles and their cos/sin (sums: float64)
    # public bound on ||x||_2 of the rows fed to ``transform`` (the declared domain's);
    # inf where unknown, which sends float32 maps through the float64-angle path
    input_bound: float = math.inf
    # which frequencies get float64 angles (None: none of them), and the permutation
    # that puts [float32 ones, float64 ones] back in frequency order
    _wide: tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]] | None = field(
        default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kernel not in KERNELS:
            raise InvalidParameter("kernel", "must be one of " + ", ".join(KERNELS))
        if self.kernel == "laplace" and self.projection is not None:
            raise InvalidParameter("projection_dim", _NO_L1_PROJECTION)
        if self.frequencies.size:
            wide = self.angle_bounds() > FLOAT32_ANGLE_LIMIT
            if np.any(wide):
                narrow_idx, wide_idx = np.flatnonzero(~wide), np.flatnonzero(wide)
                inverse = np.argsort(np.concatenate([narrow_idx, wide_idx]))
                object.__setattr__(self, "_wide", (narrow_idx, wide_idx, inverse))

    def angle_bounds(self) -> NDArray[np.float64]:
        """Per frequency, max |omega_j . P x| over every row with ||x||_2 <=
        input_bound: public (the frequencies, the projection and the domain), so which
        arithmetic a build uses for a frequency never depends on the rows."""
        z_bound = self.input_bound
        if self.projection is not None:
            z_bound *= float(np.linalg.norm(self.projection))  # Frobenius >= spectral
        with np.errstate(over="ignore", invalid="ignore"):
            bounds = _row_norms(self.frequencies) * z_bound
        return np.asarray(np.where(np.isfinite(bounds), bounds, np.inf), dtype=np.float64)

    def angle_bound(self) -> float:
        """The largest of ``angle_bounds`` (0 without frequencies)."""
        return float(np.max(self.angle_bounds())) if self.frequencies.size else 0.0

    @property
    def size(self) -> int:
        rows = int(self.frequencies.shape[0])
        return 2 * rows if self.style == "paired" else rows

    @property
    def scale(self) -> float:
        """c in k(x, y) ~ c <phi(x), phi(y)>."""
        return 2.0 / self.size if self.style == "paired" else 1.0 / self.size

    def project(self, X: Array) -> Array:
        """z = P x for an (n, d) array of any Array API namespace: (n, k)."""
        if self.projection is None:
            return X
        xp = array_namespace(X)
        return X @ xp.asarray(self.projection.T.copy(), device=device(X))

    def features(self, Z: Array) -> Array:
        """phi(z) for already projected (n, k) rows: (n, m), float64.

        In float32 precision the angles and their cos/sin are computed in float32 (ten
        times faster on CPUs) and shrunk by ``F32_SHRINK`` on the way back to float64:
        float32 cos and sin are within a few ulps (< 1e-6 relative) of the true values,
        so the shrunk pairs still satisfy |cos| + |sin| <= sqrt 2 and cos^2 + sin^2 <= 1,
        the bounds the sensitivities rest on.

        Total on the declared domain (``input_bound``): a frequency's angles are formed
        in float32 only where every angle over the domain fits (``FLOAT32_ANGLE_LIMIT``);
        the others (rare heavy-tailed frequencies, or all of them for a bandwidth tiny
        against the domain) in float64 (finite there: ``check_angle_range``), reduced
        mod 2 pi.
        Outside the domain (queries), an angle beyond float64's range counts as 0:
        bounded features, whatever the input."""
        xp = array_namespace(Z)
        dev = device(Z)
        with np.errstate(over="ignore", invalid="ignore"):
            if self.style == "paired" and self.precision == "float32":
                if self._wide is None:
                    T32 = self._angles32(xp, Z, self.frequencies)
                else:  # angles float32 cannot hold: form them in float64, reduce mod 2 pi
                    narrow_idx, wide_idx, inverse = self._wide
                    T64 = _finite_angles(xp, Z @ xp.asarray(
                        self.frequencies[wide_idx].T.copy(), device=dev))
                    parts = [xp.astype(xp.remainder(T64, 2 * math.pi), xp.float32)]
                    if narrow_idx.size:
                        parts.insert(0, self._angles32(xp, Z, self.frequencies[narrow_idx]))
                    T32 = xp.take(xp.concat(parts, axis=1) if len(parts) > 1 else parts[0],
                                  xp.asarray(inverse, device=dev), axis=1)
                pairs = xp.concat([xp.cos(T32), xp.sin(T32)], axis=1)
                return xp.astype(pairs, xp.float64) * F32_SHRINK
            T = _finite_angles(xp, Z @ xp.asarray(self.frequencies.T.copy(), device=dev))
            if self.style == "paired":
                return xp.concat([xp.cos(T), xp.sin(T)], axis=1)
            phases = xp.asarray(self.phases, device=dev)
            return math.sqrt(2.0) * xp.cos(T + phases)

    @staticmethod
    def _angles32(xp: Any, Z: Array, frequencies: NDArray[np.float64]) -> Array:
        return xp.astype(Z, xp.float32) @ xp.asarray(frequencies.T.copy(), dtype=xp.float32,
                                                     device=device(Z))

    def transform(self, X: Array) -> Array:
        """phi(P X) for an (n, d) array of any Array API namespace: (n, m)."""
        return self.features(self.project(X))

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
        frequency is (1 + kappa(2 delta))/2 - kappa^2 <= 1/2 for every kernel here
        (gaussian (1 - kappa^2)^2 / 2, exponential and laplace (1 - kappa^2) / 2), of
        one phased feature <= 1; the JL projection adds ``projection_variance``."""
        var = 1.0 / self.size
        if self.projection is not None:
            var += projection_variance(self.kernel, self.projection.shape[0])
        return math.sqrt(var)

    def arrays(self) -> dict[str, NDArray[np.float64]]:
        out = {"frequencies": self.frequencies}
        if self.phases is not None:
            out["phases"] = self.phases
        if self.projection is not None:
            out["projection"] = self.projection
        return out


def block_rows(features: int) -> int:
    """Rows per block of a feature computation: at most ``_BLOCK_VALUES`` values, a
    multiple of 64 rows where that fits (whole tiles for the matrix product)."""
    rows = max(1, min(_BLOCK_ROWS, _BLOCK_VALUES // max(features, 1)))
    return rows - rows % 64 if rows >= 64 else rows


def fixed_blocks(chunk: Array, block: int) -> Iterator[tuple[Array, int]]:
    """A chunk of rows as blocks of exactly ``block`` rows (the last one padded with
    zero rows), each with how many of its rows are real.

    A build's matrix products then always have one shape, whatever the chunk holds.
    BLAS chooses its kernels, tiling and summation order by shape, so with a shape
    that varies with the row count, adding one row to a dataset changes the float32
    angles of the rows beside it by a few ulps, and at angles in the thousands their
    cosines by more than the ``F32_SHRINK`` margin (the sensitivity search found sums
    moving 1.3e-5 beyond their claimed sensitivity that way). With a fixed shape the
    other rows' features are bit-identical between neighbouring datasets."""
    xp = array_namespace(chunk)
    n = chunk.shape[0]
    for start in range(0, n, block):
        stop = min(start + block, n)
        rows = chunk[start:stop, ...]
        if stop - start < block:
            pad = xp.zeros((block - (stop - start), chunk.shape[1]), dtype=chunk.dtype,
                           device=device(chunk))
            rows = xp.concat([rows, pad], axis=0)
        yield rows, stop - start


def _finite_angles(xp: Any, T: Array) -> Array:
    """Angles as they are, but 0 where one overflowed float64 (only possible for points
    outside the declared domain)."""
    return xp.where(xp.isfinite(T), T, xp.zeros_like(T))


def _row_norms(A: NDArray[np.float64]) -> NDArray[np.float64]:
    """Row l2 norms that do not overflow for huge (finite) entries."""
    peak = np.max(np.abs(A), axis=1)
    safe = np.where(peak > 0, peak, 1.0)
    with np.errstate(over="ignore"):
        return np.asarray(np.linalg.norm(A / safe[:, None], axis=1) * peak)


def _normal(rng: np.random.Generator, shape: tuple[int, int]) -> NDArray[np.float64]:
    """Standard normal draws clamped to +-_NORMAL_CLAMP (which they never reach)."""
    return np.clip(rng.standard_normal(shape), -_NORMAL_CLAMP, _NORMAL_CLAMP)


def frequency_cap(kernel: KernelName, k: int, bandwidth: float) -> float:
    """A deterministic bound on ||omega||_2 for every frequency drawn for ``kernel`` in k
    dimensions (frequencies are capped at it; the cap binds with probability below
    1e-90, so the spectral distribution is unchanged to that order): gaussian
    sqrt 2 (sqrt k + 40) / sigma (a chi_k tail); the Cauchy kernels
    1e100 (sqrt k + 40) / sigma (|u| >= 1e-100 in z / |u|). inf if it overflows."""
    base = math.sqrt(2.0) if kernel == "gaussian" else 1.0 / _SMALLEST_DIVISOR
    with np.errstate(over="ignore"):
        cap = float(np.float64(base * (math.sqrt(k) + _NORMAL_CLAMP)) / np.float64(bandwidth))
    return cap if math.isfinite(cap) else math.inf


def _cap_norms(frequencies: NDArray[np.float64], cap: float) -> NDArray[np.float64]:
    norms = _row_norms(frequencies)
    factor = np.where(norms > cap, cap / np.maximum(norms, np.finfo(np.float64).tiny), 1.0)
    return np.asarray(frequencies * factor[:, None])


def check_angle_range(kernel: KernelName, *, dim: int, k: int, bandwidth: float,
                      input_bound: float, projected: bool, name: str = "params.bandwidth"
                      ) -> None:
    """Refuse parameters under which an angle omega . P x could overflow float64 for
    some x in the domain: frequency_cap * max ||P x|| must stay below ``MAX_ANGLE``
    (||P||_F <= 40 sqrt d with the clamped projection entries)."""
    z_bound = input_bound * (_NORMAL_CLAMP * math.sqrt(dim) if projected else 1.0)
    with np.errstate(over="ignore"):
        worst = float(np.float64(frequency_cap(kernel, k, bandwidth)) * np.float64(z_bound))
    if not worst <= MAX_ANGLE:
        raise InvalidParameter(name, "too small for the declared domain: the feature "
                               "angles could overflow (raise the bandwidth or shrink "
                               "the domain)")


def draw_projection(rng: np.random.Generator, projection_dim: int | None,
                    dim: int) -> NDArray[np.float64] | None:
    """The JL matrix P (k, d) with iid N(0, 1/k) entries (clamped at 40 / sqrt k), or
    None."""
    if projection_dim is None:
        return None
    return _normal(rng, (projection_dim, dim)) / math.sqrt(projection_dim)


def draw_frequencies(rng: np.random.Generator, kernel: KernelName, rows: int, k: int,
                     bandwidth: float) -> NDArray[np.float64]:
    """(rows, k) iid frequencies with E cos(omega . delta) = kernel(delta), each row's
    norm capped at ``frequency_cap``."""
    cap = frequency_cap(kernel, k, bandwidth)
    if not math.isfinite(cap):
        raise InvalidParameter("params.bandwidth", "too small: the frequencies overflow")
    if kernel == "gaussian":
        # E[cos(w . delta)] = exp(-||delta||^2 / sigma^2) for w ~ N(0, (2 / sigma^2) I)
        return _cap_norms(_normal(rng, (rows, k)) * (math.sqrt(2.0) / bandwidth), cap)
    if kernel == "exponential":
        # w = z / (sigma |u|): w . delta = (||delta|| / sigma) (z' / |u|) with z' ~ N(0, 1),
        # a standard Cauchy scaled by ||delta|| / sigma, whose E cos is exp(-||delta|| / sigma)
        z = _normal(rng, (rows, k))
        u = np.abs(rng.standard_normal((rows, 1)))
        return _cap_norms(z / np.maximum(u, _SMALLEST_DIVISOR) / bandwidth, cap)
    if kernel == "laplace":
        # iid standard Cauchy (a ratio of normals) / sigma: w . delta is Cauchy with scale
        # ||delta||_1 / sigma, whose E cos is exp(-||delta||_1 / sigma)
        z = _normal(rng, (rows, k))
        u = np.abs(rng.standard_normal((rows, k)))
        return _cap_norms(z / np.maximum(u, _SMALLEST_DIVISOR) / bandwidth, cap)
    raise InvalidParameter("kernel", "must be one of " + ", ".join(KERNELS))


def draw_orthogonal_frequencies(rng: np.random.Generator, kernel: KernelName, rows: int,
                                k: int, bandwidth: float) -> NDArray[np.float64]:
    """(rows, k) frequencies in blocks of k mutually orthogonal directions (Yu et al.
    2016, orthogonal random features) with stratified radii.

    Per block: Q from the QR factorisation of a k x k Gaussian matrix, signs fixed by
    diag(R), is Haar-distributed, so each row is a uniform direction; each radius is the
    kernel's radial quantile at (pi_i + U_i) / b for a random permutation pi of the b
    rows of the block and U_i ~ U[0, 1): marginally exactly the kernel's radius, drawn
    independently of the direction. Every frequency therefore has the kernel's
    spectral distribution (the estimate stays unbiased) while the directions and radii
    of a block are spread out instead of clumping, which lowers the variance of the
    mean feature (docs/privacy/kde.md). Radii: gaussian sqrt(2) chi_k / sigma;
    exponential (multivariate Cauchy) sqrt(k F(k, 1)) / sigma, as ||z|| / |u| with
    ||z||^2 ~ chi2_k and u ~ N(0, 1)."""
    if kernel == "laplace":
        raise InvalidParameter("params.frequencies", "orthogonal frequencies need a "
                               "rotation-invariant kernel (not laplace)")
    from scipy import stats  # type: ignore[import-untyped]

    cap = frequency_cap(kernel, k, bandwidth)
    if not math.isfinite(cap):
        raise InvalidParameter("params.bandwidth", "too small: the frequencies overflow")
    out = np.empty((rows, k))
    for start in range(0, rows, k):
        b = min(k, rows - start)
        gauss = rng.standard_normal((k, k))
        q, r = np.linalg.qr(gauss)
        directions = (q * np.sign(np.diag(r))).T[:b]
        quantiles = (rng.permutation(b) + rng.uniform(size=b)) / b
        with np.errstate(over="ignore"):
            if kernel == "gaussian":
                radii = stats.chi.ppf(quantiles, df=k) * (math.sqrt(2.0) / bandwidth)
            else:
                radii = np.sqrt(k * stats.f.ppf(quantiles, k, 1)) / bandwidth
        out[start:start + b] = directions * np.minimum(radii, cap)[:, None]
    return out


def draw_feature_map(style: FeatureStyle, *, dim: int, features: int, bandwidth: float,
                     projection_dim: int | None, seed: int,
                     kernel: KernelName = "gaussian", design: Design = "iid",
                     precision: Precision = "float64",
                     input_bound: float = math.inf) -> FeatureMap:
    """Public, data-independent randomness from a published seed: the projection (if
    any), then the frequencies, then the phases (phased style), in that order."""
    if kernel == "laplace" and projection_dim is not None:
        raise InvalidParameter("projection_dim", _NO_L1_PROJECTION)
    rng = np.random.Generator(np.random.PCG64(seed))
    projection = draw_projection(rng, projection_dim, dim)
    k = dim if projection_dim is None else projection_dim
    rows = features // 2 if style == "paired" else features
    if design == "orthogonal":
        frequencies = draw_orthogonal_frequencies(rng, kernel, rows, k, bandwidth)
    else:
        frequencies = draw_frequencies(rng, kernel, rows, k, bandwidth)
    phases = rng.uniform(0.0, 2 * math.pi, size=rows) if style == "phased" else None
    return FeatureMap(style, frequencies, phases, projection, kernel, precision, input_bound)


# --- cost (the constants and ``Cost``: core.structures.base) ----------------------------

def angle_fraction(kernel: KernelName, k: int, bandwidth: float, z_bound: float,
                   limit: float) -> float:
    """About the fraction of frequencies whose angles reach ``limit`` over the domain
    (||w_j|| z_bound > limit, z_bound the public bound on ||P x||): those a float32
    build forms in float64 (``FeatureMap._wide``, limit FLOAT32_ANGLE_LIMIT), or whose
    cosines take the slow path (``LARGE_ANGLE``). Gaussian radii concentrate at
    sqrt(2) (sqrt k +- 4) / sigma; the Cauchy kinds' are heavy-tailed, P(||w|| > t) ~
    sqrt(k) / (sigma t) (exponential: ||z|| / (sigma |u|)) or k / (sigma t) (laplace: k
    iid Cauchy coordinates)."""
    if not z_bound > 0:
        return 0.0
    t = limit / z_bound  # frequencies longer than this reach the limit
    if kernel == "gaussian":
        low = math.sqrt(2.0) * max(math.sqrt(k) - 4.0, 0.0) / bandwidth
        high = math.sqrt(2.0) * (math.sqrt(k) + 4.0) / bandwidth
        return 0.0 if high <= t else 1.0 if low > t else 0.5
    spread = math.sqrt(k) if kernel == "exponential" else float(k)
    return min(1.0, spread / (bandwidth * t))


def typical_row_l1(kernel: KernelName, frequencies: int, k: int, bandwidth: float) -> float:
    """About the largest ||w_j||_1 among ``frequencies`` draws (what decides whether the
    phase form answers queries in float32, ``_FLOAT32_SAFE``): gaussian sqrt(k) times
    the largest radius; the Cauchy kinds about k times the largest of ``frequencies``
    1/|u| (~ frequencies) over sigma."""
    if kernel == "gaussian":
        return math.sqrt(k) * math.sqrt(2.0) * (math.sqrt(k) + 4.0) / bandwidth
    return k * frequencies / bandwidth


def phase_precision(precision: Precision, row_l1: float) -> Precision:
    """The precision the phase form answers queries in (``PhaseForm.of``): float64 for
    float64 maps, and for frequencies float32 cannot hold (||w||_1 above
    ``_FLOAT32_SAFE``)."""
    return "float64" if precision == "float64" or row_l1 > _FLOAT32_SAFE else "float32"


@dataclass(frozen=True, slots=True)
class AngleProfile:
    """How a map's angles fall over the domain: the fraction of frequencies a float32
    build forms in float64 (``wide``) and the fractions whose float32 or float64
    cosines take the slow path (``large32``, ``large64``)."""

    wide: float
    large32: float
    large64: float

    @classmethod
    def of(cls, kernel: KernelName, k: int, bandwidth: float, z_bound: float) -> Self:
        def fraction(limit: float) -> float:
            return angle_fraction(kernel, k, bandwidth, z_bound, limit)

        return cls(fraction(FLOAT32_ANGLE_LIMIT), fraction(LARGE_ANGLE["float32"]),
                   fraction(LARGE_ANGLE["float64"]))

    def trig(self, precision: Precision) -> float:
        """Seconds of one cosine (or sine) at these angles; a float32 map's wide
        frequencies get theirs after the reduction modulo 2 pi (small angles)."""
        if precision == "float64":
            return _trig("float64", self.large64)
        return _trig("float32", max(self.large32 - self.wide, 0.0))


def _trig(precision: Precision, large: float) -> float:
    return ((1.0 - large) * SECONDS_PER_TRIG[precision]
            + large * SECONDS_PER_TRIG_LARGE[precision])


def query_trig(precision: Precision, large: float) -> float:
    """Seconds of one cosine in a query: queries may lie anywhere in the allowed range,
    and those far outside the domain take the slow path (measured: up to 2.5 times the
    cost per point of in-domain queries), so at least the midpoint of the two paths,
    within a factor 2 of either."""
    midpoint = (SECONDS_PER_TRIG[precision] + SECONDS_PER_TRIG_LARGE[precision]) / 2
    return max(_trig(precision, large), midpoint)


def feature_row_seconds(k: int, features: int, precision: Precision,
                        angles: AngleProfile) -> float:
    """CPU seconds of one row's m paired features from its k (projected) coordinates
    (``FeatureMap.features``): the angles (k multiply-adds each of m/2), cos and sin,
    the casts and the column sum; a float32 map's wide frequencies also get float64
    angles reduced modulo 2 pi."""
    half = features // 2
    trig = angles.trig(precision)
    if precision == "float64":
        return (half * k * SECONDS_PER_MAC["float64"] + features * trig
                + (2 * half + 3 * features) * SECONDS_PER_PASS)
    narrow = (half * k * SECONDS_PER_MAC["float32"] + features * trig
              + 6 * features * SECONDS_PER_PASS)
    wide = half * (k * SECONDS_PER_MAC["float64"] + SECONDS_PER_REMAINDER
                   + 5 * SECONDS_PER_PASS)
    return narrow + angles.wide * wide


def feature_row_bytes(k: int, features: int, precision: Precision, wide: float) -> int:
    """Bytes of the intermediate arrays per row of a feature block: the angles, their
    cos and sin, the pair, its float64 copy and the shrunk copy (float32 builds), or
    the float64 angles, their mask, cos, sin and the pair."""
    half = features // 2
    if precision == "float64":
        return 8 * (2 * half + 2 * features) + 8 * k
    return int(4 * k + 4 * 3 * half + 4 * features + 16 * features
               + wide * (8 * 2 * half + 4 * half + 4 * features))


def frequency_draw_cost(kernel: KernelName, design: Design, rows: int, k: int,
                        dim: int, projected: bool) -> tuple[float, int]:
    """(CPU seconds, peak bytes) of drawing the public randomness of one feature map:
    the projection (k x d normals), then ``rows`` frequencies, iid (normals, norms, the
    cap) or orthogonal (one k x k Gaussian matrix and its QR per k frequencies, however
    few are used of it, and a radial quantile each), and setting the map up (angle
    bounds, the float32 copies, the phase form)."""
    seconds = (k * dim * (SECONDS_PER_NORMAL + 2 * SECONDS_PER_PASS)) if projected else 0.0
    if design == "orthogonal":
        blocks = -(-rows // k)
        seconds += blocks * (SECONDS_PER_QR + k**3 * SECONDS_PER_QR_CUBE
                             + k * k * (SECONDS_PER_NORMAL + 4 * SECONDS_PER_PASS))
        seconds += rows * SECONDS_PER_QUANTILE
        scratch = 4 * 8 * k * k
    else:
        normals = rows * k * (2 if kernel == "laplace" else 1)
        seconds += normals * SECONDS_PER_NORMAL + 6 * rows * k * SECONDS_PER_PASS
        scratch = 3 * 8 * rows * k
    seconds += 10 * rows * k * SECONDS_PER_PASS  # angle bounds, copies, the phase form
    return seconds, scratch + (8 + 4 + 8) * rows * k


def phase_query_seconds(dim: int, k: int, projected: bool, frequencies: int,
                        precision: Precision, angles: AngleProfile) -> float:
    """CPU seconds per query point of the phase form (``PhaseForm.evaluate``) with
    ``frequencies`` (k-dimensional) frequencies: the projection, the angles, one cosine
    and one multiply-add each; in float64 (wide) also the remainder, the masks and the
    per-frequency rounding bound (its cosines then see angles below 2 pi)."""
    mac = SECONDS_PER_MAC[precision]
    seconds = (dim * k * mac if projected else 0.0) + frequencies * k * mac
    if precision == "float32":
        return seconds + frequencies * (query_trig("float32", angles.large32)
                                        + SECONDS_PER_PASS)
    return seconds + frequencies * (SECONDS_PER_REMAINDER + SECONDS_PER_TRIG["float64"]
                                    + 12 * SECONDS_PER_PASS)


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


class RandomFeatureBuilder:
    def __init__(self, spec: PairedKDESpec | RFFBaselineSpec, fmap: FeatureMap) -> None:
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
        for rows, real in fixed_blocks(chunk, block_rows(self._fmap.size)):
            total = total + xp.sum(self._fmap.transform(rows)[:real, ...], axis=0,
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
class PhaseForm:
    """The paired release rewritten for queries: a_j cos t + b_j sin t = r_j cos(t - psi_j)
    with r_j = hypot(a_j, b_j) and psi_j = atan2(b_j, a_j), where (a_j, b_j) are the noisy
    cos and sin sums of frequency j. One cos per frequency instead of a cos and a sin;
    post-processing of the release, so it changes nothing in the privacy analysis.

    In float32 precision every query also gets a bound on the float32 rounding of its
    angles, cosines and sum (``rounding``), added to its approximation bound."""

    precision: Precision
    frequencies: NDArray[Any]  # (F, k) in the query precision
    projection: NDArray[Any] | None  # (k, d) in the query precision
    psi: NDArray[Any]  # (F,)
    amplitude: NDArray[Any]  # (F,)
    weighted_l1: float  # sum_j r_j ||w_j||_1
    weighted_rest: float  # sum_j r_j (3 |psi_j| + F + 3), times the unit roundoff
    projection_row_l1: float  # max_i sum_l |P_il| (1 without a projection)
    frequency_row_l1: float = 0.0  # max_j ||w_j||_1

    @classmethod
    def of(cls, maps: Sequence[FeatureMap], sums: Sequence[NDArray[np.float64]],
           weights: Sequence[float]) -> PhaseForm:
        """The phase form of sum_t weight_t <S_t, phi_t(y)> over paired maps that share
        one projection and one precision (one map for the KDE kinds, one per term for
        a sum of kernels): their frequencies side by side, one amplitude and phase
        each."""
        amplitudes, phases = [], []
        for fmap, total, weight in zip(maps, sums, weights, strict=True):
            rows = fmap.frequencies.shape[0]
            a, b = total[:rows], total[rows:]
            amplitudes.append(abs(weight) * np.hypot(a, b))
            phases.append(np.arctan2(b, a) + (math.pi if weight < 0 else 0.0))
        amplitude, psi = np.concatenate(amplitudes), np.concatenate(phases)
        frequencies = np.vstack([fmap.frequencies for fmap in maps])
        first = maps[0]
        row_l1 = float(np.max(np.abs(frequencies).sum(axis=1))) if frequencies.size else 0.0
        # frequencies float32 cannot hold (tiny bandwidths) keep the query in float64
        precision = first.precision if row_l1 <= _FLOAT32_SAFE else "float64"
        dtype = np.float32 if precision == "float32" else np.float64
        projection = None if first.projection is None else first.projection.astype(dtype)
        return cls(
            precision=precision, frequencies=frequencies.astype(dtype),
            projection=projection, psi=psi.astype(dtype), amplitude=amplitude.astype(dtype),
            weighted_l1=float(amplitude @ np.abs(frequencies).sum(axis=1)),
            weighted_rest=float(amplitude @ (3.0 * np.abs(psi) + psi.size + 3.0)) * _F32_EPS,
            projection_row_l1=(1.0 if first.projection is None
                               else float(np.abs(first.projection).sum(axis=1).max())),
            frequency_row_l1=row_l1)

    def evaluate(self, Y: NDArray[np.float64]) -> tuple[NDArray[np.float64],
                                                        NDArray[np.float64]]:
        """sum_j r_j cos(w_j . P y - psi_j) for a block of queries, and a bound on the
        rounding error of each answer. Queries whose angles could overflow float32 (far
        outside any sensible domain) go through ``_evaluate_wide`` (float64 angles
        reduced mod 2 pi)."""
        if self.precision != "float32":
            return self._evaluate_wide(Y)
        # float32 holds these queries' angles without overflow (|z_i| <= ymax * max_i
        # ||P_i||_1, |w_j . z| <= ||w_j||_1 max |z_i|); their precision is what
        # ``rounding`` bounds
        ymax = np.max(np.abs(Y), axis=1)
        narrow = (ymax * max(self.projection_row_l1, 1.0) * max(self.frequency_row_l1, 1.0)
                  <= _FLOAT32_SAFE)
        if bool(np.all(narrow)):
            return self._answers(Y), self.rounding(Y)
        values, error = self._evaluate_wide(Y)
        if bool(np.any(narrow)):
            values[narrow], error[narrow] = self._answers(Y[narrow]), self.rounding(Y[narrow])
        return values, error

    def _answers(self, Y: NDArray[np.float64]) -> NDArray[np.float64]:
        Z = Y.astype(self.frequencies.dtype)
        if self.projection is not None:
            Z = Z @ self.projection.T
        T = Z @ self.frequencies.T
        T -= self.psi
        np.cos(T, out=T)
        return np.asarray(T @ self.amplitude, dtype=np.float64)

    def _evaluate_wide(self, Y: NDArray[np.float64]) -> tuple[NDArray[np.float64],
                                                             NDArray[np.float64]]:
        """float64 throughout: the angle of frequency j errs by at most
        ||w_j||_1 (k + d + 4) u zmax (u = 2^-53, a crude but safe product bound), the
        reduction mod 2 pi and the cosine add a few u; an angle beyond float64 range
        gets cosine 0 and its whole amplitude as error; no term errs by more than
        2 r_j. Exact answers of such queries are far out of the kernel's reach."""
        frequencies = self.frequencies.astype(np.float64)
        amplitude = self.amplitude.astype(np.float64)
        Z = Y
        if self.projection is not None:
            Z = Z @ self.projection.astype(np.float64).T
        with np.errstate(over="ignore", invalid="ignore"):
            T = Z @ frequencies.T
            finite = np.isfinite(T)
            T = np.where(finite, np.remainder(T - self.psi.astype(np.float64), 2 * math.pi),
                         0.0)
            C = np.where(finite, np.cos(T), 0.0)
        values = np.asarray(C @ amplitude, dtype=np.float64)
        d = Y.shape[1]
        k = frequencies.shape[1]
        ymax = np.max(np.abs(Y), axis=1)
        zmax = self.projection_row_l1 * ymax
        with np.errstate(over="ignore", invalid="ignore"):
            # fmin: an inf * 0 (NaN) would be the largest error, 2, not a NaN answer
            per_frequency = np.fmin(
                np.abs(frequencies).sum(axis=1)[None, :] * ((k + d + 4) * _F64_EPS)
                * zmax[:, None] + 8 * _F64_EPS, 2.0)
        error = np.where(finite, per_frequency, 1.0) @ amplitude
        return values, np.asarray(error + (amplitude.size + 1) * _F64_EPS * amplitude.sum(),
                                  dtype=np.float64)

    def rounding(self, Y: NDArray[np.float64]) -> NDArray[np.float64]:
        """Bound on |float32 answers - exact answers| per query: the
        cast and the products give |z_i| <= zmax with error dz, the angle of frequency j
        errs by at most ||w_j||_1 (dz + (k + 2) u (zmax + dz)) + 3 u |psi_j|, its cosine
        by that plus 2u, and the float32 sum adds (F + 1) u sum_j r_j (u = 2^-24)."""
        if self.precision != "float32":
            return np.zeros(Y.shape[0])
        ymax = np.max(np.abs(Y), axis=1)
        k = self.frequencies.shape[1]
        if self.projection is None:
            zmax, dz = ymax, _F32_EPS * ymax
        else:
            d = self.projection.shape[1]
            zmax = self.projection_row_l1 * ymax
            dz = (d + 2) * _F32_EPS * zmax
        angle = dz + (k + 2) * _F32_EPS * (zmax + dz)
        return np.asarray(self.weighted_l1 * angle + self.weighted_rest, dtype=np.float64)


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
    _phase: PhaseForm | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.fmap.style == "paired":
            object.__setattr__(self, "_phase", PhaseForm.of(
                [self.fmap], [self.feature_sum], [self.fmap.scale]))

    def query(self, points: NDArray[np.float64], reduce: Reduce = "sum") -> QueryResult:
        Y = check_points(points, self.dim)
        sigma = self.plan.std("features")
        c = self.fmap.scale
        values = np.empty(Y.shape[0])
        noise_std = np.empty(Y.shape[0])
        rounding = np.zeros(Y.shape[0])
        block = block_rows(self.fmap.size)
        for start in range(0, Y.shape[0], block):
            stop = min(start + block, Y.shape[0])
            if self._phase is not None:  # paired: ||phi(y)||^2 = m/2 exactly
                values[start:stop], rounding[start:stop] = self._phase.evaluate(Y[start:stop])
                noise_std[start:stop] = c * sigma * math.sqrt(self.fmap.size / 2)
                continue
            phi = self.fmap.transform(Y[start:stop])
            values[start:stop] = c * (phi @ self.feature_sum)
            noise_std[start:stop] = c * sigma * np.linalg.norm(phi, axis=1)
        n_hat = clamp_count(self.count)
        approx = np.full(Y.shape[0], self.fmap.approximation_std())
        if reduce == "sum":
            return QueryResult(values, noise_std, approx * n_hat + rounding)
        std = ratio_std(values, noise_std, n_hat, self.plan.std("count"))
        return QueryResult(values / n_hat, std, approx + rounding / n_hat)

    def error_model(self) -> dict[str, float]:
        return {
            # exact for paired features; the average over queries for phased ones
            "noise_std_sum": self.plan.std("features") * math.sqrt(self.fmap.answer_weight()),
            "count_noise_std": self.plan.std("count"),
            "approximation_std_mean": self.fmap.approximation_std(),
        }

    def header(self) -> dict[str, Any]:
        return {"kind": self.kind, "dim": self.dim, "params": self.params,
                "plan": self.plan.to_dict(), "style": self.fmap.style,
                "kernel": self.fmap.kernel, "precision": self.fmap.precision,
                "count": self.count}

    def arrays(self) -> dict[str, NDArray[np.float64]]:
        return {"feature_sum": self.feature_sum, **self.fmap.arrays()}

    @classmethod
    def from_parts(cls, header: Mapping[str, Any],
                   arrays: Mapping[str, NDArray[np.float64]]) -> Self:
        try:
            # releases written before the kernel was recorded are all Gaussian
            fmap = FeatureMap(header["style"], arrays["frequencies"], arrays.get("phases"),
                              arrays.get("projection"), header.get("kernel", "gaussian"),
                              header.get("precision", "float64"))
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


def _features_for(reader: ParamReader, alpha: float | None) -> int:
    """``features``: given, or ceil(1/alpha^2) (the approximation std bound is
    1/sqrt(m): that m meets alpha, capped at MAX_FEATURES), or 1024."""
    default = 1024 if alpha is None else min(MAX_FEATURES, math.ceil(1.0 / alpha**2))
    return reader.int_in("features", 2, MAX_FEATURES, default)


@dataclass(frozen=True, slots=True)
class PairedKDESpec:
    """The pipeline ``gaussian_kde``, ``exponential_kde`` and ``laplace_kde`` share:
    optional projection, paired features of the kind's kernel, noisy sum and count."""

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
    def parse(cls, params: Mapping[str, Any], data: DataSpec) -> Self:
        reader = ParamReader(params)
        bandwidth = reader.bandwidth()
        alpha = reader.alpha()
        explicit_projection = "projection_dim" in params
        projection_dim = reader.optional_int_in("projection_dim", 1, MAX_PROJECTION_DIM)
        auto = None
        if alpha is not None and not explicit_projection and cls.kernel != "laplace":
            auto = projection_for(cls.kernel, alpha, data.dim)
        if auto is not None and alpha is not None:  # half the variance budget each
            projection_dim = auto
            features = reader.int_in("features", 2, MAX_FEATURES,
                                     min(MAX_FEATURES, math.ceil(2.0 / alpha**2)))
        else:
            features = _features_for(reader, alpha)
        features += features % 2  # paired features come two by two
        if projection_dim is not None and cls.kernel == "laplace":
            raise InvalidParameter("params.projection_dim",
                                   f"must be null for {cls.kind}: a JL projection does not "
                                   "preserve the l1 distance")
        mechanism = reader.choice("mechanism", ("laplace", "gaussian"), "laplace")
        if cls.kernel == "laplace":  # not rotation-invariant: iid frequencies only
            design = reader.choice("frequencies", ("iid",), "iid")
        else:
            design = reader.choice("frequencies", ("orthogonal", "iid"), "orthogonal")
        precision = reader.choice("precision", ("float32", "float64"), "float32")
        reader.done()
        check_angle_range(cls.kernel, dim=data.dim,
                          k=data.dim if projection_dim is None else projection_dim,
                          bandwidth=bandwidth, input_bound=data.domain.max_norm(data.dim),
                          projected=projection_dim is not None)
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
        """feature_sum (m), frequencies (m/2 x k) and the projection (k x d)."""
        k = self.data.dim if self.projection_dim is None else self.projection_dim
        projection = 0 if self.projection_dim is None else self.projection_dim * self.data.dim
        return 8 * (self.features + (self.features // 2) * k + projection)

    def estimate(self, plan: NoisePlan, rows: int) -> ErrorEstimate:
        """Paired features: the noise std of a sum answer is exactly
        plan.std("features") * sqrt(2/m) at every query."""
        shape = self._shape()
        sum_std = plan.std("features") * math.sqrt(shape.answer_weight())
        return kernel_estimate(plan, sum_std, rows, shape.approximation_std(), self.alpha)

    def cost(self, rows: int, chunk_rows: int) -> Cost:
        """Per row: the projection (d k), the m paired features (k m/2 multiply-adds, m
        cosines and sines); per block of rows: a copy of the frequencies; once: the
        public randomness (``frequency_draw_cost``); the noise: m + 1 values. A query:
        the phase form, m/2 frequencies."""
        d, m = self.data.dim, self.features
        projected = self.projection_dim is not None
        k = d if self.projection_dim is None else self.projection_dim
        z_bound = self.data.domain.max_norm(d) * (math.sqrt(d) if projected else 1.0)
        angles = AngleProfile.of(self.kernel, k, self.bandwidth, z_bound)
        block = block_rows(m)
        largest, _ = chunk_sizes(rows, chunk_rows)
        per_block = 3 * (m // 2) * k * SECONDS_PER_PASS  # the frequencies, transposed, cast
        per_row = ((d * k * SECONDS_PER_MAC["float64"] if projected else 0.0)
                   + feature_row_seconds(k, m, self.precision, angles) + per_block / block)
        draw_seconds, draw_bytes = frequency_draw_cost(self.kernel, self.frequencies,
                                                       m // 2, k, d, projected)
        working = (min(block, max(largest, 1))
                   * (feature_row_bytes(k, m, self.precision, angles.wide)
                      + (8 * k if projected else 0)) + draw_bytes)
        query = phase_precision(self.precision,
                                typical_row_l1(self.kernel, m // 2, k, self.bandwidth))
        return build_cost(data=self.data, statistics=self.statistics(),
                          mechanism=self.mechanism, release_bytes=self.release_bytes(),
                          rows=rows, chunk_rows=chunk_rows, seconds_per_row=per_row,
                          seconds_per_chunk=per_block, fixed_seconds=draw_seconds,
                          working_bytes=working, query_seconds=phase_query_seconds(
                              d, k, projected, m // 2, query, angles))


@dataclass(frozen=True, slots=True)
class GaussianKDESpec(PairedKDESpec):
    kind: ClassVar[str] = "gaussian_kde"
    kernel: ClassVar[KernelName] = "gaussian"


@dataclass(frozen=True, slots=True)
class ExponentialKDESpec(PairedKDESpec):
    kind: ClassVar[str] = "exponential_kde"
    kernel: ClassVar[KernelName] = "exponential"


@dataclass(frozen=True, slots=True)
class LaplaceKDESpec(PairedKDESpec):
    kind: ClassVar[str] = "laplace_kde"
    kernel: ClassVar[KernelName] = "laplace"


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
        reader = ParamReader(params)
        bandwidth = reader.bandwidth()
        alpha = reader.alpha()
        features = _features_for(reader, alpha)
        reader.choice("mechanism", ("laplace",), "laplace")
        reader.done()
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
