"""The job lifecycle the worker drives: claim, renew, fail (refunded or kept), give
back, store."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from app.db.models import RowChunkRow
from app.services import datasets, job_lifecycle, structures
from app.services.job_lifecycle import LeaseTerms, Stored, Unbuildable
from tests.fakes import FakeUnitOfWork
from tests.services.conftest import new_dataset
from tests.services.test_structures import LIMITS, REQUEST

TERMS = LeaseTerms(lease=timedelta(seconds=30), max_attempts=3)


@pytest.fixture
def queued(uow: FakeUnitOfWork, owner) -> tuple[UUID, UUID]:
    """(dataset_id, job_id) of a queued build over one stored chunk."""
    dataset_id = new_dataset(uow, owner, rows=10)
    with uow(write=True) as tx:
        tx.chunks.add(RowChunkRow(dataset_id=dataset_id, seq=0, n_rows=10, ciphertext=b""))
        tx.commit()
    accepted = structures.request_build(uow, owner, dataset_id, REQUEST, limits=LIMITS)
    return dataset_id, accepted.job_id


def _ledger(uow, owner, dataset_id) -> list[str]:
    return [e.entry for e in datasets.ledger(uow, owner, dataset_id).entries]


def _job(uow: FakeUnitOfWork, job_id: UUID):
    with uow() as tx:
        return tx.jobs.get(job_id)


def test_a_claimed_job_is_not_claimed_twice(uow: FakeUnitOfWork, queued) -> None:
    _, job_id = queued
    assert job_lifecycle.claim(uow, "a", TERMS) == job_id
    assert job_lifecycle.claim(uow, "b", TERMS) is None
    job = _job(uow, job_id)
    assert (job.status, job.lease_owner, job.attempts) == ("running", "a", 1)


def test_only_the_lease_holder_renews(uow: FakeUnitOfWork, queued) -> None:
    _, job_id = queued
    job_lifecycle.claim(uow, "a", TERMS)
    assert job_lifecycle.renew(uow, job_id, "a", lease=TERMS.lease, progress=0.5)
    assert not job_lifecycle.renew(uow, job_id, "b", lease=TERMS.lease, progress=0.9)
    assert _job(uow, job_id).progress == 0.5


def test_a_failure_before_reading_rows_is_refunded(uow, owner, queued) -> None:
    dataset_id, job_id = queued
    job_lifecycle.claim(uow, "a", TERMS)
    job_lifecycle.fail(uow, job_id, "a", "bad plan", rows_read=False)
    assert _job(uow, job_id).status == "failed"
    assert _ledger(uow, owner, dataset_id) == ["spend", "refund"]


def test_a_failure_after_reading_rows_keeps_the_charge(uow, owner, queued) -> None:
    dataset_id, job_id = queued
    job_lifecycle.claim(uow, "a", TERMS)
    job_lifecycle.fail(uow, job_id, "a", "failed after rows", rows_read=True)
    assert _ledger(uow, owner, dataset_id) == ["spend"]


def test_a_job_given_back_is_claimed_again_and_given_up_after_max_attempts(
        uow, owner, queued) -> None:
    dataset_id, job_id = queued
    for attempt in range(TERMS.max_attempts):
        assert job_lifecycle.claim(uow, f"w{attempt}", TERMS) == job_id
        job_lifecycle.give_back(uow, job_id, f"w{attempt}")
    assert job_lifecycle.claim(uow, "late", TERMS) is None
    job = _job(uow, job_id)
    assert job.status == "failed" and "gave up" in job.error
    assert _ledger(uow, owner, dataset_id) == ["spend"]  # earlier attempts may have read


def test_open_build_reports_a_deleted_dataset(uow, owner, queued) -> None:
    dataset_id, job_id = queued
    job_lifecycle.claim(uow, "a", TERMS)
    task = job_lifecycle.open_build(uow, job_id)
    assert not isinstance(task, Unbuildable) and task is not None and task.seqs == [0]
    with uow(write=True) as tx:
        tx.datasets.get(dataset_id).deleted_at = tx.jobs.get(job_id).created_at  # type: ignore[union-attr]
        tx.commit()
    assert isinstance(job_lifecycle.open_build(uow, job_id), Unbuildable)


def test_store_marks_ready_once_and_only_for_the_lease_holder(uow, owner, queued) -> None:
    _, job_id = queued
    job_lifecycle.claim(uow, "a", TERMS)
    task = job_lifecycle.open_build(uow, job_id)
    assert task is not None and not isinstance(task, Unbuildable)
    assert job_lifecycle.store(uow, task, "b", lease=TERMS.lease, blob=b"x",
                               error_model={}) is Stored.LEASE_LOST
    assert job_lifecycle.store(uow, task, "a", lease=TERMS.lease, blob=b"release",
                               error_model={"noise_std_sum": 1.0}) is Stored.STORED
    view = structures.get_structure(uow, owner, task.structure_id)
    assert (view.status, view.size_bytes) == ("ready", len(b"release"))
    assert job_lifecycle.store(uow, task, "a", lease=TERMS.lease, blob=b"again",
                               error_model={}) is Stored.LEASE_LOST


def test_store_refuses_a_release_whose_rows_were_purged(uow, owner, queued) -> None:
    dataset_id, job_id = queued
    job_lifecycle.claim(uow, "a", TERMS)
    task = job_lifecycle.open_build(uow, job_id)
    assert task is not None and not isinstance(task, Unbuildable)
    with uow(write=True) as tx:
        tx.chunks.delete_for_dataset(dataset_id)
        tx.commit()
    assert job_lifecycle.store(uow, task, "a", lease=TERMS.lease, blob=b"x",
                               error_model={}) is Stored.PURGED
    assert _job(uow, job_id).error == job_lifecycle.PURGED_AFTER_ROWS
    assert _ledger(uow, owner, dataset_id) == ["spend"]
