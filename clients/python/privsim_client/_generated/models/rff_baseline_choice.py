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

if TYPE_CHECKING:
    from ..models.rff_baseline_params import RffBaselineParams


T = TypeVar("T", bound="RffBaselineChoice")


@_attrs_define
class RffBaselineChoice:
    """
    Attributes:
        kind (Literal['rff_baseline']): the structure kind
        params (RffBaselineParams): The params of rff_baseline: Gaussian kernel density, random Fourier feature baseline
            (LSQ-RFF). f(x, y) = exp(-||x - y||_2^2 / bandwidth^2).
    """

    kind: Literal["rff_baseline"]
    params: RffBaselineParams

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        params = self.params.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "params": params,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.rff_baseline_params import RffBaselineParams

        d = dict(src_dict)
        kind = cast(Literal["rff_baseline"], d.pop("kind"))
        if kind != "rff_baseline":
            raise ValueError(f"kind must match const 'rff_baseline', got '{kind}'")

        params = RffBaselineParams.from_dict(d.pop("params"))

        rff_baseline_choice = cls(
            kind=kind,
            params=params,
        )

        return rff_baseline_choice
