"""The release of ``cauchy_kde``: every term's noisy feature sum, the noisy count, the
public feature maps and the quadrature that combines the terms; and its builder."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np
from array_api_compat import array_namespace, device
from numpy.typing import NDArray

from core._array import Array
from core.errors import CorruptRelease, InvalidParameter
from core.privacy.mechanisms import NoisePlan
from core.structures.base import (
    DataSpec,
    ErrorModel,
    QueryResult,
    Reduce,
    check_points,
    clamp_count,
    ratio_std,
)
from core.structures.feature_maps import FeatureMap, block_rows, fixed_blocks
from core.structures.phase_form import PhaseForm
from core.structures.quadrature import MAX_TERMS, SumOfExponentials

if TYPE_CHECKING:
    from core.kinds.cauchy_kde.spec import CauchyKDESpec

__all__ = ["CauchyKDEBuilder", "CauchyKDERelease", "feature_statistic"]


def feature_statistic(term: int) -> str:
    return f"features_{term}"

class CauchyKDEBuilder:
    def __init__(self, spec: CauchyKDESpec, maps: tuple[FeatureMap, ...]) -> None:
        self._spec = spec
        self._maps = maps

    @property
    def feature_maps(self) -> list[FeatureMap]:
        """Every term's public feature map, in term order (one shared projection)."""
        return list(self._maps)

    def accumulate(self, chunk: Array) -> dict[str, Array]:
        xp = array_namespace(chunk)
        dev = device(chunk)
        n = chunk.shape[0]
        totals = [xp.zeros(fmap.size, dtype=xp.float64, device=dev) for fmap in self._maps]
        for rows, real in fixed_blocks(chunk, block_rows(self._maps[0].size)):
            Z = self._maps[0].project(rows)  # once for every term
            for j, fmap in enumerate(self._maps):
                totals[j] = totals[j] + xp.sum(fmap.features(Z)[:real, ...], axis=0,
                                               dtype=xp.float64)
        out = {feature_statistic(j): total for j, total in enumerate(totals)}
        out["count"] = xp.asarray([float(n)], dtype=xp.float64, device=dev)
        return out

    def finish(self, noisy: Mapping[str, NDArray[np.float64]],
               plan: NoisePlan) -> CauchyKDERelease:
        spec = self._spec
        return CauchyKDERelease(
            dim=spec.data.dim, params=spec.public_params(), plan=plan,
            quadrature=spec.quadrature, feature_maps=self._maps,
            feature_sums=tuple(np.asarray(noisy[feature_statistic(j)], dtype=np.float64)
                               for j in range(len(self._maps))),
            count=float(noisy["count"][0]))


@dataclass(frozen=True, slots=True)
class CauchyKDERelease:
    """Every term's noisy feature sum, the noisy count, the public feature maps and the
    quadrature that combines the terms."""

    kind: ClassVar[str] = "cauchy_kde"
    dim: int
    params: dict[str, Any]
    plan: NoisePlan
    quadrature: SumOfExponentials
    feature_maps: tuple[FeatureMap, ...]
    feature_sums: tuple[NDArray[np.float64], ...]
    count: float
    _phase: PhaseForm | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # every term's frequencies side by side, weighted by a_j c: one cosine each
        object.__setattr__(self, "_phase", PhaseForm.of(
            self.feature_maps, self.feature_sums,
            [a * fmap.scale for a, fmap in zip(self.quadrature.coefficients,
                                                self.feature_maps, strict=True)]))

    def _terms(self) -> list[tuple[float, FeatureMap, NDArray[np.float64], float]]:
        """Per term: a_j * c_j (the answer's weight of <S_j, phi_j>), the map, S_j and
        the noise std of S_j's coordinates."""
        return [(a * fmap.scale, fmap, total, self.plan.std(feature_statistic(j)))
                for j, (a, fmap, total) in enumerate(zip(
                    self.quadrature.coefficients, self.feature_maps, self.feature_sums,
                    strict=True))]

    def approximation_std(self) -> float:
        """Per pair: sum_j a_j * (term j's random-feature RMSE bound) (Minkowski) plus
        the quadrature's deterministic bias bound."""
        return math.fsum(a * fmap.approximation_std() for a, fmap in zip(
            self.quadrature.coefficients, self.feature_maps, strict=True)
        ) + self.quadrature.max_error

    def noise_std_sum(self) -> float:
        """The noise std of a sum answer, the same at every query (paired features,
        ||phi_j||^2 = m/2): sqrt(sum_j (a_j c sigma_j)^2 m/2) = sqrt(sum_j a_j^2
        sigma_j^2 2/m)."""
        return math.sqrt(math.fsum((weight * sigma) ** 2 * (fmap.size / 2)
                                   for weight, fmap, _, sigma in self._terms()))

    def query(self, points: NDArray[np.float64], reduce: Reduce = "sum") -> QueryResult:
        """sum_j a_j c <S_j, phi_j(y)> in phase form; its noise std is the same at every
        query (``noise_std_sum``); float32 rounding joins the approximation bound."""
        Y = check_points(points, self.dim)
        phase = self._phase
        if phase is None:  # set in __post_init__; here for the type checker
            raise CorruptRelease("cauchy_kde release has no phase form")
        values = np.empty(Y.shape[0])
        rounding = np.empty(Y.shape[0])
        block = block_rows(sum(fmap.size for fmap in self.feature_maps) // 2)
        for start in range(0, Y.shape[0], block):
            stop = min(start + block, Y.shape[0])
            values[start:stop], rounding[start:stop] = phase.evaluate(Y[start:stop])
        noise_std = np.full(Y.shape[0], self.noise_std_sum())
        n_hat = clamp_count(self.count)
        approx = np.full(Y.shape[0], self.approximation_std())
        if reduce == "sum":
            return QueryResult(values, noise_std, approx * n_hat + rounding)
        std = ratio_std(values, noise_std, n_hat, self.plan.std("count"))
        return QueryResult(values / n_hat, std, approx + rounding / n_hat)

    def error_model(self, data: DataSpec) -> ErrorModel:
        return ErrorModel(self.noise_std_sum(), self.plan.std("count"),
                          self.approximation_std(),
                          {"quadrature_error": self.quadrature.max_error})

    def header(self) -> dict[str, Any]:
        return {"kind": self.kind, "dim": self.dim, "params": self.params,
                "plan": self.plan.to_dict(), "count": self.count,
                "kernel": self.feature_maps[0].kernel,
                "precision": self.feature_maps[0].precision,
                "nodes": list(self.quadrature.nodes),
                "coefficients": list(self.quadrature.coefficients),
                "quadrature_error": self.quadrature.max_error}

    def arrays(self) -> dict[str, NDArray[np.float64]]:
        out: dict[str, NDArray[np.float64]] = {}
        projection = self.feature_maps[0].projection
        if projection is not None:
            out["projection"] = projection
        for j, (fmap, total) in enumerate(zip(self.feature_maps, self.feature_sums,
                                              strict=True)):
            out[f"frequencies_{j}"] = fmap.frequencies
            out[f"feature_sum_{j}"] = total
        return out

    @classmethod
    def from_parts(cls, header: Mapping[str, Any],
                   arrays: Mapping[str, NDArray[np.float64]]) -> Self:
        try:
            nodes = tuple(float(t) for t in header["nodes"])
            coefficients = tuple(float(a) for a in header["coefficients"])
            if not 1 <= len(nodes) == len(coefficients) <= MAX_TERMS:
                raise ValueError("quadrature")
            quadrature = SumOfExponentials(nodes, coefficients,
                                           float(header["quadrature_error"]))
            projection = arrays.get("projection")
            kernel = header["kernel"]
            precision = header.get("precision", "float64")
            maps = tuple(FeatureMap("paired", arrays[f"frequencies_{j}"], None, projection,
                                    kernel, precision) for j in range(len(nodes)))
            sums = tuple(arrays[f"feature_sum_{j}"] for j in range(len(nodes)))
            if len(arrays) != 2 * len(nodes) + (projection is not None) or any(
                    s.shape != (fmap.size,) for s, fmap in zip(sums, maps, strict=True)):
                raise ValueError("arrays")
            return cls(dim=int(header["dim"]), params=header["params"],
                       plan=NoisePlan.from_dict(header["plan"]), quadrature=quadrature,
                       feature_maps=maps, feature_sums=sums, count=float(header["count"]))
        except (KeyError, TypeError, ValueError, InvalidParameter) as exc:
            raise CorruptRelease("cauchy_kde release is incomplete") from exc
