"""Charging and refunding a dataset's budget, with the ledger entry that records it.

A charge takes the dataset's row lock, adds the spend to its counters, and asks
``core.privacy.accounting.account`` whether the total still fits; the ledger entry is
written in the same transaction. A refund subtracts exactly what its spend added.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any
from uuid import UUID

from app.db.models import DatasetRow, LedgerEntryRow, StructureRow
from app.errors import BudgetExhausted, NotFound
from app.services.ports import TransactionPort
from core.privacy.accounting import Accounting, Route, Spent, account, admits, as_route
from core.privacy.budget import DELTA_UNIT, EPSILON_UNIT, Units

_COUNTERS = tuple(f.name for f in fields(Spent))


def spent_of(dataset: DatasetRow) -> Spent:
    return Spent(*(getattr(dataset, f"{name}_spent") for name in _COUNTERS))


def route_of(dataset: DatasetRow) -> Route:
    """The composition route the dataset fixed when it was created."""
    return as_route(dataset.accounting)


def accounting_of(dataset: DatasetRow) -> Accounting:
    return account(spent_of(dataset), dataset.delta_total, route_of(dataset))


@dataclass(frozen=True, slots=True)
class Standing:
    """A dataset's budget now: its total, what its spends compose to under its route,
    and what remains (never below zero). The one place that subtracts spends from
    totals."""

    total: Units
    spent: Units
    remaining: Units
    accounting: Route


def standing(dataset: DatasetRow) -> Standing:
    total = Units(dataset.epsilon_total, dataset.delta_total)
    now = accounting_of(dataset)
    return Standing(total=total, spent=Units(now.epsilon, now.delta),
                    remaining=Units(max(total.epsilon - now.epsilon, 0),
                                    max(total.delta - now.delta, 0)),
                    accounting=now.method)


def _remaining(dataset: DatasetRow) -> dict[str, float]:
    left = standing(dataset).remaining
    return _amount(left.epsilon, left.delta)


def _set_spent(dataset: DatasetRow, spent: Spent) -> None:
    for name in _COUNTERS:
        setattr(dataset, f"{name}_spent", getattr(spent, name))


def _amount(epsilon: int, delta: int) -> dict[str, float]:
    return {"epsilon": float(epsilon * EPSILON_UNIT), "delta": float(delta * DELTA_UNIT)}


def charge(tx: TransactionPort, dataset_id: UUID, spend: Spent, *, structure_id: UUID,
           key_id: UUID, mechanism: dict[str, Any]) -> Accounting:
    """Reserve ``spend`` if the dataset's route still admits it within its budget;
    else 409, naming the route."""
    dataset = tx.datasets.get_for_update(dataset_id)
    if dataset is None:
        raise NotFound(f"dataset {dataset_id} not found")
    before = spent_of(dataset)
    total = Units(dataset.epsilon_total, dataset.delta_total)
    route = route_of(dataset)
    fits, after = admits(before, spend, total, route)
    if not fits:
        raise BudgetExhausted(
            "the request exceeds the dataset's remaining privacy budget under its "
            f"accounting route ({route})",
            requested=_amount(spend.epsilon, spend.delta), remaining=_remaining(dataset),
            accounting=route)
    _set_spent(dataset, before + spend)
    tx.ledger.add(LedgerEntryRow(
        dataset_id=dataset_id, structure_id=structure_id, entry="spend",
        epsilon=spend.epsilon, delta=spend.delta, pure_epsilon=spend.pure_epsilon,
        rho=spend.rho, pure_rho=spend.pure_rho, key_id=key_id, mechanism=mechanism))
    return after


def would_fit(dataset: DatasetRow, spend: Spent) -> tuple[bool, dict[str, float]]:
    """Whether ``spend`` fits what remains (read only, no lock: an estimate), and what
    remains now."""
    total = Units(dataset.epsilon_total, dataset.delta_total)
    fits = admits(spent_of(dataset), spend, total, route_of(dataset))[0]
    return fits, _remaining(dataset)


def refund(tx: TransactionPort, structure: StructureRow, reason: str) -> None:
    """Give back what the structure's spend charged. Only for a build that failed before
    it read any row (``app.workers.worker``): nothing was released, and whether it
    failed does not depend on the rows. The entry says so (``rows_read: false``).

    The dataset's row is locked and freshly read, as in ``charge``, so that a concurrent
    charge is not overwritten; a deleted dataset takes no more charges."""
    entry = tx.ledger.spend_of(structure.id)
    dataset = (tx.datasets.get_for_update(structure.dataset_id)
               or tx.datasets.get_including_deleted(structure.dataset_id))
    if entry is None or dataset is None:
        return
    spend = Spent(*(getattr(entry, name) for name in _COUNTERS))
    _set_spent(dataset, spent_of(dataset) - spend)
    tx.ledger.add(LedgerEntryRow(
        dataset_id=structure.dataset_id, structure_id=structure.id, entry="refund",
        epsilon=-spend.epsilon, delta=-spend.delta, pure_epsilon=-spend.pure_epsilon,
        rho=-spend.rho, pure_rho=-spend.pure_rho, key_id=None,
        mechanism={"structure_kind": structure.kind, "reason": reason,
                   "rows_read": False}))
