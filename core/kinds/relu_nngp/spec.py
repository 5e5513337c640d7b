"""The spec of ``relu_nngp``: clipped random ReLU features of the arc-cosine (NNGP)
kernel of one hidden ReLU layer, through the pipeline the ReLU kinds share
(core.structures.relu_features)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from core.kinds.registry import parse_params
from core.kinds.relu_nngp.params import Params
from core.structures.base import DataSpec
from core.structures.relu_features import ReluFeatureSpec

__all__ = ["ReluNNGPSpec"]


@dataclass(frozen=True, slots=True)
class ReluNNGPSpec(ReluFeatureSpec):
    kind: ClassVar[str] = "relu_nngp"
    tangent: ClassVar[bool] = False

    @classmethod
    def parse(cls, params: Mapping[str, Any], data: DataSpec) -> Self:
        typed = parse_params(Params, params)
        return cls.from_sizes(data, typed.features, 0, typed.clip, typed.mechanism)
