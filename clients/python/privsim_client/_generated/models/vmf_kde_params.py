from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.vmf_kde_params_frequencies_type_0 import (
    VmfKdeParamsFrequenciesType0,
    check_vmf_kde_params_frequencies_type_0,
)
from ..models.vmf_kde_params_mechanism_type_0 import (
    VmfKdeParamsMechanismType0,
    check_vmf_kde_params_mechanism_type_0,
)
from ..models.vmf_kde_params_precision_type_0 import (
    VmfKdeParamsPrecisionType0,
    check_vmf_kde_params_precision_type_0,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="VmfKdeParams")


@_attrs_define
class VmfKdeParams:
    """The params of vmf_kde: von Mises-Fisher (cosine) kernel density on the unit sphere. f(x, y) = exp(kappa (x.y - 1)),
    x and y normalised to unit l2 norm.

        Attributes:
            kappa (float): concentration kappa of the kernel exp(kappa (x.y - 1)) between the rows and queries normalised to
                the unit sphere (the Gaussian bandwidth sqrt(2 / kappa) in the chord distance)
            alpha (float | None | Unset): target accuracy (relative to a typical answer): features and projection_dim not
                given are derived from it. When absent: none: without alpha every size takes its fixed default
            projection_dim (int | None | Unset): dimension k of the data-independent JL projection applied before the
                features (none: no projection). When absent: none; with alpha (and projection_dim absent) the smallest k whose
                projection error fits half of alpha's variance budget, used only when k <= d/2; an explicit null always means no
                projection
            features (int | None | Unset): number m of random features (m/2 frequencies, a cos and a sin each); rounded up
                to even. When absent: 1024 without alpha; with alpha ceil(1/alpha^2), or ceil(2/alpha^2) when a projection was
                derived, capped at 65,536
            mechanism (None | Unset | VmfKdeParamsMechanismType0): noise mechanism: laplace (pure epsilon-DP) or gaussian
                (zCDP, reported as epsilon-delta) Default: 'laplace'.
            frequencies (None | Unset | VmfKdeParamsFrequenciesType0): frequency design: orthogonal (blocks of orthogonal
                directions with stratified radii, lower variance), structured (blocks of Hadamard-diagonal products regenerated
                from the seed: fast queries, small releases) or iid Default: 'orthogonal'.
            precision (None | Unset | VmfKdeParamsPrecisionType0): arithmetic of the feature angles and their cos/sin in
                builds and queries (sums are float64); float32 is about ten times faster and its rounding is bounded and
                reported Default: 'float32'.
    """

    kappa: float
    alpha: float | None | Unset = UNSET
    projection_dim: int | None | Unset = UNSET
    features: int | None | Unset = UNSET
    mechanism: None | Unset | VmfKdeParamsMechanismType0 = "laplace"
    frequencies: None | Unset | VmfKdeParamsFrequenciesType0 = "orthogonal"
    precision: None | Unset | VmfKdeParamsPrecisionType0 = "float32"

    def to_dict(self) -> dict[str, Any]:
        kappa = self.kappa

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
                "kappa": kappa,
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
        kappa = d.pop("kappa")

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

        def _parse_mechanism(data: object) -> None | Unset | VmfKdeParamsMechanismType0:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                mechanism_type_0 = check_vmf_kde_params_mechanism_type_0(data)

                return mechanism_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VmfKdeParamsMechanismType0, data)

        mechanism = _parse_mechanism(d.pop("mechanism", UNSET))

        def _parse_frequencies(
            data: object,
        ) -> None | Unset | VmfKdeParamsFrequenciesType0:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                frequencies_type_0 = check_vmf_kde_params_frequencies_type_0(data)

                return frequencies_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VmfKdeParamsFrequenciesType0, data)

        frequencies = _parse_frequencies(d.pop("frequencies", UNSET))

        def _parse_precision(data: object) -> None | Unset | VmfKdeParamsPrecisionType0:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                precision_type_0 = check_vmf_kde_params_precision_type_0(data)

                return precision_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VmfKdeParamsPrecisionType0, data)

        precision = _parse_precision(d.pop("precision", UNSET))

        vmf_kde_params = cls(
            kappa=kappa,
            alpha=alpha,
            projection_dim=projection_dim,
            features=features,
            mechanism=mechanism,
            frequencies=frequencies,
            precision=precision,
        )

        return vmf_kde_params
