"""The audit journal: audit events of the read paths, written in batches off the request.

A query, prediction, expectation or export changes nothing but the audit log, and
writing its event in a transaction of its own on every request would make the
database (SQLite's single write lock, above all) the bottleneck of the hot path. Here
the request only appends its event as one line to this process's journal file, a
plain ``write(2)`` on a file opened with ``O_APPEND``; a background thread writes
what has gathered to ``audit_events`` every ``flush_seconds``, in one transaction.

Nothing is lost:

- the line is in the operating system's hands before the answer leaves, so a process
  killed outright (SIGKILL, an out-of-memory kill) leaves it in its journal file. Each
  process holds an exclusive ``flock`` on its own journal; a journal whose lock can be
  taken belongs to a dead process, and is replayed (at start-up, and every
  ``recover_seconds``) by the next process that opens the same directory;
- a clean shutdown writes everything before it returns (``close``);
- each event carries a UUID, stored as ``audit_events.event_id`` (unique): a journal
  replayed after a crash between its batch's commit and the file's removal writes
  only the events that are not in yet;
- a batch that fails to write (the database is down) stays in its file, and is tried
  again on the next flush.

What the journal does not survive is the loss of the machine's page cache (a power
cut) within ``flush_seconds`` of the event; ``fsync`` on each request would cost more
than the transaction it replaces. Reads of the audit log in this process flush first
(``flush``), so a client sees its own queries at once; another API process's events
appear within ``flush_seconds``.

A journal line holds what the event row holds (ids, the action, counts), never data.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

import orjson
from sqlalchemy import insert, select

from app.db.models import AuditEventRow

if TYPE_CHECKING:
    from app.db.uow import UnitOfWork

__all__ = ["AuditEvent", "AuditJournal", "write_events"]

logger = logging.getLogger(__name__)

PREFIX = "audit-"
SUFFIX = ".journal"
# at most this many event ids in one ``IN (...)`` (SQLite allows 32,766 variables)
_LOOKUP = 5_000


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One audit event, as journalled: ``at`` is when it happened, ``event_id`` its
    identity across replays."""

    dataset_id: UUID
    key_id: UUID | None
    action: str
    details: dict[str, Any]
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def line(self) -> bytes:
        return orjson.dumps({
            "id": self.event_id, "dataset_id": str(self.dataset_id),
            "key_id": None if self.key_id is None else str(self.key_id),
            "action": self.action, "details": self.details, "at": self.at.isoformat(),
        }) + b"\n"

    @classmethod
    def parse(cls, line: bytes) -> AuditEvent:
        doc = orjson.loads(line)
        return cls(dataset_id=UUID(doc["dataset_id"]),
                   key_id=None if doc["key_id"] is None else UUID(doc["key_id"]),
                   action=doc["action"], details=doc["details"],
                   at=datetime.fromisoformat(doc["at"]), event_id=doc["id"])

    def values(self) -> dict[str, Any]:
        """The ``audit_events`` row's columns."""
        return {"dataset_id": self.dataset_id, "key_id": self.key_id, "action": self.action,
                "details": self.details, "created_at": self.at, "event_id": self.event_id}


def write_events(uow: UnitOfWork, events: Iterable[AuditEvent]) -> int:
    """Write the events that are not in ``audit_events`` yet, in one transaction; the
    number written."""
    pending = {e.event_id: e for e in events}
    if not pending:
        return 0
    with uow(write=True) as tx:
        ids = list(pending)
        for start in range(0, len(ids), _LOOKUP):
            stmt = select(AuditEventRow.event_id).where(
                AuditEventRow.event_id.in_(ids[start:start + _LOOKUP]))
            for known in tx.session.scalars(stmt):
                pending.pop(str(known), None)
        if pending:  # one bulk INSERT: the ORM's unit of work would cost ten times more
            tx.session.execute(insert(AuditEventRow), [e.values() for e in pending.values()])
        tx.commit()
    return len(pending)


class _Segment:
    """One journal file, open for appending and locked by this process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.events: list[AuditEvent] = []

    def append(self, event: AuditEvent) -> None:
        line = event.line()
        written = os.write(self.fd, line)
        if written != len(line):  # a regular file takes the whole line or raises
            raise OSError(f"short write to the audit journal ({written} of {len(line)})")
        self.events.append(event)

    def remove(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        os.close(self.fd)


class AuditJournal:
    """This process's journal (module docstring). ``append`` is what a request calls;
    ``start`` recovers dead processes' journals and starts the writer; ``close``
    writes the rest and stops it."""

    def __init__(self, directory: Path, uow: UnitOfWork, *, flush_seconds: float = 0.2,
                 recover_seconds: float = 30.0,
                 writer: Callable[[UnitOfWork, list[AuditEvent]], int] = write_events) -> None:
        self.directory = directory
        self._uow = uow
        self._flush_seconds = flush_seconds
        self._recover_seconds = recover_seconds
        self._writer = writer
        self._lock = threading.Lock()  # guards _current
        self._flushing = threading.Lock()  # one flush at a time: keeps _waiting in order
        self._current: _Segment | None = None
        self._waiting: list[_Segment] = []  # rotated out, not written yet
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._lock:
            self._current = self._new_segment()
        self.recover()
        self._thread = threading.Thread(target=self._run, name="audit-journal", daemon=True)
        self._thread.start()

    def append(self, event: AuditEvent) -> None:
        with self._lock:
            if self._current is None:
                raise RuntimeError("the audit journal is closed")
            self._current.append(event)

    def flush(self) -> None:
        """Write every event appended so far (and any batch that failed before)."""
        with self._flushing:
            with self._lock:
                if self._current is not None and self._current.events:
                    self._waiting.append(self._current)
                    self._current = self._new_segment()
            while self._waiting:
                segment = self._waiting[0]
                self._writer(self._uow, segment.events)  # raises: kept for the next try
                segment.remove()
                self._waiting.pop(0)

    def recover(self) -> int:
        """Replay the journals of dead processes in this directory; the events
        written."""
        own = {s.path for s in self._waiting} | (
            {self._current.path} if self._current is not None else set())
        written = 0
        for path in sorted(self.directory.glob(f"{PREFIX}*{SUFFIX}")):
            if path in own:
                continue
            try:
                written += self._replay(path)
            except Exception:  # the file stays, to be tried again on the next sweep
                logger.exception("an audit journal could not be replayed yet",
                                 extra={"journal": path.name})
        return written

    def close(self) -> None:
        """Stop the writer and write what is left; the journal takes no more events.
        Whatever cannot be written now stays in its file for the next start."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        try:
            self.flush()
        except Exception:
            logger.exception("audit events could not be written at shutdown; they stay "
                             "in the journal for the next start")
        with self._lock:
            current, self._current = self._current, None
        if current is not None:
            self._waiting.append(current)
        for segment in self._waiting:
            if segment.events:
                os.close(segment.fd)  # the file stays; the lock goes with the descriptor
            else:
                segment.remove()
        self._waiting = []

    def _new_segment(self) -> _Segment:
        name = f"{PREFIX}{os.getpid()}-{uuid.uuid4().hex}{SUFFIX}"
        return _Segment(self.directory / name)

    def _replay(self, path: Path) -> int:
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            return 0  # another process replayed it
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return 0  # its process is alive
            if not path.exists():
                return 0  # replayed and removed while we waited for the lock
            with os.fdopen(os.dup(fd), "rb") as file:
                data = file.read()
            # a line cut short by the kill was never acknowledged: its request got no
            # answer, so it was not a query that happened
            lines = data.split(b"\n")[:-1]
            written = self._writer(self._uow, [AuditEvent.parse(line) for line in lines])
            path.unlink()
            logger.info("audit journal of a stopped process replayed",
                        extra={"journal": path.name, "events": len(lines),
                               "written": written})
            return written
        finally:
            os.close(fd)

    def _run(self) -> None:
        since_recovery = 0.0
        while not self._stop.wait(self._flush_seconds):
            try:
                self.flush()
                since_recovery += self._flush_seconds
                if since_recovery >= self._recover_seconds:
                    since_recovery = 0.0
                    self.recover()
            except Exception:
                logger.warning("audit events could not be written yet; they stay in the "
                               "journal and are tried again", exc_info=True)
