from __future__ import annotations

from functools import partial
from typing import Annotated
from uuid import UUID

import anyio
from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from app.api.deps import PrincipalDep, SettingsDep, StateDep, UoWDep
from app.api.routes import V1
from app.api.schemas.common import PROBLEM
from app.api.schemas.datasets import (
    AuditEventRead,
    AuditRead,
    BudgetRead,
    DatasetCreate,
    DatasetRead,
    GrantCreate,
    GrantRead,
    LedgerEntryRead,
    LedgerRead,
    RowsAccepted,
    RowsPurged,
)
from app.api.strict_json import StrictJSONRoute
from app.services import audit, datasets, ingest, rows
from app.services.access import manages
from app.services.datasets import NewDataset

MAX_EVENT_ID = 2**63 - 1  # event ids are signed 64-bit integers in every database

router = APIRouter(prefix=f"{V1}/datasets", tags=["datasets"], route_class=StrictJSONRoute,
                   responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 422: PROBLEM})


@router.post("", status_code=201, response_model=DatasetRead)
def create_dataset(body: DatasetCreate, uow: UoWDep, settings: SettingsDep,
                   principal: PrincipalDep) -> DatasetRead:
    row = datasets.create_dataset(uow, principal, NewDataset(
        name=body.name, dim=body.dim, domain=body.domain.model_dump(),
        neighbouring=body.neighbouring, on_out_of_domain=body.on_out_of_domain,
        labelled=body.labelled, epsilon=body.budget.epsilon, delta=body.budget.delta,
        accounting=body.accounting),
        max_epsilon=settings.max_budget_epsilon, max_delta=settings.max_budget_delta)
    return DatasetRead.of(row, show_rows=True)


@router.get("", response_model=list[DatasetRead])
def list_datasets(uow: UoWDep, principal: PrincipalDep) -> list[DatasetRead]:
    return [DatasetRead.of(row, show_rows=manages(principal, row))
            for row in datasets.list_datasets(uow, principal)]


@router.get("/{dataset_id}", response_model=DatasetRead)
def get_dataset(dataset_id: UUID, uow: UoWDep, principal: PrincipalDep) -> DatasetRead:
    row = datasets.get_dataset(uow, principal, dataset_id)
    return DatasetRead.of(row, show_rows=manages(principal, row))


@router.delete("/{dataset_id}", status_code=204)
def delete_dataset(dataset_id: UUID, uow: UoWDep, principal: PrincipalDep) -> Response:
    datasets.delete_dataset(uow, principal, dataset_id)
    return Response(status_code=204)


@router.post("/{dataset_id}/grants", status_code=201, response_model=GrantRead)
def grant(dataset_id: UUID, body: GrantCreate, uow: UoWDep,
          principal: PrincipalDep) -> GrantRead:
    created = datasets.grant(uow, principal, dataset_id, body.key_id)
    return GrantRead(dataset_id=dataset_id, key_id=body.key_id, created=created)


@router.get("/{dataset_id}/ledger", response_model=LedgerRead)
def get_ledger(dataset_id: UUID, uow: UoWDep, principal: PrincipalDep) -> LedgerRead:
    row, entries = datasets.ledger(uow, principal, dataset_id)
    return LedgerRead(dataset_id=row.id, budget=BudgetRead.of(row),
                      entries=[LedgerEntryRead.of(e) for e in entries])


@router.get("/{dataset_id}/audit", response_model=AuditRead)
def get_audit(dataset_id: UUID, uow: UoWDep, principal: PrincipalDep,
              after: Annotated[int, Query(ge=0, le=MAX_EVENT_ID)] = 0,
              limit: Annotated[int, Query(ge=1, le=1000)] = 1000) -> AuditRead:
    """Who did what to the dataset, oldest first: creation, uploads, purges, builds,
    grants, queries and exports (counts, never contents), deletion. Kept after the
    dataset is deleted."""
    rows = audit.events(uow, principal, dataset_id, after=after, limit=limit)
    return AuditRead(dataset_id=dataset_id, events=[AuditEventRead.of(r) for r in rows],
                     next_after=rows[-1].id if len(rows) == limit else None)


_ROWS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {
                "type": "object", "required": ["rows"], "additionalProperties": False,
                "properties": {
                    "rows": {"type": "array", "items": {"type": "array",
                                                        "items": {"type": "number"}}},
                    "labels": {"type": "array", "items": {"type": "integer"}}}}},
            "application/x-npy": {"schema": {"type": "string", "format": "binary"}},
            "application/vnd.apache.parquet": {"schema": {"type": "string",
                                                          "format": "binary"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


@router.post("/{dataset_id}/rows", response_model=RowsAccepted, openapi_extra=_ROWS_BODY,
             responses={409: PROBLEM, 413: PROBLEM, 415: PROBLEM})
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
    body = await request.body()
    limits = ingest.UploadLimits(settings.max_upload_rows, settings.max_upload_decoded_bytes)
    parse = partial(ingest.parse_rows, body, request.headers.get("content-type"),
                    dim=dataset.dim, labelled=dataset.labelled, limits=limits)
    parsed = await anyio.to_thread.run_sync(parse, limiter=state.compute)
    result = await run_in_threadpool(rows.append_rows, uow, principal, dataset_id, parsed,
                                     cipher=state.cipher, chunk_rows=state.settings.chunk_rows)
    return RowsAccepted(accepted=result.accepted, clipped=result.clipped,
                        rejected=result.rejected)


@router.delete("/{dataset_id}/rows", response_model=RowsPurged)
def purge_rows(dataset_id: UUID, uow: UoWDep, principal: PrincipalDep) -> RowsPurged:
    return RowsPurged(purged=rows.purge_rows(uow, principal, dataset_id))
