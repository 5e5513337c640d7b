"""Gaussian KDE benchmark: accuracy, query and build time, and size of the kinds that
answer k(x, y) = exp(-||x - y||^2 / sigma^2).

    python -m bench.kde [--quick] [--out DIR]

Kinds, all with the same number of random features (``FULL.features``):
``gaussian_kde`` with the Laplace mechanism (pure epsilon), ``gaussian_kde`` with the
Gaussian mechanism (delta = 1e-6), and the prior-art ``rff_baseline`` (Wagner et al.
2023, Laplace). ``gaussian_kde`` runs with its defaults otherwise (no JL projection).
Workloads come from ``bench.data`` with their public bandwidths; the neighbouring
relation is add/remove, so the mean divides by a noisy count.

For every workload, kind and epsilon in ``EPSILONS``:

- accuracy: mean absolute error of the mean-KDE F(y)/n over the workload's queries
  against exact float64 brute force, over ``noise_draws`` independent noise draws with
  the public randomness (``STRUCTURE_SEED``) fixed; the exact feature sums are computed
  once and only the noise is redrawn (OpenDP, inside ``NoisePlan.apply``). Also the
  noiseless floor (the same features without noise) at that seed and its spread over
  ``FLOOR_SEEDS`` (the floor is one draw of the public randomness, so a difference
  between kinds smaller than that spread is luck), the RMS of the noise part of the
  error (noisy minus noiseless answers) and the noise std the release itself predicts;
- speed: the query time of 1,000 queries (median, min and max of ``timing_repetitions``
  runs after a warm-up) next to the exact brute-force time for the same queries,
  measured in the same run and interleaved round by round with the other kinds, so
  that the shared machine's changing load hits all alike; the time of one whole
  ``build_release`` (at epsilon = 1);
- size: ``len(dump_release(release))``.

It writes ``kde.json`` (every raw figure and the machine) and ``kde.md`` to ``--out``
and prints the tables.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from threadpoolctl import threadpool_info  # type: ignore[import-untyped]

from bench.data import DATA_SEED, DOMAIN, N_QUERIES, Workload, digits, synthetic
from core.privacy.budget import PrivacyBudget
from core.privacy.mechanisms import Mechanism, NoisePlan
from core.structures import DataSpec, Spec, build_release, dump_release, noise_plan, parse_spec

__all__ = [
    "EPSILONS", "FULL", "QUICK", "VARIANTS", "Config", "Variant", "exact_mean_kde",
    "interleaved_timings", "machine_info", "main", "timed",
]

EPSILONS = (0.1, 0.5, 1.0, 2.0, 4.0)
DELTA = 1e-6  # for the Gaussian mechanism only
BUILD_EPSILON = 1.0  # the budget of the timed build
STRUCTURE_SEED = 1234  # public randomness (frequencies, phases): fixed and published
FLOOR_SEEDS = (STRUCTURE_SEED, 1, 2, 3, 4)  # public seeds of the noiseless floor's spread
BRUTE_FORCE = "brute force"  # the exact reference's name among the timed runs
CHUNK_ROWS = 65_536  # rows per chunk handed to the build
BRUTE_FORCE_ROWS = 8_192  # rows per block of the brute force: bounds it to q * 8,192 floats
DEFAULT_OUT = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True, slots=True)
class Config:
    """The sizes of one run."""

    mode: str
    workloads: tuple[Callable[[], Workload], ...]
    features: int
    noise_draws: int
    timing_repetitions: int


FULL = Config(
    mode="full",
    workloads=(partial(synthetic, 100_000, 32), partial(synthetic, 100_000, 256), digits),
    features=2_048, noise_draws=10, timing_repetitions=7,
)
QUICK = Config(
    mode="quick", workloads=(partial(synthetic, 2_000, 8), digits),
    features=128, noise_draws=5, timing_repetitions=3,
)


@dataclass(frozen=True, slots=True)
class Variant:
    """A kind with its privacy mechanism."""

    kind: str
    mechanism: Mechanism

    @property
    def label(self) -> str:
        return f"{self.kind} ({self.mechanism})"

    def params(self, bandwidth: float, features: int) -> dict[str, Any]:
        return {"bandwidth": bandwidth, "features": features, "mechanism": self.mechanism}

    def budget(self, epsilon: float) -> PrivacyBudget:
        return PrivacyBudget(epsilon, DELTA if self.mechanism == "gaussian" else 0.0)


VARIANTS = (
    Variant("gaussian_kde", "laplace"),
    Variant("gaussian_kde", "gaussian"),
    Variant("rff_baseline", "laplace"),
)


def exact_mean_kde(rows: NDArray[np.float64], queries: NDArray[np.float64],
                   bandwidth: float) -> NDArray[np.float64]:
    """(1/n) sum_x exp(-||x - y||^2 / bandwidth^2) per query y, in float64, by blocks of
    ``BRUTE_FORCE_ROWS`` rows (||y||^2 + ||x||^2 - 2 <x, y> as one matrix product)."""
    query_sq = np.einsum("ij,ij->i", queries, queries)[:, None]
    total: NDArray[np.float64] = np.zeros(queries.shape[0])
    for start in range(0, rows.shape[0], BRUTE_FORCE_ROWS):
        block = rows[start:start + BRUTE_FORCE_ROWS]
        sq = queries @ block.T
        sq *= -2.0
        sq += query_sq
        sq += np.einsum("ij,ij->i", block, block)[None, :]
        np.maximum(sq, 0.0, out=sq)
        sq *= -1.0 / bandwidth**2
        np.exp(sq, out=sq)
        total += sq.sum(axis=1)
    total /= rows.shape[0]
    return total


def _timing_summary(samples: list[float]) -> dict[str, Any]:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "samples": samples}


def timed(run: Callable[[], object], repetitions: int) -> dict[str, Any]:
    """Seconds per call: one warm-up, then the median, min and max of ``repetitions``."""
    return interleaved_timings({"run": run}, repetitions)["run"]


def interleaved_timings(runs: Mapping[str, Callable[[], object]],
                        repetitions: int) -> dict[str, dict[str, Any]]:
    """Seconds per call of each run, measured side by side: one warm-up each, then
    ``repetitions`` rounds that call every run once, so that a change in the shared
    machine's load hits all of them alike. Median, min and max per run."""
    for run in runs.values():
        run()
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repetitions):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            samples[name].append(time.perf_counter() - start)
    return {name: _timing_summary(values) for name, values in samples.items()}


def spread(values: Sequence[float]) -> dict[str, Any]:
    """Mean, std (population), min and max of independent draws."""
    return {"mean": statistics.fmean(values), "std": statistics.pstdev(values),
            "min": min(values), "max": max(values), "samples": list(values)}


def rms(values: NDArray[np.float64]) -> float:
    return float(np.sqrt(np.mean(np.square(values))))


def mae(values: NDArray[np.float64], exact: NDArray[np.float64]) -> float:
    return float(np.mean(np.abs(values - exact)))


class ExactSums:
    """The exact statistics of one workload's builds, as ``build_release`` sums them
    (clipped rows, float64 on the host), computed once per (kind, public seed) and then
    released many times with fresh noise. Within one workload every spec of a kind has
    the same features and bandwidth, so its Laplace and Gaussian variants share them."""

    def __init__(self, chunks: Sequence[NDArray[np.float64]]) -> None:
        self._chunks = chunks
        self._sums: dict[tuple[str, int], dict[str, NDArray[np.float64]]] = {}

    def get(self, spec: Spec, seed: int) -> dict[str, NDArray[np.float64]]:
        key = (spec.kind, seed)
        if key not in self._sums:
            builder = spec.builder(seed)
            totals: dict[str, NDArray[np.float64]] = {}
            for chunk in self._chunks:
                for name, partial_sum in builder.accumulate(DOMAIN.clip(chunk)).items():
                    host = np.asarray(partial_sum, dtype=np.float64)
                    totals[name] = totals[name] + host if name in totals else host
            self._sums[key] = totals
        return self._sums[key]


def noiseless_answers(spec: Spec, seed: int, sums: ExactSums, plan: NoisePlan,
                      queries: NDArray[np.float64]) -> NDArray[np.float64]:
    """Mean-KDE answers of the features drawn from ``seed``, without noise (``plan``
    only labels the release)."""
    return spec.builder(seed).finish(sums.get(spec, seed), plan).query(queries, "mean").values


def accuracy_over_noise(spec: Spec, variant: Variant, sums: ExactSums,
                        queries: NDArray[np.float64], exact: NDArray[np.float64],
                        noiseless: NDArray[np.float64],
                        noise_draws: int) -> list[dict[str, Any]]:
    """Per epsilon: the error of ``noise_draws`` releases of the same exact sums (public
    seed ``STRUCTURE_SEED``) with fresh noise; the RMS of their noise part (answers
    minus the ``noiseless`` ones) next to the noise std the releases themselves report."""
    builder = spec.builder(STRUCTURE_SEED)
    exact_sums = sums.get(spec, STRUCTURE_SEED)
    out: list[dict[str, Any]] = []
    for epsilon in EPSILONS:
        plan = noise_plan(spec, variant.budget(epsilon))
        errors, noise_rms, predicted = [], [], []
        for _ in range(noise_draws):
            result = builder.finish(plan.apply(exact_sums), plan).query(queries, reduce="mean")
            errors.append(mae(result.values, exact))
            noise_rms.append(rms(result.values - noiseless))
            predicted.append(rms(result.std))
        out.append({
            "epsilon": epsilon, "delta": plan.budget.delta,
            "spent": {"epsilon": plan.spent.epsilon, "delta": plan.spent.delta},
            "mae": spread(errors),
            "noise_rms": statistics.fmean(noise_rms),
            "predicted_noise_std": statistics.fmean(predicted),
            "plan": plan.to_dict(),
        })
    return out


def bench_workload(make: Callable[[], Workload], config: Config,
                   log: Callable[[str], None]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The brute-force reference of one workload and every variant's figures on it."""
    workload = make()
    log(f"{workload.label} (bandwidth {workload.bandwidth:.3f})")
    data = DataSpec(workload.dim, DOMAIN, "add_remove")
    specs = [parse_spec(v.kind, v.params(workload.bandwidth, config.features), data)
             for v in VARIANTS]
    plans = [noise_plan(spec, v.budget(BUILD_EPSILON)) for v, spec in zip(VARIANTS, specs,
                                                                          strict=True)]
    chunks = [workload.rows[i:i + CHUNK_ROWS] for i in range(0, workload.n, CHUNK_ROWS)]
    exact = exact_mean_kde(workload.rows, workload.queries, workload.bandwidth)

    releases, build_seconds = [], []
    for spec, plan in zip(specs, plans, strict=True):
        start = time.perf_counter()
        releases.append(build_release(spec, seed=STRUCTURE_SEED, plan=plan, chunks=chunks))
        build_seconds.append(time.perf_counter() - start)
    batch = workload.queries[:N_QUERIES]
    runs: dict[str, Callable[[], object]] = {
        BRUTE_FORCE: partial(exact_mean_kde, workload.rows, batch, workload.bandwidth)}
    for variant, release in zip(VARIANTS, releases, strict=True):
        runs[variant.label] = partial(release.query, batch, reduce="mean")
    timings = interleaved_timings(runs, config.timing_repetitions)
    log("  ms / 1,000 queries: " + ", ".join(f"{name} {1e3 * t['median']:.1f}"
                                             for name, t in timings.items()))

    sums = ExactSums(chunks)
    floors: dict[str, dict[str, Any]] = {}
    for spec, plan in zip(specs, plans, strict=True):
        if spec.kind not in floors:
            floors[spec.kind] = spread([
                mae(noiseless_answers(spec, seed, sums, plan, workload.queries), exact)
                for seed in FLOOR_SEEDS])
    results = []
    for variant, spec, plan, release, seconds in zip(VARIANTS, specs, plans, releases,
                                                     build_seconds, strict=True):
        noiseless = noiseless_answers(spec, STRUCTURE_SEED, sums, plan, workload.queries)
        accuracy = accuracy_over_noise(spec, variant, sums, workload.queries, exact,
                                       noiseless, config.noise_draws)
        log(f"  {variant.label}: build {seconds:.2f} s, MAE at epsilon {EPSILONS[0]} / "
            f"{EPSILONS[-1]}: {accuracy[0]['mae']['mean']:.2e} / "
            f"{accuracy[-1]['mae']['mean']:.2e}")
        results.append({
            "workload": workload.label, "kind": variant.kind, "mechanism": variant.mechanism,
            "label": variant.label, "params": spec.public_params(),
            "build_seconds": seconds, "build_rows_per_second": workload.n / seconds,
            "size_bytes": len(dump_release(release)),
            "query_seconds_per_1000": timings[variant.label],
            "noiseless_mae": mae(noiseless, exact),
            "noiseless_rms": rms(noiseless - exact),
            "noiseless_mae_over_seeds": {"seeds": list(FLOOR_SEEDS), **floors[variant.kind]},
            "error_model": release.error_model(spec.data).to_dict(),
            "accuracy": accuracy,
        })
    summary = {
        "label": workload.label, "name": workload.name, "n": workload.n, "dim": workload.dim,
        "queries": int(workload.queries.shape[0]), "bandwidth": workload.bandwidth,
        "bandwidth_rule": workload.bandwidth_rule,
        "exact_mean_kde": {"mean": float(np.mean(exact)), "min": float(np.min(exact)),
                           "max": float(np.max(exact))},
        "brute_force_seconds_per_1000": timings[BRUTE_FORCE],
    }
    return summary, results


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _load_average() -> list[float] | None:
    """1, 5 and 15 minute load averages: how busy the shared machine was."""
    return list(os.getloadavg()) if hasattr(os, "getloadavg") else None


def machine_info() -> dict[str, Any]:
    """The machine and libraries the figures come from."""
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu_model": _cpu_model(),
        "load_average_start": _load_average(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {name: version(name)
                     for name in ("numpy", "scipy", "opendp", "scikit-learn", "threadpoolctl")},
        "blas": threadpool_info(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
    }


def _fmt_seconds(stats: Mapping[str, float], unit: float = 1e3) -> str:
    return (f"{unit * stats['median']:.1f} [{unit * stats['min']:.1f}, "
            f"{unit * stats['max']:.1f}]")


def _separator(columns: int) -> str:
    return "|" + " --- |" * columns


def render_markdown(report: Mapping[str, Any]) -> str:
    """The report's tables as markdown."""
    settings, machine = report["settings"], report["machine"]
    blas = ", ".join(sorted({f"{b['internal_api']} {b.get('version')} "
                             f"({b.get('architecture', '?')}, {b['num_threads']} threads)"
                             for b in machine["blas"] if b["user_api"] == "blas"}))
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items())
    lines = [
        f"# KDE benchmark ({report['mode']})",
        "",
        f"Command: `{report['command']}`; total {report['total_seconds']:.0f} s.",
        f"Machine: {machine['cpu_model']}, {machine['cpu_count']} CPUs "
        f"({machine['cpus_usable']} usable), BLAS {blas}; {versions}; "
        f"OPENBLAS_CORETYPE={machine['OPENBLAS_CORETYPE']}.",
        f"Settings: {settings['features']} random features, no JL projection, add/remove "
        f"neighbouring, delta = {settings['delta']} for the Gaussian mechanism; structure "
        f"seed {settings['structure_seed']}, data seed {settings['data_seed']}; "
        f"{settings['noise_draws']} noise draws per epsilon; query timings are the median "
        f"[min, max] of {settings['timing_repetitions']} runs after a warm-up, interleaved "
        "with the brute force and the other kinds; one build each.",
        "",
        "## Workloads and the exact reference",
        "",
        "| workload | bandwidth (rule) | mean exact KDE [min, max] "
        "| brute force ms / 1,000 queries |",
        _separator(4),
    ]
    for w in report["workloads"]:
        kde = w["exact_mean_kde"]
        lines.append(f"| {w['label']} | {w['bandwidth']:.3f} ({w['bandwidth_rule']}) "
                     f"| {kde['mean']:.3g} [{kde['min']:.3g}, {kde['max']:.3g}] "
                     f"| {_fmt_seconds(w['brute_force_seconds_per_1000'])} |")
    eps_heads = " | ".join(f"eps={e:g}" for e in settings["epsilons"])
    lines += [
        "",
        "## Accuracy: mean absolute error of the mean-KDE, mean ± std over noise draws",
        "",
        f"Every epsilon column releases the features of public seed "
        f"{settings['structure_seed']} with fresh noise. Floor: the error of the same "
        "features without noise; floor over seeds: its mean ± std over the public seeds "
        f"{', '.join(str(x) for x in settings['floor_seeds'])} (how much the comparison "
        "between kinds owes to one draw of the features).",
        "",
        f"| workload | kind | floor over {len(settings['floor_seeds'])} seeds | floor "
        f"| {eps_heads} |",
        _separator(4 + len(settings["epsilons"])),
    ]
    for r in report["results"]:
        seeds = r["noiseless_mae_over_seeds"]
        cells = " | ".join(f"{a['mae']['mean']:.2e} ± {a['mae']['std']:.1e}"
                           for a in r["accuracy"])
        lines.append(f"| {r['workload']} | {r['label']} | {seeds['mean']:.2e} ± "
                     f"{seeds['std']:.1e} | {r['noiseless_mae']:.2e} | {cells} |")
    lines += [
        "",
        "## Error model: observed / what the release reports",
        "",
        "Floor: RMS of the noiseless error / the release's approximation_std bound. Per "
        "epsilon: RMS of the noise part of the error (noisy minus noiseless answers) / "
        "the noise std the release reports (RMS over queries, mean over draws).",
        "",
        f"| workload | kind | floor | {eps_heads} |",
        _separator(3 + len(settings["epsilons"])),
    ]
    for r in report["results"]:
        bound = r["error_model"]["approximation_std_mean"]
        cells = " | ".join(f"{a['noise_rms']:.2e} / {a['predicted_noise_std']:.2e}"
                           for a in r["accuracy"])
        lines.append(f"| {r['workload']} | {r['label']} | {r['noiseless_rms']:.2e} / "
                     f"{bound:.2e} | {cells} |")
    lines += [
        "",
        "## Speed and size",
        "",
        "| workload | kind | query ms / 1,000 | speed-up vs brute force | build s "
        f"(eps={settings['build_epsilon']:g}) | build rows/s | size KiB |",
        _separator(7),
    ]
    brute = {w["label"]: w["brute_force_seconds_per_1000"]["median"]
             for w in report["workloads"]}
    for r in report["results"]:
        query = r["query_seconds_per_1000"]
        lines.append(
            f"| {r['workload']} | {r['label']} | {_fmt_seconds(query)} "
            f"| {brute[r['workload']] / query['median']:.1f}x | {r['build_seconds']:.2f} "
            f"| {r['build_rows_per_second']:,.0f} | {r['size_bytes'] / 1024:,.1f} |")
    return "\n".join(lines) + "\n"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.kde", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="tiny workloads and sizes: a smoke run of a few seconds")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="directory for kde.json and kde.md (default: bench/results)")
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(arguments)
    config = QUICK if args.quick else FULL
    started = time.perf_counter()
    machine = machine_info()
    workloads, results = [], []
    for make in config.workloads:
        summary, variants = bench_workload(make, config, _log)
        workloads.append(summary)
        results += variants
    report = {
        "benchmark": "kde",
        "mode": config.mode,
        "command": " ".join(["python -m bench.kde", *arguments]),
        "machine": machine,
        "settings": {
            "features": config.features, "epsilons": list(EPSILONS), "delta": DELTA,
            "build_epsilon": BUILD_EPSILON, "noise_draws": config.noise_draws,
            "timing_repetitions": config.timing_repetitions, "queries_timed": N_QUERIES,
            "structure_seed": STRUCTURE_SEED, "floor_seeds": list(FLOOR_SEEDS),
            "data_seed": DATA_SEED,
            "chunk_rows": CHUNK_ROWS, "neighbouring": "add_remove", "projection_dim": None,
        },
        "workloads": workloads,
        "results": results,
        "total_seconds": time.perf_counter() - started,
    }
    machine["load_average_end"] = _load_average()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "kde.json").write_text(json.dumps(report, indent=2, allow_nan=False) + "\n")
    table = render_markdown(report)
    (args.out / "kde.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
