from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.l1_distance_params_estimator_type_0 import (
    L1DistanceParamsEstimatorType0,
    check_l1_distance_params_estimator_type_0,
)
from ..models.l1_distance_params_mechanism_type_0 import (
    L1DistanceParamsMechanismType0,
    check_l1_distance_params_mechanism_type_0,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="L1DistanceParams")


@_attrs_define
class L1DistanceParams:
    """The params of l1_distance: Sum of l1 distances. f(x, y) = ||x - y||_1.

    Attributes:
        grid_levels (int | None | Unset): depth L of the dyadic tree per coordinate (2^L leaves). When absent: 8 without
            alpha; with alpha the depth L whose leaves misplace a row by at most alpha times a typical distance, L =
            ceil(log2(2 / alpha)) on a box; a derived depth is lowered to fit the release size limit
        alpha (float | None | Unset): target accuracy (relative to a typical answer): grid_levels not given is derived
            from it; the banded estimator's band ratio 1 + alpha (at least 0.001 there; 0.1 when not given). When absent:
            none: without alpha every size takes its fixed default
        mechanism (L1DistanceParamsMechanismType0 | None | Unset): noise mechanism: laplace (pure epsilon-DP) or
            gaussian (zCDP, reported as epsilon-delta) Default: 'laplace'.
        estimator (L1DistanceParamsEstimatorType0 | None | Unset): prefix (purely additive error) or banded (the paper's
            (1 + alpha) variant, count trees only) Default: 'prefix'.
        coordinate_bound (float | None | Unset): public bound t on every coordinate's distance from the domain's centre:
            each grid spans [c_i - t, c_i + t] (where narrower than the domain) and rows are clamped into it, at a bias of
            at most R^2 / (4 t) per row on an l2 ball of radius R (reported); for dense data on a ball in many dimensions
            about 4 R / sqrt(d). When absent: none: the domain's own range (a ball's radius, a box's half-widths)
    """

    grid_levels: int | None | Unset = UNSET
    alpha: float | None | Unset = UNSET
    mechanism: L1DistanceParamsMechanismType0 | None | Unset = "laplace"
    estimator: L1DistanceParamsEstimatorType0 | None | Unset = "prefix"
    coordinate_bound: float | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        grid_levels: int | None | Unset
        if isinstance(self.grid_levels, Unset):
            grid_levels = UNSET
        else:
            grid_levels = self.grid_levels

        alpha: float | None | Unset
        if isinstance(self.alpha, Unset):
            alpha = UNSET
        else:
            alpha = self.alpha

        mechanism: None | str | Unset
        if isinstance(self.mechanism, Unset):
            mechanism = UNSET
        elif isinstance(self.mechanism, str):
            mechanism = self.mechanism
        else:
            mechanism = self.mechanism

        estimator: None | str | Unset
        if isinstance(self.estimator, Unset):
            estimator = UNSET
        elif isinstance(self.estimator, str):
            estimator = self.estimator
        else:
            estimator = self.estimator

        coordinate_bound: float | None | Unset
        if isinstance(self.coordinate_bound, Unset):
            coordinate_bound = UNSET
        else:
            coordinate_bound = self.coordinate_bound

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if grid_levels is not UNSET:
            field_dict["grid_levels"] = grid_levels
        if alpha is not UNSET:
            field_dict["alpha"] = alpha
        if mechanism is not UNSET:
            field_dict["mechanism"] = mechanism
        if estimator is not UNSET:
            field_dict["estimator"] = estimator
        if coordinate_bound is not UNSET:
            field_dict["coordinate_bound"] = coordinate_bound

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_grid_levels(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        grid_levels = _parse_grid_levels(d.pop("grid_levels", UNSET))

        def _parse_alpha(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        alpha = _parse_alpha(d.pop("alpha", UNSET))

        def _parse_mechanism(
            data: object,
        ) -> L1DistanceParamsMechanismType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                mechanism_type_0 = check_l1_distance_params_mechanism_type_0(data)

                return mechanism_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(L1DistanceParamsMechanismType0 | None | Unset, data)

        mechanism = _parse_mechanism(d.pop("mechanism", UNSET))

        def _parse_estimator(
            data: object,
        ) -> L1DistanceParamsEstimatorType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                estimator_type_0 = check_l1_distance_params_estimator_type_0(data)

                return estimator_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(L1DistanceParamsEstimatorType0 | None | Unset, data)

        estimator = _parse_estimator(d.pop("estimator", UNSET))

        def _parse_coordinate_bound(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        coordinate_bound = _parse_coordinate_bound(d.pop("coordinate_bound", UNSET))

        l1_distance_params = cls(
            grid_levels=grid_levels,
            alpha=alpha,
            mechanism=mechanism,
            estimator=estimator,
            coordinate_bound=coordinate_bound,
        )

        return l1_distance_params
