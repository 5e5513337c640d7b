"""The one place where privsim samples privacy noise.

Every draw goes through OpenDP's float-safe samplers, which draw from the operating
system's CSPRNG and sample exactly on a lattice, so the low-order bits of a release do
not leak the input (Mironov 2012). Never use ``numpy.random`` (or CuPy's RNG) for noise.

The samplers take the exact values and return them with noise added; the draws
themselves are never exposed, logged or stored apart from the release.

OpenDP marks its vector Laplace and Gaussian measurements as "contrib" (contributed,
not yet formally vetted by its committee), so this module enables that feature once.
See docs/privacy/noise.md.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np
import opendp.prelude as dp
from numpy.typing import NDArray

from core.errors import InvalidParameter

__all__ = ["gaussian", "gaussian_rho", "laplace", "laplace_epsilon", "zcdp_epsilon"]

dp.enable_features("contrib")


@cache
def _vector_domain() -> Any:
    return dp.vector_domain(dp.atom_domain(T=float, nan=False))


def _laplace_measurement(scale: float) -> Any:
    return dp.m.make_laplace(_vector_domain(), dp.l1_distance(T=float), scale=scale)


def _gaussian_measurement(scale: float) -> Any:
    return dp.m.make_gaussian(_vector_domain(), dp.l2_distance(T=float), scale=scale)


def _check(values: NDArray[np.float64], scale: float) -> list[float]:
    if not (math.isfinite(scale) and scale > 0):
        raise InvalidParameter("scale", "must be a finite number > 0")
    flat = np.asarray(values, dtype=np.float64).ravel()
    if not np.all(np.isfinite(flat)):
        raise InvalidParameter("values", "must be finite")
    return [float(v) for v in flat]


def laplace(values: NDArray[np.float64], scale: float) -> NDArray[np.float64]:
    """values + iid Laplace(0, scale) per coordinate, float-safe."""
    exact = np.asarray(values, dtype=np.float64)
    noisy = _laplace_measurement(scale)(_check(exact, scale))
    return np.asarray(noisy, dtype=np.float64).reshape(exact.shape)


def gaussian(values: NDArray[np.float64], scale: float) -> NDArray[np.float64]:
    """values + iid N(0, scale^2) per coordinate, float-safe."""
    exact = np.asarray(values, dtype=np.float64)
    noisy = _gaussian_measurement(scale)(_check(exact, scale))
    return np.asarray(noisy, dtype=np.float64).reshape(exact.shape)


def laplace_epsilon(l1_sensitivity: float, scale: float) -> float:
    """OpenDP's privacy map: the epsilon of ``laplace(., scale)`` at this sensitivity."""
    return float(_laplace_measurement(scale).map(float(l1_sensitivity)))


def gaussian_rho(l2_sensitivity: float, scale: float) -> float:
    """OpenDP's privacy map: the zCDP rho of ``gaussian(., scale)`` at this sensitivity."""
    return float(_gaussian_measurement(scale).map(float(l2_sensitivity)))


def zcdp_epsilon(rho: float, delta: float) -> float:
    """The epsilon at ``delta`` of a rho-zCDP mechanism, by OpenDP's conversion."""
    if rho <= 0:
        return 0.0
    scale = 1.0 / math.sqrt(2.0 * rho)  # a sensitivity-1 Gaussian with this rho
    try:
        converted = dp.c.make_zCDP_to_approxDP(_gaussian_measurement(scale))
        return float(converted.map(1.0).epsilon(delta))  # type: ignore[no-untyped-call]
    except dp.OpenDPException:  # the conversion overflows for huge rho: no finite epsilon
        return math.inf
