"""The parameters of ``cauchy_kde``."""

from __future__ import annotations

from dataclasses import dataclass

from core.kinds import common
from core.kinds.registry import param
from core.structures.feature_maps import MAX_FEATURES, MAX_PROJECTION_DIM
from core.structures.quadrature import MAX_TERMS

__all__ = ["Params"]


@dataclass(frozen=True, slots=True)
class Params:
    bandwidth: float = common.bandwidth()
    alpha: float | None = common.alpha(
        "terms and features not given are derived from it (the quadrature gets a tenth "
        "of it, the random features the rest)")
    metric_input: str = param(
        "string", "h(x, y) in 1 / (1 + h): sq_l2 = ||x - y||_2^2 / sigma^2 (the Cauchy "
        "kernel), l2 = ||x - y||_2 / sigma, l1 = ||x - y||_1 / sigma", default="sq_l2",
        choices=("sq_l2", "l2", "l1"))
    terms: int | None = param(
        "integer", "number J of exponentials in the quadrature of 1 / (1 + h)",
        minimum=1, maximum=MAX_TERMS,
        derived="the fewest terms whose quadrature error is at most alpha / 10 "
        "(alpha = 0.01 when not given)")
    features: int | None = param(
        "integer", "random features per term (m/2 frequencies each); rounded up to even; "
        "terms * features at most 262,144", minimum=2, maximum=MAX_FEATURES,
        derived="1024 without alpha; with alpha the smallest m whose random-feature "
        "bound fits alpha minus the quadrature error; capped so that terms * features "
        "<= 262,144")
    projection_dim: int | None = param(
        "integer", "dimension k of the JL projection shared by every term (refused for "
        "metric_input l1)", minimum=1, maximum=MAX_PROJECTION_DIM,
        derived="none: no projection")
    mechanism: str = common.mechanism()
    frequencies: str | None = param(
        "string", "frequency design: orthogonal or iid (l1: iid only, the l1 kernel is "
        "not rotation-invariant)", choices=("orthogonal", "iid"),
        derived="orthogonal, or iid for metric_input l1")
    precision: str = common.precision()
