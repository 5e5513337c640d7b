from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.sq_l2_distance_params_mechanism_type_0 import (
    SqL2DistanceParamsMechanismType0,
    check_sq_l2_distance_params_mechanism_type_0,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="SqL2DistanceParams")


@_attrs_define
class SqL2DistanceParams:
    """The params of sq_l2_distance: Sum of squared l2 distances. f(x, y) = ||x - y||_2^2.

    Attributes:
        mechanism (None | SqL2DistanceParamsMechanismType0 | Unset): noise mechanism: laplace (pure epsilon-DP) or
            gaussian (zCDP, reported as epsilon-delta) Default: 'laplace'.
    """

    mechanism: None | SqL2DistanceParamsMechanismType0 | Unset = "laplace"

    def to_dict(self) -> dict[str, Any]:
        mechanism: None | str | Unset
        if isinstance(self.mechanism, Unset):
            mechanism = UNSET
        elif isinstance(self.mechanism, str):
            mechanism = self.mechanism
        else:
            mechanism = self.mechanism

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if mechanism is not UNSET:
            field_dict["mechanism"] = mechanism

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_mechanism(
            data: object,
        ) -> None | SqL2DistanceParamsMechanismType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                mechanism_type_0 = check_sq_l2_distance_params_mechanism_type_0(data)

                return mechanism_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SqL2DistanceParamsMechanismType0 | Unset, data)

        mechanism = _parse_mechanism(d.pop("mechanism", UNSET))

        sq_l2_distance_params = cls(
            mechanism=mechanism,
        )

        return sq_l2_distance_params
