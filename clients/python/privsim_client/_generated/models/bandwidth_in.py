from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.bandwidth_in_mechanism import (
    BandwidthInMechanism,
    check_bandwidth_in_mechanism,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.budget import Budget


T = TypeVar("T", bound="BandwidthIn")


@_attrs_define
class BandwidthIn:
    """A Gaussian kernel exp(-||x - y||^2 / bandwidth^2) over n rows in dim dimensions
    whose covariance has the eigenvalues ``spectrum`` (from a public proxy: nothing is
    read or spent).

        Attributes:
            n (int): the number of rows, or a DP count of them (rounded)
            dim (int): the dimension d of the rows
            bandwidth (float): the kernel bandwidth sigma, as a gaussian_kde build takes it
            spectrum (list[float]): the covariance eigenvalues (variances along the principal directions), dim values, each
                >= 0, not all 0, from public data or a public proxy
            privacy (Budget | None | Unset): the budget a build would spend, to predict noise_std and snr (nothing is
                spent); without it they are null
            features (int | None | Unset): the build's features (gaussian_kde's default without it)
            mechanism (BandwidthInMechanism | Unset): the build's noise mechanism; gaussian needs a privacy.delta > 0
                Default: 'gaussian'.
    """

    n: int
    dim: int
    bandwidth: float
    spectrum: list[float]
    privacy: Budget | None | Unset = UNSET
    features: int | None | Unset = UNSET
    mechanism: BandwidthInMechanism | Unset = "gaussian"

    def to_dict(self) -> dict[str, Any]:
        from ..models.budget import Budget

        n = self.n

        dim = self.dim

        bandwidth = self.bandwidth

        spectrum = self.spectrum

        privacy: dict[str, Any] | None | Unset
        if isinstance(self.privacy, Unset):
            privacy = UNSET
        elif isinstance(self.privacy, Budget):
            privacy = self.privacy.to_dict()
        else:
            privacy = self.privacy

        features: int | None | Unset
        if isinstance(self.features, Unset):
            features = UNSET
        else:
            features = self.features

        mechanism: str | Unset = UNSET
        if not isinstance(self.mechanism, Unset):
            mechanism = self.mechanism

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "n": n,
                "dim": dim,
                "bandwidth": bandwidth,
                "spectrum": spectrum,
            }
        )
        if privacy is not UNSET:
            field_dict["privacy"] = privacy
        if features is not UNSET:
            field_dict["features"] = features
        if mechanism is not UNSET:
            field_dict["mechanism"] = mechanism

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.budget import Budget

        d = dict(src_dict)
        n = d.pop("n")

        dim = d.pop("dim")

        bandwidth = d.pop("bandwidth")

        spectrum = cast(list[float], d.pop("spectrum"))

        def _parse_privacy(data: object) -> Budget | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                privacy_type_0 = Budget.from_dict(data)

                return privacy_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Budget | None | Unset, data)

        privacy = _parse_privacy(d.pop("privacy", UNSET))

        def _parse_features(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        features = _parse_features(d.pop("features", UNSET))

        _mechanism = d.pop("mechanism", UNSET)
        mechanism: BandwidthInMechanism | Unset
        if isinstance(_mechanism, Unset):
            mechanism = UNSET
        else:
            mechanism = check_bandwidth_in_mechanism(_mechanism)

        bandwidth_in = cls(
            n=n,
            dim=dim,
            bandwidth=bandwidth,
            spectrum=spectrum,
            privacy=privacy,
            features=features,
            mechanism=mechanism,
        )

        return bandwidth_in
