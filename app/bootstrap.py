"""Wiring, in one place: settings -> engine -> unit of work -> cipher -> what runs.

The API (``app.main.create_app``), the CLI (``app.cli``) and the worker processes all
build what they run here, from a ``Settings``, so they share one database setup, one
data key and one worker configuration.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Literal

import anyio
from sqlalchemy import Engine

from app.api.deps import AppState
from app.api.rate_limits import RateLimiter, parse_limits
from app.crypto import RowCipher, load_data_key
from app.db.audit_journal import AuditJournal
from app.db.migrate import check_at_head
from app.db.session import create_db_engine, create_session_factory
from app.db.uow import UnitOfWork
from app.metrics import Metrics
from app.services.access import KeyCache, ensure_bootstrap_admin
from app.services.structures import ReleaseCache
from app.settings import Settings, get_settings
from app.workers.distributed import DaskBuilds, RowReader, key_check
from app.workers.worker import BUILD_KINDS, SOLVE_KINDS, JobKinds, Worker, WorkerConfig
from gpu.backend import select_backend

# connection pools: the API's from settings; a worker process needs two (its build and
# its heartbeat); a one-off tool none (a connection per use)
Pool = Literal["api", "worker", "tool"]


@dataclass
class Database:
    engine: Engine
    uow: UnitOfWork

    def check_at_head(self) -> None:
        """Refuse to run against a schema that is not migrated to head."""
        check_at_head(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(settings: Settings, *, pool: Pool = "api") -> Database:
    url = settings.resolved_database_url
    if pool == "api":
        engine = create_db_engine(url, pool_size=settings.db_pool_size,
                                  max_overflow=settings.db_max_overflow)
    elif pool == "worker":
        engine = create_db_engine(url, pool_size=2, max_overflow=2)
    else:
        engine = create_db_engine(url, pooled=False)
    return Database(engine, UnitOfWork(create_session_factory(engine)))


def cipher_of(settings: Settings) -> RowCipher:
    return RowCipher(load_data_key(settings))


def dask_row_reader() -> RowReader:
    """What a distributed build's tasks read rows with, on a Dask worker: its own
    ``PRIVSIM_*`` settings' database, data key and backend (app.workers.distributed)."""
    settings = get_settings()
    key = load_data_key(settings)
    return RowReader(open_database(settings, pool="tool").uow, RowCipher(key),
                     key_check(key), select_backend(settings.backend, settings.gpu_memory_bytes))


def build_worker(settings: Settings, uow: UnitOfWork, cipher: RowCipher, *,
                 name: str | None = None, kinds: JobKinds = None) -> Worker:
    cluster = None if settings.dask_address is None else DaskBuilds(
        settings.dask_address, dask_row_reader, key_check(load_data_key(settings)))
    return Worker(uow, cipher, WorkerConfig.from_settings(settings),
                  backend=select_backend(settings.backend, settings.gpu_memory_bytes),
                  name=name, kinds=kinds, cluster=cluster)


@dataclass
class InProcessWorkers:
    """The API process's own workers: ``PRIVSIM_INPROCESS_WORKERS`` for builds and
    ``PRIVSIM_INPROCESS_SOLVER_WORKERS`` for solves, apart so that a long solve never
    delays a build."""

    workers: list[Worker] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self, settings: Settings, uow: UnitOfWork, cipher: RowCipher) -> None:
        pools = (("worker", settings.inprocess_workers, BUILD_KINDS),
                 ("solver", settings.inprocess_solver_workers, SOLVE_KINDS))
        for label, count, kinds in pools:
            for i in range(count):
                worker = build_worker(settings, uow, cipher, kinds=kinds)
                thread = threading.Thread(target=worker.run, name=f"{label}-{i}",
                                          daemon=True)
                thread.start()
                self.workers.append(worker)
                self.threads.append(thread)

    def stop(self, timeout: float = 30) -> None:
        for worker in self.workers:
            worker.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=timeout)


@dataclass
class ApiRuntime:
    """Everything the API process runs on."""

    database: Database
    state: AppState
    workers: InProcessWorkers = field(default_factory=InProcessWorkers)

    def start(self) -> None:
        """At start-up: the schema must be at head, the bootstrap admin key must exist,
        and the in-process workers start."""
        self.database.check_at_head()
        settings = self.state.settings
        if settings.bootstrap_admin_key is not None:
            ensure_bootstrap_admin(self.database.uow,
                                   settings.bootstrap_admin_key.get_secret_value())
        if settings.audit_flush_seconds > 0:
            journal = AuditJournal(settings.var_dir / "audit", self.database.uow,
                                   flush_seconds=settings.audit_flush_seconds)
            journal.start()  # replays the journals of stopped processes first
            self.database.uow.journal = journal
        self.workers.start(settings, self.database.uow, self.state.cipher)

    def stop(self) -> None:
        self.workers.stop()
        journal, self.database.uow.journal = self.database.uow.journal, None
        if journal is not None:
            journal.close()
        self.database.dispose()


def rate_limiter(settings: Settings, metrics: Metrics) -> RateLimiter | None:
    """The API's rate limiter, or None when no limit is set (nothing is counted)."""
    per_key = parse_limits(settings.rate_limit)
    heavy = parse_limits(settings.rate_limit_heavy)
    auth_failures = parse_limits(settings.rate_limit_auth_failures)
    if not per_key and not heavy and not auth_failures:
        return None
    return RateLimiter(per_key, heavy=heavy, auth_failures=auth_failures,
                       storage_url=settings.rate_limit_storage,
                       strategy=settings.rate_limit_strategy, rejected=metrics.rate_limited)


def build_api(settings: Settings) -> ApiRuntime:
    database = open_database(settings, pool="api")
    metrics = Metrics()
    state = AppState(settings=settings, uow=database.uow, cipher=cipher_of(settings),
                     cache=ReleaseCache(settings.structure_cache_size,
                                        access_seconds=settings.key_cache_seconds),
                     metrics=metrics,
                     compute=anyio.CapacityLimiter(settings.query_concurrency),
                     keys=KeyCache(settings.key_cache_seconds),
                     limiter=rate_limiter(settings, metrics))
    return ApiRuntime(database, state)
