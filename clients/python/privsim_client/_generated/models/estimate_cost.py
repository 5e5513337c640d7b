from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="EstimateCost")


@_attrs_define
class EstimateCost:
    """A build's estimated cost, from its parameters and the row count.

    Attributes:
        release_bytes (int):
        build_memory_bytes (int): peak working memory of the build
        build_seconds (float): CPU seconds of the build, on one core
        noise_values (int): privacy noise values the build draws
        query_seconds_per_point (float): CPU seconds per query point
    """

    release_bytes: int
    build_memory_bytes: int
    build_seconds: float
    noise_values: int
    query_seconds_per_point: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        release_bytes = self.release_bytes

        build_memory_bytes = self.build_memory_bytes

        build_seconds = self.build_seconds

        noise_values = self.noise_values

        query_seconds_per_point = self.query_seconds_per_point

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "release_bytes": release_bytes,
                "build_memory_bytes": build_memory_bytes,
                "build_seconds": build_seconds,
                "noise_values": noise_values,
                "query_seconds_per_point": query_seconds_per_point,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        release_bytes = d.pop("release_bytes")

        build_memory_bytes = d.pop("build_memory_bytes")

        build_seconds = d.pop("build_seconds")

        noise_values = d.pop("noise_values")

        query_seconds_per_point = d.pop("query_seconds_per_point")

        estimate_cost = cls(
            release_bytes=release_bytes,
            build_memory_bytes=build_memory_bytes,
            build_seconds=build_seconds,
            noise_values=noise_values,
            query_seconds_per_point=query_seconds_per_point,
        )

        estimate_cost.additional_properties = d
        return estimate_cost

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
