from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ModelTargets")


@_attrs_define
class ModelTargets:
    """Training targets read from a released DP model at the training points x (the
    model's predict route: its access rule and audit record; post-processing, nothing
    is spent): a regressor's values, or a classifier's probability of ``label``.

        Attributes:
            model_id (UUID): a ready classifier or regressor the key may use
            label (int | None | Unset): classifier only: the class whose probability is the target
    """

    model_id: UUID
    label: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        model_id = str(self.model_id)

        label: int | None | Unset
        if isinstance(self.label, Unset):
            label = UNSET
        else:
            label = self.label

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "model_id": model_id,
            }
        )
        if label is not UNSET:
            field_dict["label"] = label

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        model_id = UUID(d.pop("model_id"))

        def _parse_label(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        label = _parse_label(d.pop("label", UNSET))

        model_targets = cls(
            model_id=model_id,
            label=label,
        )

        return model_targets
