"""Paged lists: every item once, in creation order, with an opaque cursor."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain import Role
from app.errors import InvalidInput
from app.services import access, datasets
from app.services.paging import decode_cursor, encode_cursor
from tests.fakes import FakeUnitOfWork
from tests.services.conftest import new_dataset, principal


def _all_pages(fetch, limit: int) -> list[list]:
    pages, after = [], None
    while True:
        page = fetch(after=after, limit=limit)
        pages.append(page.items)
        if page.next_after is None:
            return pages
        after = page.next_after


def test_keys_page_through_in_creation_order(uow: FakeUnitOfWork, admin) -> None:
    for i in range(4):
        principal(uow, Role.ANALYST, f"k{i}")
    pages = _all_pages(lambda **kw: access.list_keys(uow, admin, **kw), limit=2)
    assert [len(p) for p in pages] == [2, 2, 1]  # no empty page at the end
    names = [k.name for p in pages for k in p]
    assert names == ["admin key", "k0", "k1", "k2", "k3"]


def test_rows_sharing_a_timestamp_are_neither_lost_nor_repeated(uow, owner) -> None:
    ids = [new_dataset(uow, owner, name=f"d{i}") for i in range(5)]
    with uow(write=True) as tx:
        moment = tx.datasets.get(ids[0]).created_at  # type: ignore[union-attr]
        for dataset_id in ids:
            tx.datasets.get(dataset_id).created_at = moment  # type: ignore[union-attr]
        tx.commit()
    pages = _all_pages(lambda **kw: datasets.list_datasets(uow, owner, **kw), limit=2)
    seen = [d.id for p in pages for d in p]
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen))


def test_the_ledger_pages_by_entry_id(uow: FakeUnitOfWork, owner) -> None:
    from tests.services.test_budget import _charge

    dataset_id = new_dataset(uow, owner, epsilon=1.0)
    for _ in range(3):
        _charge(uow, dataset_id, 0.1, owner)
    first = datasets.ledger(uow, owner, dataset_id, limit=2)
    assert len(first.entries) == 2 and first.next_after == first.entries[-1].id
    rest = datasets.ledger(uow, owner, dataset_id, after=first.next_after, limit=2)
    assert len(rest.entries) == 1 and rest.next_after is None
    assert rest.budget == first.budget  # the budget is the dataset's, on every page


def test_a_cursor_round_trips_and_a_forged_one_is_refused(uow, admin) -> None:
    from app.db.base import utcnow

    moment = utcnow() - timedelta(days=1)
    cursor = encode_cursor(moment, admin.key_id)
    assert decode_cursor(cursor) == (moment, admin.key_id)
    for forged in ("not-a-cursor", "AAAA", encode_cursor(moment, admin.key_id)[:-3]):
        with pytest.raises(InvalidInput):
            access.list_keys(uow, admin, after=forged)
    with pytest.raises(InvalidInput):
        access.list_keys(uow, admin, limit=0)
