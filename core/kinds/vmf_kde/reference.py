"""The exact float64 brute force of ``vmf_kde``: F(y) = sum_x exp(kappa (x.y - 1)) over
the rows and queries normalised to the unit sphere (``to_sphere``), computed from the
inner products (not from the Gaussian form the features use)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from core.kinds.vmf_kde.release import to_sphere
from core.kinds.vmf_kde.spec import VmfKDESpec

if TYPE_CHECKING:
    from core.structures.base import Spec

__all__ = ["reference"]


def reference(spec: Spec, rows: NDArray[np.float64],
              points: NDArray[np.float64]) -> NDArray[np.float64]:
    """F(y) for every query point: rows (n, d) and points (q, d) -> (q,). Not private.
    The rows are taken as given (already in the declared domain)."""
    if not isinstance(spec, VmfKDESpec):
        raise TypeError("vmf_kde's reference needs a VmfKDESpec")
    x = to_sphere(np.asarray(rows, dtype=np.float64))
    y = to_sphere(np.asarray(points, dtype=np.float64))
    return np.asarray(np.exp(spec.kappa * (y @ x.T - 1.0)).sum(axis=1))
