"""Query audit events are never lost: a real server killed outright (SIGKILL) with its
queries' events still in its journal writes every one of them at its next start; one
stopped cleanly writes them before it exits."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from app.db.migrate import upgrade
from tests.conftest import ADMIN_KEY
from tests.helpers import npy_bytes, unit_ball_rows
from tests.live import server, server_process, service_env

pytestmark = pytest.mark.e2e
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
QUERIES = 30


def _session(base: str) -> tuple[dict[str, str], str, str]:
    """An owner, a dataset and a ready structure: (headers, dataset, structure)."""
    with httpx.Client(base_url=base, timeout=30) as c:
        owner = c.post("/v1/keys", headers=ADMIN,
                       json={"role": "owner", "name": "o"}).json()["key"]
        headers = {"Authorization": f"Bearer {owner}"}
        dataset = c.post("/v1/datasets", headers=headers, json={
            "name": "d", "dim": 3, "domain": {"type": "l2_ball", "radius": 1},
            "budget": {"epsilon": 5}}).json()["id"]
        c.post(f"/v1/datasets/{dataset}/rows", content=npy_bytes(unit_ball_rows(50, 3)),
               headers=headers | {"Content-Type": "application/x-npy"}).raise_for_status()
        build = c.post(f"/v1/datasets/{dataset}/structures", headers=headers, json={
            "kind": "inner_product", "params": {}, "privacy": {"epsilon": 1}}).json()
        for _ in range(600):
            status = c.get(build["job_url"], headers=headers).json()["status"]
            if status == "succeeded":
                break
            assert status in ("queued", "running"), status
            time.sleep(0.1)
        return headers, dataset, build["structure_id"]


def _query(base: str, headers: dict[str, str], structure: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as c:
        for i in range(QUERIES):
            r = c.post(f"/v1/structures/{structure}/query", headers=headers,
                       json={"points": [[0.1, 0.0, 0.01 * i]]})
            assert r.status_code == 200, r.text


def _queries_logged(base: str, headers: dict[str, str], dataset: str) -> int:
    r = httpx.get(f"{base}/v1/datasets/{dataset}/audit", headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    return sum(e["action"] == "query" for e in r.json()["events"])


def _written(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM audit_events WHERE action = 'query'").fetchone()
    return int(count)


def test_a_killed_server_loses_no_query_event(tmp_path: Path) -> None:
    db = tmp_path / "privsim.db"
    url = f"sqlite:///{db}"
    upgrade(url)
    # the writer would run each minute: every event is still only in the journal at the kill
    env = service_env(url, tmp_path / "var", PRIVSIM_INPROCESS_WORKERS="1",
                      PRIVSIM_AUDIT_FLUSH_SECONDS="60")
    log = tmp_path / "server.log"
    with server_process(env, log) as (base, proc):
        headers, dataset, structure = _session(base)
        _query(base, headers, structure)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert _written(db) == 0  # none was written before the kill
    with server(env, log) as base:  # its start replays the dead process's journal
        assert _queries_logged(base, headers, dataset) == QUERIES
    assert _written(db) == QUERIES


def test_a_server_stopped_cleanly_writes_its_events_before_it_exits(tmp_path: Path) -> None:
    db = tmp_path / "privsim.db"
    url = f"sqlite:///{db}"
    upgrade(url)
    env = service_env(url, tmp_path / "var", PRIVSIM_INPROCESS_WORKERS="1",
                      PRIVSIM_AUDIT_FLUSH_SECONDS="60")
    with server(env, tmp_path / "server.log") as base:
        headers, _, structure = _session(base)
        _query(base, headers, structure)
        assert _written(db) == 0
    assert _written(db) == QUERIES  # SIGTERM: the shutdown flushed the journal
    assert list((tmp_path / "var" / "audit").glob("audit-*.journal")) == []
