from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

from ..models.role import Role, check_role
from ..types import UNSET, Unset

T = TypeVar("T", bound="KeyCreate")


@_attrs_define
class KeyCreate:
    """
    Attributes:
        role (Role):
        name (str):
        dataset_ids (list[UUID] | Unset):
    """

    role: Role
    name: str
    dataset_ids: list[UUID] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        role: str = self.role

        name = self.name

        dataset_ids: list[str] | Unset = UNSET
        if not isinstance(self.dataset_ids, Unset):
            dataset_ids = []
            for dataset_ids_item_data in self.dataset_ids:
                dataset_ids_item = str(dataset_ids_item_data)
                dataset_ids.append(dataset_ids_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "role": role,
                "name": name,
            }
        )
        if dataset_ids is not UNSET:
            field_dict["dataset_ids"] = dataset_ids

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        role = check_role(d.pop("role"))

        name = d.pop("name")

        _dataset_ids = d.pop("dataset_ids", UNSET)
        dataset_ids: list[UUID] | Unset = UNSET
        if _dataset_ids is not UNSET:
            dataset_ids = []
            for dataset_ids_item_data in _dataset_ids:
                dataset_ids_item = UUID(dataset_ids_item_data)

                dataset_ids.append(dataset_ids_item)

        key_create = cls(
            role=role,
            name=name,
            dataset_ids=dataset_ids,
        )

        return key_create
