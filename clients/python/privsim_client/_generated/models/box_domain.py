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

T = TypeVar("T", bound="BoxDomain")


@_attrs_define
class BoxDomain:
    """
    Attributes:
        type_ (Literal['box']):
        low (float | list[float]):
        high (float | list[float]):
    """

    type_: Literal["box"]
    low: float | list[float]
    high: float | list[float]

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        low: float | list[float]
        if isinstance(self.low, list):
            low = self.low

        else:
            low = self.low

        high: float | list[float]
        if isinstance(self.high, list):
            high = self.high

        else:
            high = self.high

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "low": low,
                "high": high,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = cast(Literal["box"], d.pop("type"))
        if type_ != "box":
            raise ValueError(f"type must match const 'box', got '{type_}'")

        def _parse_low(data: object) -> float | list[float]:
            try:
                if not isinstance(data, list):
                    raise TypeError()
                low_type_1 = cast(list[float], data)

                return low_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(float | list[float], data)

        low = _parse_low(d.pop("low"))

        def _parse_high(data: object) -> float | list[float]:
            try:
                if not isinstance(data, list):
                    raise TypeError()
                high_type_1 = cast(list[float], data)

                return high_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(float | list[float], data)

        high = _parse_high(d.pop("high"))

        box_domain = cls(
            type_=type_,
            low=low,
            high=high,
        )

        return box_domain
