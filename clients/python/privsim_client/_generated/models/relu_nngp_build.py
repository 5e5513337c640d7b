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

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.budget import Budget
    from ..models.relu_nngp_params import ReluNngpParams


T = TypeVar("T", bound="ReluNngpBuild")


@_attrs_define
class ReluNngpBuild:
    """Build a relu_nngp (ReLU network Gaussian process (NNGP, arc-cosine) kernel): f(x, y) = sqrt(q_xx q_yy) (sin t + (pi
    - t) cos t) / (2 pi), q_xy = <x, y> / d, t = arccos(q_xy / sqrt(q_xx q_yy)) (0 where a norm is 0).

        Attributes:
            kind (Literal['relu_nngp']): the structure kind
            privacy (Budget):
            params (ReluNngpParams | Unset): The params of relu_nngp: ReLU network Gaussian process (NNGP, arc-cosine)
                kernel. f(x, y) = sqrt(q_xx q_yy) (sin t + (pi - t) cos t) / (2 pi), q_xy = <x, y> / d, t = arccos(q_xy /
                sqrt(q_xx q_yy)) (0 where a norm is 0).
    """

    kind: Literal["relu_nngp"]
    privacy: Budget
    params: ReluNngpParams | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        privacy = self.privacy.to_dict()

        params: dict[str, Any] | Unset = UNSET
        if not isinstance(self.params, Unset):
            params = self.params.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "privacy": privacy,
            }
        )
        if params is not UNSET:
            field_dict["params"] = params

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.budget import Budget
        from ..models.relu_nngp_params import ReluNngpParams

        d = dict(src_dict)
        kind = cast(Literal["relu_nngp"], d.pop("kind"))
        if kind != "relu_nngp":
            raise ValueError(f"kind must match const 'relu_nngp', got '{kind}'")

        privacy = Budget.from_dict(d.pop("privacy"))

        _params = d.pop("params", UNSET)
        params: ReluNngpParams | Unset
        if isinstance(_params, Unset):
            params = UNSET
        else:
            params = ReluNngpParams.from_dict(_params)

        relu_nngp_build = cls(
            kind=kind,
            privacy=privacy,
            params=params,
        )

        return relu_nngp_build
