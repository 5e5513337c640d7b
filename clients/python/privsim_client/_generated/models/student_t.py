from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="StudentT")


@_attrs_define
class StudentT:
    """An inverse-gamma(a, b) prior on the output scale: a Student-t predictive.

    Attributes:
        a (float): shape a > 0
        b (float): scale b > 0
    """

    a: float
    b: float

    def to_dict(self) -> dict[str, Any]:
        a = self.a

        b = self.b

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "a": a,
                "b": b,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        a = d.pop("a")

        b = d.pop("b")

        student_t = cls(
            a=a,
            b=b,
        )

        return student_t
