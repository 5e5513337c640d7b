"""Parameter declarations several kinds share (``param`` fields, see core.kinds.registry).

Each returns a fresh dataclass field; a kind's ``params.py`` lists its fields in the
order its spec reads them, so that the first error a request meets stays the same."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.kinds.registry import param
from core.structures.feature_maps import MAX_FEATURES, MAX_PROJECTION_DIM
from core.structures.params import MAX_ALPHA, MAX_BANDWIDTH, MIN_ALPHA, MIN_BANDWIDTH

__all__ = ["PAIRED_FEATURE_SENSITIVITY", "PROJECTED_FEATURE_QUERY_COST", "ProjectedKernelParams",
           "alpha", "bandwidth", "mechanism", "precision"]

# what the paired-feature kinds publish (gaussian_kde, exponential_kde, laplace_kde): the
# sensitivity holds whatever the kernel, since every frequency adds a cos and a sin
PAIRED_FEATURE_SENSITIVITY = (
    "features (m values): L1 m/sqrt(2), L2 sqrt(m/2) under add_remove; L1 sqrt(2) m, "
    "L2 sqrt(2m) under replace_one (paired features: |cos| + |sin| <= sqrt 2 and "
    "cos^2 + sin^2 = 1 per frequency, whatever the row); count: 1 under add_remove, 0 "
    "(public) under replace_one")
PROJECTED_FEATURE_QUERY_COST = (
    "O(d k + k m/2) per point (k = projection_dim, or d without projection; m = features)")


def bandwidth() -> Any:
    return param("number", "kernel bandwidth sigma, in the units of the rows", required=True,
                 minimum=MIN_BANDWIDTH, maximum=MAX_BANDWIDTH)


def alpha(sizes: str) -> Any:
    """``sizes``: what alpha sizes when it is given (and the size is not)."""
    return param("number", "target accuracy (relative to a typical answer): " + sizes,
                 minimum=MIN_ALPHA, maximum=MAX_ALPHA,
                 derived="none: without alpha every size takes its fixed default")


def mechanism(choices: tuple[str, ...] = ("laplace", "gaussian")) -> Any:
    return param("string", "noise mechanism: laplace (pure epsilon-DP) or gaussian "
                 "(zCDP, reported as epsilon-delta)" if len(choices) > 1
                 else "noise mechanism (this kind offers laplace only)",
                 default="laplace", choices=choices)


def precision() -> Any:
    return param("string", "arithmetic of the feature angles and their cos/sin in builds "
                 "and queries (sums are float64); float32 is about ten times faster and "
                 "its rounding is bounded and reported", default="float32",
                 choices=("float32", "float64"))


@dataclass(frozen=True, slots=True)
class ProjectedKernelParams:
    """The parameters of the paired-feature kernels that take a JL projection
    (``gaussian_kde``, ``exponential_kde``): one declaration for both."""

    bandwidth: float = bandwidth()
    alpha: float | None = alpha(
        "features and projection_dim not given are derived from it")
    projection_dim: int | None = param(
        "integer", "dimension k of the data-independent JL projection applied before the "
        "features (none: no projection)", minimum=1, maximum=MAX_PROJECTION_DIM,
        derived="none; with alpha (and projection_dim absent) the smallest k whose "
        "projection error fits half of alpha's variance budget, used only when "
        "k <= d/2; an explicit null always means no projection")
    features: int | None = param(
        "integer", "number m of random features (m/2 frequencies, a cos and a sin each); "
        "rounded up to even", minimum=2, maximum=MAX_FEATURES,
        derived="1024 without alpha; with alpha ceil(1/alpha^2), or ceil(2/alpha^2) when "
        "a projection was derived, capped at 65,536")
    mechanism: str = mechanism()
    frequencies: str = param(
        "string", "frequency design: orthogonal (blocks of orthogonal directions with "
        "stratified radii, lower variance), structured (blocks of Hadamard-diagonal "
        "products regenerated from the seed: fast queries, small releases) or iid",
        default="orthogonal", choices=("orthogonal", "structured", "iid"))
    precision: str = precision()
