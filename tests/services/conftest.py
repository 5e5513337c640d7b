"""Service tests against the in-memory fakes: no database, no HTTP, milliseconds each."""

from __future__ import annotations

from uuid import UUID

import pytest

from app.domain import Role
from app.services import access, datasets
from app.services.access import Principal
from app.services.datasets import NewDataset
from tests.fakes import FakeUnitOfWork


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def principal(uow: FakeUnitOfWork, role: Role, name: str | None = None) -> Principal:
    new = access.create_key(uow, role=role, name=name or f"{role} key")
    return Principal(new.key.id, role, new.key.name)


@pytest.fixture
def admin(uow: FakeUnitOfWork) -> Principal:
    return principal(uow, Role.ADMIN)


@pytest.fixture
def owner(uow: FakeUnitOfWork) -> Principal:
    return principal(uow, Role.OWNER)


@pytest.fixture
def analyst(uow: FakeUnitOfWork) -> Principal:
    return principal(uow, Role.ANALYST)


def new_dataset(uow: FakeUnitOfWork, who: Principal, *, epsilon: float = 1.0,
                delta: float = 0.0, rows: int = 0, name: str = "test") -> UUID:
    view = datasets.create_dataset(uow, who, NewDataset(
        name=name, dim=3, domain={"type": "l2_ball", "radius": 1.0},
        neighbouring="add_remove", on_out_of_domain="clip", labelled=False,
        epsilon=epsilon, delta=delta), max_epsilon=100.0, max_delta=0.01)
    if rows:
        with uow(write=True) as tx:
            dataset = tx.datasets.get(view.id)
            assert dataset is not None
            dataset.row_count = rows
            tx.commit()
    return view.id
