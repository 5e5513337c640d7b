from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from app.api.schemas.common import Id, Name, Out, Strict
from app.domain import Role


class KeyCreate(Strict):
    role: Role = Field(strict=False)
    name: Name
    dataset_ids: list[Id] = Field(default_factory=list, max_length=1000)


class KeyRead(Out):
    id: UUID
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None


class KeySelf(Out):
    """The key that made the request: who the service takes the caller for."""

    id: UUID
    name: str
    role: Role


class KeyCreated(KeyRead):
    key: str = Field(description="the API key; shown only in this response")


class KeyPage(Out):
    """One page of keys (revoked ones too), oldest first."""

    keys: list[KeyRead]
    next_after: str | None = Field(description="pass as ?after= for the next page; null "
                                   "on the last page")
