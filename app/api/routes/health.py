"""Open endpoints: liveness, readiness (the database answers) and Prometheus metrics.
They reveal nothing about any dataset."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.api.deps import StateDep
from app.errors import ServiceUnavailable

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(state: StateDep) -> dict[str, str]:
    try:
        with state.uow() as tx:
            tx.session.execute(text("SELECT 1"))
    except DBAPIError as exc:
        raise ServiceUnavailable("the database is not reachable",
                                 headers={"Retry-After": "5"}) from exc
    return {"status": "ready"}


@router.get("/metrics")
def metrics(state: StateDep) -> Response:
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
