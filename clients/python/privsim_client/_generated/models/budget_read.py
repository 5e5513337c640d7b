from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.amount import Amount


T = TypeVar("T", bound="BudgetRead")


@_attrs_define
class BudgetRead:
    """
    Attributes:
        epsilon (Amount):
        delta (Amount):
        accounting (str): the dataset's composition route (basic or zcdp), by which the spends compose into the figure
            shown
    """

    epsilon: Amount
    delta: Amount
    accounting: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        epsilon = self.epsilon.to_dict()

        delta = self.delta.to_dict()

        accounting = self.accounting

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "epsilon": epsilon,
                "delta": delta,
                "accounting": accounting,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.amount import Amount

        d = dict(src_dict)
        epsilon = Amount.from_dict(d.pop("epsilon"))

        delta = Amount.from_dict(d.pop("delta"))

        accounting = d.pop("accounting")

        budget_read = cls(
            epsilon=epsilon,
            delta=delta,
            accounting=accounting,
        )

        budget_read.additional_properties = d
        return budget_read

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
