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
    from ..models.budget import Budget
    from ..models.gaussian_kde_params import GaussianKdeParams


T = TypeVar("T", bound="GaussianKdeBuild")


@_attrs_define
class GaussianKdeBuild:
    """Build a gaussian_kde (Gaussian kernel density): f(x, y) = exp(-||x - y||_2^2 / bandwidth^2).

    Attributes:
        kind (Literal['gaussian_kde']): the structure kind
        params (GaussianKdeParams): The params of gaussian_kde: Gaussian kernel density. f(x, y) = exp(-||x - y||_2^2 /
            bandwidth^2).
        privacy (Budget):
    """

    kind: Literal["gaussian_kde"]
    params: GaussianKdeParams
    privacy: Budget

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        params = self.params.to_dict()

        privacy = self.privacy.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "params": params,
                "privacy": privacy,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.budget import Budget
        from ..models.gaussian_kde_params import GaussianKdeParams

        d = dict(src_dict)
        kind = cast(Literal["gaussian_kde"], d.pop("kind"))
        if kind != "gaussian_kde":
            raise ValueError(f"kind must match const 'gaussian_kde', got '{kind}'")

        params = GaussianKdeParams.from_dict(d.pop("params"))

        privacy = Budget.from_dict(d.pop("privacy"))

        gaussian_kde_build = cls(
            kind=kind,
            params=params,
            privacy=privacy,
        )

        return gaussian_kde_build
