"""Failed builds on PostgreSQL: a purge that lands after a build read its rows (even one
that commits while the build is storing) leaves no release and keeps the charge; a
failure decided before any row was read is refunded, under the dataset's row lock, so
that a concurrent charge is not lost."""

from __future__ import annotations

import threading
import time
from typing import Any
from uuid import UUID

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url

from app.workers import worker as worker_module
from tests.helpers import ADMIN, Api, unit_ball_rows

pytestmark = pytest.mark.integration


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _spent(api: Api, dataset_id: str) -> float:
    dataset = api.c.get(f"/v1/datasets/{dataset_id}", headers=ADMIN).json()
    return float(dataset["budget"]["epsilon"]["spent"])


def _queued(api: Api) -> dict[str, Any]:
    dataset_id = api.dataset(ADMIN, epsilon=5.0)
    api.upload(ADMIN, dataset_id, unit_ball_rows(300, 3))
    accepted = api.build(ADMIN, dataset_id, epsilon=1.0)
    return accepted | {"dataset_id": dataset_id, "charged": _spent(api, dataset_id)}


def _ledger(api: Api, dataset_id: str) -> list[tuple[str, float]]:
    ledger = api.c.get(f"/v1/datasets/{dataset_id}/ledger", headers=ADMIN).json()
    return [(e["entry"], e["epsilon"]) for e in ledger["entries"]]


def _failed_event(api: Api, dataset_id: str) -> dict[str, Any]:
    events = api.c.get(f"/v1/datasets/{dataset_id}/audit", headers=ADMIN).json()["events"]
    failed = [e["details"] for e in events if e["action"] == "build_failed"]
    assert len(failed) == 1, events
    return dict(failed[0])


def _assert_failed_and_charged(api: Api, queued: dict[str, Any]) -> None:
    job = api.c.get(queued["job_url"], headers=ADMIN).json()
    assert job["status"] == "failed" and job["error"] == worker_module.PURGED_AFTER_ROWS, job
    assert api.c.get(queued["status_url"], headers=ADMIN).json()["status"] == "failed"
    with api.state.uow() as tx:
        assert tx.structures.get_blob(UUID(queued["structure_id"])) is None
    assert _ledger(api, queued["dataset_id"]) == [("spend", 1.0)]
    assert _spent(api, queued["dataset_id"]) == queued["charged"] > 0
    details = _failed_event(api, queued["dataset_id"])
    assert details["refunded"] is False and details["rows_read"] is True


def test_a_purge_after_the_rows_were_read_stores_nothing(
        pg_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    api = Api(pg_client)
    queued = _queued(api)
    real = worker_module.build_release

    def purge_after_reading(*args: Any, **kwargs: Any) -> Any:
        release = real(*args, **kwargs)  # every chunk read, the release computed
        r = api.c.delete(f"/v1/datasets/{queued['dataset_id']}/rows", headers=ADMIN)
        assert r.status_code == 200, r.text
        return release

    monkeypatch.setattr(worker_module, "build_release", purge_after_reading)
    assert api.run_jobs() == 1
    _assert_failed_and_charged(api, queued)


def test_a_purge_committing_while_the_build_stores_is_seen(
        pg_client: TestClient, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The purge has deleted the chunks and updated the dataset but not committed when
    the build stores: the store waits on the dataset's row lock, then sees the purge."""
    api = Api(pg_client)
    queued = _queued(api)
    real = worker_module.build_release
    purger = psycopg.connect(_conninfo(pg_url))
    committed = threading.Event()

    def purge_pending(*args: Any, **kwargs: Any) -> Any:
        release = real(*args, **kwargs)
        purger.execute("DELETE FROM row_chunks WHERE dataset_id = %s",
                       (queued["dataset_id"],))
        purger.execute("UPDATE datasets SET row_count = 0, purged_at = now() "
                       "WHERE id = %s", (queued["dataset_id"],))

        def commit_later() -> None:
            time.sleep(1.0)
            purger.commit()
            committed.set()

        threading.Thread(target=commit_later, daemon=True).start()
        return release

    monkeypatch.setattr(worker_module, "build_release", purge_pending)
    try:
        started = time.monotonic()
        assert api.run_jobs() == 1
        assert committed.is_set()  # the store waited for the purge to commit
        assert time.monotonic() - started >= 1.0
    finally:
        purger.close()
    _assert_failed_and_charged(api, queued)


def test_a_refund_does_not_lose_a_concurrent_charge(pg_client: TestClient,
                                                    pg_url: str) -> None:
    """A build that fails before reading rows (they were purged first) is refunded while
    another transaction holds the dataset's row lock and adds to its spend: the refund
    waits, then subtracts from the fresh total."""
    api = Api(pg_client)
    queued = _queued(api)
    assert api.c.delete(f"/v1/datasets/{queued['dataset_id']}/rows",
                        headers=ADMIN).status_code == 200
    with psycopg.connect(_conninfo(pg_url)) as charger:
        charger.execute("SELECT id FROM datasets WHERE id = %s FOR UPDATE",
                        (queued["dataset_id"],))
        # what charging a Laplace epsilon of 0.5 adds (units of 1e-9, and 1e-12 for rho)
        charger.execute("UPDATE datasets SET epsilon_spent = epsilon_spent + 500000000, "
                        "pure_epsilon_spent = pure_epsilon_spent + 500000000, "
                        "pure_rho_spent = pure_rho_spent + 125000000000 WHERE id = %s",
                        (queued["dataset_id"],))
        worker = threading.Thread(target=api.run_jobs)
        worker.start()
        time.sleep(1.0)
        assert worker.is_alive()  # the refund waits on the row lock
        charger.commit()
        worker.join(timeout=30)
        assert not worker.is_alive()
    job = api.c.get(queued["job_url"], headers=ADMIN).json()
    assert job["status"] == "failed" and "rows" in job["error"]
    assert _ledger(api, queued["dataset_id"]) == [("spend", 1.0), ("refund", -1.0)]
    details = _failed_event(api, queued["dataset_id"])
    assert details["refunded"] is True and details["rows_read"] is False
    with psycopg.connect(_conninfo(pg_url)) as conn:
        counters = conn.execute("SELECT epsilon_spent, pure_epsilon_spent, pure_rho_spent "
                                "FROM datasets WHERE id = %s",
                                (queued["dataset_id"],)).fetchone()
    assert counters == (500_000_000, 500_000_000, 125_000_000_000)  # 1 - 1 + 0.5
