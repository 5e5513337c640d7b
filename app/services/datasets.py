"""Datasets: creation with a declared domain and budget, grants, deletion, the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from app.db.base import utcnow
from app.db.models import DatasetRow
from app.domain import Role
from app.errors import InvalidInput, NotFound
from app.services import audit
from app.services.access import (
    Principal,
    managed_dataset,
    managed_records,
    manages,
    readable_dataset,
    require_role,
)
from app.services.paging import check_limit, decode_cursor, encode_cursor, split_page
from app.services.ports import UnitOfWorkPort
from app.services.views import BudgetView, DatasetView, LedgerEntryView, LedgerView, Page
from core.domain import domain_from_dict
from core.models.labels import LabelSet
from core.privacy.accounting import as_route, default_route
from core.privacy.budget import Units


@dataclass(frozen=True, slots=True)
class NewDataset:
    name: str
    dim: int
    domain: dict[str, Any]
    neighbouring: str
    on_out_of_domain: str
    labelled: bool
    epsilon: float
    delta: float
    accounting: str | None = None  # the composition route; None: the default for delta
    classes: list[int] | None = None  # a labelled dataset's label set (core.models.LabelSet)
    label_range: list[float] | None = None


def declared_labels(new: NewDataset) -> tuple[bool, LabelSet | None]:
    """Whether the dataset is labelled, and its label set: declared with the dataset,
    before any row, so which classes exist never depends on the data."""
    if new.classes is not None and new.label_range is not None:
        raise InvalidInput("declare classes (a classifier's labels) or label_range (a "
                           "regressor's), not both")
    labels = LabelSet.declared(new.classes, new.label_range)  # InvalidParameter -> 422
    if labels is None and new.labelled:
        raise InvalidInput("a labelled dataset declares its labels before any row: "
                           "\"classes\": [its integer labels] for a classifier, or "
                           "\"label_range\": [lo, hi] for a regressor")
    return labels is not None, labels


def create_dataset(uow: UnitOfWorkPort, principal: Principal, new: NewDataset,
                   *, max_epsilon: float, max_delta: float) -> DatasetView:
    require_role(principal, Role.ADMIN, Role.OWNER)
    domain = domain_from_dict(new.domain, new.dim)  # InvalidParameter -> 422
    labelled, labels = declared_labels(new)
    if new.epsilon > max_epsilon:
        raise InvalidInput(f"budget.epsilon: at most {max_epsilon:g} per dataset "
                           "(PRIVSIM_MAX_BUDGET_EPSILON)")
    if new.delta >= max_delta:
        raise InvalidInput(f"budget.delta: must be below {max_delta:g} "
                           "(PRIVSIM_MAX_BUDGET_DELTA): a delta this large allows a build to "
                           "reveal a row outright with that probability; use at most 1/n")
    total = Units.total(new.epsilon, new.delta)
    if total.epsilon <= 0:
        raise InvalidInput("budget.epsilon: must be at least 1e-9")
    if new.neighbouring == "replace_one" and new.on_out_of_domain == "reject":
        # under replace-one n is public and released exactly; dropping out-of-domain rows
        # would turn a replacement into a removal and change n (docs/privacy.md)
        raise InvalidInput("on_out_of_domain: 'reject' is not allowed with neighbouring "
                           "'replace_one' (the row count is released exactly, so which rows "
                           "enter a build must not depend on their values): use 'clip', or "
                           "neighbouring 'add_remove'")
    accounting = as_route(new.accounting) if new.accounting else default_route(total.delta)
    if accounting != "basic" and total.delta == 0:
        raise InvalidInput(f"accounting: '{accounting}' needs budget.delta > 0 (only pure "
                           "epsilon builds fit a budget without delta): use 'basic'")
    row = DatasetRow(
        id=uuid4(), name=new.name, owner_key_id=principal.key_id, dim=new.dim,
        domain=domain.to_dict(), neighbouring=new.neighbouring,
        on_out_of_domain=new.on_out_of_domain, labelled=labelled,
        classes=list(labels.classes) if labels and labels.classes else None,
        label_range=list(labels.label_range) if labels and labels.label_range else None,
        epsilon_total=total.epsilon, delta_total=total.delta, accounting=accounting,
        epsilon_spent=0, delta_spent=0, row_count=0, chunk_count=0,
    )
    with uow(write=True) as tx:
        tx.datasets.add(row)
        tx.flush()
        audit.record(tx, row.id, principal.key_id, "create", name=new.name, dim=new.dim,
                     neighbouring=new.neighbouring, epsilon=new.epsilon, delta=new.delta)
        tx.commit()
        return DatasetView.of(row, managed=True)


def list_datasets(uow: UnitOfWorkPort, principal: Principal, *, after: str | None = None,
                  limit: int = 1000) -> Page[DatasetView]:
    """The datasets the principal may read, oldest first, one page at a time; the row
    count only of those it manages."""
    cursor, limit = decode_cursor(after), check_limit(limit)
    with uow() as tx:
        if principal.is_admin:
            owner, granted = None, None
        else:
            owner, granted = principal.key_id, tx.keys.granted_dataset_ids(principal.key_id)
        rows = tx.datasets.page_visible(owner=owner, granted=granted, after=cursor,
                                        limit=limit + 1)
        page, next_after = split_page(rows, limit,
                                      lambda row: encode_cursor(row.created_at, row.id))
        return Page([DatasetView.of(row, managed=manages(principal, row)) for row in page],
                    next_after)


def get_dataset(uow: UnitOfWorkPort, principal: Principal, dataset_id: UUID) -> DatasetView:
    with uow() as tx:
        row = readable_dataset(tx, principal, dataset_id)
        return DatasetView.of(row, managed=manages(principal, row))


def delete_dataset(uow: UnitOfWorkPort, principal: Principal, dataset_id: UUID) -> None:
    """Purge rows, drop structures and jobs, keep the dataset as a tombstone so that its
    ledger (and later its audit trail) stays."""
    with uow(write=True) as tx:
        dataset = managed_dataset(tx, principal, dataset_id)
        tx.chunks.delete_for_dataset(dataset_id)
        tx.structures.delete_for_dataset(dataset_id)
        now = utcnow()
        dataset.deleted_at = now
        dataset.purged_at = dataset.purged_at or now
        dataset.row_count = 0
        audit.record(tx, dataset_id, principal.key_id, "delete")
        tx.commit()


def grant(uow: UnitOfWorkPort, principal: Principal, dataset_id: UUID, key_id: UUID) -> bool:
    """Let ``key_id`` read and query this dataset's structures. True if newly granted."""
    with uow(write=True) as tx:
        managed_dataset(tx, principal, dataset_id)
        key = tx.keys.get(key_id)
        if key is None or key.revoked_at is not None:
            raise NotFound(f"key {key_id} not found")
        created = tx.datasets.add_grant(dataset_id, key_id)
        if created:
            audit.record(tx, dataset_id, principal.key_id, "grant", grantee=str(key_id))
        tx.commit()
        return created


def ledger(uow: UnitOfWorkPort, principal: Principal, dataset_id: UUID, *, after: int = 0,
           limit: int = 1000) -> LedgerView:
    """The spends and refunds of a dataset, oldest first, one page at a time, with its
    budget now; kept, and readable, after the dataset is deleted."""
    limit = check_limit(limit)
    with uow() as tx:
        dataset = managed_records(tx, principal, dataset_id)
        rows = tx.ledger.for_dataset(dataset_id, after=after, limit=limit + 1)
        page, next_after = split_page(rows, limit, lambda row: row.id)
        return LedgerView(dataset_id=dataset.id, budget=BudgetView.of(dataset),
                          entries=[LedgerEntryView.of(row) for row in page],
                          next_after=next_after)
