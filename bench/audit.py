"""Statistical DP audit of every structure kind: the epsilon each build really achieves,
from below, next to the epsilon it claims.

    python -m bench.audit [--thorough] [--out DIR]

Runs ``core.privacy.audit.standard_cases`` (the same audits as tests/privacy; fast by
default, ``--thorough`` for ten times the trials, every control on every kind and
realistic deltas): each kind is built many times on a worst-case pair of neighbouring
datasets, through the real exact-sum code path and the real OpenDP samplers, and a
Clopper-Pearson bound at alpha = 1e-4 turns the counts of one event into a lower bound
on epsilon. Correct mechanisms must stay at or below their claim ("pass"); the negative
controls (half the noise; the add/remove sensitivity on a replace-one dataset) must go
above it ("caught"). The method: docs/privacy/audit.md.

It writes ``audit.json`` (every figure, the machine) and ``audit.md`` to ``--out``
(default bench/results), prints the table, and exits with 1 if any audit did not come
out as expected (a bound over a correct mechanism's claim is a privacy bug).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.kde import machine_info
from core.privacy.audit import (
    AUDIT_DIM,
    AUDIT_DOMAIN,
    AUDIT_SEED,
    BACKGROUND_ROWS,
    DEFAULT_ALPHA,
    KDE_BANDWIDTH,
    SELECTION_FRACTION,
    CaseResult,
    run_case,
    standard_cases,
    summarise,
)

__all__ = ["main", "render_markdown"]

DEFAULT_OUT = Path(__file__).resolve().parent / "results"


def _row(out: CaseResult, seconds: float) -> dict[str, Any]:
    return {**out.to_dict(), "seconds": seconds}


def _fmt_budget(epsilon: float, delta: float) -> str:
    return f"({epsilon:g}, {delta:g})"


def render_markdown(report: Mapping[str, Any]) -> str:
    """The report as markdown: settings, then one table row per audit."""
    s, machine = report["settings"], report["machine"]
    domain = ", ".join(f"{k}={v}" for k, v in s["domain"].items() if k != "type")
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items())
    lines = [
        f"# DP audit ({report['mode']})",
        "",
        f"Command: `{report['command']}`; total {report['total_seconds']:.0f} s on "
        f"{machine['cpu_model']}, {machine['cpu_count']} CPUs; {versions}.",
        f"Settings: dim {s['dim']}, domain {s['domain']['type']}({domain}), "
        f"{s['background_rows']} identical background rows per dataset, public seed "
        f"{s['seed']}, kernel bandwidth {s['kde_bandwidth']}, 2 random features; "
        f"alpha = {s['alpha']:g} per audit (split over the two Clopper-Pearson bounds); "
        "the event is chosen on the first "
        f"{s['selection_fraction']:.0%} of each dataset's releases and evaluated on the "
        "rest.",
        "",
        "Columns: trials = releases drawn per dataset; true epsilon = what the plan really "
        "achieves on the audited pair (exact, computed from the noise scales); lower bound "
        "= the audit's (1 - alpha)-confidence lower bound on epsilon; hits = how often the "
        "chosen event occurred among the evaluated releases of the favoured dataset / of "
        "the other. pass: a correct mechanism at or below its claim; caught: a broken "
        "control above it; VIOLATION or missed would be failures.",
        "",
        "| kind | mechanism | relation | control | claimed (eps, delta) | trials "
        "| true eps of the pair | lower bound | verdict | event | hits |",
        "|" + " --- |" * 11,
    ]
    for r in report["results"]:
        hits = f"{r['hits_favoured']} / {r['hits_other']} of {r['evaluated']}"
        lines.append(
            f"| {r['kind']} | {r['mechanism']} | {r['relation']} | {r['control']} "
            f"| {_fmt_budget(r['claimed_epsilon'], r['claimed_delta'])} | {r['trials']:,} "
            f"| {r['pair_epsilon']:.3f} | **{r['epsilon_lower']:.3f}** | {r['verdict']} "
            f"| {r['event']} | {hits} |")
    summary = ", ".join(f"{v} {k}" for k, v in sorted(report["summary"].items()))
    lines += ["", f"Summary: {summary}; all as expected: {report['all_as_expected']}.", ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.audit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--thorough", action="store_true",
                        help="10x the trials, every control on every kind, deltas 1e-5, 1e-6")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    args = parser.parse_args(argv)
    mode = "thorough" if args.thorough else "fast"
    command = "python -m bench.audit" + (" --thorough" if args.thorough else "")
    machine = machine_info()
    start = time.perf_counter()
    outcomes: list[CaseResult] = []
    rows: list[dict[str, Any]] = []
    for case in standard_cases(thorough=args.thorough):
        began = time.perf_counter()
        out = run_case(case, seed=AUDIT_SEED, alpha=DEFAULT_ALPHA)
        seconds = time.perf_counter() - began
        outcomes.append(out)
        rows.append(_row(out, seconds))
        print(f"{case.name:62s} claimed {case.budget.epsilon:g}  true {out.pair_epsilon:.3f}"
              f"  lower bound {out.result.epsilon_lower:.3f}  {out.verdict:9s} {seconds:5.1f} s",
              flush=True)
    report = {
        "benchmark": "audit", "mode": mode, "command": command, "machine": machine,
        "settings": {"alpha": DEFAULT_ALPHA, "seed": AUDIT_SEED, "dim": AUDIT_DIM,
                     "domain": AUDIT_DOMAIN.to_dict(), "kde_bandwidth": KDE_BANDWIDTH,
                     "background_rows": BACKGROUND_ROWS,
                     "selection_fraction": SELECTION_FRACTION},
        "results": rows,
        "summary": summarise(outcomes),
        "all_as_expected": all(o.as_expected for o in outcomes),
        "total_seconds": time.perf_counter() - start,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "audit.json").write_text(json.dumps(report, indent=2) + "\n")
    markdown = render_markdown(report)
    (args.out / "audit.md").write_text(markdown)
    print(markdown)
    return 0 if report["all_as_expected"] else 1


if __name__ == "__main__":
    sys.exit(main())
