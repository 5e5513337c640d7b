"""Bodies of /v1/diagnostics: the bandwidth advisor (core.diagnostics, derivation
docs/bandwidth.md). Public inputs in, nothing spent."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from app.api.schemas.common import Budget, Out, Strict
from core.diagnostics.bandwidth import MAX_EIGENVALUE, MAX_ROWS
from core.structures.base import MAX_DIM
from core.structures.feature_maps import MAX_FEATURES
from core.structures.params import MAX_BANDWIDTH, MIN_BANDWIDTH

Variance = Annotated[float, Field(ge=0, le=MAX_EIGENVALUE)]


class BandwidthIn(Strict):
    """A Gaussian kernel exp(-||x - y||^2 / bandwidth^2) over n rows in dim dimensions
    whose covariance has the eigenvalues ``spectrum`` (from a public proxy: nothing is
    read or spent)."""

    n: int = Field(ge=2, le=MAX_ROWS, description="the number of rows, or a DP count of "
                   "them (rounded)")
    dim: int = Field(ge=1, le=MAX_DIM, description="the dimension d of the rows")
    bandwidth: float = Field(ge=MIN_BANDWIDTH, le=MAX_BANDWIDTH, description=(
        "the kernel bandwidth sigma, as a gaussian_kde build takes it"))
    spectrum: list[Variance] = Field(min_length=1, max_length=MAX_DIM, description=(
        "the covariance eigenvalues (variances along the principal directions), dim "
        "values, each >= 0, not all 0, from public data or a public proxy"))
    privacy: Budget | None = Field(default=None, description=(
        "the budget a build would spend, to predict noise_std and snr (nothing is "
        "spent); without it they are null"))
    features: int | None = Field(default=None, ge=2, le=MAX_FEATURES, description=(
        "the build's features (gaussian_kde's default without it)"))
    mechanism: Literal["gaussian", "laplace"] = Field(default="gaussian", description=(
        "the build's noise mechanism; gaussian needs a privacy.delta > 0"))

    @model_validator(mode="after")
    def _spectrum_fits(self) -> Self:
        if len(self.spectrum) != self.dim:
            raise ValueError("spectrum must have dim values")
        if not any(value > 0 for value in self.spectrum):
            raise ValueError("spectrum must not be all 0")
        return self


class BandwidthOut(Out):
    """The regime of the bandwidth and, with a budget, the signal-to-noise ratio of a DP
    sum answer. h values use the kernel exp(-||x - y||^2 / (2 h^2)): h = bandwidth /
    sqrt 2; bandwidth_* are the same thresholds as bandwidths."""

    alpha: float = Field(description="ln(n) / dim")
    regime: Literal["clt", "heavy_tailed", "extreme_value"] = Field(description=(
        "extreme_value (bandwidth below bandwidth_g: a few rows carry a typical answer, "
        "noise swamps it), heavy_tailed (between: the answer is carried by many rows, its "
        "fluctuations are heavy-tailed) or clt (above bandwidth_clt: Gaussian fluctuations)"))
    h: float = Field(description="the bandwidth as h = bandwidth / sqrt 2")
    h_clt: float | None = Field(description="h_CLT: above it the regime is clt (null: "
                                "outside the searchable range, see warning)")
    h_g: float | None = Field(description="h_G: below it the regime is extreme_value "
                              "(null: outside the searchable range, see warning)")
    bandwidth_clt: float | None = Field(description="h_CLT as a bandwidth (sqrt 2 h_CLT)")
    bandwidth_g: float | None = Field(description="h_G as a bandwidth (sqrt 2 h_G)")
    typical_sum: float = Field(description=(
        "the kernel sum at a typical query, exp(E ln S); an overestimate in the "
        "extreme_value regime"))
    noise_std: float | None = Field(description=(
        "std of the privacy noise in a sum answer of the gaussian_kde build with these "
        "features, mechanism and budget (add/remove neighbours); null without privacy"))
    snr: float | None = Field(description="typical_sum / noise_std (null without privacy)")
    warning: str | None = Field(description="what to watch for, or null")
