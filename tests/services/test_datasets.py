"""A dataset's lifecycle: create, list, delete; its ledger and audit trail stay."""

from __future__ import annotations

import pytest

from app.errors import InvalidInput, NotFound
from app.services import audit, datasets
from app.services.datasets import NewDataset
from tests.fakes import FakeUnitOfWork
from tests.services.conftest import new_dataset


def test_create_checks_the_budget_limits(uow: FakeUnitOfWork, owner) -> None:
    new = NewDataset(name="x", dim=2, domain={"type": "l2_ball", "radius": 1.0},
                     neighbouring="add_remove", on_out_of_domain="clip", labelled=False,
                     epsilon=5.0, delta=0.0)
    with pytest.raises(InvalidInput, match=r"budget\.epsilon"):
        datasets.create_dataset(uow, owner, new, max_epsilon=1.0, max_delta=0.01)
    assert datasets.list_datasets(uow, owner).items == []


def test_a_new_dataset_is_listed_with_its_full_budget(uow: FakeUnitOfWork, owner) -> None:
    dataset_id = new_dataset(uow, owner, epsilon=2.0, delta=1e-6)
    [view] = datasets.list_datasets(uow, owner).items
    assert view.id == dataset_id and view.row_count == 0
    assert (view.budget.epsilon.total, view.budget.epsilon.remaining) == (2.0, 2.0)
    assert view.budget.delta.total == 1e-6


def test_deleting_keeps_the_ledger_and_the_audit_trail(uow, owner) -> None:
    dataset_id = new_dataset(uow, owner, rows=5)
    datasets.delete_dataset(uow, owner, dataset_id)
    with pytest.raises(NotFound):
        datasets.get_dataset(uow, owner, dataset_id)
    assert datasets.list_datasets(uow, owner).items == []
    assert datasets.ledger(uow, owner, dataset_id).entries == []
    actions = [e.action for e in audit.events(uow, owner, dataset_id, after=0, limit=10)]
    assert actions == ["create", "delete"]
