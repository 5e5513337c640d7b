"""Distributed builds on a Dask ``LocalCluster`` of two worker processes, on the real
PostgreSQL both the owner and the Dask workers read: the exact statistics equal the
single-process ones, a Dask worker killed mid-build is survived with one charge, a
scheduler lost mid-build (closed, or its process killed) requeues the job within a
bounded wait and the job is built once on a fresh cluster under the same charge, an
unreachable cluster requeues the job, a cluster with another data key fails the build
before any row is read and refunds it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import dask.config
import numpy as np
import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url

from app.bootstrap import dask_row_reader
from app.crypto import load_data_key
from app.main import create_app
from app.services.rows import iter_chunks
from app.settings import Settings
from app.workers import worker as worker_module
from app.workers.distributed import ClusterUnavailable, DaskBuilds, key_check
from app.workers.worker import Worker, WorkerConfig
from core.domain import L2Ball
from core.structures import DataSpec, parse_spec
from core.structures.base import exact_totals
from tests.conftest import PG_ADMIN_URL, _pg_admin_conninfo, make_settings, migrate
from tests.helpers import ADMIN, Api, unit_ball_rows
from tests.integration.dask_readers import (
    KILL_MARKER,
    READING_MARKER,
    dying_reader,
    slow_reader,
)

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.integration

DIM, ROWS, CHUNK_ROWS = 8, 3000, 250  # 12 chunks
ROOT = Path(__file__).resolve().parents[2]
LOSS_NOTICED_SECONDS = 20.0  # the owner must give the job back within this of the loss
KINDS = {"gaussian_kde": {"bandwidth": 0.5, "features": 128}, "l1_distance": {}}


@pytest.fixture(scope="module")
def database(postgres_available: None) -> Iterator[str]:
    """One PostgreSQL database for the module (the cluster's workers are started once,
    with its URL in their environment)."""
    name = f"privsim_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield make_url(PG_ADMIN_URL).set(database=name, drivername="postgresql+psycopg") \
        .render_as_string(hide_password=False)
    with psycopg.connect(_pg_admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def settings(database: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(database, tmp_path_factory.mktemp("var"), chunk_rows=CHUNK_ROWS)


@pytest.fixture(scope="module")
def marker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dask") / "killed"


def worker_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The service's settings, as a Dask worker on another machine would have them."""
    assert settings.data_key is not None
    return {"PRIVSIM_DATABASE_URL": settings.resolved_database_url,
            "PRIVSIM_DATA_KEY": settings.data_key.get_secret_value(),
            "PRIVSIM_ENVIRONMENT": "test", "PRIVSIM_BACKEND": "cpu",
            "PRIVSIM_VAR_DIR": str(settings.var_dir), **extra}


@pytest.fixture(scope="module")
def cluster(settings: Settings, marker: Path) -> Iterator[Any]:
    """Two Dask worker processes of one thread each, with the service's settings in
    their environment (as `dask worker` would be started on other machines)."""
    env = worker_env(settings, **{KILL_MARKER: str(marker)})
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None, env=env) as local:
        yield local


@dataclass
class DoomedCluster:
    """A cluster of its own for one test, whose scheduler ``lose`` takes away; its
    workers read slowly and create ``reading`` when a chunk task starts."""

    address: str
    reading: Path
    lose: Callable[[], None]


def local_doomed(env: dict[str, str], reading: Path) -> Iterator[DoomedCluster]:
    """A LocalCluster whose scheduler is closed (its workers are closed with it). Its
    scheduler's HTTP server takes any free port: the module's cluster holds the default."""
    local = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                     dashboard_address=":0", env=env)
    try:
        yield DoomedCluster(local.scheduler_address, reading,
                            lambda: local.sync(local.scheduler.close))
    finally:  # closing asks the closed scheduler to stop: no need to try for 30 s
        with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
            local.close()


def process_doomed(env: dict[str, str], reading: Path,
                   directory: Path) -> Iterator[DoomedCluster]:
    """`dask scheduler` and `dask worker` processes, as on separate machines; the
    scheduler's process is killed (SIGKILL: no goodbye to the clients or workers)."""
    scheduler_file = directory / "scheduler.json"
    env = os.environ | env | {"PYTHONPATH": str(ROOT)}
    quiet: dict[str, Any] = {"cwd": ROOT, "env": env, "stdout": subprocess.DEVNULL,
                             "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
         "--port", "0", "--no-dashboard", "--scheduler-file", str(scheduler_file)], **quiet)
    workers = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file",
         str(scheduler_file), "--nworkers", "2", "--nthreads", "1", "--no-dashboard",
         "--death-timeout", "60"], **quiet)
    try:
        deadline = time.monotonic() + 30
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        with distributed.Client(address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=30)
        yield DoomedCluster(address, reading,
                            lambda: os.kill(scheduler.pid, signal.SIGKILL))
    finally:
        for process in (workers, scheduler):
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(params=["closed", "killed"])
def doomed(request: pytest.FixtureRequest, settings: Settings,
           tmp_path: Path) -> Iterator[DoomedCluster]:
    reading = tmp_path / "reading"
    env = worker_env(settings, **{READING_MARKER: str(reading)})
    if request.param == "closed":
        yield from local_doomed(env, reading)
    else:
        yield from process_doomed(env, reading, tmp_path)


@pytest.fixture(scope="module")
def api(settings: Settings, migrated_sqlite: Path) -> Iterator[Api]:
    migrate(settings.resolved_database_url, migrated_sqlite)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Api(client)


def cluster_builds(api: Api, address: str, reader: Any = dask_row_reader,
                   key: bytes | None = None, **options: Any) -> DaskBuilds:
    own = load_data_key(api.state.settings)
    return DaskBuilds(address, reader, key_check(own if key is None else key), **options)


def owner(api: Api, cluster: DaskBuilds) -> Worker:
    return Worker(api.state.uow, api.state.cipher,
                  WorkerConfig.from_settings(api.state.settings), cluster=cluster)


def uploaded(api: Api, seed: int = 0) -> str:
    dataset_id = api.dataset(ADMIN, dim=DIM, epsilon=10.0)
    api.upload(ADMIN, dataset_id, unit_ball_rows(ROWS, DIM, seed=seed))
    return dataset_id


def seqs_of(api: Api, dataset_id: str) -> list[int]:
    with api.state.uow() as tx:
        return sorted(tx.chunks.seqs(UUID(dataset_id)))


def ledger(api: Api, dataset_id: str) -> list[tuple[str, float]]:
    body = api.c.get(f"/v1/datasets/{dataset_id}/ledger", headers=ADMIN).json()
    return [(e["entry"], e["epsilon"]) for e in body["entries"]]


def job(api: Api, accepted: dict[str, Any]) -> dict[str, Any]:
    return dict(api.c.get(accepted["job_url"], headers=ADMIN).json())


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_cluster_totals_equal_the_single_process_ones(api: Api, cluster: Any,
                                                      kind: str) -> None:
    dataset_id = uploaded(api, seed=1)
    seqs = seqs_of(api, dataset_id)
    assert len(seqs) == ROWS // CHUNK_ROWS
    spec = parse_spec(kind, KINDS[kind], DataSpec(DIM, L2Ball(1.0), "add_remove"))
    local = exact_totals(spec, spec.builder(7), iter_chunks(
        api.state.uow, UUID(dataset_id), api.state.cipher, seqs))
    builds = cluster_builds(api, cluster.scheduler_address)
    done: list[int] = []
    started: list[bool] = []
    remote = builds.totals(builds.new_build(UUID(dataset_id), spec, 7), seqs,
                           check=lambda: None, started=lambda: started.append(True),
                           progress=done.append)
    assert started == [True] and done == list(range(1, len(seqs) + 1))
    assert remote.keys() == local.keys()
    for name, values in local.items():
        assert np.any(values != 0), name
        np.testing.assert_allclose(remote[name], values, rtol=1e-12,
                                   atol=1e-12 * float(np.max(np.abs(values))))
    # the sums differ for other rows: the comparison can fail
    other = exact_totals(spec, spec.builder(7), [unit_ball_rows(ROWS, DIM, seed=2)])
    assert any(not np.allclose(other[name], local[name]) for name in local)


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, np.ndarray]]:
    """The exact totals each build's owner adds noise to."""
    kept: list[dict[str, np.ndarray]] = []
    real = worker_module.release_from_totals

    def keep(builder: Any, plan: Any, totals: Any, **kw: Any) -> Any:
        kept.append(dict(totals))
        return real(builder, plan, totals, **kw)

    monkeypatch.setattr(worker_module, "release_from_totals", keep)
    return kept


def test_a_dask_worker_killed_mid_build_is_survived_with_one_charge(
        api: Api, cluster: Any, marker: Path, seen: list[dict[str, np.ndarray]]) -> None:
    dataset_id = uploaded(api, seed=3)
    accepted = api.build(ADMIN, dataset_id, kind="l1_distance", params={}, epsilon=1.0)
    assert not marker.exists()
    worker = owner(api, cluster_builds(api, cluster.scheduler_address, dying_reader))
    assert worker.run_once()
    assert marker.exists()  # a Dask worker process killed itself mid-build
    status = job(api, accepted)
    assert status["status"] == "succeeded" and status["attempts"] == 1, status
    assert ledger(api, dataset_id) == [("spend", 1.0)]
    spec = parse_spec("l1_distance", {}, DataSpec(DIM, L2Ball(1.0), "add_remove"))
    seqs = seqs_of(api, dataset_id)
    with api.state.uow() as tx:
        structure = tx.structures.get(UUID(accepted["structure_id"]))
        assert structure is not None
        seed = int(structure.seed, 16)
    local = exact_totals(spec, spec.builder(seed), iter_chunks(
        api.state.uow, UUID(dataset_id), api.state.cipher, seqs))
    assert len(seen) == 1
    for name, values in local.items():  # recomputed chunks: the same exact statistics
        np.testing.assert_allclose(seen[0][name], values, rtol=1e-12, atol=1e-9)
    answer = api.c.post(f"/v1/structures/{accepted['structure_id']}/query", headers=ADMIN,
                        json={"points": [[0.0] * DIM], "reduce": "mean"})
    assert answer.status_code == 200, answer.text


def test_a_scheduler_lost_mid_build_requeues_the_job_with_one_charge(
        api: Api, cluster: Any, doomed: DoomedCluster,
        seen: list[dict[str, np.ndarray]]) -> None:
    dataset_id = uploaded(api, seed=4)
    accepted = api.build(ADMIN, dataset_id, kind="l1_distance", params={}, epsilon=1.0)
    worker = owner(api, cluster_builds(api, doomed.address, slow_reader))
    ran: list[bool] = []
    thread = threading.Thread(target=lambda: ran.append(worker.run_once()), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not doomed.reading.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert doomed.reading.exists(), "no chunk task started"
        lost_at = time.monotonic()
        doomed.lose()  # chunk tasks are running: some read, none has all the sums
        thread.join(timeout=LOSS_NOTICED_SECONDS)
        assert not thread.is_alive(), "the owner still waits on a lost scheduler"
        waited = time.monotonic() - lost_at
    finally:
        worker.stop_event.set()  # a hung owner: let it go before the test ends
        thread.join(timeout=10)
    assert ran == [True] and waited < LOSS_NOTICED_SECONDS
    status = job(api, accepted)
    assert status["status"] == "queued" and status["error"] is None, status
    assert status["attempts"] == 1, status
    assert ledger(api, dataset_id) == [("spend", 1.0)]
    assert seen == []  # no noise was added to a partial sum, so nothing was released
    structure = api.c.get(accepted["status_url"], headers=ADMIN).json()
    assert structure["status"] not in {"ready", "failed"}, structure
    query = {"points": [[0.0] * DIM], "reduce": "mean"}
    url = f"/v1/structures/{accepted['structure_id']}/query"
    assert api.c.post(url, headers=ADMIN, json=query).status_code != 200

    # the queue hands the job out again; a fresh cluster builds it under the same charge
    assert owner(api, cluster_builds(api, cluster.scheduler_address)).run_once()
    status = job(api, accepted)
    assert status["status"] == "succeeded" and status["attempts"] == 2, status
    assert ledger(api, dataset_id) == [("spend", 1.0)]
    with api.state.uow() as tx:
        stored = tx.structures.get(UUID(accepted["structure_id"]))
        assert stored is not None
        seed = int(stored.seed, 16)
    spec = parse_spec("l1_distance", {}, DataSpec(DIM, L2Ball(1.0), "add_remove"))
    local = exact_totals(spec, spec.builder(seed), iter_chunks(
        api.state.uow, UUID(dataset_id), api.state.cipher, seqs_of(api, dataset_id)))
    assert len(seen) == 1  # one release, from every chunk's sums
    for name, values in local.items():
        np.testing.assert_allclose(seen[0][name], values, rtol=1e-12, atol=1e-9)
    assert api.c.post(url, headers=ADMIN, json=query).status_code == 200


def test_an_unreachable_cluster_requeues_the_job_without_a_refund(api: Api) -> None:
    dataset_id = uploaded(api)
    accepted = api.build(ADMIN, dataset_id, epsilon=1.0)
    worker = owner(api, cluster_builds(api, "tcp://127.0.0.1:9", connect_seconds=1.0))
    assert worker.run_once()
    status = job(api, accepted)
    assert status["status"] == "queued" and status["error"] is None, status
    assert ledger(api, dataset_id) == [("spend", 1.0)]
    structure = api.c.get(accepted["status_url"], headers=ADMIN).json()
    assert structure["status"] != "failed"
    assert api.worker().run_once()  # built again later, here without a cluster
    assert job(api, accepted)["status"] == "succeeded"
    assert ledger(api, dataset_id) == [("spend", 1.0)]


def test_the_connect_wait_follows_dasks_connect_timeout(api: Api) -> None:
    builds = cluster_builds(api, "tcp://127.0.0.1:9")  # nothing listens; no own timeout
    spec = parse_spec("l1_distance", {}, DataSpec(DIM, L2Ball(1.0), "add_remove"))
    build = builds.new_build(uuid.uuid4(), spec, 7)
    started = time.monotonic()
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), \
            pytest.raises(ClusterUnavailable, match="cannot be reached"):
        builds.totals(build, [0], check=lambda: None, started=lambda: None,
                      progress=lambda done: None)
    assert time.monotonic() - started < 10  # Dask's default is 30 s


def test_an_empty_address_is_refused_at_start_up(api: Api) -> None:
    with pytest.raises(RuntimeError, match="empty"):
        cluster_builds(api, " ")


def test_a_cluster_with_another_data_key_fails_before_reading_and_refunds(
        api: Api, cluster: Any) -> None:
    dataset_id = uploaded(api)
    accepted = api.build(ADMIN, dataset_id, epsilon=1.0)
    worker = owner(api, cluster_builds(api, cluster.scheduler_address, key=b"k" * 32))
    assert worker.run_once()
    status = job(api, accepted)
    assert status["status"] == "failed" and "misconfigured" in status["error"], status
    assert ledger(api, dataset_id) == [("spend", 1.0), ("refund", -1.0)]
