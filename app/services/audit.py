"""The audit log: who did what to a dataset, when. Counts and ids, never contents.

Events are written in the transaction of the action they record (a rolled-back action
leaves no event), except those of the read paths (queries, predictions, expectations,
exports), which change nothing else: ``record_later`` hands them to the unit of work,
which in the API process journals them and writes them in batches off the request path
(``app.db.audit_journal``: never lost, flushed before this process reads the log).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from app.db.models import AuditEventRow
from app.services.access import Principal, managed_records
from app.services.ports import TransactionPort, UnitOfWorkPort
from app.services.views import AuditEventView


def record(tx: TransactionPort, dataset_id: UUID, key_id: UUID | None, action: str,
           **details: Any) -> None:
    tx.audit.add(AuditEventRow(dataset_id=dataset_id, key_id=key_id, action=action,
                               details=details))


def record_now(uow: UnitOfWorkPort, dataset_id: UUID, key_id: UUID | None, action: str,
               **details: Any) -> None:
    """Record an event in a transaction of its own, at once."""
    with uow(write=True) as tx:
        record(tx, dataset_id, key_id, action, **details)
        tx.commit()


def record_later(uow: UnitOfWorkPort, dataset_id: UUID, key_id: UUID | None, action: str,
                 **details: Any) -> None:
    """Record an event of a read path (module docstring)."""
    uow.record_later(dataset_id, key_id, action, details)


def events(uow: UnitOfWorkPort, principal: Principal, dataset_id: UUID, *, after: int,
           limit: int) -> list[AuditEventView]:
    """The dataset's events, oldest first (owner and admin; kept after deletion)."""
    uow.flush_audit()
    with uow() as tx:
        managed_records(tx, principal, dataset_id)
        return [AuditEventView.of(row)
                for row in tx.audit.for_dataset(dataset_id, after=after, limit=limit)]
