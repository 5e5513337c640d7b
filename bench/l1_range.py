"""The discretisation floor of ``l1_distance`` over an l2 ball in high dimension, with
and without a public ``coordinate_bound``.

    python -m bench.l1_range [--full] [--json PATH]

Over an l2 ball of radius R every coordinate's grid spans [-R, R] by default, while the
rows' coordinates are about R / sqrt(d): at d = 2,048 the data fill a handful of the
2^L leaves and the answer is off by several percent before any noise is added. With
``coordinate_bound`` t = c R / sqrt(d) the grids span [-t, t], rows are clamped into it,
and the leaves are sqrt(d) / c times finer.

For each dataset (rows uniform on the sphere of radius R, or Gaussian rows of std
R / (2 sqrt(d)) per coordinate clipped into the ball) and each setting, the release
is built from the exact statistics (no noise: the error measured is the structure's
own) and queried at other points of the same distribution. Figures, relative to the
exact float64 brute force sum_x ||x - y||_1:

- ``mean`` and ``max``: |answer - exact| / exact over the queries;
- ``clamp``: the part of it the clamp causes (the brute force on the clamped rows
  against the one on the rows), the largest over the queries;
- ``bound``: the reported worst case per row (grid and clamp,
  ``approximation_std_mean``) over the mean distance;
- ``noise``: the reported noise std of a mean answer at epsilon = 1 (Laplace) over the
  mean distance, which the bound does not change while t >= R / sqrt(d).

Quick (default): d = 2,048, n = 2,000 rows, 200 queries, L = 8, c in {3, 4, 5}: a few
seconds. ``--full`` adds d = 256 and 8,192 and L = 6 and 10.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core._array import to_host
from core.domain import L2Ball
from core.kinds.l1_distance.spec import L1DistanceSpec
from core.privacy.budget import PrivacyBudget
from core.structures import DataSpec, noise_plan, parse_spec

__all__ = ["main", "measure"]

RADIUS = 1.0
DATA_SEED = 20_250_613
FACTORS = (3.0, 4.0, 5.0)


def _rows(kind: str, n: int, d: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """``sphere``: uniform on the sphere of radius R; ``gaussian``: N(0, R^2 / (4d))
    per coordinate, clipped into the ball (norms about R / 2)."""
    g = rng.standard_normal((n, d))
    if kind == "sphere":
        return np.asarray(RADIUS * g / np.linalg.norm(g, axis=1, keepdims=True))
    return np.asarray(L2Ball(RADIUS).clip(g * RADIUS / (2.0 * math.sqrt(d))))


@cache
def _data(dataset: str, n: int, d: int, queries: int
          ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The rows (already inside the ball) and the query points of one dataset."""
    rng = np.random.default_rng([DATA_SEED, d, n])
    return _rows(dataset, n, d, rng), _rows(dataset, queries, d, rng)


@cache
def _exact(dataset: str, n: int, d: int, queries: int, bound: float | None
           ) -> NDArray[np.float64]:
    """The brute force on the rows clamped to [-bound, bound] (None: the rows)."""
    rows, points = _data(dataset, n, d, queries)
    if bound is not None:
        rows = np.clip(rows, -bound, bound)
    return _l1_sums(rows, points)


def _l1_sums(rows: NDArray[np.float64], points: NDArray[np.float64]) -> NDArray[np.float64]:
    """sum_x ||x - y||_1 for every point, in float64, a few points at a time."""
    out = np.empty(points.shape[0])
    step = max(1, 2**24 // rows.size)
    for start in range(0, points.shape[0], step):
        block = points[start:start + step]
        out[start:start + step] = np.abs(block[:, None, :] - rows[None, :, :]).sum(axis=(1, 2))
    return out


def measure(dataset: str, n: int, d: int, queries: int, levels: int,
            factor: float | None) -> dict[str, Any]:
    """One setting: the noiseless release's errors against the brute force."""
    rows, points = _data(dataset, n, d, queries)
    params: dict[str, Any] = {"grid_levels": levels}
    bound = None if factor is None else factor * RADIUS / math.sqrt(d)
    if bound is not None:
        params["coordinate_bound"] = bound
    spec = parse_spec("l1_distance", params, DataSpec(d, L2Ball(RADIUS), "add_remove"))
    if not isinstance(spec, L1DistanceSpec):
        raise TypeError("l1_distance parsed into another spec")
    plan = noise_plan(spec, PrivacyBudget(1.0))
    started = time.perf_counter()
    builder = spec.builder(seed=0)
    exact_stats = {k: to_host(v) for k, v in builder.accumulate(rows).items()}
    release = builder.finish(exact_stats, plan)
    answer = release.query(points).values
    seconds = time.perf_counter() - started
    exact = _exact(dataset, n, d, queries, None)
    clamp_part = np.abs(_exact(dataset, n, d, queries, bound) - exact) / exact
    error = np.abs(answer - exact) / exact
    mean_distance = float(np.mean(exact)) / n
    model = release.error_model(spec.data)
    estimate = spec.estimate(plan, n)
    return {"dataset": dataset, "n": n, "d": d, "queries": queries, "levels": levels,
            "factor": factor, "coordinate_bound": params.get("coordinate_bound"),
            "mean": float(np.mean(error)), "max": float(np.max(error)),
            "clamp_max": float(np.max(clamp_part)),
            "bound": model.approximation_std_mean / mean_distance,
            "clip_bias_bound": spec.clip_bias / mean_distance,
            "noise": estimate.noise_std_mean / mean_distance,
            "build_and_query_seconds": seconds}


def _table(results: Sequence[dict[str, Any]]) -> str:
    lines = ["| data | d | L | range | mean error | max error | clamp (max) "
             "| reported bound | noise std, eps 1 |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        span = "[-R, R]" if r["factor"] is None else f"{r['factor']:g} R / sqrt(d)"
        lines.append(f"| {r['dataset']} | {r['d']:,} | {r['levels']} | {span} "
                     f"| {r['mean']:.3%} | {r['max']:.3%} | {r['clamp_max']:.1e} "
                     f"| {r['bound']:.2%} | {r['noise']:.1%} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="more dimensions and depths")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    args = parser.parse_args(argv)
    dims = (256, 2048, 8192) if args.full else (2048,)
    depths = (6, 8, 10) if args.full else (8,)
    results = [measure(dataset, 2000, d, 200, levels, factor)
               for dataset in ("sphere", "gaussian") for d in dims for levels in depths
               for factor in (None, *FACTORS)]
    print(f"l1_distance over an l2 ball of radius {RADIUS:g}, n = 2,000 rows, 200 "
          "queries, noiseless release against the exact brute force\n")
    print(_table(results))
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
