"""The spec of ``sq_l2_distance``: sum_x ||x - y||^2 = S2 - 2 <S1, v> + n ||v||^2 with
v = y - c, from the noisy count n, S1 = sum_x (x - c) (d values) and
S2 = sum_x ||x - c||^2. Exact identity: the only error is the noise.

Sensitivities (add/remove): S1 has L1 M1 and L2 M2, S2 has M2^2, n has 1; under
replace-one S1's double, S2's stay M2^2 and n is public. Derivation:
docs/privacy/moments.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from core.kinds.registry import parse_params
from core.kinds.sq_l2_distance.params import Params
from core.privacy.mechanisms import Statistic
from core.structures.base import DataSpec, count_statistic
from core.structures.moments import MomentSpec, sum_statistic

__all__ = ["SqL2DistanceSpec"]


@dataclass(frozen=True, slots=True)
class SqL2DistanceSpec(MomentSpec):
    kind: ClassVar[str] = "sq_l2_distance"

    @classmethod
    def parse(cls, params: Mapping[str, Any], data: DataSpec) -> Self:
        return cls.from_params(parse_params(Params, params).mechanism, data)

    def statistics(self) -> list[Statistic]:
        # weights: the variance of a sum answer at a query with ||v|| = M2,
        # sigma_S2^2 + 4 M2^2 sigma_S1^2 + M2^4 sigma_n^2, divided by M2^4
        m2 = self.data.domain.max_l2(self.data.dim)
        sq = m2**2
        return [sum_statistic(self.data, 4.0 / sq),
                Statistic("sum_sq", 1, sq, sq, 1.0 / sq**2),
                count_statistic(self.data.neighbouring)]
