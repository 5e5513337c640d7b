from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.ledger_entry_read_entry import (
    LedgerEntryReadEntry,
    check_ledger_entry_read_entry,
)

if TYPE_CHECKING:
    from ..models.ledger_entry_read_mechanism import LedgerEntryReadMechanism


T = TypeVar("T", bound="LedgerEntryRead")


@_attrs_define
class LedgerEntryRead:
    """
    Attributes:
        id (int):
        entry (LedgerEntryReadEntry):
        structure_id (None | UUID):
        epsilon (float): epsilon charged (basic composition)
        delta (float): delta charged (basic composition)
        pure_epsilon (float): epsilon of a pure (Laplace) spend, else 0
        rho (float): zCDP rho: of the Gaussian mechanism, or epsilon^2/2 of a pure spend
        mechanism (LedgerEntryReadMechanism):
        key_id (None | UUID):
        created_at (datetime.datetime):
    """

    id: int
    entry: LedgerEntryReadEntry
    structure_id: None | UUID
    epsilon: float
    delta: float
    pure_epsilon: float
    rho: float
    mechanism: LedgerEntryReadMechanism
    key_id: None | UUID
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        entry: str = self.entry

        structure_id: None | str
        if isinstance(self.structure_id, UUID):
            structure_id = str(self.structure_id)
        else:
            structure_id = self.structure_id

        epsilon = self.epsilon

        delta = self.delta

        pure_epsilon = self.pure_epsilon

        rho = self.rho

        mechanism = self.mechanism.to_dict()

        key_id: None | str
        if isinstance(self.key_id, UUID):
            key_id = str(self.key_id)
        else:
            key_id = self.key_id

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "entry": entry,
                "structure_id": structure_id,
                "epsilon": epsilon,
                "delta": delta,
                "pure_epsilon": pure_epsilon,
                "rho": rho,
                "mechanism": mechanism,
                "key_id": key_id,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.ledger_entry_read_mechanism import LedgerEntryReadMechanism

        d = dict(src_dict)
        id = d.pop("id")

        entry = check_ledger_entry_read_entry(d.pop("entry"))

        def _parse_structure_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                structure_id_type_0 = UUID(data)

                return structure_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        structure_id = _parse_structure_id(d.pop("structure_id"))

        epsilon = d.pop("epsilon")

        delta = d.pop("delta")

        pure_epsilon = d.pop("pure_epsilon")

        rho = d.pop("rho")

        mechanism = LedgerEntryReadMechanism.from_dict(d.pop("mechanism"))

        def _parse_key_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                key_id_type_0 = UUID(data)

                return key_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        key_id = _parse_key_id(d.pop("key_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        ledger_entry_read = cls(
            id=id,
            entry=entry,
            structure_id=structure_id,
            epsilon=epsilon,
            delta=delta,
            pure_epsilon=pure_epsilon,
            rho=rho,
            mechanism=mechanism,
            key_id=key_id,
            created_at=created_at,
        )

        ledger_entry_read.additional_properties = d
        return ledger_entry_read

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
