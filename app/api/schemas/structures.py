from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from app.api.schemas.common import Budget, Out, Strict, to_minute
from app.db.models import JobRow, StructureRow
from core.privacy.budget import Units


class StructureCreate(Strict):
    kind: str = Field(description="one of GET /v1/kernels' kinds: gaussian_kde, "
                      "exponential_kde, laplace_kde, cauchy_kde, l1_distance, l2_distance, "
                      "sq_l2_distance, inner_product, rff_baseline")
    params: dict[str, Any] = Field(default_factory=dict)
    privacy: Budget


class StructureAccepted(Out):
    structure_id: UUID
    job_id: UUID
    status_url: str
    job_url: str
    warnings: list[str] = Field(default_factory=list)


class PrivacyRead(Out):
    epsilon: float
    delta: float
    mechanism: str
    statistics: list[dict[str, Any]]


class EstimateOut(Out):
    """What a build would cost and deliver; nothing was spent."""

    kind: str
    params: dict[str, Any] = Field(description="the parameters with every default filled in")
    privacy: PrivacyRead = Field(description="the noise plan the build would use")
    spend: dict[str, float] = Field(description="what the build would charge: epsilon, "
                                    "delta (and zCDP rho for the gaussian mechanism)")
    affordable: bool = Field(description="whether that fits the remaining budget now")
    remaining: dict[str, float]
    error: dict[str, float | None] = Field(description=(
        "noise_std_sum and noise_std_mean: std of the privacy noise in a sum or mean "
        "answer at a typical query; approximation_mean: bound on the approximation error "
        "of a mean answer; typical_mean: a typical mean answer on the declared domain; "
        "target_mean: the accuracy asked for with alpha (null without alpha)"))
    minimum_rows: int = Field(description=(
        "rows needed for the privacy noise of a mean answer to meet the target (alpha, "
        "or 10% of a typical answer without it)"))
    size_bytes: int
    cost: dict[str, float] = Field(description=(
        "the build's estimated cost, from its parameters and the row count: "
        "release_bytes, build_memory_bytes (peak), build_seconds (CPU, one core), "
        "noise_values (privacy noise draws), query_seconds_per_point"))
    warnings: list[str] = Field(default_factory=list)


class StructureRead(Out):
    id: UUID
    dataset_id: UUID
    kind: str
    params: dict[str, Any]
    seed: str = Field(description="seed of the public randomness (may be published)")
    privacy: PrivacyRead
    status: str
    error_model: dict[str, float] | None
    size_bytes: int | None
    job_id: UUID | None
    created_at: datetime = Field(description="to the microsecond for the dataset's owner "
                                 "and admins; rounded down to the minute for others")
    ready_at: datetime | None = Field(description="as created_at")

    @classmethod
    def of(cls, row: StructureRow, job: JobRow | None, *,
           exact_times: bool = False) -> StructureRead:
        """``exact_times`` only for those who manage the dataset (owner, admin): build
        times to the microsecond reveal the row count coarsely, so everyone else sees
        them rounded down to the minute."""
        charged = Units(row.epsilon, row.delta)
        plan = row.noise_plan
        created_at = row.created_at if exact_times else to_minute(row.created_at)
        ready_at = row.ready_at if exact_times else to_minute(row.ready_at)
        return cls(
            id=row.id, dataset_id=row.dataset_id, kind=row.kind, params=row.params,
            seed=row.seed,
            privacy=PrivacyRead(epsilon=float(charged.epsilon_value),
                                delta=float(charged.delta_value),
                                mechanism=str(plan.get("mechanism")),
                                statistics=list(plan.get("statistics", []))),
            status=row.status, error_model=row.error_model, size_bytes=row.size_bytes,
            job_id=job.id if job else None, created_at=created_at, ready_at=ready_at)


class QueryIn(Strict):
    points: list[list[float]] = Field(min_length=1)
    reduce: Literal["sum", "mean"] = "sum"


class QueryOut(Out):
    reduce: Literal["sum", "mean"]
    values: list[float]
    std: list[float] = Field(description="std of the privacy noise in each answer")
    approximation_std: list[float] = Field(
        description="bound on the std of the approximation error (random features, "
        "projections) in each answer; 0 for exact identities")


class JobRead(Out):
    id: UUID
    kind: str
    structure_id: UUID
    dataset_id: UUID
    status: Literal["queued", "running", "succeeded", "failed"]
    progress: float
    error: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, row: JobRow) -> JobRead:
        return cls(id=row.id, kind=row.kind, structure_id=row.structure_id,
                   dataset_id=row.dataset_id, status=row.status,
                   progress=row.progress, error=row.error, attempts=row.attempts,
                   created_at=row.created_at, updated_at=row.updated_at,
                   finished_at=row.finished_at)
