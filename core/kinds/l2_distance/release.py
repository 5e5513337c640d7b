"""The release of ``l2_distance``: the public projection G and an ``l1_distance``
release of s G (x - c); and its builder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np
from array_api_compat import array_namespace, device
from numpy.typing import NDArray

from core._array import Array
from core.errors import CorruptRelease
from core.kinds.l1_distance.release import L1DistanceRelease, grid_header
from core.kinds.l2_distance.embedding import distortion_std, embedding_constant
from core.privacy.mechanisms import NoisePlan
from core.structures.base import (
    DataSpec,
    ErrorModel,
    QueryResult,
    Reduce,
    check_points,
)
from core.structures.dyadic_trees import accumulate_trees, grid_half_widths, worst_noise_std

if TYPE_CHECKING:
    from core.kinds.l2_distance.spec import L2DistanceSpec

__all__ = ["L2DistanceBuilder", "L2DistanceRelease"]


class L2DistanceBuilder:
    def __init__(self, spec: L2DistanceSpec, projection: NDArray[np.float64]) -> None:
        self._spec = spec
        self._projection = projection
        self._center = spec.data.domain.center(spec.data.dim)
        self._embed = spec.scale * projection  # (k, d)
        self._half = grid_half_widths(spec.inner.data)

    @property
    def projection(self) -> NDArray[np.float64]:
        """The public randomness this builder drew (it may be published)."""
        return self._projection

    def accumulate(self, chunk: Array) -> dict[str, Array]:
        xp = array_namespace(chunk)
        dev = device(chunk)
        Z = (chunk @ xp.asarray(self._embed.T.copy(), device=dev)
             - xp.asarray(self._embed @ self._center, device=dev))
        # |z_j| <= s ||g_j|| ||u|| <= H in exact arithmetic; the clip only keeps float
        # rounding inside the box that the sensitivities are derived for
        h = float(self._half[0])
        Z = xp.clip(Z, -h, h)
        return accumulate_trees(Z, np.zeros(self._half.shape[0]), self._half,
                                self._spec.inner.grid_levels,
                                self._spec.inner.estimator == "prefix")

    def finish(self, noisy: Mapping[str, NDArray[np.float64]],
               plan: NoisePlan) -> L2DistanceRelease:
        spec = self._spec
        inner = L1DistanceRelease.assemble(spec.inner, plan, noisy)
        return L2DistanceRelease(dim=spec.data.dim, params=spec.public_params(), plan=plan,
                                 center=self._center, projection=self._projection,
                                 inner=inner)


@dataclass(frozen=True, slots=True)
class L2DistanceRelease:
    """The public projection G and an ``l1_distance`` release of s G (x - c)."""

    kind: ClassVar[str] = "l2_distance"
    dim: int
    params: dict[str, Any]
    plan: NoisePlan
    center: NDArray[np.float64]  # (d,)
    projection: NDArray[np.float64]  # (k, d), rows of norm sqrt(d)
    inner: L1DistanceRelease

    @property
    def scale(self) -> float:
        return 1.0 / (int(self.projection.shape[0]) * embedding_constant(self.dim))

    def distortion(self) -> float:
        return distortion_std(self.dim, self.projection.shape[0])

    def query(self, points: NDArray[np.float64], reduce: Reduce = "sum") -> QueryResult:
        Y = check_points(points, self.dim)
        Z = (Y - self.center) @ (self.scale * self.projection).T
        values, std, approx = self.inner.answer_offsets(Z, reduce)
        # the embedding's error: relative std per row, so at most that times the answer
        # for the sum over rows (Minkowski)
        return QueryResult(values, std, approx + self.distortion() * np.maximum(values, 0.0))

    def error_model(self, data: DataSpec) -> ErrorModel:
        inner = self.inner
        sigma = float(np.linalg.norm(self.projection, 2))
        query_sq = (self.scale * sigma * inner.typical) ** 2
        model = inner.error_model(data)  # the inner release ignores it
        return ErrorModel(
            noise_std_sum=worst_noise_std(self.plan, inner.estimator, inner.levels,
                                          inner.half_widths, query_sq, inner.alpha),
            count_noise_std=model.count_noise_std,
            approximation_std_mean=(model.approximation_std_mean
                                    + self.distortion() * inner.typical),
            details={**model.details, "distortion_relative_std": self.distortion()})

    def header(self) -> dict[str, Any]:
        inner = self.inner.header()
        return {"kind": self.kind, "dim": self.dim, "params": self.params,
                "plan": self.plan.to_dict(), "half_width": float(self.inner.half_widths[0]),
                **{key: inner[key] for key in ("levels", "estimator", "alpha", "typical",
                                               "query_sq_l2")}}

    def arrays(self) -> dict[str, NDArray[np.float64]]:
        out = {"center": self.center, "projection": self.projection,
               "counts": self.inner.counts}
        if self.inner.sums is not None:
            out["sums"] = self.inner.sums
        return out

    @classmethod
    def from_parts(cls, header: Mapping[str, Any],
                   arrays: Mapping[str, NDArray[np.float64]]) -> Self:
        try:
            dim, projection = int(header["dim"]), arrays["projection"]
            k = projection.shape[0]
            plan = NoisePlan.from_dict(header["plan"])
            half = float(header["half_width"])
            inner = L1DistanceRelease(
                dim=k, params=header["params"], plan=plan, center=np.zeros(k),
                half_widths=np.full(k, half), counts=arrays["counts"],
                sums=arrays.get("sums"), **grid_header(header))
            release = cls(dim=dim, params=header["params"], plan=plan,
                          center=arrays["center"], projection=projection, inner=inner)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise CorruptRelease("l2_distance release is incomplete") from exc
        inner.check_shapes()
        if release.center.shape != (dim,) or projection.shape != (k, dim):
            raise CorruptRelease("distance release arrays do not fit its header")
        return release
