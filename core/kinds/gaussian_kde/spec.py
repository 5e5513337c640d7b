"""The spec of ``gaussian_kde``: paired random features of the Gaussian kernel
exp(-||x - y||_2^2 / sigma^2), through the pipeline the paired kinds share
(core.structures.feature_sums)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from core.kinds.gaussian_kde.params import Params
from core.kinds.registry import parse_params
from core.structures.base import DataSpec
from core.structures.feature_maps import KernelName
from core.structures.feature_sums import PairedFeatureSpec

__all__ = ["GaussianKDESpec"]


@dataclass(frozen=True, slots=True)
class GaussianKDESpec(PairedFeatureSpec):
    kind: ClassVar[str] = "gaussian_kde"
    kernel: ClassVar[KernelName] = "gaussian"

    @classmethod
    def parse(cls, params: Mapping[str, Any], data: DataSpec) -> Self:
        typed = parse_params(Params, params)
        return cls.from_params(typed, data, projection_given="projection_dim" in params)
