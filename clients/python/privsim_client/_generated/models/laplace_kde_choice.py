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
    from ..models.laplace_kde_params import LaplaceKdeParams


T = TypeVar("T", bound="LaplaceKdeChoice")


@_attrs_define
class LaplaceKdeChoice:
    """
    Attributes:
        kind (Literal['laplace_kde']): the structure kind
        params (LaplaceKdeParams): The params of laplace_kde: Laplace (l1) kernel density. f(x, y) = exp(-||x - y||_1 /
            bandwidth).
    """

    kind: Literal["laplace_kde"]
    params: LaplaceKdeParams

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
        from ..models.laplace_kde_params import LaplaceKdeParams

        d = dict(src_dict)
        kind = cast(Literal["laplace_kde"], d.pop("kind"))
        if kind != "laplace_kde":
            raise ValueError(f"kind must match const 'laplace_kde', got '{kind}'")

        params = LaplaceKdeParams.from_dict(d.pop("params"))

        laplace_kde_choice = cls(
            kind=kind,
            params=params,
        )

        return laplace_kde_choice
