"""The parameters of ``rff_baseline``."""

from __future__ import annotations

from dataclasses import dataclass

from core.kinds import common
from core.kinds.registry import param
from core.structures.feature_maps import MAX_FEATURES

__all__ = ["Params"]


@dataclass(frozen=True, slots=True)
class Params:
    bandwidth: float = common.bandwidth()
    alpha: float | None = common.alpha("features not given are derived from it")
    features: int | None = param(
        "integer", "number m of phased random features sqrt(2) cos(w . x + b)",
        minimum=2, maximum=MAX_FEATURES,
        derived="1024 without alpha; with alpha ceil(1/alpha^2), capped at 65,536")
    mechanism: str = common.mechanism(("laplace",))
