from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.budget_read import BudgetRead
    from ..models.ledger_entry_read import LedgerEntryRead


T = TypeVar("T", bound="LedgerRead")


@_attrs_define
class LedgerRead:
    """
    Attributes:
        dataset_id (UUID):
        budget (BudgetRead):
        entries (list[LedgerEntryRead]):
        next_after (int | None): pass as ?after= for the next page; null on the last page
    """

    dataset_id: UUID
    budget: BudgetRead
    entries: list[LedgerEntryRead]
    next_after: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        dataset_id = str(self.dataset_id)

        budget = self.budget.to_dict()

        entries = []
        for entries_item_data in self.entries:
            entries_item = entries_item_data.to_dict()
            entries.append(entries_item)

        next_after: int | None
        next_after = self.next_after

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "dataset_id": dataset_id,
                "budget": budget,
                "entries": entries,
                "next_after": next_after,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.budget_read import BudgetRead
        from ..models.ledger_entry_read import LedgerEntryRead

        d = dict(src_dict)
        dataset_id = UUID(d.pop("dataset_id"))

        budget = BudgetRead.from_dict(d.pop("budget"))

        entries = []
        _entries = d.pop("entries")
        for entries_item_data in _entries:
            entries_item = LedgerEntryRead.from_dict(entries_item_data)

            entries.append(entries_item)

        def _parse_next_after(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        next_after = _parse_next_after(d.pop("next_after"))

        ledger_read = cls(
            dataset_id=dataset_id,
            budget=budget,
            entries=entries,
            next_after=next_after,
        )

        ledger_read.additional_properties = d
        return ledger_read

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
