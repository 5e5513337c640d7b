from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.budget_read import BudgetRead
    from ..models.dataset_read_domain import DatasetReadDomain


T = TypeVar("T", bound="DatasetRead")


@_attrs_define
class DatasetRead:
    """
    Attributes:
        id (UUID):
        name (str):
        dim (int):
        domain (DatasetReadDomain):
        neighbouring (str):
        on_out_of_domain (str):
        labelled (bool):
        accounting (str): the composition route, fixed at creation: basic or zcdp
        budget (BudgetRead):
        created_at (datetime.datetime):
        rows_purged_at (datetime.datetime | None):
        row_count (int | None | Unset): shown to the owner and admins only
        classes (list[int] | None | Unset): the declared classes
        label_range (list[float] | None | Unset): the declared label range
    """

    id: UUID
    name: str
    dim: int
    domain: DatasetReadDomain
    neighbouring: str
    on_out_of_domain: str
    labelled: bool
    accounting: str
    budget: BudgetRead
    created_at: datetime.datetime
    rows_purged_at: datetime.datetime | None
    row_count: int | None | Unset = UNSET
    classes: list[int] | None | Unset = UNSET
    label_range: list[float] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        name = self.name

        dim = self.dim

        domain = self.domain.to_dict()

        neighbouring = self.neighbouring

        on_out_of_domain = self.on_out_of_domain

        labelled = self.labelled

        accounting = self.accounting

        budget = self.budget.to_dict()

        created_at = self.created_at.isoformat()

        rows_purged_at: None | str
        if isinstance(self.rows_purged_at, datetime.datetime):
            rows_purged_at = self.rows_purged_at.isoformat()
        else:
            rows_purged_at = self.rows_purged_at

        row_count: int | None | Unset
        if isinstance(self.row_count, Unset):
            row_count = UNSET
        else:
            row_count = self.row_count

        classes: list[int] | None | Unset
        if isinstance(self.classes, Unset):
            classes = UNSET
        elif isinstance(self.classes, list):
            classes = self.classes

        else:
            classes = self.classes

        label_range: list[float] | None | Unset
        if isinstance(self.label_range, Unset):
            label_range = UNSET
        elif isinstance(self.label_range, list):
            label_range = self.label_range

        else:
            label_range = self.label_range

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "dim": dim,
                "domain": domain,
                "neighbouring": neighbouring,
                "on_out_of_domain": on_out_of_domain,
                "labelled": labelled,
                "accounting": accounting,
                "budget": budget,
                "created_at": created_at,
                "rows_purged_at": rows_purged_at,
            }
        )
        if row_count is not UNSET:
            field_dict["row_count"] = row_count
        if classes is not UNSET:
            field_dict["classes"] = classes
        if label_range is not UNSET:
            field_dict["label_range"] = label_range

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.budget_read import BudgetRead
        from ..models.dataset_read_domain import DatasetReadDomain

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        name = d.pop("name")

        dim = d.pop("dim")

        domain = DatasetReadDomain.from_dict(d.pop("domain"))

        neighbouring = d.pop("neighbouring")

        on_out_of_domain = d.pop("on_out_of_domain")

        labelled = d.pop("labelled")

        accounting = d.pop("accounting")

        budget = BudgetRead.from_dict(d.pop("budget"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_rows_purged_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                rows_purged_at_type_0 = datetime.datetime.fromisoformat(data)

                return rows_purged_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        rows_purged_at = _parse_rows_purged_at(d.pop("rows_purged_at"))

        def _parse_row_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        row_count = _parse_row_count(d.pop("row_count", UNSET))

        def _parse_classes(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                classes_type_0 = cast(list[int], data)

                return classes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        classes = _parse_classes(d.pop("classes", UNSET))

        def _parse_label_range(data: object) -> list[float] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                label_range_type_0 = cast(list[float], data)

                return label_range_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[float] | None | Unset, data)

        label_range = _parse_label_range(d.pop("label_range", UNSET))

        dataset_read = cls(
            id=id,
            name=name,
            dim=dim,
            domain=domain,
            neighbouring=neighbouring,
            on_out_of_domain=on_out_of_domain,
            labelled=labelled,
            accounting=accounting,
            budget=budget,
            created_at=created_at,
            rows_purged_at=rows_purged_at,
            row_count=row_count,
            classes=classes,
            label_range=label_range,
        )

        dataset_read.additional_properties = d
        return dataset_read

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
