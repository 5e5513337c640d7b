"""Accuracy benchmark of every structure kind: error against exact brute force, query
time, build time and size, per epsilon, side by side with the prior art.

    python -m bench.accuracy [--quick] [--out DIR] [--only WORKLOAD]

Workloads (``bench.data``): ``synthetic`` at d = 32 and 256 (n = 100,000) and at
d = 2,048 (n = 20,000, so that the exact l1 references stay within minutes on two
cores), and ``digits`` (n = 1,797, d = 64). Kernel bandwidth: half the median pairwise
distance of a public sample of the generator (``synthetic_median_bandwidth``) for
``synthetic``, the domain rule 0.5 for ``digits``; distances need none.

For every workload, variant (``variants``) and epsilon in ``EPSILONS`` (delta = 1e-6
for the Gaussian mechanism):

- error: kernels report the relative error of the mean-KDE, the mean absolute error
  over the accuracy queries divided by the mean exact mean-KDE; distances report the
  mean relative error of the sums |F~(y) - F(y)| / F(y). The exact references are
  float64 brute force over every pair. Each epsilon releases the exact sums of public
  seed ``STRUCTURE_SEED`` with ``noise_draws`` fresh noise draws (mean and std over
  them); the noiseless floor is the same structure without noise;
- query time: 1,000 queries (median [min, max] of ``timing_repetitions`` runs after a
  warm-up), interleaved round by round with the brute force and ``rff_baseline``;
- build time: one whole ``build_release`` at epsilon = 1; size: ``dump_release`` bytes.

The report ends with the paper's claims checked on these figures: the accuracy goal
against LSQ-RFF at d = 256, JL dimension reduction at large d, and the l1 structure's
error against its additive bound. It writes ``accuracy.json`` and ``accuracy.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.spatial.distance import cdist  # type: ignore[import-untyped]

from bench.data import (
    DATA_SEED,
    DOMAIN,
    N_QUERIES,
    Workload,
    digits,
    synthetic,
    synthetic_median_bandwidth,
)
from bench.kde import _load_average, _log, interleaved_timings, machine_info, spread
from core.privacy.budget import PrivacyBudget
from core.privacy.mechanisms import Mechanism
from core.structures import DataSpec, Spec, build_release, dump_release, noise_plan, parse_spec

__all__ = ["EPSILONS", "FULL", "QUICK", "Config", "Variant", "exact_references", "main",
           "variants"]

EPSILONS = (0.1, 0.5, 1.0, 2.0, 4.0)
DELTA = 1e-6
BUILD_EPSILON = 1.0
STRUCTURE_SEED = 1234
BRUTE_FORCE = "brute force"
BASELINE = "rff_baseline"
CHUNK_ROWS = 16_384
DEFAULT_OUT = Path(__file__).resolve().parent / "results"

# Reference functions: name -> f(squared l2, l1, bandwidth) applied to pairwise matrices.
Pairwise = Callable[[NDArray[np.float64], NDArray[np.float64] | None, float],
                    NDArray[np.float64]]
TARGETS: dict[str, tuple[bool, Pairwise]] = {  # (needs l1, f)
    "gaussian": (False, lambda sq, l1, s: np.exp(-sq / s**2)),
    "exponential": (False, lambda sq, l1, s: np.exp(-np.sqrt(sq) / s)),
    "laplace": (True, lambda sq, l1, s: np.exp(-l1 / s)),  # type: ignore[operator]
    "cauchy_sq_l2": (False, lambda sq, l1, s: 1.0 / (1.0 + sq / s**2)),
    "cauchy_l2": (False, lambda sq, l1, s: 1.0 / (1.0 + np.sqrt(sq) / s)),
    "cauchy_l1": (True, lambda sq, l1, s: 1.0 / (1.0 + l1 / s)),  # type: ignore[operator]
    "l1": (True, lambda sq, l1, s: l1),  # type: ignore[return-value]
    "l2": (False, lambda sq, l1, s: np.sqrt(sq)),
    "sq_l2": (False, lambda sq, l1, s: sq),
}


L1_KERNELS = ("laplace", "cauchy_l1")  # kernels of an l1 distance: their own bandwidth
REFERENCE = "reference:"  # a target answered by the kind's own exact reference


def kind_reference(spec: Spec, rows: NDArray[np.float64], queries: NDArray[np.float64],
                   block: int = 4_096) -> NDArray[np.float64]:
    """F(y) by the kind's own float64 brute force (``KindDef.reference``), over blocks of
    the rows clipped into the domain."""
    from core.kinds import kind_def

    reference = kind_def(spec.kind).reference
    total = np.zeros(queries.shape[0])
    for start in range(0, rows.shape[0], block):
        total += reference(spec, DOMAIN.clip(rows[start:start + block]), queries)
    return total


@dataclass(frozen=True, slots=True)
class Variant:
    """A kind with its parameters and mechanism, and the exact function it answers."""

    label: str
    kind: str
    params: dict[str, Any]
    mechanism: Mechanism
    target: str  # a key of TARGETS, or "inner" for the inner product

    @property
    def is_kernel(self) -> bool:
        return self.target not in ("l1", "l2", "sq_l2", "inner")

    def budget(self, epsilon: float) -> PrivacyBudget:
        return PrivacyBudget(epsilon, DELTA if self.mechanism == "gaussian" else 0.0)


@dataclass(frozen=True, slots=True)
class Config:
    mode: str
    workloads: tuple[Callable[[], Workload], ...]
    features: int  # per kernel structure (per term for cauchy_kde)
    noise_draws: int
    timing_repetitions: int
    accuracy_queries: int
    grid_levels: int
    kernels_only: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _synthetic(n: int, d: int) -> Workload:
    base = synthetic(n, d)
    return Workload(base.name, base.rows, base.queries, synthetic_median_bandwidth(d),
                    "half the median pairwise distance of a public sample")


FULL = Config(
    mode="full",
    workloads=(partial(_synthetic, 100_000, 32), partial(_synthetic, 100_000, 256),
               partial(_synthetic, 20_000, 2_048), digits),
    features=4_096, noise_draws=3, timing_repetitions=5, accuracy_queries=500,
    grid_levels=8,
)
QUICK = Config(
    mode="quick", workloads=(partial(_synthetic, 1_500, 6), digits),
    features=128, noise_draws=2, timing_repetitions=2, accuracy_queries=40, grid_levels=4,
)


def variants(workload: Workload, config: Config) -> list[Variant]:
    """Every kind, with the sizes of ``config``; for gaussian_kde also four times the
    features (the accuracy goal) and JL projections where d is large."""
    s, m, d = workload.bandwidth, config.features, workload.dim
    s1 = l1_bandwidth(workload)
    kde = {"bandwidth": s, "features": m}
    big = {"bandwidth": s, "features": 4 * m}
    out = [
        Variant(BASELINE, BASELINE, kde, "laplace", "gaussian"),
        Variant("gaussian_kde (laplace)", "gaussian_kde", kde | {"mechanism": "laplace"},
                "laplace", "gaussian"),
        Variant("gaussian_kde (gaussian)", "gaussian_kde", kde | {"mechanism": "gaussian"},
                "gaussian", "gaussian"),
        Variant(f"gaussian_kde m={4 * m} (laplace)", "gaussian_kde",
                big | {"mechanism": "laplace"}, "laplace", "gaussian"),
        Variant(f"gaussian_kde m={4 * m} (gaussian)", "gaussian_kde",
                big | {"mechanism": "gaussian"}, "gaussian", "gaussian"),
        Variant("gaussian_kde iid float64 (laplace)", "gaussian_kde",
                kde | {"frequencies": "iid", "precision": "float64"}, "laplace", "gaussian"),
    ]
    out += [Variant(f"gaussian_kde JL k={k} (gaussian)", "gaussian_kde",
                    kde | {"mechanism": "gaussian", "projection_dim": k}, "gaussian", "gaussian")
            for k in (128, 512) if 2 * k <= d]
    out += [
        Variant("exponential_kde (gaussian)", "exponential_kde",
                kde | {"mechanism": "gaussian"}, "gaussian", "exponential"),
        Variant("laplace_kde (gaussian)", "laplace_kde",
                kde | {"bandwidth": s1, "mechanism": "gaussian"}, "gaussian", "laplace"),
    ]
    # the kinds whose exact answer is their own reference (core/kinds/<kind>/reference.py):
    # the vMF kernel at the Gaussian's width on the sphere (kappa = 2 / sigma^2), the
    # ReLU network kernels with their default clip
    out += [Variant(f"{kind} (gaussian)", kind, params | {"mechanism": "gaussian"},
                    "gaussian", f"{REFERENCE}{kind}")
            for kind, params in (("vmf_kde", {"kappa": 2.0 / s**2, "features": m}),
                                 ("relu_nngp", {"features": m}),
                                 ("relu_ntk", {"features": m, "tangent_features": m}))]
    out += [Variant(f"cauchy_kde {metric} (gaussian)", "cauchy_kde",
                    {"bandwidth": s1 if metric == "l1" else s, "features": max(m // 4, 2),
                     "metric_input": metric, "mechanism": "gaussian"}, "gaussian",
                    f"cauchy_{metric}")
            for metric in ("sq_l2", "l2", "l1")]
    if config.kernels_only:
        return out
    # deep trees cost d * 2^(L+2) noise draws (about 20 us each): shallower at d = 2048
    levels = config.grid_levels if d <= 256 else config.grid_levels - 2
    out += [
        Variant("l1_distance (laplace)", "l1_distance", {"grid_levels": levels}, "laplace",
                "l1"),
        Variant("l1_distance (gaussian)", "l1_distance",
                {"grid_levels": levels, "mechanism": "gaussian"}, "gaussian", "l1"),
    ]
    if d <= 256:  # banded queries walk every band of every coordinate: slow at d = 2048
        out.append(Variant("l1_distance banded (laplace)", "l1_distance",
                           {"grid_levels": levels, "estimator": "banded", "alpha": 0.1},
                           "laplace", "l1"))
    out += [
        Variant("l2_distance (gaussian)", "l2_distance",
                {"grid_levels": levels, "mechanism": "gaussian"}, "gaussian", "l2"),
        Variant("sq_l2_distance (laplace)", "sq_l2_distance", {}, "laplace", "sq_l2"),
        Variant("inner_product (laplace)", "inner_product", {}, "laplace", "inner"),
    ]
    return out


def l1_bandwidth(workload: Workload) -> float:
    """The bandwidth of the l1 kernels: the l2 one times sqrt(2 d / pi), the ratio of
    the l1 to the l2 norm of an isotropic Gaussian vector in d dimensions (a public
    rule: an l1 distance is that much longer than the l2 distance it goes with)."""
    return workload.bandwidth * math.sqrt(2.0 * workload.dim / math.pi)


def exact_references(rows: NDArray[np.float64], queries: NDArray[np.float64],
                     bandwidth: float, targets: Sequence[str],
                     l1_kernel_bandwidth: float | None = None) -> dict[str, NDArray[np.float64]]:
    """F(y) = sum_x f(x, y) for every target, float64 brute force over every pair, by
    blocks of rows (squared l2 by one matrix product per block, l1 by ``cdist``); the
    kernels of an l1 distance use ``l1_kernel_bandwidth`` (default: ``bandwidth``)."""
    wanted = [t for t in targets if t != "inner"]
    need_l1 = any(TARGETS[t][0] for t in wanted)
    totals = {t: np.zeros(queries.shape[0]) for t in wanted}
    query_sq = np.einsum("ij,ij->i", queries, queries)[:, None]
    block = max(256, 2**24 // max(queries.shape[0], 1))
    for start in range(0, rows.shape[0], block):
        part = rows[start:start + block]
        sq = np.maximum(query_sq + np.einsum("ij,ij->i", part, part)[None, :]
                        - 2.0 * queries @ part.T, 0.0)
        l1 = cdist(queries, part, metric="cityblock") if need_l1 else None
        for t in wanted:
            width = (l1_kernel_bandwidth or bandwidth) if t in L1_KERNELS else bandwidth
            totals[t] += TARGETS[t][1](sq, l1, width).sum(axis=1)
    if "inner" in targets:
        totals["inner"] = queries @ rows.sum(axis=0)
    return totals


def _error(variant: Variant, values: NDArray[np.float64], exact: NDArray[np.float64]) -> float:
    """Kernels: MAE of the mean-KDE / mean exact mean-KDE. Distances: mean |rel. error|
    of the sums (the inner product: MAE / mean |exact|, as it may be 0)."""
    if variant.is_kernel or variant.target == "inner":
        return float(np.mean(np.abs(values - exact)) / np.mean(np.abs(exact)))
    return float(np.mean(np.abs(values - exact) / np.maximum(np.abs(exact), 1e-300)))


def _exact_sums(spec: Spec, seed: int,
                chunks: Sequence[NDArray[np.float64]]) -> dict[str, NDArray[np.float64]]:
    builder = spec.builder(seed)
    totals: dict[str, NDArray[np.float64]] = {}
    for chunk in chunks:
        for name, part in builder.accumulate(DOMAIN.clip(chunk)).items():
            host = np.asarray(part, dtype=np.float64)
            totals[name] = totals[name] + host if name in totals else host
    return totals


def bench_variant(variant: Variant, spec: Spec, workload: Workload,
                  chunks: Sequence[NDArray[np.float64]], exact: NDArray[np.float64],
                  queries: NDArray[np.float64], config: Config) -> dict[str, Any]:
    """Errors per epsilon over fresh noise draws, the floor, and the error model."""
    reduce = "mean" if variant.is_kernel else "sum"
    target = exact / workload.n if variant.is_kernel else exact
    sums = _exact_sums(spec, STRUCTURE_SEED, chunks)
    builder = spec.builder(STRUCTURE_SEED)
    plan1 = noise_plan(spec, variant.budget(1.0))
    noiseless = builder.finish(sums, plan1).query(queries, reduce)
    accuracy = []
    for epsilon in EPSILONS:
        plan = noise_plan(spec, variant.budget(epsilon))
        errors, abs_errors, noise_rms, reported = [], [], [], []
        for _ in range(config.noise_draws):
            result = builder.finish(plan.apply(sums), plan).query(queries, reduce)
            errors.append(_error(variant, result.values, target))
            abs_errors.append(float(np.mean(np.abs(result.values - target))))
            noise_rms.append(float(np.sqrt(np.mean((result.values - noiseless.values) ** 2))))
            reported.append(float(np.sqrt(np.mean(result.std**2))))
        accuracy.append({"epsilon": epsilon, "error": spread(errors),
                         "mean_abs_error": statistics.fmean(abs_errors),
                         "noise_rms": statistics.fmean(noise_rms),
                         "reported_noise_std": statistics.fmean(reported)})
    return {
        "floor": _error(variant, noiseless.values, target),
        "floor_rms": float(np.sqrt(np.mean((noiseless.values - target) ** 2))),
        "reported_approximation": float(np.sqrt(np.mean(noiseless.approximation_std**2))),
        "accuracy": accuracy,
    }


def bench_workload(make: Callable[[], Workload], config: Config, log: Callable[[str], None],
                   only: Sequence[str] | None = None,
                   ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    workload = make()
    log(f"{workload.label} (bandwidth {workload.bandwidth:.3f})")
    data = DataSpec(workload.dim, DOMAIN, "add_remove")
    chosen = [v for v in variants(workload, config)
              if v.label == BASELINE or not only or any(o in v.label for o in only)]
    specs = [parse_spec(v.kind, v.params, data) for v in chosen]
    queries = workload.queries[:config.accuracy_queries]
    started = time.perf_counter()
    exact = exact_references(workload.rows, queries, workload.bandwidth,
                             sorted({v.target for v in chosen
                                     if not v.target.startswith(REFERENCE)}),
                             l1_bandwidth(workload))
    exact |= {v.target: kind_reference(spec, workload.rows, queries)
              for v, spec in zip(chosen, specs, strict=True) if v.target.startswith(REFERENCE)}
    exact_seconds = time.perf_counter() - started
    log(f"  exact references in {exact_seconds:.1f} s")
    chunks = [workload.rows[i:i + CHUNK_ROWS] for i in range(0, workload.n, CHUNK_ROWS)]

    releases, build_seconds = [], []
    for variant, spec in zip(chosen, specs, strict=True):
        plan = noise_plan(spec, variant.budget(BUILD_EPSILON))
        start = time.perf_counter()
        releases.append(build_release(spec, seed=STRUCTURE_SEED, plan=plan, chunks=chunks))
        build_seconds.append(time.perf_counter() - start)
        log(f"  built {variant.label} in {build_seconds[-1]:.2f} s")
    batch = workload.queries[:N_QUERIES]
    brute = partial(exact_references, workload.rows, batch, workload.bandwidth, ["gaussian"])
    results = []
    for variant, spec, release, seconds in zip(chosen, specs, releases, build_seconds,
                                               strict=True):
        reduce = "mean" if variant.is_kernel else "sum"
        runs: dict[str, Callable[[], object]] = {
            variant.label: partial(release.query, batch, reduce)}
        if variant.label != BASELINE:
            runs[BASELINE] = partial(releases[0].query, batch, "mean")
        timings = interleaved_timings(runs, config.timing_repetitions)
        figures = bench_variant(variant, spec, workload, chunks, exact[variant.target],
                                queries, config)
        accuracy = {a["epsilon"]: a["error"]["mean"] for a in figures["accuracy"]}
        log(f"  {variant.label}: query {1e3 * timings[variant.label]['median']:.1f} ms "
            f"(baseline {1e3 * timings[BASELINE]['median']:.1f}), error at eps 1: "
            f"{accuracy[1.0]:.3g}, floor {figures['floor']:.3g}")
        results.append({
            "workload": workload.label, "label": variant.label, "kind": variant.kind,
            "target": variant.target, "mechanism": variant.mechanism,
            "params": spec.public_params(), "build_seconds": seconds,
            "size_bytes": len(dump_release(release)),
            "query_seconds_per_1000": timings[variant.label],
            "baseline_query_seconds_per_1000": timings[BASELINE],
            "error_model": release.error_model(spec.data).to_dict(), **figures,
        })
    brute_timing = interleaved_timings({BRUTE_FORCE: brute}, config.timing_repetitions)
    summary = {"label": workload.label, "name": workload.name, "n": workload.n,
               "dim": workload.dim, "bandwidth": workload.bandwidth,
               "l1_kernel_bandwidth": l1_bandwidth(workload),
               "bandwidth_rule": workload.bandwidth_rule,
               "accuracy_queries": int(queries.shape[0]),
               "exact_mean_kde": float(np.mean(exact["gaussian"]) / workload.n),
               "exact_reference_seconds": exact_seconds,
               "brute_force_gaussian_seconds_per_1000": brute_timing[BRUTE_FORCE]}
    return summary, results


# --- the paper's claims, read off the figures ------------------------------------------

def _at(result: Mapping[str, Any], epsilon: float) -> float:
    return float(next(a["error"]["mean"] for a in result["accuracy"]
                      if a["epsilon"] == epsilon))


def _time(result: Mapping[str, Any], key: str = "query_seconds_per_1000") -> float:
    return float(result[key]["median"])


def claims(workloads: Sequence[Mapping[str, Any]],
           results: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each claim with the figures it rests on and whether it holds here."""
    out: list[dict[str, Any]] = []
    by = {(r["workload"], r["label"]): r for r in results}
    for w in workloads:
        label = w["label"]
        base = by.get((label, BASELINE))
        if base is None:
            continue
        kernels = [r for r in results if r["workload"] == label and r["target"] == "gaussian"
                   and r["label"] != BASELINE]
        for r in kernels:  # Pareto: half the error at no more time, or equal error at half
            error_ratio = _at(r, 1.0) / _at(base, 1.0)
            time_ratio = _time(r) / _time(r, "baseline_query_seconds_per_1000")
            out.append({
                "claim": "pareto_vs_lsq_rff", "workload": label, "variant": r["label"],
                "error": _at(r, 1.0), "baseline_error": _at(base, 1.0),
                "error_ratio": error_ratio, "time_ratio": time_ratio,
                "holds": (error_ratio <= 0.5 and time_ratio <= 1.0)
                or (error_ratio <= 1.0 and time_ratio <= 0.5)})
        for r in results:
            if r["workload"] == label and r["kind"] == "l1_distance":
                n, d = w["n"], w["dim"]
                levels = r["params"]["grid_levels"]
                for a in r["accuracy"]:
                    # the paper's additive term R d^1.5 log^1.5 n / (eps sqrt alpha), with
                    # R the coordinate range (2 for the unit ball), alpha = 1 for prefix
                    alpha = r["params"].get("alpha") or 1.0
                    bound = 2.0 * d**1.5 * math.log(n) ** 1.5 / (a["epsilon"] * math.sqrt(alpha))
                    out.append({"claim": "l1_additive_bound", "workload": label,
                                "variant": r["label"], "epsilon": a["epsilon"],
                                "grid_levels": levels, "mean_abs_error": a["mean_abs_error"],
                                "reported_noise_std": a["reported_noise_std"],
                                "additive_bound": bound,
                                "ratio": a["mean_abs_error"] / bound,
                                "holds": a["mean_abs_error"] <= bound})
    return out


# --- report ----------------------------------------------------------------------------

def _ms(stats: Mapping[str, float]) -> str:
    return f"{1e3 * stats['median']:.1f} [{1e3 * stats['min']:.1f}, {1e3 * stats['max']:.1f}]"


def render_markdown(report: Mapping[str, Any]) -> str:
    settings, machine = report["settings"], report["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items())
    eps_heads = " | ".join(f"eps={e:g}" for e in settings["epsilons"])
    lines = [
        f"# Accuracy benchmark ({report['mode']})", "",
        f"Command: `{report['command']}`; total {report['total_seconds']:.0f} s.",
        f"Machine: {machine['cpu_model']}, {machine['cpus_usable']} usable CPUs; {versions}; "
        f"OPENBLAS_CORETYPE={machine['OPENBLAS_CORETYPE']}.",
        f"Settings: {settings['features']} random features per kernel structure (a quarter "
        f"per term for cauchy_kde), grid_levels {settings['grid_levels']}, add/remove, "
        f"delta = {settings['delta']} for the Gaussian mechanism, structure seed "
        f"{settings['structure_seed']}, data seed {settings['data_seed']}, "
        f"{settings['noise_draws']} noise draws per epsilon; query time for 1,000 queries, "
        f"median [min, max] of {settings['timing_repetitions']} after a warm-up, "
        "interleaved with rff_baseline.", "",
        "Error: kernels, MAE of the mean-KDE / mean exact mean-KDE; distances, mean "
        "relative error of the sums (inner product: MAE / mean |exact|).", "",
        "## Workloads", "",
        "| workload | bandwidth (rule) | l1 kernels' bandwidth | mean exact Gaussian KDE "
        "| accuracy queries | exact Gaussian KDE ms / 1,000 |", "|" + " --- |" * 6,
    ]
    lines += [f"| {w['label']} | {w['bandwidth']:.3f} ({w['bandwidth_rule']}) "
              f"| {w.get('l1_kernel_bandwidth', w['bandwidth']):.3f} "
              f"| {w['exact_mean_kde']:.3g} | {w['accuracy_queries']} "
              f"| {_ms(w['brute_force_gaussian_seconds_per_1000'])} |"
              for w in report["workloads"]]
    lines += ["", "## Error (mean ± std over noise draws), query time, build, size", "",
              f"| workload | variant | floor | {eps_heads} | query ms / 1,000 "
              "| vs rff_baseline | build s | size KiB |",
              "|" + " --- |" * (7 + len(settings["epsilons"]))]
    for r in report["results"]:
        cells = " | ".join(f"{a['error']['mean']:.3g} ± {a['error']['std']:.1g}"
                           for a in r["accuracy"])
        ratio = _time(r) / _time(r, "baseline_query_seconds_per_1000")
        lines.append(f"| {r['workload']} | {r['label']} | {r['floor']:.3g} | {cells} "
                     f"| {_ms(r['query_seconds_per_1000'])} | {ratio:.2f}x "
                     f"| {r['build_seconds']:.2f} | {r['size_bytes'] / 1024:,.0f} |")
    lines += ["", "## Error model: observed noise RMS / reported noise std at each epsilon;"
              " floor RMS / reported approximation bound", "",
              f"| workload | variant | floor | {eps_heads} |",
              "|" + " --- |" * (3 + len(settings["epsilons"]))]
    for r in report["results"]:
        cells = " | ".join(f"{a['noise_rms']:.3g} / {a['reported_noise_std']:.3g}"
                           for a in r["accuracy"])
        lines.append(f"| {r['workload']} | {r['label']} | {r['floor_rms']:.3g} / "
                     f"{r['reported_approximation']:.3g} | {cells} |")
    pareto = [c for c in report["claims"] if c["claim"] == "pareto_vs_lsq_rff"]
    lines += ["", "## Claims", "", "Gaussian KDE against LSQ-RFF at epsilon = 1 (the goal: "
              "at most half its error at no more query time, or its error at half its time):",
              "", "| workload | variant | error | LSQ-RFF error | error ratio | time ratio "
              "| holds |", "|" + " --- |" * 7]
    for c in pareto:
        lines.append(f"| {c['workload']} | {c['variant']} | {c['error']:.3g} "
                     f"| {c['baseline_error']:.3g} | {c['error_ratio']:.2f} "
                     f"| {c['time_ratio']:.2f} | {'yes' if c['holds'] else 'no'} |")
    l1 = [c for c in report["claims"] if c["claim"] == "l1_additive_bound"]
    lines += ["", "l1_distance: mean absolute error of the sums against the paper's "
              "additive term R d^1.5 log^1.5 n / (eps sqrt alpha) (R = 2, alpha = 1 for the "
              "prefix estimator):", "",
              "| workload | variant | eps | mean abs error | reported std | additive term "
              "| ratio |", "|" + " --- |" * 7]
    for c in l1:
        lines.append(f"| {c['workload']} | {c['variant']} | {c['epsilon']:g} "
                     f"| {c['mean_abs_error']:.3g} | {c['reported_noise_std']:.3g} "
                     f"| {c['additive_bound']:.3g} | {c['ratio']:.3f} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.accuracy", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--only", action="append", default=None,
                        help="run only the workloads whose label contains this (repeatable)")
    parser.add_argument("--variants", action="append", default=None,
                        help="run only the variants whose label contains this (repeatable; "
                        "rff_baseline always runs, as the reference)")
    parser.add_argument("--name", default="accuracy",
                        help="base name of the report files (default: accuracy)")
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(arguments)
    config = QUICK if args.quick else FULL
    started = time.perf_counter()
    machine = machine_info()
    workloads, results = [], []
    for make in config.workloads:
        if args.only and not any(o in _label_of(make) for o in args.only):
            continue
        summary, rows = bench_workload(make, config, _log, args.variants)
        workloads.append(summary)
        results += rows
    machine["load_average_end"] = _load_average()
    report = {
        "benchmark": "accuracy", "mode": config.mode,
        "command": " ".join(["python -m bench.accuracy", *arguments]), "machine": machine,
        "settings": {"features": config.features, "grid_levels": config.grid_levels,
                     "epsilons": list(EPSILONS), "delta": DELTA,
                     "noise_draws": config.noise_draws,
                     "timing_repetitions": config.timing_repetitions,
                     "structure_seed": STRUCTURE_SEED, "data_seed": DATA_SEED},
        "workloads": workloads, "results": results,
        "claims": claims(workloads, results),
        "total_seconds": time.perf_counter() - started,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.name}.json").write_text(json.dumps(report, indent=2, allow_nan=False)
                                                + "\n")
    table = render_markdown(report)
    (args.out / f"{args.name}.md").write_text(table)
    print(table)
    return 0


def _label_of(make: Callable[[], Workload]) -> str:
    """A workload's label without generating it (for --only)."""
    if isinstance(make, partial):
        n, d = make.args
        return f"synthetic n={n:,} d={d}"
    return "digits"


if __name__ == "__main__":
    raise SystemExit(main())
