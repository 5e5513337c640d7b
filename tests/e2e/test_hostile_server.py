"""Against a real server: a build retried after the server was killed (SIGKILL) between
the charge and the client getting its answer is charged once; heavy queries run off the
event loop, so health checks answer while they run."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

from app.db.migrate import upgrade
from tests.conftest import ADMIN_KEY
from tests.helpers import npy_bytes, unit_ball_rows
from tests.live import server, server_process, service_env

pytestmark = pytest.mark.e2e
HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}


def test_a_build_retried_after_a_crash_is_charged_once(sqlite_url: str,
                                                       tmp_path: Path) -> None:
    upgrade(sqlite_url)
    env = service_env(sqlite_url, tmp_path / "var")
    log = tmp_path / "server.log"
    body = {"kind": "gaussian_kde", "params": {"bandwidth": 0.5, "features": 64},
            "privacy": {"epsilon": 1.0}}
    retry = HEADERS | {"Idempotency-Key": "0b6f4f3e-retry-after-crash"}
    with server_process(env, log) as (base, proc):
        dataset = httpx.post(f"{base}/v1/datasets", headers=HEADERS, json={
            "name": "crash", "dim": 3, "domain": {"type": "l2_ball", "radius": 1},
            "budget": {"epsilon": 3.0}}).json()["id"]
        httpx.post(f"{base}/v1/datasets/{dataset}/rows", headers=HEADERS,
                   json={"rows": unit_ball_rows(20, 3).tolist()}).raise_for_status()
        first = httpx.post(f"{base}/v1/datasets/{dataset}/structures", headers=retry,
                           json=body)
        assert first.status_code == 202, first.text
        # the charge is committed; the server dies before the client could use the answer
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    with server(env, log) as base:
        again = httpx.post(f"{base}/v1/datasets/{dataset}/structures", headers=retry,
                           json=body)
        assert again.status_code == 202, again.text
        assert again.json() == first.json()
        ledger = httpx.get(f"{base}/v1/datasets/{dataset}/ledger", headers=HEADERS).json()
    assert [e["entry"] for e in ledger["entries"]] == ["spend"]
    assert ledger["budget"]["epsilon"]["spent"] == pytest.approx(1.0)


def test_health_answers_while_heavy_queries_run(sqlite_url: str, tmp_path: Path) -> None:
    upgrade(sqlite_url)
    env = service_env(sqlite_url, tmp_path / "var", PRIVSIM_INPROCESS_WORKERS="1",
                      PRIVSIM_QUERY_CONCURRENCY="2")
    with server(env, tmp_path / "server.log") as base:
        dataset = httpx.post(f"{base}/v1/datasets", headers=HEADERS, json={
            "name": "load", "dim": 16, "domain": {"type": "l2_ball", "radius": 1},
            "budget": {"epsilon": 3.0}}).json()["id"]
        httpx.post(f"{base}/v1/datasets/{dataset}/rows", headers=HEADERS | {
            "content-type": "application/x-npy"},
            content=npy_bytes(unit_ball_rows(100, 16))).raise_for_status()
        built = httpx.post(f"{base}/v1/datasets/{dataset}/structures", headers=HEADERS,
                           json={"kind": "gaussian_kde",
                                 "params": {"bandwidth": 0.5, "features": 4096},
                                 "privacy": {"epsilon": 1.0}}).json()
        deadline = time.monotonic() + 120
        while httpx.get(f"{base}/v1/jobs/{built['job_id']}",
                        headers=HEADERS).json()["status"] != "succeeded":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        points = {"points": unit_ball_rows(20_000, 16).tolist()}
        url = f"{base}/v1/structures/{built['structure_id']}/query"
        finished: list[float] = []
        statuses: list[int] = []

        def heavy() -> None:
            r = httpx.post(url, headers=HEADERS, json=points, timeout=300)
            statuses.append(r.status_code)
            finished.append(time.monotonic())

        threads = [threading.Thread(target=heavy) for _ in range(6)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)  # the queries are being parsed and answered
        health = httpx.get(f"{base}/healthz", timeout=60)
        answered = time.monotonic()
        for thread in threads:
            thread.join()
    assert health.status_code == 200
    assert statuses == [200] * 6
    # health answered while queries were still running (not after the whole batch)
    assert sum(t > answered for t in finished) >= 2, (answered, finished)
