from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.error_model_details import ErrorModelDetails


T = TypeVar("T", bound="ErrorModel")


@_attrs_define
class ErrorModel:
    """A release's error, with the same keys for every kind.

    Attributes:
        noise_std_sum (float): std of the privacy noise in a sum answer (the largest over the domain, or the average
            over queries, where it depends on the query)
        count_noise_std (float): std of the noise in the released count (0 where the count is exact, under replace_one)
        approximation_std_mean (float): bound on the std of the approximation error of a mean answer; 0 for exact
            identities
        details (ErrorModelDetails | Unset): the kind's own figures: per-statistic noise stds (sum_sq_noise_std,
            counts_noise_std, sums_noise_std), quadrature_error, leaf_width_l1, distortion_relative_std
    """

    noise_std_sum: float
    count_noise_std: float
    approximation_std_mean: float
    details: ErrorModelDetails | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        noise_std_sum = self.noise_std_sum

        count_noise_std = self.count_noise_std

        approximation_std_mean = self.approximation_std_mean

        details: dict[str, Any] | Unset = UNSET
        if not isinstance(self.details, Unset):
            details = self.details.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "noise_std_sum": noise_std_sum,
                "count_noise_std": count_noise_std,
                "approximation_std_mean": approximation_std_mean,
            }
        )
        if details is not UNSET:
            field_dict["details"] = details

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.error_model_details import ErrorModelDetails

        d = dict(src_dict)
        noise_std_sum = d.pop("noise_std_sum")

        count_noise_std = d.pop("count_noise_std")

        approximation_std_mean = d.pop("approximation_std_mean")

        _details = d.pop("details", UNSET)
        details: ErrorModelDetails | Unset
        if isinstance(_details, Unset):
            details = UNSET
        else:
            details = ErrorModelDetails.from_dict(_details)

        error_model = cls(
            noise_std_sum=noise_std_sum,
            count_noise_std=count_noise_std,
            approximation_std_mean=approximation_std_mean,
            details=details,
        )

        error_model.additional_properties = d
        return error_model

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
