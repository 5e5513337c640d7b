"""Cost model benchmark: every kind's ``Spec.cost`` estimate against measured builds and
queries, and the unit costs its calibration constants come from.

    python -m bench.cost [--quick] [--calibrate] [--review] [--out DIR]

For every case (a kind at one parameter setting, row count and chunk size; the cases
are small so that the whole run takes a couple of minutes on 2 cores, but each is
chosen so that the term its kind's cost is dominated by is the one that shows):

- build: CPU seconds (``time.process_time``) of one whole ``build_release``, rows
  generated chunk by chunk inside it as the worker decrypts them; peak memory: the
  build's rise of the process's peak resident set size (``ru_maxrss``) over its
  resident size just before, in a fresh child process per case, so that no earlier case
  sets the peak;
- query: CPU seconds per point of ``release.query`` on a batch of in-domain points
  (median of ``QUERY_REPETITIONS`` runs after a warm-up);
- the release's stored bytes (the sum of its arrays' nbytes) against ``release_bytes``.

Every child runs NumPy's BLAS on one thread (threadpoolctl): the estimates are for one
reference core. The table prints estimate / measured for each figure: the model is
meant to err high, within a factor of about 3 where the cost is large.

``--calibrate`` measures the unit costs the constants in ``core.structures.base``
stand for (noise per value, a multiply-add, a cosine, a pass, a normal, a quantile, a
QR, the trees per row and per leaf, the tree queries per level) and prints them next
to the constants.

It writes ``cost.json`` (every raw figure and the machine) and ``cost.md`` to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["CASES", "QUICK_CASES", "REVIEW_CASE", "Case", "calibrate", "main", "measure"]

DEFAULT_OUT = Path(__file__).resolve().parent / "results"
DATA_SEED = 20_240_311
STRUCTURE_SEED = 1234
QUERY_REPETITIONS = 3
EPSILON, DELTA = 1.0, 1e-6


@dataclass(frozen=True, slots=True)
class Case:
    """One build: a kind, its params, the dataset's shape and the chunking."""

    kind: str
    params: dict[str, Any]
    dim: int
    rows: int
    chunk_rows: int = 65_536
    query_points: int = 2_000
    label: str = ""
    neighbouring: str = "add_remove"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return self.label or f"{self.kind} ({shown}) d={self.dim} n={self.rows:,}"


CASES: tuple[Case, ...] = (
    Case("gaussian_kde", {"bandwidth": 0.5, "features": 4096}, 32, 20_000),
    Case("gaussian_kde", {"bandwidth": 0.5, "features": 2048, "projection_dim": 32,
                          "mechanism": "gaussian"}, 256, 20_000),
    Case("gaussian_kde", {"bandwidth": 0.5, "features": 2048, "precision": "float64"},
         32, 20_000),
    Case("gaussian_kde", {"bandwidth": 0.5, "features": 512}, 1024, 2_000, query_points=500),
    Case("rff_baseline", {"bandwidth": 0.5, "features": 2048}, 32, 20_000),
    Case("exponential_kde", {"bandwidth": 1e-6, "features": 2048}, 16, 20_000),
    Case("laplace_kde", {"bandwidth": 0.5, "features": 2048}, 8, 20_000),
    Case("cauchy_kde", {"bandwidth": 0.5, "features": 512, "terms": 6}, 8, 10_000),
    Case("l1_distance", {"grid_levels": 12}, 8, 50_000),
    Case("l1_distance", {"grid_levels": 12}, 8, 50_000, chunk_rows=4_096),
    Case("l1_distance", {"estimator": "banded", "alpha": 0.05, "grid_levels": 14}, 4, 2_000,
         query_points=200),
    Case("l1_distance", {"estimator": "banded", "alpha": 0.01, "grid_levels": 15}, 3, 51,
         query_points=100, label="review's banded case, grid_levels 15 (20 draws 32x "
         "the noise)"),
    Case("l2_distance", {"grid_levels": 8, "projection_dim": 128}, 32, 20_000),
    Case("sq_l2_distance", {}, 64, 200_000, query_points=20_000),
    Case("inner_product", {"mechanism": "gaussian"}, 64, 200_000, query_points=20_000),
)
# the review's own request (``--review``): about 4 minutes, almost all of it noise
REVIEW_CASE = Case("l1_distance", {"estimator": "banded", "alpha": 0.01, "grid_levels": 20},
                   3, 51, query_points=200, label="the review's banded case (as sent)")
QUICK_CASES: tuple[Case, ...] = (
    Case("gaussian_kde", {"bandwidth": 0.5, "features": 256}, 8, 2_000),
    Case("l1_distance", {"estimator": "banded", "alpha": 0.05, "grid_levels": 8}, 3, 200,
         query_points=100),
    Case("sq_l2_distance", {}, 8, 5_000),
)


# --- one measurement (in a child process) --------------------------------------------

def _rss_bytes() -> int:
    """The process's resident set size now (Linux /proc; 0 where unavailable)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _peak_rss_bytes() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024  # KiB on Linux


class Rows:
    """The dataset, chunk by chunk (generated lazily, as the worker decrypts them):
    uniform directions with radii in [0.1, 0.9] of the unit ball. ``seconds``: the CPU
    time spent generating them (taken out of the build's)."""

    def __init__(self, rows: int, dim: int, chunk_rows: int, seed: int) -> None:
        self._rows, self._dim, self._chunk, self._seed = rows, dim, chunk_rows, seed
        self.seconds = 0.0

    def __iter__(self) -> Iterator[NDArray[np.float64]]:
        rng = np.random.default_rng(self._seed)
        for start in range(0, self._rows, self._chunk):
            started = time.process_time()
            n = min(self._chunk, self._rows - start)
            z = rng.standard_normal((n, self._dim))
            z /= np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-300)
            chunk = z * rng.uniform(0.1, 0.9, size=(n, 1))
            del z
            self.seconds += time.process_time() - started
            yield chunk


def measure(case: Case) -> dict[str, Any]:
    """Estimate and measure one case in this process (meant to be a fresh one)."""
    from scipy import stats  # type: ignore[import-untyped]
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    from core.domain import L2Ball
    from core.privacy import noise
    from core.privacy.budget import PrivacyBudget
    from core.structures import DataSpec, build_release, noise_plan, parse_spec

    threadpool_limits(1)
    data = DataSpec(case.dim, L2Ball(1.0), case.neighbouring)  # type: ignore[arg-type]
    spec = parse_spec(case.kind, case.params, data)
    started = time.perf_counter()
    cost = spec.cost(case.rows, case.chunk_rows)
    estimate_seconds = time.perf_counter() - started
    mechanism = spec.mechanism
    plan = noise_plan(spec, PrivacyBudget(EPSILON, DELTA if mechanism == "gaussian" else 0.0))
    # load the libraries (OpenDP's samplers, BLAS, SciPy's quantiles) on tiny inputs
    # only: a warm-up build would leave freed memory in the heap for the build to reuse
    noise.laplace(np.zeros(4), 1.0)
    noise.gaussian(np.zeros(4), 1.0)
    _ = np.ones((4, 4)) @ np.ones((4, 4)), np.linalg.qr(np.ones((4, 4))), stats.chi.ppf(0.5, 3)
    rows = Rows(case.rows, case.dim, case.chunk_rows, DATA_SEED)
    base_rss = _rss_bytes()
    cpu, wall = time.process_time(), time.perf_counter()
    release = build_release(spec, seed=STRUCTURE_SEED, plan=plan, chunks=rows)
    build_cpu = time.process_time() - cpu - rows.seconds
    build_wall = time.perf_counter() - wall
    peak = max(_peak_rss_bytes() - base_rss, 0)
    stored = sum(int(a.nbytes) for a in release.arrays().values())
    points = next(iter(Rows(case.query_points, case.dim, case.query_points, DATA_SEED + 1)))
    release.query(points[: max(1, len(points) // 10)], "mean")  # warm-up
    samples = []
    for _ in range(QUERY_REPETITIONS):
        cpu = time.process_time()
        release.query(points, "mean")
        samples.append((time.process_time() - cpu) / len(points))
    return {
        "case": asdict(case), "name": case.name, "mechanism": mechanism,
        "estimate": cost.to_dict(), "estimate_cpu_seconds": estimate_seconds,
        "measured": {"build_seconds": build_cpu, "build_wall_seconds": build_wall,
                     "build_memory_bytes": peak, "release_bytes": stored,
                     "query_seconds_per_point": statistics.median(samples),
                     "query_samples": samples},
    }


def _run_child(case: Case) -> dict[str, Any]:
    """``measure`` in a fresh interpreter: its peak memory is this case's alone."""
    completed = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "bench.cost", "--child", json.dumps(asdict(case))],
        check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


# --- unit costs (--calibrate) -----------------------------------------------------------

def _best(run: Callable[[], object], repetitions: int = 3) -> float:
    """Least CPU seconds of ``repetitions`` calls (after one warm-up)."""
    run()
    best = math.inf
    for _ in range(repetitions):
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    return best


def calibrate() -> list[dict[str, Any]]:
    """The unit costs behind the constants of ``core.structures.base``, measured here."""
    from scipy import stats  # type: ignore[import-untyped]
    from threadpoolctl import threadpool_limits

    from core.privacy import noise
    from core.structures import base
    from core.structures.dyadic_trees import accumulate_trees
    from core.structures.feature_maps import LARGE_ANGLE

    threadpool_limits(1)
    rng = np.random.default_rng(0)
    out: list[dict[str, Any]] = []

    def row(name: str, measured: float, constant: float, unit: str) -> None:
        out.append({"unit": name, "measured": measured, "constant": constant,
                    "ratio": constant / measured if measured > 0 else math.inf,
                    "per": unit})

    values = np.zeros(65_536)  # a statistic of sensitivity 1, on its lattice as builds draw it
    k1, k2 = noise.lattice(1.0, values.size, "l1"), noise.lattice(1.0, values.size, "l2")
    row("laplace noise", _best(lambda: noise.laplace(values, 1.0, k=k1), 2) / values.size,
        base.SECONDS_PER_LAPLACE_VALUE, "value")
    row("gaussian noise", _best(lambda: noise.gaussian(values, 1.0, k=k2), 2) / values.size,
        base.SECONDS_PER_GAUSSIAN_VALUE, "value")
    for precision, dtype in (("float32", np.float32), ("float64", np.float64)):
        a, b = rng.random((2048, 8)).astype(dtype), rng.random((8, 2048)).astype(dtype)
        row(f"multiply-add {precision} (inner dim 8)",
            _best(lambda a=a, b=b: a @ b) / (2048 * 8 * 2048),
            base.SECONDS_PER_MAC[precision], "multiply-add")
        small = LARGE_ANGLE[precision] / 10  # typical angles: below the slow path's
        angles = (rng.random((1024, 2048)) * small).astype(dtype)
        row(f"cosine {precision} (angles below {small:g})",
            _best(lambda angles=angles: np.cos(angles)) / angles.size,
            base.SECONDS_PER_TRIG[precision], "value")
        angles = (rng.random((1024, 2048)) * 1e3 * LARGE_ANGLE[precision]).astype(dtype)
        row(f"cosine {precision} (angles beyond {LARGE_ANGLE[precision]:g})",
            _best(lambda angles=angles: np.cos(angles)) / angles.size,
            base.SECONDS_PER_TRIG_LARGE[precision], "value")
    wide = rng.random((1024, 2048))
    row("pass (add two arrays)", _best(lambda: wide + wide) / wide.size,
        base.SECONDS_PER_PASS, "value")
    row("remainder modulo 2 pi", _best(lambda: np.remainder(wide * 1e6, 2 * math.pi))
        / wide.size, base.SECONDS_PER_REMAINDER, "value")
    row("standard normal", _best(lambda: rng.standard_normal(2**20)) / 2**20,
        base.SECONDS_PER_NORMAL, "value")
    quantiles = rng.random(10_000)
    row("chi quantile", _best(lambda: stats.chi.ppf(quantiles, df=64)) / quantiles.size,
        base.SECONDS_PER_QUANTILE, "value")
    square = rng.standard_normal((1024, 1024))
    row("QR 1024 x 1024", _best(lambda: np.linalg.qr(square), 2) / 1024**3,
        base.SECONDS_PER_QR_CUBE, "k^3")
    small = rng.standard_normal((16, 16))
    row("QR 16 x 16", _best(lambda: np.linalg.qr(small)), base.SECONDS_PER_QR, "call")
    X = rng.uniform(-1, 1, (65_536, 4))
    row("tree build per row and coordinate (with sums)",
        _best(lambda: accumulate_trees(X, np.zeros(4), np.ones(4), 4, True), 2) / X.size,
        base.SECONDS_PER_TREE_ROW, "row x coordinate")
    few = rng.uniform(-1, 1, (64, 4))
    row("tree build per leaf and coordinate (one tree)",
        _best(lambda: accumulate_trees(few, np.zeros(4), np.ones(4), 18, False), 2)
        / (4 * 2**18), base.SECONDS_PER_TREE_LEAF, "leaf x coordinate")
    out += _query_units(rng)
    return out


def _query_units(rng: np.random.Generator) -> list[dict[str, Any]]:
    """Tree queries per coordinate and level (prefix) and per level and band edge."""
    from core.domain import L2Ball
    from core.privacy.budget import PrivacyBudget
    from core.structures import DataSpec, base, build_release, noise_plan, parse_spec
    from core.structures.banded import band_count

    out = []
    d, levels = 4, 12  # small trees: their noise is drawn once, slowly
    points = rng.uniform(-0.5, 0.5, (1_000, d))
    for params, constant, per in (
            ({"grid_levels": levels}, base.SECONDS_PER_PREFIX_LEVEL, levels),
            ({"grid_levels": levels, "estimator": "banded", "alpha": 0.02},
             base.SECONDS_PER_BAND_EDGE_LEVEL, levels * 2 * band_count(0.02, levels))):
        spec = parse_spec("l1_distance", params, DataSpec(d, L2Ball(1.0), "add_remove"))
        release = build_release(spec, seed=1, plan=noise_plan(spec, PrivacyBudget(1.0)),
                                chunks=[np.zeros((4, d))])
        seconds = _best(lambda release=release: release.query(points), 2)
        out.append({"unit": f"l1 query ({params.get('estimator', 'prefix')})",
                    "measured": seconds / (points.shape[0] * d * per), "constant": constant,
                    "ratio": constant * points.shape[0] * d * per / seconds,
                    "per": "coordinate x level" + (" x edge" if "alpha" in params else "")})
    return out


# --- report ---------------------------------------------------------------------------

FIGURES = (("build_seconds", "build s", 1.0), ("build_memory_bytes", "build MB", 1e-6),
           ("query_seconds_per_point", "query us/point", 1e6))


def _ratio(estimate: float, measured: float) -> str:
    return f"{estimate / measured:.2f}" if measured > 0 else "-"


def render_markdown(report: dict[str, Any]) -> str:
    lines = [f"# Cost model benchmark ({report['mode']})", "",
             f"Command: `{report['command']}`; total {report['total_seconds']:.0f} s.",
             f"Machine: {report['machine']['cpu_model']}, {report['machine']['cpu_count']} "
             f"CPUs; numpy {report['machine']['versions']['numpy']}, opendp "
             f"{report['machine']['versions']['opendp']}; BLAS on one thread. Load average "
             f"at the start: {report['machine']['load_average_start']}.",
             "", "Each case runs in a fresh process: build CPU seconds (process time), "
             "peak memory (rise of the peak RSS over the RSS before the build, rows "
             "generated chunk by chunk inside it), query CPU seconds per point (median of "
             f"{QUERY_REPETITIONS} after a warm-up, mean answers, in-domain points); "
             "ratio = estimate / measured (the model errs high: above 1 is the intent). "
             "Query points far outside the domain take NumPy's slow cosine path in the "
             "kernel kinds (up to 2.5x the in-domain cost per point, measured): their "
             "estimate prices every cosine at least at the midpoint of the two paths.", "",
             "| case | noise values | release bytes est. / stored | build s est. / meas. "
             "(ratio) | build MB est. / meas. (ratio) | query us/pt est. / meas. (ratio) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in report["results"]:
        e, m = r["estimate"], r["measured"]
        cells = [f"{r['name']} [{r['mechanism']}, chunk {r['case']['chunk_rows']:,}]",
                 f"{e['noise_values']:,}", f"{e['release_bytes']:,} / {m['release_bytes']:,}"]
        for key, _, scale in FIGURES:
            cells.append(f"{scale * e[key]:.3g} / {scale * m[key]:.3g} "
                         f"({_ratio(e[key], m[key])})")
        lines.append("| " + " | ".join(cells) + " |")
    if report.get("calibration"):
        lines += ["", "## Unit costs (`--calibrate`)", "",
                  "| unit | measured | constant | constant / measured |",
                  "| --- | --- | --- | --- |"]
        lines += [f"| {c['unit']} (per {c['per']}) | {c['measured']:.3g} s | "
                  f"{c['constant']:.3g} s | {c['ratio']:.2f} |" for c in report["calibration"]]
    return "\n".join(lines) + "\n"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cost", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="three tiny cases")
    parser.add_argument("--calibrate", action="store_true",
                        help="also measure the unit costs behind the constants")
    parser.add_argument("--review", action="store_true",
                        help="also build the review's banded l1 case as sent (~4 min, 2 GB)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="directory for cost.json and cost.md (default: bench/results)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(arguments)
    if args.child is not None:
        print(json.dumps(measure(Case(**json.loads(args.child)))))
        return 0
    from bench.kde import _load_average, machine_info

    started = time.perf_counter()
    machine = machine_info()
    results = []
    cases = (QUICK_CASES if args.quick else CASES) + ((REVIEW_CASE,) if args.review else ())
    for case in cases:
        _log(f"{case.name} ...")
        results.append(_run_child(case))
    report = {
        "benchmark": "cost", "mode": "quick" if args.quick else "full",
        "command": " ".join(["python -m bench.cost", *arguments]), "machine": machine,
        "settings": {"epsilon": EPSILON, "delta": DELTA, "structure_seed": STRUCTURE_SEED,
                     "data_seed": DATA_SEED, "query_repetitions": QUERY_REPETITIONS,
                     "domain": "l2_ball radius 1", "blas_threads": 1},
        "results": results,
        "calibration": calibrate() if args.calibrate else [],
        "total_seconds": time.perf_counter() - started,
    }
    machine["load_average_end"] = _load_average()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "cost.json").write_text(json.dumps(report, indent=2, allow_nan=False) + "\n")
    table = render_markdown(report)
    (args.out / "cost.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
