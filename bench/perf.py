"""Performance benchmark: how close privsim runs to the machine's speed (issue 13).

    python -m bench.perf [--quick | --smoke] [--out DIR] [--only SECTION ...]

Every figure stands next to its reference, measured in the same run (../shared/BENCH.md):

1. ``gemm``: the machine's GEMM peak, float64 and float32 GFLOP/s of a square matrix
   product (best of the repetitions, BLAS on every thread it has): the reference of the
   fractions below.
2. ``queries``: queries/s of every registered kind (``core.kinds.REGISTRY``, default
   parameters, built with ``build_release`` on the synthetic mixture) for batches of 1,
   1,000 and 100,000 points; where the work is a matrix product (the random-feature
   kinds), GFLOP/s and the fraction of the GEMM peak of the kind's precision. Flops per
   point: 2 r c for every public matrix of the release (frequencies r x c, weights,
   projection) plus 2 per value of the noisy sums the answer is weighed with; the
   output gives each kind's matrices. A batch that would take longer than the
   config's ``batch_seconds`` is skipped, and the output says so.
3. ``brute``: gaussian_kde (4,096 features, Gaussian mechanism) against exact float32
   brute-force Gaussian KDE at n = 1e6, d = 768 on the same 1,000 queries: the speed-up,
   and the relative error of the mean-KDE against float64 brute force on a subset of
   the queries, over several noise draws. LSQ-RFF (``rff_baseline``, 4,096 phased
   features, Laplace) takes about 20 minutes of sums at n = 1e6 on 2 cores, so the
   accuracy comparison with it runs on the first ``brute_reference_rows`` rows, where
   gaussian_kde's error is measured again on the same rows.
4. ``build``: rows/s of whole builds (gaussian_kde 4,096 features and l1_distance at
   d = 128) against n, each in a fresh process fed chunk by chunk by a generator (the
   dataset is never whole in memory), with the peak RSS of that process; for
   gaussian_kde the GFLOP/s of its sums (2 d per frequency per row: m/2 frequencies for
   m paired features) as a fraction of the float32 GEMM peak. The rows' generation
   time is taken out. One more gaussian_kde build at the brute-force section's d = 768
   (``build_wide``): the product grows with d, the cosines and sines do not, so the
   fraction of the peak depends on d and the report gives both.
5. ``noise``: values/s of ``core.privacy.noise`` (Laplace and Gaussian, on the lattice
   privsim uses) for long vectors, next to one chunk (one OpenDP call, one thread) on
   the same lattice and on the exact lattice.
6. ``service``: requests/s and p50/p99 latency of single-point queries (768-d,
   gaussian_kde 4,096 features) over HTTP on loopback against one uvicorn process of
   the real app (embedded default: SQLite in a temporary directory, in-process worker),
   JSON and npy bodies, next to bare FastAPI endpoints (``bench.perf_bare``) that parse
   the same JSON body with pydantic and with orjson. The load generator is an asyncio
   client on raw keep-alive connections (fixed concurrency, time-boxed rounds that
   alternate the targets); it runs on the same 2 cores, so the output gives its CPU use
   and the server's.

Timings are medians of the repetitions after a warm-up, with min and max. It writes
``perf.json`` (every raw figure and the machine) and ``perf.md`` to ``--out``.
``--quick`` runs smaller sizes in a few minutes; ``--smoke`` the smallest ones (the
smoke test's, seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import math
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bench.data import CENTRE_RADIUS, COMPONENTS, DATA_SEED, DOMAIN, SPREAD, synthetic_bandwidth
from bench.kde import _load_average, exact_mean_kde, machine_info, spread, timed

__all__ = ["FULL", "QUICK", "SECTIONS", "SMOKE", "Config", "Mixture", "main"]

SECTIONS = ("gemm", "queries", "brute", "build", "noise", "service")
STRUCTURE_SEED = 1234  # public randomness of every build: fixed and published
EPSILON, DELTA = 1.0, 1e-6  # every build's budget (delta for the Gaussian mechanism only)
VMF_KAPPA = 4.0  # vmf_kde's required concentration (public)
BRUTE_CHUNK_ROWS = 16_384
BRUTE_BLOCK_ROWS = 8_192  # rows per block of the float32 brute force
NOISE_SCALE = 10.0
DEFAULT_OUT = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, slots=True)
class Config:
    """The sizes of one run."""

    mode: str
    repetitions: int  # timed runs after the warm-up (BENCH.md: at least 5)
    gemm_size: int
    query_rows: int
    query_dim: int
    query_batches: tuple[int, ...]
    single_calls: int  # single-point queries per timed run of batch 1
    batch_seconds: float  # a batch estimated to take longer (warm-up + runs) is skipped
    brute_rows: int
    brute_dim: int
    brute_features: int
    brute_queries: int
    brute_subset: int  # queries whose float64 exact answers the accuracy uses
    brute_reference_rows: int  # rows of the comparison with LSQ-RFF
    brute_draws: int  # noise draws of the accuracy
    brute_repetitions: int  # the float32 brute force is slow: its own count
    build_rows: tuple[int, ...]
    build_dim: int
    build_features: int
    build_chunk_rows: int
    build_timeout: float  # seconds one build process may take
    build_wide: tuple[int, int]  # (d, n) of the one gaussian_kde build at a wider d
    noise_sizes: tuple[int, ...]
    service_rows: int
    service_dim: int
    service_features: int
    service_rounds: int
    service_seconds: float  # per target and round
    service_concurrency: int


FULL = Config(
    mode="full", repetitions=5, gemm_size=2_048,
    query_rows=20_000, query_dim=128, query_batches=(1, 1_000, 100_000), single_calls=100,
    batch_seconds=90.0,
    brute_rows=1_000_000, brute_dim=768, brute_features=4_096, brute_queries=1_000,
    brute_subset=100, brute_reference_rows=65_536, brute_draws=5, brute_repetitions=3,
    build_rows=(100_000, 1_000_000, 10_000_000), build_dim=128, build_features=4_096,
    build_chunk_rows=65_536, build_timeout=900.0, build_wide=(768, 1_000_000),
    noise_sizes=(262_144, 2_000_000),
    service_rows=10_000, service_dim=768, service_features=4_096, service_rounds=5,
    service_seconds=4.0, service_concurrency=8,
)
QUICK = Config(
    mode="quick", repetitions=5, gemm_size=1_024,
    query_rows=20_000, query_dim=128, query_batches=(1, 1_000, 100_000), single_calls=50,
    batch_seconds=20.0,
    brute_rows=65_536, brute_dim=768, brute_features=4_096, brute_queries=1_000,
    brute_subset=100, brute_reference_rows=16_384, brute_draws=3, brute_repetitions=3,
    build_rows=(100_000, 1_000_000), build_dim=128, build_features=4_096,
    build_chunk_rows=65_536, build_timeout=600.0, build_wide=(768, 100_000),
    noise_sizes=(65_536, 262_144),
    service_rows=2_000, service_dim=768, service_features=4_096, service_rounds=3,
    service_seconds=2.0, service_concurrency=8,
)
SMOKE = Config(
    mode="smoke", repetitions=2, gemm_size=128,
    query_rows=500, query_dim=8, query_batches=(1, 100), single_calls=3, batch_seconds=5.0,
    brute_rows=3_000, brute_dim=16, brute_features=256, brute_queries=50, brute_subset=20,
    brute_reference_rows=1_000, brute_draws=2, brute_repetitions=2,
    build_rows=(1_000, 3_000), build_dim=8, build_features=256, build_chunk_rows=1_000,
    build_timeout=120.0, build_wide=(32, 1_000),
    noise_sizes=(4_000,),
    service_rows=200, service_dim=16, service_features=64, service_rounds=1,
    service_seconds=0.5, service_concurrency=2,
)
CONFIGS = {c.mode: c for c in (FULL, QUICK, SMOKE)}


# --- shared pieces -----------------------------------------------------------------------

class Mixture:
    """``bench.data.synthetic``'s mixture of ``COMPONENTS`` Gaussians (same centres' law,
    spread and clip), generated chunk by chunk so that n can exceed memory: chunk i
    comes from its own stream ``SeedSequence(seed, spawn_key=(1, i))``, so any chunk can
    be regenerated; the queries from ``spawn_key=(2,)``. ``seconds``: the wall time
    spent generating chunks (taken out of a build's time)."""

    def __init__(self, rows: int, dim: int, chunk_rows: int, seed: int = DATA_SEED) -> None:
        self.rows, self.dim, self.chunk_rows, self.seed = rows, dim, chunk_rows, seed
        directions = self._rng(0).standard_normal((COMPONENTS, dim))
        self._centres = CENTRE_RADIUS * directions / np.linalg.norm(directions, axis=1,
                                                                    keepdims=True)
        self.seconds = 0.0

    def _rng(self, *key: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=key))

    def _sample(self, rng: np.random.Generator, count: int) -> NDArray[np.float64]:
        labels = rng.integers(COMPONENTS, size=count)
        points = rng.standard_normal((count, self.dim))
        points *= SPREAD / math.sqrt(self.dim)
        points += self._centres[labels]
        return DOMAIN.clip(points)

    def __iter__(self) -> Iterator[NDArray[np.float64]]:
        for index, start in enumerate(range(0, self.rows, self.chunk_rows)):
            started = time.perf_counter()
            chunk = self._sample(self._rng(1, index), min(self.chunk_rows, self.rows - start))
            self.seconds += time.perf_counter() - started
            yield chunk

    def queries(self, count: int) -> NDArray[np.float64]:
        return self._sample(self._rng(2), count)


def _budget(mechanism: str) -> Any:
    from core.privacy.budget import PrivacyBudget

    return PrivacyBudget(EPSILON, DELTA if mechanism == "gaussian" else 0.0)


def _default_params(kind: str) -> dict[str, Any]:
    """A kind's defaults plus the public values of its required parameters."""
    from core.kinds import REGISTRY

    required = {p.name for p in REGISTRY[kind].param_defs if p.required}
    params: dict[str, Any] = {}
    if "bandwidth" in required:
        params["bandwidth"] = synthetic_bandwidth()
    if "kappa" in required:
        params["kappa"] = VMF_KAPPA
    return params


MATRIX_PREFIXES = ("frequencies", "weights", "tangent_", "projection")
TREE_KINDS = ("l1_distance", "l2_distance")


def matrix_work(kind: str, arrays: Mapping[str, NDArray[np.float64]],
                precision: str) -> dict[str, Any]:
    """Flops per point of a release's query where the work is a matrix product: 2 r c
    for every public (r, c) matrix a point is multiplied by, plus 2 per value of the
    noisy sums; ``None`` (with the reason) for the kinds whose query is not one."""
    if kind in TREE_KINDS:
        return {"flops_per_point": None, "reason": "dyadic-tree lookups: not a matrix product"}
    matrices = {name: list(a.shape) for name, a in arrays.items()
                if a.ndim == 2 and name.startswith(MATRIX_PREFIXES)}
    if not matrices:
        return {"flops_per_point": None,
                "reason": "O(d) moments: a matrix-vector product, bound by memory"}
    sums = {name: int(a.size) for name, a in arrays.items() if name.startswith("feature_sum")}
    flops = sum(2 * r * c for r, c in matrices.values()) + 2 * sum(sums.values())
    shown = ", ".join(f"{n} {r}x{c}" for n, (r, c) in matrices.items())
    return {"flops_per_point": flops, "precision": precision,
            "formula": f"sum of 2 r c over {shown}; + 2 x {sum(sums.values())} noisy sums"}


def _gflops(flops: float | None, seconds: float) -> float | None:
    return None if flops is None or seconds <= 0 else flops / seconds / 1e9


def _fraction(gflops: float | None, peaks: Mapping[str, Any], precision: str) -> float | None:
    if gflops is None or precision not in peaks:
        return None
    return gflops / float(peaks[precision]["gflops_best"])


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else math.nan


def _rss_bytes(field: str = "VmRSS") -> int:
    """The process's resident set size now (``VmRSS``) or its peak (``VmHWM``), from
    Linux /proc; 0 where unavailable. The peak is this program's own: ``ru_maxrss``
    survives ``exec`` and would report the parent's size at the fork instead."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _one_by_one(release: Any, points: Sequence[NDArray[np.float64]]) -> None:
    """Query each point on its own (batch 1)."""
    for point in points:
        release.query(point, "mean")


def _nothing() -> None:
    """No warm-up: the draw's library is loaded already, and a draw is slow."""


# --- 1. GEMM peak ------------------------------------------------------------------------

def bench_gemm(config: Config, log: Callable[[str], None]) -> dict[str, Any]:
    """GFLOP/s of an (s, s) @ (s, s) product in float64 and float32: the best run is the
    peak the fractions are taken of."""
    rng = np.random.default_rng(0)
    out: dict[str, Any] = {"size": config.gemm_size}
    flops = 2.0 * config.gemm_size**3
    for name, dtype in (("float64", np.float64), ("float32", np.float32)):
        a = rng.standard_normal((config.gemm_size, config.gemm_size)).astype(dtype)
        b = rng.standard_normal((config.gemm_size, config.gemm_size)).astype(dtype)
        seconds = timed(partial(np.matmul, a, b), config.repetitions)
        out[name] = {"seconds": seconds, "gflops_best": flops / seconds["min"] / 1e9,
                     "gflops_median": flops / seconds["median"] / 1e9}
        log(f"gemm {name}: {out[name]['gflops_best']:.1f} GFLOP/s (best)")
    return out


def _higher_peaks(first: Mapping[str, Any], second: Mapping[str, Any]) -> dict[str, Any]:
    """Per precision, the GEMM measurement with the higher best GFLOP/s."""
    return {**first, **{p: max(first[p], second[p], key=lambda g: g["gflops_best"])
                        for p in ("float64", "float32")}}


# --- 2. queries of every kind --------------------------------------------------------------

def bench_queries(config: Config, peaks: Mapping[str, Any],
                  log: Callable[[str], None]) -> dict[str, Any]:
    from core.kinds import KINDS
    from core.structures import DataSpec, build_release, noise_plan, parse_spec

    mixture = Mixture(config.query_rows, config.query_dim, config.query_rows)
    rows = next(iter(mixture))
    points = mixture.queries(max(config.query_batches))
    data = DataSpec(config.query_dim, DOMAIN, "add_remove")
    results = []
    for kind in KINDS:
        spec = parse_spec(kind, _default_params(kind), data)
        started = time.perf_counter()
        release = build_release(spec, seed=STRUCTURE_SEED, plan=noise_plan(
            spec, _budget(spec.mechanism)), chunks=[rows])
        build_seconds = time.perf_counter() - started
        params = spec.public_params()
        work = matrix_work(kind, release.arrays(), str(params.get("precision", "float64")))
        batches: list[dict[str, Any]] = []
        per_query = 0.0
        for batch in config.query_batches:
            if batch == 1:
                singles = [points[i:i + 1] for i in range(config.single_calls)]
                seconds = timed(partial(_one_by_one, release, singles), config.repetitions)
                per_query = seconds["median"] / config.single_calls
                calls = config.single_calls
            else:
                estimate = per_query * batch * (config.repetitions + 1)
                if per_query and estimate > config.batch_seconds:
                    batches.append({"batch": batch, "skipped": (
                        f"estimated {estimate:.0f} s for a warm-up and {config.repetitions} "
                        f"runs (limit {config.batch_seconds:.0f} s)")})
                    continue
                block = points[:batch]
                seconds = timed(partial(release.query, block, "mean"), config.repetitions)
                per_query = seconds["median"] / batch
                calls = 1
            queries_per_second = batch * calls / seconds["median"]
            flops = work["flops_per_point"]
            gflops = None if flops is None else flops * queries_per_second / 1e9
            batches.append({"batch": batch, "calls_per_run": calls, "seconds": seconds,
                            "queries_per_second": queries_per_second, "gflops": gflops,
                            "fraction_of_peak": _fraction(gflops, peaks,
                                                          work.get("precision", ""))})
        log(f"queries {kind}: " + ", ".join(
            f"batch {b['batch']}: " + (f"{b['queries_per_second']:,.0f}/s" if "seconds" in b
                                       else "skipped") for b in batches))
        results.append({"kind": kind, "params": params, "mechanism": spec.mechanism,
                        "build_seconds": build_seconds, "work": work, "batches": batches})
    return {"rows": config.query_rows, "dim": config.query_dim, "reduce": "mean",
            "results": results}


# --- 3. speed-up over exact brute force ----------------------------------------------------

def brute_mean_kde32(rows: NDArray[np.float32], queries: NDArray[np.float64],
                     bandwidth: float) -> NDArray[np.float64]:
    """Exact Gaussian mean-KDE in float32 (sums in float64), by blocks of rows: the
    brute force a user would write with BLAS (||y||^2 + ||x||^2 - 2 <x, y>)."""
    q = queries.astype(np.float32)
    q_sq = np.einsum("ij,ij->i", q, q)[:, None]
    scale = np.float32(-1.0 / bandwidth**2)
    total = np.zeros(q.shape[0])
    for start in range(0, rows.shape[0], BRUTE_BLOCK_ROWS):
        block = rows[start:start + BRUTE_BLOCK_ROWS]
        sq = q @ block.T
        sq *= np.float32(-2.0)
        sq += q_sq
        sq += np.einsum("ij,ij->i", block, block)[None, :]
        np.maximum(sq, np.float32(0.0), out=sq)
        sq *= scale
        np.exp(sq, out=sq)
        total += sq.sum(axis=1, dtype=np.float64)
    total /= rows.shape[0]
    return total


def _relative_error(values: NDArray[np.float64], exact: NDArray[np.float64]) -> float:
    return float(np.mean(np.abs(values - exact) / exact))


def bench_brute(config: Config, log: Callable[[str], None]) -> dict[str, Any]:
    """One pass over the rows: a float32 copy for the brute force, float64 exact sums
    for the accuracy subset (all rows and the reference prefix), and the structures'
    exact statistics (LSQ-RFF on the prefix only); then noise draws and timings."""
    from core.structures import DataSpec, noise_plan, parse_spec

    n, d, bandwidth = config.brute_rows, config.brute_dim, synthetic_bandwidth()
    mixture = Mixture(n, d, BRUTE_CHUNK_ROWS)
    queries = mixture.queries(config.brute_queries)
    subset = queries[:config.brute_subset]
    data = DataSpec(d, DOMAIN, "add_remove")
    features = config.brute_features
    ours = parse_spec("gaussian_kde", {"bandwidth": bandwidth, "features": features,
                                       "mechanism": "gaussian"}, data)
    fast = parse_spec("gaussian_kde", {"bandwidth": bandwidth, "features": features,
                                       "mechanism": "gaussian", "frequencies": "structured"},
                      data)
    prior = parse_spec("rff_baseline", {"bandwidth": bandwidth, "features": features}, data)
    ours_builder, prior_builder = ours.builder(STRUCTURE_SEED), prior.builder(STRUCTURE_SEED)
    fast_builder = fast.builder(STRUCTURE_SEED)
    rows32 = np.empty((n, d), dtype=np.float32)
    exact_sum, exact_prefix = np.zeros(subset.shape[0]), np.zeros(subset.shape[0])
    totals: dict[str, dict[str, NDArray[np.float64]]] = {
        "ours": {}, "ours_prefix": {}, "fast": {}, "fast_prefix": {}, "prior": {}}
    sums_seconds = {"ours": 0.0, "fast": 0.0, "prior": 0.0}

    def add(into: dict[str, NDArray[np.float64]], partial: Mapping[str, Any]) -> None:
        for name, value in partial.items():
            host = np.asarray(value, dtype=np.float64)
            into[name] = into[name] + host if name in into else host

    offset = 0
    for chunk in mixture:
        head = max(0, min(chunk.shape[0], config.brute_reference_rows - offset))
        rows32[offset:offset + chunk.shape[0]] = chunk
        for piece, in_prefix in ((chunk[:head], True), (chunk[head:], False)):
            if piece.shape[0] == 0:
                continue
            kernel = exact_mean_kde(piece, subset, bandwidth) * piece.shape[0]
            exact_sum += kernel
            started = time.perf_counter()
            add(totals["ours"], ours_builder.accumulate(piece))
            sums_seconds["ours"] += time.perf_counter() - started
            started = time.perf_counter()
            add(totals["fast"], fast_builder.accumulate(piece))
            sums_seconds["fast"] += time.perf_counter() - started
            if in_prefix:
                exact_prefix += kernel
                started = time.perf_counter()
                add(totals["prior"], prior_builder.accumulate(piece))
                sums_seconds["prior"] += time.perf_counter() - started
                totals["ours_prefix"] = dict(totals["ours"])
                totals["fast_prefix"] = dict(totals["fast"])
        offset += chunk.shape[0]
    prefix_rows = min(config.brute_reference_rows, n)
    exact, exact_ref = exact_sum / n, exact_prefix / prefix_rows
    log(f"brute: sums done ({sums_seconds['ours']:.1f} s ours, {sums_seconds['prior']:.1f} s "
        f"LSQ-RFF on {prefix_rows:,} rows)")

    def releases(spec: Any, builder: Any, sums: Mapping[str, NDArray[np.float64]]) -> list[Any]:
        plan = noise_plan(spec, _budget(spec.mechanism))
        return [builder.finish(plan.apply(sums), plan) for _ in range(config.brute_draws)]

    ours_releases = releases(ours, ours_builder, totals["ours"])
    ours_ref_releases = releases(ours, ours_builder, totals["ours_prefix"])
    fast_releases = releases(fast, fast_builder, totals["fast"])
    fast_ref_releases = releases(fast, fast_builder, totals["fast_prefix"])
    prior_releases = releases(prior, prior_builder, totals["prior"])

    def errors(found: list[Any], against: NDArray[np.float64]) -> dict[str, Any]:
        return spread([_relative_error(r.query(subset, "mean").values, against)
                       for r in found])

    def warm_up() -> None:
        brute_mean_kde32(rows32[:BRUTE_BLOCK_ROWS], queries, bandwidth)

    brute = _timed_with(lambda: brute_mean_kde32(rows32, queries, bandwidth),
                        config.brute_repetitions, warm_up)
    brute_error = _relative_error(brute_mean_kde32(rows32, subset, bandwidth), exact)
    log(f"brute: float32 brute force {brute['median']:.2f} s / {config.brute_queries:,} "
        "queries")
    variants = []
    for label, spec, found, ref_found, seconds in (
            ("gaussian_kde (gaussian)", ours, ours_releases, ours_ref_releases,
             sums_seconds["ours"]),
            ("gaussian_kde structured (gaussian)", fast, fast_releases, fast_ref_releases,
             sums_seconds["fast"]),
            ("rff_baseline (laplace), LSQ-RFF", prior, None, prior_releases,
             sums_seconds["prior"])):
        release = (found or ref_found)[0]
        batch = timed(partial(release.query, queries, "mean"), config.repetitions)
        singles = []  # every point of the subset, ``repetitions`` passes: a p50 of
        for _ in range(config.repetitions):  # hundreds of calls, not of a busy moment
            for point in queries[:max(config.brute_subset, 20)]:
                started = time.perf_counter()
                release.query(point[None, :], "mean")
                singles.append(time.perf_counter() - started)
        variants.append({
            "label": label, "kind": spec.kind, "params": spec.public_params(),
            "sums_seconds": seconds,
            "sums_rows": n if found is not None else prefix_rows,
            "query_seconds": batch, "speed_up": brute["median"] / batch["median"],
            "single_query_seconds": {"p50": _percentile(singles[1:], 50),
                                     "p99": _percentile(singles[1:], 99),
                                     "count": len(singles) - 1},
            "relative_error": None if found is None else errors(found, exact),
            "relative_error_reference_rows": errors(ref_found, exact_ref),
        })
        log(f"brute: {label} {1e3 * batch['median']:.1f} ms "
            f"({variants[-1]['speed_up']:,.0f}x)")
    *ours_rows, prior_row = variants
    ours_row = max(ours_rows, key=lambda v: v["speed_up"])  # the goal's: the faster design
    return {
        "rows": n, "dim": d, "bandwidth": bandwidth, "queries": config.brute_queries,
        "accuracy_queries": int(subset.shape[0]), "reference_rows": prefix_rows,
        "noise_draws": config.brute_draws, "epsilon": EPSILON, "delta": DELTA,
        "brute_force_seconds": brute, "brute_force_relative_error": brute_error,
        "exact_mean_kde": {"mean": float(np.mean(exact)), "min": float(np.min(exact)),
                           "max": float(np.max(exact))},
        "variants": variants,
        "goal": {"structure": ours_row["label"], "speed_up": ours_row["speed_up"],
                 "speed_up_goal": 1_000.0,
                 "error": ours_row["relative_error_reference_rows"]["mean"],
                 "lsq_rff_error": prior_row["relative_error_reference_rows"]["mean"],
                 "met": bool(ours_row["speed_up"] >= 1_000.0
                             and ours_row["relative_error_reference_rows"]["mean"]
                             <= prior_row["relative_error_reference_rows"]["mean"])},
    }


def _timed_with(run: Callable[[], object], repetitions: int,
                warm_up: Callable[[], object]) -> dict[str, Any]:
    """Seconds per call of ``run`` after ``warm_up`` (a cheaper call of the same code):
    median, min and max of ``repetitions``."""
    warm_up()
    samples = []
    for _ in range(repetitions):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "samples": samples}


# --- 4. builds against n, in fresh processes ---------------------------------------------

def build_child(job: Mapping[str, Any]) -> dict[str, Any]:
    """One whole build in this (fresh) process, rows generated chunk by chunk: its wall
    time less the generation's, the time to the last chunk's sums, and the peak RSS."""
    from core.privacy import noise
    from core.structures import DataSpec, build_release, noise_plan, parse_spec

    spec = parse_spec(job["kind"], job["params"], DataSpec(job["dim"], DOMAIN, "add_remove"))
    plan = noise_plan(spec, _budget(spec.mechanism))
    noise.laplace(np.zeros(4), 1.0)  # load the samplers and BLAS on tiny inputs only
    _ = np.ones((4, 4)) @ np.ones((4, 4))
    mixture = Mixture(job["rows"], job["dim"], job["chunk_rows"])
    base_rss = _rss_bytes()
    marks: list[float] = []
    started = time.perf_counter()
    release = build_release(spec, seed=STRUCTURE_SEED, plan=plan, chunks=mixture,
                            progress=lambda _: marks.append(time.perf_counter()))
    wall = time.perf_counter() - started
    peak = _rss_bytes("VmHWM")
    sums = marks[-1] - started - mixture.seconds
    frequencies = release.arrays().get("frequencies")
    flops = None if frequencies is None else 2 * int(frequencies.size)
    return {"build_seconds": wall - mixture.seconds, "sums_seconds": sums,
            "generation_seconds": mixture.seconds, "wall_seconds": wall,
            "peak_rss_bytes": peak, "base_rss_bytes": base_rss,
            "flops_per_row": flops, "precision": spec.public_params().get("precision")}


def bench_build(config: Config, peaks: Mapping[str, Any],
                log: Callable[[str], None]) -> dict[str, Any]:
    gaussian = {"bandwidth": synthetic_bandwidth(), "features": config.build_features}
    kinds: tuple[tuple[str, dict[str, Any]], ...] = (("gaussian_kde", gaussian),
                                                     ("l1_distance", {}))
    wide_dim, wide_rows = config.build_wide
    runs = [(kind, params, config.build_dim, config.build_rows) for kind, params in kinds]
    runs.append(("gaussian_kde", gaussian, wide_dim, (wide_rows,)))
    results = []
    for kind, params, dim, sizes in runs:
        previous: tuple[int, float] | None = None
        for rows in sizes:
            job = {"kind": kind, "params": params, "rows": rows, "dim": dim,
                   "chunk_rows": config.build_chunk_rows}
            entry: dict[str, Any] = {"kind": kind, "params": params, "rows": rows, "dim": dim}
            if previous is not None:
                estimate = previous[1] * rows / previous[0]
                if estimate > config.build_timeout:
                    entry["skipped"] = (f"estimated {estimate:.0f} s from n = {previous[0]:,} "
                                        f"(limit {config.build_timeout:.0f} s)")
                    results.append(entry)
                    continue
            try:
                completed = subprocess.run(  # noqa: S603 (our own interpreter and module)
                    [sys.executable, "-m", "bench.perf", "--child-build", json.dumps(job)],
                    check=True, capture_output=True, text=True, timeout=config.build_timeout,
                    cwd=ROOT)
            except subprocess.TimeoutExpired:
                entry["skipped"] = f"did not finish within {config.build_timeout:.0f} s"
                results.append(entry)
                previous = (rows, math.inf)
                continue
            except subprocess.CalledProcessError as exc:
                raise RuntimeError(f"the build process failed:\n{exc.stderr[-3000:]}") from exc
            child = json.loads(completed.stdout.strip().splitlines()[-1])
            rate = rows / child["build_seconds"]
            sums_rate = rows / child["sums_seconds"]
            flops = child["flops_per_row"]
            gflops = None if flops is None else flops * sums_rate / 1e9
            entry.update(child, rows_per_second=rate, sums_rows_per_second=sums_rate,
                         gflops=gflops,
                         fraction_of_peak=_fraction(gflops, peaks, child["precision"] or ""))
            results.append(entry)
            previous = (rows, child["wall_seconds"])
            log(f"build {kind} d={dim} n={rows:,}: {rate:,.0f} rows/s, peak RSS "
                f"{child['peak_rss_bytes'] / 2**20:,.0f} MiB")
    return {"dim": config.build_dim, "chunk_rows": config.build_chunk_rows,
            "results": results}


# --- 5. noise ----------------------------------------------------------------------------

def bench_noise(config: Config, log: Callable[[str], None]) -> dict[str, Any]:
    """Values/s of long draws on privsim's lattice (``noise.lattice`` at sensitivity 1),
    next to one chunk (one OpenDP call: one thread) on that lattice and on the exact
    one."""
    from core.privacy import noise

    samplers = (("laplace", noise.laplace, "l1"), ("gaussian", noise.gaussian, "l2"))
    one_chunk = np.zeros(min(noise.CHUNK, *config.noise_sizes))
    results = []
    for name, draw, norm in samplers:
        draw(one_chunk[:4], NOISE_SCALE)  # load the library
        chunk_k = noise.lattice(1.0, one_chunk.size, norm)  # type: ignore[arg-type]
        reference = timed(partial(draw, one_chunk, NOISE_SCALE, k=chunk_k), config.repetitions)
        exact = timed(partial(draw, one_chunk, NOISE_SCALE), config.repetitions)
        for size in config.noise_sizes:
            values = np.zeros(size)
            k = noise.lattice(1.0, size, norm)  # type: ignore[arg-type]
            seconds = _timed_with(partial(draw, values, NOISE_SCALE, k=k), config.repetitions,
                                  _nothing)
            rate = size / seconds["median"]
            results.append({
                "sampler": name, "values": size, "lattice_k": k, "threads": noise.threads(),
                "seconds": seconds, "values_per_second": rate,
                "one_chunk": {"values": one_chunk.size, "lattice_k": chunk_k,
                              "seconds": reference,
                              "values_per_second": one_chunk.size / reference["median"]},
                "one_chunk_exact_lattice": {"values": one_chunk.size, "seconds": exact,
                                            "values_per_second": one_chunk.size
                                            / exact["median"]},
            })
            log(f"noise {name} {size:,}: {rate:,.0f} values/s")
    return {"scale": NOISE_SCALE, "sensitivity": 1.0, "results": results}


# --- 6. service over HTTP ----------------------------------------------------------------

def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _process(command: list[str], env: Mapping[str, str], log: Path,
             ready: str) -> Iterator[subprocess.Popen[bytes]]:
    """A server process; yields once ``ready`` (a URL) answers, stops it on exit."""
    import httpx

    with log.open("ab") as out:
        proc = subprocess.Popen(command, env=dict(env), cwd=ROOT,  # noqa: S603
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(ready, timeout=1).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Target:
    """One endpoint under load: its request, as bytes on the wire, and its server."""

    name: str
    port: int
    request: bytes
    pid: int


def http_request(port: int, path: str, body: bytes, headers: Mapping[str, str]) -> bytes:
    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}",
            f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _connection(target: Target, deadline: float, latencies: list[float],
                      statuses: dict[int, int]) -> None:
    """Requests one after another on one keep-alive connection until ``deadline``."""
    reader, writer = await asyncio.open_connection("127.0.0.1", target.port)
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            writer.write(target.request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            lowered = head.lower()
            at = lowered.index(b"content-length:") + len(b"content-length:")
            length = int(lowered[at:lowered.index(b"\r\n", at)])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


async def _load(target: Target, seconds: float, concurrency: int) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    server_cpu = _cpu_seconds(target.pid)
    client_cpu, started = time.process_time(), time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(_connection(target, deadline, latencies, statuses)
                           for _ in range(concurrency)))
    wall = time.perf_counter() - started
    return {"requests": len(latencies), "seconds": wall,
            "requests_per_second": len(latencies) / wall, "latencies": latencies,
            "statuses": statuses, "client_cpu": (time.process_time() - client_cpu) / wall,
            "server_cpu": (_cpu_seconds(target.pid) - server_cpu) / wall}


def run_load(targets: Sequence[Target], config: Config,
             concurrency: int) -> list[dict[str, Any]]:
    """A warm-up round, then ``service_rounds`` rounds that load each target in turn for
    ``service_seconds`` with ``concurrency`` connections: req/s per round (median, min,
    max), latencies pooled."""
    try:
        import uvloop

        factory: Callable[[], asyncio.AbstractEventLoop] | None = uvloop.new_event_loop
    except ImportError:
        factory = None
    rounds: dict[str, list[dict[str, Any]]] = {t.name: [] for t in targets}
    with asyncio.Runner(loop_factory=factory) as runner:
        for target in targets:
            runner.run(_load(target, min(1.0, config.service_seconds), concurrency))
        for _ in range(config.service_rounds):
            for target in targets:
                rounds[target.name].append(runner.run(_load(
                    target, config.service_seconds, concurrency)))
    out = []
    for target in targets:
        runs = rounds[target.name]
        rates = [r["requests_per_second"] for r in runs]
        latencies = [x for r in runs for x in r["latencies"]]
        statuses: dict[str, int] = {}
        for r in runs:
            for status, count in r["statuses"].items():
                statuses[str(status)] = statuses.get(str(status), 0) + count
        out.append({
            "target": target.name, "requests": len(latencies), "statuses": statuses,
            "requests_per_second": {"median": statistics.median(rates), "min": min(rates),
                                    "max": max(rates), "samples": rates},
            "latency_seconds": {"p50": _percentile(latencies, 50),
                                "p99": _percentile(latencies, 99),
                                "mean": statistics.fmean(latencies) if latencies else math.nan},
            "client_cpu_fraction": statistics.fmean(r["client_cpu"] for r in runs),
            "server_cpu_fraction": statistics.fmean(r["server_cpu"] for r in runs),
        })
    return out


def _admin_key() -> str:
    from app.settings import weak_secret_reason

    while True:
        key = "psk_bench_" + secrets.token_urlsafe(32)
        if weak_secret_reason(key) is None:
            return key


def _npy(array: NDArray[np.float64]) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _set_up_structure(base: str, admin: str, config: Config,
                      frequencies: str = "orthogonal") -> tuple[str, str]:
    """``set_up_structure`` against a server at ``base``."""
    import httpx

    with httpx.Client(base_url=base, timeout=120) as http:
        return set_up_structure(http, admin, config, frequencies)


@dataclass(frozen=True, slots=True)
class ServiceSetUp:
    """What ``set_up_gaussian_kde`` made: ids and the two keys."""

    structure: str
    dataset: str
    analyst_key: str
    owner_key: str


def set_up_gaussian_kde(http: Any, admin: str, *, rows: int, dim: int, features: int,
                        frequencies: str | None = None, label: str = "bench",
                        epsilon: float = EPSILON, delta: float = DELTA) -> ServiceSetUp:
    """Through the API as a user would, with an httpx-like client: an owner and an
    analyst key, a dataset of the mixture's rows (npy upload) granted to the analyst, and
    a ready gaussian_kde (Gaussian mechanism; ``frequencies``: its frequency design, or
    the service's default)."""
    as_admin = {"Authorization": f"Bearer {admin}"}
    owner = http.post("/v1/keys", headers=as_admin,
                      json={"role": "owner", "name": f"{label} owner"})
    owner.raise_for_status()
    analyst = http.post("/v1/keys", headers=as_admin,
                        json={"role": "analyst", "name": f"{label} analyst"})
    analyst.raise_for_status()
    as_owner = {"Authorization": f"Bearer {owner.json()['key']}"}
    dataset = http.post("/v1/datasets", headers=as_owner, json={
        "name": label, "dim": dim,
        "domain": {"type": "l2_ball", "radius": DOMAIN.radius},
        "budget": {"epsilon": 2 * epsilon, "delta": delta}})
    dataset.raise_for_status()
    dataset_id = dataset.json()["id"]
    data = next(iter(Mixture(rows, dim, rows)))
    http.post(f"/v1/datasets/{dataset_id}/rows", content=_npy(data), headers=as_owner
              | {"Content-Type": "application/x-npy"}).raise_for_status()
    http.post(f"/v1/datasets/{dataset_id}/grants", headers=as_owner,
              json={"key_id": analyst.json()["id"]}).raise_for_status()
    params: dict[str, Any] = {"bandwidth": synthetic_bandwidth(), "features": features,
                              "mechanism": "gaussian"}
    if frequencies is not None:
        params["frequencies"] = frequencies
    build = http.post(f"/v1/datasets/{dataset_id}/structures", headers=as_owner, json={
        "kind": "gaussian_kde", "privacy": {"epsilon": epsilon, "delta": delta},
        "params": params})
    build.raise_for_status()
    deadline = time.monotonic() + 600
    while True:
        job = http.get(f"/v1/jobs/{build.json()['job_id']}", headers=as_owner).json()
        if job["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    if job["status"] != "succeeded":
        raise RuntimeError(f"the service's build did not succeed: {job}")
    return ServiceSetUp(str(build.json()["structure_id"]), str(dataset_id),
                        str(analyst.json()["key"]), str(owner.json()["key"]))


def set_up_structure(http: Any, admin: str, config: Config,
                     frequencies: str = "orthogonal") -> tuple[str, str]:
    """``set_up_gaussian_kde`` at the service benchmark's sizes; returns (structure id,
    analyst key)."""
    made = set_up_gaussian_kde(http, admin, rows=config.service_rows, dim=config.service_dim,
                               features=config.service_features, frequencies=frequencies,
                               label="perf")
    return made.structure, made.analyst_key


def bench_service(config: Config, log: Callable[[str], None]) -> dict[str, Any]:
    import httpx

    from app.crypto import new_data_key

    point = Mixture(1, config.service_dim, 1).queries(1)
    json_body = json.dumps({"points": point.tolist(), "reduce": "mean"}).encode()
    with tempfile.TemporaryDirectory(prefix="privsim-perf-") as tmp, ExitStack() as stack:
        var = Path(tmp) / "var"
        admin = _admin_key()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PRIVSIM_")}
        env.update({"PRIVSIM_VAR_DIR": str(var), "PRIVSIM_BOOTSTRAP_ADMIN_KEY": admin,
                    "PRIVSIM_DATA_KEY": new_data_key(), "PRIVSIM_BACKEND": "cpu",
                    "PRIVSIM_INPROCESS_WORKERS": "1"})
        app_port, bare_port = _free_port(), _free_port()
        app_proc = stack.enter_context(_process(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1",
             "--port", str(app_port)], env, Path(tmp) / "app.log",
            f"http://127.0.0.1:{app_port}/readyz"))
        bare_proc = stack.enter_context(_process(
            [sys.executable, "-m", "uvicorn", "bench.perf_bare:app", "--host", "127.0.0.1",
             "--port", str(bare_port), "--workers", "1", "--no-access-log",
             "--log-level", "warning"], env, Path(tmp) / "bare.log",
            f"http://127.0.0.1:{bare_port}/openapi.json"))
        base = f"http://127.0.0.1:{app_port}"
        structure, analyst = _set_up_structure(base, admin, config)
        structured, structured_analyst = _set_up_structure(base, admin, config, "structured")
        path = f"/v1/structures/{structure}/query"
        auth = {"Authorization": f"Bearer {analyst}"}
        json_headers = {"Content-Type": "application/json"}
        npy_headers = {"Content-Type": "application/x-npy", "Accept": "application/x-npy"}
        targets = [
            Target("privsim, JSON body", app_port,
                   http_request(app_port, path, json_body, auth | json_headers),
                   app_proc.pid),
            Target("privsim, npy body and answer", app_port,
                   http_request(app_port, path + "?reduce=mean", _npy(point),
                                auth | npy_headers), app_proc.pid),
            Target("privsim structured, JSON body", app_port,
                   http_request(app_port, f"/v1/structures/{structured}/query", json_body,
                                {"Authorization": f"Bearer {structured_analyst}"}
                                | json_headers), app_proc.pid),
            Target("bare FastAPI, pydantic", bare_port,
                   http_request(bare_port, "/pydantic", json_body, json_headers),
                   bare_proc.pid),
            Target("bare FastAPI, orjson", bare_port,
                   http_request(bare_port, "/orjson", json_body, json_headers),
                   bare_proc.pid),
        ]
        answer = httpx.post(base + path, content=json_body, headers=auth | json_headers)
        answer.raise_for_status()
        log(f"service: structure {structure} answers {answer.json()['values']}")
        results = run_load(targets, config, config.service_concurrency)
        single = run_load(targets, config, 1)  # one client: the latency of a lone query
    by_name = {r["target"]: r["requests_per_second"]["median"] for r in results}
    for r in results:
        log(f"service {r['target']}: {r['requests_per_second']['median']:,.0f} req/s, p50 "
            f"{1e3 * r['latency_seconds']['p50']:.2f} ms")
    return {
        "rows": config.service_rows, "dim": config.service_dim,
        "features": config.service_features, "concurrency": config.service_concurrency,
        "rounds": config.service_rounds, "seconds_per_round": config.service_seconds,
        "server": "one uvicorn process each; privsim on SQLite (embedded default) with one "
                  "in-process worker",
        "results": results, "single_client": single,
        "ratios": {"json_vs_bare_pydantic": by_name["privsim, JSON body"]
                   / by_name["bare FastAPI, pydantic"],
                   "json_vs_bare_orjson": by_name["privsim, JSON body"]
                   / by_name["bare FastAPI, orjson"],
                   "npy_vs_bare_orjson": by_name["privsim, npy body and answer"]
                   / by_name["bare FastAPI, orjson"],
                   "structured_json_vs_bare_pydantic":
                       by_name["privsim structured, JSON body"]
                       / by_name["bare FastAPI, pydantic"]},
    }


# --- report ------------------------------------------------------------------------------

def _ms(stats: Mapping[str, float], unit: float = 1e3) -> str:
    return f"{unit * stats['median']:.3g} [{unit * stats['min']:.3g}, {unit * stats['max']:.3g}]"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None, digits: str = ",.0f") -> str:
    return "-" if value is None else format(value, digits)


def render_markdown(report: Mapping[str, Any]) -> str:
    """The report's tables as markdown."""
    machine, sections = report["machine"], report["sections"]
    blas = ", ".join(sorted({f"{b['internal_api']} {b.get('version')} "
                             f"({b.get('architecture', '?')}, {b['num_threads']} threads)"
                             for b in machine["blas"] if b["user_api"] == "blas"}))
    lines = [f"# Performance benchmark ({report['mode']})", "",
             f"Command: `{report['command']}`; total {report['total_seconds']:.0f} s.",
             f"Machine: {machine['cpu_model']}, {machine['cpu_count']} CPUs "
             f"({machine['cpus_usable']} usable), BLAS {blas}; numpy "
             f"{machine['versions']['numpy']}, opendp {machine['versions']['opendp']}; "
             f"OPENBLAS_CORETYPE={machine['OPENBLAS_CORETYPE']}. Load average at the start "
             f"{machine['load_average_start']}, at the end {machine['load_average_end']} "
             "(the machine is shared: figures taken under load are lower than an idle "
             "machine's; ratios within one section are the figures to read).",
             "Timings: median [min, max] of the runs after a warm-up."]
    if "gemm" in sections:
        g = sections["gemm"]
        lines += ["", "## GEMM peak (the reference)", "",
                  f"Square product {g['size']:,} x {g['size']:,}, flops 2 s^3.", "",
                  "| precision | best GFLOP/s | median GFLOP/s | seconds |",
                  "| --- | --- | --- | --- |"]
        for label, run in (("", g), (", before the builds", g.get("before_build"))):
            for p in ("float64", "float32") if run else ():
                lines.append(f"| {p}{label} | {run[p]['gflops_best']:.1f} "
                             f"| {run[p]['gflops_median']:.1f} | {_ms(run[p]['seconds'], 1.0)} |")
        if g.get("before_build"):
            lines += ["", "Measured at the start and again just before the builds (the "
                      "machine's speed drifts); query fractions are of the first, build "
                      "fractions of the higher of the two."]
    if "queries" in sections:
        q = sections["queries"]
        batches = sorted({b["batch"] for r in q["results"] for b in r["batches"]})
        lines += ["", "## Queries of every kind", "",
                  f"n = {q['rows']:,}, d = {q['dim']}, default parameters, mean answers; "
                  "queries/s (GFLOP/s, fraction of the GEMM peak of the kind's precision). "
                  "Flops per point and their formula per kind below the table.", "",
                  "| kind | precision | " + " | ".join(f"batch {b:,}" for b in batches) + " |",
                  "| --- | --- |" + " --- |" * len(batches)]
        for r in q["results"]:
            cells = []
            by_batch = {b["batch"]: b for b in r["batches"]}
            for b in batches:
                entry = by_batch.get(b)
                if entry is None or "skipped" in entry:
                    cells.append("skipped" if entry else "-")
                elif entry["gflops"] is None:
                    cells.append(f"{entry['queries_per_second']:,.0f}")
                else:
                    cells.append(f"{entry['queries_per_second']:,.0f} "
                                 f"({entry['gflops']:.1f}, {_pct(entry['fraction_of_peak'])})")
            lines.append(f"| {r['kind']} | {r['work'].get('precision', '-')} | "
                         + " | ".join(cells) + " |")
        lines += ["", "| kind | flops per point | how |", "| --- | --- | --- |"]
        for r in q["results"]:
            work = r["work"]
            lines.append(f"| {r['kind']} | {_num(work['flops_per_point'])} | "
                         f"{work.get('formula') or work.get('reason')} |")
        skipped = [f"{r['kind']} batch {b['batch']:,}: {b['skipped']}" for r in q["results"]
                   for b in r["batches"] if "skipped" in b]
        if skipped:
            lines += ["", "Skipped: " + "; ".join(skipped) + "."]
    if "brute" in sections:
        b = sections["brute"]
        lines += ["", "## Speed-up over exact brute-force Gaussian KDE", "",
                  f"n = {b['rows']:,}, d = {b['dim']}, bandwidth {b['bandwidth']:.3f}, "
                  f"{b['queries']:,} queries; float32 brute force (BLAS, sums in float64) "
                  f"{_ms(b['brute_force_seconds'], 1.0)} s, its relative error "
                  f"{b['brute_force_relative_error']:.1e}. Relative error: mean over "
                  f"{b['accuracy_queries']} queries of |F - F_exact| / F_exact (mean-KDE, "
                  f"float64 exact), mean ± std over {b['noise_draws']} noise draws at "
                  f"epsilon {b['epsilon']:g} (delta {b['delta']:g} for the Gaussian "
                  f"mechanism); 'on {b['reference_rows']:,} rows': the same structures "
                  "built from the first rows only, where LSQ-RFF is compared. Single "
                  "queries: one point per call, in process, each of the accuracy "
                  "queries in turn, as many passes as the runs.", "",
                  "| structure | ms / 1,000 queries | speed-up | single query p50 / p99 us "
                  f"| error, n = {b['rows']:,} | error on {b['reference_rows']:,} rows "
                  "| sums s (rows) |", "| --- | --- | --- | --- | --- | --- | --- |"]
        for v in b["variants"]:
            error = v["relative_error"]
            ref = v["relative_error_reference_rows"]
            lines.append(
                f"| {v['label']} | {_ms(v['query_seconds'])} | {v['speed_up']:,.0f}x | "
                f"{1e6 * v['single_query_seconds']['p50']:.0f} / "
                f"{1e6 * v['single_query_seconds']['p99']:.0f} | "
                + ("-" if error is None else f"{error['mean']:.2e} ± {error['std']:.1e}")
                + f" | {ref['mean']:.2e} ± {ref['std']:.1e} | {v['sums_seconds']:.1f} "
                f"({v['sums_rows']:,}) |")
        goal = b["goal"]
        lines += ["", f"Goal (>= 1,000x at the accuracy of LSQ-RFF or better), "
                  f"{goal.get('structure', 'gaussian_kde')}: {goal['speed_up']:,.0f}x, "
                  f"error {goal['error']:.2e} against LSQ-RFF's "
                  f"{goal['lsq_rff_error']:.2e}: {'met' if goal['met'] else 'not met'}."]
    if "build" in sections:
        b = sections["build"]
        lines += ["", "## Builds against n", "",
                  f"d = {b['dim']} (the last row: d = {b['results'][-1].get('dim', b['dim'])}), "
                  f"chunks of {b['chunk_rows']:,} rows generated inside the "
                  "build's process (generation time taken out); each build in a fresh "
                  "process; rows/s of the whole build (noise included) and of its sums; "
                  "GFLOP/s of the sums (2 d per frequency per row) and the fraction of the "
                  "float32 GEMM peak (the higher of its two measurements); peak RSS of the "
                  "process (VmHWM) and its rise over the RSS before the build.", "",
                  "| kind | d | n | build s | rows/s | sums rows/s | GFLOP/s (peak) "
                  "| peak RSS MiB | rise MiB |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for r in b["results"]:
            dim = r.get("dim", b["dim"])
            if "skipped" in r:
                lines.append(f"| {r['kind']} | {dim} | {r['rows']:,} | skipped: "
                             f"{r['skipped']} | | | | | |")
                continue
            gflops = ("-" if r["gflops"] is None
                      else f"{r['gflops']:.1f} ({_pct(r['fraction_of_peak'])})")
            lines.append(
                f"| {r['kind']} | {dim} | {r['rows']:,} | {r['build_seconds']:.1f} "
                f"| {r['rows_per_second']:,.0f} | {r['sums_rows_per_second']:,.0f} | {gflops} "
                f"| {r['peak_rss_bytes'] / 2**20:,.0f} "
                f"| {(r['peak_rss_bytes'] - r['base_rss_bytes']) / 2**20:,.0f} |")
    if "noise" in sections:
        n = sections["noise"]
        lines += ["", "## Noise", "",
                  f"Scale {n['scale']:g}, sensitivity 1, privsim's lattice 2^k "
                  "(`noise.lattice`); reference: one chunk (one OpenDP call, one thread) on "
                  "its lattice and on the exact lattice 2^-1074.", "",
                  "| sampler | values | k | threads | values/s | seconds | one chunk values/s "
                  "| speed-up | one chunk, exact lattice |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for r in n["results"]:
            chunk, exact = r["one_chunk"], r["one_chunk_exact_lattice"]
            lines.append(
                f"| {r['sampler']} | {r['values']:,} | {r['lattice_k']} | {r['threads']} "
                f"| {r['values_per_second']:,.0f} | {_ms(r['seconds'], 1.0)} "
                f"| {chunk['values_per_second']:,.0f} "
                f"| {r['values_per_second'] / chunk['values_per_second']:.2f}x "
                f"| {exact['values_per_second']:,.0f} |")
    if "service" in sections:
        s = sections["service"]
        lines += ["", "## Service over HTTP (loopback)", "",
                  f"Single-point queries, d = {s['dim']}, gaussian_kde {s['features']:,} "
                  f"features (n = {s['rows']:,}); {s['server']}. Load: {s['concurrency']} "
                  f"keep-alive connections, {s['rounds']} rounds of "
                  f"{s['seconds_per_round']:g} s per target, targets alternating; req/s "
                  "median [min, max] over rounds, latency over every request. The load "
                  "generator shares the CPUs: its CPU use and the server's (fraction of one "
                  "core) are given.", "",
                  "| target | req/s | p50 ms | p99 ms | requests (status) | server CPU "
                  "| client CPU |", "| --- | --- | --- | --- | --- | --- | --- |"]
        lines += _load_rows(s["results"])
        lines += ["", "One client (one connection, each request sent when the last was "
                  "answered): the latency of a lone query.", "",
                  "| target | req/s | p50 ms | p99 ms | requests (status) | server CPU "
                  "| client CPU |", "| --- | --- | --- | --- | --- | --- | --- |"]
        lines += _load_rows(s.get("single_client", []))
        ratios = s["ratios"]
        lines += ["", f"Under load, privsim JSON / bare pydantic: "
                  f"{ratios['json_vs_bare_pydantic']:.2f}; structured frequencies: "
                  f"{ratios.get('structured_json_vs_bare_pydantic', math.nan):.2f}; "
                  f"privsim JSON / bare orjson: {ratios['json_vs_bare_orjson']:.2f}; "
                  f"privsim npy / bare orjson: {ratios['npy_vs_bare_orjson']:.2f} "
                  "(goal: p50 <= 1 ms and >= 0.70 of the bare endpoint)."]
    return "\n".join(lines) + "\n"


def _load_rows(results: Sequence[Mapping[str, Any]]) -> list[str]:
    lines = []
    for r in results:
        rate = r["requests_per_second"]
        statuses = ", ".join(f"{k}: {v:,}" for k, v in r["statuses"].items())
        lines.append(
            f"| {r['target']} | {rate['median']:,.0f} [{rate['min']:,.0f}, "
            f"{rate['max']:,.0f}] | {1e3 * r['latency_seconds']['p50']:.2f} "
            f"| {1e3 * r['latency_seconds']['p99']:.2f} | {r['requests']:,} ({statuses}) "
            f"| {r['server_cpu_fraction']:.2f} | {r['client_cpu_fraction']:.2f} |")
    return lines


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.perf", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument("--quick", action="store_true", help="smaller sizes: a few minutes")
    sizes.add_argument("--smoke", action="store_true",
                       help="the smallest sizes (the smoke test's): seconds")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="directory for perf.json and perf.md (default: bench/results)")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, metavar="SECTION",
                        help="run only these sections (" + ", ".join(SECTIONS) + "); gemm "
                        "runs too where queries or build need its peak")
    parser.add_argument("--child-build", help=argparse.SUPPRESS)
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(arguments)
    if args.child_build is not None:
        print(json.dumps(build_child(json.loads(args.child_build))))
        return 0
    config = SMOKE if args.smoke else QUICK if args.quick else FULL
    chosen = set(args.only or SECTIONS)
    if chosen & {"queries", "build"}:
        chosen.add("gemm")
    started = time.perf_counter()
    machine = machine_info()
    sections: dict[str, Any] = {}
    section_seconds: dict[str, float] = {}
    peaks: dict[str, Any] = {}
    for name in SECTIONS:
        if name not in chosen:
            continue
        _log(f"== {name}")
        section_started = time.perf_counter()
        if name == "gemm":
            sections[name] = peaks = bench_gemm(config, _log)
        elif name == "queries":
            sections[name] = bench_queries(config, peaks, _log)
        elif name == "brute":
            sections[name] = bench_brute(config, _log)
        elif name == "build":
            # the machine's speed drifts: the peak is measured again beside the builds,
            # and their fractions are of the higher of the two
            again = bench_gemm(config, _log)
            sections["gemm"]["before_build"] = again
            peaks = _higher_peaks(peaks, again)
            sections[name] = bench_build(config, peaks, _log)
        elif name == "noise":
            sections[name] = bench_noise(config, _log)
        else:
            sections[name] = bench_service(config, _log)
        section_seconds[name] = time.perf_counter() - section_started
    machine["load_average_end"] = _load_average()
    machine["ru_maxrss_children_bytes"] = resource.getrusage(
        resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    report = {"benchmark": "perf", "mode": config.mode,
              "command": " ".join(["python -m bench.perf", *arguments]), "machine": machine,
              "settings": asdict(config) | {"structure_seed": STRUCTURE_SEED,
                                            "data_seed": DATA_SEED, "epsilon": EPSILON,
                                            "delta": DELTA},
              "sections": sections, "section_seconds": section_seconds,
              "total_seconds": time.perf_counter() - started}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "perf.json").write_text(json.dumps(report, indent=2, allow_nan=False) + "\n")
    table = render_markdown(report)
    (args.out / "perf.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
