"""Every database query lives here. Repositories never commit: the unit of work does."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import TypeVarTuple
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, delete, or_, select, text, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.db.base import utcnow
from app.db.models import (
    ApiKeyRow,
    AuditEventRow,
    DatasetRow,
    GrantRow,
    JobRow,
    JobStatus,
    LedgerEntryRow,
    RowChunkRow,
    SolveDataRow,
    StructureBlobRow,
    StructureRow,
)
from core.models import MODEL_KINDS

# (created_at, id) of the last row of the previous page: lists of UUID-keyed rows are
# ordered by both, so a page boundary is exact even when rows share a timestamp
Cursor = tuple[datetime, UUID]

_Cols = TypeVarTuple("_Cols")


def _after(stmt: Select[*_Cols], created_at: InstrumentedAttribute[datetime],
           id_: InstrumentedAttribute[UUID], after: Cursor | None,
           limit: int) -> Select[*_Cols]:
    """``stmt`` ordered by (created_at, id), from just past ``after``, at most ``limit``."""
    if after is not None:
        moment, last = after
        past: ColumnElement[bool] = or_(created_at > moment,
                                        and_(created_at == moment, id_ > last))
        stmt = stmt.where(past)
    return stmt.order_by(created_at, id_).limit(limit)


def ping(session: Session) -> None:
    """One round trip to the database (readiness)."""
    session.execute(text("SELECT 1"))


class KeyRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, row: ApiKeyRow) -> None:
        self._s.add(row)

    def get(self, key_id: UUID) -> ApiKeyRow | None:
        return self._s.get(ApiKeyRow, key_id)

    def get_active_by_hash(self, key_hash: str) -> ApiKeyRow | None:
        stmt = select(ApiKeyRow).where(ApiKeyRow.key_hash == key_hash,
                                       ApiKeyRow.revoked_at.is_(None))
        return self._s.scalars(stmt).one_or_none()

    def exists_hash(self, key_hash: str) -> bool:
        stmt = select(ApiKeyRow.id).where(ApiKeyRow.key_hash == key_hash)
        return self._s.scalars(stmt).first() is not None

    def page(self, *, after: Cursor | None, limit: int) -> Sequence[ApiKeyRow]:
        """Keys (revoked ones too) in creation order, after ``after``."""
        stmt = _after(select(ApiKeyRow), ApiKeyRow.created_at, ApiKeyRow.id, after, limit)
        return self._s.scalars(stmt).all()

    def granted_dataset_ids(self, key_id: UUID) -> set[UUID]:
        stmt = select(GrantRow.dataset_id).where(GrantRow.key_id == key_id)
        return set(self._s.scalars(stmt).all())


class DatasetRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, row: DatasetRow) -> None:
        self._s.add(row)

    def get(self, dataset_id: UUID) -> DatasetRow | None:
        """A live dataset (not deleted)."""
        row = self._s.get(DatasetRow, dataset_id)
        return None if row is None or row.deleted_at is not None else row

    def get_including_deleted(self, dataset_id: UUID) -> DatasetRow | None:
        return self._s.get(DatasetRow, dataset_id)

    def page_visible(self, *, owner: UUID | None, granted: set[UUID] | None,
                     after: Cursor | None, limit: int) -> Sequence[DatasetRow]:
        """Live datasets in creation order, after ``after``: all of them (owner and
        granted None), or those owned by / granted to a key."""
        stmt = select(DatasetRow).where(DatasetRow.deleted_at.is_(None))
        if owner is not None or granted is not None:
            stmt = stmt.where(or_(DatasetRow.owner_key_id == owner,
                                  DatasetRow.id.in_(granted or set())))
        stmt = _after(stmt, DatasetRow.created_at, DatasetRow.id, after, limit)
        return self._s.scalars(stmt).all()

    def get_for_update(self, dataset_id: UUID) -> DatasetRow | None:
        """A live dataset, row-locked until the transaction ends (PostgreSQL; on SQLite
        the writing unit of work already holds the database's write lock), and freshly
        read: concurrent spends see each other's charges."""
        stmt = (select(DatasetRow)
                .where(DatasetRow.id == dataset_id, DatasetRow.deleted_at.is_(None))
                .with_for_update()
                .execution_options(populate_existing=True))
        return self._s.scalars(stmt).one_or_none()

    def allocate_chunks(self, dataset_id: UUID, chunks: int, rows: int) -> int | None:
        """Reserve ``chunks`` sequence numbers and count ``rows``; the first seq, or None
        if the dataset is gone. Atomic, so concurrent uploads never share a seq."""
        stmt = (
            update(DatasetRow)
            .where(DatasetRow.id == dataset_id, DatasetRow.deleted_at.is_(None))
            .values(chunk_count=DatasetRow.chunk_count + chunks,
                    row_count=DatasetRow.row_count + rows)
            .returning(DatasetRow.chunk_count)
            .execution_options(synchronize_session=False)
        )
        end = self._s.execute(stmt).scalar_one_or_none()
        return None if end is None else end - chunks

    def add_grant(self, dataset_id: UUID, key_id: UUID) -> bool:
        if self._s.get(GrantRow, (dataset_id, key_id)) is not None:
            return False
        self._s.add(GrantRow(dataset_id=dataset_id, key_id=key_id))
        return True

    def is_granted(self, dataset_id: UUID, key_id: UUID) -> bool:
        return self._s.get(GrantRow, (dataset_id, key_id)) is not None


class ChunkRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, row: RowChunkRow) -> None:
        self._s.add(row)

    def seqs(self, dataset_id: UUID) -> list[int]:
        stmt = select(RowChunkRow.seq).where(RowChunkRow.dataset_id == dataset_id)
        return list(self._s.scalars(stmt.order_by(RowChunkRow.seq)).all())

    def get(self, dataset_id: UUID, seq: int) -> RowChunkRow | None:
        stmt = select(RowChunkRow).where(RowChunkRow.dataset_id == dataset_id,
                                         RowChunkRow.seq == seq)
        return self._s.scalars(stmt).one_or_none()

    def delete_for_dataset(self, dataset_id: UUID) -> int:
        stmt = delete(RowChunkRow).where(RowChunkRow.dataset_id == dataset_id)
        return self._s.execute(stmt).rowcount  # type: ignore[attr-defined, no-any-return]


class StructureRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, row: StructureRow) -> None:
        self._s.add(row)

    def get(self, structure_id: UUID) -> StructureRow | None:
        return self._s.get(StructureRow, structure_id)

    def page_visible(self, *, owner: UUID | None, granted: set[UUID] | None,
                     after: Cursor | None, limit: int,
                     models: bool = False) -> Sequence[tuple[StructureRow, UUID]]:
        """Structures (``models``: models, core.models.MODEL_KINDS) of live datasets in
        creation order, after ``after``, each with its dataset's owner: all of them
        (owner and granted None), or those of datasets owned by / granted to a key."""
        kind = StructureRow.kind.in_(MODEL_KINDS)
        stmt = (select(StructureRow, DatasetRow.owner_key_id)
                .join(DatasetRow, DatasetRow.id == StructureRow.dataset_id)
                .where(DatasetRow.deleted_at.is_(None), kind if models else ~kind))
        if owner is not None or granted is not None:
            stmt = stmt.where(or_(DatasetRow.owner_key_id == owner,
                                  DatasetRow.id.in_(granted or set())))
        stmt = _after(stmt, StructureRow.created_at, StructureRow.id, after, limit)
        return [(row, owner_id) for row, owner_id in self._s.execute(stmt).all()]

    def get_blob(self, structure_id: UUID) -> StructureBlobRow | None:
        return self._s.get(StructureBlobRow, structure_id)

    def add_blob(self, row: StructureBlobRow) -> None:
        self._s.add(row)

    def delete_for_dataset(self, dataset_id: UUID) -> None:
        ids = select(StructureRow.id).where(StructureRow.dataset_id == dataset_id)
        self._s.execute(delete(StructureBlobRow).where(StructureBlobRow.structure_id.in_(ids)))
        self._s.execute(delete(JobRow).where(JobRow.dataset_id == dataset_id))
        self._s.execute(delete(StructureRow).where(StructureRow.dataset_id == dataset_id))


class JobRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, row: JobRow) -> None:
        self._s.add(row)

    def get(self, job_id: UUID) -> JobRow | None:
        return self._s.get(JobRow, job_id)

    def by_idempotency_key(self, requested_by: UUID, key: str) -> JobRow | None:
        stmt = select(JobRow).where(JobRow.requested_by == requested_by,
                                    JobRow.idempotency_key == key)
        return self._s.scalars(stmt).first()

    def for_structure(self, structure_id: UUID) -> JobRow | None:
        stmt = select(JobRow).where(JobRow.structure_id == structure_id)
        return self._s.scalars(stmt.order_by(JobRow.created_at.desc())).first()

    def claimable(self, now: datetime, kinds: Collection[str] | None = None) -> JobRow | None:
        """The oldest queued job, or a running one whose lease expired (of ``kinds``, if
        given); row-locked and skipped by other claimers on PostgreSQL (the SQLite write
        lock serialises)."""
        stmt = (
            select(JobRow)
            .where(or_(JobRow.status == JobStatus.QUEUED,
                       and_(JobRow.status == JobStatus.RUNNING, JobRow.lease_expires_at < now)))
            .order_by(JobRow.created_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if kinds is not None:
            stmt = stmt.where(JobRow.kind.in_(list(kinds)))
        return self._s.scalars(stmt).first()

    def renew(self, job_id: UUID, owner: str, *, lease: timedelta, progress: float) -> bool:
        """Extend the lease and record progress; False if ``owner`` lost the job."""
        now = utcnow()
        stmt = (
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.lease_owner == owner,
                   JobRow.status == JobStatus.RUNNING)
            .values(lease_expires_at=now + lease, progress=progress, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return self._s.execute(stmt).rowcount == 1  # type: ignore[attr-defined, no-any-return]

    def release(self, job_id: UUID, owner: str) -> bool:
        """Give a running job back to the queue (a worker stopping or a transient error)."""
        stmt = (
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.lease_owner == owner,
                   JobRow.status == JobStatus.RUNNING)
            .values(status=JobStatus.QUEUED, lease_owner=None, lease_expires_at=None,
                    updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return self._s.execute(stmt).rowcount == 1  # type: ignore[attr-defined, no-any-return]

    def finish(self, job_id: UUID, owner: str | None, status: JobStatus,
               error: str | None = None) -> bool:
        """Move a running job (held by ``owner``, if given) to a final status."""
        now = utcnow()
        conditions = [JobRow.id == job_id,
                      JobRow.status.in_([JobStatus.RUNNING, JobStatus.QUEUED])]
        if owner is not None:
            conditions.append(JobRow.lease_owner == owner)
        stmt = (
            update(JobRow).where(*conditions)
            .values(status=status, error=error, finished_at=now, updated_at=now,
                    lease_expires_at=None,
                    progress=1.0 if status == JobStatus.SUCCEEDED else JobRow.progress)
            .execution_options(synchronize_session=False)
        )
        return self._s.execute(stmt).rowcount == 1  # type: ignore[attr-defined, no-any-return]


class SolveDataRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, row: SolveDataRow) -> None:
        self._s.add(row)

    def get(self, job_id: UUID) -> SolveDataRow | None:
        return self._s.get(SolveDataRow, job_id)


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, row: AuditEventRow) -> None:
        self._s.add(row)

    def for_dataset(self, dataset_id: UUID, *, after: int = 0,
                    limit: int = 1000) -> Sequence[AuditEventRow]:
        stmt = (select(AuditEventRow)
                .where(AuditEventRow.dataset_id == dataset_id, AuditEventRow.id > after)
                .order_by(AuditEventRow.id).limit(limit))
        return self._s.scalars(stmt).all()


class LedgerRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, row: LedgerEntryRow) -> None:
        self._s.add(row)

    def for_dataset(self, dataset_id: UUID, *, after: int = 0,
                    limit: int = 1000) -> Sequence[LedgerEntryRow]:
        stmt = (select(LedgerEntryRow)
                .where(LedgerEntryRow.dataset_id == dataset_id, LedgerEntryRow.id > after)
                .order_by(LedgerEntryRow.id).limit(limit))
        return self._s.scalars(stmt).all()

    def spend_of(self, structure_id: UUID) -> LedgerEntryRow | None:
        stmt = select(LedgerEntryRow).where(LedgerEntryRow.structure_id == structure_id,
                                            LedgerEntryRow.entry == "spend")
        return self._s.scalars(stmt).first()
