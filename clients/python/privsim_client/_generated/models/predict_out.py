from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PredictOut")


@_attrs_define
class PredictOut:
    """
    Attributes:
        labels (list[int] | None | Unset): classifier: the most likely class of each point
        scores (list[list[float]] | None | Unset): classifier: per point, the probability of each declared class (in the
            order of the dataset's classes), from answers floored at their noise std
        classes (list[int] | None | Unset): classifier: the classes, in the order of the scores
        values (list[float] | None | Unset): regressor: the Nadaraya-Watson prediction; vmf: the log density
        std (list[float] | None | Unset): std of each value from the privacy noise (first order)
    """

    labels: list[int] | None | Unset = UNSET
    scores: list[list[float]] | None | Unset = UNSET
    classes: list[int] | None | Unset = UNSET
    values: list[float] | None | Unset = UNSET
    std: list[float] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        labels: list[int] | None | Unset
        if isinstance(self.labels, Unset):
            labels = UNSET
        elif isinstance(self.labels, list):
            labels = self.labels

        else:
            labels = self.labels

        scores: list[list[float]] | None | Unset
        if isinstance(self.scores, Unset):
            scores = UNSET
        elif isinstance(self.scores, list):
            scores = []
            for scores_type_0_item_data in self.scores:
                scores_type_0_item = scores_type_0_item_data

                scores.append(scores_type_0_item)

        else:
            scores = self.scores

        classes: list[int] | None | Unset
        if isinstance(self.classes, Unset):
            classes = UNSET
        elif isinstance(self.classes, list):
            classes = self.classes

        else:
            classes = self.classes

        values: list[float] | None | Unset
        if isinstance(self.values, Unset):
            values = UNSET
        elif isinstance(self.values, list):
            values = self.values

        else:
            values = self.values

        std: list[float] | None | Unset
        if isinstance(self.std, Unset):
            std = UNSET
        elif isinstance(self.std, list):
            std = self.std

        else:
            std = self.std

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if labels is not UNSET:
            field_dict["labels"] = labels
        if scores is not UNSET:
            field_dict["scores"] = scores
        if classes is not UNSET:
            field_dict["classes"] = classes
        if values is not UNSET:
            field_dict["values"] = values
        if std is not UNSET:
            field_dict["std"] = std

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_labels(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                labels_type_0 = cast(list[int], data)

                return labels_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        labels = _parse_labels(d.pop("labels", UNSET))

        def _parse_scores(data: object) -> list[list[float]] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                scores_type_0 = []
                _scores_type_0 = data
                for scores_type_0_item_data in _scores_type_0:
                    scores_type_0_item = cast(list[float], scores_type_0_item_data)

                    scores_type_0.append(scores_type_0_item)

                return scores_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[list[float]] | None | Unset, data)

        scores = _parse_scores(d.pop("scores", UNSET))

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

        def _parse_values(data: object) -> list[float] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                values_type_0 = cast(list[float], data)

                return values_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[float] | None | Unset, data)

        values = _parse_values(d.pop("values", UNSET))

        def _parse_std(data: object) -> list[float] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                std_type_0 = cast(list[float], data)

                return std_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[float] | None | Unset, data)

        std = _parse_std(d.pop("std", UNSET))

        predict_out = cls(
            labels=labels,
            scores=scores,
            classes=classes,
            values=values,
            std=std,
        )

        predict_out.additional_properties = d
        return predict_out

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
