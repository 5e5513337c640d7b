"""Random Fourier feature maps: the public randomness of the kernel kinds.

A shift-invariant kernel k(x, y) = kappa(x - y) is approximated by an inner product of
bounded feature vectors, k(x, y) ~ c <phi(x), phi(y)>, with frequencies omega drawn from
the kernel's spectral distribution (Bochner; Rahimi and Recht 2007), so that
E cos(omega . delta) = kappa(delta):

- gaussian, exp(-||delta||_2^2 / sigma^2): omega ~ N(0, (2 / sigma^2) I);
- exponential, exp(-||delta||_2 / sigma): multivariate Cauchy, omega = z / (sigma |u|)
  with z ~ N(0, I) and u ~ N(0, 1);
- laplace, exp(-||delta||_1 / sigma): iid standard Cauchy / sigma per coordinate.

Two styles: paired features phi(z) = [cos(W z), sin(W z)] (m/2 frequencies, no random
phases; Sutherland and Schneider 2015), c = 2/m, and phased features
phi_j(x) = sqrt(2) cos(omega_j . x + b_j), b_j ~ U[0, 2 pi), c = 1/m; an optional
data-independent JL projection z = P x (P has iid N(0, 1/k) entries) comes first.
Every feature is bounded whatever its input, so the sensitivities of a feature sum hold
for any domain (``FeatureMap.sensitivities``). Here too: the frequency draws (iid and
orthogonal), the float32/float64 angle arithmetic, and the cost counts of computing
features.

Derivation: docs/privacy/kde.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Self

import numpy as np
from array_api_compat import array_namespace, device
from numpy.typing import NDArray

from core._array import Array
from core.errors import InvalidParameter
from core.parallel import pool, threads
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
)

if TYPE_CHECKING:
    from core.structures.structured import StructuredFrequencies

__all__ = [
    "F32_EPS", "F32_SHRINK", "F64_EPS", "FLOAT32_ANGLE_LIMIT", "FLOAT32_SAFE", "KERNELS",
    "LARGE_ANGLE", "MAX_ANGLE", "MAX_FEATURES", "MAX_PROJECTION_DIM", "ROTATION_DESIGNS",
    "AngleProfile", "Design", "FeatureMap", "FeatureStyle", "KernelName", "Precision",
    "angle_fraction", "angle_work", "block_rows", "check_angle_range", "draw_feature_map",
    "draw_frequencies", "draw_orthogonal_frequencies", "draw_projection",
    "draw_structured_frequencies", "feature_row_bytes", "feature_row_seconds",
    "fixed_blocks", "frequency_cap", "frequency_draw_cost", "projection_variance",
    "query_trig", "radial_quantiles", "typical_row_l1",
]

FeatureStyle = Literal["paired", "phased"]
Precision = Literal["float32", "float64"]
Design = Literal["orthogonal", "iid", "structured"]
# the designs that need a rotation-invariant kernel (gaussian, exponential)
ROTATION_DESIGNS: tuple[Design, ...] = ("orthogonal", "structured")
F32_SHRINK = 1.0 - 2.0**-20  # float32 features are shrunk by this (see FeatureMap.features)
F32_EPS = 2.0**-24  # unit roundoff of float32
F64_EPS = 2.0**-53  # unit roundoff of float64
FLOAT32_SAFE = 1e30  # frequencies above this (in l1 norm) are kept in float64 for queries
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
    # (m/2, k) paired or (m, k) phased; None for structured frequencies (``structure``),
    # which are never stored dense (read them through ``frequencies``)
    stored_frequencies: NDArray[np.float64] | None
    phases: NDArray[np.float64] | None  # (m,) phased only
    projection: NDArray[np.float64] | None  # (k, d) or None
    kernel: KernelName = "gaussian"  # the spectral distribution of the frequencies
    precision: Precision = "float64"  # of the angles and their cos/sin (sums: float64)
    # public bound on ||x||_2 of the rows fed to ``transform`` (the declared domain's);
    # inf where unknown, which sends float32 maps through the float64-angle path
    input_bound: float = math.inf
    # structured frequencies (Hadamard-diagonal blocks regenerated from the seed), or None
    structure: StructuredFrequencies | None = None
    # which frequencies get float64 angles (None: none of them), and the permutation
    # that puts [float32 ones, float64 ones] back in frequency order
    _wide: tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]] | None = field(
        default=None, init=False, repr=False, compare=False)
    # structured maps: whether a float32 map forms all its angles in float64 (reduced
    # mod 2 pi), which it does where any angle over the domain could pass the limit
    _structured_wide: bool = field(default=False, init=False, repr=False, compare=False)
    # structured maps: the dense matrix, made only if some caller asks for it
    _dense: list[NDArray[np.float64]] = field(default_factory=list, init=False, repr=False,
                                              compare=False)
    # float32 maps: the transposed float32 frequencies NumPy products use, made once
    _transposed32: list[NDArray[np.float32]] = field(default_factory=list, init=False,
                                                     repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kernel not in KERNELS:
            raise InvalidParameter("kernel", "must be one of " + ", ".join(KERNELS))
        if self.kernel == "laplace" and self.projection is not None:
            raise InvalidParameter("projection_dim", _NO_L1_PROJECTION)
        if (self.structure is None) == (self.stored_frequencies is None):
            raise InvalidParameter("frequencies", "give either stored or structured "
                                   "frequencies")
        if self.structure is not None:
            if self.kernel != self.structure.kernel or self.kernel == "laplace":
                raise InvalidParameter("frequencies", "structured frequencies need the "
                                       "map's rotation-invariant kernel")
            object.__setattr__(self, "_structured_wide",
                               bool(np.any(self.angle_bounds() > FLOAT32_ANGLE_LIMIT)))
        elif self.frequencies.size:
            wide = self.angle_bounds() > FLOAT32_ANGLE_LIMIT
            if np.any(wide):
                narrow_idx, wide_idx = np.flatnonzero(~wide), np.flatnonzero(wide)
                inverse = np.argsort(np.concatenate([narrow_idx, wide_idx]))
                object.__setattr__(self, "_wide", (narrow_idx, wide_idx, inverse))

    @property
    def frequencies(self) -> NDArray[np.float64]:
        """The (rows, k) frequency matrix: stored, or spelled out from the structure
        (once, on first use: the hot paths never need it)."""
        if self.stored_frequencies is not None:
            return self.stored_frequencies
        if not self._dense and self.structure is not None:  # one of the two is set
            self._dense.append(self.structure.dense())
        return self._dense[0]

    @property
    def rows(self) -> int:
        """The number of frequencies."""
        if self.stored_frequencies is not None:
            return int(self.stored_frequencies.shape[0])
        return 0 if self.structure is None else self.structure.rows

    def angle_bounds(self) -> NDArray[np.float64]:
        """Per frequency, max |omega_j . P x| over every row with ||x||_2 <=
        input_bound: public (the frequencies, the projection and the domain), so which
        arithmetic a build uses for a frequency never depends on the rows. Structured
        frequencies: the radius of the full k'-dimensional row bounds the norm."""
        z_bound = self.input_bound
        if self.projection is not None:
            z_bound *= float(np.linalg.norm(self.projection))  # Frobenius >= spectral
        norms = (self.structure.radii if self.structure is not None
                 else _row_norms(self.frequencies))
        with np.errstate(over="ignore", invalid="ignore"):
            bounds = norms * z_bound
        return np.asarray(np.where(np.isfinite(bounds), bounds, np.inf), dtype=np.float64)

    def angle_bound(self) -> float:
        """The largest of ``angle_bounds`` (0 without frequencies)."""
        return float(np.max(self.angle_bounds())) if self.rows else 0.0

    @property
    def size(self) -> int:
        return 2 * self.rows if self.style == "paired" else self.rows

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
        bounded features, whatever the input.

        Structured frequencies (``structure``) get their angles from the fast
        transforms, all of them in float32 or, where any could pass the limit, all in
        float64 reduced mod 2 pi."""
        xp = array_namespace(Z)
        dev = device(Z)
        with np.errstate(over="ignore", invalid="ignore"):
            if self.style == "paired" and self.precision == "float32":
                T32 = self._float32_angles(xp, Z)
                pairs = xp.concat([xp.cos(T32), xp.sin(T32)], axis=1)
                return xp.astype(pairs, xp.float64) * F32_SHRINK
            if self.structure is not None:
                T = _finite_angles(xp, self.structure.angles(Z, xp.float64))
            else:
                T = _finite_angles(xp, Z @ xp.asarray(self.frequencies.T.copy(), device=dev))
            if self.style == "paired":
                return xp.concat([xp.cos(T), xp.sin(T)], axis=1)
            phases = xp.asarray(self.phases, device=dev)
            return math.sqrt(2.0) * xp.cos(T + phases)

    def _float32_angles(self, xp: Any, Z: Array) -> Array:
        """The float32 angles of a float32 map (see ``features``)."""
        dev = device(Z)
        if self.structure is not None:
            if not self._structured_wide:
                return self.structure.angles(Z, xp.float32)
            T64 = _finite_angles(xp, self.structure.angles(Z, xp.float64))
            return xp.astype(xp.remainder(T64, 2 * math.pi), xp.float32)
        if self._wide is None:
            if isinstance(Z, np.ndarray):
                if not self._transposed32:
                    self._transposed32.append(np.ascontiguousarray(
                        self.frequencies.T, dtype=np.float32))
                return Z.astype(np.float32, copy=False) @ self._transposed32[0]
            return self._angles32(xp, Z, self.frequencies)
        # angles float32 cannot hold: form them in float64, reduce mod 2 pi
        narrow_idx, wide_idx, inverse = self._wide
        T64 = _finite_angles(xp, Z @ xp.asarray(self.frequencies[wide_idx].T.copy(),
                                                device=dev))
        parts = [xp.astype(xp.remainder(T64, 2 * math.pi), xp.float32)]
        if narrow_idx.size:
            parts.insert(0, self._angles32(xp, Z, self.frequencies[narrow_idx]))
        return xp.take(xp.concat(parts, axis=1) if len(parts) > 1 else parts[0],
                       xp.asarray(inverse, device=dev), axis=1)

    @staticmethod
    def _angles32(xp: Any, Z: Array, frequencies: NDArray[np.float64]) -> Array:
        return xp.astype(Z, xp.float32) @ xp.asarray(frequencies.T.copy(), dtype=xp.float32,
                                                     device=device(Z))

    def transform(self, X: Array) -> Array:
        """phi(P X) for an (n, d) array of any Array API namespace: (n, m)."""
        return self.features(self.project(X))

    def summable32(self, X: Array) -> bool:
        """Whether ``paired_sum32`` serves these rows (NumPy, paired, float32)."""
        return (isinstance(X, np.ndarray) and self.style == "paired"
                and self.precision == "float32")

    def paired_sum32(self, X: NDArray[Any], real: int) -> NDArray[np.float64]:
        """sum of phi(P x) over the first ``real`` rows of X (a ``fixed_blocks`` block),
        for a float32 paired map on NumPy: ``features``' float32 angles, cosines and
        sines (computed over the whole block, so every row's values are those
        ``features`` gives), each half summed in float64 straight from float32 and then
        shrunk by ``F32_SHRINK`` (the same sum in real arithmetic as shrinking every
        value), the cosines and the sines on two threads. No float64 copy of the
        features is made: on CPUs that copy, not the product, was most of a build."""
        T32 = self._float32_angles(np, self.project(X))

        def half(trig: Callable[[NDArray[np.float32]], NDArray[np.float32]]) -> Any:
            with np.errstate(over="ignore", invalid="ignore"):
                return trig(T32)[:real].sum(axis=0, dtype=np.float64)

        halves = (list(pool("build").map(half, (np.cos, np.sin))) if threads() > 1
                  else [half(np.cos), half(np.sin)])
        return np.concatenate(halves) * F32_SHRINK

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
        """The arrays a release stores: structured frequencies are not among them (the
        header records their seed: ``StructuredFrequencies.header``)."""
        out = {} if self.stored_frequencies is None else {"frequencies": self.stored_frequencies}
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


QUERY_SHARE_ROWS = 128  # the fewest rows a query block is split down to for another CPU


def query_block_rows(features: int, rows: int) -> int:
    """Rows per block of a query batch of ``rows`` points (``core.parallel.run_blocks``):
    ``block_rows``, or fewer so that a batch of a few hundred points or more spreads
    over every CPU (queries are post-processing: how a batch is split changes nothing
    but the rounding of its answers, which their bounds cover)."""
    share = max(-(-rows // threads()), QUERY_SHARE_ROWS)
    return max(1, min(block_rows(features), share))


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
                      input_bound: float, projected: bool, name: str = "params.bandwidth",
                      design: Design = "iid") -> None:
    """Refuse parameters under which an angle omega . P x could overflow float64 for
    some x in the domain: frequency_cap * max ||P x|| must stay below ``MAX_ANGLE``
    (||P||_F <= 40 sqrt d with the clamped projection entries). Structured frequencies
    work in k' = the next power of two >= k (their cap is k''s), and their transforms'
    intermediates (at most k'^{3/2} ||P x||) must stay below it too."""
    z_bound = input_bound * (_NORMAL_CLAMP * math.sqrt(dim) if projected else 1.0)
    if design == "structured":
        from core.structures.structured import padded_dim

        k = padded_dim(k)
    with np.errstate(over="ignore"):
        worst = float(np.float64(frequency_cap(kernel, k, bandwidth)) * np.float64(z_bound))
        if design == "structured":
            worst = max(worst, float(np.float64(k) ** 1.5 * np.float64(z_bound)))
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
        radii = radial_quantiles(kernel, quantiles, k, bandwidth)
        out[start:start + b] = directions * np.minimum(radii, cap)[:, None]
    return out


def radial_quantiles(kernel: KernelName, quantiles: NDArray[np.float64], k: int,
                     bandwidth: float) -> NDArray[np.float64]:
    """The kernel's radial law in k dimensions at the given probabilities: gaussian
    sqrt(2) chi_k / sigma; exponential (multivariate Cauchy, ||z|| / |u|) sqrt(k F(k, 1))
    / sigma."""
    from scipy import stats  # type: ignore[import-untyped]

    with np.errstate(over="ignore"):
        if kernel == "gaussian":
            return np.asarray(stats.chi.ppf(quantiles, df=k) * (math.sqrt(2.0) / bandwidth))
        return np.asarray(np.sqrt(k * stats.f.ppf(quantiles, k, 1)) / bandwidth)


def draw_structured_frequencies(seed: int, kernel: KernelName, rows: int, k: int,
                                bandwidth: float) -> StructuredFrequencies:
    """``rows`` structured frequencies (core.structures.structured) from the seed, with
    the counter-based public generator (``public_words``), in this order: the signs of
    D1, D2, D3 of every block (3 B k' bits, 64 a word), then per frequency one word whose
    order within its block gives the stratification permutation (a stable argsort),
    then per frequency one uniform. Radii: the kernel's radial law in k' dimensions
    (the frequency is the first k coordinates of a k'-dimensional one, the input padded
    with zeros, so its law is the k-dimensional one) at the quantiles (pi_i + U_i) / b
    of the block's b frequencies, as ``draw_orthogonal_frequencies``; capped at
    ``frequency_cap`` in k' dimensions."""
    from core.structures.structured import (
        StructuredFrequencies,
        padded_dim,
        public_signs,
        public_uniforms,
        public_words,
    )

    if kernel == "laplace":
        raise InvalidParameter("params.frequencies", "structured frequencies need a "
                               "rotation-invariant kernel (not laplace)")
    kp = padded_dim(k)
    cap = frequency_cap(kernel, kp, bandwidth)
    if not math.isfinite(cap):
        raise InvalidParameter("params.bandwidth", "too small: the frequencies overflow")
    blocks = -(-rows // kp)
    sign_words = -(-3 * blocks * kp // 64)
    words = public_words(seed, sign_words + 2 * rows)
    signs = public_signs(words[:sign_words], 3 * blocks * kp).reshape(3, blocks, kp)
    keys, uniforms = words[sign_words:sign_words + rows], public_uniforms(words[sign_words + rows:])
    quantiles = np.empty(rows)
    for start in range(0, rows, kp):
        b = min(kp, rows - start)
        rank = np.empty(b)
        rank[np.argsort(keys[start:start + b], kind="stable")] = np.arange(b)
        quantiles[start:start + b] = (rank + uniforms[start:start + b]) / b
    radii = np.minimum(radial_quantiles(kernel, quantiles, kp, bandwidth), cap)
    return StructuredFrequencies(seed, kernel, rows, k, bandwidth, signs, radii)


def draw_feature_map(style: FeatureStyle, *, dim: int, features: int, bandwidth: float,
                     projection_dim: int | None, seed: int,
                     kernel: KernelName = "gaussian", design: Design = "iid",
                     precision: Precision = "float64",
                     input_bound: float = math.inf) -> FeatureMap:
    """Public, data-independent randomness from a published seed: the projection (if
    any), then the frequencies, then the phases (phased style), in that order (PCG64);
    structured frequencies come from their own counter-based stream of the same seed
    (``draw_structured_frequencies``)."""
    if kernel == "laplace" and projection_dim is not None:
        raise InvalidParameter("projection_dim", _NO_L1_PROJECTION)
    rng = np.random.Generator(np.random.PCG64(seed))
    projection = draw_projection(rng, projection_dim, dim)
    k = dim if projection_dim is None else projection_dim
    rows = features // 2 if style == "paired" else features
    structure = None
    if design == "structured":
        frequencies = None
        structure = draw_structured_frequencies(seed, kernel, rows, k, bandwidth)
    elif design == "orthogonal":
        frequencies = draw_orthogonal_frequencies(rng, kernel, rows, k, bandwidth)
    else:
        frequencies = draw_frequencies(rng, kernel, rows, k, bandwidth)
    phases = rng.uniform(0.0, 2 * math.pi, size=rows) if style == "phased" else None
    return FeatureMap(style, frequencies, phases, projection, kernel, precision, input_bound,
                      structure)


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
    phase form answers queries in float32, ``FLOAT32_SAFE``): gaussian sqrt(k) times
    the largest radius; the Cauchy kinds about k times the largest of ``frequencies``
    1/|u| (~ frequencies) over sigma."""
    if kernel == "gaussian":
        return math.sqrt(k) * math.sqrt(2.0) * (math.sqrt(k) + 4.0) / bandwidth
    return k * frequencies / bandwidth



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


def angle_work(k: int, rows: int, design: Design) -> tuple[int, int]:
    """(multiply-adds, elementwise values) of one row's ``rows`` angles from its k
    coordinates: a matrix product (k multiply-adds each), or for structured
    frequencies the fast transforms (``structured_macs``: 3 (a + b) multiply-adds per
    frequency with k' = a b, the padded dimension, instead of k)."""
    if design == "structured":
        from core.structures.structured import structured_macs

        return structured_macs(k, rows)
    return rows * k, 0


def feature_row_seconds(k: int, features: int, precision: Precision,
                        angles: AngleProfile, design: Design = "iid") -> float:
    """CPU seconds of one row's m paired features from its k (projected) coordinates
    (``FeatureMap.features``): the angles (``angle_work``: k multiply-adds each of m/2,
    or the structured transforms), cos and sin, the casts and the column sum; a float32
    map's wide frequencies also get float64 angles reduced modulo 2 pi (a structured
    map's all of them, if any)."""
    half = features // 2
    trig = angles.trig(precision)
    macs, values = angle_work(k, half, design)
    if precision == "float64":
        return (macs * SECONDS_PER_MAC["float64"] + features * trig
                + (values + 2 * half + 3 * features) * SECONDS_PER_PASS)
    if design == "structured" and angles.wide > 0:
        return (macs * SECONDS_PER_MAC["float64"] + features * trig
                + half * (SECONDS_PER_REMAINDER + 5 * SECONDS_PER_PASS)
                + (values + 6 * features) * SECONDS_PER_PASS)
    narrow = (macs * SECONDS_PER_MAC["float32"] + features * trig
              + (values + 6 * features) * SECONDS_PER_PASS)
    wide = half * (k * SECONDS_PER_MAC["float64"] + SECONDS_PER_REMAINDER
                   + 5 * SECONDS_PER_PASS)
    return narrow + angles.wide * wide


def feature_row_bytes(k: int, features: int, precision: Precision, wide: float,
                      design: Design = "iid") -> int:
    """Bytes of the intermediate arrays per row of a feature block: the angles, their
    cos and sin, the pair, its float64 copy and the shrunk copy (float32 builds), or
    the float64 angles, their mask, cos, sin and the pair; structured frequencies also
    two float64 arrays of the transforms' B k' values."""
    half = features // 2
    extra = 0
    if design == "structured":
        _, values = angle_work(k, half, design)
        extra = 2 * 8 * values // 5
    if precision == "float64":
        return 8 * (2 * half + 2 * features) + 8 * k + extra
    return int(4 * k + 4 * 3 * half + 4 * features + 16 * features
               + wide * (8 * 2 * half + 4 * half + 4 * features)) + extra


def frequency_draw_cost(kernel: KernelName, design: Design, rows: int, k: int,
                        dim: int, projected: bool) -> tuple[float, int]:
    """(CPU seconds, peak bytes) of drawing the public randomness of one feature map:
    the projection (k x d normals), then ``rows`` frequencies, iid (normals, norms, the
    cap), orthogonal (one k x k Gaussian matrix and its QR per k frequencies, however
    few are used of it, and a radial quantile each) or structured (3 B k' sign bits,
    two words and a radial quantile per frequency, no matrix), and setting the map up
    (angle bounds, the float32 copies, the phase form: per frequency and coordinate,
    or per frequency for structured maps)."""
    seconds = (k * dim * (SECONDS_PER_NORMAL + 2 * SECONDS_PER_PASS)) if projected else 0.0
    if design == "structured":
        _, values = angle_work(k, rows, design)
        seconds += rows * (SECONDS_PER_QUANTILE + 20 * SECONDS_PER_PASS)
        seconds += 3 * values * SECONDS_PER_PASS  # unpacking the signs, their copies
        return seconds, 8 * (3 * values + 8 * rows)
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


