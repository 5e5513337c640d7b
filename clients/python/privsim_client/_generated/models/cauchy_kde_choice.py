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
    from ..models.cauchy_kde_params import CauchyKdeParams


T = TypeVar("T", bound="CauchyKdeChoice")


@_attrs_define
class CauchyKdeChoice:
    """
    Attributes:
        kind (Literal['cauchy_kde']): the structure kind
        params (CauchyKdeParams): The params of cauchy_kde: Cauchy (smooth) kernel density as a sum of exponentials.
            f(x, y) = 1 / (1 + h(x, y)), h = ||x - y||_2^2 / bandwidth^2 (metric_input sq_l2), ||x - y||_2 / bandwidth (l2)
            or ||x - y||_1 / bandwidth (l1).
    """

    kind: Literal["cauchy_kde"]
    params: CauchyKdeParams

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
        from ..models.cauchy_kde_params import CauchyKdeParams

        d = dict(src_dict)
        kind = cast(Literal["cauchy_kde"], d.pop("kind"))
        if kind != "cauchy_kde":
            raise ValueError(f"kind must match const 'cauchy_kde', got '{kind}'")

        params = CauchyKdeParams.from_dict(d.pop("params"))

        cauchy_kde_choice = cls(
            kind=kind,
            params=params,
        )

        return cauchy_kde_choice
