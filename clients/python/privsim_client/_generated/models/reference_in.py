from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="ReferenceIn")


@_attrs_define
class ReferenceIn:
    """Public rows, in the dataset's dimension (``MAX_REFERENCE_ROWS`` at most).

    Attributes:
        points (list[list[float]]):
    """

    points: list[list[float]]

    def to_dict(self) -> dict[str, Any]:
        points = []
        for points_item_data in self.points:
            points_item = points_item_data

            points.append(points_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "points": points,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        points = []
        _points = d.pop("points")
        for points_item_data in _points:
            points_item = cast(list[float], points_item_data)

            points.append(points_item)

        reference_in = cls(
            points=points,
        )

        return reference_in
