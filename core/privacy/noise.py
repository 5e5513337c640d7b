"""The one place where privsim samples privacy noise.

Every draw goes through OpenDP's float-safe samplers, which draw from the operating
system's CSPRNG and sample exactly on a lattice, so the low-order bits of a release do
not leak the input (Mironov 2012). Never use ``numpy.random`` (or CuPy's RNG) for noise.

The samplers take the exact values and return them with noise added; the draws
themselves are never exposed, logged or stored apart from the release.

OpenDP marks its vector Laplace and Gaussian measurements as "contrib" (contributed,
not yet formally vetted by its committee), so this module enables that feature once.
See docs/privacy/noise.md.

Long vectors are drawn in chunks of ``CHUNK`` values on a pool of threads, one per
usable CPU: OpenDP's library is called through ``ctypes.CDLL``, which releases the GIL,
so the exact samplers run in parallel. Each chunk goes through the same measurement
(iid noise of the same scale on every coordinate), so the joint law of the noise, and
with it the privacy map, is that of one call on the whole vector; the order of the
values is kept.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

import numpy as np
import opendp.prelude as dp
from numpy.typing import NDArray

from core.errors import InvalidParameter

__all__ = ["CHUNK", "gaussian", "gaussian_rho", "laplace", "laplace_epsilon", "threads",
           "zcdp_epsilon"]

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


CHUNK = 16_384  # values per OpenDP call when a vector is drawn on several threads


def threads() -> int:
    """The threads that draw noise: the CPUs this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=threads(), thread_name_prefix="noise")


if hasattr(os, "register_at_fork"):  # a forked child has none of its parent's threads
    os.register_at_fork(after_in_child=_pool.cache_clear)


def _draw(measurement: Callable[[float], Any], values: NDArray[np.float64],
          scale: float) -> NDArray[np.float64]:
    """``values`` through ``measurement(scale)``: one call, or one per chunk of
    ``CHUNK`` values on the thread pool, in order."""
    exact = np.asarray(values, dtype=np.float64)
    flat = _check(exact, scale)
    if len(flat) <= CHUNK or threads() == 1:
        noisy = measurement(scale)(flat)
    else:
        chunks = [flat[i:i + CHUNK] for i in range(0, len(flat), CHUNK)]
        parts = _pool().map(lambda chunk: measurement(scale)(chunk), chunks)
        noisy = [v for part in parts for v in part]
    return np.asarray(noisy, dtype=np.float64).reshape(exact.shape)


def laplace(values: NDArray[np.float64], scale: float) -> NDArray[np.float64]:
    """values + iid Laplace(0, scale) per coordinate, float-safe."""
    return _draw(_laplace_measurement, values, scale)


def gaussian(values: NDArray[np.float64], scale: float) -> NDArray[np.float64]:
    """values + iid N(0, scale^2) per coordinate, float-safe."""
    return _draw(_gaussian_measurement, values, scale)


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
