"""The DP regressor: Nadaraya-Watson on a random-feature kernel structure.

m(y) = sum_x w_x k(x, y) / sum_x k(x, y) for a label w_x in the dataset's declared
range [lo, hi]. The structure releases, besides the kernel's noisy feature sum S and
count, the label-weighted feature sum S_w = sum_x u_x phi(x) with u_x = (w_x - lo) /
(hi - lo) in [0, 1]. Scaling a row's features by u_x <= 1 can only shrink them, so S_w
has the add/remove sensitivity of S; under replace-one a replacement moves S_w by at
most twice that (u phi(x) - u' phi(x'), the triangle inequality), as it does S. One
more statistic of the same size: the spend is split over three statistics instead of
two. Derivation: docs/privacy/models.md.

The prediction is lo + (hi - lo) F_w(y) / max(F(y), sigma_F(y)), the ratio clipped to
[0, 1] (a kernel average of labels in [lo, hi] lies in it) and its denominator floored
at the noise std of F(y): where the data are thinner than the noise the prediction
falls back towards lo + (hi - lo) F_w / sigma_F and its std says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple, Self

import numpy as np
from array_api_compat import array_namespace, device
from numpy.typing import NDArray

from core._array import Array, to_host
from core.errors import CorruptRelease, InvalidParameter
from core.models.composite import join_parts, part_arrays, structure_of
from core.models.labels import LabelSet
from core.privacy.mechanisms import Mechanism, NoisePlan, Statistic
from core.structures import parse_spec
from core.structures.base import (
    Cost,
    DataSpec,
    ErrorEstimate,
    ErrorModel,
    QueryResult,
    Reduce,
    Spec,
    check_points,
)
from core.structures.feature_maps import block_rows, fixed_blocks
from core.structures.feature_sums import RandomFeatureBuilder, RandomFeatureRelease

__all__ = ["RegressorRelease", "RegressorSpec", "ValuePrediction"]

_TINY = 1e-300


class ValuePrediction(NamedTuple):
    values: NDArray[np.float64]
    std: NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class RegressorSpec:
    """The kernel structure (``base``, on the dataset's own relation) and the label range."""

    kind: ClassVar[str] = "regressor"
    data: DataSpec
    base: Spec
    label_range: tuple[float, float]

    @classmethod
    def parse(cls, params: Mapping[str, Any], data: DataSpec, labels: LabelSet | None) -> Self:
        if labels is None or labels.label_range is None:
            raise InvalidParameter("dataset", "a regressor needs a dataset that declares "
                                   "its label_range")
        kind, base_params = structure_of(params)
        if params.get("rule") not in (None, "nadaraya_watson"):
            raise InvalidParameter("rule", "a regressor's rule is nadaraya_watson")
        base = parse_spec(kind, base_params, data)
        if {s.name for s in base.statistics()} != {"features", "count"}:
            raise InvalidParameter("structure.kind", "a regressor needs a random-feature "
                                   "kernel (gaussian_kde, exponential_kde, laplace_kde, "
                                   "rff_baseline and the like)")
        return cls(data, base, labels.label_range)

    @property
    def mechanism(self) -> Mechanism:
        return self.base.mechanism

    def public_params(self) -> dict[str, Any]:
        return {"rule": "nadaraya_watson",
                "structure": {"kind": self.base.kind, "params": self.base.public_params()}}

    def statistics(self) -> list[Statistic]:
        base = self.base.statistics()
        features = next(s for s in base if s.name == "features")
        return [*base, Statistic("weighted_features", features.size, features.l1_sensitivity,
                                 features.l2_sensitivity, features.weight)]

    def builder(self, seed: int) -> RegressorBuilder:
        base = self.base.builder(seed)
        if not isinstance(base, RandomFeatureBuilder):
            raise InvalidParameter("structure.kind", "a regressor needs a random-feature kernel")
        return RegressorBuilder(self, base)

    def release_bytes(self) -> int:
        return self.base.release_bytes() + 8 * next(
            s.size for s in self.statistics() if s.name == "weighted_features")

    def estimate(self, plan: NoisePlan, rows: int) -> ErrorEstimate:
        return self.base.estimate(plan, rows)

    def cost(self, rows: int, chunk_rows: int) -> Cost:
        """The base structure's, with the features weighted once more (a second pass
        over them) and a second feature sum to draw noise for and store."""
        whole = self.base.cost(rows, chunk_rows)
        size = next(s.size for s in self.statistics() if s.name == "weighted_features")
        return Cost(release_bytes=whole.release_bytes + 8 * size,
                    build_memory_bytes=whole.build_memory_bytes + 3 * 8 * size,
                    build_seconds=2 * whole.build_seconds, noise_values=whole.noise_values + size,
                    query_seconds_per_point=2 * whole.query_seconds_per_point)


class RegressorBuilder:
    def __init__(self, spec: RegressorSpec, base: RandomFeatureBuilder) -> None:
        self._spec = spec
        self._base = base

    def accumulate(self, rows: NDArray[np.float64], labels: NDArray[Any],
                   to_backend: Callable[[NDArray[np.float64]], Array]
                   ) -> dict[str, NDArray[np.float64]]:
        lo, hi = self._spec.label_range
        # a NaN label (refused at upload: LabelSet.check_labels) weighs 0 rather than
        # poisoning the sum, so whether a build fails never depends on a label's value
        u = np.clip(np.nan_to_num((np.asarray(labels, dtype=np.float64) - lo) / (hi - lo),
                                  nan=0.0), 0.0, 1.0)
        chunk = to_backend(rows)
        sums = {name: np.asarray(to_host(v), dtype=np.float64)
                for name, v in self._base.accumulate(chunk).items()}
        fmap = self._base.feature_map
        xp = array_namespace(chunk)
        weights = xp.asarray(u, device=device(chunk))
        total = xp.zeros(fmap.size, dtype=xp.float64, device=device(chunk))
        block = block_rows(fmap.size)
        for index, (part, real) in enumerate(fixed_blocks(chunk, block)):
            w = weights[index * block:index * block + real]
            phi = xp.astype(fmap.transform(part)[:real, ...], xp.float64)
            total = total + xp.sum(w[:, None] * phi, axis=0)
        sums["weighted_features"] = np.asarray(to_host(total), dtype=np.float64)
        return sums

    def finish(self, noisy: Mapping[str, NDArray[np.float64]],
               plan: NoisePlan) -> RegressorRelease:
        plain = self._base.finish({"features": noisy["features"], "count": noisy["count"]}, plan)
        weighted = self._base.finish({"features": noisy["weighted_features"],
                                      "count": noisy["count"]}, _weighted_plan(plan))
        return RegressorRelease(dim=self._spec.data.dim, label_range=self._spec.label_range,
                                params=self._spec.public_params(), plan=plan,
                                plain=plain, weighted=weighted)


def _weighted_plan(plan: NoisePlan) -> NoisePlan:
    """The plan seen by the weighted sum's release: its noise is ``weighted_features``'s."""
    specs = tuple(s for s in plan.specs if s.statistic != "features")
    renamed = tuple(
        type(s)("features", s.size, s.mechanism, s.sensitivity, s.scale, s.epsilon, s.rho)
        if s.statistic == "weighted_features" else s for s in specs)
    return NoisePlan(plan.mechanism, plan.budget, renamed)


@dataclass(frozen=True, slots=True)
class RegressorRelease:
    dim: int
    label_range: tuple[float, float]
    params: dict[str, Any]
    plan: NoisePlan
    plain: RandomFeatureRelease
    weighted: RandomFeatureRelease
    kind: str = "regressor"

    def predict(self, points: NDArray[np.float64]) -> ValuePrediction:
        Y = check_points(points, self.dim)
        lo, hi = self.label_range
        plain = self.plain.query(Y, "sum")
        weighted = self.weighted.query(Y, "sum")
        denominator = np.maximum(np.maximum(plain.values, plain.std), _TINY)
        ratio = weighted.values / denominator
        std = np.hypot(weighted.std, ratio * plain.std) / denominator
        clipped = np.clip(ratio, 0.0, 1.0)
        return ValuePrediction(lo + (hi - lo) * clipped, (hi - lo) * std)

    def query(self, points: NDArray[np.float64], reduce: Reduce = "sum") -> QueryResult:
        """A regressor answers ``predict``: the predicted values and their std."""
        prediction = self.predict(points)
        return QueryResult(prediction.values, prediction.std, np.zeros_like(prediction.std))

    def error_model(self, data: DataSpec) -> ErrorModel:
        base = self.plain.error_model(data)
        details = dict(base.details) | {
            "weighted_noise_std_sum": self.plan.std("weighted_features")
            * math.sqrt(self.plain.fmap.answer_weight())}
        return ErrorModel(base.noise_std_sum, base.count_noise_std,
                          base.approximation_std_mean, details)

    def header(self) -> dict[str, Any]:
        headers, _ = join_parts([self.plain, self.weighted])
        return {"kind": self.kind, "dim": self.dim, "label_range": list(self.label_range),
                "params": self.params, "plan": self.plan.to_dict(), "parts": headers}

    def arrays(self) -> dict[str, NDArray[np.float64]]:
        return join_parts([self.plain, self.weighted])[1]

    @classmethod
    def from_parts(cls, header: Mapping[str, Any],
                   arrays: Mapping[str, NDArray[np.float64]]) -> Self:
        try:
            headers = list(header["parts"])
            if len(headers) != 2:
                raise CorruptRelease("regressor release needs two parts")
            plain, weighted = (RandomFeatureRelease.from_parts(h, part_arrays(arrays, i))
                               for i, h in enumerate(headers))
            lo, hi = (float(v) for v in header["label_range"])
            return cls(dim=int(header["dim"]), label_range=(lo, hi),
                       params=dict(header["params"]), plan=NoisePlan.from_dict(header["plan"]),
                       plain=plain, weighted=weighted)
        except (KeyError, TypeError, ValueError) as exc:
            raise CorruptRelease("regressor release is incomplete") from exc
