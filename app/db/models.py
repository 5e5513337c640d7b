"""Tables. ORM classes are named ``*Row`` and never leave the service layer.

Budgets and spends are integers in fixed units (``core.privacy.budget.Units`` and
``core.privacy.accounting.Spent``): exact, additive, and recomputable from the ledger.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, UTCDateTime, utcnow

# defined in app.domain (every layer uses them); re-exported for the tables' users
from app.domain import JobStatus as JobStatus
from app.domain import Role as Role
from app.domain import StructureStatus as StructureStatus

AutoId = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements INTEGER only


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DatasetRow(Base):
    """A dataset's declaration, its budget and what it has spent.

    The ``*_spent`` counters are the sums of the ledger's entries (``Spent``); whether
    they fit the budget is decided by ``core.privacy.accounting.account`` under a row
    lock, since zCDP accounting is not a linear check the database could make.
    ``accounting`` is the composition route, fixed at creation (``Route``).
    """

    __tablename__ = "datasets"
    __table_args__ = (
        CheckConstraint("epsilon_spent >= 0 AND delta_spent >= 0 AND pure_epsilon_spent >= 0 "
                        "AND rho_spent >= 0 AND pure_rho_spent >= 0", name="spent_not_negative"),
        CheckConstraint("accounting IN ('basic', 'zcdp')", name="accounting_route"),
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_key_id: Mapped[UUID] = mapped_column(ForeignKey("api_keys.id"), index=True)
    dim: Mapped[int] = mapped_column(Integer)
    domain: Mapped[dict[str, Any]] = mapped_column(JSON)
    neighbouring: Mapped[str] = mapped_column(String(16))
    on_out_of_domain: Mapped[str] = mapped_column(String(8))
    labelled: Mapped[bool] = mapped_column(Boolean)
    # the public label set (core.models.LabelSet), declared at creation, immutable
    classes: Mapped[list[int] | None] = mapped_column(JSON)
    label_range: Mapped[list[float] | None] = mapped_column(JSON)
    epsilon_total: Mapped[int] = mapped_column(BigInteger)
    delta_total: Mapped[int] = mapped_column(BigInteger)
    accounting: Mapped[str] = mapped_column(String(16))
    epsilon_spent: Mapped[int] = mapped_column(BigInteger, default=0)
    delta_spent: Mapped[int] = mapped_column(BigInteger, default=0)
    pure_epsilon_spent: Mapped[int] = mapped_column(BigInteger, default=0)
    rho_spent: Mapped[int] = mapped_column(BigInteger, default=0)
    pure_rho_spent: Mapped[int] = mapped_column(BigInteger, default=0)
    row_count: Mapped[int] = mapped_column(BigInteger, default=0)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class GrantRow(Base):
    __tablename__ = "dataset_grants"

    dataset_id: Mapped[UUID] = mapped_column(ForeignKey("datasets.id"), primary_key=True)
    key_id: Mapped[UUID] = mapped_column(ForeignKey("api_keys.id"), primary_key=True,
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RowChunkRow(Base):
    """Encrypted rows (and labels) of one upload slice; never returned by any endpoint."""

    __tablename__ = "row_chunks"
    __table_args__ = (UniqueConstraint("dataset_id", "seq"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    dataset_id: Mapped[UUID] = mapped_column(ForeignKey("datasets.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    n_rows: Mapped[int] = mapped_column(Integer)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StructureRow(Base):
    __tablename__ = "structures"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    dataset_id: Mapped[UUID] = mapped_column(ForeignKey("datasets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    seed: Mapped[str] = mapped_column(String(40))
    epsilon: Mapped[int] = mapped_column(BigInteger)
    delta: Mapped[int] = mapped_column(BigInteger)
    noise_plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=StructureStatus.PENDING)
    error_model: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[UUID] = mapped_column(ForeignKey("api_keys.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StructureBlobRow(Base):
    """The release file. Written in the same transaction that marks the structure ready."""

    __tablename__ = "structure_blobs"

    structure_id: Mapped[UUID] = mapped_column(ForeignKey("structures.id"), primary_key=True)
    format_version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class JobRow(Base):
    """A build (or model) job, or a solve on public inputs. A build names its structure
    and dataset; a solve names neither (its problem and result are a ``SolveDataRow``).
    A build request sent with an ``Idempotency-Key`` header stores the key, who sent it,
    the SHA-256 of the request and the answer given, so a retry returns that answer and
    spends nothing (one key per sender: unique together)."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_claim", "status", "lease_expires_at"),
        UniqueConstraint("requested_by", "idempotency_key", name="uq_jobs_idempotency"),
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    structure_id: Mapped[UUID | None] = mapped_column(ForeignKey("structures.id"), index=True)
    dataset_id: Mapped[UUID | None] = mapped_column(ForeignKey("datasets.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_by: Mapped[UUID | None] = mapped_column(Uuid)
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    request_sha256: Mapped[str | None] = mapped_column(String(64))
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class SolveDataRow(Base):
    """A solve job's problem (public arrays and parameters, dropped once the job ends)
    and its result (the answer's JSON), compressed."""

    __tablename__ = "solve_data"

    job_id: Mapped[UUID] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"),
                                         primary_key=True)
    problem: Mapped[bytes | None] = mapped_column(LargeBinary)
    result: Mapped[bytes | None] = mapped_column(LargeBinary)


class LedgerEntryRow(Base):
    """Append-only: a spend at reservation, a refund if the build released nothing.

    ``structure_id`` is deliberately not a foreign key: the ledger outlives structures
    and datasets (datasets are only ever soft-deleted).
    """

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    dataset_id: Mapped[UUID] = mapped_column(ForeignKey("datasets.id"), index=True)
    structure_id: Mapped[UUID | None] = mapped_column(Uuid, index=True)
    entry: Mapped[str] = mapped_column(String(16))
    epsilon: Mapped[int] = mapped_column(BigInteger)
    delta: Mapped[int] = mapped_column(BigInteger)
    pure_epsilon: Mapped[int] = mapped_column(BigInteger, default=0)
    rho: Mapped[int] = mapped_column(BigInteger, default=0)
    pure_rho: Mapped[int] = mapped_column(BigInteger, default=0)
    mechanism: Mapped[dict[str, Any]] = mapped_column(JSON)
    key_id: Mapped[UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEventRow(Base):
    """Who did what to a dataset, and when: counts and ids only, never data.

    Append-only, and kept when the dataset is deleted (datasets are only soft-deleted).
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_dataset", "dataset_id", "id"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    dataset_id: Mapped[UUID] = mapped_column(ForeignKey("datasets.id"))
    key_id: Mapped[UUID | None] = mapped_column(Uuid)
    action: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # set for events written from the audit journal (app.db.audit_journal), so that a
    # batch replayed after a crash is not written twice
    event_id: Mapped[str | None] = mapped_column(String(36), unique=True)
