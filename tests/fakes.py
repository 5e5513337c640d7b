"""In-memory storage for service tests: the repositories and unit of work of
``app.services.ports`` over dictionaries of ORM row objects (never attached to a
session). A transaction works on a deep copy of the committed state and replaces it on
``commit``, so leaving a block without committing rolls back, as with the database.

What the database would do on insert (column defaults, autoincrement ids) is done on
``add``; locks are no-ops (one thread).
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from app.db.base import Base, utcnow
from app.db.models import (
    ApiKeyRow,
    AuditEventRow,
    DatasetRow,
    JobRow,
    JobStatus,
    LedgerEntryRow,
    RowChunkRow,
    SolveDataRow,
    StructureBlobRow,
    StructureRow,
)
from app.services.ports import Cursor, TransactionPort, UnitOfWorkPort
from core.models import MODEL_KINDS

R = TypeVar("R", bound=Base)


def with_defaults(row: R) -> R:
    """Fill the columns left unset with their defaults, as an INSERT would."""
    for column in row.__table__.columns:
        if getattr(row, column.key, None) is None and column.default is not None:
            value = column.default.arg
            setattr(row, column.key, value(None) if callable(value) else value)
    return row


def _page(rows: Iterable[Any], after: Cursor | None, limit: int,
          key: Any = lambda r: r) -> list[Any]:
    ordered = sorted(rows, key=lambda r: (key(r).created_at, key(r).id))
    if after is not None:
        ordered = [r for r in ordered if (key(r).created_at, key(r).id) > after]
    return ordered[:limit]


@dataclass
class Store:
    keys: dict[UUID, ApiKeyRow] = field(default_factory=dict)
    grants: set[tuple[UUID, UUID]] = field(default_factory=set)  # (dataset, key)
    datasets: dict[UUID, DatasetRow] = field(default_factory=dict)
    chunks: dict[tuple[UUID, int], RowChunkRow] = field(default_factory=dict)
    structures: dict[UUID, StructureRow] = field(default_factory=dict)
    blobs: dict[UUID, StructureBlobRow] = field(default_factory=dict)
    jobs: dict[UUID, JobRow] = field(default_factory=dict)
    solve_data: dict[UUID, SolveDataRow] = field(default_factory=dict)
    ledger: list[LedgerEntryRow] = field(default_factory=list)
    audit: list[AuditEventRow] = field(default_factory=list)
    next_id: int = 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


class FakeKeys:
    def __init__(self, store: Store) -> None:
        self._s = store

    def add(self, row: ApiKeyRow) -> None:
        self._s.keys[row.id] = with_defaults(row)

    def get(self, key_id: UUID) -> ApiKeyRow | None:
        return self._s.keys.get(key_id)

    def get_active_by_hash(self, key_hash: str) -> ApiKeyRow | None:
        return next((k for k in self._s.keys.values()
                     if k.key_hash == key_hash and k.revoked_at is None), None)

    def exists_hash(self, key_hash: str) -> bool:
        return any(k.key_hash == key_hash for k in self._s.keys.values())

    def page(self, *, after: Cursor | None, limit: int) -> Sequence[ApiKeyRow]:
        return _page(self._s.keys.values(), after, limit)

    def granted_dataset_ids(self, key_id: UUID) -> set[UUID]:
        return {d for d, k in self._s.grants if k == key_id}


class FakeDatasets:
    def __init__(self, store: Store) -> None:
        self._s = store

    def add(self, row: DatasetRow) -> None:
        self._s.datasets[row.id] = with_defaults(row)

    def get(self, dataset_id: UUID) -> DatasetRow | None:
        row = self._s.datasets.get(dataset_id)
        return None if row is None or row.deleted_at is not None else row

    def get_including_deleted(self, dataset_id: UUID) -> DatasetRow | None:
        return self._s.datasets.get(dataset_id)

    def _visible(self, owner: UUID | None, granted: set[UUID] | None) -> list[DatasetRow]:
        live = [d for d in self._s.datasets.values() if d.deleted_at is None]
        if owner is None and granted is None:
            return live
        return [d for d in live if d.owner_key_id == owner or d.id in (granted or set())]

    def page_visible(self, *, owner: UUID | None, granted: set[UUID] | None,
                     after: Cursor | None, limit: int) -> Sequence[DatasetRow]:
        return _page(self._visible(owner, granted), after, limit)

    def get_for_update(self, dataset_id: UUID) -> DatasetRow | None:
        return self.get(dataset_id)

    def allocate_chunks(self, dataset_id: UUID, chunks: int, rows: int) -> int | None:
        row = self.get(dataset_id)
        if row is None:
            return None
        row.chunk_count += chunks
        row.row_count += rows
        return row.chunk_count - chunks

    def add_grant(self, dataset_id: UUID, key_id: UUID) -> bool:
        if (dataset_id, key_id) in self._s.grants:
            return False
        self._s.grants.add((dataset_id, key_id))
        return True

    def is_granted(self, dataset_id: UUID, key_id: UUID) -> bool:
        return (dataset_id, key_id) in self._s.grants


class FakeChunks:
    def __init__(self, store: Store) -> None:
        self._s = store

    def add(self, row: RowChunkRow) -> None:
        row.id = self._s.new_id()
        self._s.chunks[(row.dataset_id, row.seq)] = with_defaults(row)

    def seqs(self, dataset_id: UUID) -> list[int]:
        return sorted(seq for d, seq in self._s.chunks if d == dataset_id)

    def get(self, dataset_id: UUID, seq: int) -> RowChunkRow | None:
        return self._s.chunks.get((dataset_id, seq))

    def delete_for_dataset(self, dataset_id: UUID) -> int:
        doomed = [k for k in self._s.chunks if k[0] == dataset_id]
        for k in doomed:
            del self._s.chunks[k]
        return len(doomed)


class FakeStructures:
    def __init__(self, store: Store) -> None:
        self._s = store

    def add(self, row: StructureRow) -> None:
        self._s.structures[row.id] = with_defaults(row)

    def get(self, structure_id: UUID) -> StructureRow | None:
        return self._s.structures.get(structure_id)

    def page_visible(self, *, owner: UUID | None, granted: set[UUID] | None,
                     after: Cursor | None, limit: int,
                     models: bool = False) -> Sequence[tuple[StructureRow, UUID]]:
        visible = {d.id: d.owner_key_id
                   for d in FakeDatasets(self._s)._visible(owner, granted)}
        rows = [s for s in self._s.structures.values()
                if s.dataset_id in visible and (s.kind in MODEL_KINDS) == models]
        return [(s, visible[s.dataset_id]) for s in _page(rows, after, limit)]

    def get_blob(self, structure_id: UUID) -> StructureBlobRow | None:
        return self._s.blobs.get(structure_id)

    def add_blob(self, row: StructureBlobRow) -> None:
        self._s.blobs[row.structure_id] = row

    def delete_for_dataset(self, dataset_id: UUID) -> None:
        doomed = {s.id for s in self._s.structures.values() if s.dataset_id == dataset_id}
        for structure_id in doomed:
            self._s.blobs.pop(structure_id, None)
            del self._s.structures[structure_id]
        for job_id in [j.id for j in self._s.jobs.values() if j.dataset_id == dataset_id]:
            del self._s.jobs[job_id]


class FakeJobs:
    def __init__(self, store: Store) -> None:
        self._s = store

    def add(self, row: JobRow) -> None:
        self._s.jobs[row.id] = with_defaults(row)

    def get(self, job_id: UUID) -> JobRow | None:
        return self._s.jobs.get(job_id)

    def by_idempotency_key(self, requested_by: UUID, key: str) -> JobRow | None:
        return next((j for j in self._s.jobs.values()
                     if j.requested_by == requested_by and j.idempotency_key == key), None)

    def for_structure(self, structure_id: UUID) -> JobRow | None:
        jobs = [j for j in self._s.jobs.values() if j.structure_id == structure_id]
        return max(jobs, key=lambda j: j.created_at, default=None)

    def claimable(self, now: datetime,
                  kinds: Collection[str] | None = None) -> JobRow | None:
        ready = [j for j in self._s.jobs.values()
                 if (kinds is None or j.kind in kinds)
                 and (j.status == JobStatus.QUEUED
                      or (j.status == JobStatus.RUNNING and j.lease_expires_at is not None
                          and j.lease_expires_at < now))]
        return min(ready, key=lambda j: j.created_at, default=None)

    def _held(self, job_id: UUID, owner: str | None,
              statuses: tuple[str, ...] = (JobStatus.RUNNING,)) -> JobRow | None:
        job = self._s.jobs.get(job_id)
        if job is None or job.status not in statuses:
            return None
        if owner is not None and job.lease_owner != owner:
            return None
        return job

    def renew(self, job_id: UUID, owner: str, *, lease: timedelta, progress: float) -> bool:
        job = self._held(job_id, owner)
        if job is None:
            return False
        now = utcnow()
        job.lease_expires_at, job.progress, job.updated_at = now + lease, progress, now
        return True

    def release(self, job_id: UUID, owner: str) -> bool:
        job = self._held(job_id, owner)
        if job is None:
            return False
        job.status, job.lease_owner, job.lease_expires_at = JobStatus.QUEUED, None, None
        job.updated_at = utcnow()
        return True

    def finish(self, job_id: UUID, owner: str | None, status: JobStatus,
               error: str | None = None) -> bool:
        job = self._held(job_id, owner, (JobStatus.RUNNING, JobStatus.QUEUED))
        if job is None:
            return False
        now = utcnow()
        job.status, job.error, job.finished_at, job.updated_at = status, error, now, now
        job.lease_expires_at = None
        if status == JobStatus.SUCCEEDED:
            job.progress = 1.0
        return True


class FakeSolveData:
    def __init__(self, store: Store) -> None:
        self._s = store

    def add(self, row: SolveDataRow) -> None:
        self._s.solve_data[row.job_id] = with_defaults(row)

    def get(self, job_id: UUID) -> SolveDataRow | None:
        return self._s.solve_data.get(job_id)


class FakeLedger:
    def __init__(self, store: Store) -> None:
        self._s = store

    def add(self, row: LedgerEntryRow) -> None:
        row.id = self._s.new_id()
        self._s.ledger.append(with_defaults(row))

    def for_dataset(self, dataset_id: UUID, *, after: int = 0,
                    limit: int = 1000) -> Sequence[LedgerEntryRow]:
        return [e for e in self._s.ledger if e.dataset_id == dataset_id and e.id > after][:limit]

    def spend_of(self, structure_id: UUID) -> LedgerEntryRow | None:
        return next((e for e in self._s.ledger
                     if e.structure_id == structure_id and e.entry == "spend"), None)


class FakeAudit:
    def __init__(self, store: Store) -> None:
        self._s = store

    def add(self, row: AuditEventRow) -> None:
        row.id = self._s.new_id()
        self._s.audit.append(with_defaults(row))

    def for_dataset(self, dataset_id: UUID, *, after: int = 0,
                    limit: int = 1000) -> Sequence[AuditEventRow]:
        return [e for e in self._s.audit if e.dataset_id == dataset_id and e.id > after][:limit]


class FakeTransaction:
    def __init__(self, uow: FakeUnitOfWork, store: Store) -> None:
        self._uow, self.store = uow, store
        self.keys = FakeKeys(store)
        self.datasets = FakeDatasets(store)
        self.chunks = FakeChunks(store)
        self.structures = FakeStructures(store)
        self.jobs = FakeJobs(store)
        self.solve_data = FakeSolveData(store)
        self.ledger = FakeLedger(store)
        self.audit = FakeAudit(store)

    def commit(self) -> None:
        self._uow.committed = copy.deepcopy(self.store)
        self._uow.commits += 1

    def flush(self) -> None:
        pass

    def ping(self) -> None:
        if self._uow.down:
            raise self._uow.down


class FakeUnitOfWork:
    """``committed`` is the state every new transaction starts from."""

    def __init__(self) -> None:
        self.committed = Store()
        self.commits = 0
        self.down: Exception | None = None  # raised by ping(), as a database outage

    @contextmanager
    def __call__(self, *, write: bool = False) -> Iterator[FakeTransaction]:
        yield FakeTransaction(self, copy.deepcopy(self.committed))

    def record_later(self, dataset_id: UUID, key_id: UUID | None, action: str,
                     details: dict[str, Any]) -> None:
        """Written at once, as the real unit of work does without a journal."""
        with self(write=True) as tx:
            tx.audit.add(AuditEventRow(dataset_id=dataset_id, key_id=key_id, action=action,
                                       details=details))
            tx.commit()

    def flush_audit(self) -> None:
        pass  # nothing is ever pending


def _conforms(uow: FakeUnitOfWork, tx: FakeTransaction) -> tuple[UnitOfWorkPort,
                                                                 TransactionPort]:
    return uow, tx  # mypy checks the fakes against the protocols here
