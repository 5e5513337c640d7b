from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="EstimateError")


@_attrs_define
class EstimateError:
    """The expected error of a build's answers, from public parameters and the row
    count only.

        Attributes:
            noise_std_sum (float): std of the privacy noise in a sum answer at a typical query (the largest over the domain
                where it depends on the query)
            noise_std_mean (float): the same for a mean answer
            approximation_mean (float): bound on the approximation error of a mean answer (random features, projections,
                grids)
            typical_mean (float): a typical mean answer on the declared domain (1 for kernels, the domain's radius for
                distances)
            target_mean (float | None): the accuracy asked for with alpha (null without alpha)
    """

    noise_std_sum: float
    noise_std_mean: float
    approximation_mean: float
    typical_mean: float
    target_mean: float | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        noise_std_sum = self.noise_std_sum

        noise_std_mean = self.noise_std_mean

        approximation_mean = self.approximation_mean

        typical_mean = self.typical_mean

        target_mean: float | None
        target_mean = self.target_mean

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "noise_std_sum": noise_std_sum,
                "noise_std_mean": noise_std_mean,
                "approximation_mean": approximation_mean,
                "typical_mean": typical_mean,
                "target_mean": target_mean,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        noise_std_sum = d.pop("noise_std_sum")

        noise_std_mean = d.pop("noise_std_mean")

        approximation_mean = d.pop("approximation_mean")

        typical_mean = d.pop("typical_mean")

        def _parse_target_mean(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        target_mean = _parse_target_mean(d.pop("target_mean"))

        estimate_error = cls(
            noise_std_sum=noise_std_sum,
            noise_std_mean=noise_std_mean,
            approximation_mean=approximation_mean,
            typical_mean=typical_mean,
            target_mean=target_mean,
        )

        estimate_error.additional_properties = d
        return estimate_error

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
