"""The exact float64 brute force of ``l2_distance``: F(y) = sum_x ||x - y||_2."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from core.structures.base import Spec

__all__ = ["reference"]


def reference(spec: Spec, rows: NDArray[np.float64],
              points: NDArray[np.float64]) -> NDArray[np.float64]:
    """F(y) for every query point: rows (n, d) and points (q, d) -> (q,). Not private."""
    return np.asarray((np.sqrt(_sq_l2(rows, points))).sum(axis=1))


def _sq_l2(rows: NDArray[np.float64], points: NDArray[np.float64]) -> NDArray[np.float64]:
    """(q, n) squared l2 distances, from the differences (no cancellation)."""
    return np.asarray(((points[:, None, :] - rows[None, :, :]) ** 2).sum(axis=-1))
