from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.gaussian_kde_params_frequencies_type_0 import (
    GaussianKdeParamsFrequenciesType0,
    check_gaussian_kde_params_frequencies_type_0,
)
from ..models.gaussian_kde_params_mechanism_type_0 import (
    GaussianKdeParamsMechanismType0,
    check_gaussian_kde_params_mechanism_type_0,
)
from ..models.gaussian_kde_params_precision_type_0 import (
    GaussianKdeParamsPrecisionType0,
    check_gaussian_kde_params_precision_type_0,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="GaussianKdeParams")


@_attrs_define
class GaussianKdeParams:
    """The params of gaussian_kde: Gaussian kernel density. f(x, y) = exp(-||x - y||_2^2 / bandwidth^2).

    Attributes:
        bandwidth (float): kernel bandwidth sigma, in the units of the rows
        alpha (float | None | Unset): target accuracy (relative to a typical answer): features and projection_dim not
            given are derived from it. When absent: none: without alpha every size takes its fixed default
        projection_dim (int | None | Unset): dimension k of the data-independent JL projection applied before the
            features (none: no projection). When absent: none; with alpha (and projection_dim absent) the smallest k whose
            projection error fits half of alpha's variance budget, used only when k <= d/2; an explicit null always means no
            projection
        features (int | None | Unset): number m of random features (m/2 frequencies, a cos and a sin each); rounded up
            to even. When absent: 1024 without alpha; with alpha ceil(1/alpha^2), or ceil(2/alpha^2) when a projection was
            derived, capped at 65,536
        mechanism (GaussianKdeParamsMechanismType0 | None | Unset): noise mechanism: laplace (pure epsilon-DP) or
            gaussian (zCDP, reported as epsilon-delta) Default: 'laplace'.
        frequencies (GaussianKdeParamsFrequenciesType0 | None | Unset): frequency design: orthogonal (blocks of
            orthogonal directions with stratified radii, lower variance), structured (blocks of Hadamard-diagonal products
            regenerated from the seed: fast queries, small releases) or iid Default: 'orthogonal'.
        precision (GaussianKdeParamsPrecisionType0 | None | Unset): arithmetic of the feature angles and their cos/sin
            in builds and queries (sums are float64); float32 is about ten times faster and its rounding is bounded and
            reported Default: 'float32'.
    """

    bandwidth: float
    alpha: float | None | Unset = UNSET
    projection_dim: int | None | Unset = UNSET
    features: int | None | Unset = UNSET
    mechanism: GaussianKdeParamsMechanismType0 | None | Unset = "laplace"
    frequencies: GaussianKdeParamsFrequenciesType0 | None | Unset = "orthogonal"
    precision: GaussianKdeParamsPrecisionType0 | None | Unset = "float32"

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

        frequencies: None | str | Unset
        if isinstance(self.frequencies, Unset):
            frequencies = UNSET
        elif isinstance(self.frequencies, str):
            frequencies = self.frequencies
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
        ) -> GaussianKdeParamsMechanismType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                mechanism_type_0 = check_gaussian_kde_params_mechanism_type_0(data)

                return mechanism_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GaussianKdeParamsMechanismType0 | None | Unset, data)

        mechanism = _parse_mechanism(d.pop("mechanism", UNSET))

        def _parse_frequencies(
            data: object,
        ) -> GaussianKdeParamsFrequenciesType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                frequencies_type_0 = check_gaussian_kde_params_frequencies_type_0(data)

                return frequencies_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GaussianKdeParamsFrequenciesType0 | None | Unset, data)

        frequencies = _parse_frequencies(d.pop("frequencies", UNSET))

        def _parse_precision(
            data: object,
        ) -> GaussianKdeParamsPrecisionType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                precision_type_0 = check_gaussian_kde_params_precision_type_0(data)

                return precision_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GaussianKdeParamsPrecisionType0 | None | Unset, data)

        precision = _parse_precision(d.pop("precision", UNSET))

        gaussian_kde_params = cls(
            bandwidth=bandwidth,
            alpha=alpha,
            projection_dim=projection_dim,
            features=features,
            mechanism=mechanism,
            frequencies=frequencies,
            precision=precision,
        )

        return gaussian_kde_params
