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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, NamedTuple, Protocol, Self

import numpy as np
from numpy.typing import NDArray

from core._array import Array, to_host
from core.domain import Domain, Neighbouring
from core.errors import IncompatibleArrays, InvalidParameter
from core.privacy.budget import PrivacyBudget
from core.privacy.mechanisms import Mechanism, NoisePlan, Statistic, plan_noise, verify_plan

__all__ = [
    "ERROR_MODEL_KEYS", "MAX_DIM", "MAX_QUERY_MAGNITUDE", "Builder", "Cost", "DataSpec",
    "ErrorEstimate", "ErrorModel", "QueryResult", "Reduce", "Release", "Spec", "Totals",
    "add_totals", "build_release", "check_plan", "check_plan_names", "check_points",
    "chunk_totals", "count_statistic", "empty_totals", "exact_totals", "ratio_std",
    "release_from_totals", "upgrade_error_model",
]

Reduce = Literal["sum", "mean"]
MAX_DIM = 65_536  # the widest dataset: the finiteness bounds (core.domain) assume it


@dataclass(frozen=True, slots=True)
class DataSpec:
    """The public facts about a dataset that a structure may depend on."""

    dim: int
    domain: Domain
    neighbouring: Neighbouring

    def __post_init__(self) -> None:
        if not 1 <= self.dim <= MAX_DIM:
            raise InvalidParameter("dim", f"must be between 1 and {MAX_DIM}")
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


ERROR_MODEL_KEYS = ("noise_std_sum", "count_noise_std", "approximation_std_mean", "details")


@dataclass(frozen=True, slots=True)
class ErrorModel:
    """What a built release reports about its own error, the same keys for every kind
    (stored with the structure and returned by the API).

    ``noise_std_sum``: std of the privacy noise in F(y) at a typical in-domain query
    (exact where it does not depend on y, else the largest over the domain);
    ``count_noise_std``: std of the noisy n (0 where n is public); ``approximation_std_mean``:
    bound on the approximation error of F(y)/n (random features, projections, grids,
    quadrature; 0 for the exact moment kinds); ``details``: the kind's own figures
    (noise stds of its other statistics, leaf widths, distortion, quadrature error)."""

    noise_std_sum: float
    count_noise_std: float
    approximation_std_mean: float
    details: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"noise_std_sum": self.noise_std_sum, "count_noise_std": self.count_noise_std,
                "approximation_std_mean": self.approximation_std_mean,
                "details": dict(self.details)}


def upgrade_error_model(kind: str, stored: Mapping[str, Any], data: DataSpec) -> dict[str, Any]:
    """An error model stored by an older build (one flat mapping of floats, its keys
    depending on the kind) in the shape ``ErrorModel.to_dict`` gives, with exactly the
    numbers a fresh build reports; a model already in that shape comes back unchanged.

    The common keys stay, every other key moves to ``details``; the moment kinds
    (``sq_l2_distance``, ``inner_product``) stored no ``noise_std_sum``: it is the std at
    the worst in-domain query, from their stored stds and the dataset's ``data``."""
    if "details" in stored:
        return dict(stored)
    common = ("noise_std_sum", "count_noise_std", "approximation_std_mean")
    details = {key: float(value) for key, value in stored.items() if key not in common}
    if "noise_std_sum" in stored:
        noise = float(stored["noise_std_sum"])
    else:
        from core.structures.moments import moment_noise_std_sum  # moments imports base

        noise = moment_noise_std_sum(kind, data, float(stored["sum_noise_std"]),
                                     float(stored.get("sum_sq_noise_std", 0.0)),
                                     float(stored["count_noise_std"]))
    return ErrorModel(noise, float(stored["count_noise_std"]),
                      float(stored["approximation_std_mean"]), details).to_dict()


@dataclass(frozen=True, slots=True)
class Cost:
    """What one build and its queries would cost, from public parameters, the row count
    and the chunk size only (nothing is allocated or read): what the service compares
    with its limits before anything is spent. An estimate on one reference core (see
    the calibration constants below), meant to err high: within a small factor of the
    truth, enough to refuse what is 100 times too big.

    ``release_bytes``: what the release stores (its arrays); ``build_memory_bytes``:
    peak working memory of one build (the release, the largest per-chunk intermediate
    arrays, the noise); ``build_seconds``: CPU seconds of one build; ``noise_values``:
    privacy noise values the build draws; ``query_seconds_per_point``: CPU seconds per
    query point (in batches)."""

    release_bytes: int
    build_memory_bytes: int
    build_seconds: float
    noise_values: int
    query_seconds_per_point: float

    def to_dict(self) -> dict[str, float | int]:
        return {"release_bytes": self.release_bytes,
                "build_memory_bytes": self.build_memory_bytes,
                "build_seconds": self.build_seconds, "noise_values": self.noise_values,
                "query_seconds_per_point": self.query_seconds_per_point}


# --- cost model calibration ------------------------------------------------------------
# Every kind's ``cost`` counts the work its build and its queries do, in the units
# below, and multiplies by these constants: CPU seconds (or bytes) on one reference
# core, the project's build machine (a 2-core AMD EPYC (Zen 1) KVM guest, AVX2; NumPy
# 2.4 with OpenBLAS on one thread; OpenDP 0.16). ``python -m bench.cost --calibrate``
# measures each unit (the least of a few runs; the figures below) and prints it next to
# its constant, which is rounded up from it (by 20% to 2x: the estimates err high);
# ``python -m bench.cost`` checks every kind's whole estimate against measured builds
# and queries (bench/results/cost.md: within 1.1x to 3x, always above).
#
# privacy noise, per value drawn (OpenDP's float-safe vector samplers, from the OS
# CSPRNG, on the statistic's lattice 2^k, in chunks on a thread per core:
# core.privacy.noise): measured 4.0 us (Laplace) and 6.6 us (Gaussian) on an idle
# 2-core machine, 6.9 and 11.7 us on a loaded one; its peak memory per value of one
# statistic (the Python float lists in and out of OpenDP, its own buffers) measured
# 375-390 bytes
SECONDS_PER_LAPLACE_VALUE = 12e-6
SECONDS_PER_GAUSSIAN_VALUE = 20e-6
NOISE_BYTES_PER_VALUE = 400
# one multiply-add in a matrix product (OpenBLAS, one thread, the narrow inner
# dimensions of these products): measured 0.15 ns (float32) and 0.5 ns (float64) at
# inner dimension 8, two to three times less in wide square products
SECONDS_PER_MAC = {"float32": 0.15e-9, "float64": 0.5e-9}
# one cosine or sine: measured 4 ns (float32, angles below 1e4) and 28 ns (float64,
# angles from 1 to 1e8; 13 ns below 1); beyond those (``LARGE_ANGLE`` in
# core.structures.feature_maps) the slow paths: 19 ns (float32) and 100 ns (float64); a float64
# remainder modulo 2 pi (angles float32 cannot hold): 11-17 ns
SECONDS_PER_TRIG = {"float32": 5e-9, "float64": 30e-9}
SECONDS_PER_TRIG_LARGE = {"float32": 20e-9, "float64": 110e-9}
SECONDS_PER_REMAINDER = 18e-9
# one elementwise NumPy pass over one float64 (add, compare, where, copy): 1-2 ns
SECONDS_PER_PASS = 2e-9
# one standard normal from PCG64: measured 15-29 ns; one chi or F quantile (orthogonal
# frequencies' radii): measured 1.4 us
SECONDS_PER_NORMAL = 20e-9
SECONDS_PER_QUANTILE = 2e-6
# a k x k QR factorisation (orthogonal frequencies, one per k frequencies): measured
# 0.24-0.44 ns per k^3 for k >= 256; 67 us for k = 16
SECONDS_PER_QR_CUBE = 0.5e-9
SECONDS_PER_QR = 0.1e-3
# dyadic count and sum trees (l1_distance, l2_distance): per row and coordinate (sort,
# leaf, search, prefix sums) measured 120-170 ns; per leaf,
# coordinate and tree in every chunk (search of the leaf boundaries, the tree levels)
# measured 46-53 ns
SECONDS_PER_TREE_ROW = 0.2e-6
SECONDS_PER_TREE_LEAF = 70e-9
# queries of the tree kinds, per coordinate: prefix, per level (two trees' prefix nodes,
# the noise variance), measured 60 ns; banded, per level and band edge (the telescoped
# coefficients), measured 88 ns
SECONDS_PER_PREFIX_LEVEL = 80e-9
SECONDS_PER_BAND_EDGE_LEVEL = 0.11e-6
# fixed costs: one build (the plan, the builder, the release), one chunk (moving it,
# the Python loop); one query point's share of a batch's fixed work
SECONDS_PER_BUILD = 0.02
SECONDS_PER_CHUNK = 1e-3
SECONDS_PER_QUERY_POINT = 0.3e-6


def noise_values(statistics: Iterable[Statistic], mechanism: Mechanism) -> int:
    """How many noise values a build draws: every coordinate of every statistic that
    has a sensitivity in the mechanism's norm (the others are released exactly)."""
    return sum(s.size for s in statistics
               if (s.l1_sensitivity if mechanism == "laplace" else s.l2_sensitivity) > 0)


def chunk_sizes(rows: int, chunk_rows: int) -> tuple[int, int]:
    """(rows in the largest chunk, number of chunks) of a build over ``rows`` rows read
    ``chunk_rows`` at a time; an empty dataset is one empty chunk."""
    if rows < 0 or chunk_rows < 1:
        raise InvalidParameter("rows", "need rows >= 0 and chunk_rows >= 1")
    return min(rows, chunk_rows), max(1, -(-rows // chunk_rows))


def build_cost(*, data: DataSpec, statistics: Sequence[Statistic], mechanism: Mechanism,
               release_bytes: int, rows: int, chunk_rows: int, seconds_per_row: float,
               seconds_per_chunk: float, fixed_seconds: float, working_bytes: int,
               query_seconds: float) -> Cost:
    """A kind's cost from its own counts plus what every build shares: reading and
    clipping each chunk (the chunk, its clipped copy and a temporary), the sums and
    their noisy copy (the release's size twice), the noise (drawn one statistic at a
    time: its peak memory is the largest statistic's), the fixed costs.

    ``seconds_per_row`` and ``seconds_per_chunk``: the kind's own work per row and per
    chunk; ``fixed_seconds``: its own work once per build (public randomness, the
    release); ``working_bytes``: its largest intermediate arrays at any one time."""
    largest, chunks = chunk_sizes(rows, chunk_rows)
    values = noise_values(statistics, mechanism)
    widest = max((s.size for s in statistics if (
        s.l1_sensitivity if mechanism == "laplace" else s.l2_sensitivity) > 0), default=0)
    per_value = (SECONDS_PER_LAPLACE_VALUE if mechanism == "laplace"
                 else SECONDS_PER_GAUSSIAN_VALUE)
    clip_seconds = 8 * data.dim * SECONDS_PER_PASS  # norms, scaling or clamping, copies
    seconds = (rows * (seconds_per_row + clip_seconds)
               + chunks * (seconds_per_chunk + SECONDS_PER_CHUNK)
               + fixed_seconds + values * per_value + SECONDS_PER_BUILD)
    memory = (3 * 8 * largest * data.dim + 2 * release_bytes + working_bytes
              + widest * NOISE_BYTES_PER_VALUE + 8 * values)
    return Cost(release_bytes=release_bytes, build_memory_bytes=int(memory),
                build_seconds=float(seconds), noise_values=values,
                query_seconds_per_point=float(query_seconds + SECONDS_PER_QUERY_POINT))


class Release(Protocol):
    """A differentially private release: the only thing a build stores."""

    @property
    def kind(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def query(self, points: NDArray[np.float64], reduce: Reduce = "sum") -> QueryResult: ...

    def error_model(self, data: DataSpec) -> ErrorModel:
        """The release's error (``data``: the dataset's public facts it was built on)."""
        ...

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

    @classmethod
    def parse(cls, params: Mapping[str, Any], data: DataSpec) -> Self:
        """Validate ``params`` (strictly: core.kinds.registry.parse_params), then the
        kind's rules across them (defaults derived from alpha, refusals)."""
        ...

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

    def cost(self, rows: int, chunk_rows: int) -> Cost:
        """What a build on ``rows`` rows, read ``chunk_rows`` at a time, and its queries
        would cost, from public parameters only; allocates nothing of the structure."""
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


# exact (non-private) sums of rows, by statistic, on the host
Totals = dict[str, NDArray[np.float64]]


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

    The two halves are public so that a distributed build (``app.workers.distributed``)
    runs the same code: ``chunk_totals`` on each chunk wherever it lies, then
    ``release_from_totals`` once, where the job is owned.
    """
    check_plan_names(spec, plan)
    builder = spec.builder(seed)
    totals = exact_totals(spec, builder, chunks, to_backend=to_backend, progress=progress)
    return release_from_totals(builder, plan, totals, observe=observe)


def check_plan_names(spec: Spec, plan: NoisePlan) -> None:
    """Refuse a plan whose statistics are not exactly the structure's."""
    names = {s.name for s in spec.statistics()}
    if names != {s.statistic for s in plan.specs}:
        raise InvalidParameter("plan", "does not match the structure's statistics")


def chunk_totals(spec: Spec, builder: Builder, rows: NDArray[np.float64],
                 to_backend: Callable[[NDArray[np.float64]], Array] = lambda x: x) -> Totals:
    """The exact (non-private) sums of one chunk of rows, clipped to the domain first,
    back on the host in float64."""
    if rows.ndim != 2 or rows.shape[1] != spec.data.dim:
        raise IncompatibleArrays(f"rows must have shape (n, {spec.data.dim})")
    clipped = spec.data.domain.clip(np.asarray(rows, dtype=np.float64))
    return {name: to_host(partial)
            for name, partial in builder.accumulate(to_backend(clipped)).items()}


def add_totals(total: Totals | None, partial: Mapping[str, NDArray[np.float64]]) -> Totals:
    """``total + partial``, statistic by statistic (``total`` None: no sums yet); the
    sums of several chunks, in any order and grouping. Neither argument is changed."""
    out = {} if total is None else dict(total)
    for name, values in partial.items():
        host = np.asarray(values, dtype=np.float64)
        out[name] = out[name] + host if name in out else host
    return out


def empty_totals(spec: Spec, builder: Builder,
                 to_backend: Callable[[NDArray[np.float64]], Array] = lambda x: x) -> Totals:
    """The sums of no rows at all: zeros of the right shapes."""
    return chunk_totals(spec, builder, np.zeros((0, spec.data.dim)), to_backend)


def exact_totals(spec: Spec, builder: Builder, chunks: Iterable[NDArray[np.float64]], *,
                 to_backend: Callable[[NDArray[np.float64]], Array] = lambda x: x,
                 progress: Callable[[int], None] | None = None) -> Totals:
    """The exact sums of every chunk (``chunk_totals``, added up in order), on the host
    in float64; ``progress`` is called with the number of chunks done after each."""
    totals: Totals | None = None
    for index, rows in enumerate(chunks):
        totals = add_totals(totals, chunk_totals(spec, builder, rows, to_backend))
        if progress is not None:
            progress(index + 1)
    return empty_totals(spec, builder, to_backend) if totals is None else totals


def release_from_totals(
    builder: Builder, plan: NoisePlan, totals: Mapping[str, NDArray[np.float64]], *,
    observe: Callable[[Mapping[str, NDArray[np.float64]]], None] | None = None,
) -> Release:
    """Add the noise once (``plan.apply``, on the host) to the exact sums and wrap the
    release; ``observe`` as in ``build_release``."""
    noisy = plan.apply(totals)
    if observe is not None:
        observe(noisy)
    return builder.finish(noisy, plan)


# Query coordinates may be at most this in magnitude: with the domain range of
# core.domain (scale <= 1e12, widths >= 1e-12) every kind's values, std and
# approximation_std are then finite. The tightest is sq_l2_distance: ||y - c||^2 <= 65,536
# (1e15 + 1e12)^2 = 6.6e34 times a count noise std <= 1.4e11 (epsilon >= 1e-9) is 1e46,
# squared 1e92; an l1 grid of leaves >= 1e-18 wide puts a query at most 1e33 leaves
# away. 1e15 is a thousand times the largest domain: farther queries only ever meet the
# kernels' zero and the distances' linear growth, which 1e15 already shows.
MAX_QUERY_MAGNITUDE = 1e15


def check_points(points: NDArray[np.float64], dim: int) -> NDArray[np.float64]:
    """Validate query points: a finite (q, dim) float array with every coordinate at
    most ``MAX_QUERY_MAGNITUDE`` in magnitude."""
    arr = np.asarray(points, dtype=np.float64)
    if arr.ndim == 1 and arr.shape[0] == dim:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != dim:
        raise IncompatibleArrays(f"query points must have shape (q, {dim})")
    # one pass for the usual batch: NaN and Inf fail the comparison too
    if arr.size and not np.max(np.abs(arr)) <= MAX_QUERY_MAGNITUDE:
        if not np.all(np.isfinite(arr)):
            raise IncompatibleArrays("query points must be finite (no NaN or Inf)")
        raise IncompatibleArrays(f"query coordinates must be at most "
                                 f"{MAX_QUERY_MAGNITUDE:g} in magnitude")
    return arr


def clamp_count(noisy_count: float) -> float:
    """The noisy n as a denominator: post-processed to be at least 1."""
    return max(float(noisy_count), 1.0)


def ratio_std(numerator: NDArray[np.float64], numerator_std: NDArray[np.float64],
              denominator: float, denominator_std: float) -> NDArray[np.float64]:
    """Std of numerator/denominator for independent noises, to first order (delta method)."""
    ratio = numerator / denominator
    return np.hypot(numerator_std, ratio * denominator_std) / abs(denominator)

