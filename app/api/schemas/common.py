from __future__ import annotations

import unicodedata
from typing import Annotated, Self
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
    """Response bodies, built from the services' read models (``app.services.views``) by
    their attribute names: the API only serialises what the services decided to show."""

    model_config = ConfigDict(allow_inf_nan=True)

    @classmethod
    def from_view(cls, view: object) -> Self:
        return cls.model_validate(view, from_attributes=True)


class Budget(Strict):
    # amounts are charged in units of 1e-9 (core.privacy.budget): a smaller epsilon
    # would be charged more than it buys, and a subnormal one calibrates no noise; above
    # 1e6 nothing is protected, and the noise plans' arithmetic overflows near 1e154
    epsilon: float = Field(ge=1e-9, le=1e6, description="privacy loss epsilon, from 1e-9 "
                           "to 1e6")
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
