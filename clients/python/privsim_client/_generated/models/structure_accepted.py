from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="StructureAccepted")


@_attrs_define
class StructureAccepted:
    """
    Attributes:
        structure_id (UUID):
        job_id (UUID):
        status_url (str):
        job_url (str):
        warnings (list[str] | Unset):
    """

    structure_id: UUID
    job_id: UUID
    status_url: str
    job_url: str
    warnings: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        structure_id = str(self.structure_id)

        job_id = str(self.job_id)

        status_url = self.status_url

        job_url = self.job_url

        warnings: list[str] | Unset = UNSET
        if not isinstance(self.warnings, Unset):
            warnings = self.warnings

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "structure_id": structure_id,
                "job_id": job_id,
                "status_url": status_url,
                "job_url": job_url,
            }
        )
        if warnings is not UNSET:
            field_dict["warnings"] = warnings

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        structure_id = UUID(d.pop("structure_id"))

        job_id = UUID(d.pop("job_id"))

        status_url = d.pop("status_url")

        job_url = d.pop("job_url")

        warnings = cast(list[str], d.pop("warnings", UNSET))

        structure_accepted = cls(
            structure_id=structure_id,
            job_id=job_id,
            status_url=status_url,
            job_url=job_url,
            warnings=warnings,
        )

        structure_accepted.additional_properties = d
        return structure_accepted

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
