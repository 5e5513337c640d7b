"""Row readers for the Dask tests, imported by the Dask worker processes (a task names
its reader by reference, so the reader must live in an importable module)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from uuid import UUID

import numpy as np
from numpy.typing import NDArray

from app.bootstrap import dask_row_reader
from app.workers.distributed import RowReader

KILL_MARKER = "PRIVSIM_TEST_DASK_KILL_MARKER"  # the cluster's env names the marker file
READING_MARKER = "PRIVSIM_TEST_DASK_READING_MARKER"  # created when a chunk task reads
SLOW_READ_SECONDS = 1.0  # how long each slow chunk read takes


class DyingReader:
    """The real reader, except that exactly one Dask worker process, cluster-wide, kills
    itself (SIGKILL) on reading its second chunk: it dies mid-build, after it has
    computed (and may still hold) a chunk's sums. The marker file, created atomically
    just before, makes sure it happens once."""

    def __init__(self, inner: RowReader, marker: Path) -> None:
        self.inner, self.marker, self.reads = inner, marker, 0
        self.key_check, self.backend = inner.key_check, inner.backend

    def visible(self, dataset_id: UUID, seqs: list[int]) -> bool:
        return self.inner.visible(dataset_id, seqs)

    def read(self, dataset_id: UUID, seq: int) -> NDArray[np.float64]:
        rows = self.inner.read(dataset_id, seq)
        self.reads += 1
        if self.reads == 2:
            try:
                os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                return rows
            os.kill(os.getpid(), signal.SIGKILL)
        return rows


def dying_reader() -> DyingReader:
    return DyingReader(dask_row_reader(), Path(os.environ[KILL_MARKER]))


class SlowReader:
    """The real reader, except that each chunk read takes ``SLOW_READ_SECONDS`` longer
    and first creates the marker file: the test sees that chunk tasks are running (rows
    are being read) and has time to stop the scheduler while they do."""

    def __init__(self, inner: RowReader, marker: Path) -> None:
        self.inner, self.marker = inner, marker
        self.key_check, self.backend = inner.key_check, inner.backend

    def visible(self, dataset_id: UUID, seqs: list[int]) -> bool:
        return self.inner.visible(dataset_id, seqs)

    def read(self, dataset_id: UUID, seq: int) -> NDArray[np.float64]:
        self.marker.touch()
        time.sleep(SLOW_READ_SECONDS)
        return self.inner.read(dataset_id, seq)


def slow_reader() -> SlowReader:
    return SlowReader(dask_row_reader(), Path(os.environ[READING_MARKER]))
