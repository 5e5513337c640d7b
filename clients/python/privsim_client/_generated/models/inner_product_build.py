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

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.budget import Budget
    from ..models.inner_product_params import InnerProductParams


T = TypeVar("T", bound="InnerProductBuild")


@_attrs_define
class InnerProductBuild:
    """Build a inner_product (Sum of inner products): f(x, y) = <x, y>.

    Attributes:
        kind (Literal['inner_product']): the structure kind
        privacy (Budget):
        params (InnerProductParams | Unset): The params of inner_product: Sum of inner products. f(x, y) = <x, y>.
    """

    kind: Literal["inner_product"]
    privacy: Budget
    params: InnerProductParams | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        privacy = self.privacy.to_dict()

        params: dict[str, Any] | Unset = UNSET
        if not isinstance(self.params, Unset):
            params = self.params.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "privacy": privacy,
            }
        )
        if params is not UNSET:
            field_dict["params"] = params

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.budget import Budget
        from ..models.inner_product_params import InnerProductParams

        d = dict(src_dict)
        kind = cast(Literal["inner_product"], d.pop("kind"))
        if kind != "inner_product":
            raise ValueError(f"kind must match const 'inner_product', got '{kind}'")

        privacy = Budget.from_dict(d.pop("privacy"))

        _params = d.pop("params", UNSET)
        params: InnerProductParams | Unset
        if isinstance(_params, Unset):
            params = UNSET
        else:
            params = InnerProductParams.from_dict(_params)

        inner_product_build = cls(
            kind=kind,
            privacy=privacy,
            params=params,
        )

        return inner_product_build
