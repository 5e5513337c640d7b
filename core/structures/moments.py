"""Distance sums from released moments: the count n, S1 = sum_x (x - c) and, for
``sq_l2_distance``, S2 = sum_x ||x - c||^2; the release and builder ``sq_l2_distance``
and ``inner_product`` share, and the spec base they subclass.

Both shift rows by the domain's centre c (public), which keeps the sensitivities small
for boxes away from the origin. With u = x - c and v = y - c:

- ``sq_l2_distance``: sum_x ||x - y||^2 = S2 - 2 <S1, v> + n ||v||^2, from the noisy
  count n, S1 = sum_x u (d values) and S2 = sum_x ||u||^2. Exact identity: the only
  error is the noise.
- ``inner_product``: sum_x <x, y> = <S1, y> + n <c, y>, from S1 and n. On rows and
  queries normalised to the unit sphere it is the sum of cosine similarities.

With M1 = max ||u||_1 and M2 = max ||u||_2 over the domain, the sensitivities are
(add/remove): S1 has L1 M1 and L2 M2, S2 has M2^2, n has 1. Under replace-one S1's
double, S2's stay M2^2 (both values lie in [0, M2^2]) and n is public.
Derivation: docs/privacy/moments.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np
from array_api_compat import array_namespace, device
from numpy.typing import NDArray

from core._array import Array
from core.errors import CorruptRelease
from core.privacy.mechanisms import Mechanism, NoisePlan, Statistic
from core.structures.base import (
    SECONDS_PER_PASS,
    Cost,
    DataSpec,
    ErrorEstimate,
    ErrorModel,
    QueryResult,
    Reduce,
    build_cost,
    check_points,
    chunk_sizes,
    clamp_count,
    ratio_std,
)

__all__ = ["MomentBuilder", "MomentRelease", "MomentSpec", "moment_noise_std_sum",
           "sum_statistic"]


def sum_statistic(data: DataSpec, weight: float) -> Statistic:
    m1 = data.domain.max_l1(data.dim)
    m2 = data.domain.max_l2(data.dim)
    factor = 2.0 if data.neighbouring == "replace_one" else 1.0
    return Statistic("sum", data.dim, factor * m1, factor * m2, weight)


def moment_noise_std_sum(kind: str, data: DataSpec, sum_std: float, sum_sq_std: float,
                         count_std: float) -> float:
    """Std of the noise of a sum answer at the worst in-domain query, ||y - c|| = M2
    (y = c + M2 / sqrt(d) in every coordinate), from the statistics' noise stds: the
    arithmetic of ``MomentRelease.query`` there."""
    m2 = data.domain.max_l2(data.dim)
    center = data.domain.center(data.dim)
    Y = (center + m2 / np.sqrt(data.dim))[None, :]
    if kind == "sq_l2_distance":
        V = Y - center
        v2 = np.einsum("ij,ij->i", V, V)
        cross_std = np.hypot(sum_sq_std, 2.0 * np.sqrt(v2) * sum_std)
        return float(np.hypot(cross_std, v2 * count_std)[0])
    dot_std = sum_std * np.linalg.norm(Y, axis=1)
    return float(np.hypot(dot_std, (Y @ center) * count_std)[0])


class MomentBuilder:
    def __init__(self, spec: MomentSpec) -> None:
        self._spec = spec
        self._center = spec.data.domain.center(spec.data.dim)

    def accumulate(self, chunk: Array) -> dict[str, Array]:
        xp = array_namespace(chunk)
        U = chunk - xp.asarray(self._center, device=device(chunk))
        sums = {"sum": xp.sum(U, axis=0),
                "count": xp.asarray([float(chunk.shape[0])], dtype=xp.float64)}
        if self._spec.kind == "sq_l2_distance":
            sums["sum_sq"] = xp.reshape(xp.sum(U * U), (1,))
        return sums

    def finish(self, noisy: Mapping[str, NDArray[np.float64]], plan: NoisePlan) -> MomentRelease:
        return MomentRelease(
            kind=self._spec.kind, dim=self._spec.data.dim,
            params=self._spec.public_params(), plan=plan, center=self._center,
            sum=np.asarray(noisy["sum"], dtype=np.float64), count=float(noisy["count"][0]),
            sum_sq=float(noisy["sum_sq"][0]) if "sum_sq" in noisy else 0.0,
        )


@dataclass(frozen=True, slots=True)
class MomentRelease:
    kind: str
    dim: int
    params: dict[str, Any]
    plan: NoisePlan
    center: NDArray[np.float64]
    sum: NDArray[np.float64]
    count: float
    sum_sq: float

    def query(self, points: NDArray[np.float64], reduce: Reduce = "sum") -> QueryResult:
        Y = check_points(points, self.dim)
        s1, sn = self.plan.std("sum"), self.plan.std("count")
        n_hat = clamp_count(self.count)
        zeros = np.zeros(Y.shape[0])
        if self.kind == "sq_l2_distance":
            V = Y - self.center
            v2 = np.einsum("ij,ij->i", V, V)
            cross = self.sum_sq - 2.0 * (V @ self.sum)  # independent of the count's noise
            # hypot: the stds' squares need not be formed (no overflow far from the data)
            cross_std = np.hypot(self.plan.std("sum_sq"), 2.0 * np.sqrt(v2) * s1)
            if reduce == "sum":
                return QueryResult(cross + self.count * v2, np.hypot(cross_std, v2 * sn), zeros)
            return QueryResult(cross / n_hat + v2, ratio_std(cross, cross_std, n_hat, sn), zeros)
        dot = Y @ self.sum
        dot_std = s1 * np.linalg.norm(Y, axis=1)
        offset = Y @ self.center
        if reduce == "sum":
            return QueryResult(dot + self.count * offset, np.hypot(dot_std, offset * sn), zeros)
        return QueryResult(dot / n_hat + offset, ratio_std(dot, dot_std, n_hat, sn), zeros)

    def error_model(self, data: DataSpec) -> ErrorModel:
        """``noise_std_sum``: the std at the worst in-domain query, the figure
        ``MomentSpec.estimate`` announces (``moment_noise_std_sum``)."""
        s1, sn = self.plan.std("sum"), self.plan.std("count")
        details = {"sum_noise_std": s1}
        s_sq = 0.0
        if self.kind == "sq_l2_distance":
            s_sq = details["sum_sq_noise_std"] = self.plan.std("sum_sq")
        return ErrorModel(moment_noise_std_sum(self.kind, data, s1, s_sq, sn), sn, 0.0, details)

    def header(self) -> dict[str, Any]:
        return {"kind": self.kind, "dim": self.dim, "params": self.params,
                "plan": self.plan.to_dict(), "count": self.count, "sum_sq": self.sum_sq}

    def arrays(self) -> dict[str, NDArray[np.float64]]:
        return {"center": self.center, "sum": self.sum}

    @classmethod
    def from_parts(cls, header: Mapping[str, Any],
                   arrays: Mapping[str, NDArray[np.float64]]) -> Self:
        try:
            return cls(kind=header["kind"], dim=int(header["dim"]), params=header["params"],
                       plan=NoisePlan.from_dict(header["plan"]), center=arrays["center"],
                       sum=arrays["sum"], count=float(header["count"]),
                       sum_sq=float(header["sum_sq"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise CorruptRelease("moment release is incomplete") from exc


@dataclass(frozen=True, slots=True)
class MomentSpec:
    """What the two moment kinds share: one parameter (the mechanism), one builder."""

    kind: ClassVar[str]
    data: DataSpec
    mechanism: Mechanism

    @classmethod
    def from_params(cls, mechanism: str, data: DataSpec) -> Self:
        return cls(data, mechanism)  # type: ignore[arg-type]

    def public_params(self) -> dict[str, Any]:
        return {"mechanism": self.mechanism}

    def statistics(self) -> list[Statistic]:
        raise NotImplementedError  # each kind releases its own

    def builder(self, seed: int) -> MomentBuilder:
        return MomentBuilder(self)

    def release_bytes(self) -> int:
        return 8 * 2 * self.data.dim  # centre and sum (count and sum_sq: in the header)

    def cost(self, rows: int, chunk_rows: int) -> Cost:
        """A few passes over each row's d coordinates (shift, sums, squares); the noise:
        d + 2 values. A query: a few passes over d coordinates."""
        d = self.data.dim
        largest, _ = chunk_sizes(rows, chunk_rows)
        return build_cost(data=self.data, statistics=self.statistics(),
                          mechanism=self.mechanism, release_bytes=self.release_bytes(),
                          rows=rows, chunk_rows=chunk_rows,
                          seconds_per_row=5 * d * SECONDS_PER_PASS,
                          seconds_per_chunk=2 * d * SECONDS_PER_PASS, fixed_seconds=0.0,
                          working_bytes=2 * 8 * max(largest, 1) * d,
                          query_seconds=4 * d * SECONDS_PER_PASS)

    def estimate(self, plan: NoisePlan, rows: int) -> ErrorEstimate:
        """Noise of an answer at the worst in-domain query (||y - c|| = M2)."""
        m2 = self.data.domain.max_l2(self.data.dim)
        n = max(float(rows), 1.0)
        probe = self.data.domain.center(self.data.dim) + m2 / np.sqrt(self.data.dim)
        release = self.builder(0).finish(
            {"sum": np.zeros(self.data.dim), "count": np.array([n]),
             "sum_sq": np.array([n * m2**2])}, plan)
        sums = release.query(probe[None, :], "sum")
        means = release.query(probe[None, :], "mean")
        return ErrorEstimate(noise_std_sum=float(sums.std[0]),
                             noise_std_mean=float(means.std[0]), approximation_mean=0.0,
                             typical_mean=m2 if self.kind == "inner_product" else m2**2)
