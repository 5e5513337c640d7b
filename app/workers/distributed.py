"""Distributed builds on a Dask cluster (``PRIVSIM_DASK_ADDRESS``).

Every statistic a structure releases is a sum over rows, so a build splits by chunk:
the privsim worker that owns the job submits one Dask task per stored row chunk; each
task reads and decrypts its own chunk on the Dask worker (``RowReader``, opened from
that worker's own ``PRIVSIM_*`` settings), clips it and computes the chunk's exact sums
with the same code as a local build (``core.structures.base.chunk_totals``); the sums
are added pairwise on the cluster as they complete, and only the grand total comes
back. The owner then adds the noise once and wraps the release, exactly as a local
build does (``release_from_totals``).

What travels over the network: the structure's public spec and seed, chunk numbers,
and the exact per-chunk sums and their totals. Decrypted rows never leave the Dask
worker that read them, and no secret is sent (each Dask worker reads the database URL
and the data key from its own environment). The sums are exact, non-private statistics
of the rows: the scheduler, the workers and the network between them must be inside
the same trust boundary as the database and the data key.

Failure rules are the worker's (``app.workers.worker``):

- Before any chunk task is submitted, every Dask worker is checked (``_preflight``):
  the same data key (compared by an HMAC of a fixed label, never the key), the same
  privsim and NumPy versions (the public randomness is regenerated there from the
  seed), and every chunk of the build visible in its database. A mismatch is decided
  without reading a row: the build fails and the charge is refunded.
- A cluster that cannot be reached, that loses its scheduler, or whose task keeps
  killing workers raises ``ClusterUnavailable``: the job is given back to the queue
  and built again later, under the same charge (as when a privsim worker dies).
  Nothing is released from the chunks' sums that came back before the loss: noise is
  added only to the grand total of every chunk.
- The waits are bounded. Connecting, and waiting for a first Dask worker, take at most
  ``connect_seconds`` (by default Dask's ``distributed.comm.timeouts.connect``, 30 s,
  set with ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT``). A scheduler that closes or
  whose process dies drops the connection at once: the client cancels every task it
  was waiting on, and the owner gives the job back within one poll (``_POLL_SECONDS``).
  A scheduler whose machine vanishes without closing the connection is found dead by
  the kernel within ``distributed.comm.timeouts.tcp`` (30 s; Dask sets TCP keepalive
  and, on Linux, ``TCP_USER_TIMEOUT`` from it), with the same result. Fetching the
  total after the loss fails within the connect timeout.
- A Dask worker that dies mid-build is survived by Dask itself: the scheduler
  recomputes the chunk sums it held or was computing on another worker. The charge was
  made when the build was requested, so nothing is charged twice.
- Any error a task raises reaches the owner as itself (``RowsPurged``, a core error,
  a foreign exception) and is classified as a local build's would be.

Labelled models (classifier, regressor) still build on the owning worker.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError
from contextlib import suppress
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec
from typing import Any
from uuid import UUID, uuid4

import numpy as np
from numpy.typing import NDArray

from app.crypto import RowCipher
from app.errors import ServiceUnavailable
from app.services.ports import UnitOfWorkPort
from app.services.rows import RowsPurged, iter_chunks
from core.structures.base import Builder, Spec, Totals, add_totals, chunk_totals, empty_totals
from gpu.backend import Backend

__all__ = ["ClusterBuild", "ClusterMisconfigured", "ClusterUnavailable", "DaskBuilds",
           "OpenReader", "RowReader", "key_check"]

_KEY_CHECK_LABEL = b"privsim dask key check v1"
_BUILDERS_KEPT = 2  # builders (public randomness) a Dask worker keeps, by build
_POLL_SECONDS = 0.5  # how often the owner checks its lease while chunks are computed
_ROWS_MISSING = "rows missing"  # a preflight's answer: some chunk is not stored
_CLOSE_SECONDS = 10.0  # the most a build waits to close its client (the build is decided)

logger = logging.getLogger(__name__)


class ClusterUnavailable(Exception):
    """The Dask cluster cannot be reached, was lost, or keeps losing the workers that run
    a task: says nothing about the rows; the job goes back to the queue."""


class ClusterMisconfigured(ServiceUnavailable):
    """The cluster's workers do not run with this service's data key or versions;
    decided before any row is read."""


def key_check(key: bytes) -> str:
    """A fingerprint of the data key that reveals nothing about it (an HMAC of a fixed
    label), to check that the owner and the Dask workers hold the same key."""
    return hmac.new(key, _KEY_CHECK_LABEL, hashlib.sha256).hexdigest()


def versions() -> dict[str, str]:
    """The versions a chunk's sums depend on (the code, and NumPy's generators that
    draw the public randomness from the seed)."""
    try:
        privsim = version("privsim")
    except PackageNotFoundError:  # running from a checkout that is not installed
        privsim = "unknown"
    return {"privsim": privsim, "numpy": np.__version__}


@dataclass(frozen=True, slots=True)
class RowReader:
    """How a Dask task reads its chunk: the Dask worker's own database, data key and
    compute backend."""

    uow: UnitOfWorkPort
    cipher: RowCipher
    key_check: str
    backend: Backend

    def read(self, dataset_id: UUID, seq: int) -> NDArray[np.float64]:
        return next(iter_chunks(self.uow, dataset_id, self.cipher, [seq]))

    def visible(self, dataset_id: UUID, seqs: Sequence[int]) -> bool:
        """Whether every chunk in ``seqs`` is stored (its number only; no row is read)."""
        with self.uow() as tx:
            return set(seqs) <= set(tx.chunks.seqs(dataset_id))


# Opens the reader on a Dask worker: a module-level function (``app.bootstrap``'s), which
# the task carries by reference (its module is imported there), never a secret.
OpenReader = Callable[[], RowReader]


@dataclass(frozen=True, slots=True)
class ClusterBuild:
    """What every task of one build carries: public facts only."""

    token: str  # unique per build attempt: names its tasks and its cached builder
    dataset_id: UUID
    spec: Spec
    seed: int
    open_reader: OpenReader


# --- what runs on the Dask workers -----------------------------------------------------

_lock = threading.Lock()
_readers: dict[OpenReader, RowReader] = {}
_builders: OrderedDict[str, Builder] = OrderedDict()


def _reader(open_reader: OpenReader) -> RowReader:
    """One reader per Dask worker process (its engine is reused by every task)."""
    with _lock:
        if open_reader not in _readers:
            _readers[open_reader] = open_reader()
        return _readers[open_reader]


def _builder(build: ClusterBuild) -> Builder:
    """The build's builder, its public randomness drawn from the seed once per process."""
    with _lock:
        builder = _builders.get(build.token)
        if builder is None:
            builder = build.spec.builder(build.seed)
            _builders[build.token] = builder
            while len(_builders) > _BUILDERS_KEPT:
                _builders.popitem(last=False)
        _builders.move_to_end(build.token)
        return builder


def _preflight(build: ClusterBuild, seqs: list[int], expected_key: str,
               expected_versions: dict[str, str]) -> str | None:
    """Why this Dask worker cannot take part in the build, or None (reads no row)."""
    reader = _reader(build.open_reader)
    if reader.key_check != expected_key:
        return "a Dask worker holds another data key (PRIVSIM_DATA_KEY)"
    found = versions()
    if found != expected_versions:
        return (f"a Dask worker runs other versions ({found}; the service runs "
                f"{expected_versions})")
    if not reader.visible(build.dataset_id, seqs):
        return _ROWS_MISSING
    return None


def _chunk_task(build: ClusterBuild, seq: int, expected_key: str) -> Totals:
    """The exact sums of one stored chunk, read and decrypted here."""
    reader = _reader(build.open_reader)
    if reader.key_check != expected_key:  # a worker that joined after the preflight
        raise ClusterUnavailable("a Dask worker holds another data key")
    rows = reader.read(build.dataset_id, seq)
    return chunk_totals(build.spec, _builder(build), rows, reader.backend.to_device)


def _add_task(left: Totals, right: Totals) -> Totals:
    return add_totals(left, right)


# --- what runs on the owner ------------------------------------------------------------


class _TaskFailed(Exception):
    """A task raised: carries its exception out of the cluster-error handling."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(type(error).__name__)
        self.error = error


@dataclass(frozen=True, slots=True)
class DaskBuilds:
    """The owner's side: maps a build's chunks over the cluster at ``address`` and
    reduces their sums (module docstring). ``open_reader`` opens what the tasks read
    with, on the Dask workers; ``key_check`` is the owner's data key's fingerprint;
    ``connect_seconds`` bounds the wait for the scheduler and for a first Dask worker
    (None: Dask's ``distributed.comm.timeouts.connect``)."""

    address: str
    open_reader: OpenReader
    key_check: str
    connect_seconds: float | None = None

    def __post_init__(self) -> None:
        if not self.address.strip():  # refuse at start-up, not at every build
            raise RuntimeError("PRIVSIM_DASK_ADDRESS is set but empty: unset it, or name "
                               "a Dask scheduler (tcp://host:8786)")
        if find_spec("distributed") is None:  # refuse at start-up, not at the first build
            raise RuntimeError("PRIVSIM_DASK_ADDRESS is set but Dask is not installed: "
                               "pip install 'privsim[dask]'")

    def new_build(self, dataset_id: UUID, spec: Spec, seed: int) -> ClusterBuild:
        return ClusterBuild(uuid4().hex, dataset_id, spec, seed, self.open_reader)

    def totals(self, build: ClusterBuild, seqs: Sequence[int], *,
               check: Callable[[], None], started: Callable[[], None],
               progress: Callable[[int], None]) -> Totals:
        """The exact sums of every chunk in ``seqs``, on the host in float64.

        ``check`` is called while the chunks are computed (it raises to stop: a lost
        lease, a stopping worker; the tasks are then cancelled); ``started`` just
        before the first task is submitted (from then on rows may be read);
        ``progress`` with the number of chunks done."""
        from distributed import Client

        seconds = self._connect_seconds()
        try:
            client = Client(self.address, timeout=seconds,  # type: ignore[no-untyped-call]
                            set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ClusterUnavailable("the Dask scheduler cannot be reached") from exc
        try:
            return self._run(client, seconds, build, list(seqs), check, started, progress)
        except _TaskFailed as failed:
            raise failed.error from None
        finally:
            try:  # a client that lost its scheduler closes at once; never wait long
                client.close(timeout=_CLOSE_SECONDS)  # type: ignore[no-untyped-call]
            except (OSError, TimeoutError) as exc:  # the build's outcome stands
                logger.warning("the Dask client did not close cleanly (%s)",
                               type(exc).__name__)

    def _connect_seconds(self) -> float:
        if self.connect_seconds is not None:
            return self.connect_seconds
        import dask.config
        from dask.utils import parse_timedelta

        found = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"),
                                default="seconds")
        return float(found) if found is not None else 30.0

    def _run(self, client: Any, seconds: float, build: ClusterBuild, seqs: list[int],
             check: Callable[[], None], started: Callable[[], None],
             progress: Callable[[int], None]) -> Totals:
        from distributed.client import ClosedClientError
        from distributed.comm.core import CommClosedError
        from distributed.scheduler import KilledWorker

        futures: list[Any] = []
        finished: queue.SimpleQueue[Any] = queue.SimpleQueue()  # futures, as they finish

        def submit(function: Callable[..., Totals], *args: Any, key: str) -> None:
            future = client.submit(function, *args, key=key)
            futures.append(future)
            future.add_done_callback(finished.put)

        try:
            try:
                client.wait_for_workers(1, timeout=seconds)
            except TimeoutError as exc:  # an OSError: told apart from a lost connection
                raise ClusterUnavailable("the Dask cluster has no worker") from exc
            problems = client.run(_preflight, build, seqs, self.key_check, versions())
            self._refuse(problems)
            if not seqs:
                return empty_totals(build.spec, build.spec.builder(build.seed))
            started()
            for seq in seqs:
                submit(_chunk_task, build, seq, self.key_check,
                       key=f"privsim-chunk-{build.token}-{seq}")
            done, waiting, outstanding = 0, None, len(seqs)
            while outstanding:
                check()
                if client.status != "running":  # lost its scheduler: tasks are dropped
                    raise ClusterUnavailable("the connection to the Dask scheduler was lost")
                try:
                    future = finished.get(timeout=_POLL_SECONDS)
                except queue.Empty:
                    continue  # nothing finished yet: check the lease again
                outstanding -= 1
                if future.status == "error":
                    error = future.exception()
                    if isinstance(error, KilledWorker | ClusterUnavailable):
                        raise ClusterUnavailable(
                            "the cluster kept losing the workers of a task") from error
                    raise _TaskFailed(error)
                if future.status != "finished":  # cancelled, or lost with the scheduler
                    raise ClusterUnavailable("the cluster dropped the build's tasks")
                if future.key.startswith("privsim-chunk-"):
                    done += 1
                    progress(done)
                if waiting is None:
                    waiting = future
                else:  # add pairs on the cluster: only the grand total comes back
                    submit(_add_task, waiting, future,
                           key=f"privsim-add-{build.token}-{uuid4().hex}")
                    outstanding += 1
                    waiting = None
            if waiting is None:  # cannot happen: seqs is not empty, so one total is left
                raise ClusterUnavailable("the cluster returned no total")
            return dict(waiting.result())
        except (CancelledError, CommClosedError, OSError, ClosedClientError) as exc:
            raise ClusterUnavailable("the connection to the Dask cluster was lost") from exc
        finally:
            if futures:  # a client that lost its scheduler has dropped them already
                with suppress(ClosedClientError, OSError):
                    client.cancel(futures)

    @staticmethod
    def _refuse(problems: dict[str, str | None]) -> None:
        if not problems:
            raise ClusterUnavailable("the Dask cluster has no worker")
        found = [problem for problem in problems.values() if problem is not None]
        if _ROWS_MISSING in found:
            raise RowsPurged("the dataset's rows are not stored in the database the Dask "
                             "workers read (purged, or their PRIVSIM_DATABASE_URL names "
                             "another database)")
        if found:
            raise ClusterMisconfigured(f"the Dask cluster is misconfigured: {found[0]}; "
                                       "no row was read")
