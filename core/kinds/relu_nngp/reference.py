"""The exact float64 brute force of ``relu_nngp``: F(y) = sum_x NNGP(x, y), from the closed
form (core.structures.relu_features.relu_kernels)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from core.kinds.relu_nngp.spec import ReluNNGPSpec
from core.structures.relu_features import relu_reference

if TYPE_CHECKING:
    from core.structures.base import Spec

__all__ = ["reference"]


def reference(spec: Spec, rows: NDArray[np.float64],
              points: NDArray[np.float64]) -> NDArray[np.float64]:
    """F(y) for every query point: rows (n, d) and points (q, d) -> (q,). Not private.
    The kernel itself, not the clipped one the structure estimates."""
    if not isinstance(spec, ReluNNGPSpec):
        raise TypeError("relu_nngp's reference needs a ReluNNGPSpec")
    return relu_reference(np.asarray(rows, dtype=np.float64),
                          np.asarray(points, dtype=np.float64), tangent=False)
