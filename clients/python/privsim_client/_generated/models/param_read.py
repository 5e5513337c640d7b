from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.param_read_type import ParamReadType, check_param_read_type

T = TypeVar("T", bound="ParamRead")


@_attrs_define
class ParamRead:
    """
    Attributes:
        name (str):
        type_ (ParamReadType):
        meaning (str):
        required (bool):
        default (float | int | None | str): the value taken when the parameter is absent (null: required, or derived as
            'derived' says)
        derived (None | str): how the value is derived when absent
        minimum (float | None): smallest allowed value (inclusive)
        maximum (float | None): largest allowed value (inclusive)
        choices (list[str] | None): the allowed values of a string
        nullable (bool): whether an explicit null is accepted
    """

    name: str
    type_: ParamReadType
    meaning: str
    required: bool
    default: float | int | None | str
    derived: None | str
    minimum: float | None
    maximum: float | None
    choices: list[str] | None
    nullable: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        type_: str = self.type_

        meaning = self.meaning

        required = self.required

        default: float | int | None | str
        default = self.default

        derived: None | str
        derived = self.derived

        minimum: float | None
        minimum = self.minimum

        maximum: float | None
        maximum = self.maximum

        choices: list[str] | None
        if isinstance(self.choices, list):
            choices = self.choices

        else:
            choices = self.choices

        nullable = self.nullable

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "type": type_,
                "meaning": meaning,
                "required": required,
                "default": default,
                "derived": derived,
                "minimum": minimum,
                "maximum": maximum,
                "choices": choices,
                "nullable": nullable,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        type_ = check_param_read_type(d.pop("type"))

        meaning = d.pop("meaning")

        required = d.pop("required")

        def _parse_default(data: object) -> float | int | None | str:
            if data is None:
                return data
            return cast(float | int | None | str, data)

        default = _parse_default(d.pop("default"))

        def _parse_derived(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        derived = _parse_derived(d.pop("derived"))

        def _parse_minimum(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        minimum = _parse_minimum(d.pop("minimum"))

        def _parse_maximum(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        maximum = _parse_maximum(d.pop("maximum"))

        def _parse_choices(data: object) -> list[str] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                choices_type_0 = cast(list[str], data)

                return choices_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None, data)

        choices = _parse_choices(d.pop("choices"))

        nullable = d.pop("nullable")

        param_read = cls(
            name=name,
            type_=type_,
            meaning=meaning,
            required=required,
            default=default,
            derived=derived,
            minimum=minimum,
            maximum=maximum,
            choices=choices,
            nullable=nullable,
        )

        param_read.additional_properties = d
        return param_read

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
