"""The audit log: who did what to a dataset, when. Counts and ids, never contents.

Events are written in the transaction of the action they record (a rolled-back action
leaves no event), except queries and exports, which change nothing else and are
recorded in a transaction of their own after they were answered.
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
    with uow(write=True) as tx:
        record(tx, dataset_id, key_id, action, **details)
        tx.commit()


def events(uow: UnitOfWorkPort, principal: Principal, dataset_id: UUID, *, after: int,
           limit: int) -> list[AuditEventView]:
    """The dataset's events, oldest first (owner and admin; kept after deletion)."""
    with uow() as tx:
        managed_records(tx, principal, dataset_id)
        return [AuditEventView.of(row)
                for row in tx.audit.for_dataset(dataset_id, after=after, limit=limit)]
