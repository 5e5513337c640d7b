"""Open endpoints: liveness, readiness (the database answers) and Prometheus metrics
(open, or for admin keys only with ``PRIVSIM_METRICS_ACCESS=admin``). They reveal
nothing about any dataset."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.api.deps import StateDep
from app.api.responses import example, problems
from app.domain import Role
from app.errors import Forbidden, ServiceUnavailable, Unauthorized
from app.services.access import authenticate, require_role
from app.services.health import check_database

router = APIRouter(tags=["health"])


@router.get("/healthz", responses=example({"status": "ok"}))
def healthz() -> dict[str, str]:
    """Liveness: the process answers. Needs no key and touches nothing."""
    return {"status": "ok"}


@router.get("/readyz", responses=example({"status": "ready"}) | problems(ServiceUnavailable))
def readyz(state: StateDep) -> dict[str, str]:
    """Readiness: the database answers (503 otherwise). Needs no key."""
    check_database(state.uow)
    return {"status": "ready"}


_bearer = HTTPBearer(auto_error=False)


@router.get("/metrics", response_class=Response, responses=example(
    "# HELP privsim_http_requests_total HTTP requests\n"
    "# TYPE privsim_http_requests_total counter\n",
    media_type=CONTENT_TYPE_LATEST, description="Prometheus text exposition format")
    | problems(Unauthorized, Forbidden, ServiceUnavailable))
async def metrics(
    state: StateDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Response:
    """Prometheus metrics: request counts and latencies by route template, builds and
    query points. Open by default; admin keys only with ``PRIVSIM_METRICS_ACCESS=admin``
    (401, 403 otherwise). They reveal nothing about any dataset."""
    if state.settings.metrics_access == "admin":
        token = credentials.credentials if credentials is not None else None
        principal = await run_in_threadpool(authenticate, state.uow, token)
        require_role(principal, Role.ADMIN)
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
