from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define

T = TypeVar("T", bound="L2BallDomain")


@_attrs_define
class L2BallDomain:
    """
    Attributes:
        type_ (Literal['l2_ball']):
        radius (float):
    """

    type_: Literal["l2_ball"]
    radius: float

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        radius = self.radius

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "radius": radius,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = cast(Literal["l2_ball"], d.pop("type"))
        if type_ != "l2_ball":
            raise ValueError(f"type must match const 'l2_ball', got '{type_}'")

        radius = d.pop("radius")

        l2_ball_domain = cls(
            type_=type_,
            radius=radius,
        )

        return l2_ball_domain
