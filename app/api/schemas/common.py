from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    """Request bodies: unknown fields, NaN and Inf are refused."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class Out(BaseModel):
    model_config = ConfigDict(allow_inf_nan=True)


def to_minute(moment: datetime | None) -> datetime | None:
    """``moment`` rounded down to the minute: what analysts see of build times, whose
    exact values reveal the row count coarsely (docs/privacy.md)."""
    return None if moment is None else moment.replace(second=0, microsecond=0)


class Budget(Strict):
    epsilon: float = Field(gt=0, description="privacy loss epsilon (> 0)")
    delta: float = Field(default=0.0, ge=0, lt=1, description="delta in [0, 1); 0 = pure DP")


class Problem(BaseModel):
    """RFC 9457 problem details (extra members vary by problem type)."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    instance: str


PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
