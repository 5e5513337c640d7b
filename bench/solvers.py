"""Solver benchmark: privsim's solvers (``core.solvers``) beside their anchors, in one run.

    python -m bench.solvers [--quick] [--only ot|krr|design] [--out DIR]

Three parts, each a module with ``run(quick) -> dict`` and ``markdown(result) -> list``:

- ``bench.solvers_ot``: Sinkhorn-Newton-Sparse against POT's Sinkhorn on the paper's
  random-assignment case (n = 500, cost uniform on [0, 1], eta = 1,200): iterations,
  wall time, marginal error and cost side by side, and the exact (unregularised) cost;
- ``bench.solvers_krr``: kernel ridge and GP regression by preconditioned conjugate
  gradients against a dense Cholesky solve and scikit-learn's KernelRidge and
  GaussianProcessRegressor;
- ``bench.solvers_design``: least-squares designs on a Legendre basis (i.i.d. optimal
  sampling, the projection DPP, volume-rescaled sampling): error over the
  best-approximation error, and the DPP sampler's time against DPPy's.

Rules: ../shared/BENCH.md. Writes ``solvers.json`` (every figure and the machine) and
``solvers.md`` to ``--out`` (default ``bench/results``). Quick mode is a smoke run of a
few seconds a part; the full run takes a few minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.kde import _load_average, _log, machine_info

__all__ = ["PARTS", "main"]

PARTS = {"ot": "bench.solvers_ot", "krr": "bench.solvers_krr",
         "design": "bench.solvers_design"}
DEFAULT_OUT = Path(__file__).resolve().parent / "results"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.solvers", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--only", action="append", choices=sorted(PARTS), default=None,
                        help="run only this part (repeatable)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="directory for solvers.json and solvers.md")
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(arguments)
    started = time.perf_counter()
    machine = machine_info()
    parts: dict[str, Any] = {}
    lines: list[str] = []
    for name in args.only or list(PARTS):
        module = importlib.import_module(PARTS[name])
        _log(f"{name} ...")
        began = time.perf_counter()
        result = module.run(args.quick)
        result["seconds"] = time.perf_counter() - began
        parts[name] = result
        lines += ["", *module.markdown(result)]
    machine["load_average_end"] = _load_average()
    report = {"benchmark": "solvers", "mode": "quick" if args.quick else "full",
              "command": " ".join(["python -m bench.solvers", *arguments]),
              "machine": machine, "parts": parts,
              "total_seconds": time.perf_counter() - started}
    versions = ", ".join(f"{k} {v}" for k, v in sorted(machine["versions"].items()))
    header = [f"# Solver benchmark ({report['mode']})", "",
              f"Command: `{report['command']}`; total {report['total_seconds']:.0f} s.",
              f"Machine: {machine['cpu_model']}, {machine['cpu_count']} CPUs "
              f"({machine['cpus_usable']} usable); {versions}; load average at the start "
              f"{machine['load_average_start']}, at the end {machine['load_average_end']}."]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "solvers.json").write_text(json.dumps(report, indent=2, allow_nan=False,
                                                      default=float) + "\n")
    table = "\n".join(header + lines) + "\n"
    (args.out / "solvers.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
