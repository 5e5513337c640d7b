from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.kernel_read_example_params import KernelReadExampleParams
    from ..models.param_read import ParamRead


T = TypeVar("T", bound="KernelRead")


@_attrs_define
class KernelRead:
    """
    Attributes:
        kind (str):
        title (str):
        formula (str): f(x, y): a query at y answers F(y) = sum over the rows x of f(x, y), or its mean
        params (list[ParamRead]):
        mechanisms (list[str]): the noise mechanisms it offers, the default first
        relations (list[str]): the neighbouring relations it supports
        sensitivity (str): the sensitivities its noise is calibrated to, in terms of the parameters
        query_cost (str): the CPU cost of one query point
        derivation (str): the document that derives the sensitivities (path in the repository, with an anchor)
        example_params (KernelReadExampleParams): a small valid build's params
    """

    kind: str
    title: str
    formula: str
    params: list[ParamRead]
    mechanisms: list[str]
    relations: list[str]
    sensitivity: str
    query_cost: str
    derivation: str
    example_params: KernelReadExampleParams
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        title = self.title

        formula = self.formula

        params = []
        for params_item_data in self.params:
            params_item = params_item_data.to_dict()
            params.append(params_item)

        mechanisms = self.mechanisms

        relations = self.relations

        sensitivity = self.sensitivity

        query_cost = self.query_cost

        derivation = self.derivation

        example_params = self.example_params.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "title": title,
                "formula": formula,
                "params": params,
                "mechanisms": mechanisms,
                "relations": relations,
                "sensitivity": sensitivity,
                "query_cost": query_cost,
                "derivation": derivation,
                "example_params": example_params,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.kernel_read_example_params import KernelReadExampleParams
        from ..models.param_read import ParamRead

        d = dict(src_dict)
        kind = d.pop("kind")

        title = d.pop("title")

        formula = d.pop("formula")

        params = []
        _params = d.pop("params")
        for params_item_data in _params:
            params_item = ParamRead.from_dict(params_item_data)

            params.append(params_item)

        mechanisms = cast(list[str], d.pop("mechanisms"))

        relations = cast(list[str], d.pop("relations"))

        sensitivity = d.pop("sensitivity")

        query_cost = d.pop("query_cost")

        derivation = d.pop("derivation")

        example_params = KernelReadExampleParams.from_dict(d.pop("example_params"))

        kernel_read = cls(
            kind=kind,
            title=title,
            formula=formula,
            params=params,
            mechanisms=mechanisms,
            relations=relations,
            sensitivity=sensitivity,
            query_cost=query_cost,
            derivation=derivation,
            example_params=example_params,
        )

        kernel_read.additional_properties = d
        return kernel_read

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
