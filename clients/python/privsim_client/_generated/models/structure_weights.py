from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

T = TypeVar("T", bound="StructureWeights")


@_attrs_define
class StructureWeights:
    """Weights proportional to a released structure's DP answers at public points,
    clipped at 0 (post-processing: nothing is spent). The points are also the support
    of that side of the transport.

        Attributes:
            structure_id (UUID): a ready structure the key may query
            points (list[list[float]]): the support points (q x dim of the structure)
    """

    structure_id: UUID
    points: list[list[float]]

    def to_dict(self) -> dict[str, Any]:
        structure_id = str(self.structure_id)

        points = []
        for points_item_data in self.points:
            points_item = points_item_data

            points.append(points_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "structure_id": structure_id,
                "points": points,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        structure_id = UUID(d.pop("structure_id"))

        points = []
        _points = d.pop("points")
        for points_item_data in _points:
            points_item = cast(list[float], points_item_data)

            points.append(points_item)

        structure_weights = cls(
            structure_id=structure_id,
            points=points,
        )

        return structure_weights
