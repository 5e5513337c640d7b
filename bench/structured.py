"""Structured random features against the dense default: single-query latency and the
noiseless accuracy at the same number of features.

    python -m bench.structured [--quick] [--seeds N] [--queries N]

For ``gaussian_kde`` with 4,096 features (float32, no projection) on the ``synthetic``
mixture (``bench.data``; its public bandwidth), per design (``orthogonal``, the
default, ``structured`` and ``iid``):

- accuracy: the noiseless mean-KDE (exact feature sums, no noise) of 200 queries
  against exact float64 brute force over n = 5,000 rows, at d = 64 and d = 768, one
  structure per seed: the relative error (mean |error| / mean exact) and the largest
  absolute error, mean [min, max] over the seeds;
- latency: one 768-d query answered in process (``Release.query``, reduce "mean"),
  the designs interleaved round by round (``bench.kde.interleaved_timings``), p50 and
  p90 per design; and the release size (``dump_release`` bytes).

Prints a table; nothing is written.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bench.data import DOMAIN, synthetic
from core.privacy.budget import PrivacyBudget
from core.structures import DataSpec, Release, build_release, dump_release, noise_plan, parse_spec

DESIGNS = ("orthogonal", "structured", "iid")
FEATURES = 4_096
ROWS = 5_000
QUERIES = 200


def _spec(design: str, dim: int, bandwidth: float) -> Any:
    return parse_spec("gaussian_kde", {"bandwidth": bandwidth, "features": FEATURES,
                                       "frequencies": design, "projection_dim": None},
                      DataSpec(dim, DOMAIN, "add_remove"))


def noiseless_release(design: str, dim: int, bandwidth: float, seed: int,
                      rows: NDArray[np.float64]) -> Release:
    """The release of the exact feature sums (post-processing of no noise)."""
    spec = _spec(design, dim, bandwidth)
    builder = spec.builder(seed)
    sums = {name: np.asarray(value, dtype=np.float64)
            for name, value in builder.accumulate(rows).items()}
    release: Release = builder.finish(sums, noise_plan(spec, PrivacyBudget(1.0)))
    return release


def exact_mean_kde(rows: NDArray[np.float64], queries: NDArray[np.float64],
                   bandwidth: float) -> NDArray[np.float64]:
    """(1/n) sum_x exp(-||x - y||^2 / sigma^2) in float64, from the differences."""
    out = np.empty(queries.shape[0])
    for i, y in enumerate(queries):
        out[i] = np.mean(np.exp(-np.sum((rows - y) ** 2, axis=1) / bandwidth**2))
    return out


def accuracy(dim: int, seeds: int, queries: int) -> dict[str, dict[str, list[float]]]:
    workload = synthetic(ROWS, dim)
    Q = workload.queries[:queries]
    exact = exact_mean_kde(workload.rows, Q, workload.bandwidth)
    out: dict[str, dict[str, list[float]]] = {d: {"relative": [], "max_abs": []}
                                              for d in DESIGNS}
    for design in DESIGNS:
        for seed in range(seeds):
            release = noiseless_release(design, dim, workload.bandwidth, seed, workload.rows)
            values = release.query(Q, "mean").values
            out[design]["relative"].append(float(np.mean(np.abs(values - exact))
                                                 / np.mean(exact)))
            out[design]["max_abs"].append(float(np.max(np.abs(values - exact))))
    return out


def latency(rounds: int) -> dict[str, dict[str, float]]:
    """Single 768-d query p50/p90 per design, interleaved; the release sizes."""
    workload = synthetic(2_000, 768)
    point = workload.queries[:1]
    releases = {}
    for design in DESIGNS:
        spec = _spec(design, 768, workload.bandwidth)
        releases[design] = build_release(spec, seed=1, chunks=[workload.rows],
                                         plan=noise_plan(spec, PrivacyBudget(1.0)))
    samples: dict[str, list[float]] = {design: [] for design in DESIGNS}
    for release in releases.values():
        release.query(point, "mean")
    for _ in range(rounds):
        for design, release in releases.items():
            start = time.perf_counter()
            release.query(point, "mean")
            samples[design].append(time.perf_counter() - start)
    return {design: {"p50_us": 1e6 * float(np.percentile(samples[design], 50)),
                     "p90_us": 1e6 * float(np.percentile(samples[design], 90)),
                     "release_bytes": float(len(dump_release(releases[design])))}
            for design in DESIGNS}


def _spread(values: Sequence[float], scale: float = 1.0, digits: int = 4) -> str:
    return (f"{statistics.fmean(values) * scale:.{digits}f} "
            f"[{min(values) * scale:.{digits}f}, {max(values) * scale:.{digits}f}]")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 seeds, 50 queries, 300 rounds")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--queries", type=int, default=QUERIES)
    parser.add_argument("--rounds", type=int, default=3_000)
    args = parser.parse_args(argv)
    seeds, queries, rounds = ((2, 50, 300) if args.quick
                              else (args.seeds, args.queries, args.rounds))
    print(f"gaussian_kde, {FEATURES} features, float32, no projection; "
          f"numpy {np.__version__}")
    times = latency(rounds)
    print(f"\nsingle 768-d query, in process, {rounds} interleaved rounds")
    print(f"{'design':<12}{'p50 (us)':>10}{'p90 (us)':>10}{'release bytes':>16}")
    for design, row in times.items():
        print(f"{design:<12}{row['p50_us']:>10.1f}{row['p90_us']:>10.1f}"
              f"{int(row['release_bytes']):>16,}")
    for dim in (64, 768):
        errors = accuracy(dim, seeds, queries)
        print(f"\nnoiseless mean-KDE vs float64 brute force, n = {ROWS:,}, d = {dim}, "
              f"{queries} queries, {seeds} seeds: mean [min, max]")
        print(f"{'design':<12}{'relative error':>28}{'max |error| (x1e-3)':>32}")
        for design, spreads in errors.items():
            print(f"{design:<12}{_spread(spreads['relative']):>28}"
                  f"{_spread(spreads['max_abs'], 1e3, 3):>32}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
