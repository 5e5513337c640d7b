from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.cauchy_kde_params_frequencies_type_0 import (
    CauchyKdeParamsFrequenciesType0,
    check_cauchy_kde_params_frequencies_type_0,
)
from ..models.cauchy_kde_params_mechanism_type_0 import (
    CauchyKdeParamsMechanismType0,
    check_cauchy_kde_params_mechanism_type_0,
)
from ..models.cauchy_kde_params_metric_input_type_0 import (
    CauchyKdeParamsMetricInputType0,
    check_cauchy_kde_params_metric_input_type_0,
)
from ..models.cauchy_kde_params_precision_type_0 import (
    CauchyKdeParamsPrecisionType0,
    check_cauchy_kde_params_precision_type_0,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="CauchyKdeParams")


@_attrs_define
class CauchyKdeParams:
    """The params of cauchy_kde: Cauchy (smooth) kernel density as a sum of exponentials. f(x, y) = 1 / (1 + h(x, y)), h =
    ||x - y||_2^2 / bandwidth^2 (metric_input sq_l2), ||x - y||_2 / bandwidth (l2) or ||x - y||_1 / bandwidth (l1).

        Attributes:
            bandwidth (float): kernel bandwidth sigma, in the units of the rows
            alpha (float | None | Unset): target accuracy (relative to a typical answer): terms and features not given are
                derived from it (the quadrature gets a tenth of it, the random features the rest). When absent: none: without
                alpha every size takes its fixed default
            metric_input (CauchyKdeParamsMetricInputType0 | None | Unset): h(x, y) in 1 / (1 + h): sq_l2 = ||x - y||_2^2 /
                sigma^2 (the Cauchy kernel), l2 = ||x - y||_2 / sigma, l1 = ||x - y||_1 / sigma Default: 'sq_l2'.
            terms (int | None | Unset): number J of exponentials in the quadrature of 1 / (1 + h). When absent: the fewest
                terms whose quadrature error is at most alpha / 10 (alpha = 0.01 when not given)
            features (int | None | Unset): random features per term (m/2 frequencies each); rounded up to even; terms *
                features at most 262,144. When absent: 1024 without alpha; with alpha the smallest m whose random-feature bound
                fits alpha minus the quadrature error; capped so that terms * features <= 262,144
            projection_dim (int | None | Unset): dimension k of the JL projection shared by every term (refused for
                metric_input l1). When absent: none: no projection
            mechanism (CauchyKdeParamsMechanismType0 | None | Unset): noise mechanism: laplace (pure epsilon-DP) or gaussian
                (zCDP, reported as epsilon-delta) Default: 'laplace'.
            frequencies (CauchyKdeParamsFrequenciesType0 | None | Unset): frequency design: orthogonal or iid (l1: iid only,
                the l1 kernel is not rotation-invariant). When absent: orthogonal, or iid for metric_input l1
            precision (CauchyKdeParamsPrecisionType0 | None | Unset): arithmetic of the feature angles and their cos/sin in
                builds and queries (sums are float64); float32 is about ten times faster and its rounding is bounded and
                reported Default: 'float32'.
    """

    bandwidth: float
    alpha: float | None | Unset = UNSET
    metric_input: CauchyKdeParamsMetricInputType0 | None | Unset = "sq_l2"
    terms: int | None | Unset = UNSET
    features: int | None | Unset = UNSET
    projection_dim: int | None | Unset = UNSET
    mechanism: CauchyKdeParamsMechanismType0 | None | Unset = "laplace"
    frequencies: CauchyKdeParamsFrequenciesType0 | None | Unset = UNSET
    precision: CauchyKdeParamsPrecisionType0 | None | Unset = "float32"

    def to_dict(self) -> dict[str, Any]:
        bandwidth = self.bandwidth

        alpha: float | None | Unset
        if isinstance(self.alpha, Unset):
            alpha = UNSET
        else:
            alpha = self.alpha

        metric_input: None | str | Unset
        if isinstance(self.metric_input, Unset):
            metric_input = UNSET
        elif isinstance(self.metric_input, str):
            metric_input = self.metric_input
        else:
            metric_input = self.metric_input

        terms: int | None | Unset
        if isinstance(self.terms, Unset):
            terms = UNSET
        else:
            terms = self.terms

        features: int | None | Unset
        if isinstance(self.features, Unset):
            features = UNSET
        else:
            features = self.features

        projection_dim: int | None | Unset
        if isinstance(self.projection_dim, Unset):
            projection_dim = UNSET
        else:
            projection_dim = self.projection_dim

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
        if metric_input is not UNSET:
            field_dict["metric_input"] = metric_input
        if terms is not UNSET:
            field_dict["terms"] = terms
        if features is not UNSET:
            field_dict["features"] = features
        if projection_dim is not UNSET:
            field_dict["projection_dim"] = projection_dim
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

        def _parse_metric_input(
            data: object,
        ) -> CauchyKdeParamsMetricInputType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                metric_input_type_0 = check_cauchy_kde_params_metric_input_type_0(data)

                return metric_input_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CauchyKdeParamsMetricInputType0 | None | Unset, data)

        metric_input = _parse_metric_input(d.pop("metric_input", UNSET))

        def _parse_terms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        terms = _parse_terms(d.pop("terms", UNSET))

        def _parse_features(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        features = _parse_features(d.pop("features", UNSET))

        def _parse_projection_dim(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        projection_dim = _parse_projection_dim(d.pop("projection_dim", UNSET))

        def _parse_mechanism(
            data: object,
        ) -> CauchyKdeParamsMechanismType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                mechanism_type_0 = check_cauchy_kde_params_mechanism_type_0(data)

                return mechanism_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CauchyKdeParamsMechanismType0 | None | Unset, data)

        mechanism = _parse_mechanism(d.pop("mechanism", UNSET))

        def _parse_frequencies(
            data: object,
        ) -> CauchyKdeParamsFrequenciesType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                frequencies_type_0 = check_cauchy_kde_params_frequencies_type_0(data)

                return frequencies_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CauchyKdeParamsFrequenciesType0 | None | Unset, data)

        frequencies = _parse_frequencies(d.pop("frequencies", UNSET))

        def _parse_precision(
            data: object,
        ) -> CauchyKdeParamsPrecisionType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                precision_type_0 = check_cauchy_kde_params_precision_type_0(data)

                return precision_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CauchyKdeParamsPrecisionType0 | None | Unset, data)

        precision = _parse_precision(d.pop("precision", UNSET))

        cauchy_kde_params = cls(
            bandwidth=bandwidth,
            alpha=alpha,
            metric_input=metric_input,
            terms=terms,
            features=features,
            projection_dim=projection_dim,
            mechanism=mechanism,
            frequencies=frequencies,
            precision=precision,
        )

        return cauchy_kde_params
