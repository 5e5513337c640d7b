from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

T = TypeVar("T", bound="QualityIn")


@_attrs_define
class QualityIn:
    """Qualities q_i = sqrt(max(answer_i, 0)) from a released structure's DP answers at
    the pool points (post-processing: nothing is spent).

        Attributes:
            structure_id (UUID): a ready structure the key may query
    """

    structure_id: UUID

    def to_dict(self) -> dict[str, Any]:
        structure_id = str(self.structure_id)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "structure_id": structure_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        structure_id = UUID(d.pop("structure_id"))

        quality_in = cls(
            structure_id=structure_id,
        )

        return quality_in
