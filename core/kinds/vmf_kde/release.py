"""The builder and release of ``vmf_kde``: rows and queries are put on the unit sphere
(``to_sphere``), then the Gaussian paired-feature machinery of
core.structures.feature_sums runs unchanged (on the sphere
exp(kappa (x.y - 1)) = exp(-||x - y||^2 / sigma^2) with sigma^2 = 2 / kappa).

The release also answers the vMF kernel density estimate's log-density
(``VmfKDERelease.log_density``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from array_api_compat import array_namespace, device
from numpy.typing import NDArray

from core._array import Array
from core.privacy.mechanisms import NoisePlan
from core.special import log_vmf_normaliser
from core.structures.base import QueryResult, Reduce, check_points, clamp_count
from core.structures.feature_sums import RandomFeatureBuilder, RandomFeatureRelease

__all__ = ["VmfKDEBuilder", "VmfKDERelease", "to_sphere"]


def to_sphere(rows: Array) -> Array:
    """Every row scaled to unit l2 norm; a zero row becomes the fixed public unit vector
    e_1 = (1, 0, ..., 0). Per row and data-independent (the rule does not look at any
    other row), so one row still moves only its own contribution. The norm is taken
    of the row divided by its largest |coordinate| (no overflow or underflow, so huge
    and denormal rows normalise too). Any Array API namespace; (n, d) -> (n, d)."""
    xp = array_namespace(rows)
    n, d = rows.shape
    if n == 0:
        return rows
    peak = xp.max(xp.abs(rows), axis=1, keepdims=True)
    scaled = rows / xp.where(peak > 0, peak, xp.ones_like(peak))
    norm = xp.sqrt(xp.sum(scaled * scaled, axis=1, keepdims=True))
    unit = scaled / xp.where(norm > 0, norm, xp.ones_like(norm))
    first = xp.reshape(xp.asarray([1.0] + [0.0] * (d - 1), dtype=rows.dtype,
                                  device=device(rows)), (1, d))
    return xp.where(norm > 0, unit, first)


class VmfKDEBuilder(RandomFeatureBuilder):
    """The paired-feature builder, on rows moved to the unit sphere first (after the
    pipeline's clipping into the declared domain)."""

    def accumulate(self, chunk: Array) -> dict[str, Array]:
        return super().accumulate(to_sphere(chunk))

    def finish(self, noisy: Mapping[str, NDArray[np.float64]],
               plan: NoisePlan) -> VmfKDERelease:
        base = super().finish(noisy, plan)
        return VmfKDERelease(kind=base.kind, dim=base.dim, params=base.params, plan=base.plan,
                             fmap=base.fmap, feature_sum=base.feature_sum, count=base.count)


@dataclass(frozen=True, slots=True)
class VmfKDERelease(RandomFeatureRelease):
    """Noisy Gaussian feature sum and count over the normalised rows; queries are
    normalised the same way (``to_sphere``) before they are answered."""

    @property
    def kappa(self) -> float:
        return float(self.params["kappa"])

    def query(self, points: NDArray[np.float64], reduce: Reduce = "sum") -> QueryResult:
        unit = to_sphere(check_points(points, self.dim))
        # RandomFeatureRelease's method by name: zero-argument super() does not work
        # in a slots dataclass on Python 3.11
        return RandomFeatureRelease.query(self, unit, reduce)

    def log_density(self, points: NDArray[np.float64]) -> NDArray[np.float64]:
        """log p(y) of the vMF kernel density estimate
        p(y) = (1/n) sum_x C_d(kappa) exp(kappa x.y) at the normalised queries:
        log C_d(kappa) + kappa + ln(max(F(y), floor) / n_noisy), with F(y) the sum
        answer, n_noisy the noisy count (at least 1) and the floor at the noise level:
        F(y) below its own privacy-noise std (it can even be negative) carries no
        information beyond "about that small", so it reads as that std."""
        values, std, _ = self.query(points, "sum")
        floor = np.maximum(std, np.finfo(np.float64).tiny)
        n_hat = clamp_count(self.count)
        log_c = float(log_vmf_normaliser(self.dim, self.kappa))
        return np.asarray(log_c + self.kappa + np.log(np.maximum(values, floor) / n_hat))
