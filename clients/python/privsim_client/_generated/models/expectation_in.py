from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ExpectationIn")


@_attrs_define
class ExpectationIn:
    """Public nodes y_1..y_M (rows of the dataset's dimension) and the values g(y_j) of a
    public function there (a public model's loss, say).

        Attributes:
            nodes (list[list[float]]): the public nodes, M rows of the dataset's dimension (1 <= M <= 1024); spread them
                over where the data may lie
            values (list[float]): g at each node, in the nodes' order
            ridge (float | None | Unset): lambda in (K + lambda M I)^-1; null (the default) chooses it from the noise: the
                mean noise variance of the embedding at the nodes over the kernel's scale
    """

    nodes: list[list[float]]
    values: list[float]
    ridge: float | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        nodes = []
        for nodes_item_data in self.nodes:
            nodes_item = nodes_item_data

            nodes.append(nodes_item)

        values = self.values

        ridge: float | None | Unset
        if isinstance(self.ridge, Unset):
            ridge = UNSET
        else:
            ridge = self.ridge

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "nodes": nodes,
                "values": values,
            }
        )
        if ridge is not UNSET:
            field_dict["ridge"] = ridge

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        nodes = []
        _nodes = d.pop("nodes")
        for nodes_item_data in _nodes:
            nodes_item = cast(list[float], nodes_item_data)

            nodes.append(nodes_item)

        values = cast(list[float], d.pop("values"))

        def _parse_ridge(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        ridge = _parse_ridge(d.pop("ridge", UNSET))

        expectation_in = cls(
            nodes=nodes,
            values=values,
            ridge=ridge,
        )

        return expectation_in
