"""What every structure kind provides, and the one build pipeline they all share.

A kind parses its ``params`` into a ``Spec`` (validated, defaults filled, public). The
spec names the statistics it releases with their sensitivities, so the noise plan, and
with it the ledger entry, is fixed before any row is read. ``Spec.builder(seed)`` draws
the public randomness (JL matrices, frequencies) from a published seed; the builder maps
chunks of rows to exact additive sums (``accumulate``, any Array API namespace, so a GPU
can do it) and turns the summed statistics plus the noise plan into a ``Release``, the
only object that leaves the build. Queries are post-processing of the release.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, NamedTuple, Protocol, Self

import numpy as np
from numpy.typing import NDArray

from core._array import Array, to_host
from core.domain import Domain, Neighbouring
from core.errors import IncompatibleArrays, InvalidParameter
from core.privacy.budget import PrivacyBudget
from core.privacy.mechanisms import Mechanism, NoisePlan, Statistic, plan_noise, verify_plan

__all__ = [
    "Builder", "DataSpec", "ErrorEstimate", "QueryResult", "Reduce", "Release", "Spec",
    "build_release", "check_plan", "check_points", "count_statistic", "ratio_std",
]

Reduce = Literal["sum", "mean"]


@dataclass(frozen=True, slots=True)
class DataSpec:
    """The public facts about a dataset that a structure may depend on."""

    dim: int
    domain: Domain
    neighbouring: Neighbouring

    def __post_init__(self) -> None:
        if self.dim < 1:
            raise InvalidParameter("dim", "must be >= 1")
        if self.neighbouring not in ("add_remove", "replace_one"):
            raise InvalidParameter("neighbouring", "must be 'add_remove' or 'replace_one'")


class QueryResult(NamedTuple):
    """Answers, the std of their privacy noise, and a bound on the std of the
    approximation error (random features, projections); all per query point."""

    values: NDArray[np.float64]
    std: NDArray[np.float64]
    approximation_std: NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ErrorEstimate:
    """What a build would deliver, from its public parameters, its noise plan and a row
    count only (nothing is read): the numbers ``structures:estimate`` answers.

    ``noise_std_sum``: std of the privacy noise in F(y) for a typical in-domain query
    (exact where the std does not depend on y, else the largest over the domain).
    ``noise_std_mean``: the same for F(y)/n. ``approximation_mean``: bound on the
    approximation error of F(y)/n (random features, projections, grids, quadrature).
    ``typical_mean``: a typical |F(y)/n| on the declared domain (1 for kernels, the
    domain's radius for distances), to read the other numbers against.
    ``target_mean``: the accuracy the request asked for (from ``alpha``), on the same
    scale as ``noise_std_mean``; None when no alpha was given.
    """

    noise_std_sum: float
    noise_std_mean: float
    approximation_mean: float
    typical_mean: float
    target_mean: float | None = None

    def to_dict(self) -> dict[str, float | None]:
        return {"noise_std_sum": self.noise_std_sum, "noise_std_mean": self.noise_std_mean,
                "approximation_mean": self.approximation_mean,
                "typical_mean": self.typical_mean, "target_mean": self.target_mean}


class Release(Protocol):
    """A differentially private release: the only thing a build stores."""

    kind: ClassVar[str]

    @property
    def dim(self) -> int: ...

    def query(self, points: NDArray[np.float64], reduce: Reduce = "sum") -> QueryResult: ...

    def error_model(self) -> dict[str, float]: ...

    def header(self) -> dict[str, Any]: ...

    def arrays(self) -> dict[str, NDArray[np.float64]]: ...

    @classmethod
    def from_parts(cls, header: Mapping[str, Any],
                   arrays: Mapping[str, NDArray[np.float64]]) -> Self: ...


class Builder(Protocol):
    def accumulate(self, chunk: Array) -> dict[str, Array]:
        """Exact (non-private) additive sums of one chunk of clipped rows."""
        ...

    def finish(self, noisy: Mapping[str, NDArray[np.float64]], plan: NoisePlan) -> Release:
        """Wrap the noisy statistics into a release."""
        ...


class Spec(Protocol):
    kind: ClassVar[str]

    @property
    def data(self) -> DataSpec: ...

    @property
    def mechanism(self) -> Mechanism: ...

    def public_params(self) -> dict[str, Any]:
        """The parameters with every default filled in, as stored and published."""
        ...

    def statistics(self) -> list[Statistic]: ...

    def builder(self, seed: int) -> Builder: ...

    def release_bytes(self) -> int:
        """Size of the release's arrays in bytes (what is stored and held in memory
        while querying), from public parameters; the service refuses a build above its
        configured limit before anything is spent."""
        ...

    def estimate(self, plan: NoisePlan, rows: int) -> ErrorEstimate:
        """The error a build with ``plan`` on ``rows`` rows would have."""
        ...


def noise_plan(spec: Spec, budget: PrivacyBudget) -> NoisePlan:
    return plan_noise(spec.statistics(), spec.mechanism, budget)


def check_plan(spec: Spec, plan: NoisePlan) -> None:
    """Refuse a plan that does not meet the privacy map of ``spec``'s statistics (see
    ``core.privacy.mechanisms.verify_plan``); the worker calls it before reading rows."""
    verify_plan(spec.statistics(), spec.mechanism, plan)


def count_statistic(neighbouring: Neighbouring, weight: float = 1.0) -> Statistic:
    """n: sensitivity 1 under add/remove; public (sensitivity 0) under replace-one."""
    sens = 1.0 if neighbouring == "add_remove" else 0.0
    return Statistic("count", 1, sens, sens, weight)


def build_release(
    spec: Spec,
    *,
    seed: int,
    plan: NoisePlan,
    chunks: Iterable[NDArray[np.float64]],
    to_backend: Callable[[NDArray[np.float64]], Array] = lambda x: x,
    progress: Callable[[int], None] | None = None,
    observe: Callable[[Mapping[str, NDArray[np.float64]]], None] | None = None,
) -> Release:
    """The whole build: clip, sum chunk by chunk, add noise once, wrap the release.

    ``plan`` is ``noise_plan(spec, budget)``, fixed (and recorded) before the build.
    ``chunks`` yields host arrays of rows; ``to_backend`` moves each to the compute
    device. The exact sums come back to the host in float64 and the noise is added
    there, by ``core.privacy.noise``. ``observe``, if given, sees the noisy statistics
    just before they are wrapped (for the noise-distribution audit only: they are
    exactly what the release stores).
    """
    names = {s.name for s in spec.statistics()}
    if names != {s.statistic for s in plan.specs}:
        raise InvalidParameter("plan", "does not match the structure's statistics")
    builder = spec.builder(seed)
    totals: dict[str, NDArray[np.float64]] = {}
    for index, rows in enumerate(chunks):
        if rows.ndim != 2 or rows.shape[1] != spec.data.dim:
            raise IncompatibleArrays(f"rows must have shape (n, {spec.data.dim})")
        clipped = spec.data.domain.clip(np.asarray(rows, dtype=np.float64))
        for name, partial in builder.accumulate(to_backend(clipped)).items():
            host = to_host(partial)
            totals[name] = totals[name] + host if name in totals else host
        if progress is not None:
            progress(index + 1)
    if not totals:  # no rows at all: the sums of an empty chunk are zeros of the right shape
        totals = {name: to_host(v) for name, v in
                  builder.accumulate(to_backend(np.zeros((0, spec.data.dim)))).items()}
    noisy = plan.apply(totals)
    if observe is not None:
        observe(noisy)
    return builder.finish(noisy, plan)


MAX_MAGNITUDE = 1e100  # bound on query coordinates and domain bounds: answers stay finite


def check_points(points: NDArray[np.float64], dim: int) -> NDArray[np.float64]:
    """Validate query points: a finite (q, dim) float array of moderate magnitude."""
    arr = np.asarray(points, dtype=np.float64)
    if arr.ndim == 1 and arr.shape[0] == dim:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != dim:
        raise IncompatibleArrays(f"query points must have shape (q, {dim})")
    if not np.all(np.isfinite(arr)):
        raise IncompatibleArrays("query points must be finite (no NaN or Inf)")
    if arr.size and np.max(np.abs(arr)) > MAX_MAGNITUDE:
        raise IncompatibleArrays(f"query coordinates must be at most {MAX_MAGNITUDE:g} "
                                 "in magnitude")
    return arr


def clamp_count(noisy_count: float) -> float:
    """The noisy n as a denominator: post-processed to be at least 1."""
    return max(float(noisy_count), 1.0)


def ratio_std(numerator: NDArray[np.float64], numerator_std: NDArray[np.float64],
              denominator: float, denominator_std: float) -> NDArray[np.float64]:
    """Std of numerator/denominator for independent noises, to first order (delta method)."""
    ratio = numerator / denominator
    return np.sqrt(numerator_std**2 + (ratio * denominator_std) ** 2) / abs(denominator)

