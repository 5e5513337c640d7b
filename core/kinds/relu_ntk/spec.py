"""The spec of ``relu_ntk``: clipped random ReLU features and tangent features of the
neural tangent kernel of one hidden ReLU layer, through the pipeline the ReLU kinds
share (core.structures.relu_features)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from core.kinds.registry import parse_params
from core.kinds.relu_ntk.params import Params
from core.structures.base import DataSpec
from core.structures.relu_features import ReluFeatureSpec

__all__ = ["ReluNTKSpec"]


@dataclass(frozen=True, slots=True)
class ReluNTKSpec(ReluFeatureSpec):
    kind: ClassVar[str] = "relu_ntk"
    tangent: ClassVar[bool] = True

    @classmethod
    def parse(cls, params: Mapping[str, Any], data: DataSpec) -> Self:
        typed = parse_params(Params, params)
        return cls.from_sizes(data, typed.features, typed.tangent_features, typed.clip,
                              typed.mechanism)
