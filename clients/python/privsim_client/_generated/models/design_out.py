from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.design_out_mode import DesignOutMode, check_design_out_mode

T = TypeVar("T", bound="DesignOut")


@_attrs_define
class DesignOut:
    """The chosen pool indices and, for least squares, the weights and the fit.

    Attributes:
        mode (DesignOutMode):
        method (str):
        seed (int): the public seed used (send it back to reproduce)
        indices (list[int]): chosen pool indices (volume: the DPP's m first; quality-diversity: in the order chosen)
        weights (list[float] | None): least squares: w_i = 1 / (N rho_i) at the indices
        coefficients (list[float] | None): the weighted least-squares coefficients (when y is given)
        gram_condition (float | None): least squares: condition number of the sample's Gram matrix in the pool-
            orthonormal basis (1 is ideal); null for quality-diversity and where the sample does not determine the fit
            (full_rank false)
        full_rank (bool | None): least squares: the sample determines the fit
        log_det (float | None): quality-diversity: log det L_S (null for least squares, or where L_S is singular)
        complete (bool | None): quality-diversity: k points were chosen (greedy may stop early)
    """

    mode: DesignOutMode
    method: str
    seed: int
    indices: list[int]
    weights: list[float] | None
    coefficients: list[float] | None
    gram_condition: float | None
    full_rank: bool | None
    log_det: float | None
    complete: bool | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        mode: str = self.mode

        method = self.method

        seed = self.seed

        indices = self.indices

        weights: list[float] | None
        if isinstance(self.weights, list):
            weights = self.weights

        else:
            weights = self.weights

        coefficients: list[float] | None
        if isinstance(self.coefficients, list):
            coefficients = self.coefficients

        else:
            coefficients = self.coefficients

        gram_condition: float | None
        gram_condition = self.gram_condition

        full_rank: bool | None
        full_rank = self.full_rank

        log_det: float | None
        log_det = self.log_det

        complete: bool | None
        complete = self.complete

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "mode": mode,
                "method": method,
                "seed": seed,
                "indices": indices,
                "weights": weights,
                "coefficients": coefficients,
                "gram_condition": gram_condition,
                "full_rank": full_rank,
                "log_det": log_det,
                "complete": complete,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        mode = check_design_out_mode(d.pop("mode"))

        method = d.pop("method")

        seed = d.pop("seed")

        indices = cast(list[int], d.pop("indices"))

        def _parse_weights(data: object) -> list[float] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                weights_type_0 = cast(list[float], data)

                return weights_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[float] | None, data)

        weights = _parse_weights(d.pop("weights"))

        def _parse_coefficients(data: object) -> list[float] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                coefficients_type_0 = cast(list[float], data)

                return coefficients_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[float] | None, data)

        coefficients = _parse_coefficients(d.pop("coefficients"))

        def _parse_gram_condition(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        gram_condition = _parse_gram_condition(d.pop("gram_condition"))

        def _parse_full_rank(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        full_rank = _parse_full_rank(d.pop("full_rank"))

        def _parse_log_det(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        log_det = _parse_log_det(d.pop("log_det"))

        def _parse_complete(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        complete = _parse_complete(d.pop("complete"))

        design_out = cls(
            mode=mode,
            method=method,
            seed=seed,
            indices=indices,
            weights=weights,
            coefficients=coefficients,
            gram_condition=gram_condition,
            full_rank=full_rank,
            log_det=log_det,
            complete=complete,
        )

        design_out.additional_properties = d
        return design_out

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
