from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from app.api.schemas.common import Id, Name, Out, Strict
from app.db.models import ApiKeyRow, Role


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

    @classmethod
    def of(cls, row: ApiKeyRow) -> KeyRead:
        return cls(id=row.id, name=row.name, role=Role(row.role), created_at=row.created_at,
                   revoked_at=row.revoked_at)


class KeyCreated(KeyRead):
    key: str = Field(description="the API key; shown only in this response")
