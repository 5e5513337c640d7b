"""Open endpoints: liveness, readiness (the database answers) and Prometheus metrics
(open, or for admin keys only with ``PRIVSIM_METRICS_ACCESS=admin``). They reveal
nothing about any dataset."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.api.deps import StateDep
from app.db.models import Role
from app.errors import ServiceUnavailable
from app.services.access import authenticate, require_role

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


_bearer = HTTPBearer(auto_error=False)


@router.get("/metrics")
async def metrics(
    state: StateDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Response:
    if state.settings.metrics_access == "admin":
        token = credentials.credentials if credentials is not None else None
        principal = await run_in_threadpool(authenticate, state.uow, token)
        require_role(principal, Role.ADMIN)
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
