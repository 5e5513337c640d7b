from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.kernel_read import KernelRead


T = TypeVar("T", bound="KernelCatalog")


@_attrs_define
class KernelCatalog:
    """
    Attributes:
        kernels (list[KernelRead]):
    """

    kernels: list[KernelRead]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kernels = []
        for kernels_item_data in self.kernels:
            kernels_item = kernels_item_data.to_dict()
            kernels.append(kernels_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kernels": kernels,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.kernel_read import KernelRead

        d = dict(src_dict)
        kernels = []
        _kernels = d.pop("kernels")
        for kernels_item_data in _kernels:
            kernels_item = KernelRead.from_dict(kernels_item_data)

            kernels.append(kernels_item)

        kernel_catalog = cls(
            kernels=kernels,
        )

        kernel_catalog.additional_properties = d
        return kernel_catalog

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
