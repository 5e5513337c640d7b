from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.query_out_reduce import QueryOutReduce, check_query_out_reduce

T = TypeVar("T", bound="QueryOut")


@_attrs_define
class QueryOut:
    """
    Attributes:
        reduce (QueryOutReduce):
        values (list[float]):
        std (list[float]): std of the privacy noise in each answer
        approximation_std (list[float]): bound on the std of the approximation error (random features, projections) in
            each answer; 0 for exact identities
    """

    reduce: QueryOutReduce
    values: list[float]
    std: list[float]
    approximation_std: list[float]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        reduce: str = self.reduce

        values = self.values

        std = self.std

        approximation_std = self.approximation_std

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "reduce": reduce,
                "values": values,
                "std": std,
                "approximation_std": approximation_std,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        reduce = check_query_out_reduce(d.pop("reduce"))

        values = cast(list[float], d.pop("values"))

        std = cast(list[float], d.pop("std"))

        approximation_std = cast(list[float], d.pop("approximation_std"))

        query_out = cls(
            reduce=reduce,
            values=values,
            std=std,
            approximation_std=approximation_std,
        )

        query_out.additional_properties = d
        return query_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
