from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.bandwidth_out_regime import BandwidthOutRegime, check_bandwidth_out_regime

T = TypeVar("T", bound="BandwidthOut")


@_attrs_define
class BandwidthOut:
    """The regime of the bandwidth and, with a budget, the signal-to-noise ratio of a DP
    sum answer. h values use the kernel exp(-||x - y||^2 / (2 h^2)): h = bandwidth /
    sqrt 2; bandwidth_* are the same thresholds as bandwidths.

        Attributes:
            alpha (float): ln(n) / dim
            regime (BandwidthOutRegime): extreme_value (bandwidth below bandwidth_g: a few rows carry a typical answer,
                noise swamps it), heavy_tailed (between: the answer is carried by many rows, its fluctuations are heavy-tailed)
                or clt (above bandwidth_clt: Gaussian fluctuations)
            h (float): the bandwidth as h = bandwidth / sqrt 2
            h_clt (float | None): h_CLT: above it the regime is clt (null: outside the searchable range, see warning)
            h_g (float | None): h_G: below it the regime is extreme_value (null: outside the searchable range, see warning)
            bandwidth_clt (float | None): h_CLT as a bandwidth (sqrt 2 h_CLT)
            bandwidth_g (float | None): h_G as a bandwidth (sqrt 2 h_G)
            typical_sum (float): the kernel sum at a typical query, exp(E ln S); an overestimate in the extreme_value regime
            noise_std (float | None): std of the privacy noise in a sum answer of the gaussian_kde build with these
                features, mechanism and budget (add/remove neighbours); null without privacy
            snr (float | None): typical_sum / noise_std (null without privacy)
            warning (None | str): what to watch for, or null
    """

    alpha: float
    regime: BandwidthOutRegime
    h: float
    h_clt: float | None
    h_g: float | None
    bandwidth_clt: float | None
    bandwidth_g: float | None
    typical_sum: float
    noise_std: float | None
    snr: float | None
    warning: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        alpha = self.alpha

        regime: str = self.regime

        h = self.h

        h_clt: float | None
        h_clt = self.h_clt

        h_g: float | None
        h_g = self.h_g

        bandwidth_clt: float | None
        bandwidth_clt = self.bandwidth_clt

        bandwidth_g: float | None
        bandwidth_g = self.bandwidth_g

        typical_sum = self.typical_sum

        noise_std: float | None
        noise_std = self.noise_std

        snr: float | None
        snr = self.snr

        warning: None | str
        warning = self.warning

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "alpha": alpha,
                "regime": regime,
                "h": h,
                "h_clt": h_clt,
                "h_g": h_g,
                "bandwidth_clt": bandwidth_clt,
                "bandwidth_g": bandwidth_g,
                "typical_sum": typical_sum,
                "noise_std": noise_std,
                "snr": snr,
                "warning": warning,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        alpha = d.pop("alpha")

        regime = check_bandwidth_out_regime(d.pop("regime"))

        h = d.pop("h")

        def _parse_h_clt(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        h_clt = _parse_h_clt(d.pop("h_clt"))

        def _parse_h_g(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        h_g = _parse_h_g(d.pop("h_g"))

        def _parse_bandwidth_clt(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        bandwidth_clt = _parse_bandwidth_clt(d.pop("bandwidth_clt"))

        def _parse_bandwidth_g(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        bandwidth_g = _parse_bandwidth_g(d.pop("bandwidth_g"))

        typical_sum = d.pop("typical_sum")

        def _parse_noise_std(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        noise_std = _parse_noise_std(d.pop("noise_std"))

        def _parse_snr(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        snr = _parse_snr(d.pop("snr"))

        def _parse_warning(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        warning = _parse_warning(d.pop("warning"))

        bandwidth_out = cls(
            alpha=alpha,
            regime=regime,
            h=h,
            h_clt=h_clt,
            h_g=h_g,
            bandwidth_clt=bandwidth_clt,
            bandwidth_g=bandwidth_g,
            typical_sum=typical_sum,
            noise_std=noise_std,
            snr=snr,
            warning=warning,
        )

        bandwidth_out.additional_properties = d
        return bandwidth_out

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
