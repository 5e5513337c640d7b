from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

T = TypeVar("T", bound="GrantCreate")


@_attrs_define
class GrantCreate:
    """
    Attributes:
        key_id (UUID):
    """

    key_id: UUID

    def to_dict(self) -> dict[str, Any]:
        key_id = str(self.key_id)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "key_id": key_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        key_id = UUID(d.pop("key_id"))

        grant_create = cls(
            key_id=key_id,
        )

        return grant_create
