from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field

from app.api.schemas.common import Budget, Out, Strict
from app.db.models import DatasetRow, LedgerEntryRow
from core.privacy.budget import Units


class L2BallDomain(Strict):
    type: Literal["l2_ball"]
    radius: float = Field(gt=0)


class BoxDomain(Strict):
    type: Literal["box"]
    low: float | list[float]
    high: float | list[float]


Domain = Annotated[L2BallDomain | BoxDomain, Field(discriminator="type")]


class DatasetCreate(Strict):
    name: str = Field(min_length=1, max_length=200)
    dim: int = Field(ge=1, le=65_536)
    domain: Domain
    neighbouring: Literal["add_remove", "replace_one"] = "add_remove"
    on_out_of_domain: Literal["clip", "reject"] = "clip"
    budget: Budget
    labelled: bool = False


class Amount(Out):
    total: float
    spent: float
    remaining: float


class BudgetRead(Out):
    epsilon: Amount
    delta: Amount


class DatasetRead(Out):
    id: UUID
    name: str
    dim: int
    domain: dict[str, Any]
    neighbouring: str
    on_out_of_domain: str
    labelled: bool
    budget: BudgetRead
    row_count: int | None = Field(
        default=None, description="shown to the owner and admins only")
    created_at: datetime
    rows_purged_at: datetime | None

    @classmethod
    def of(cls, row: DatasetRow, *, show_rows: bool) -> DatasetRead:
        total = Units(row.epsilon_total, row.delta_total)
        spent = Units(row.epsilon_spent, row.delta_spent)
        left = total - spent
        return cls(
            id=row.id, name=row.name, dim=row.dim, domain=row.domain,
            neighbouring=row.neighbouring, on_out_of_domain=row.on_out_of_domain,
            labelled=row.labelled,
            budget=BudgetRead(
                epsilon=Amount(total=float(total.epsilon_value), spent=float(spent.epsilon_value),
                               remaining=float(left.epsilon_value)),
                delta=Amount(total=float(total.delta_value), spent=float(spent.delta_value),
                             remaining=float(left.delta_value))),
            row_count=row.row_count if show_rows else None,
            created_at=row.created_at, rows_purged_at=row.purged_at)


class GrantCreate(Strict):
    key_id: UUID


class GrantRead(Out):
    dataset_id: UUID
    key_id: UUID
    created: bool


class RowsAccepted(Out):
    accepted: int
    clipped: int
    rejected: int


class RowsPurged(Out):
    purged: int


class LedgerEntryRead(Out):
    id: int
    entry: Literal["spend", "refund"]
    structure_id: UUID | None
    epsilon: float
    delta: float
    mechanism: dict[str, Any]
    key_id: UUID | None
    created_at: datetime

    @classmethod
    def of(cls, row: LedgerEntryRow) -> LedgerEntryRead:
        amount = Units(row.epsilon, row.delta)
        return cls(id=row.id, entry=row.entry, structure_id=row.structure_id,
                   epsilon=float(amount.epsilon_value), delta=float(amount.delta_value),
                   mechanism=row.mechanism, key_id=row.key_id, created_at=row.created_at)


class LedgerRead(Out):
    dataset_id: UUID
    budget: BudgetRead
    entries: list[LedgerEntryRead]
