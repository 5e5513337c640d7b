from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define

from ..models.laplace_kde_params_mechanism_type_0 import (
    LaplaceKdeParamsMechanismType0,
    check_laplace_kde_params_mechanism_type_0,
)
from ..models.laplace_kde_params_precision_type_0 import (
    LaplaceKdeParamsPrecisionType0,
    check_laplace_kde_params_precision_type_0,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="LaplaceKdeParams")


@_attrs_define
class LaplaceKdeParams:
    """The params of laplace_kde: Laplace (l1) kernel density. f(x, y) = exp(-||x - y||_1 / bandwidth).

    Attributes:
        bandwidth (float): kernel bandwidth sigma, in the units of the rows
        alpha (float | None | Unset): target accuracy (relative to a typical answer): features not given are derived
            from it. When absent: none: without alpha every size takes its fixed default
        projection_dim (int | None | Unset): refused: must be null, a JL projection does not preserve the l1 distance
            (declared so that the refusal names the parameter). When absent: none: no projection, always
        features (int | None | Unset): number m of random features (m/2 frequencies, a cos and a sin each); rounded up
            to even. When absent: 1024 without alpha; with alpha ceil(1/alpha^2), capped at 65,536
        mechanism (LaplaceKdeParamsMechanismType0 | None | Unset): noise mechanism: laplace (pure epsilon-DP) or
            gaussian (zCDP, reported as epsilon-delta) Default: 'laplace'.
        frequencies (Literal['iid'] | None | Unset): frequency design: iid only (the l1 kernel is not rotation-
            invariant, so orthogonal directions do not apply) Default: 'iid'.
        precision (LaplaceKdeParamsPrecisionType0 | None | Unset): arithmetic of the feature angles and their cos/sin in
            builds and queries (sums are float64); float32 is about ten times faster and its rounding is bounded and
            reported Default: 'float32'.
    """

    bandwidth: float
    alpha: float | None | Unset = UNSET
    projection_dim: int | None | Unset = UNSET
    features: int | None | Unset = UNSET
    mechanism: LaplaceKdeParamsMechanismType0 | None | Unset = "laplace"
    frequencies: Literal["iid"] | None | Unset = "iid"
    precision: LaplaceKdeParamsPrecisionType0 | None | Unset = "float32"

    def to_dict(self) -> dict[str, Any]:
        bandwidth = self.bandwidth

        alpha: float | None | Unset
        if isinstance(self.alpha, Unset):
            alpha = UNSET
        else:
            alpha = self.alpha

        projection_dim: int | None | Unset
        if isinstance(self.projection_dim, Unset):
            projection_dim = UNSET
        else:
            projection_dim = self.projection_dim

        features: int | None | Unset
        if isinstance(self.features, Unset):
            features = UNSET
        else:
            features = self.features

        mechanism: None | str | Unset
        if isinstance(self.mechanism, Unset):
            mechanism = UNSET
        elif isinstance(self.mechanism, str):
            mechanism = self.mechanism
        else:
            mechanism = self.mechanism

        frequencies: Literal["iid"] | None | Unset
        if isinstance(self.frequencies, Unset):
            frequencies = UNSET
        else:
            frequencies = self.frequencies

        precision: None | str | Unset
        if isinstance(self.precision, Unset):
            precision = UNSET
        elif isinstance(self.precision, str):
            precision = self.precision
        else:
            precision = self.precision

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "bandwidth": bandwidth,
            }
        )
        if alpha is not UNSET:
            field_dict["alpha"] = alpha
        if projection_dim is not UNSET:
            field_dict["projection_dim"] = projection_dim
        if features is not UNSET:
            field_dict["features"] = features
        if mechanism is not UNSET:
            field_dict["mechanism"] = mechanism
        if frequencies is not UNSET:
            field_dict["frequencies"] = frequencies
        if precision is not UNSET:
            field_dict["precision"] = precision

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        bandwidth = d.pop("bandwidth")

        def _parse_alpha(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        alpha = _parse_alpha(d.pop("alpha", UNSET))

        def _parse_projection_dim(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        projection_dim = _parse_projection_dim(d.pop("projection_dim", UNSET))

        def _parse_features(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        features = _parse_features(d.pop("features", UNSET))

        def _parse_mechanism(
            data: object,
        ) -> LaplaceKdeParamsMechanismType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                mechanism_type_0 = check_laplace_kde_params_mechanism_type_0(data)

                return mechanism_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LaplaceKdeParamsMechanismType0 | None | Unset, data)

        mechanism = _parse_mechanism(d.pop("mechanism", UNSET))

        def _parse_frequencies(data: object) -> Literal["iid"] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            frequencies_type_0 = cast(Literal["iid"], data)
            if frequencies_type_0 != "iid":
                raise ValueError(
                    f"frequencies_type_0 must match const 'iid', got '{frequencies_type_0}'"
                )
            return frequencies_type_0
            return cast(Literal["iid"] | None | Unset, data)

        frequencies = _parse_frequencies(d.pop("frequencies", UNSET))

        def _parse_precision(
            data: object,
        ) -> LaplaceKdeParamsPrecisionType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                precision_type_0 = check_laplace_kde_params_precision_type_0(data)

                return precision_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LaplaceKdeParamsPrecisionType0 | None | Unset, data)

        precision = _parse_precision(d.pop("precision", UNSET))

        laplace_kde_params = cls(
            bandwidth=bandwidth,
            alpha=alpha,
            projection_dim=projection_dim,
            features=features,
            mechanism=mechanism,
            frequencies=frequencies,
            precision=precision,
        )

        return laplace_kde_params
