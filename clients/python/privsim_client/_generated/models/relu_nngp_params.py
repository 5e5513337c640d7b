from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.relu_nngp_params_mechanism_type_0 import (
    ReluNngpParamsMechanismType0,
    check_relu_nngp_params_mechanism_type_0,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="ReluNngpParams")


@_attrs_define
class ReluNngpParams:
    """The params of relu_nngp: ReLU network Gaussian process (NNGP, arc-cosine) kernel. f(x, y) = sqrt(q_xx q_yy) (sin t +
    (pi - t) cos t) / (2 pi), q_xy = <x, y> / d, t = arccos(q_xy / sqrt(q_xx q_yy)) (0 where a norm is 0).

        Attributes:
            features (int | None | Unset): number m of random ReLU features relu(w . x) / sqrt(m), w with iid N(0, 1/d)
                entries Default: 1024.
            clip (float | None | Unset): l2 norm C each row's feature vector is clipped to (public; it sets the
                sensitivity), in the units of the features, about ||x|| / sqrt(2d). When absent: sqrt(2/d) R, R the domain's
                largest ||x||: twice the rms feature norm of a row on the boundary
            mechanism (None | ReluNngpParamsMechanismType0 | Unset): noise mechanism: laplace (pure epsilon-DP) or gaussian
                (zCDP, reported as epsilon-delta) Default: 'laplace'.
    """

    features: int | None | Unset = 1024
    clip: float | None | Unset = UNSET
    mechanism: None | ReluNngpParamsMechanismType0 | Unset = "laplace"

    def to_dict(self) -> dict[str, Any]:
        features: int | None | Unset
        if isinstance(self.features, Unset):
            features = UNSET
        else:
            features = self.features

        clip: float | None | Unset
        if isinstance(self.clip, Unset):
            clip = UNSET
        else:
            clip = self.clip

        mechanism: None | str | Unset
        if isinstance(self.mechanism, Unset):
            mechanism = UNSET
        elif isinstance(self.mechanism, str):
            mechanism = self.mechanism
        else:
            mechanism = self.mechanism

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if features is not UNSET:
            field_dict["features"] = features
        if clip is not UNSET:
            field_dict["clip"] = clip
        if mechanism is not UNSET:
            field_dict["mechanism"] = mechanism

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_features(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        features = _parse_features(d.pop("features", UNSET))

        def _parse_clip(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        clip = _parse_clip(d.pop("clip", UNSET))

        def _parse_mechanism(
            data: object,
        ) -> None | ReluNngpParamsMechanismType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                mechanism_type_0 = check_relu_nngp_params_mechanism_type_0(data)

                return mechanism_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReluNngpParamsMechanismType0 | Unset, data)

        mechanism = _parse_mechanism(d.pop("mechanism", UNSET))

        relu_nngp_params = cls(
            features=features,
            clip=clip,
            mechanism=mechanism,
        )

        return relu_nngp_params
