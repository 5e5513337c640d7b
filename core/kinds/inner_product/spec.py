"""The spec of ``inner_product``: sum_x <x, y> = <S1, y> + n <c, y>, from the noisy count
n and S1 = sum_x (x - c). On rows and queries normalised to the unit sphere it is the
sum of cosine similarities.

Sensitivities (add/remove): S1 has L1 M1 and L2 M2, n has 1; under replace-one S1's
double and n is public. Derivation: docs/privacy/moments.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np

from core.kinds.inner_product.params import Params
from core.kinds.registry import parse_params
from core.privacy.mechanisms import Statistic
from core.structures.base import DataSpec, count_statistic
from core.structures.moments import MomentSpec, sum_statistic

__all__ = ["InnerProductSpec"]


@dataclass(frozen=True, slots=True)
class InnerProductSpec(MomentSpec):
    kind: ClassVar[str] = "inner_product"

    @classmethod
    def parse(cls, params: Mapping[str, Any], data: DataSpec) -> Self:
        return cls.from_params(parse_params(Params, params).mechanism, data)

    def statistics(self) -> list[Statistic]:
        # weights: the variance of a mean answer, ||y||^2 sigma_S1^2 + <S1/n, y>^2 sigma_n^2,
        # with <S1/n, y> <= M2 ||y|| for the count, plus <c, y>^2 sigma_n^2 for sums
        data = self.data
        m2 = data.domain.max_l2(data.dim)
        c2 = float(np.linalg.norm(data.domain.center(data.dim)))
        return [sum_statistic(data, 1.0),
                count_statistic(data.neighbouring, weight=m2**2 + c2**2)]
