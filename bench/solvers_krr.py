"""Kernel ridge / GP regression by PCG (core/solvers/kernel_regression.py) against the
dense Cholesky solve and scikit-learn, side by side in one run.

Workload: ``bench.data.synthetic(n, 8)`` (the 10-Gaussian mixture in the unit ball, its
public bandwidth sqrt(2) * 0.3 for gaussian_kde), labels y = sin(4 x_1) + 4 x_2 x_3 +
N(0, 0.1^2) with a fixed seed, predictions at the workload's 1,000 queries (the GP:
the first 200); ridge 1e-3 (KRR) and 1e-2 (GP). n in {2,000, 8,000} (quick: 500).
Per n: fit + predict of the posterior mean by PCG with each preconditioner (rank
n / 8, tol 1e-10) and without one, by our dense Cholesky, and by sklearn
``KernelRidge(alpha=ridge, kernel="rbf", gamma=1/h^2)``; iterations, seconds and the
largest relative difference of the predictions from the dense solve and from sklearn.
Then the GP posterior mean and std against ``GaussianProcessRegressor(RBF(h / sqrt 2),
alpha=ridge, optimizer=None)`` at n = 2,000 (quick: 500).

Timings: medians of 5 interleaved rounds after a warm-up, with min and max (BENCH.md),
except at n = 8,000, where one round each (no warm-up, PCG time limit 30 s) keeps the
full run near four minutes on two cores; that table says so.

    PYTHONPATH=. .venv/bin/python -m bench.solvers_krr [--quick]
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF
from sklearn.kernel_ridge import KernelRidge

from bench.data import synthetic
from bench.kde import interleaved_timings, machine_info
from core.solvers.kernel_regression import KernelRegression, fit

__all__ = ["markdown", "run"]

DIM = 8
KRR_RIDGE = 1e-3
GP_RIDGE = 1e-2
TOL = 1e-10
MAX_ITER = 5_000
TIME_LIMIT = 60.0  # seconds per PCG solve
SINGLE_RUN_TIME_LIMIT = 30.0  # at n >= SINGLE_RUN_FROM (plain CG stops there)
GP_QUERIES = 200  # the GP's variance solves cost one right-hand side per query
LABEL_SEED = 11
REPETITIONS = 5
SINGLE_RUN_FROM = 8_000  # from this n on: one timed round, no warm-up
CLAIM_DIFF = 1e-8  # PCG predictions within this (relative) of the dense solve and sklearn


def _labels(X: NDArray[np.float64]) -> NDArray[np.float64]:
    rng = np.random.Generator(np.random.PCG64(LABEL_SEED))
    return np.asarray(np.sin(4.0 * X[:, 0]) + 4.0 * X[:, 1] * X[:, 2]
                      + 0.1 * rng.standard_normal(X.shape[0]))


def _rel(a: Any, b: Any) -> float:
    a, b = np.asarray(a), np.asarray(b)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def _single(runs: Mapping[str, Callable[[], object]]) -> dict[str, dict[str, Any]]:
    out = {}
    for name, call in runs.items():
        start = time.perf_counter()
        call()
        seconds = time.perf_counter() - start
        out[name] = {"median": seconds, "min": seconds, "max": seconds, "samples": [seconds]}
    return out


def _krr_case(n: int, quick: bool) -> dict[str, Any]:
    work = synthetic(n, DIM)
    X, Q, h = work.rows, work.queries, work.bandwidth
    y = _labels(X)
    params = {"bandwidth": h}
    rank = max(n // 8, 16)
    single = n >= SINGLE_RUN_FROM and not quick
    limit = SINGLE_RUN_TIME_LIMIT if single else TIME_LIMIT
    last: dict[str, KernelRegression] = {}
    preds: dict[str, NDArray[np.float64]] = {}

    def ours(name: str, **kw: Any) -> Callable[[], object]:
        def call() -> None:
            model = fit("gaussian_kde", params, X, y, ridge=KRR_RIDGE, tol=TOL,
                        max_iter=MAX_ITER, time_limit=limit, rank=rank, **kw)
            preds[name] = np.asarray(model.posterior(Q, variance=False).mean)
            last[name] = model
        return call

    def sk() -> None:
        preds["sklearn"] = KernelRidge(alpha=KRR_RIDGE, kernel="rbf", gamma=1.0 / h**2
                                       ).fit(X, y).predict(Q)

    runs = {"cholesky": ours("cholesky", method="cholesky"),
            "pcg_nystrom": ours("pcg_nystrom", preconditioner="nystrom"),
            "pcg_pivoted_cholesky": ours("pcg_pivoted_cholesky",
                                         preconditioner="pivoted_cholesky"),
            "pcg_none": ours("pcg_none", preconditioner="none"),
            "sklearn": sk}
    timings = _single(runs) if single else interleaved_timings(runs, REPETITIONS)
    methods = {}
    for name in runs:
        row: dict[str, Any] = {"seconds": timings[name],
                               "diff_vs_cholesky": _rel(preds[name], preds["cholesky"]),
                               "diff_vs_sklearn": _rel(preds[name], preds["sklearn"])}
        if name in last:
            info = last[name].info
            row.update(iterations=info.iterations, converged=info.converged,
                       stopped=info.stopped, residual=info.residual, rank=info.rank)
        methods[name] = row
    return {"n": n, "rank": rank, "single_run": single, "time_limit": limit,
            "methods": methods}


def _gp_case(n: int) -> dict[str, Any]:
    work = synthetic(n, DIM)
    X, Q, h = work.rows, work.queries[:GP_QUERIES], work.bandwidth
    y = _labels(X)
    out: dict[str, Any] = {}

    def sk() -> None:
        gp = GaussianProcessRegressor(kernel=RBF(length_scale=h / math.sqrt(2.0)),
                                      alpha=GP_RIDGE, optimizer=None).fit(X, y)
        out["sklearn"] = gp.predict(Q, return_std=True)

    def ours(name: str, **kw: Any) -> Callable[[], object]:
        def call() -> None:
            model = fit("gaussian_kde", {"bandwidth": h}, X, y, ridge=GP_RIDGE, tol=TOL,
                        rank=max(n // 8, 16), **kw)
            post = model.posterior(Q)
            out[name] = (np.asarray(post.mean), np.sqrt(np.asarray(post.variance)), post.info)
        return call

    runs = {"cholesky": ours("cholesky", method="cholesky"),
            "pcg_pivoted_cholesky": ours("pcg_pivoted_cholesky",
                                         preconditioner="pivoted_cholesky"),
            "sklearn": sk}
    timings = interleaved_timings(runs, REPETITIONS)
    sk_mean, sk_std = out["sklearn"]
    methods: dict[str, dict[str, Any]] = {"sklearn": {"seconds": timings["sklearn"]}}
    for name in ("cholesky", "pcg_pivoted_cholesky"):
        mean, std, info = out[name]
        methods[name] = {"seconds": timings[name], "mean_diff": _rel(mean, sk_mean),
                         "std_diff": float(np.max(np.abs(std - sk_std) / sk_std)),
                         "variance_iterations": info.iterations,
                         "variance_converged": info.converged}
    return {"n": n, "queries": GP_QUERIES, "methods": methods}


def run(quick: bool) -> dict[str, Any]:
    """Every figure of the section, measured in this run (see the module docstring)."""
    sizes = [500] if quick else [2_000, 8_000]
    krr = [_krr_case(n, quick) for n in sizes]
    gp = _gp_case(500 if quick else 2_000)
    pcg = [row for case in krr for name, row in case["methods"].items()
           if name.startswith("pcg_") and name != "pcg_none"]
    held = all(row["converged"] and row["diff_vs_cholesky"] < CLAIM_DIFF
               and row["diff_vs_sklearn"] < CLAIM_DIFF for row in pcg)
    fewer = all(case["methods"][p]["iterations"] < case["methods"]["pcg_none"]["iterations"]
                for case in krr for p in ("pcg_nystrom", "pcg_pivoted_cholesky"))
    gp_held = all(m["mean_diff"] < CLAIM_DIFF and m["std_diff"] < CLAIM_DIFF
                  for name, m in gp["methods"].items() if name != "sklearn")
    return {
        "name": "solvers_krr",
        "settings": {"quick": quick, "dim": DIM, "kernel": "gaussian_kde",
                     "bandwidth_rule": "sqrt(2) * component spread 0.3 (bench.data)",
                     "krr_ridge": KRR_RIDGE, "gp_ridge": GP_RIDGE, "tol": TOL,
                     "max_iter": MAX_ITER, "time_limit": TIME_LIMIT,
                     "single_run_time_limit": SINGLE_RUN_TIME_LIMIT, "rank": "n // 8",
                     "queries": 1_000, "repetitions": REPETITIONS,
                     "single_run_from": SINGLE_RUN_FROM, "label_seed": LABEL_SEED},
        "machine": machine_info(),
        "krr": krr,
        "gp": gp,
        "claims": {"pcg_matches_dense_and_sklearn": held,
                   "preconditioners_need_fewer_iterations": fewer,
                   "gp_matches_sklearn": gp_held},
    }


def _ms(stats: Mapping[str, Any]) -> str:
    return (f"{1e3 * stats['median']:.0f} [{1e3 * stats['min']:.0f}, "
            f"{1e3 * stats['max']:.0f}]")


def markdown(result: Mapping[str, Any]) -> list[str]:
    """The section of the solvers report (starts with a ``## `` heading)."""
    s = result["settings"]
    lines = ["## Kernel ridge and GP regression (PCG)", "",
             f"gaussian_kde on `bench.data.synthetic(n, {s['dim']})`, bandwidth "
             f"{s['bandwidth_rule']}; KRR ridge {s['krr_ridge']:g}, tol {s['tol']:g}, "
             f"rank {s['rank']}, {s['queries']:,} queries. Times: fit + predict of the mean, "
             "ms, median [min, max] of 5 interleaved rounds after a warm-up.", ""]
    for case in result["krr"]:
        note = (f" (one round, no warm-up; PCG time limit {case['time_limit']:g} s)"
                if case["single_run"] else "")
        lines += [f"n = {case['n']:,}, rank {case['rank']}{note}:", "",
                  "| method | iterations | converged | rel. residual | ms | "
                  "max rel. diff vs dense | vs sklearn |", "| --- |" + " --- |" * 6]
        for name, row in case["methods"].items():
            it = str(row.get("iterations", "-"))
            conv = str(row.get("converged", "-"))
            res = f"{row['residual']:.1e}" if "residual" in row else "-"
            lines.append(f"| {name} | {it} | {conv} | {res} | {_ms(row['seconds'])} | "
                         f"{row['diff_vs_cholesky']:.1e} | {row['diff_vs_sklearn']:.1e} |")
        lines.append("")
    gp = result["gp"]
    lines += [f"GP posterior at n = {gp['n']:,} (ridge {s['gp_ridge']:g}, "
              f"{gp['queries']} queries) against sklearn "
              "GaussianProcessRegressor(RBF(h/sqrt 2), alpha=ridge, optimizer=None):", "",
              "| method | ms | max rel. diff of the mean | of the std | variance solve |",
              "| --- | --- | --- | --- | --- |"]
    for name, row in gp["methods"].items():
        if name == "sklearn":
            lines.append(f"| sklearn | {_ms(row['seconds'])} | - | - | - |")
            continue
        solve = (f"{row['variance_iterations']} iterations, converged "
                 f"{row['variance_converged']}")
        lines.append(f"| {name} | {_ms(row['seconds'])} | {row['mean_diff']:.1e} | "
                     f"{row['std_diff']:.1e} | {solve} |")
    c = result["claims"]
    lines += ["", f"Claim: preconditioned PCG predictions are within {CLAIM_DIFF:g} (relative) "
              f"of the dense Cholesky solve and of sklearn: "
              f"{'held' if c['pcg_matches_dense_and_sklearn'] else 'did NOT hold'}; "
              "both preconditioners take fewer iterations than plain CG: "
              f"{'held' if c['preconditioners_need_fewer_iterations'] else 'did NOT hold'}; "
              f"GP mean and std within {CLAIM_DIFF:g} of sklearn: "
              f"{'held' if c['gp_matches_sklearn'] else 'did NOT hold'}.", ""]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", help="write the result to this file")
    args = parser.parse_args(argv)
    result = run(args.quick)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(result, handle, indent=1)
    print("\n".join(markdown(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
