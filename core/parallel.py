"""Threads for NumPy work that releases the GIL: long noise vectors
(``core.privacy.noise``) and large query batches (``run_blocks``).

One pool per purpose, sized to the CPUs this process may use, made on first use and
forgotten in a forked child (which has none of its parent's threads)."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache

__all__ = ["pool", "run_blocks", "threads"]


def threads() -> int:
    """The CPUs this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


@cache
def pool(purpose: str) -> ThreadPoolExecutor:
    """The thread pool for one purpose ("noise", "query"), ``threads()`` wide."""
    return ThreadPoolExecutor(max_workers=threads(), thread_name_prefix=purpose)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=pool.cache_clear)


def run_blocks(n: int, block: int, work: Callable[[int, int], None]) -> None:
    """``work(start, stop)`` for each block of ``block`` rows of ``n``, on the query pool
    when there are several blocks and several CPUs (each call must write only its own
    rows), else in this thread. Every call has finished when this returns; the first
    exception raised by one is raised here."""
    spans = [(start, min(start + block, n)) for start in range(0, n, block)]
    if len(spans) < 2 or threads() == 1:
        for start, stop in spans:
            work(start, stop)
        return
    for future in [pool("query").submit(work, start, stop) for start, stop in spans]:
        future.result()
