from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.l2_distance_params_estimator_type_0 import (
    L2DistanceParamsEstimatorType0,
    check_l2_distance_params_estimator_type_0,
)
from ..models.l2_distance_params_mechanism_type_0 import (
    L2DistanceParamsMechanismType0,
    check_l2_distance_params_mechanism_type_0,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="L2DistanceParams")


@_attrs_define
class L2DistanceParams:
    """The params of l2_distance: Sum of l2 distances (oblivious l2 -> l1 embedding). f(x, y) = ||x - y||_2.

    Attributes:
        projection_dim (int | None | Unset): rows k of the oblivious l2 -> l1 embedding (its relative distortion std
            falls as 1/sqrt(k)). When absent: 128 without alpha; with alpha the smallest k whose distortion std is at most
            alpha, capped at 8,192
        grid_levels (int | None | Unset): depth L of the dyadic tree per embedded coordinate (2^L leaves). When absent:
            8 without alpha; with alpha the depth L whose leaves misplace a row by at most alpha times a typical distance, L
            = ceil(log2(2 / alpha)) on a box; a derived depth is lowered to fit the release size limit
        alpha (float | None | Unset): target accuracy (relative to a typical answer): projection_dim and grid_levels not
            given are derived from it; the banded estimator's band ratio 1 + alpha (at least 0.001 there; 0.1 when not
            given). When absent: none: without alpha every size takes its fixed default
        mechanism (L2DistanceParamsMechanismType0 | None | Unset): noise mechanism: laplace (pure epsilon-DP) or
            gaussian (zCDP, reported as epsilon-delta) Default: 'laplace'.
        estimator (L2DistanceParamsEstimatorType0 | None | Unset): prefix (purely additive error) or banded (the paper's
            (1 + alpha) variant, count trees only) Default: 'prefix'.
    """

    projection_dim: int | None | Unset = UNSET
    grid_levels: int | None | Unset = UNSET
    alpha: float | None | Unset = UNSET
    mechanism: L2DistanceParamsMechanismType0 | None | Unset = "laplace"
    estimator: L2DistanceParamsEstimatorType0 | None | Unset = "prefix"

    def to_dict(self) -> dict[str, Any]:
        projection_dim: int | None | Unset
        if isinstance(self.projection_dim, Unset):
            projection_dim = UNSET
        else:
            projection_dim = self.projection_dim

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

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if projection_dim is not UNSET:
            field_dict["projection_dim"] = projection_dim
        if grid_levels is not UNSET:
            field_dict["grid_levels"] = grid_levels
        if alpha is not UNSET:
            field_dict["alpha"] = alpha
        if mechanism is not UNSET:
            field_dict["mechanism"] = mechanism
        if estimator is not UNSET:
            field_dict["estimator"] = estimator

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_projection_dim(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        projection_dim = _parse_projection_dim(d.pop("projection_dim", UNSET))

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
        ) -> L2DistanceParamsMechanismType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                mechanism_type_0 = check_l2_distance_params_mechanism_type_0(data)

                return mechanism_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(L2DistanceParamsMechanismType0 | None | Unset, data)

        mechanism = _parse_mechanism(d.pop("mechanism", UNSET))

        def _parse_estimator(
            data: object,
        ) -> L2DistanceParamsEstimatorType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                estimator_type_0 = check_l2_distance_params_estimator_type_0(data)

                return estimator_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(L2DistanceParamsEstimatorType0 | None | Unset, data)

        estimator = _parse_estimator(d.pop("estimator", UNSET))

        l2_distance_params = cls(
            projection_dim=projection_dim,
            grid_levels=grid_levels,
            alpha=alpha,
            mechanism=mechanism,
            estimator=estimator,
        )

        return l2_distance_params
