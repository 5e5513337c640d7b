from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field

from app.api.schemas.common import Budget, Id, Name, Out, Strict


class L2BallDomain(Strict):
    type: Literal["l2_ball"]
    radius: float = Field(gt=0)


class BoxDomain(Strict):
    type: Literal["box"]
    low: float | list[float]
    high: float | list[float]


Domain = Annotated[L2BallDomain | BoxDomain, Field(discriminator="type")]


class DatasetCreate(Strict):
    name: Name
    dim: int = Field(ge=1, le=65_536)
    domain: Domain
    neighbouring: Literal["add_remove", "replace_one"] = "add_remove"
    on_out_of_domain: Literal["clip", "reject"] = Field(
        default="clip", description="'reject' only with neighbouring 'add_remove'")
    budget: Budget
    labelled: bool = Field(default=False, description="rows carry a label; implied by "
                           "classes or label_range, one of which a labelled dataset declares")
    classes: list[int] | None = Field(
        default=None, min_length=2, max_length=1000,
        description="a classifier's dataset: its integer labels, distinct, declared before "
        "any row (which classes exist must not depend on the data); labels outside are "
        "refused at upload")
    label_range: list[float] | None = Field(
        default=None, min_length=2, max_length=2,
        description="a regressor's dataset: [lo, hi], the public range of its numeric "
        "labels; labels outside are refused at upload")
    accounting: Literal["basic", "zcdp"] | None = Field(
        default=None, description="how the dataset's spends compose, fixed for good: "
        "'basic' (epsilons and deltas add up) or 'zcdp' (every spend as zCDP rho, converted "
        "at the budget's delta; needs delta > 0; cheaper for several Gaussian builds). "
        "Default: 'basic'")


class Amount(Out):
    total: float
    spent: float
    remaining: float


class BudgetRead(Out):
    epsilon: Amount
    delta: Amount
    accounting: str = Field(description="the dataset's composition route (basic or zcdp), "
                            "by which the spends compose into the figure shown")


class DatasetRead(Out):
    id: UUID
    name: str
    dim: int
    domain: dict[str, Any]
    neighbouring: str
    on_out_of_domain: str
    labelled: bool
    accounting: str = Field(description="the composition route, fixed at creation: basic "
                            "or zcdp")
    budget: BudgetRead
    row_count: int | None = Field(
        default=None, description="shown to the owner and admins only")
    created_at: datetime
    rows_purged_at: datetime | None
    classes: list[int] | None = Field(default=None, description="the declared classes")
    label_range: list[float] | None = Field(default=None,
                                            description="the declared label range")


class GrantCreate(Strict):
    key_id: Id


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
    epsilon: float = Field(description="epsilon charged (basic composition)")
    delta: float = Field(description="delta charged (basic composition)")
    pure_epsilon: float = Field(description="epsilon of a pure (Laplace) spend, else 0")
    rho: float = Field(description="zCDP rho: of the Gaussian mechanism, or epsilon^2/2 "
                       "of a pure spend")
    mechanism: dict[str, Any]
    key_id: UUID | None
    created_at: datetime


class LedgerRead(Out):
    dataset_id: UUID
    budget: BudgetRead
    entries: list[LedgerEntryRead]
    next_after: int | None = Field(description="pass as ?after= for the next page; null "
                                   "on the last page")


class AuditEventRead(Out):
    id: int
    action: str
    key_id: UUID | None = Field(description="who (None: the service itself, e.g. a worker)")
    details: dict[str, Any] = Field(description="counts and ids only, never data")
    created_at: datetime


class AuditRead(Out):
    dataset_id: UUID
    events: list[AuditEventRead]
    next_after: int | None = Field(description="pass as ?after= for the next page")


class DatasetPage(Out):
    """One page of datasets, oldest first."""

    datasets: list[DatasetRead]
    next_after: str | None = Field(description="pass as ?after= for the next page; null "
                                   "on the last page")
