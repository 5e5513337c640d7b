"""Failures against real processes on PostgreSQL (DESIGN.md section 4: workers are safe
to kill at any point, budget is charged exactly once, a half-built structure is never
served, a database outage is a 503 problem+json that changes nothing).

1. Build workers SIGKILLed at random points during 20 builds: no job is lost, every
   structure is either complete and served or failed and not served, and the ledger
   charges each structure exactly once. A failed one (given up after too many
   attempts, which may have read rows) keeps its charge: no refund.
2. The API process (with its in-process worker) SIGKILLed mid-build and restarted on
   the same database: the build is reclaimed after its lease and completes, charged
   once; the dataset, its rows and the earlier structures are all still there.
3. A database outage mid-request (the request's backend terminated while it waits on a
   row lock) and a database that goes away entirely (through a TCP proxy that is
   stopped): 503 problem+json with Retry-After, never a 500, and no partial spend.

Set ``PRIVSIM_FAILURES_SEED`` to replay the kill schedule of test 1 (timings still vary).
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psycopg
import pytest
from sqlalchemy import make_url

from app.db.migrate import upgrade
from core.structures import load_release
from tests.conftest import ADMIN_KEY
from tests.helpers import npy_bytes, unit_ball_rows
from tests.live import ROOT, free_port, server, service_env, start_worker, stop

pytestmark = pytest.mark.integration

HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}
PROBLEM_JSON = "application/problem+json"
FINAL = ("succeeded", "failed")
DIM = 16


# -- helpers -------------------------------------------------------------------------
def _conninfo(url: str) -> str:
    """A psycopg conninfo for a SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tail(log: Path, n: int = 4000) -> str:
    return log.read_text(errors="replace")[-n:] if log.exists() else "(no log)"


def _get(base: str, path: str, timeout: float = 30) -> httpx.Response:
    return httpx.get(f"{base}{path}", headers=HEADERS, timeout=timeout)


def _post(base: str, path: str, json: Any, timeout: float = 30) -> httpx.Response:
    return httpx.post(f"{base}{path}", headers=HEADERS, json=json, timeout=timeout)


def _dataset(base: str, rows: np.ndarray, epsilon: float) -> str:
    r = _post(base, "/v1/datasets", {
        "name": "failures", "dim": rows.shape[1], "domain": {"type": "l2_ball", "radius": 1},
        "budget": {"epsilon": epsilon}})
    assert r.status_code == 201, r.text
    dataset_id = str(r.json()["id"])
    r = httpx.post(f"{base}/v1/datasets/{dataset_id}/rows", content=npy_bytes(rows),
                   headers=HEADERS | {"content-type": "application/x-npy"}, timeout=60)
    assert r.status_code == 200, r.text
    return dataset_id


def _kde(features: int, epsilon: float) -> dict[str, Any]:
    return {"kind": "gaussian_kde", "params": {"bandwidth": 0.5, "features": features},
            "privacy": {"epsilon": epsilon}}


def _build(base: str, dataset_id: str, body: dict[str, Any]) -> dict[str, Any]:
    r = _post(base, f"/v1/datasets/{dataset_id}/structures", body)
    assert r.status_code == 202, r.text
    return dict(r.json())


def _wait_job(base: str, job_id: str, log: Path, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job = dict(_get(base, f"/v1/jobs/{job_id}").json())
        if job["status"] in FINAL:
            return job
        assert time.monotonic() < deadline, f"job {job_id} never finished: {job}\n{_tail(log)}"
        time.sleep(0.1)


def _query(base: str, structure_id: str, points: np.ndarray) -> httpx.Response:
    return _post(base, f"/v1/structures/{structure_id}/query",
                 {"points": points.tolist(), "reduce": "mean"})


def _assert_served(base: str, structure_id: str, kind: str, points: np.ndarray) -> list[float]:
    """A ready structure answers queries and exports a release that loads offline."""
    r = _query(base, structure_id, points)
    assert r.status_code == 200, r.text
    values = list(r.json()["values"])
    assert len(values) == len(points) and np.all(np.isfinite(values))
    r = _get(base, f"/v1/structures/{structure_id}/export")
    assert r.status_code == 200, r.text
    release = load_release(r.content)
    offline = release.query(points, "mean")
    assert np.allclose(offline.values, values), (structure_id, kind)
    return values


def _assert_not_served(base: str, structure_id: str, points: np.ndarray) -> None:
    for r in (_query(base, structure_id, points),
              _get(base, f"/v1/structures/{structure_id}/export")):
        assert r.status_code == 409, r.text
        assert r.headers["content-type"].startswith(PROBLEM_JSON)


def _ledger(base: str, dataset_id: str) -> dict[str, Any]:
    r = _get(base, f"/v1/datasets/{dataset_id}/ledger")
    assert r.status_code == 200, r.text
    return dict(r.json())


def _assert_problem_503(r: httpx.Response, *, retry_after: bool = True) -> None:
    assert r.status_code == 503, (r.status_code, r.text)
    assert r.headers["content-type"].startswith(PROBLEM_JSON), r.headers
    body = r.json()
    assert body["status"] == 503
    assert body["type"] == "urn:privsim:problem:service-unavailable", body
    assert "Traceback" not in r.text and "psycopg" not in r.text, r.text
    if retry_after:
        assert int(r.headers["retry-after"]) > 0, r.headers


def _db_rows(url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(_conninfo(url), autocommit=True) as conn:
        return list(conn.execute(sql, params).fetchall())


@contextlib.contextmanager
def _serve(env: dict[str, str], log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``privsim serve`` like ``tests.live.server``, but the process is handed out so that
    the test can kill it."""
    port = free_port()
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1",
             "--port", str(port)], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"server exited early:\n{_tail(log)}"
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            assert time.monotonic() < deadline, f"server did not start:\n{_tail(log)}"
            time.sleep(0.1)
        yield proc, base
    finally:
        stop(proc)


def _sigkill(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


# -- 1. workers killed at random points ----------------------------------------------
N_BUILDS = 20
BUILD_EPSILON = 0.1


class _Victim:
    """A ``privsim worker`` with a random time of death."""

    def __init__(self, proc: subprocess.Popen[bytes], log: Path, delay: float,
                 from_spawn: bool, holds_job: Callable[[int], bool] | None = None) -> None:
        self.proc, self.log, self.delay, self.from_spawn = proc, log, delay, from_spawn
        self.holds_job = holds_job
        self.spawned = time.monotonic()
        self.started: float | None = None
        self.claimed: float | None = None

    @classmethod
    def spawn(cls, env: dict[str, str], log: Path, rng: random.Random,
              holds_job: Callable[[int], bool] | None = None) -> _Victim:
        """With ``holds_job`` (is the worker of this pid running a job?), it dies within
        0.2 s of claiming its first job: mid-build, whatever the machine's speed."""
        own_log = log.parent / f"{log.stem}-{time.monotonic_ns()}.log"
        if holds_job is not None:
            return cls(start_worker(env, own_log), own_log, rng.uniform(0.0, 0.2), False,
                       holds_job)
        from_spawn = rng.random() < 0.15
        delay = rng.uniform(0.3, 3.0) if from_spawn else rng.uniform(0.2, 6.0)
        return cls(start_worker(env, own_log), own_log, delay, from_spawn)

    def due(self) -> bool:
        now = time.monotonic()
        if self.holds_job is not None:
            if self.claimed is None and self.holds_job(self.proc.pid):
                self.claimed = now
            return self.claimed is not None and now >= self.claimed + self.delay
        if self.from_spawn:
            return now >= self.spawned + self.delay
        if self.started is None and '"worker started"' in self.log.read_text(errors="replace"):
            self.started = now
        return self.started is not None and now >= self.started + self.delay


def test_workers_killed_at_random_points_lose_nothing(pg_url: str, tmp_path: Path) -> None:
    seed = int(os.environ.get("PRIVSIM_FAILURES_SEED", random.SystemRandom().randrange(2**32)))
    rng = random.Random(seed)
    upgrade(pg_url)
    env = service_env(pg_url, tmp_path / "var", PRIVSIM_CHUNK_ROWS="200",
                      PRIVSIM_JOB_LEASE_SECONDS="1.5", PRIVSIM_JOB_HEARTBEAT_SECONDS="0.3",
                      PRIVSIM_JOB_POLL_SECONDS="0.1")
    log = tmp_path / "processes.log"
    rows = unit_ball_rows(3000, DIM, seed=1)
    points = unit_ball_rows(4, DIM, seed=2)
    with server(env, log) as base:
        dataset_id = _dataset(base, rows, epsilon=N_BUILDS * BUILD_EPSILON)
        accepted = [_build(base, dataset_id, _kde(4096, BUILD_EPSILON))
                    for _ in range(N_BUILDS)]
        jobs = {str(a["job_id"]): str(a["structure_id"]) for a in accepted}

        def unfinished() -> int:
            return int(_db_rows(pg_url, "SELECT count(*) FROM jobs WHERE status NOT IN "
                                        "('succeeded', 'failed')")[0][0])

        # kill phase: two workers at a time, each SIGKILLed after a random delay. Worker
        # start-up (imports) takes seconds and more on a busy machine, so most delays
        # count from the worker's "worker started" line: those kills land mid-build or
        # between builds; the others count from the spawn and may land during start-up.
        def holds_job(pid: int) -> bool:
            return bool(_db_rows(pg_url, "SELECT 1 FROM jobs WHERE status = 'running' AND "
                                         "lease_owner LIKE %s", f"%:{pid}:%"))

        # the first worker dies just after it claims a job, so that at least one kill
        # lands mid-build even where two workers finish every build before the random
        # delays of the others run out (a fast machine)
        kills = mid_build_kills = spawned = 0
        live: list[_Victim] = []
        phase_end = time.monotonic() + 45
        try:
            while unfinished() and time.monotonic() < phase_end:
                while len(live) < 2:
                    live.append(_Victim.spawn(env, log, rng,
                                              holds_job if spawned == 0 else None))
                    spawned += 1
                for victim in list(live):
                    assert victim.proc.poll() is None, \
                        f"a worker died by itself (seed {seed})\n{_tail(victim.log)}"
                    if not victim.due():
                        continue
                    _sigkill(victim.proc)
                    live.remove(victim)
                    kills += 1
                    held = _db_rows(pg_url, "SELECT structure_id FROM jobs WHERE status = "
                                            "'running' AND lease_owner LIKE %s",
                                    f"%:{victim.proc.pid}:%")
                    if held:  # killed mid-job: its half-built structure is not served
                        mid_build_kills += 1
                        _assert_not_served(base, str(held[0][0]), points)
                time.sleep(0.05)
        finally:
            for victim in live:
                _sigkill(victim.proc)
        left_after_kills = unfinished()

        # a last worker, never killed, finishes whatever is left (expired leases included)
        last = start_worker(env, log)
        try:
            deadline = time.monotonic() + 120
            while unfinished():
                assert last.poll() is None, _tail(log)
                assert time.monotonic() < deadline, f"jobs lost (seed {seed})\n{_tail(log)}"
                time.sleep(0.1)
        finally:
            stop(last)

        context = (f"seed {seed}: {kills} kills, {mid_build_kills} mid-build, "
                   f"{left_after_kills} jobs left for the last worker")
        # no job is lost: every job is final, as the API says
        final = {job_id: dict(_get(base, f"/v1/jobs/{job_id}").json()) for job_id in jobs}
        assert all(j["status"] in FINAL for j in final.values()), (context, final)
        attempts = sorted(j["attempts"] for j in final.values())
        context += f", attempts {attempts}"
        assert mid_build_kills >= 1 and attempts[-1] >= 2, context

        # every structure is complete and served, or failed and not served
        listed = {s["id"]: s for s in _get(base, "/v1/structures").json()["structures"]
                  if s["dataset_id"] == dataset_id}
        assert set(listed) == set(jobs.values()), context
        failed: set[str] = set()
        for job_id, structure_id in jobs.items():
            status = listed[structure_id]["status"]
            if final[job_id]["status"] == "succeeded":
                assert status == "ready", (context, listed[structure_id])
                _assert_served(base, structure_id, "gaussian_kde", points)
            else:
                assert status == "failed", (context, listed[structure_id], final[job_id])
                _assert_not_served(base, structure_id, points)
                failed.add(structure_id)

        # no structure is ready without its (one) stored release, none failed with one
        stored = _db_rows(pg_url, "SELECT s.id::text, s.status, count(b.structure_id) "
                                  "FROM structures s LEFT JOIN structure_blobs b "
                                  "ON b.structure_id = s.id GROUP BY s.id, s.status")
        assert len(stored) == N_BUILDS
        assert all((status == "ready") == (blobs == 1) for _, status, blobs in stored), stored

        # the ledger: one spend per structure and no refund (a build that failed here
        # failed after attempts that may have read rows: it keeps its charge), budget =
        # the sum
        ledger = _ledger(base, dataset_id)
        spends = Counter(e["structure_id"] for e in ledger["entries"] if e["entry"] == "spend")
        refunds = Counter(e["structure_id"] for e in ledger["entries"]
                          if e["entry"] == "refund")
        assert spends == Counter(jobs.values()), (context, ledger["entries"])
        assert refunds == Counter(), (context, ledger["entries"])
        assert all(e["epsilon"] == pytest.approx(BUILD_EPSILON)
                   for e in ledger["entries"]), ledger["entries"]
        spent = ledger["budget"]["epsilon"]["spent"]
        assert spent == pytest.approx(sum(e["epsilon"] for e in ledger["entries"]))
        assert spent == pytest.approx(BUILD_EPSILON * N_BUILDS), context
        # and the audit log says why, for each failed structure
        events = _get(base, f"/v1/datasets/{dataset_id}/audit?limit=1000").json()["events"]
        failures = {e["details"]["structure_id"]: e["details"] for e in events
                    if e["action"] == "build_failed"}
        assert set(failures) == failed, (context, failures)
        assert all(d["refunded"] is False and d["rows_read"] is True
                   for d in failures.values()), (context, failures)


# -- 2. the API restarted mid-build ---------------------------------------------------
def test_restarting_the_api_during_a_build_loses_nothing(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    # one env for both processes: the same database and the same data key
    env = service_env(pg_url, tmp_path / "var", PRIVSIM_INPROCESS_WORKERS="1",
                      PRIVSIM_CHUNK_ROWS="250", PRIVSIM_JOB_LEASE_SECONDS="1.5",
                      PRIVSIM_JOB_HEARTBEAT_SECONDS="0.3", PRIVSIM_JOB_POLL_SECONDS="0.1")
    log = tmp_path / "server.log"
    rows = unit_ball_rows(8000, DIM, seed=3)
    points = unit_ball_rows(3, DIM, seed=4)
    with _serve(env, log) as (first, base):
        dataset_id = _dataset(base, rows, epsilon=5.0)
        earlier = _build(base, dataset_id, {"kind": "inner_product", "params": {},
                                            "privacy": {"epsilon": 1.0}})
        assert _wait_job(base, str(earlier["job_id"]), log)["status"] == "succeeded"
        earlier_id = str(earlier["structure_id"])
        earlier_values = _assert_served(base, earlier_id, "inner_product", points)

        accepted = _build(base, dataset_id, _kde(16384, 1.0))
        job_id, structure_id = str(accepted["job_id"]), str(accepted["structure_id"])
        deadline = time.monotonic() + 120
        while True:
            job = dict(_get(base, f"/v1/jobs/{job_id}").json())
            if job["status"] == "running" and 0 < job["progress"] < 0.9:
                break
            assert job["status"] in ("queued", "running"), job
            assert time.monotonic() < deadline, f"the build never started\n{_tail(log)}"
            time.sleep(0.05)
        _sigkill(first)

    (status, attempts, progress), = _db_rows(
        pg_url, "SELECT status, attempts, progress FROM jobs WHERE id = %s", job_id)
    assert (status, attempts) == ("running", 1) and 0 < progress < 1, (status, attempts)

    with _serve(env, log) as (_, base):
        # until the new in-process worker has reclaimed the job (after its lease ran
        # out) and rebuilt it, the structure is not served
        _assert_not_served(base, structure_id, points)
        job = _wait_job(base, job_id, log)
        assert job["status"] == "succeeded", job
        assert job["attempts"] == 2, job
        structure = dict(_get(base, f"/v1/structures/{structure_id}").json())
        assert structure["status"] == "ready", structure
        _assert_served(base, structure_id, "gaussian_kde", points)

        # the dataset, its rows and the earlier structure are all still there
        dataset = dict(_get(base, f"/v1/datasets/{dataset_id}").json())
        assert dataset["row_count"] == len(rows), dataset
        listed = {s["id"]: s["status"]
                  for s in _get(base, "/v1/structures").json()["structures"]}
        assert listed == {earlier_id: "ready", structure_id: "ready"}, listed
        assert _assert_served(base, earlier_id, "inner_product", points) == earlier_values

        ledger = _ledger(base, dataset_id)
        assert sorted((e["entry"], e["structure_id"], e["epsilon"])
                      for e in ledger["entries"]) == sorted(
            [("spend", earlier_id, 1.0), ("spend", structure_id, 1.0)]), ledger["entries"]
        assert ledger["budget"]["epsilon"]["spent"] == pytest.approx(2.0)


# -- 3a. the request's connection dies mid-request ------------------------------------
def test_a_connection_killed_mid_request_gives_503(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    log = tmp_path / "server.log"
    with server(service_env(pg_url, tmp_path / "var"), log) as base:
        dataset_id = _dataset(base, unit_ball_rows(100, 3), epsilon=2.0)
        before = _ledger(base, dataset_id)
        body = {"kind": "inner_product", "params": {}, "privacy": {"epsilon": 0.5}}

        with psycopg.connect(_conninfo(pg_url)) as locker, \
                psycopg.connect(_conninfo(pg_url), autocommit=True) as admin, \
                ThreadPoolExecutor(1) as pool:
            locker.execute("SELECT id FROM datasets WHERE id = %s FOR UPDATE", (dataset_id,))
            pending = pool.submit(_post, base, f"/v1/datasets/{dataset_id}/structures", body)
            # the request's transaction waits on our row lock: find its backend, kill it
            # (polled outside any transaction: pg_stat_activity is a snapshot inside one)
            deadline = time.monotonic() + 20
            while True:
                blocked = admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state = 'active' AND wait_event_type = 'Lock'").fetchall()
                if blocked:
                    break
                assert not pending.done(), pending.result().text
                assert time.monotonic() < deadline, f"the request never blocked\n{_tail(log)}"
                time.sleep(0.05)
            assert len(blocked) == 1, blocked
            assert admin.execute("SELECT pg_terminate_backend(%s)",
                                 (blocked[0][0],)).fetchone() == (True,)
            response = pending.result(timeout=20)
            locker.rollback()  # releases the lock

        _assert_problem_503(response)
        # nothing was changed: no spend, no structure, no job
        assert _ledger(base, dataset_id) == before
        assert not [s for s in _get(base, "/v1/structures").json()["structures"]
                    if s["dataset_id"] == dataset_id]
        assert _db_rows(pg_url, "SELECT count(*) FROM jobs") == [(0,)]
        assert _db_rows(pg_url, "SELECT count(*) FROM structures") == [(0,)]

        # and the service carries on: the same request now succeeds, charged once
        accepted = _build(base, dataset_id, body)
        ledger = _ledger(base, dataset_id)
        assert [(e["entry"], e["structure_id"]) for e in ledger["entries"]] == [
            ("spend", accepted["structure_id"])]
        assert ledger["budget"]["epsilon"]["spent"] == pytest.approx(0.5)


# -- 3b. the database goes away entirely ----------------------------------------------
class TcpProxy:
    """Forwards a local port to PostgreSQL; ``stop()`` refuses new connections and cuts
    the open ones, as if the database host went away; ``start()`` brings it back."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
            listener.close()
        with self._lock:
            sockets, self._open = list(self._open), set()
        for sock in sockets:
            self._close(sock)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # stopped meanwhile
                    self._close(client)
                    self._close(upstream)
                    return
                self._open |= {client, upstream}
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open -= {src, dst}
            self._close(src)
            self._close(dst)

    @staticmethod
    def _close(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


@pytest.fixture
def proxied_pg_url(pg_url: str) -> Iterator[tuple[str, TcpProxy]]:
    upstream = make_url(pg_url)
    proxy = TcpProxy((upstream.host or "127.0.0.1", upstream.port or 5432))
    proxy.start()
    try:
        yield upstream.set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False), proxy
    finally:
        proxy.stop()


def test_the_database_going_away_gives_503(proxied_pg_url: tuple[str, TcpProxy],
                                           pg_url: str, tmp_path: Path) -> None:
    url, proxy = proxied_pg_url
    upgrade(pg_url)
    log = tmp_path / "server.log"
    with server(service_env(url, tmp_path / "var"), log) as base:
        dataset_id = _dataset(base, unit_ball_rows(100, 3), epsilon=2.0)
        body = {"kind": "inner_product", "params": {}, "privacy": {"epsilon": 0.5}}
        before = _ledger(base, dataset_id)
        assert before["entries"] == []

        proxy.stop()
        start = time.monotonic()
        ready = httpx.get(f"{base}/readyz", timeout=30)
        _assert_problem_503(ready, retry_after=False)
        _assert_problem_503(_get(base, f"/v1/datasets/{dataset_id}"))
        _assert_problem_503(_get(base, "/v1/structures"))
        _assert_problem_503(_post(base, f"/v1/datasets/{dataset_id}/structures", body))
        assert httpx.get(f"{base}/healthz", timeout=5).json() == {"status": "ok"}
        assert time.monotonic() - start < 30, "requests hung while the database was away"
        # nothing was written meanwhile: the database itself shows no partial spend
        assert _db_rows(pg_url, "SELECT count(*) FROM ledger_entries") == [(0,)]
        assert _db_rows(pg_url, "SELECT epsilon_spent FROM datasets") == [(0,)]

        proxy.start()
        assert httpx.get(f"{base}/readyz", timeout=30).status_code == 200
        assert _get(base, f"/v1/datasets/{dataset_id}").status_code == 200
        assert _ledger(base, dataset_id) == before
        accepted = _build(base, dataset_id, body)
        ledger = _ledger(base, dataset_id)
        assert [(e["entry"], e["structure_id"]) for e in ledger["entries"]] == [
            ("spend", accepted["structure_id"])]
        assert ledger["budget"]["epsilon"]["spent"] == pytest.approx(0.5)
    assert "Exception in ASGI application" not in log.read_text(errors="replace")
