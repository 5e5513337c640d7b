"""A build worker killed with SIGKILL mid-build, on PostgreSQL: the job is reclaimed
by another worker when the lease runs out and finishes; the budget is charged once and
the half-built structure is never served in between."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from app.db.migrate import upgrade
from tests.conftest import ADMIN_KEY
from tests.helpers import npy_bytes, unit_ball_rows
from tests.live import server, service_env, start_worker, stop

HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}
pytestmark = pytest.mark.integration


def _job(base: str, job_id: str) -> dict:
    return dict(httpx.get(f"{base}/v1/jobs/{job_id}", headers=HEADERS).json())


def test_sigkill_mid_build_is_recovered(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    env = service_env(pg_url, tmp_path / "var", PRIVSIM_CHUNK_ROWS="500",
                      PRIVSIM_JOB_LEASE_SECONDS="2", PRIVSIM_JOB_HEARTBEAT_SECONDS="0.5",
                      PRIVSIM_JOB_POLL_SECONDS="0.1")
    log = tmp_path / "processes.log"
    with server(env, log) as base:
        dataset_id = httpx.post(f"{base}/v1/datasets", headers=HEADERS, json={
            "name": "crash", "dim": 16, "domain": {"type": "l2_ball", "radius": 1},
            "budget": {"epsilon": 5.0}}).json()["id"]
        rows = unit_ball_rows(8000, 16)
        httpx.post(f"{base}/v1/datasets/{dataset_id}/rows", content=npy_bytes(rows),
                   headers=HEADERS | {"content-type": "application/x-npy"}).raise_for_status()
        accepted = httpx.post(f"{base}/v1/datasets/{dataset_id}/structures", headers=HEADERS,
                              json={"kind": "gaussian_kde",
                                    "params": {"bandwidth": 0.5, "features": 16384},
                                    "privacy": {"epsilon": 1.0}}).json()
        job_id, structure_id = accepted["job_id"], accepted["structure_id"]

        victim = start_worker(env, log)
        deadline = time.monotonic() + 120
        while not (0 < _job(base, job_id)["progress"] < 0.9):
            assert time.monotonic() < deadline, "the build never started"
            assert victim.poll() is None, log.read_text()[-2000:]
            time.sleep(0.05)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        killed = _job(base, job_id)
        assert killed["status"] == "running" and killed["attempts"] == 1

        # nothing half-built is served while the job waits to be reclaimed
        r = httpx.post(f"{base}/v1/structures/{structure_id}/query", headers=HEADERS,
                       json={"points": [[0.0] * 16]})
        assert r.status_code == 409
        r = httpx.get(f"{base}/v1/structures/{structure_id}/export", headers=HEADERS)
        assert r.status_code == 409

        rescuer = start_worker(env, log)
        try:
            deadline = time.monotonic() + 180
            while (job := _job(base, job_id))["status"] not in ("succeeded", "failed"):
                assert time.monotonic() < deadline, log.read_text()[-2000:]
                time.sleep(0.2)
        finally:
            stop(rescuer)
        assert job["status"] == "succeeded", job
        assert job["attempts"] == 2

        structure = httpx.get(f"{base}/v1/structures/{structure_id}", headers=HEADERS).json()
        assert structure["status"] == "ready"
        answer = httpx.post(f"{base}/v1/structures/{structure_id}/query", headers=HEADERS,
                            json={"points": rows[:3].tolist(), "reduce": "mean"}).json()
        assert np.all(np.isfinite(answer["values"]))
        ledger = httpx.get(f"{base}/v1/datasets/{dataset_id}/ledger", headers=HEADERS).json()
        assert [(e["entry"], e["epsilon"]) for e in ledger["entries"]] == [("spend", 1.0)]
        assert ledger["budget"]["epsilon"]["spent"] == 1.0
