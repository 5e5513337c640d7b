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
    from ..models.l2_distance_params import L2DistanceParams


T = TypeVar("T", bound="L2DistanceChoice")


@_attrs_define
class L2DistanceChoice:
    """
    Attributes:
        kind (Literal['l2_distance']): the structure kind
        params (L2DistanceParams | Unset): The params of l2_distance: Sum of l2 distances (oblivious l2 -> l1
            embedding). f(x, y) = ||x - y||_2.
    """

    kind: Literal["l2_distance"]
    params: L2DistanceParams | Unset = UNSET

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
        from ..models.l2_distance_params import L2DistanceParams

        d = dict(src_dict)
        kind = cast(Literal["l2_distance"], d.pop("kind"))
        if kind != "l2_distance":
            raise ValueError(f"kind must match const 'l2_distance', got '{kind}'")

        _params = d.pop("params", UNSET)
        params: L2DistanceParams | Unset
        if isinstance(_params, Unset):
            params = UNSET
        else:
            params = L2DistanceParams.from_dict(_params)

        l2_distance_choice = cls(
            kind=kind,
            params=params,
        )

        return l2_distance_choice
