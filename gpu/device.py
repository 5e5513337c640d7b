"""Finding a usable GPU, lazily: importing this module never imports CuPy."""

from __future__ import annotations

import logging
from types import ModuleType

logger = logging.getLogger(__name__)


def load_cupy(device_id: int = 0, memory_limit_bytes: int | None = None) -> ModuleType | None:
    """Return cupy bound to a usable device, or None. Never raises for 'no GPU'."""
    try:
        import cupy
    except ImportError:
        return None
    try:
        cupy.cuda.Device(device_id).use()
        cupy.cuda.runtime.getDeviceCount()
    except Exception:  # CUDARuntimeError, driver missing, no device
        logger.debug("CuPy is installed but no CUDA device is usable")
        return None
    if memory_limit_bytes is not None:
        cupy.get_default_memory_pool().set_limit(size=memory_limit_bytes)
    module: ModuleType = cupy
    return module
