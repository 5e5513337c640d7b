from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.relu_ntk_params_mechanism_type_0 import (
    ReluNtkParamsMechanismType0,
    check_relu_ntk_params_mechanism_type_0,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="ReluNtkParams")


@_attrs_define
class ReluNtkParams:
    """The params of relu_ntk: ReLU network neural tangent kernel (NTK). f(x, y) = q_xy (pi - t) / (2 pi) + sqrt(q_xx q_yy)
    (sin t + (pi - t) cos t) / (2 pi), q_xy = <x, y> / d, t = arccos(q_xy / sqrt(q_xx q_yy)) (0 where a norm is 0).

        Attributes:
            features (int | None | Unset): number m of random ReLU features relu(w . x) / sqrt(m) (the NNGP term), w with
                iid N(0, 1/d) entries Default: 512.
            tangent_features (int | None | Unset): number m' of tangent features (u . x) step(v . x) / sqrt(m') (the term
                q_xy (pi - theta) / (2 pi)), u and v independent with iid N(0, 1/d) entries Default: 512.
            clip (float | None | Unset): l2 norm C each row's feature vector (both terms together) is clipped to (public; it
                sets the sensitivity), in the units of the features, about ||x|| / sqrt(d). When absent: 2 R / sqrt(d), R the
                domain's largest ||x||: twice the rms feature norm of a row on the boundary
            mechanism (None | ReluNtkParamsMechanismType0 | Unset): noise mechanism: laplace (pure epsilon-DP) or gaussian
                (zCDP, reported as epsilon-delta) Default: 'laplace'.
    """

    features: int | None | Unset = 512
    tangent_features: int | None | Unset = 512
    clip: float | None | Unset = UNSET
    mechanism: None | ReluNtkParamsMechanismType0 | Unset = "laplace"

    def to_dict(self) -> dict[str, Any]:
        features: int | None | Unset
        if isinstance(self.features, Unset):
            features = UNSET
        else:
            features = self.features

        tangent_features: int | None | Unset
        if isinstance(self.tangent_features, Unset):
            tangent_features = UNSET
        else:
            tangent_features = self.tangent_features

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
        if tangent_features is not UNSET:
            field_dict["tangent_features"] = tangent_features
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

        def _parse_tangent_features(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        tangent_features = _parse_tangent_features(d.pop("tangent_features", UNSET))

        def _parse_clip(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        clip = _parse_clip(d.pop("clip", UNSET))

        def _parse_mechanism(
            data: object,
        ) -> None | ReluNtkParamsMechanismType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                mechanism_type_0 = check_relu_ntk_params_mechanism_type_0(data)

                return mechanism_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReluNtkParamsMechanismType0 | Unset, data)

        mechanism = _parse_mechanism(d.pop("mechanism", UNSET))

        relu_ntk_params = cls(
            features=features,
            tangent_features=tangent_features,
            clip=clip,
            mechanism=mechanism,
        )

        return relu_ntk_params
