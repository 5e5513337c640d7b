"""Build requests: one transaction reserves the budget and enqueues the job; an
idempotent retry spends nothing; what each role sees of a structure."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.errors import Conflict, Forbidden, IdempotencyKeyReused
from app.services import datasets, structures
from app.services.structures import BuildLimits, BuildRequest
from tests.fakes import FakeUnitOfWork
from tests.services.conftest import new_dataset

LIMITS = BuildLimits(max_bytes=10**9, max_seconds=1e6, max_memory_bytes=10**12,
                     chunk_rows=1000)
REQUEST = BuildRequest(kind="inner_product", params={}, epsilon=0.25, delta=0.0)


def test_a_build_charges_and_enqueues_together(uow: FakeUnitOfWork, owner) -> None:
    dataset_id = new_dataset(uow, owner, rows=100)
    accepted = structures.request_build(uow, owner, dataset_id, REQUEST, limits=LIMITS)
    ledger = datasets.ledger(uow, owner, dataset_id)
    assert [(e.entry, e.structure_id) for e in ledger.entries] == [
        ("spend", accepted.structure_id)]
    with uow() as tx:
        job = tx.jobs.get(accepted.job_id)
        assert job is not None and job.status == "queued"
    assert structures.get_structure(uow, owner, accepted.structure_id).status == "pending"


def test_nothing_is_charged_for_a_dataset_without_rows(uow: FakeUnitOfWork, owner) -> None:
    dataset_id = new_dataset(uow, owner)
    with pytest.raises(Conflict):
        structures.request_build(uow, owner, dataset_id, REQUEST, limits=LIMITS)
    assert datasets.ledger(uow, owner, dataset_id).entries == []


def test_an_idempotent_retry_returns_the_first_answer_and_spends_nothing(uow, owner) -> None:
    dataset_id = new_dataset(uow, owner, rows=100)
    first = structures.request_build(uow, owner, dataset_id, REQUEST, limits=LIMITS,
                                     idempotency_key="k-1")
    again = structures.request_build(uow, owner, dataset_id, REQUEST, limits=LIMITS,
                                     idempotency_key="k-1")
    assert (again.structure_id, again.job_id, again.replayed) == (
        first.structure_id, first.job_id, True)
    assert len(datasets.ledger(uow, owner, dataset_id).entries) == 1
    other = BuildRequest(kind="inner_product", params={}, epsilon=0.5, delta=0.0)
    with pytest.raises(IdempotencyKeyReused):
        structures.request_build(uow, owner, dataset_id, other, limits=LIMITS,
                                 idempotency_key="k-1")


def test_analysts_cannot_build_and_see_build_times_to_the_minute(uow, owner,
                                                                 analyst) -> None:
    dataset_id = new_dataset(uow, owner, rows=100)
    datasets.grant(uow, owner, dataset_id, analyst.key_id)
    with pytest.raises(Forbidden):
        structures.request_build(uow, analyst, dataset_id, REQUEST, limits=LIMITS)
    accepted = structures.request_build(uow, owner, dataset_id, REQUEST, limits=LIMITS)
    exact = datetime(2030, 1, 2, 3, 4, 5, 678_000, tzinfo=UTC)
    with uow(write=True) as tx:
        tx.structures.get(accepted.structure_id).created_at = exact  # type: ignore[union-attr]
        tx.commit()
    for who, seen in ((owner, exact), (analyst, exact.replace(second=0, microsecond=0))):
        assert structures.get_structure(uow, who, accepted.structure_id).created_at == seen
        [listed] = structures.list_structures(uow, who).items
        assert listed.created_at == seen
