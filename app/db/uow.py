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

from sqlalchemy.orm import Session, sessionmaker

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
