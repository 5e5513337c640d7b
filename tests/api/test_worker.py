"""The job lifecycle: leases, reclaiming, lost leases, give-up, refunds (only for
failures decided before any row was read), purges mid-build, stopping."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from app.db.base import utcnow
from app.db.models import JobRow
from app.workers import worker as worker_module
from core.errors import IncompatibleArrays
from tests.helpers import ADMIN, Api, unit_ball_rows


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


@pytest.fixture
def queued(api: Api) -> dict:
    dataset_id = api.dataset(ADMIN, epsilon=5.0)
    api.upload(ADMIN, dataset_id, unit_ball_rows(200, 3))
    accepted = api.build(ADMIN, dataset_id, epsilon=1.0)
    # what the dataset shows as spent once the build is charged (under its accounting)
    return accepted | {"dataset_id": dataset_id, "charged": spent(api, dataset_id)}


def expire_lease(api: Api, job_id: str) -> None:
    with api.state.uow(write=True) as tx:
        tx.session.execute(update(JobRow).where(JobRow.id == UUID(job_id))
                           .values(lease_expires_at=utcnow() - timedelta(seconds=1)))
        tx.commit()


def ledger_entries(api: Api, dataset_id: str) -> list[tuple[str, float]]:
    ledger = api.c.get(f"/v1/datasets/{dataset_id}/ledger", headers=ADMIN).json()
    return [(e["entry"], e["epsilon"]) for e in ledger["entries"]]


def spent(api: Api, dataset_id: str) -> float:
    dataset = api.c.get(f"/v1/datasets/{dataset_id}", headers=ADMIN).json()
    return float(dataset["budget"]["epsilon"]["spent"])


def build_failed(api: Api, dataset_id: str) -> dict[str, Any]:
    """The details of the dataset's one ``build_failed`` audit event."""
    events = api.c.get(f"/v1/datasets/{dataset_id}/audit", headers=ADMIN).json()["events"]
    failed = [e["details"] for e in events if e["action"] == "build_failed"]
    assert len(failed) == 1, events
    return dict(failed[0])


def tamper_plan(api: Api, structure_id: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Edit the structure's stored noise plan in the database, as an attacker with write
    access (or a bug) might."""
    with api.state.uow(write=True) as tx:
        structure = tx.structures.get(UUID(structure_id))
        assert structure is not None
        plan = copy.deepcopy(structure.noise_plan)
        change(plan)
        structure.noise_plan = plan
        tx.commit()


def count_chunk_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Wrap the worker's chunk reader; the list grows by one per chunk it yields."""
    reads: list[int] = []
    real = worker_module.iter_labelled_chunks

    def counting(*args: Any, **kwargs: Any) -> Iterator[tuple[np.ndarray, Any]]:
        for rows, labels in real(*args, **kwargs):
            reads.append(len(rows))
            yield rows, labels

    monkeypatch.setattr(worker_module, "iter_labelled_chunks", counting)
    return reads


def test_a_claimed_job_is_not_claimed_twice(api: Api, queued: dict) -> None:
    first, second = api.worker(name="a"), api.worker(name="b")
    assert first.claim() == UUID(queued["job_id"])
    assert second.claim() is None
    job = api.c.get(queued["job_url"], headers=ADMIN).json()
    assert job["status"] == "running" and job["attempts"] == 1


def test_an_expired_lease_is_reclaimed_and_the_late_worker_is_dropped(api: Api, queued) -> None:
    slow, rescuer = api.worker(name="slow"), api.worker(name="rescuer")
    job_id = slow.claim()
    assert job_id is not None
    expire_lease(api, queued["job_id"])  # the slow worker stopped heartbeating
    assert rescuer.claim() == job_id
    rescuer.execute(job_id)
    structure = api.c.get(queued["status_url"], headers=ADMIN).json()
    assert structure["status"] == "ready"
    slow.execute(job_id)  # finishes late: must not overwrite or store a second release
    assert api.c.get(queued["status_url"], headers=ADMIN).json() == structure
    job = api.c.get(queued["job_url"], headers=ADMIN).json()
    assert job["status"] == "succeeded" and job["attempts"] == 2
    assert ledger_entries(api, queued["dataset_id"]) == [("spend", 1.0)]


def test_heartbeats_extend_the_lease_and_report_progress(api: Api, queued: dict) -> None:
    from app.workers.worker import Heartbeat

    worker = api.worker(name="w")
    job_id = worker.claim()
    assert job_id is not None
    beat = Heartbeat(api.state.uow, job_id, "w", worker._config)
    beat.progress = 0.42
    before = utcnow()
    beat.beat()
    with api.state.uow() as tx:
        job = tx.jobs.get(job_id)
        assert job is not None and job.lease_expires_at is not None
        assert job.lease_expires_at > before + timedelta(seconds=4)
        assert job.progress == pytest.approx(0.42)
    other = Heartbeat(api.state.uow, job_id, "someone else", worker._config)
    other.beat()
    assert other.lost.is_set()


def test_a_job_that_keeps_dying_is_given_up_and_keeps_its_charge(api: Api,
                                                                   queued: dict) -> None:
    # earlier attempts may have read rows (and died because of them): no refund
    for attempt in range(3):
        worker = api.worker(name=f"doomed-{attempt}", max_attempts=3)
        assert worker.claim() is not None
        expire_lease(api, queued["job_id"])
    assert api.worker(max_attempts=3).claim() is None
    job = api.c.get(queued["job_url"], headers=ADMIN).json()
    assert job["status"] == "failed" and "3 attempts" in job["error"]
    assert "charge is kept" in job["error"]
    assert api.c.get(queued["status_url"], headers=ADMIN).json()["status"] == "failed"
    assert ledger_entries(api, queued["dataset_id"]) == [("spend", 1.0)]
    assert spent(api, queued["dataset_id"]) == queued["charged"] > 0
    details = build_failed(api, queued["dataset_id"])
    assert details["refunded"] is False and details["rows_read"] is True


@pytest.mark.parametrize("error", [
    IncompatibleArrays("rows must have shape (n, 3)"),
    RuntimeError("a foreign message quoting a value 0.8172635"),
], ids=["core-error", "unexpected-error"])
def test_a_failure_after_the_first_chunk_keeps_the_charge(
        api: Api, queued: dict, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture, error: Exception) -> None:
    reads = count_chunk_reads(monkeypatch)

    def fails_after_reading(spec: Any, *, chunks: Any, **kwargs: Any) -> Any:
        next(iter(chunks))  # one chunk of rows is in memory: the failure may depend on it
        raise error

    monkeypatch.setattr(worker_module, "build_release", fails_after_reading)
    caplog.set_level(logging.WARNING)
    assert api.run_jobs() == 1
    assert reads == [200]
    job = api.c.get(queued["job_url"], headers=ADMIN).json()
    assert job["status"] == "failed"
    assert job["error"] == worker_module.FAILED_AFTER_ROWS  # generic: not the error's text
    structure = api.c.get(queued["status_url"], headers=ADMIN).json()
    assert structure["status"] == "failed" and structure["size_bytes"] is None
    assert ledger_entries(api, queued["dataset_id"]) == [("spend", 1.0)]
    assert spent(api, queued["dataset_id"]) == queued["charged"] > 0
    details = build_failed(api, queued["dataset_id"])
    assert details == {"structure_id": queued["structure_id"],
                       "reason": worker_module.FAILED_AFTER_ROWS,
                       "refunded": False, "rows_read": True}
    assert type(error).__name__ in caplog.text  # the detail is logged, server side...
    assert "0.8172635" not in caplog.text  # ...without a foreign message's values


def test_a_tampered_noise_plan_fails_before_reading_and_is_refunded(
        api: Api, queued: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    def halve_one_scale(plan: dict[str, Any]) -> None:
        noisy = [s for s in plan["statistics"] if s["noise_scale"] > 0]
        noisy[0]["noise_scale"] /= 2  # twice the epsilon of that statistic

    tamper_plan(api, queued["structure_id"], halve_one_scale)
    reads = count_chunk_reads(monkeypatch)
    assert api.run_jobs() == 1
    assert reads == []  # refused before any row was read
    job = api.c.get(queued["job_url"], headers=ADMIN).json()
    assert job["status"] == "failed" and "budget" in job["error"]
    with api.state.uow() as tx:
        assert tx.structures.get_blob(UUID(queued["structure_id"])) is None
    assert api.c.get(queued["status_url"], headers=ADMIN).json()["status"] == "failed"
    ledger = api.c.get(f"/v1/datasets/{queued['dataset_id']}/ledger", headers=ADMIN).json()
    assert [(e["entry"], e["epsilon"]) for e in ledger["entries"]] == [("spend", 1.0),
                                                                       ("refund", -1.0)]
    assert ledger["entries"][1]["mechanism"] == {
        "structure_kind": "gaussian_kde", "reason": job["error"], "rows_read": False}
    assert spent(api, queued["dataset_id"]) == 0.0
    details = build_failed(api, queued["dataset_id"])
    assert details["refunded"] is True and details["rows_read"] is False


def test_a_plan_budget_above_the_charge_fails_before_reading_and_is_refunded(
        api: Api, queued: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    def raise_the_budget(plan: dict[str, Any]) -> None:
        # scales and budget consistent with each other, but twice the charged epsilon
        plan["epsilon"] *= 2
        for stat in plan["statistics"]:
            if stat["noise_scale"] > 0:
                stat["noise_scale"] /= 2
                stat["epsilon"] *= 2

    tamper_plan(api, queued["structure_id"], raise_the_budget)
    reads = count_chunk_reads(monkeypatch)
    assert api.run_jobs() == 1
    assert reads == []
    job = api.c.get(queued["job_url"], headers=ADMIN).json()
    assert job["status"] == "failed" and "exceeds the structure's charge" in job["error"]
    assert ledger_entries(api, queued["dataset_id"]) == [("spend", 1.0), ("refund", -1.0)]
    details = build_failed(api, queued["dataset_id"])
    assert details["refunded"] is True and details["rows_read"] is False


def test_a_failure_after_an_earlier_attempt_keeps_the_charge(api: Api, queued: dict) -> None:
    # the first attempt may have read rows before its worker died; the second finds the
    # rows purged: whether the first died may depend on the rows, so no refund
    first = api.worker(name="died")
    assert first.claim() is not None
    expire_lease(api, queued["job_id"])
    api.c.delete(f"/v1/datasets/{queued['dataset_id']}/rows", headers=ADMIN)
    assert api.run_jobs() == 1
    job = api.c.get(queued["job_url"], headers=ADMIN).json()
    assert job["status"] == "failed" and job["attempts"] == 2
    assert ledger_entries(api, queued["dataset_id"]) == [("spend", 1.0)]
    details = build_failed(api, queued["dataset_id"])
    assert details["refunded"] is False and details["rows_read"] is True


@pytest.mark.parametrize("reupload", [False, True], ids=["purged", "purged-and-reuploaded"])
def test_rows_purged_after_the_build_read_them_are_not_released(
        api: Api, queued: dict, monkeypatch: pytest.MonkeyPatch, reupload: bool) -> None:
    """The build has read every chunk and computed its release; the owner purges the
    rows (and, in one case, uploads as many new ones) before it stores: nothing is
    stored, and the charge is kept (rows were read)."""
    real = worker_module.build_release

    def purge_after_reading(*args: Any, **kwargs: Any) -> Any:
        release = real(*args, **kwargs)
        r = api.c.delete(f"/v1/datasets/{queued['dataset_id']}/rows", headers=ADMIN)
        assert r.json() == {"purged": 200}
        if reupload:  # new chunks: new seqs, never the purged ones'
            api.upload(ADMIN, queued["dataset_id"], unit_ball_rows(200, 3, seed=5))
        return release

    monkeypatch.setattr(worker_module, "build_release", purge_after_reading)
    assert api.run_jobs() == 1
    job = api.c.get(queued["job_url"], headers=ADMIN).json()
    assert job["status"] == "failed"
    assert job["error"] == worker_module.PURGED_AFTER_ROWS
    structure = api.c.get(queued["status_url"], headers=ADMIN).json()
    assert structure["status"] == "failed" and structure["ready_at"] is None
    with api.state.uow() as tx:
        assert tx.structures.get_blob(UUID(queued["structure_id"])) is None
    r = api.c.post(f"/v1/structures/{queued['structure_id']}/query", headers=ADMIN,
                   json={"points": [[0.0, 0.0, 0.0]]})
    assert r.status_code == 409
    assert ledger_entries(api, queued["dataset_id"]) == [("spend", 1.0)]
    assert spent(api, queued["dataset_id"]) == queued["charged"] > 0
    details = build_failed(api, queued["dataset_id"])
    assert details["refunded"] is False and details["rows_read"] is True


def test_a_stopping_worker_requeues_its_job(api: Api, queued: dict) -> None:
    worker = api.worker(name="stopping")
    job_id = worker.claim()
    assert job_id is not None
    worker.stop_event.set()
    worker.execute(job_id)
    job = api.c.get(queued["job_url"], headers=ADMIN).json()
    assert job["status"] == "queued"
    assert api.run_jobs() == 1
    assert api.c.get(queued["job_url"], headers=ADMIN).json()["status"] == "succeeded"
    assert ledger_entries(api, queued["dataset_id"]) == [("spend", 1.0)]


def test_deleting_the_dataset_mid_build_stores_nothing(api: Api, queued: dict) -> None:
    worker = api.worker(name="w")
    job_id = worker.claim()
    assert job_id is not None
    api.c.delete(f"/v1/datasets/{queued['dataset_id']}", headers=ADMIN)
    worker.execute(job_id)
    assert api.c.get(queued["status_url"], headers=ADMIN).status_code == 404
    with api.state.uow() as tx:
        assert tx.structures.get_blob(UUID(queued["structure_id"])) is None


def test_in_process_workers_run_builds(tmp_path, sqlite_url) -> None:
    from app.db.migrate import upgrade
    from app.main import create_app
    from tests.conftest import make_settings

    upgrade(sqlite_url)
    settings = make_settings(sqlite_url, tmp_path / "var", inprocess_workers=1)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        api = Api(client)
        dataset_id = api.dataset(ADMIN)
        api.upload(ADMIN, dataset_id, unit_ball_rows(50, 3))
        accepted = api.build(ADMIN, dataset_id, epsilon=0.5)
        assert api.wait_job(ADMIN, accepted["job_id"])["status"] == "succeeded"
