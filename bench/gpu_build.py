"""GPU build speed: the exact sums of a ``gaussian_kde`` build, NumPy against CuPy.

    python -m bench.gpu_build             # needs a CUDA device and CuPy (gpu/check.sh)
    python -m bench.gpu_build --cpu-only --rows 4096 --dim 32 --features 256

The heavy part of a build is ``builder.accumulate`` over the rows, chunk by chunk: the
exact (non-private) feature sums, written against the Array API, so the same code runs
on NumPy and on CuPy. This times it both ways in one run, on the shared ``synthetic``
workload (bench/data.py): one warm-up, then the median, min and max of ``--repeats``
runs. A run does what ``build_release`` does with the rows: each chunk of
``--chunk-rows`` goes to the device, and the sums come back to the host in float64
(``gpu``); ``gpu_resident`` times the GPU with the rows already on it. Clipping (done
once, on the host) and the noise (added once, on the host, after the sums) are not
part of it.

The sums are exact, so the GPU's must agree with the CPU's to float64 rounding: every
row adds features of magnitude at most 1, so the tolerance is ``--rtol`` times n. If
they do not agree the run fails, and no speed-up is reported.

Writes ``gpu_build.json`` under ``--out`` (default bench/results) and prints a markdown
table. Without a usable GPU it exits with status 2 and says so; ``--cpu-only`` times
the CPU half alone and writes a file only if ``--out`` is given.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bench.data import DATA_SEED, DOMAIN, synthetic
from bench.kde import STRUCTURE_SEED, machine_info, timed
from core._array import to_host
from core.structures import DataSpec, parse_spec
from core.structures.base import Builder
from gpu.device import load_cupy

DEFAULT_OUT = Path(__file__).resolve().parent / "results"
REPORT = "gpu_build.json"
NO_GPU_STATUS = 2

Sums = dict[str, NDArray[np.float64]]


def exact_sums(builder: Builder, chunks: Sequence[Any],
               to_device: Callable[[Any], Any]) -> Sums:
    """The build's exact statistics, summed on the host in float64 as ``build_release``
    sums them; ``chunks`` are already clipped."""
    totals: Sums = {}
    for chunk in chunks:
        for name, partial_sum in builder.accumulate(to_device(chunk)).items():
            host = to_host(partial_sum)
            totals[name] = totals[name] + host if name in totals else host
    return totals


def agreement(reference: Sums, other: Sums, n: int, rtol: float) -> dict[str, Any]:
    """Largest absolute difference per statistic, against the tolerance rtol * n."""
    diffs = {name: float(np.max(np.abs(other[name] - reference[name]))) for name in reference}
    tolerance = rtol * max(n, 1)
    return {"max_abs_diff": diffs, "tolerance": tolerance, "rtol_of_n": rtol,
            "agree": set(other) == set(reference) and all(d <= tolerance for d in diffs.values())}


def gpu_info(cupy: ModuleType) -> dict[str, Any]:
    device = cupy.cuda.Device()
    props = cupy.cuda.runtime.getDeviceProperties(device.id)
    name = props["name"]
    return {
        "name": name.decode() if isinstance(name, bytes) else str(name),
        "device_id": int(device.id),
        "compute_capability": f"{props['major']}.{props['minor']}",
        "multiprocessors": int(props["multiProcessorCount"]),
        "memory_bytes": int(props["totalGlobalMem"]),
        "cuda_runtime": int(cupy.cuda.runtime.runtimeGetVersion()),
        "cuda_driver": int(cupy.cuda.runtime.driverGetVersion()),
        "cupy": str(cupy.__version__),
    }


def _ms(stats: dict[str, Any]) -> str:
    return (f"{1e3 * stats['median']:.1f} [{1e3 * stats['min']:.1f}, "
            f"{1e3 * stats['max']:.1f}]")


def render_markdown(report: dict[str, Any]) -> str:
    s, n = report["settings"], report["settings"]["rows"]
    gpu = report["machine"].get("gpu")
    lines = [
        "# GPU build benchmark: exact sums of gaussian_kde",
        "",
        f"n={n:,} d={s['dim']} features={s['features']} chunk_rows={s['chunk_rows']:,}; "
        f"{s['repeats']} runs after a warm-up; CPU: {report['machine']['cpu_count']} cores; "
        f"GPU: {gpu['name'] if gpu else 'not run'}",
        "",
        "| backend | ms: median [min, max] | rows/s | speed-up vs CPU |",
        "| --- | --- | --- | --- |",
    ]
    speedup = {"cpu": 1.0, **(report["speedup"] or {})}
    for label, stats in report["timings"].items():
        ratio = f"{speedup[label]:.1f}x" if label in speedup else "n/a (sums disagree)"
        lines.append(f"| {label} | {_ms(stats)} | {n / stats['median']:,.0f} | {ratio} |")
    if report.get("agreement"):
        a = report["agreement"]
        lines += ["", f"GPU sums agree with NumPy: {a['agree']} (max abs diff "
                      f"{max(a['max_abs_diff'].values()):.3g}, tolerance {a['tolerance']:.3g})"]
    return "\n".join(lines) + "\n"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gpu_build", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--features", type=int, default=4_096)
    parser.add_argument("--chunk-rows", type=int, default=65_536,
                        help="rows per chunk handed to accumulate (the worker's default)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs after a warm-up")
    parser.add_argument("--rtol", type=float, default=1e-9,
                        help="agreement tolerance, relative to n")
    parser.add_argument("--cpu-only", action="store_true",
                        help="time the NumPy half alone (no GPU needed)")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"directory for {REPORT} (default: bench/results; with "
                             "--cpu-only, nothing is written unless given)")
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(arguments)
    if min(args.rows, args.dim, args.features, args.chunk_rows, args.repeats) < 1:
        parser.error("--rows, --dim, --features, --chunk-rows and --repeats must be >= 1")

    cupy = None
    if not args.cpu_only:
        cupy = load_cupy()
        if cupy is None:
            print("bench.gpu_build: no usable CUDA device (CuPy missing, or no GPU or "
                  "driver); run it where gpu/check.sh passes, or pass --cpu-only",
                  file=sys.stderr)
            return NO_GPU_STATUS

    started = time.perf_counter()
    workload = synthetic(args.rows, args.dim, seed=DATA_SEED)
    spec = parse_spec("gaussian_kde", {"bandwidth": workload.bandwidth,
                                       "features": args.features},
                      DataSpec(args.dim, DOMAIN, "add_remove"))
    builder = spec.builder(STRUCTURE_SEED)
    rows = DOMAIN.clip(workload.rows)
    chunks = [rows[i:i + args.chunk_rows] for i in range(0, args.rows, args.chunk_rows)]

    def host(x: Any) -> Any:
        return x

    _log(f"cpu: {workload.label}, features={args.features}")
    timings = {"cpu": timed(lambda: exact_sums(builder, chunks, host), args.repeats)}
    reference = exact_sums(builder, chunks, host)
    machine = machine_info()
    check = None
    if cupy is not None:
        machine["gpu"] = gpu_info(cupy)
        _log(f"gpu: {machine['gpu']['name']}")
        timings["gpu"] = timed(lambda: exact_sums(builder, chunks, cupy.asarray), args.repeats)
        resident = [cupy.asarray(chunk) for chunk in chunks]
        timings["gpu_resident"] = timed(lambda: exact_sums(builder, resident, lambda x: x),
                                        args.repeats)
        check = agreement(reference, exact_sums(builder, chunks, cupy.asarray), args.rows,
                          args.rtol)
        del resident
        cupy.get_default_memory_pool().free_all_blocks()

    report = {
        "benchmark": "gpu_build",
        "command": " ".join(["python -m bench.gpu_build", *arguments]),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "settings": {
            "kind": spec.kind, "params": spec.public_params(), "rows": args.rows,
            "dim": args.dim, "features": args.features, "chunk_rows": args.chunk_rows,
            "repeats": args.repeats, "workload": workload.name, "data_seed": DATA_SEED,
            "structure_seed": STRUCTURE_SEED,
        },
        "timings": timings,
        "agreement": check,
        "speedup": ({name: timings["cpu"]["median"] / t["median"]
                     for name, t in timings.items() if name != "cpu"}
                    if check is not None and check["agree"] else None),
        "total_seconds": time.perf_counter() - started,
    }
    out = args.out if args.out is not None or args.cpu_only else DEFAULT_OUT
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        tmp = out / f"{REPORT}.tmp"
        tmp.write_text(json.dumps(report, indent=2, allow_nan=False) + "\n")
        tmp.replace(out / REPORT)
        _log(f"wrote {out / REPORT}")
    print(render_markdown(report))
    if check is not None and not check["agree"]:
        print("bench.gpu_build: the GPU sums differ from NumPy's beyond the tolerance: "
              f"{check['max_abs_diff']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
