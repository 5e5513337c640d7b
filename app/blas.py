"""One BLAS thread for small products, where a thread pool costs more than it gives.

NumPy's BLAS (OpenBLAS) spreads every product over a pool of threads, one per core.
For a single query point (a matrix-vector product of a few microseconds) waking that
pool costs more than the product, and when the other cores are busy (other requests,
a build) it costs milliseconds: measured on 2 cores under load, a 768-d query to a
4,096-feature structure took 7.4 ms at the median with the pool and 1.3 ms without.
Large batches keep the pool. The setting is process-wide: a larger product running
meanwhile in another thread may run on one thread for that moment, which costs it time,
never correctness. It is used on the event loop's thread (small queries answered there).
threadpoolctl (3.8) lets only one thread change OpenBLAS's process-wide pool: the first
that sets it, for as long as that thread lives (``OpenBLASController.set_num_threads``:
"other threads silently do nothing"), so from any other thread this does nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from threadpoolctl import ThreadpoolController

__all__ = ["one_blas_thread"]


class _OneThread:
    """Counts who is inside: the first in sets one thread, the last out restores."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._libs: list[Any] | None = None
        self._saved: list[int] = []

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._libs is None:
                self._libs = [lib for lib in ThreadpoolController().lib_controllers
                              if lib.user_api == "blas"]
            if self._inside == 0:
                self._saved = [lib.num_threads for lib in self._libs]
                for lib in self._libs:
                    lib.set_num_threads(1)
            self._inside += 1
        try:
            yield
        finally:
            with self._lock:
                self._inside -= 1
                if self._inside == 0:
                    for lib, threads in zip(self._libs, self._saved, strict=True):
                        lib.set_num_threads(threads)


one_blas_thread = _OneThread()
"""``with one_blas_thread(): ...``: BLAS on one thread while inside (nested and
concurrent uses are counted; the last to leave restores the setting)."""
