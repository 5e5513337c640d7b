from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.expectation_out_kernel import (
    ExpectationOutKernel,
    check_expectation_out_kernel,
)

T = TypeVar("T", bound="ExpectationOut")


@_attrs_define
class ExpectationOut:
    """E_P[g] ~ w . g(Y), w = (K + lambda M I)^-1 z, z the release's kernel mean
    embedding at the nodes.

        Attributes:
            value (float): the estimate of the rows' mean of g
            std (float): std of the privacy noise in value (exact for the release's own kernel; where kernel is exact, a
                worst-case bound over the noise's correlations); it does not cover how well the kernel interpolates g between
                the nodes
            approximation_std (float): bound on the rms error the structure's approximation puts into value: 0 with the
                release's own kernel, which has none
            ridge (float): the lambda used
            nodes (int): the number of nodes M
            kernel (ExpectationOutKernel): release: the release's own (random-feature) kernel, whose embedding its answers
                are exactly; exact: the kind's kernel f, for a release whose own is unknown
    """

    value: float
    std: float
    approximation_std: float
    ridge: float
    nodes: int
    kernel: ExpectationOutKernel
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        value = self.value

        std = self.std

        approximation_std = self.approximation_std

        ridge = self.ridge

        nodes = self.nodes

        kernel: str = self.kernel

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "value": value,
                "std": std,
                "approximation_std": approximation_std,
                "ridge": ridge,
                "nodes": nodes,
                "kernel": kernel,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        value = d.pop("value")

        std = d.pop("std")

        approximation_std = d.pop("approximation_std")

        ridge = d.pop("ridge")

        nodes = d.pop("nodes")

        kernel = check_expectation_out_kernel(d.pop("kernel"))

        expectation_out = cls(
            value=value,
            std=std,
            approximation_std=approximation_std,
            ridge=ridge,
            nodes=nodes,
            kernel=kernel,
        )

        expectation_out.additional_properties = d
        return expectation_out

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
