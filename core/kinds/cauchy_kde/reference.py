"""The exact float64 brute force of ``cauchy_kde``: F(y) = sum_x 1 / (1 + h(x, y)), h as
``metric_input`` chooses it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from core.kinds.cauchy_kde.spec import CauchyKDESpec

if TYPE_CHECKING:
    from core.structures.base import Spec

__all__ = ["reference"]


def reference(spec: Spec, rows: NDArray[np.float64],
              points: NDArray[np.float64]) -> NDArray[np.float64]:
    """F(y) for every query point: rows (n, d) and points (q, d) -> (q,). Not private."""
    if not isinstance(spec, CauchyKDESpec):
        raise TypeError("cauchy_kde's reference needs a CauchyKDESpec")
    diff = points[:, None, :] - rows[None, :, :]
    if spec.metric_input == "sq_l2":
        h = (diff**2).sum(axis=-1) / spec.bandwidth**2
    elif spec.metric_input == "l2":
        h = np.sqrt((diff**2).sum(axis=-1)) / spec.bandwidth
    else:
        h = np.abs(diff).sum(axis=-1) / spec.bandwidth
    return np.asarray((1.0 / (1.0 + h)).sum(axis=1))
