from __future__ import annotations

import io
from typing import Annotated, Literal
from uuid import UUID

import numpy as np
from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.api.deps import PrincipalDep, StateDep, UoWDep
from app.api.routes import V1
from app.api.schemas.common import PROBLEM
from app.api.schemas.structures import (
    EstimateOut,
    PrivacyRead,
    QueryIn,
    QueryOut,
    StructureAccepted,
    StructureCreate,
    StructureRead,
)
from app.errors import InvalidInput, NotAcceptable, UnsupportedMediaType
from app.services import datasets, structures
from app.services.access import manages
from app.services.ingest import JSON_TYPES, NPY_TYPES, media_type
from core.structures.base import QueryResult

router = APIRouter(prefix=V1, tags=["structures"],
                   responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 422: PROBLEM})

NPY = "application/x-npy"
RELEASE_MEDIA_TYPE = "application/vnd.privsim.release"


@router.post("/datasets/{dataset_id}/structures", status_code=202,
             response_model=StructureAccepted, responses={409: PROBLEM})
def create_structure(dataset_id: UUID, body: StructureCreate, uow: UoWDep, state: StateDep,
                     principal: PrincipalDep) -> StructureAccepted:
    """Reserve the budget and enqueue the build, in one transaction."""
    accepted = structures.request_build(uow, principal, dataset_id, _build_request(body),
                                        max_bytes=state.settings.max_structure_bytes)
    state.metrics.builds_requested.labels(kind=accepted.structure.kind).inc()
    return StructureAccepted(
        structure_id=accepted.structure.id, job_id=accepted.job.id,
        status_url=f"/v1/structures/{accepted.structure.id}",
        job_url=f"/v1/jobs/{accepted.job.id}", warnings=accepted.warnings)


def _build_request(body: StructureCreate) -> structures.BuildRequest:
    return structures.BuildRequest(kind=body.kind, params=body.params,
                                   epsilon=body.privacy.epsilon, delta=body.privacy.delta)


@router.post("/datasets/{dataset_id}/structures:estimate", response_model=EstimateOut)
def estimate_structure(dataset_id: UUID, body: StructureCreate, uow: UoWDep, state: StateDep,
                       principal: PrincipalDep) -> EstimateOut:
    """The expected error and the budget a build would spend, without spending anything."""
    result = structures.estimate_build(uow, principal, dataset_id, _build_request(body),
                                       max_bytes=state.settings.max_structure_bytes)
    fixed = result.fixed
    plan = fixed.plan.to_dict()
    spend = {"epsilon": float(fixed.charge.epsilon_value),
             "delta": float(fixed.charge.delta_value)}
    if fixed.spec.mechanism == "gaussian":
        spend["rho"] = fixed.plan.rho
    return EstimateOut(
        kind=fixed.spec.kind, params=fixed.spec.public_params(),
        privacy=PrivacyRead(epsilon=spend["epsilon"], delta=spend["delta"],
                            mechanism=str(plan["mechanism"]),
                            statistics=list(plan["statistics"])),  # type: ignore[call-overload]
        spend=spend, affordable=result.affordable, remaining=result.remaining,
        error=fixed.estimate.to_dict(), minimum_rows=result.minimum_rows,
        size_bytes=fixed.spec.release_bytes(), warnings=fixed.warnings)


# Build times are exact only for those who manage the dataset (its owner, admins); an
# analyst, or another owner's key granted the dataset, sees them to the minute.
@router.get("/structures", response_model=list[StructureRead])
def list_structures(uow: UoWDep, principal: PrincipalDep) -> list[StructureRead]:
    rows = structures.list_structures(uow, principal)
    managed = {d.id for d in datasets.list_datasets(uow, principal) if manages(principal, d)}
    return [StructureRead.of(row, None, exact_times=row.dataset_id in managed)
            for row in rows]


@router.get("/structures/{structure_id}", response_model=StructureRead)
def get_structure(structure_id: UUID, uow: UoWDep, principal: PrincipalDep) -> StructureRead:
    row, job = structures.get_structure(uow, principal, structure_id)
    dataset = datasets.get_dataset(uow, principal, row.dataset_id)
    return StructureRead.of(row, job, exact_times=manages(principal, dataset))


_QUERY_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": QueryIn.model_json_schema()},
            NPY: {"schema": {"type": "string", "format": "binary",
                             "description": "a (q, dim) float array; reduce as a query "
                                            "parameter"}},
        },
    }
}


@router.post("/structures/{structure_id}/query", response_model=QueryOut,
             openapi_extra=_QUERY_BODY,
             responses={200: {"content": {NPY: {}}}, 406: PROBLEM, 409: PROBLEM,
                        413: PROBLEM, 415: PROBLEM})
async def query_structure(
    structure_id: UUID, request: Request, state: StateDep, principal: PrincipalDep,
    reduce: Annotated[Literal["sum", "mean"] | None, Query()] = None,
) -> Response | QueryOut:
    """Answer F(y) = sum_x f(x, y) (or the mean) for a batch of points. JSON in and out,
    or ``application/x-npy`` in and/or out (``Accept: application/x-npy`` returns a
    (q, 3) float64 array: value, std, approximation_std)."""
    accept = request.headers.get("accept", "")
    wants_npy = NPY in accept
    if accept and not wants_npy and not any(t in accept for t in ("json", "*/*")):
        raise NotAcceptable("answers are available as application/json or application/x-npy")
    body = await request.body()
    kind = media_type(request.headers.get("content-type"))
    if kind in JSON_TYPES:
        try:
            parsed = QueryIn.model_validate_json(body)
        except ValidationError as exc:
            raise RequestValidationError(
                [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from exc
        given_in_body = "reduce" in parsed.model_fields_set
        if reduce is not None and given_in_body and reduce != parsed.reduce:
            raise InvalidInput("reduce is given twice, with different values")
        reduce_to = parsed.reduce if given_in_body or reduce is None else reduce
        points = _matrix(parsed.points)
    elif kind in NPY_TYPES:
        reduce_to = reduce or "sum"
        points = _npy_points(body)
    else:
        raise UnsupportedMediaType("send points as application/json or application/x-npy")
    result: QueryResult = await run_in_threadpool(
        structures.query, state.uow, principal, structure_id, points, reduce_to,
        cache=state.cache, max_points=state.settings.max_query_points)
    state.metrics.query_points.inc(points.shape[0])
    if wants_npy:
        buffer = io.BytesIO()
        np.save(buffer, np.column_stack([result.values, result.std, result.approximation_std]))
        return Response(buffer.getvalue(), media_type=NPY)
    return QueryOut(reduce=reduce_to, values=result.values.tolist(), std=result.std.tolist(),
                    approximation_std=result.approximation_std.tolist())


def _matrix(points: list[list[float]]) -> np.ndarray:
    width = len(points[0])
    if any(len(p) != width for p in points):
        raise InvalidInput("points are ragged: every point must have the same length")
    return np.asarray(points, dtype=np.float64)


def _npy_points(body: bytes) -> np.ndarray:
    if not body:
        raise InvalidInput("the body is empty")
    try:
        arr = np.load(io.BytesIO(body), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise InvalidInput("the body is not a valid .npy array (pickles are refused)") from exc
    if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "iuf":
        raise InvalidInput("the .npy array must be of a numeric dtype")
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise InvalidInput("points must be a non-empty (q, dim) array")
    return arr.astype(np.float64, copy=False)


@router.get("/structures/{structure_id}/export",
            responses={200: {"content": {RELEASE_MEDIA_TYPE: {}}}, 409: PROBLEM})
def export_structure(structure_id: UUID, uow: UoWDep, principal: PrincipalDep) -> Response:
    """The DP release as a file; load it offline with ``core.structures.load_release``."""
    row, blob = structures.export(uow, principal, structure_id)
    return Response(blob, media_type=RELEASE_MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{row.kind}-{row.id}.privsim"'})
