"""Choosing where a build's exact sums are computed: NumPy on the CPU or CuPy on a GPU.

The core's ``accumulate`` functions are Array-API generic; a backend is just the
function that moves a host chunk onto its device.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from gpu.device import load_cupy


@dataclass(frozen=True, slots=True)
class Backend:
    name: Literal["cpu", "gpu"]
    to_device: Callable[[NDArray[np.float64]], Any]


CPU = Backend("cpu", lambda rows: rows)


def select_backend(requested: Literal["auto", "cpu", "gpu"],
                   memory_limit_bytes: int | None = None) -> Backend:
    """``auto``: the GPU if CuPy finds one, else the CPU. ``gpu`` without one raises.
    ``memory_limit_bytes`` caps CuPy's memory pool on the device (None: no cap)."""
    if requested == "cpu":
        return CPU
    cupy = load_cupy(memory_limit_bytes=memory_limit_bytes)
    if cupy is None:
        if requested == "gpu":
            raise RuntimeError("PRIVSIM_BACKEND=gpu but no usable CUDA device was found")
        return CPU
    return Backend("gpu", cupy.asarray)
