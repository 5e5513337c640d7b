"""The spec of ``vmf_kde``: the paired Gaussian random features of
core.structures.feature_sums at bandwidth sigma = sqrt(2 / kappa), over rows (and
queries) normalised to the unit sphere, where exp(kappa (x.y - 1)) =
exp(-||x - y||^2 / sigma^2). The sensitivities are those of any paired-feature sum
(bounded features, whatever the row); the unit rows only make the public bound on
||x|| used by the angle checks 1."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Self

from core.domain import L2Ball
from core.kinds.registry import parse_params
from core.kinds.vmf_kde.params import Params
from core.kinds.vmf_kde.release import VmfKDEBuilder
from core.structures.base import SECONDS_PER_PASS, Cost, DataSpec
from core.structures.feature_maps import KernelName, draw_feature_map
from core.structures.feature_sums import PairedFeatureSpec

__all__ = ["VmfKDESpec"]

# public bound on ||x|| of the normalised rows and queries (1 up to rounding)
_UNIT_BOUND = 1.0 + 1e-9


@dataclass(frozen=True, slots=True)
class _AsBandwidth:
    """The typed parameters as the paired pipeline reads them (``PairedParams``)."""

    bandwidth: float
    alpha: float | None
    projection_dim: int | None
    features: int | None
    mechanism: str
    frequencies: str
    precision: str


@dataclass(frozen=True, slots=True)
class VmfKDESpec(PairedFeatureSpec):
    kind: ClassVar[str] = "vmf_kde"
    kernel: ClassVar[KernelName] = "gaussian"
    kappa: float = 1.0

    @classmethod
    def parse(cls, params: Mapping[str, Any], data: DataSpec) -> Self:
        typed = parse_params(Params, params)
        paired = _AsBandwidth(math.sqrt(2.0 / typed.kappa), typed.alpha, typed.projection_dim,
                              typed.features, typed.mechanism, typed.frequencies,
                              typed.precision)
        # the angle checks see the rows the features see: on the unit sphere
        spec = cls.from_params(paired, cls._sphere(data),
                               projection_given="projection_dim" in params)
        return replace(spec, data=data, kappa=typed.kappa)

    @staticmethod
    def _sphere(data: DataSpec) -> DataSpec:
        return DataSpec(data.dim, L2Ball(_UNIT_BOUND), data.neighbouring)

    def public_params(self) -> dict[str, Any]:
        return {"kappa": self.kappa, "features": self.features,
                "projection_dim": self.projection_dim, "mechanism": self.mechanism,
                "frequencies": self.frequencies, "precision": self.precision}

    def builder(self, seed: int) -> VmfKDEBuilder:
        fmap = draw_feature_map("paired", dim=self.data.dim, features=self.features,
                                bandwidth=self.bandwidth, projection_dim=self.projection_dim,
                                seed=seed, kernel=self.kernel, design=self.frequencies,
                                precision=self.precision, input_bound=_UNIT_BOUND)
        return VmfKDEBuilder(self, fmap)

    def cost(self, rows: int, chunk_rows: int) -> Cost:
        """The paired features' cost on unit rows, plus the normalisation: about six
        passes over each row (|x|, max, divide, square, sum, divide)."""
        base = PairedFeatureSpec.cost(replace(self, data=self._sphere(self.data)), rows,
                                      chunk_rows)
        return replace(base, build_seconds=base.build_seconds
                       + rows * 6 * self.data.dim * SECONDS_PER_PASS)
