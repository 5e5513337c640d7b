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
    from ..models.sq_l2_distance_params import SqL2DistanceParams


T = TypeVar("T", bound="SqL2DistanceBuild")


@_attrs_define
class SqL2DistanceBuild:
    """Build a sq_l2_distance (Sum of squared l2 distances): f(x, y) = ||x - y||_2^2.

    Attributes:
        kind (Literal['sq_l2_distance']): the structure kind
        privacy (Budget):
        params (SqL2DistanceParams | Unset): The params of sq_l2_distance: Sum of squared l2 distances. f(x, y) = ||x -
            y||_2^2.
    """

    kind: Literal["sq_l2_distance"]
    privacy: Budget
    params: SqL2DistanceParams | Unset = UNSET

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
        from ..models.sq_l2_distance_params import SqL2DistanceParams

        d = dict(src_dict)
        kind = cast(Literal["sq_l2_distance"], d.pop("kind"))
        if kind != "sq_l2_distance":
            raise ValueError(f"kind must match const 'sq_l2_distance', got '{kind}'")

        privacy = Budget.from_dict(d.pop("privacy"))

        _params = d.pop("params", UNSET)
        params: SqL2DistanceParams | Unset
        if isinstance(_params, Unset):
            params = UNSET
        else:
            params = SqL2DistanceParams.from_dict(_params)

        sq_l2_distance_build = cls(
            kind=kind,
            privacy=privacy,
            params=params,
        )

        return sq_l2_distance_build
