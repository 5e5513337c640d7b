from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.dataset_create_accounting_type_0 import (
    DatasetCreateAccountingType0,
    check_dataset_create_accounting_type_0,
)
from ..models.dataset_create_neighbouring import (
    DatasetCreateNeighbouring,
    check_dataset_create_neighbouring,
)
from ..models.dataset_create_on_out_of_domain import (
    DatasetCreateOnOutOfDomain,
    check_dataset_create_on_out_of_domain,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.box_domain import BoxDomain
    from ..models.budget import Budget
    from ..models.l2_ball_domain import L2BallDomain


T = TypeVar("T", bound="DatasetCreate")


@_attrs_define
class DatasetCreate:
    """
    Attributes:
        name (str):
        dim (int):
        domain (BoxDomain | L2BallDomain):
        budget (Budget):
        neighbouring (DatasetCreateNeighbouring | Unset):  Default: 'add_remove'.
        on_out_of_domain (DatasetCreateOnOutOfDomain | Unset): 'reject' only with neighbouring 'add_remove' Default:
            'clip'.
        labelled (bool | Unset): rows carry a label; implied by classes or label_range, one of which a labelled dataset
            declares Default: False.
        classes (list[int] | None | Unset): a classifier's dataset: its integer labels, distinct, declared before any
            row (which classes exist must not depend on the data); labels outside are refused at upload
        label_range (list[float] | None | Unset): a regressor's dataset: [lo, hi], the public range of its numeric
            labels; labels outside are refused at upload
        accounting (DatasetCreateAccountingType0 | None | Unset): how the dataset's spends compose, fixed for good:
            'basic' (epsilons and deltas add up) or 'zcdp' (every spend as zCDP rho, converted at the budget's delta; needs
            delta > 0; cheaper for several Gaussian builds). Default: 'basic'
    """

    name: str
    dim: int
    domain: BoxDomain | L2BallDomain
    budget: Budget
    neighbouring: DatasetCreateNeighbouring | Unset = "add_remove"
    on_out_of_domain: DatasetCreateOnOutOfDomain | Unset = "clip"
    labelled: bool | Unset = False
    classes: list[int] | None | Unset = UNSET
    label_range: list[float] | None | Unset = UNSET
    accounting: DatasetCreateAccountingType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.l2_ball_domain import L2BallDomain

        name = self.name

        dim = self.dim

        domain: dict[str, Any]
        if isinstance(self.domain, L2BallDomain):
            domain = self.domain.to_dict()
        else:
            domain = self.domain.to_dict()

        budget = self.budget.to_dict()

        neighbouring: str | Unset = UNSET
        if not isinstance(self.neighbouring, Unset):
            neighbouring = self.neighbouring

        on_out_of_domain: str | Unset = UNSET
        if not isinstance(self.on_out_of_domain, Unset):
            on_out_of_domain = self.on_out_of_domain

        labelled = self.labelled

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

        accounting: None | str | Unset
        if isinstance(self.accounting, Unset):
            accounting = UNSET
        elif isinstance(self.accounting, str):
            accounting = self.accounting
        else:
            accounting = self.accounting

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "dim": dim,
                "domain": domain,
                "budget": budget,
            }
        )
        if neighbouring is not UNSET:
            field_dict["neighbouring"] = neighbouring
        if on_out_of_domain is not UNSET:
            field_dict["on_out_of_domain"] = on_out_of_domain
        if labelled is not UNSET:
            field_dict["labelled"] = labelled
        if classes is not UNSET:
            field_dict["classes"] = classes
        if label_range is not UNSET:
            field_dict["label_range"] = label_range
        if accounting is not UNSET:
            field_dict["accounting"] = accounting

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.box_domain import BoxDomain
        from ..models.budget import Budget
        from ..models.l2_ball_domain import L2BallDomain

        d = dict(src_dict)
        name = d.pop("name")

        dim = d.pop("dim")

        def _parse_domain(data: object) -> BoxDomain | L2BallDomain:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                domain_type_0 = L2BallDomain.from_dict(data)

                return domain_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            domain_type_1 = BoxDomain.from_dict(data)

            return domain_type_1

        domain = _parse_domain(d.pop("domain"))

        budget = Budget.from_dict(d.pop("budget"))

        _neighbouring = d.pop("neighbouring", UNSET)
        neighbouring: DatasetCreateNeighbouring | Unset
        if isinstance(_neighbouring, Unset):
            neighbouring = UNSET
        else:
            neighbouring = check_dataset_create_neighbouring(_neighbouring)

        _on_out_of_domain = d.pop("on_out_of_domain", UNSET)
        on_out_of_domain: DatasetCreateOnOutOfDomain | Unset
        if isinstance(_on_out_of_domain, Unset):
            on_out_of_domain = UNSET
        else:
            on_out_of_domain = check_dataset_create_on_out_of_domain(_on_out_of_domain)

        labelled = d.pop("labelled", UNSET)

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

        def _parse_accounting(
            data: object,
        ) -> DatasetCreateAccountingType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                accounting_type_0 = check_dataset_create_accounting_type_0(data)

                return accounting_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DatasetCreateAccountingType0 | None | Unset, data)

        accounting = _parse_accounting(d.pop("accounting", UNSET))

        dataset_create = cls(
            name=name,
            dim=dim,
            domain=domain,
            budget=budget,
            neighbouring=neighbouring,
            on_out_of_domain=on_out_of_domain,
            labelled=labelled,
            classes=classes,
            label_range=label_range,
            accounting=accounting,
        )

        return dataset_create
