from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Budget")


@_attrs_define
class Budget:
    """
    Attributes:
        epsilon (float): privacy loss epsilon, from 1e-9 to 1e6
        delta (float | Unset): delta in [0, 1); 0 = pure DP. A dataset's delta must also be below
            PRIVSIM_MAX_BUDGET_DELTA (0.01 by default): a larger delta allows releasing a row outright with that probability
            Default: 0.0.
    """

    epsilon: float
    delta: float | Unset = 0.0

    def to_dict(self) -> dict[str, Any]:
        epsilon = self.epsilon

        delta = self.delta

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "epsilon": epsilon,
            }
        )
        if delta is not UNSET:
            field_dict["delta"] = delta

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        epsilon = d.pop("epsilon")

        delta = d.pop("delta", UNSET)

        budget = cls(
            epsilon=epsilon,
            delta=delta,
        )

        return budget
