"""The application factory: ``create_app(settings)`` wires everything, once.

    uvicorn --factory app.main:create_app

The lifespan opens the database, makes sure the bootstrap admin key exists and starts
the in-process build workers (``PRIVSIM_INPROCESS_WORKERS``; 0 when separate
``privsim worker`` processes run).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI

from app.api.deps import AppState
from app.api.middleware import BodyLimitMiddleware, RequestContextMiddleware
from app.api.routes import datasets, health, jobs, keys, structures
from app.crypto import RowCipher, load_data_key
from app.db.migrate import check_at_head
from app.db.session import create_db_engine, create_session_factory
from app.db.uow import UnitOfWork
from app.errors import install_error_handlers
from app.logging import configure_logging
from app.metrics import Metrics
from app.services.access import ensure_bootstrap_admin
from app.services.structures import ReleaseCache
from app.settings import Settings, get_settings
from app.workers.worker import Worker, WorkerConfig
from gpu.backend import select_backend

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_format, settings.log_level)
    engine = create_db_engine(settings.resolved_database_url, pool_size=settings.db_pool_size,
                              max_overflow=settings.db_max_overflow)
    uow = UnitOfWork(create_session_factory(engine))
    cipher = RowCipher(load_data_key(settings))
    metrics = Metrics()
    state = AppState(settings=settings, uow=uow, cipher=cipher,
                     cache=ReleaseCache(settings.structure_cache_size), metrics=metrics,
                     compute=anyio.CapacityLimiter(settings.query_concurrency))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        check_at_head(engine)
        if settings.bootstrap_admin_key is not None:
            ensure_bootstrap_admin(uow, settings.bootstrap_admin_key.get_secret_value())
        workers, threads = [], []
        if settings.inprocess_workers:
            backend = select_backend(settings.backend)
            for i in range(settings.inprocess_workers):
                worker = Worker(uow, cipher, WorkerConfig.from_settings(settings),
                                backend=backend)
                thread = threading.Thread(target=worker.run, name=f"worker-{i}", daemon=True)
                thread.start()
                workers.append(worker)
                threads.append(thread)
        logger.info("privsim ready", extra={"inprocess_workers": len(workers),
                                            "database": engine.dialect.name})
        try:
            yield
        finally:
            for worker in workers:
                worker.stop_event.set()
            for thread in threads:
                thread.join(timeout=30)
            engine.dispose()

    app = FastAPI(
        title="privsim",
        version="0.1.0",
        summary="Differentially private similarity and density structures over private data",
        lifespan=lifespan,
        # no trailing-slash redirects: a Location built from the request's Host header
        # could send a client (and its key) elsewhere; a wrong path is simply a 404
        redirect_slashes=False,
    )
    app.state.privsim = state
    install_error_handlers(app)
    for module in (keys, datasets, structures, jobs, health):
        app.include_router(module.router)
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    return app
