"""Charging and refunding budget, and the one computation of what remains."""

from __future__ import annotations

import ast
from pathlib import Path
from uuid import uuid4

import pytest

from app.db.models import StructureRow
from app.errors import BudgetExhausted
from app.services import budget, datasets
from app.services.access import Principal
from core.privacy.accounting import Spent
from core.privacy.budget import Units
from tests.fakes import FakeUnitOfWork
from tests.services.conftest import new_dataset


def _charge(uow: FakeUnitOfWork, dataset_id, epsilon: float, who: Principal, *,
            commit: bool = True):
    structure_id = uuid4()
    with uow(write=True) as tx:
        budget.charge(tx, dataset_id, Spent.laplace(Units.spend(epsilon)),
                      structure_id=structure_id, key_id=who.key_id, mechanism={"m": 1})
        if commit:
            tx.commit()
    return structure_id


def test_a_charge_is_recorded_and_shown_as_spent(uow: FakeUnitOfWork, owner) -> None:
    dataset_id = new_dataset(uow, owner, epsilon=1.0)
    _charge(uow, dataset_id, 0.25, owner)
    ledger = datasets.ledger(uow, owner, dataset_id)
    assert [(e.entry, e.epsilon) for e in ledger.entries] == [("spend", 0.25)]
    assert (ledger.budget.epsilon.spent, ledger.budget.epsilon.remaining) == (0.25, 0.75)


def test_an_uncommitted_charge_leaves_nothing(uow: FakeUnitOfWork, owner) -> None:
    dataset_id = new_dataset(uow, owner, epsilon=1.0)
    _charge(uow, dataset_id, 0.5, owner, commit=False)
    assert datasets.ledger(uow, owner, dataset_id).entries == []
    assert datasets.get_dataset(uow, owner, dataset_id).budget.epsilon.spent == 0


def test_a_charge_beyond_the_budget_is_refused_with_what_remains(uow, owner) -> None:
    dataset_id = new_dataset(uow, owner, epsilon=1.0)
    _charge(uow, dataset_id, 0.75, owner)
    with pytest.raises(BudgetExhausted) as refused:
        _charge(uow, dataset_id, 0.5, owner)
    assert refused.value.extensions["remaining"] == {"epsilon": 0.25, "delta": 0.0}
    assert len(datasets.ledger(uow, owner, dataset_id).entries) == 1


def test_a_refund_gives_back_exactly_the_spend(uow: FakeUnitOfWork, owner) -> None:
    dataset_id = new_dataset(uow, owner, epsilon=1.0)
    structure_id = _charge(uow, dataset_id, 0.3, owner)
    with uow(write=True) as tx:
        structure = StructureRow(id=structure_id, dataset_id=dataset_id, kind="inner_product")
        budget.refund(tx, structure, "failed before reading rows")
        tx.commit()
    ledger = datasets.ledger(uow, owner, dataset_id)
    assert [(e.entry, e.epsilon) for e in ledger.entries] == [("spend", 0.3),
                                                              ("refund", -0.3)]
    assert ledger.budget.epsilon.remaining == 1.0
    assert ledger.entries[1].mechanism["rows_read"] is False


def test_standing_never_goes_below_zero(uow: FakeUnitOfWork, owner) -> None:
    dataset_id = new_dataset(uow, owner, epsilon=1.0)
    with uow(write=True) as tx:
        row = tx.datasets.get(dataset_id)
        assert row is not None
        row.epsilon_spent = row.epsilon_total + 5  # an over-spend from older rules
        left = budget.standing(row).remaining
    assert (left.epsilon, left.delta) == (0, 0)


APP = Path(__file__).resolve().parents[2] / "app"


def test_spends_are_composed_and_subtracted_in_budget_py_only() -> None:
    """The remaining budget has one definition (``budget.standing``): no other module
    composes spends (``account``/``admits``) or reads the raw counters."""
    offenders = []
    for path in APP.rglob("*.py"):
        if path.name == "budget.py" or "db" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            name = (node.func.id if isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name) else None)
            attr = node.attr if isinstance(node, ast.Attribute) else None
            if name in ("account", "admits", "accounting_of") or (
                    attr is not None and attr.endswith(("_spent", "_total"))
                    and attr != "epsilon_total" and attr != "delta_total"):
                offenders.append(f"{path.relative_to(APP.parent)}:{node.lineno}")
    assert offenders == []
