from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.kernel_in_params import KernelInParams


T = TypeVar("T", bound="KernelIn")


@_attrs_define
class KernelIn:
    """A positive-definite kernel kind of the catalog (``GET /v1/kernels``) with its
    params; the exact kernel, not a random-feature estimate. Distance kinds are refused.

        Attributes:
            kind (str): gaussian_kde, exponential_kde, laplace_kde, cauchy_kde, vmf_kde, rff_baseline (the Gaussian),
                relu_nngp, relu_ntk or inner_product
            params (KernelInParams | Unset): the kind's params as for a build (bandwidth, kappa, ...); feature-size params
                are checked and ignored
    """

    kind: str
    params: KernelInParams | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        params: dict[str, Any] | Unset = UNSET
        if not isinstance(self.params, Unset):
            params = self.params.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
            }
        )
        if params is not UNSET:
            field_dict["params"] = params

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.kernel_in_params import KernelInParams

        d = dict(src_dict)
        kind = d.pop("kind")

        _params = d.pop("params", UNSET)
        params: KernelInParams | Unset
        if isinstance(_params, Unset):
            params = UNSET
        else:
            params = KernelInParams.from_dict(_params)

        kernel_in = cls(
            kind=kind,
            params=params,
        )

        return kernel_in
