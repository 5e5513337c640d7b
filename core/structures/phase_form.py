"""The phase form: a paired random-feature release rewritten for fast queries.

a_j cos t + b_j sin t = r_j cos(t - psi_j), one cosine per frequency instead of a cosine
and a sine, with a bound on the float32 rounding of every answer. Post-processing of the
release: it changes nothing in the privacy analysis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

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
    FeatureMap,
    Precision,
    query_trig,
)

__all__ = ["PhaseForm", "phase_precision", "phase_query_seconds"]


def phase_precision(precision: Precision, row_l1: float) -> Precision:
    """The precision the phase form answers queries in (``PhaseForm.of``): float64 for
    float64 maps, and for frequencies float32 cannot hold (||w||_1 above
    ``FLOAT32_SAFE``)."""
    return "float64" if precision == "float64" or row_l1 > FLOAT32_SAFE else "float32"



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
        precision = first.precision if row_l1 <= FLOAT32_SAFE else "float64"
        dtype = np.float32 if precision == "float32" else np.float64
        projection = None if first.projection is None else first.projection.astype(dtype)
        return cls(
            precision=precision, frequencies=frequencies.astype(dtype),
            projection=projection, psi=psi.astype(dtype), amplitude=amplitude.astype(dtype),
            weighted_l1=float(amplitude @ np.abs(frequencies).sum(axis=1)),
            weighted_rest=float(amplitude @ (3.0 * np.abs(psi) + psi.size + 3.0)) * F32_EPS,
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
                  <= FLOAT32_SAFE)
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
                np.abs(frequencies).sum(axis=1)[None, :] * ((k + d + 4) * F64_EPS)
                * zmax[:, None] + 8 * F64_EPS, 2.0)
        error = np.where(finite, per_frequency, 1.0) @ amplitude
        return values, np.asarray(error + (amplitude.size + 1) * F64_EPS * amplitude.sum(),
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
            zmax, dz = ymax, F32_EPS * ymax
        else:
            d = self.projection.shape[1]
            zmax = self.projection_row_l1 * ymax
            dz = (d + 2) * F32_EPS * zmax
        angle = dz + (k + 2) * F32_EPS * (zmax + dz)
        return np.asarray(self.weighted_l1 * angle + self.weighted_rest, dtype=np.float64)


