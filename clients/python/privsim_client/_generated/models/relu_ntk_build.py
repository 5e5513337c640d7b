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
    from ..models.relu_ntk_params import ReluNtkParams


T = TypeVar("T", bound="ReluNtkBuild")


@_attrs_define
class ReluNtkBuild:
    """Build a relu_ntk (ReLU network neural tangent kernel (NTK)): f(x, y) = q_xy (pi - t) / (2 pi) + sqrt(q_xx q_yy) (sin
    t + (pi - t) cos t) / (2 pi), q_xy = <x, y> / d, t = arccos(q_xy / sqrt(q_xx q_yy)) (0 where a norm is 0).

        Attributes:
            kind (Literal['relu_ntk']): the structure kind
            privacy (Budget):
            params (ReluNtkParams | Unset): The params of relu_ntk: ReLU network neural tangent kernel (NTK). f(x, y) = q_xy
                (pi - t) / (2 pi) + sqrt(q_xx q_yy) (sin t + (pi - t) cos t) / (2 pi), q_xy = <x, y> / d, t = arccos(q_xy /
                sqrt(q_xx q_yy)) (0 where a norm is 0).
    """

    kind: Literal["relu_ntk"]
    privacy: Budget
    params: ReluNtkParams | Unset = UNSET

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
        from ..models.relu_ntk_params import ReluNtkParams

        d = dict(src_dict)
        kind = cast(Literal["relu_ntk"], d.pop("kind"))
        if kind != "relu_ntk":
            raise ValueError(f"kind must match const 'relu_ntk', got '{kind}'")

        privacy = Budget.from_dict(d.pop("privacy"))

        _params = d.pop("params", UNSET)
        params: ReluNtkParams | Unset
        if isinstance(_params, Unset):
            params = UNSET
        else:
            params = ReluNtkParams.from_dict(_params)

        relu_ntk_build = cls(
            kind=kind,
            privacy=privacy,
            params=params,
        )

        return relu_ntk_build
