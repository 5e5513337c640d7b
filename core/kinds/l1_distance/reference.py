"""The exact float64 brute force of ``l1_distance``: F(y) = sum_x ||x - y||_1."""

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
    return np.asarray((_l1(rows, points)).sum(axis=1))


def _l1(rows: NDArray[np.float64], points: NDArray[np.float64]) -> NDArray[np.float64]:
    """(q, n) l1 distances."""
    return np.asarray(np.abs(points[:, None, :] - rows[None, :, :]).sum(axis=-1))
