"""Read models: what the services return. Frozen, built inside the services from the
rows, and already redacted for the caller (``n`` only for those who manage the dataset,
build times to the minute for everyone else). The API serialises them as they are; no
ORM row leaves the service layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from app.db.models import (
    ApiKeyRow,
    AuditEventRow,
    DatasetRow,
    JobRow,
    LedgerEntryRow,
    StructureRow,
)
from app.domain import Role
from app.services.budget import standing
from core.models.labels import LabelSet
from core.models.reference import shown_params
from core.privacy.accounting import RHO_UNIT
from core.privacy.budget import EPSILON_UNIT, Units

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list; ``next_after`` is the cursor of the next page (None: last)."""

    items: list[T]
    next_after: str | None


def _minute(moment: datetime) -> datetime:
    """``moment`` rounded down to the minute: what non-managers see of build times, whose
    exact values reveal the row count coarsely (docs/privacy.md)."""
    return moment.replace(second=0, microsecond=0)


def to_minute(moment: datetime | None) -> datetime | None:
    return None if moment is None else _minute(moment)


@dataclass(frozen=True, slots=True)
class AmountView:
    total: float
    spent: float
    remaining: float


@dataclass(frozen=True, slots=True)
class BudgetView:
    epsilon: AmountView
    delta: AmountView
    accounting: str

    @classmethod
    def of(cls, row: DatasetRow) -> BudgetView:
        now = standing(row)
        total, used, left = now.total, now.spent, now.remaining
        return cls(
            epsilon=AmountView(float(total.epsilon_value), float(used.epsilon_value),
                               float(left.epsilon_value)),
            delta=AmountView(float(total.delta_value), float(used.delta_value),
                             float(left.delta_value)),
            accounting=now.accounting)


@dataclass(frozen=True, slots=True)
class DatasetView:
    id: UUID
    name: str
    dim: int
    domain: dict[str, Any]
    neighbouring: str
    on_out_of_domain: str
    labelled: bool
    accounting: str
    budget: BudgetView
    row_count: int | None  # None unless the caller manages the dataset (n is private)
    created_at: datetime
    rows_purged_at: datetime | None
    classes: list[int] | None = None  # the declared label set (public)
    label_range: list[float] | None = None

    @classmethod
    def of(cls, row: DatasetRow, *, managed: bool) -> DatasetView:
        return cls(id=row.id, name=row.name, dim=row.dim, domain=dict(row.domain),
                   neighbouring=row.neighbouring, on_out_of_domain=row.on_out_of_domain,
                   labelled=row.labelled, accounting=row.accounting,
                   budget=BudgetView.of(row),
                   row_count=row.row_count if managed else None,
                   created_at=row.created_at, rows_purged_at=row.purged_at,
                   classes=list(row.classes) if row.classes is not None else None,
                   label_range=list(row.label_range) if row.label_range is not None else None)

    @property
    def label_set(self) -> LabelSet | None:
        """The declared labels (None: unlabelled, or labelled before declarations)."""
        return LabelSet.declared(self.classes, self.label_range)


@dataclass(frozen=True, slots=True)
class LedgerEntryView:
    id: int
    entry: str
    structure_id: UUID | None
    epsilon: float
    delta: float
    pure_epsilon: float
    rho: float
    mechanism: dict[str, Any]
    key_id: UUID | None
    created_at: datetime

    @classmethod
    def of(cls, row: LedgerEntryRow) -> LedgerEntryView:
        amount = Units(row.epsilon, row.delta)
        return cls(id=row.id, entry=row.entry, structure_id=row.structure_id,
                   epsilon=float(amount.epsilon_value), delta=float(amount.delta_value),
                   pure_epsilon=float(row.pure_epsilon * EPSILON_UNIT),
                   rho=float((row.rho + row.pure_rho) * RHO_UNIT),
                   mechanism=dict(row.mechanism), key_id=row.key_id,
                   created_at=row.created_at)


@dataclass(frozen=True, slots=True)
class LedgerView:
    dataset_id: UUID
    budget: BudgetView
    entries: list[LedgerEntryView]
    next_after: int | None


@dataclass(frozen=True, slots=True)
class AuditEventView:
    id: int
    action: str
    key_id: UUID | None
    details: dict[str, Any]
    created_at: datetime

    @classmethod
    def of(cls, row: AuditEventRow) -> AuditEventView:
        return cls(id=row.id, action=row.action, key_id=row.key_id, details=dict(row.details),
                   created_at=row.created_at)


@dataclass(frozen=True, slots=True)
class KeyView:
    id: UUID
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: ApiKeyRow) -> KeyView:
        return cls(id=row.id, name=row.name, role=Role(row.role), created_at=row.created_at,
                   revoked_at=row.revoked_at)


@dataclass(frozen=True, slots=True)
class NewKeyView:
    key: KeyView
    token: str  # shown once, never stored


@dataclass(frozen=True, slots=True)
class PrivacyView:
    epsilon: float
    delta: float
    mechanism: str
    statistics: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class StructureView:
    id: UUID
    dataset_id: UUID
    kind: str
    params: dict[str, Any]
    seed: str
    privacy: PrivacyView
    status: str
    error_model: dict[str, Any] | None
    size_bytes: int | None
    job_id: UUID | None
    created_at: datetime  # exact for managers of the dataset, else to the minute
    ready_at: datetime | None

    @classmethod
    def of(cls, row: StructureRow, job: JobRow | None, *, managed: bool) -> StructureView:
        """``managed`` only for those who manage the dataset (owner, admin): build times
        to the microsecond reveal the row count coarsely, so everyone else sees them
        rounded down to the minute."""
        charged = Units(row.epsilon, row.delta)
        plan = row.noise_plan
        created_at = row.created_at if managed else _minute(row.created_at)
        return cls(
            id=row.id, dataset_id=row.dataset_id, kind=row.kind, params=shown_params(row.params),
            seed=row.seed,
            privacy=PrivacyView(epsilon=float(charged.epsilon_value),
                                delta=float(charged.delta_value),
                                mechanism=str(plan.get("mechanism")),
                                statistics=list(plan.get("statistics", []))),
            status=row.status,
            error_model=None if row.error_model is None else dict(row.error_model),
            size_bytes=row.size_bytes, job_id=job.id if job else None,
            created_at=created_at,
            ready_at=row.ready_at if managed else to_minute(row.ready_at))


@dataclass(frozen=True, slots=True)
class JobView:
    id: UUID
    kind: str
    structure_id: UUID | None  # None for a solve job
    dataset_id: UUID | None
    status: str
    progress: float
    error: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, row: JobRow) -> JobView:
        return cls(id=row.id, kind=row.kind, structure_id=row.structure_id,
                   dataset_id=row.dataset_id, status=row.status, progress=row.progress,
                   error=row.error, attempts=row.attempts, created_at=row.created_at,
                   updated_at=row.updated_at, finished_at=row.finished_at)


@dataclass(frozen=True, slots=True)
class BuildAcceptedView:
    structure_id: UUID
    job_id: UUID
    kind: str
    warnings: list[str] = field(default_factory=list)
    replayed: bool = False  # the answer to an earlier request with the same Idempotency-Key


@dataclass(frozen=True, slots=True)
class ExportView:
    structure_id: UUID
    kind: str
    blob: bytes
