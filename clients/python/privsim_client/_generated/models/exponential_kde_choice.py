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
    from ..models.exponential_kde_params import ExponentialKdeParams


T = TypeVar("T", bound="ExponentialKdeChoice")


@_attrs_define
class ExponentialKdeChoice:
    """
    Attributes:
        kind (Literal['exponential_kde']): the structure kind
        params (ExponentialKdeParams): The params of exponential_kde: Exponential kernel density. f(x, y) = exp(-||x -
            y||_2 / bandwidth).
    """

    kind: Literal["exponential_kde"]
    params: ExponentialKdeParams

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
        from ..models.exponential_kde_params import ExponentialKdeParams

        d = dict(src_dict)
        kind = cast(Literal["exponential_kde"], d.pop("kind"))
        if kind != "exponential_kde":
            raise ValueError(f"kind must match const 'exponential_kde', got '{kind}'")

        params = ExponentialKdeParams.from_dict(d.pop("params"))

        exponential_kde_choice = cls(
            kind=kind,
            params=params,
        )

        return exponential_kde_choice
