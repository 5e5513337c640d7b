"""The application factory: ``create_app(settings)`` wires everything, once.

    uvicorn --factory app.main:create_app

The lifespan opens the database, makes sure the bootstrap admin key exists and starts
the in-process build workers (``PRIVSIM_INPROCESS_WORKERS``; 0 when separate
``privsim worker`` processes run).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.api import console
from app.api.fast_lane import QueryFastLane
from app.api.limits_doc import install_limits_doc
from app.api.middleware import BodyLimitMiddleware, RequestContextMiddleware
from app.api.responses import operation_id
from app.api.routes import (
    datasets,
    diagnostics,
    health,
    jobs,
    kernels,
    keys,
    models,
    solvers,
    structures,
)
from app.bootstrap import build_api
from app.errors import install_error_handlers
from app.logging import configure_logging
from app.settings import Settings, get_settings

logger = logging.getLogger(__name__)


def freeze_startup_objects() -> None:
    """Collect once, then move every object alive at start-up (modules, the app, its
    caches: about 250,000 of them) out of the cyclic GC's reach (``gc.freeze``).

    Under load a request leaves a few objects alive for a while (audit events until
    their flush, cache entries), so every few tens of thousands of requests the oldest
    generation is collected: with the start-up objects in it, one collection took 170
    to 250 ms, a pause of the event loop and about 8 us a request over time; frozen,
    1 to 2 us a request (``bench.perf_asgi`` with ``gc.callbacks`` timing, 25,000
    requests). Frozen objects are still freed by reference counting; only cyclic
    garbage made of them would stay, and start-up leaves none (collected first)."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_format, settings.log_level)
    runtime = build_api(settings)  # app.bootstrap: the one place that wires things

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        runtime.start()
        if settings.gc_freeze:
            freeze_startup_objects()
        logger.info("privsim ready", extra={
            "inprocess_workers": len(runtime.workers.workers),
            "database": runtime.database.engine.dialect.name})
        try:
            yield
        finally:
            runtime.stop()
            if runtime.state.limiter is not None:  # its Redis connections, if any
                await runtime.state.limiter.aclose()

    app = FastAPI(
        title="privsim",
        version="0.1.0",
        summary="Differentially private similarity and density structures over private data",
        lifespan=lifespan,
        # no trailing-slash redirects: a Location built from the request's Host header
        # could send a client (and its key) elsewhere; a wrong path is simply a 404
        redirect_slashes=False,
        # operation ids are the route functions' names (create_structure)
        generate_unique_id_function=operation_id,
    )
    app.state.privsim = runtime.state
    install_error_handlers(app)
    install_limits_doc(app, settings)  # the configured limits, in /openapi.json
    for module in (keys, datasets, structures, jobs, kernels, health, models, diagnostics,
                   solvers):
        app.include_router(module.router)
    app.include_router(console.router)  # /console: the web page, not in the schema
    app.add_middleware(QueryFastLane)  # innermost: inside the body limit and the context
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware, metrics=runtime.state.metrics)
    return app
