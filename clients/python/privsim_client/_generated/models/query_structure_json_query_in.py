from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.query_structure_json_query_in_reduce import (
    QueryStructureJsonQueryInReduce,
    check_query_structure_json_query_in_reduce,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="QueryStructureJsonQueryIn")


@_attrs_define
class QueryStructureJsonQueryIn:
    """
    Attributes:
        points (list[list[float]]):
        reduce (QueryStructureJsonQueryInReduce | Unset):  Default: 'sum'.
    """

    points: list[list[float]]
    reduce: QueryStructureJsonQueryInReduce | Unset = "sum"

    def to_dict(self) -> dict[str, Any]:
        points = []
        for points_item_data in self.points:
            points_item = points_item_data

            points.append(points_item)

        reduce: str | Unset = UNSET
        if not isinstance(self.reduce, Unset):
            reduce = self.reduce

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "points": points,
            }
        )
        if reduce is not UNSET:
            field_dict["reduce"] = reduce

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        points = []
        _points = d.pop("points")
        for points_item_data in _points:
            points_item = cast(list[float], points_item_data)

            points.append(points_item)

        _reduce = d.pop("reduce", UNSET)
        reduce: QueryStructureJsonQueryInReduce | Unset
        if isinstance(_reduce, Unset):
            reduce = UNSET
        else:
            reduce = check_query_structure_json_query_in_reduce(_reduce)

        query_structure_json_query_in = cls(
            points=points,
            reduce=reduce,
        )

        return query_structure_json_query_in
