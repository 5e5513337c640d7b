"""The exact float64 brute force of ``laplace_kde``: F(y) = sum_x exp(-||x - y||_1 / sigma)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from core.kinds.laplace_kde.spec import LaplaceKDESpec

if TYPE_CHECKING:
    from core.structures.base import Spec

__all__ = ["reference"]


def reference(spec: Spec, rows: NDArray[np.float64],
              points: NDArray[np.float64]) -> NDArray[np.float64]:
    """F(y) for every query point: rows (n, d) and points (q, d) -> (q,). Not private."""
    if not isinstance(spec, LaplaceKDESpec):
        raise TypeError("laplace_kde's reference needs a LaplaceKDESpec")
    return np.asarray((np.exp(-_l1(rows, points) / spec.bandwidth)).sum(axis=1))


def _l1(rows: NDArray[np.float64], points: NDArray[np.float64]) -> NDArray[np.float64]:
    """(q, n) l1 distances."""
    return np.asarray(np.abs(points[:, None, :] - rows[None, :, :]).sum(axis=-1))
