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
    from ..models.l1_distance_params import L1DistanceParams


T = TypeVar("T", bound="L1DistanceBuild")


@_attrs_define
class L1DistanceBuild:
    """Build a l1_distance (Sum of l1 distances): f(x, y) = ||x - y||_1.

    Attributes:
        kind (Literal['l1_distance']): the structure kind
        privacy (Budget):
        params (L1DistanceParams | Unset): The params of l1_distance: Sum of l1 distances. f(x, y) = ||x - y||_1.
    """

    kind: Literal["l1_distance"]
    privacy: Budget
    params: L1DistanceParams | Unset = UNSET

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
        from ..models.l1_distance_params import L1DistanceParams

        d = dict(src_dict)
        kind = cast(Literal["l1_distance"], d.pop("kind"))
        if kind != "l1_distance":
            raise ValueError(f"kind must match const 'l1_distance', got '{kind}'")

        privacy = Budget.from_dict(d.pop("privacy"))

        _params = d.pop("params", UNSET)
        params: L1DistanceParams | Unset
        if isinstance(_params, Unset):
            params = UNSET
        else:
            params = L1DistanceParams.from_dict(_params)

        l1_distance_build = cls(
            kind=kind,
            privacy=privacy,
            params=params,
        )

        return l1_distance_build
