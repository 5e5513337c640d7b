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

from ..types import UNSET, Unset

T = TypeVar("T", bound="RffBaselineParams")


@_attrs_define
class RffBaselineParams:
    """The params of rff_baseline: Gaussian kernel density, random Fourier feature baseline (LSQ-RFF). f(x, y) = exp(-||x -
    y||_2^2 / bandwidth^2).

        Attributes:
            bandwidth (float): kernel bandwidth sigma, in the units of the rows
            alpha (float | None | Unset): target accuracy (relative to a typical answer): features not given are derived
                from it. When absent: none: without alpha every size takes its fixed default
            features (int | None | Unset): number m of phased random features sqrt(2) cos(w . x + b). When absent: 1024
                without alpha; with alpha ceil(1/alpha^2), capped at 65,536
            mechanism (Literal['laplace'] | None | Unset): noise mechanism (this kind offers laplace only) Default:
                'laplace'.
    """

    bandwidth: float
    alpha: float | None | Unset = UNSET
    features: int | None | Unset = UNSET
    mechanism: Literal["laplace"] | None | Unset = "laplace"

    def to_dict(self) -> dict[str, Any]:
        bandwidth = self.bandwidth

        alpha: float | None | Unset
        if isinstance(self.alpha, Unset):
            alpha = UNSET
        else:
            alpha = self.alpha

        features: int | None | Unset
        if isinstance(self.features, Unset):
            features = UNSET
        else:
            features = self.features

        mechanism: Literal["laplace"] | None | Unset
        if isinstance(self.mechanism, Unset):
            mechanism = UNSET
        else:
            mechanism = self.mechanism

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "bandwidth": bandwidth,
            }
        )
        if alpha is not UNSET:
            field_dict["alpha"] = alpha
        if features is not UNSET:
            field_dict["features"] = features
        if mechanism is not UNSET:
            field_dict["mechanism"] = mechanism

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

        def _parse_features(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        features = _parse_features(d.pop("features", UNSET))

        def _parse_mechanism(data: object) -> Literal["laplace"] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            mechanism_type_0 = cast(Literal["laplace"], data)
            if mechanism_type_0 != "laplace":
                raise ValueError(
                    f"mechanism_type_0 must match const 'laplace', got '{mechanism_type_0}'"
                )
            return mechanism_type_0
            return cast(Literal["laplace"] | None | Unset, data)

        mechanism = _parse_mechanism(d.pop("mechanism", UNSET))

        rff_baseline_params = cls(
            bandwidth=bandwidth,
            alpha=alpha,
            features=features,
            mechanism=mechanism,
        )

        return rff_baseline_params
