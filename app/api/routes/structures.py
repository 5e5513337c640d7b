from __future__ import annotations

import io
from functools import partial
from typing import Annotated, Literal
from uuid import UUID

import anyio
import numpy as np
import orjson
from fastapi import APIRouter, Header, Query, Request, Response
from numpy.typing import NDArray

from app.api import examples as ex
from app.api.deps import (
    AfterQuery,
    AppState,
    HeavyLimit,
    LimitQuery,
    PrincipalDep,
    StateDep,
    UoWDep,
)
from app.api.points import NPY, negotiate, read_points
from app.api.responses import AUTHENTICATED, body_examples, example, problems, success
from app.api.routes import V1
from app.api.schemas.expectation import ExpectationIn, ExpectationOut
from app.api.schemas.structures import (
    EstimateOut,
    PrivacyRead,
    QueryIn,
    QueryOut,
    StructureAccepted,
    StructureCreate,
    StructurePage,
    StructureRead,
    structure_examples,
)
from app.api.strict_json import StrictJSONRoute
from app.blas import one_blas_thread
from app.errors import (
    BudgetExhausted,
    BuildTooCostly,
    Conflict,
    Forbidden,
    IdempotencyKeyReused,
    InvalidInput,
    NotAcceptable,
    NotFound,
    NotReady,
    PayloadTooLarge,
    StructureTooLarge,
    UnsupportedMediaType,
)
from app.services import expectation, structures
from app.services.access import Principal
from app.services.paging import MAX_PAGE
from core.structures.base import QueryResult, Reduce

router = APIRouter(prefix=V1, tags=["structures"], route_class=StrictJSONRoute,
                   responses=problems(*AUTHENTICATED))

RELEASE_MEDIA_TYPE = "application/vnd.privsim.release"


@router.post("/datasets/{dataset_id}/structures", status_code=202,
             dependencies=[HeavyLimit],
             response_model=StructureAccepted, openapi_extra=structure_examples(),
             responses=example(ex.STRUCTURE_ACCEPTED, status=202)
             | problems(Forbidden, NotFound, Conflict, BudgetExhausted, IdempotencyKeyReused,
                        PayloadTooLarge, InvalidInput, StructureTooLarge, BuildTooCostly))
def create_structure(
    dataset_id: UUID, body: StructureCreate, uow: UoWDep, state: StateDep,
    principal: PrincipalDep, response: Response,
    idempotency_key: Annotated[str | None, Header(
        min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
        description="any unique string (a UUID, say) chosen by the client: a retry with "
        "the same key and body returns the first answer and spends nothing; the same key "
        "with another body gets 409")] = None,
) -> StructureAccepted:
    """Build a structure (admin, owner): validate the kind's parameters, fix the noise
    plan from public parameters only, reserve the budget, record the spend in the ledger
    and queue the build, in one transaction. The body's ``params`` depend on ``kind``
    (``GET /v1/kernels``). Follow ``job_url`` or ``status_url`` until the structure is
    ready."""
    accepted = structures.request_build(uow, principal, dataset_id, _build_request(body),
                                        limits=_limits(state),
                                        idempotency_key=idempotency_key)
    if accepted.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    else:
        state.metrics.builds_requested.labels(kind=accepted.kind).inc()
    return StructureAccepted(
        structure_id=accepted.structure_id, job_id=accepted.job_id,
        status_url=f"/v1/structures/{accepted.structure_id}",
        job_url=f"/v1/jobs/{accepted.job_id}", warnings=accepted.warnings)


def _limits(state: AppState) -> structures.BuildLimits:
    settings = state.settings
    return structures.BuildLimits(
        max_bytes=settings.max_structure_bytes, max_seconds=settings.max_build_seconds,
        max_memory_bytes=settings.max_build_memory_bytes, chunk_rows=settings.chunk_rows)


def _build_request(body: StructureCreate) -> structures.BuildRequest:
    return structures.BuildRequest(kind=body.kind, params=body.sent_params(),
                                   epsilon=body.privacy.epsilon, delta=body.privacy.delta)


@router.post("/datasets/{dataset_id}/structures:estimate", response_model=EstimateOut,
             openapi_extra=structure_examples(),
             responses=example(ex.ESTIMATE)
             | problems(Forbidden, NotFound, PayloadTooLarge, InvalidInput, StructureTooLarge,
                        BuildTooCostly))
def estimate_structure(dataset_id: UUID, body: StructureCreate, uow: UoWDep, state: StateDep,
                       principal: PrincipalDep) -> EstimateOut:
    """The expected error and cost of a build, and the budget it would spend, without
    writing or spending anything (admin, owner). The same body as a build; a charge
    that does not fit is ``affordable: false``, not an error."""
    result = structures.estimate_build(uow, principal, dataset_id, _build_request(body),
                                       limits=_limits(state))
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
        size_bytes=fixed.cost.release_bytes, cost=fixed.cost.to_dict(),
        warnings=fixed.warnings)


# Build times are exact only for those who manage the dataset (its owner, admins); an
# analyst, or another owner's key granted the dataset, sees them to the minute.
@router.get("/structures", response_model=StructurePage,
            responses=example({"structures": [ex.STRUCTURE | {"job_id": None}],
                               "next_after": None}) | problems(InvalidInput))
def list_structures(uow: UoWDep, principal: PrincipalDep, after: AfterQuery = None,
                    limit: LimitQuery = MAX_PAGE) -> StructurePage:
    """The structures of the live datasets the key can read, oldest first, one page at
    a time (``job_id`` is null in this list)."""
    page = structures.list_structures(uow, principal, after=after, limit=limit)
    return StructurePage(structures=[StructureRead.from_view(v) for v in page.items],
                         next_after=page.next_after)


@router.get("/structures/{structure_id}", response_model=StructureRead,
            responses=example(ex.STRUCTURE) | problems(Forbidden, NotFound, InvalidInput))
def get_structure(structure_id: UUID, uow: UoWDep, principal: PrincipalDep) -> StructureRead:
    """A structure: its kind, parameters with defaults filled in, the noise plan it was
    charged for, its status and, once ready, its error model and size."""
    return StructureRead.from_view(structures.get_structure(uow, principal, structure_id))


_QUERY_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": QueryIn.model_json_schema(),
                                 "examples": {"mean": {"summary": "two points, mean answers",
                                                       "value": ex.QUERY}}},
            NPY: {"schema": {"type": "string", "format": "binary",
                             "description": "a (q, dim) float array; reduce as a query "
                                            "parameter"}},
        },
    }
}


@router.post("/structures/{structure_id}/query", response_model=QueryOut,
             openapi_extra=_QUERY_BODY,
             responses=success({
                 "application/json": {"example": ex.QUERY_ANSWER},
                 NPY: {"schema": {"type": "string", "format": "binary",
                                  "description": "a (q, 3) float64 array: value, std, "
                                                 "approximation_std"}}})
             | problems(Forbidden, NotFound, NotAcceptable, NotReady, PayloadTooLarge,
                        UnsupportedMediaType, InvalidInput))
async def query_structure(
    structure_id: UUID, request: Request, state: StateDep, principal: PrincipalDep,
    reduce: Annotated[Literal["sum", "mean"] | None, Query()] = None,
) -> Response:
    """Answer F(y) = sum_x f(x, y) (or the mean) for a batch of points. JSON in and out,
    or ``application/x-npy`` in and/or out (``Accept: application/x-npy`` returns a
    (q, 3) float64 array: value, std, approximation_std). A request may carry at most
    ``PRIVSIM_MAX_QUERY_POINTS`` points and cost at most ``PRIVSIM_MAX_QUERY_SECONDS``
    estimated CPU seconds (points x the kind's per-point cost); larger ones get 413.
    Parsing, answering and encoding run off the event loop, at most
    ``PRIVSIM_QUERY_CONCURRENCY`` at once, except for a small batch to a structure
    this key queried in the last ``PRIVSIM_KEY_CACHE_SECONDS``, answered at once."""
    return await answer_query(state, principal, structure_id, request, reduce)


async def answer_query(state: AppState, principal: Principal, structure_id: UUID,
                       request: Request, reduce: Reduce | None) -> Response:
    """The query route's work once the key and the path are known (also the fast lane's:
    ``app.api.fast_lane``)."""
    content_type, wants_npy = negotiate(request)
    body = await request.body()
    respond = partial(_respond, state, principal, structure_id, wants_npy)
    admitted = (state.cache.admitted(principal.key_id, structure_id, False)
                if len(body) <= INLINE_BODY_BYTES else None)
    if admitted is None:
        return await anyio.to_thread.run_sync(
            lambda: respond(*_points(state, body, content_type, reduce)), limiter=state.compute)
    points, reduce_to = _points(state, body, content_type, reduce)  # small: parsed here
    if points.shape[0] * admitted[1].seconds_per_point <= INLINE_SECONDS:
        with one_blas_thread():  # app.blas: a pool costs more than such a product
            return respond(points, reduce_to)
    return await anyio.to_thread.run_sync(respond, points, reduce_to, limiter=state.compute)


# A small body (parsed on the event loop, in tens of microseconds) whose batch costs at
# most INLINE_SECONDS of CPU by the structure's own estimate, to a structure the key
# was admitted to moments ago (no database), is answered on the event loop: handing it
# to a thread and back costs about as much again, more under load, and so short a task
# does not hold up other requests.
INLINE_SECONDS = 0.001
INLINE_BODY_BYTES = 64 * 1024


def _points(state: AppState, body: bytes, content_type: str,
            reduce: Reduce | None) -> tuple[NDArray[np.float64], Reduce]:
    """The batch and the reduction it asks for (the body's, or the query parameter's;
    422 if both are given and differ)."""
    parsed, points = read_points(body, content_type, QueryIn,
                                 max_points=state.settings.max_query_points)
    if parsed is None:
        return points, reduce or "sum"
    given_in_body = "reduce" in parsed.model_fields_set
    if reduce is not None and given_in_body and reduce != parsed.reduce:
        raise InvalidInput("reduce is given twice, with different values")
    return points, parsed.reduce if given_in_body or reduce is None else reduce


def _respond(state: AppState, principal: Principal, structure_id: UUID, wants_npy: bool,
             points: NDArray[np.float64], reduce_to: Reduce) -> Response:
    settings = state.settings
    result: QueryResult = structures.query(
        state.uow, principal, structure_id, points, reduce_to, cache=state.cache,
        max_points=settings.max_query_points, max_seconds=settings.max_query_seconds)
    state.metrics.query_points.inc(points.shape[0])
    if wants_npy:
        buffer = io.BytesIO()
        np.save(buffer, np.column_stack([result.values, result.std, result.approximation_std]))
        return Response(buffer.getvalue(), media_type=NPY)
    out = {"reduce": reduce_to, **{  # QueryOut's fields; orjson takes contiguous arrays
        name: np.ascontiguousarray(getattr(result, name), dtype=np.float64)
        for name in ("values", "std", "approximation_std")}}
    return Response(orjson.dumps(out, option=orjson.OPT_SERIALIZE_NUMPY),
                    media_type="application/json")


@router.get("/structures/{structure_id}/export", response_class=Response,
            responses=success({RELEASE_MEDIA_TYPE: {"schema": {"type": "string",
                                                                "format": "binary"}}},
                              description="the release file")
            | problems(Forbidden, NotFound, NotReady, InvalidInput))
def export_structure(structure_id: UUID, uow: UoWDep, principal: PrincipalDep) -> Response:
    """The DP release as a file (any key that can read the dataset; the structure must
    be ready); load it offline with ``core.structures.load_release``. It holds noisy
    statistics, public randomness and the noise plan, nothing else."""
    release = structures.export(uow, principal, structure_id)
    filename = f"{release.kind}-{release.structure_id}.privsim"
    return Response(release.blob, media_type=RELEASE_MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


@router.post("/structures/{structure_id}/expectation", response_model=ExpectationOut,
             openapi_extra=body_examples({"four_nodes": ex.EXPECTATION}),
             responses=example(ex.EXPECTATION_ANSWER)
             | problems(Forbidden, NotFound, NotReady, PayloadTooLarge, InvalidInput))
async def structure_expectation(structure_id: UUID, body: ExpectationIn, state: StateDep,
                                principal: PrincipalDep) -> ExpectationOut:
    """The private rows' mean of a public function g, from the values of g at public
    nodes, by kernel quadrature on the structure's DP kernel mean embedding: value ~
    g(Y) . (K + lambda M I)^-1 z (a public model's loss on the private data, say).
    Post-processing of the release: nothing is spent. Kernel kinds only (422 for the
    distance and moment kinds); a request is priced like a query (413 above
    ``PRIVSIM_MAX_QUERY_SECONDS``). Method and what the std covers:
    docs/expectation.md."""
    if len({len(node) for node in body.nodes}) != 1:
        raise InvalidInput("nodes are ragged: every node must have the same length")
    if len(body.values) != len(body.nodes):
        raise InvalidInput("values must have one entry per node")
    run = partial(expectation.expectation, state.uow, principal, structure_id,
                  np.asarray(body.nodes, dtype=np.float64),
                  np.asarray(body.values, dtype=np.float64), body.ridge,
                  cache=state.cache, max_seconds=state.settings.max_query_seconds)
    return ExpectationOut.from_view(await anyio.to_thread.run_sync(run, limiter=state.compute))
