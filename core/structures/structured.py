"""Structured random frequencies: blocks of Hadamard-diagonal products regenerated from
the published seed, never stored dense (``frequencies: "structured"``; Yu et al. 2016,
"Orthogonal Random Features", SORF).

A map of F frequencies in k input dimensions works in k' = the smallest power of two
>= k (inputs padded with zeros) and in B = ceil(F / k') blocks of k' frequencies.
Frequency i of block b is

    omega_{b,i} = r_{b,i} (H D1_b H D2_b H D3_b)_{i, :k},

H the normalised k' x k' Walsh-Hadamard matrix and Dj_b diagonal matrices of random
signs: each row of the product is a unit vector, the rows of a block are mutually
orthogonal, and r_{b,i} is a radius from the kernel's radial law in k' dimensions,
stratified within its block as in ``draw_orthogonal_frequencies``. omega . z then costs
three fast Hadamard transforms per block instead of k multiply-adds per frequency.

Everything is public randomness regenerated from the seed with a counter-based
generator whose stream NumPy keeps stable across versions (``public_words``), so a
release stores the seed, not the matrix. The derivation (what bias the structured
directions leave, the float32 rounding bound): docs/privacy/kde.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from array_api_compat import array_namespace, device
from numpy.typing import NDArray

from core._array import Array
from core.structures.base import (
    SECONDS_PER_MAC,
    SECONDS_PER_PASS,
    SECONDS_PER_REMAINDER,
    SECONDS_PER_TRIG,
)
from core.structures.feature_maps import (
    F32_EPS,
    F64_EPS,
    FLOAT32_SAFE,
    AngleProfile,
    Precision,
    query_trig,
)

__all__ = ["GENERATOR", "StructuredFrequencies", "StructuredPhaseForm", "fwht",
           "hadamard", "padded_dim", "public_signs", "public_uniforms", "public_words",
           "rotation_error", "structured_macs", "structured_query_seconds"]

# the documented public generator (recorded in release headers, checked on load)
GENERATOR = "philox4x64-10"


def public_words(seed: int, count: int) -> NDArray[np.uint64]:
    """The first ``count`` raw 64-bit words of Philox4x64-10 (Salmon et al. 2011, a
    counter-based generator) keyed by the seed (reduced modulo 2^128), counter from 0:
    ``numpy.random.Philox(key=seed).random_raw(count)``. NumPy guarantees bit
    generators' raw streams across versions (NEP 19), unlike ``Generator`` methods, so
    the same seed gives the same words everywhere (tests/unit/core/test_structured.py
    pins a few)."""
    return np.asarray(np.random.Philox(key=seed % 2**128).random_raw(count), dtype=np.uint64)


def public_signs(words: NDArray[np.uint64], count: int) -> NDArray[np.float64]:
    """``count`` signs +-1 from raw words, 64 a word, least significant bit first: bit 1
    gives -1."""
    bits = np.unpackbits(words.astype("<u8").view(np.uint8), bitorder="little")[:count]
    return 1.0 - 2.0 * bits.astype(np.float64)


def public_uniforms(words: NDArray[np.uint64]) -> NDArray[np.float64]:
    """One uniform on [0, 1) a word: its top 53 bits times 2^-53 (exact in float64)."""
    return (words >> np.uint64(11)).astype(np.float64) * 2.0**-53


def padded_dim(k: int) -> int:
    """k': the smallest power of two >= k."""
    return 1 << max(k - 1, 0).bit_length()


def _factors(n: int) -> tuple[int, int]:
    """n = a b with a, b powers of two and a <= b <= 2a."""
    p = n.bit_length() - 1
    return 1 << (p // 2), 1 << (p - p // 2)


# From this many queries in a block, ``StructuredFrequencies.angles_by_frequency`` (large
# products) is faster than ``angles`` (a batch of small ones per query); measured
# crossing between 32 and 64 at d = 768.
BY_FREQUENCY_ROWS = 64
# Columns (queries) per pass of ``angles_by_frequency``: (32, 32) factors times 256
# columns is 2^18 multiply-adds a product, where OpenBLAS still runs on one thread.
BY_FREQUENCY_COLUMNS = 256


def hadamard(n: int) -> NDArray[np.float64]:
    """The unnormalised Walsh-Hadamard matrix of order n (a power of two): entries
    +-1, Sylvester's construction, H^T H = n I."""
    h = np.ones((1, 1))
    while h.shape[0] < n:
        h = np.block([[h, h], [h, -h]])
    return h


def fwht(X: Array, factors: tuple[Array, Array]) -> Array:
    """The unnormalised Walsh-Hadamard transform of every row of X (any leading shape,
    last axis n = a b), any Array API namespace: H_n = H_a (x) H_b, so the transform of
    a row reshaped to (a, b) row-major is H_a X H_b, two small matrix products per row
    (batched; each row's result depends only on that row). ``factors``: (H_a, H_b) in
    X's dtype and device."""
    xp = array_namespace(X)
    ha, hb = factors
    a, b = ha.shape[0], hb.shape[0]
    shape = X.shape
    Y = xp.reshape(X, (-1, a, b))
    return xp.reshape(xp.matmul(ha, xp.matmul(Y, hb)), shape)


def rotation_error(k_padded: int, unit: float) -> float:
    """Bound on ||fl(T z) - T z||_2 / (k'^{3/2} ||z||_2) for T = H D1 H D2 H D3 applied
    with unnormalised +-1 factors (``fwht``) in arithmetic of unit roundoff ``unit``,
    the cast of z included. Each of the six factor products is a batch of dot products
    of length n (a or b) with +-1 coefficients: error <= gamma_n |H_n| |x| with
    gamma_n = n u / (1 - n u) and || |H_n| ||_2 = n, while the exact product scales
    ||x||_2 by sqrt(n); carried through the later factors, the relative error grows by
    gamma_n sqrt(n) per factor. 1.01 covers the products of the (small) relative errors."""
    a, b = _factors(k_padded)

    def gamma(n: int) -> float:
        return n * unit / (1.0 - n * unit)

    return 1.01 * (3.0 * (gamma(a) * math.sqrt(a) + gamma(b) * math.sqrt(b)) + unit)


def structured_macs(k: int, rows: int) -> tuple[int, int]:
    """(multiply-adds, elementwise values) of the angles of one row: per block of k'
    frequencies three transforms of k' (a + b) multiply-adds, and about five passes
    over its k' values (the pad, three sign products, the radii)."""
    kp = padded_dim(k)
    a, b = _factors(kp)
    blocks = -(-rows // kp)
    return 3 * blocks * kp * (a + b), 5 * blocks * kp


def structured_query_seconds(dim: int, k: int, projected: bool, rows: int,
                             precision: Precision, angles: AngleProfile) -> float:
    """CPU seconds per query point of ``StructuredPhaseForm.evaluate``: the projection,
    the transforms (``structured_macs``), one cosine and one multiply-add per
    frequency; in float64 (wide) also the remainder, the masks and the per-frequency
    rounding bound."""
    macs, values = structured_macs(k, rows)
    mac = SECONDS_PER_MAC[precision]
    seconds = (dim * k * mac if projected else 0.0) + macs * mac + values * SECONDS_PER_PASS
    if precision == "float32":
        return seconds + rows * (query_trig("float32", angles.large32) + SECONDS_PER_PASS)
    return seconds + rows * (SECONDS_PER_REMAINDER + SECONDS_PER_TRIG["float64"]
                             + 12 * SECONDS_PER_PASS)


@dataclass(frozen=True, slots=True)
class StructuredFrequencies:
    """``rows`` frequencies in ``dim`` dimensions: public randomness a seed regenerates
    (``core.structures.feature_maps.draw_structured_frequencies``). ``signs``:
    (3, B, k'), the diagonals of D1, D2, D3 per block; ``radii``: (rows,), the length
    of each frequency's full k'-dimensional row (at least the norm of the frequency
    itself, its first k coordinates)."""

    seed: int
    kernel: str
    rows: int
    dim: int
    bandwidth: float
    signs: NDArray[np.float64]
    radii: NDArray[np.float64]
    # the sign and radius arrays, and the Hadamard factors, per dtype (float32 and
    # float64 NumPy copies made once: a query should not convert them)
    _cast: dict[str, tuple[Any, Any, tuple[Any, Any]]] = field(
        default_factory=dict, init=False, repr=False, compare=False)
    # ``angles_by_frequency``'s factors with the diagonals and radii folded in, per
    # dtype, made on first use
    _folded: dict[str, tuple[Any, Any, Any, Any, Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        kp = self.padded
        if self.signs.shape != (3, -(-self.rows // kp), kp) or self.radii.shape != (self.rows,):
            raise ValueError("structured frequencies: signs or radii of the wrong shape")
        a, b = _factors(kp)
        for dtype in (np.float32, np.float64):
            scaled = self.radii * kp**-1.5  # the transform's three factors sqrt(k')
            self._cast[np.dtype(dtype).name] = (
                self.signs.astype(dtype), scaled.astype(dtype),
                (hadamard(a).astype(dtype), hadamard(b).astype(dtype)))

    @property
    def padded(self) -> int:
        return padded_dim(self.dim)

    @property
    def blocks(self) -> int:
        return -(-self.rows // self.padded)

    def header(self) -> dict[str, Any]:
        """What a release records to regenerate these frequencies (the seed as hex)."""
        return {"design": "structured", "generator": GENERATOR, "seed": f"{self.seed:x}",
                "rows": self.rows, "dim": self.dim, "bandwidth": self.bandwidth}

    def angles(self, Z: Array, dtype: Any) -> Array:
        """omega_j . z for every row of Z (n, k), any Array API namespace: (n, rows) in
        ``dtype`` (the namespace's float32 or float64), the transforms computed in it.
        Builds and queries both come here; NumPy arrays take a path with fewer
        temporaries and the same arithmetic, operation for operation."""
        if isinstance(Z, np.ndarray):
            return self._angles_numpy(Z, dtype)
        xp = array_namespace(Z)
        dev = device(Z)
        signs_np, radii_np, (ha_np, hb_np) = self._cast[
            "float32" if dtype == xp.float32 else "float64"]
        signs = xp.asarray(signs_np, device=dev)
        factors = (xp.asarray(ha_np, device=dev), xp.asarray(hb_np, device=dev))
        n, kp, blocks = Z.shape[0], self.padded, self.blocks
        X = xp.astype(Z, dtype)
        if kp > self.dim:
            X = xp.concat([X, xp.zeros((n, kp - self.dim), dtype=dtype, device=dev)], axis=1)
        X = xp.reshape(X, (n, 1, kp)) * signs[2, ...]  # (n, B, k'): D3 z per block
        X = fwht(X, factors) * signs[1, ...]
        X = fwht(X, factors) * signs[0, ...]
        X = xp.reshape(fwht(X, factors), (n, blocks * kp))
        if blocks * kp > self.rows:
            X = X[:, :self.rows]
        return X * xp.asarray(radii_np, device=dev)

    def _angles_numpy(self, Z: NDArray[Any], dtype: Any) -> NDArray[Any]:
        signs, radii, (ha, hb) = self._cast[np.dtype(dtype).name]
        n, k, kp, blocks = Z.shape[0], self.dim, self.padded, self.blocks
        X = np.zeros((n, blocks, kp), dtype=dtype)
        # the cast to dtype, then the exact product by +-1
        np.multiply(Z.astype(dtype, copy=False)[:, None, :], signs[2, :, :k], out=X[:, :, :k])
        square = (n * blocks, ha.shape[0], hb.shape[0])
        for diagonal in (signs[1], signs[0]):
            X = np.matmul(ha, np.matmul(X.reshape(square), hb)).reshape(n, blocks, kp)
            X *= diagonal
        T = np.matmul(ha, np.matmul(X.reshape(square), hb)).reshape(n, blocks * kp)
        return np.asarray(np.multiply(T[:, :self.rows], radii))

    def angles_by_frequency(self, Z: NDArray[Any], dtype: Any) -> NDArray[Any]:
        """The angles of ``angles`` for NumPy rows, frequency-major: (rows, n).

        The transforms act on the columns of Z^T, ``BY_FREQUENCY_COLUMNS`` at a time,
        each k'-vector held as an (a, b) matrix per block: H_a acts on its columns, one
        (a, a) product per column j, then H_b on its rows, one (b, b) product per row i,
        stacks of strided views of one buffer instead of tiny products per query. Each
        product is small enough that OpenBLAS runs it on the calling thread (below its
        threading threshold of 2^18 multiply-adds), so query blocks on several threads
        do not spin BLAS pools against each other.

        The diagonals are folded into the H_a factors (column j of block B gets
        H_a diag(D[B, :, j]), entries still +-1, so each product is the same as scaling
        first) and the radii into the last H_b factor (row j' scaled by its radius: a dot
        product with coefficients +-r, whose rounding is r times that of the +-1 one).
        Each entry is a dot product of length a or b as in ``angles``, summed in another
        order: ``rotation_error`` bounds either."""
        first, second, third, hb, last = self._folds(dtype)
        n, k, kp, blocks = Z.shape[0], self.dim, self.padded, self.blocks
        a, b, k_rows = first.shape[2], hb.shape[0], first.shape[3]
        T = np.empty((self.rows, n), dtype=dtype)
        for start in range(0, n, BY_FREQUENCY_COLUMNS):
            stop = min(start + BY_FREQUENCY_COLUMNS, n)
            m = stop - start
            Zp = np.zeros((k_rows * b, m), dtype=dtype)  # the rows of the (a, b) z reaches
            Zp[:k] = Z[start:stop].T
            X = np.empty((blocks, a, b, m), dtype=dtype)  # (block, i, j, column)
            Y = np.empty_like(X)
            by_column = Y.transpose(0, 2, 1, 3)  # (block, j, i, column): H_a's view
            np.matmul(first, Zp.reshape(k_rows, b, m).transpose(1, 0, 2), out=by_column)
            np.matmul(hb, Y, out=X)
            np.matmul(second, X.transpose(0, 2, 1, 3), out=by_column)
            np.matmul(hb, Y, out=X)
            np.matmul(third, X.transpose(0, 2, 1, 3), out=by_column)
            np.matmul(last, Y, out=X)
            T[:, start:stop] = X.reshape(blocks * kp, m)[:self.rows]
        return T

    def _folds(self, dtype: Any) -> tuple[Any, Any, Any, Any, Any]:
        """``angles_by_frequency``'s factors in dtype: H_a D3 (per block and column j,
        over the rows z reaches), H_a D2, H_a D1 (per block and column), H_b, and H_b
        with each row scaled by its frequency's radius (per block and row i; 0 past the
        last frequency)."""
        name = np.dtype(dtype).name
        if name not in self._folded:
            signs, radii, (ha, hb) = self._cast[name]
            kp, blocks = self.padded, self.blocks
            a, b = ha.shape[0], hb.shape[0]
            D = signs.reshape(3, blocks, a, b).transpose(0, 1, 3, 2)  # (3, B, j, i)
            per_column = ha * D[:, :, :, None, :]  # (3, B, j, a, a): H_a diag(D[B, :, j])
            scale = np.zeros(blocks * kp, dtype=dtype)
            scale[:self.rows] = radii
            self._folded[name] = (
                np.ascontiguousarray(per_column[2, ..., :-(-self.dim // b)]),
                np.ascontiguousarray(per_column[1]), np.ascontiguousarray(per_column[0]),
                hb, scale.reshape(blocks, a, b, 1) * hb)
        return self._folded[name]

    def dense(self) -> NDArray[np.float64]:
        """The (rows, k) frequency matrix, for code that needs it spelled out (audits,
        tests): the float64 angles of the unit vectors."""
        return np.asarray(self.angles(np.eye(self.dim), np.float64)).T.copy()


@dataclass(frozen=True, slots=True)
class StructuredPhaseForm:
    """The phase form of a paired release with structured frequencies (as
    ``core.structures.phase_form.PhaseForm``, a_j cos t + b_j sin t = r_j cos(t - psi_j),
    post-processing only), with the angles from the fast transforms and a bound on
    their float32 rounding.

    Angle j of a query z errs by at most rho_j (dz + (||z||_2 + dz)(delta + 5u)), rho_j
    its radius, delta = ``rotation_error``, dz a bound on ||fl(P y) - P y||_2 (0 without
    a projection); psi, the cosine and the sum add what ``PhaseForm`` adds
    (3u |psi_j| + (F + 3) u per unit of amplitude)."""

    frequencies: StructuredFrequencies
    projection: NDArray[Any] | None  # (k, d), float32 where the answers are float32
    precision: str
    psi: NDArray[Any]
    amplitude: NDArray[Any]
    weighted_radius: float  # sum_j a_j rho_j
    weighted_rest: float  # sum_j a_j (3 |psi_j| + F + 3) u (float32)
    projection_row_l1: float  # max_i sum_l |P_il| (1 without a projection)
    projection_norm: float  # ||P||_F (1 without a projection)
    reach: float  # the most a unit input can grow in the transforms or an angle
    delta32: float  # the transforms' relative float32 rounding, plus 5 u

    @classmethod
    def of(cls, frequencies: StructuredFrequencies, projection: NDArray[np.float64] | None,
           precision: str, total: NDArray[np.float64], weight: float) -> StructuredPhaseForm:
        rows = frequencies.rows
        a, b = total[:rows], total[rows:]
        amplitude = abs(weight) * np.hypot(a, b)
        psi = np.arctan2(b, a) + (math.pi if weight < 0 else 0.0)
        dtype = np.float32 if precision == "float32" else np.float64
        return cls(
            frequencies=frequencies, precision=precision,
            projection=None if projection is None else projection.astype(dtype),
            psi=psi.astype(dtype), amplitude=amplitude.astype(dtype),
            weighted_radius=float(amplitude @ frequencies.radii),
            weighted_rest=float(amplitude @ (3.0 * np.abs(psi) + psi.size + 3.0)) * F32_EPS,
            projection_row_l1=(1.0 if projection is None
                               else float(np.abs(projection).sum(axis=1).max())),
            projection_norm=1.0 if projection is None else float(np.linalg.norm(projection)),
            reach=max(float(np.max(frequencies.radii, initial=0.0)),
                      float(frequencies.padded) ** 1.5, 1.0),
            delta32=rotation_error(frequencies.padded, F32_EPS) + 5 * F32_EPS)

    def _bounds(self, Y: NDArray[np.float64], unit: float) -> tuple[NDArray[np.float64],
                                                                    NDArray[np.float64]]:
        """(a bound on ||P y||_2, a bound on the rounding of P y in l2) per query."""
        if self.projection is None:
            return np.linalg.norm(Y, axis=1) * (1.0 + 1e-12), np.zeros(Y.shape[0])
        k, d = self.projection.shape
        zmax = self.projection_row_l1 * np.max(np.abs(Y), axis=1)
        norm = np.minimum(math.sqrt(k) * zmax, self.projection_norm
                          * np.linalg.norm(Y, axis=1) * (1.0 + 1e-12))
        return norm, math.sqrt(k) * (d + 2) * unit * zmax

    def evaluate(self, Y: NDArray[np.float64]) -> tuple[NDArray[np.float64],
                                                        NDArray[np.float64]]:
        """sum_j r_j cos(omega_j . P y - psi_j) for a block of queries and a bound on
        each answer's rounding. float32 where every intermediate of the transforms
        (at most k'^{3/2} ||z||_2) and every angle (at most rho_max ||z||_2) stays below
        1e30; the other queries in float64 (``_evaluate_wide``)."""
        if self.precision != "float32":
            return self._evaluate_wide(Y)
        norm, dz = self._bounds(Y, F32_EPS)
        narrow = (norm + dz) * self.reach <= FLOAT32_SAFE
        if not bool(np.all(narrow)):
            values, error = self._evaluate_wide(Y)
            if bool(np.any(narrow)):
                values[narrow], error[narrow] = self.evaluate(Y[narrow])
            return values, error
        Z = Y.astype(np.float32)
        if self.projection is not None:
            Z = Z @ self.projection.T
        # NumPy's own loops for the sums, not BLAS: a threaded BLAS product here would
        # spin its threads against the other query blocks' (core.parallel.run_blocks);
        # float32 sums, which ``weighted_rest``'s F u per unit of amplitude covers
        if Z.shape[0] >= BY_FREQUENCY_ROWS:
            T = self.frequencies.angles_by_frequency(Z, np.float32)
            T -= self.psi[:, None]
            np.cos(T, out=T)
            values = np.einsum("j,jn->n", self.amplitude, T)
        else:
            T = self.frequencies.angles(Z, np.float32)
            T -= self.psi
            np.cos(T, out=T)
            values = np.einsum("ij,j->i", T, self.amplitude)
        error = (1.01 * self.weighted_radius * (dz + (norm + dz) * self.delta32)
                 + self.weighted_rest)
        return values.astype(np.float64), np.asarray(error, dtype=np.float64)

    def _evaluate_wide(self, Y: NDArray[np.float64]) -> tuple[NDArray[np.float64],
                                                             NDArray[np.float64]]:
        """float64 throughout, each query first scaled by a power of two (exact) so
        that the transforms cannot overflow; angles reduced mod 2 pi; an angle beyond
        float64's range gets cosine 0 and its whole amplitude as error; no term errs by
        more than 2 r_j."""
        unit = F64_EPS
        Z = Y if self.projection is None else Y @ self.projection.astype(np.float64).T
        norm, dz = self._bounds(Y, unit)
        _, exponent = np.frexp(np.max(np.abs(Z), axis=1))
        scaled = np.ldexp(Z, -exponent[:, None])
        amplitude = self.amplitude.astype(np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            T = np.ldexp(self.frequencies.angles(scaled, np.float64), exponent[:, None])
            finite = np.isfinite(T)
            T = np.where(finite, np.remainder(T - self.psi.astype(np.float64), 2 * math.pi),
                         0.0)
            C = np.where(finite, np.cos(T), 0.0)
            delta = rotation_error(self.frequencies.padded, unit) + 5 * unit
            per_frequency = np.fmin(self.frequencies.radii[None, :] * (
                1.01 * (dz + (norm + dz) * delta))[:, None] + 8 * unit, 2.0)
        values = np.asarray(C @ amplitude, dtype=np.float64)
        error = np.where(finite, per_frequency, 1.0) @ amplitude
        return values, np.asarray(error + (amplitude.size + 1) * unit * amplitude.sum(),
                                  dtype=np.float64)
