"""Array helpers shared by the core.

``Array`` is a deliberate hole in the typing: it stands for an array of any namespace
that follows the Array API standard (NumPy, array-api-strict, CuPy). Host-only code
uses ``NDArray[np.float64]``.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
from array_api_compat import is_numpy_namespace, to_device
from numpy.typing import NDArray

Array: TypeAlias = Any

__all__ = ["Array", "is_numpy_namespace", "to_host"]


def to_host(x: Array) -> NDArray[np.float64]:
    """Copy an array of any namespace to a float64 NumPy array."""
    if isinstance(x, np.ndarray):
        return np.asarray(x, dtype=np.float64)
    if hasattr(x, "get"):  # CuPy
        return np.asarray(x.get(), dtype=np.float64)
    try:
        return np.asarray(to_device(x, "cpu"), dtype=np.float64)
    except (ValueError, TypeError):
        return np.asarray(x, dtype=np.float64)
