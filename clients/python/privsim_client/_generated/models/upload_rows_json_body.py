from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="UploadRowsJsonBody")


@_attrs_define
class UploadRowsJsonBody:
    """
    Attributes:
        rows (list[list[float]]):
        labels (list[int] | Unset):
    """

    rows: list[list[float]]
    labels: list[int] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        rows = []
        for rows_item_data in self.rows:
            rows_item = rows_item_data

            rows.append(rows_item)

        labels: list[int] | Unset = UNSET
        if not isinstance(self.labels, Unset):
            labels = self.labels

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "rows": rows,
            }
        )
        if labels is not UNSET:
            field_dict["labels"] = labels

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        rows = []
        _rows = d.pop("rows")
        for rows_item_data in _rows:
            rows_item = cast(list[float], rows_item_data)

            rows.append(rows_item)

        labels = cast(list[int], d.pop("labels", UNSET))

        upload_rows_json_body = cls(
            rows=rows,
            labels=labels,
        )

        return upload_rows_json_body
