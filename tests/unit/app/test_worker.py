"""The job lifecycle: leases, reclaiming, lost leases, give-up and refunds, stopping."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from app.db.base import utcnow
from app.db.models import JobRow
from tests.helpers import ADMIN, Api, unit_ball_rows


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


@pytest.fixture
def queued(api: Api) -> dict:
    dataset_id = api.dataset(ADMIN, epsilon=5.0)
    api.upload(ADMIN, dataset_id, unit_ball_rows(200, 3))
    accepted = api.build(ADMIN, dataset_id, epsilon=1.0)
    return accepted | {"dataset_id": dataset_id}


def expire_lease(api: Api, job_id: str) -> None:
    with api.state.uow(write=True) as tx:
        tx.session.execute(update(JobRow).where(JobRow.id == UUID(job_id))
                           .values(lease_expires_at=utcnow() - timedelta(seconds=1)))
        tx.commit()


def ledger_entries(api: Api, dataset_id: str) -> list[tuple[str, float]]:
    ledger = api.c.get(f"/v1/datasets/{dataset_id}/ledger", headers=ADMIN).json()
    return [(e["entry"], e["epsilon"]) for e in ledger["entries"]]


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


def test_a_job_that_keeps_dying_is_given_up_and_refunded(api: Api, queued: dict) -> None:
    for attempt in range(3):
        worker = api.worker(name=f"doomed-{attempt}", max_attempts=3)
        assert worker.claim() is not None
        expire_lease(api, queued["job_id"])
    assert api.worker(max_attempts=3).claim() is None
    job = api.c.get(queued["job_url"], headers=ADMIN).json()
    assert job["status"] == "failed" and "3 attempts" in job["error"]
    assert api.c.get(queued["status_url"], headers=ADMIN).json()["status"] == "failed"
    assert ledger_entries(api, queued["dataset_id"]) == [("spend", 1.0), ("refund", -1.0)]
    dataset = api.c.get(f"/v1/datasets/{queued['dataset_id']}", headers=ADMIN).json()
    assert dataset["budget"]["epsilon"]["spent"] == 0.0


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
