from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.structure_read import StructureRead


T = TypeVar("T", bound="StructurePage")


@_attrs_define
class StructurePage:
    """One page of structures, oldest first.

    Attributes:
        structures (list[StructureRead]):
        next_after (None | str): pass as ?after= for the next page; null on the last page
    """

    structures: list[StructureRead]
    next_after: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        structures = []
        for structures_item_data in self.structures:
            structures_item = structures_item_data.to_dict()
            structures.append(structures_item)

        next_after: None | str
        next_after = self.next_after

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "structures": structures,
                "next_after": next_after,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.structure_read import StructureRead

        d = dict(src_dict)
        structures = []
        _structures = d.pop("structures")
        for structures_item_data in _structures:
            structures_item = StructureRead.from_dict(structures_item_data)

            structures.append(structures_item)

        def _parse_next_after(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_after = _parse_next_after(d.pop("next_after"))

        structure_page = cls(
            structures=structures,
            next_after=next_after,
        )

        structure_page.additional_properties = d
        return structure_page

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
