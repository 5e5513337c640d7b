"""Grants and access, and what each role sees of a dataset (redaction in the views)."""

from __future__ import annotations

import pytest

from app.domain import Role
from app.errors import Forbidden, NotFound
from app.services import access, datasets
from tests.fakes import FakeUnitOfWork
from tests.services.conftest import new_dataset, principal


def test_only_admins_and_owners_create_datasets(uow: FakeUnitOfWork, analyst) -> None:
    with pytest.raises(Forbidden):
        new_dataset(uow, analyst)


def test_an_analyst_reads_a_dataset_only_once_granted(uow, owner, analyst) -> None:
    dataset_id = new_dataset(uow, owner, rows=20)
    with pytest.raises(Forbidden):
        datasets.get_dataset(uow, analyst, dataset_id)
    assert datasets.grant(uow, owner, dataset_id, analyst.key_id) is True
    assert datasets.grant(uow, owner, dataset_id, analyst.key_id) is False  # already
    seen = datasets.get_dataset(uow, analyst, dataset_id)
    assert seen.row_count is None  # n is private: only managers see it
    assert datasets.get_dataset(uow, owner, dataset_id).row_count == 20


def test_an_owner_neither_sees_nor_grants_another_owners_dataset(uow, owner) -> None:
    other = principal(uow, Role.OWNER, "other")
    dataset_id = new_dataset(uow, other)
    with pytest.raises(Forbidden):
        datasets.get_dataset(uow, owner, dataset_id)
    with pytest.raises(Forbidden):
        datasets.grant(uow, owner, dataset_id, owner.key_id)
    assert datasets.list_datasets(uow, owner).items == []


def test_a_revoked_key_no_longer_authenticates(uow: FakeUnitOfWork, admin) -> None:
    new = access.create_key(uow, role=Role.ANALYST, name="short-lived")
    assert access.authenticate(uow, new.token).key_id == new.key.id
    access.revoke_key(uow, admin, new.key.id)
    with pytest.raises(Exception, match="not valid"):
        access.authenticate(uow, new.token)
    with pytest.raises(NotFound):
        access.revoke_key(uow, admin, new.key.id)


def test_keys_are_listed_for_admins_only(uow: FakeUnitOfWork, admin, owner) -> None:
    with pytest.raises(Forbidden):
        access.list_keys(uow, owner)
    listed = access.list_keys(uow, admin)
    assert {k.id for k in listed.items} == {admin.key_id, owner.key_id}
    assert all(not hasattr(k, "key_hash") for k in listed.items)  # views carry no hash


# --- the key cache -------------------------------------------------------------------------

class CountingUoW:
    """A unit of work that counts the transactions opened."""

    def __init__(self, inner: FakeUnitOfWork) -> None:
        self.inner, self.opened = inner, 0

    def __call__(self, *, write: bool = False):  # type: ignore[no-untyped-def]
        self.opened += 1
        return self.inner(write=write)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_cached_key_needs_no_database_until_its_ttl(uow: FakeUnitOfWork) -> None:
    new = access.create_key(uow, role=Role.ANALYST, name="cached")
    clock, counting = Clock(), CountingUoW(uow)
    keys = access.KeyCache(5.0, timer=clock)
    first = access.authenticate(counting, new.token, keys)  # type: ignore[arg-type]
    assert counting.opened == 1
    clock.now = 4.9
    assert access.authenticate(counting, new.token, keys) == first  # type: ignore[arg-type]
    assert counting.opened == 1
    clock.now = 5.1  # expired: read again
    assert access.authenticate(counting, new.token, keys) == first  # type: ignore[arg-type]
    assert counting.opened == 2


def test_a_key_revoked_elsewhere_is_refused_within_the_ttl(uow: FakeUnitOfWork,
                                                           admin) -> None:
    new = access.create_key(uow, role=Role.ANALYST, name="revoked elsewhere")
    clock = Clock()
    here, elsewhere = access.KeyCache(5.0, timer=clock), access.KeyCache(5.0, timer=clock)
    access.authenticate(uow, new.token, here)
    access.authenticate(uow, new.token, elsewhere)
    access.revoke_key(uow, admin, new.key.id, elsewhere)  # through the other process
    with pytest.raises(Exception, match="not valid"):
        access.authenticate(uow, new.token, elsewhere)  # that process forgot it at once
    assert access.authenticate(uow, new.token, here).key_id == new.key.id  # still cached
    clock.now = 5.1
    with pytest.raises(Exception, match="not valid"):
        access.authenticate(uow, new.token, here)  # refused once the entry expired


def test_invalid_keys_are_never_cached_and_ttl_zero_caches_nothing(
        uow: FakeUnitOfWork) -> None:
    counting = CountingUoW(uow)
    keys = access.KeyCache(5.0)
    for _ in range(2):
        with pytest.raises(Exception, match="not valid"):
            access.authenticate(counting, "psk_not_a_key", keys)  # type: ignore[arg-type]
    assert counting.opened == 2
    new = access.create_key(uow, role=Role.OWNER, name="uncached")
    off = access.KeyCache(0.0)
    access.authenticate(counting, new.token, off)  # type: ignore[arg-type]
    access.authenticate(counting, new.token, off)  # type: ignore[arg-type]
    assert counting.opened == 4
    assert off.get(access.hash_key(new.token)) is None
