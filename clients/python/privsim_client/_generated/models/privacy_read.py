from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.privacy_read_statistics_item import PrivacyReadStatisticsItem


T = TypeVar("T", bound="PrivacyRead")


@_attrs_define
class PrivacyRead:
    """
    Attributes:
        epsilon (float):
        delta (float):
        mechanism (str):
        statistics (list[PrivacyReadStatisticsItem]):
    """

    epsilon: float
    delta: float
    mechanism: str
    statistics: list[PrivacyReadStatisticsItem]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        epsilon = self.epsilon

        delta = self.delta

        mechanism = self.mechanism

        statistics = []
        for statistics_item_data in self.statistics:
            statistics_item = statistics_item_data.to_dict()
            statistics.append(statistics_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "epsilon": epsilon,
                "delta": delta,
                "mechanism": mechanism,
                "statistics": statistics,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.privacy_read_statistics_item import PrivacyReadStatisticsItem

        d = dict(src_dict)
        epsilon = d.pop("epsilon")

        delta = d.pop("delta")

        mechanism = d.pop("mechanism")

        statistics = []
        _statistics = d.pop("statistics")
        for statistics_item_data in _statistics:
            statistics_item = PrivacyReadStatisticsItem.from_dict(statistics_item_data)

            statistics.append(statistics_item)

        privacy_read = cls(
            epsilon=epsilon,
            delta=delta,
            mechanism=mechanism,
            statistics=statistics,
        )

        privacy_read.additional_properties = d
        return privacy_read

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
