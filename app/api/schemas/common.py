from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


class Strict(BaseModel):
    """Request bodies: unknown fields, NaN and Inf are refused, and types are strict: a
    number is a JSON number (not ``"1"`` or ``true``), a boolean a JSON boolean. Fields
    whose JSON form is a string (ids, enums) opt out with ``Field(strict=False)``."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, strict=True)


# Bidirectional controls reorder what a reader sees (a name can display as another);
# control characters break logs and terminals. Both are refused in names.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                  "\u2066\u2067\u2068\u2069")


def _plain_text(value: str) -> str:
    for ch in value:
        if ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs"):
            raise ValueError("must not contain control characters or bidirectional "
                             "overrides")
    if value != value.strip():
        raise ValueError("must not start or end with whitespace")
    return value


# ids travel as JSON strings: parsed from their string form even in strict models
Id = Annotated[UUID, Field(strict=False)]

Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_plain_text)]


class Out(BaseModel):
    model_config = ConfigDict(allow_inf_nan=True)


def to_minute(moment: datetime | None) -> datetime | None:
    """``moment`` rounded down to the minute: what analysts see of build times, whose
    exact values reveal the row count coarsely (docs/privacy.md)."""
    return None if moment is None else moment.replace(second=0, microsecond=0)


class Budget(Strict):
    epsilon: float = Field(gt=0, description="privacy loss epsilon (> 0)")
    delta: float = Field(default=0.0, ge=0, lt=1, description=(
        "delta in [0, 1); 0 = pure DP. A dataset's delta must also be below "
        "PRIVSIM_MAX_BUDGET_DELTA (0.01 by default): a larger delta allows releasing a "
        "row outright with that probability"))


class Problem(BaseModel):
    """RFC 9457 problem details (extra members vary by problem type)."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    instance: str


PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
