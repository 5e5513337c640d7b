"""The unit of work: one transaction, the repositories over it, and who commits.

    with uow(write=True) as tx:
        ...
        tx.commit()

Leaving the block without ``commit()`` rolls everything back. ``write=True`` takes the
SQLite write lock at BEGIN (see ``session.py``); on PostgreSQL it changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from sqlalchemy.orm import Session, sessionmaker

from app.db.audit_journal import AuditEvent, AuditJournal, write_events
from app.db.repositories import (
    AuditRepository,
    ChunkRepository,
    DatasetRepository,
    JobRepository,
    KeyRepository,
    LedgerRepository,
    SolveDataRepository,
    StructureRepository,
    ping,
)
from app.db.session import SQLITE_BEGIN


class Transaction:
    """Implements ``app.services.ports.TransactionPort`` over a SQLAlchemy session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.keys = KeyRepository(session)
        self.datasets = DatasetRepository(session)
        self.chunks = ChunkRepository(session)
        self.structures = StructureRepository(session)
        self.jobs = JobRepository(session)
        self.solve_data = SolveDataRepository(session)
        self.ledger = LedgerRepository(session)
        self.audit = AuditRepository(session)

    def commit(self) -> None:
        self.session.commit()

    def flush(self) -> None:
        self.session.flush()

    def ping(self) -> None:
        ping(self.session)


class UnitOfWork:
    """Implements ``app.services.ports.UnitOfWorkPort``."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory
        # the API process's journal of read-path audit events (app.db.audit_journal);
        # without one (workers, the CLI) they are written at once
        self.journal: AuditJournal | None = None

    def record_later(self, dataset_id: UUID, key_id: UUID | None, action: str,
                     details: dict[str, Any]) -> None:
        event = AuditEvent(dataset_id, key_id, action, details)
        if self.journal is None:
            write_events(self, [event])
        else:
            self.journal.append(event)

    def flush_audit(self) -> None:
        if self.journal is not None:
            self.journal.flush()

    @contextmanager
    def __call__(self, *, write: bool = False) -> Iterator[Transaction]:
        session = self._factory()
        try:
            if write and session.get_bind().dialect.name == "sqlite":
                session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})
            yield Transaction(session)
        finally:
            # ends the transaction: a no-op after commit(), a rollback otherwise. Loaded
            # objects stay readable (detached, not expired) for the caller.
            session.close()
