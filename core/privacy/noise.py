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
from collections.abc import Callable
from functools import cache
from typing import Any, Literal

import numpy as np
import opendp.prelude as dp
from numpy.typing import NDArray

from core.errors import InvalidParameter
from core.parallel import pool, threads

__all__ = ["CHUNK", "EXACT", "LATTICE_BITS", "gaussian", "gaussian_rho", "laplace",
           "laplace_epsilon", "lattice", "threads", "zcdp_epsilon"]

dp.enable_features("contrib")


EXACT = -1074  # the lattice of every double: inputs are represented without rounding
LATTICE_BITS = 40  # a coarser lattice rounds inputs by at most 2^-40 of the sensitivity


def lattice(sensitivity: float, size: int, norm: Literal["l1", "l2"]) -> int:
    """The noise lattice 2^k for a vector of ``size`` coordinates with this L1 (or L2)
    sensitivity. OpenDP rounds each input to a multiple of 2^k, which can move a
    neighbour by 2^k per coordinate more: its privacy map adds size * 2^k (L1) or
    sqrt(size) * 2^k (L2) to the sensitivity. k is the largest integer for which that is
    at most 2^-``LATTICE_BITS`` of the sensitivity (never below ``EXACT``). A coarser
    lattice makes the exact samplers work on smaller integers: 4x faster (Gaussian) and
    2.5x (Laplace) than on the 2^-1074 lattice (docs/privacy/noise.md)."""
    if not (math.isfinite(sensitivity) and sensitivity > 0) or size < 1:
        raise InvalidParameter("sensitivity", "must be finite and > 0, with size >= 1")
    spread = float(size) if norm == "l1" else math.sqrt(size)
    return max(EXACT, math.floor(math.log2(sensitivity / spread)) - LATTICE_BITS)


@cache
def _vector_domain(size: int | None) -> Any:
    return dp.vector_domain(dp.atom_domain(T=float, nan=False), size=size)


def _laplace_measurement(scale: float, size: int, k: int | None) -> Any:
    """OpenDP's vector Laplace: on every double (``k`` None, any length), or on the
    lattice 2^k for vectors of ``size`` coordinates."""
    domain = _vector_domain(None if k is None else size)
    return dp.m.make_laplace(domain, dp.l1_distance(T=float), scale=scale, k=k)


def _gaussian_measurement(scale: float, size: int, k: int | None) -> Any:
    """OpenDP's vector Gaussian, as ``_laplace_measurement``."""
    domain = _vector_domain(None if k is None else size)
    return dp.m.make_gaussian(domain, dp.l2_distance(T=float), scale=scale, k=k)


def _check(values: NDArray[np.float64], scale: float) -> list[float]:
    if not (math.isfinite(scale) and scale > 0):
        raise InvalidParameter("scale", "must be a finite number > 0")
    flat = np.asarray(values, dtype=np.float64).ravel()
    if not np.all(np.isfinite(flat)):
        raise InvalidParameter("values", "must be finite")
    return [float(v) for v in flat]


CHUNK = 16_384  # values per OpenDP call when a vector is drawn on several threads


def _draw(measurement: Callable[[float, int, int | None], Any], values: NDArray[np.float64],
          scale: float, k: int | None) -> NDArray[np.float64]:
    """``values`` through ``measurement``: one call, or one per chunk of ``CHUNK``
    values on the thread pool, in order (each chunk on the same lattice)."""
    exact = np.asarray(values, dtype=np.float64)
    flat = _check(exact, scale)
    if len(flat) <= CHUNK or threads() == 1:
        noisy = measurement(scale, len(flat), k)(flat)
    else:
        chunks = [flat[i:i + CHUNK] for i in range(0, len(flat), CHUNK)]
        parts = pool("noise").map(lambda chunk: measurement(scale, len(chunk), k)(chunk), chunks)
        noisy = [v for part in parts for v in part]
    return np.asarray(noisy, dtype=np.float64).reshape(exact.shape)


def laplace(values: NDArray[np.float64], scale: float, *,
            k: int | None = None) -> NDArray[np.float64]:
    """values + iid Laplace(0, scale) per coordinate, float-safe: exactly on every
    double, or (``k``) on the lattice 2^k (``lattice``; the map is ``laplace_epsilon``
    with the same k)."""
    return _draw(_laplace_measurement, values, scale, k)


def gaussian(values: NDArray[np.float64], scale: float, *,
             k: int | None = None) -> NDArray[np.float64]:
    """values + iid N(0, scale^2) per coordinate, float-safe, as ``laplace``."""
    return _draw(_gaussian_measurement, values, scale, k)


def laplace_epsilon(l1_sensitivity: float, scale: float, *, size: int = 1,
                    k: int | None = None) -> float:
    """OpenDP's privacy map: the epsilon of ``laplace(., scale, k=k)`` on vectors of
    ``size`` coordinates at this sensitivity (the rounding to 2^k included)."""
    return float(_laplace_measurement(scale, size, k).map(float(l1_sensitivity)))


def gaussian_rho(l2_sensitivity: float, scale: float, *, size: int = 1,
                 k: int | None = None) -> float:
    """OpenDP's privacy map: the zCDP rho of ``gaussian(., scale, k=k)`` on vectors of
    ``size`` coordinates at this sensitivity (the rounding to 2^k included)."""
    return float(_gaussian_measurement(scale, size, k).map(float(l2_sensitivity)))


def zcdp_epsilon(rho: float, delta: float) -> float:
    """The epsilon at ``delta`` of a rho-zCDP mechanism, by OpenDP's conversion."""
    if rho <= 0:
        return 0.0
    scale = 1.0 / math.sqrt(2.0 * rho)  # a sensitivity-1 Gaussian with this rho
    try:
        converted = dp.c.make_zCDP_to_approxDP(_gaussian_measurement(scale, 1, None))
        return float(converted.map(1.0).epsilon(delta))  # type: ignore[no-untyped-call]
    except dp.OpenDPException:  # the conversion overflows for huge rho: no finite epsilon
        return math.inf
