from __future__ import annotations

from collections.abc import Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.vmf_kde_params import VmfKdeParams


T = TypeVar("T", bound="VmfKdeChoice")


@_attrs_define
class VmfKdeChoice:
    """
    Attributes:
        kind (Literal['vmf_kde']): the structure kind
        params (VmfKdeParams): The params of vmf_kde: von Mises-Fisher (cosine) kernel density on the unit sphere. f(x,
            y) = exp(kappa (x.y - 1)), x and y normalised to unit l2 norm.
    """

    kind: Literal["vmf_kde"]
    params: VmfKdeParams

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        params = self.params.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "params": params,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.vmf_kde_params import VmfKdeParams

        d = dict(src_dict)
        kind = cast(Literal["vmf_kde"], d.pop("kind"))
        if kind != "vmf_kde":
            raise ValueError(f"kind must match const 'vmf_kde', got '{kind}'")

        params = VmfKdeParams.from_dict(d.pop("params"))

        vmf_kde_choice = cls(
            kind=kind,
            params=params,
        )

        return vmf_kde_choice
