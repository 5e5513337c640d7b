from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.estimate_cost import EstimateCost
    from ..models.estimate_error import EstimateError
    from ..models.estimate_out_params import EstimateOutParams
    from ..models.privacy_read import PrivacyRead
    from ..models.remaining import Remaining
    from ..models.spend import Spend


T = TypeVar("T", bound="EstimateOut")


@_attrs_define
class EstimateOut:
    """What a build would cost and deliver; nothing was spent.

    Attributes:
        kind (str):
        params (EstimateOutParams): the parameters with every default filled in
        privacy (PrivacyRead):
        spend (Spend): What a build charges (or would charge).
        affordable (bool): whether that fits the remaining budget now
        remaining (Remaining): What is left of a dataset's budget, by its composition route.
        error (EstimateError): The expected error of a build's answers, from public parameters and the row
            count only.
        minimum_rows (int): rows needed for the privacy noise of a mean answer to meet the target (alpha, or 10% of a
            typical answer without it)
        size_bytes (int):
        cost (EstimateCost): A build's estimated cost, from its parameters and the row count.
        warnings (list[str] | Unset):
    """

    kind: str
    params: EstimateOutParams
    privacy: PrivacyRead
    spend: Spend
    affordable: bool
    remaining: Remaining
    error: EstimateError
    minimum_rows: int
    size_bytes: int
    cost: EstimateCost
    warnings: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        params = self.params.to_dict()

        privacy = self.privacy.to_dict()

        spend = self.spend.to_dict()

        affordable = self.affordable

        remaining = self.remaining.to_dict()

        error = self.error.to_dict()

        minimum_rows = self.minimum_rows

        size_bytes = self.size_bytes

        cost = self.cost.to_dict()

        warnings: list[str] | Unset = UNSET
        if not isinstance(self.warnings, Unset):
            warnings = self.warnings

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "params": params,
                "privacy": privacy,
                "spend": spend,
                "affordable": affordable,
                "remaining": remaining,
                "error": error,
                "minimum_rows": minimum_rows,
                "size_bytes": size_bytes,
                "cost": cost,
            }
        )
        if warnings is not UNSET:
            field_dict["warnings"] = warnings

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.estimate_cost import EstimateCost
        from ..models.estimate_error import EstimateError
        from ..models.estimate_out_params import EstimateOutParams
        from ..models.privacy_read import PrivacyRead
        from ..models.remaining import Remaining
        from ..models.spend import Spend

        d = dict(src_dict)
        kind = d.pop("kind")

        params = EstimateOutParams.from_dict(d.pop("params"))

        privacy = PrivacyRead.from_dict(d.pop("privacy"))

        spend = Spend.from_dict(d.pop("spend"))

        affordable = d.pop("affordable")

        remaining = Remaining.from_dict(d.pop("remaining"))

        error = EstimateError.from_dict(d.pop("error"))

        minimum_rows = d.pop("minimum_rows")

        size_bytes = d.pop("size_bytes")

        cost = EstimateCost.from_dict(d.pop("cost"))

        warnings = cast(list[str], d.pop("warnings", UNSET))

        estimate_out = cls(
            kind=kind,
            params=params,
            privacy=privacy,
            spend=spend,
            affordable=affordable,
            remaining=remaining,
            error=error,
            minimum_rows=minimum_rows,
            size_bytes=size_bytes,
            cost=cost,
            warnings=warnings,
        )

        estimate_out.additional_properties = d
        return estimate_out

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
