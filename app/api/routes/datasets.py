from __future__ import annotations

import io
from functools import partial
from typing import Annotated
from uuid import UUID

import anyio
from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from app.api import examples as ex
from app.api.deps import (
    AfterQuery,
    AppState,
    HeavyLimit,
    LimitQuery,
    PrincipalDep,
    SettingsDep,
    StateDep,
    UoWDep,
)
from app.api.responses import AUTHENTICATED, body_examples, example, problems
from app.api.routes import V1
from app.api.schemas.datasets import (
    AuditEventRead,
    AuditRead,
    DatasetCreate,
    DatasetPage,
    DatasetRead,
    GrantCreate,
    GrantRead,
    LedgerRead,
    RowsAccepted,
    RowsPurged,
)
from app.api.strict_json import StrictJSONRoute
from app.errors import Forbidden, InvalidInput, NotFound, PayloadTooLarge, UnsupportedMediaType
from app.services import audit, datasets, ingest, rows
from app.services.access import Principal
from app.services.datasets import NewDataset
from app.services.paging import MAX_ID as MAX_EVENT_ID
from app.services.paging import MAX_PAGE

router = APIRouter(prefix=f"{V1}/datasets", tags=["datasets"], route_class=StrictJSONRoute,
                   responses=problems(*AUTHENTICATED))


@router.post("", status_code=201, response_model=DatasetRead,
             openapi_extra=body_examples({"unit_ball": ex.DATASET_CREATE}),
             responses=example(ex.DATASET_NEW, status=201)
             | problems(Forbidden, PayloadTooLarge, InvalidInput))
def create_dataset(body: DatasetCreate, uow: UoWDep, settings: SettingsDep,
                   principal: PrincipalDep) -> DatasetRead:
    """Declare a dataset (admin, owner): its dimension, the public domain its rows are
    clipped to, the neighbouring relation and the total privacy budget. It has no rows
    yet; the key that creates it owns it."""
    view = datasets.create_dataset(uow, principal, NewDataset(
        name=body.name, dim=body.dim, domain=body.domain.model_dump(),
        neighbouring=body.neighbouring, on_out_of_domain=body.on_out_of_domain,
        labelled=body.labelled, epsilon=body.budget.epsilon, delta=body.budget.delta,
        accounting=body.accounting, classes=body.classes, label_range=body.label_range),
        max_epsilon=settings.max_budget_epsilon, max_delta=settings.max_budget_delta)
    return DatasetRead.from_view(view)


@router.get("", response_model=DatasetPage,
            responses=example({"datasets": [ex.DATASET], "next_after": None})
            | problems(InvalidInput))
def list_datasets(uow: UoWDep, principal: PrincipalDep, after: AfterQuery = None,
                  limit: LimitQuery = MAX_PAGE) -> DatasetPage:
    """The datasets the key can read (all of them for admins; an owner's own and those
    granted to the key), oldest first, one page at a time; the row count only of those
    it manages."""
    page = datasets.list_datasets(uow, principal, after=after, limit=limit)
    return DatasetPage(datasets=[DatasetRead.from_view(v) for v in page.items],
                       next_after=page.next_after)


@router.get("/{dataset_id}", response_model=DatasetRead,
            responses=example(ex.DATASET) | problems(Forbidden, NotFound, InvalidInput))
def get_dataset(dataset_id: UUID, uow: UoWDep, principal: PrincipalDep) -> DatasetRead:
    """One dataset the key can read, with its budget (total, spent, remaining); the row
    count only for its owner and admins."""
    return DatasetRead.from_view(datasets.get_dataset(uow, principal, dataset_id))


@router.delete("/{dataset_id}", status_code=204,
               responses=problems(Forbidden, NotFound, InvalidInput))
def delete_dataset(dataset_id: UUID, state: StateDep, principal: PrincipalDep) -> Response:
    """Delete a dataset (admin, owner): its rows, structures and jobs go; its ledger and
    audit trail stay. Its structures answer no more queries through this process at
    once, through other API processes within ``PRIVSIM_KEY_CACHE_SECONDS``."""
    datasets.delete_dataset(state.uow, principal, dataset_id)
    state.cache.forget_access()
    return Response(status_code=204)


@router.post("/{dataset_id}/grants", status_code=201, response_model=GrantRead,
             openapi_extra=body_examples({"grant": ex.GRANT_CREATE}),
             responses=example(ex.GRANT, status=201)
             | problems(Forbidden, NotFound, PayloadTooLarge, InvalidInput))
def grant_access(dataset_id: UUID, body: GrantCreate, uow: UoWDep,
                 principal: PrincipalDep) -> GrantRead:
    """Let another key read the dataset and query its structures (admin, owner).
    ``created`` is false if the key had the grant already."""
    created = datasets.grant(uow, principal, dataset_id, body.key_id)
    return GrantRead(dataset_id=dataset_id, key_id=body.key_id, created=created)


@router.get("/{dataset_id}/ledger", response_model=LedgerRead,
            responses=example(ex.LEDGER) | problems(Forbidden, NotFound, InvalidInput))
def get_ledger(dataset_id: UUID, uow: UoWDep, principal: PrincipalDep,
               after: Annotated[int, Query(ge=0, le=MAX_EVENT_ID)] = 0,
               limit: LimitQuery = MAX_PAGE) -> LedgerRead:
    """The dataset's budget and its spends and refunds, oldest first, each with the
    mechanism and noise plan it paid for (admin, owner), one page at a time."""
    ledger = datasets.ledger(uow, principal, dataset_id, after=after, limit=limit)
    return LedgerRead.from_view(ledger)


@router.get("/{dataset_id}/audit", response_model=AuditRead,
            responses=example(ex.AUDIT) | problems(Forbidden, NotFound, InvalidInput))
def get_audit(dataset_id: UUID, uow: UoWDep, principal: PrincipalDep,
              after: Annotated[int, Query(ge=0, le=MAX_EVENT_ID)] = 0,
              limit: Annotated[int, Query(ge=1, le=1000)] = 1000) -> AuditRead:
    """Who did what to the dataset, oldest first: creation, uploads, purges, builds,
    grants, queries and exports (counts, never contents), deletion. Kept after the
    dataset is deleted."""
    events = audit.events(uow, principal, dataset_id, after=after, limit=limit)
    return AuditRead(dataset_id=dataset_id, events=[AuditEventRead.from_view(e) for e in events],
                     next_after=events[-1].id if len(events) == limit else None)


_ROWS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {
                "type": "object", "required": ["rows"], "additionalProperties": False,
                "properties": {
                    "rows": {"type": "array", "items": {"type": "array",
                                                        "items": {"type": "number"}}},
                    "labels": {"type": "array", "items": {"type": "integer"}}}},
                "examples": {"rows": {"summary": "two rows of a 3-dimensional dataset",
                                      "value": ex.ROWS}}},
            "application/x-npy": {"schema": {"type": "string", "format": "binary"}},
            "application/vnd.apache.parquet": {"schema": {"type": "string",
                                                          "format": "binary"}},
            "text/csv": {"schema": {"type": "string"},
                         "examples": {"csv": {"summary": "a header and two rows",
                                              "value": ex.ROWS_CSV}}},
        },
    }
}


@router.post("/{dataset_id}/rows", response_model=RowsAccepted, openapi_extra=_ROWS_BODY,
             dependencies=[HeavyLimit],
             responses=example(ex.ROWS_ACCEPTED)
             | problems(Forbidden, NotFound, PayloadTooLarge, UnsupportedMediaType,
                        InvalidInput))
async def upload_rows(dataset_id: UUID, request: Request, state: StateDep,
                      principal: PrincipalDep) -> RowsAccepted:
    """Append rows. JSON ``{rows, labels?}``, ``.npy`` (rows only), Parquet (numeric
    columns or one list column, plus ``label``), or CSV (optional header; the label is
    the ``label`` column, or the last column without a header; comma-separated plain
    decimal numbers). One upload may carry at most ``PRIVSIM_MAX_UPLOAD_ROWS`` rows and
    ``PRIVSIM_MAX_UPLOAD_DECODED_BYTES`` of float64 values, checked from the file's
    header or metadata before it is decoded (413 above)."""
    uow, settings = state.uow, state.settings
    dataset = await run_in_threadpool(rows.upload_target, uow, principal, dataset_id)
    limits = ingest.UploadLimits(settings.max_upload_rows, settings.max_upload_decoded_bytes)
    kind = ingest.media_type(request.headers.get("content-type"))
    if kind in ingest.NPY_TYPES:
        return await _upload_npy(request, state, principal, dataset_id, limits)
    if kind in ingest.STREAMED_TYPES:
        return await _upload_streamed(request, state, principal, dataset_id, limits)
    body = await request.body()
    parse = partial(ingest.parse_rows, body, request.headers.get("content-type"),
                    dim=dataset.dim, labelled=dataset.labelled, limits=limits,
                    label_set=dataset.label_set)
    parsed = await anyio.to_thread.run_sync(parse, limiter=state.compute)
    result = await run_in_threadpool(rows.append_rows, uow, principal, dataset_id, parsed,
                                     cipher=state.cipher, chunk_rows=state.settings.chunk_rows)
    return RowsAccepted(accepted=result.accepted, clipped=result.clipped,
                        rejected=result.rejected)


async def _upload_npy(request: Request, state: AppState, principal: Principal,
                      dataset_id: UUID, limits: ingest.UploadLimits) -> RowsAccepted:
    """A ``.npy`` body appended chunk by chunk (``rows.append_npy``): an upload costs its
    body plus a few chunks of memory, not the three or four copies of it that parsing
    the whole array would make. The body stays in memory, never on disk: it holds
    private rows in the clear."""
    body = await request.body()
    if not body:
        raise InvalidInput("the upload is empty")
    append = partial(rows.append_npy, state.uow, principal, dataset_id, io.BytesIO(body),
                     len(body), cipher=state.cipher, chunk_rows=state.settings.chunk_rows,
                     limits=limits)
    result = await anyio.to_thread.run_sync(append, limiter=state.compute)
    return RowsAccepted(accepted=result.accepted, clipped=result.clipped,
                        rejected=result.rejected)


async def _upload_streamed(request: Request, state: AppState, principal: Principal,
                           dataset_id: UUID, limits: ingest.UploadLimits) -> RowsAccepted:
    """A Parquet or CSV body appended chunk by chunk (``rows.append_upload``), read twice
    a block at a time, never parsed whole: an upload costs its body plus a few chunks of
    memory. As for ``.npy``, the body stays in memory, never on disk."""
    body = await request.body()
    append = partial(rows.append_upload, state.uow, principal, dataset_id, body,
                     request.headers.get("content-type"), cipher=state.cipher,
                     chunk_rows=state.settings.chunk_rows, limits=limits)
    result = await anyio.to_thread.run_sync(append, limiter=state.compute)
    return RowsAccepted(accepted=result.accepted, clipped=result.clipped,
                        rejected=result.rejected)


@router.delete("/{dataset_id}/rows", response_model=RowsPurged,
               responses=example(ex.ROWS_PURGED)
               | problems(Forbidden, NotFound, InvalidInput))
def purge_rows(dataset_id: UUID, uow: UoWDep, principal: PrincipalDep) -> RowsPurged:
    """Delete every raw row of the dataset (admin, owner); the structures already built
    stay (they are differentially private). ``purged``: the rows deleted."""
    return RowsPurged(purged=rows.purge_rows(uow, principal, dataset_id))
