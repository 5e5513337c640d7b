"""Privacy audit of every structure kind, layer by layer: the sensitivity search, the
noise distribution and the black-box statistical audit.

    python -m bench.audit [--thorough] [--layer search|noise|black-box ...] [--out DIR]

The four layers (docs/privacy/audit.md): 1. the sensitivity search
(``core.privacy.sensitivity_search``): an adversarial search over rows and row pairs for
the largest change of every statistic between neighbours, against its claimed L1 and
L2 sensitivity, with a halved claim per statistic as the negative control; 2. the
noise distribution (``core.privacy.noise_check``): many real builds of fixed rows,
the noise of every statistic standardised by its recorded scale and tested against
the standard Laplace or normal law (KS), with one statistic's scale halved as the
control; 3. the privacy map (``core.privacy.map_check``: ``verify_plan``, which the
worker calls before it reads rows, on every kind's real plan and on broken plans it
must refuse); 4. the black box (``core.privacy.audit``): each kind built many times on
a worst-case pair of neighbouring datasets, a Clopper-Pearson bound at alpha = 1e-4
turning the counts of one event into a lower bound on epsilon, which must stay at or
below the claim ("pass") while the negative controls (half the noise; the add/remove
sensitivity on a replace-one dataset) go above it ("caught"). The same checks as
tests/privacy; fast by default, ``--thorough`` for ten times the candidates, samples
and trials (and every black-box control on every kind, realistic deltas). Every layer's
cases come from the kind registry (``core.kinds.audit_suite``).

It writes ``audit.json`` (every figure, the machine) and ``audit.md`` to ``--out``
(default bench/results), prints the tables, and exits with 1 if anything did not come
out as expected (a found change above a claimed sensitivity, a noise law rejected, a
black-box bound over a correct mechanism's claim: privacy bugs; or a missed control).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.kde import machine_info
from core.kinds.audit_features import KDE_BANDWIDTH
from core.kinds.audit_suite import map_cases, noise_cases, search_settings, standard_cases
from core.privacy.audit import (
    AUDIT_DIM,
    AUDIT_DOMAIN,
    AUDIT_SEED,
    BACKGROUND_ROWS,
    DEFAULT_ALPHA,
    SELECTION_FRACTION,
    CaseResult,
    run_case,
    summarise,
)
from core.privacy.map_check import run_map_case
from core.privacy.noise_check import (
    MISS_PROBABILITY,
    NOISE_ROWS,
    P_THRESHOLD,
    THOROUGH_FACTOR,
    NoiseReport,
    run_noise_check,
    samples_needed,
)
from core.privacy.sensitivity_search import (
    FAST,
    REL_TOL,
    THOROUGH,
    SearchReport,
    run_search,
)

__all__ = ["main", "render_markdown"]

DEFAULT_OUT = Path(__file__).resolve().parent / "results"


def _row(out: CaseResult, seconds: float) -> dict[str, Any]:
    return {**out.to_dict(), "seconds": seconds}


def _fmt_budget(epsilon: float, delta: float) -> str:
    return f"({epsilon:g}, {delta:g})"


def _fmt_ratio(found: float, claimed: float) -> str:
    if claimed == 0:
        return "0 claimed, " + ("0 found" if found == 0 else f"**{found:.3g} found**")
    return f"{found / claimed:.4f}"


def _control_words(controls: Sequence[Mapping[str, Any]]) -> str:
    """One cell: what the halved-claim control of one statistic did, per norm."""
    by_norm = {c["norm"]: c for c in controls}
    if all(c["caught"] for c in controls):
        return "caught (L1, L2)"
    if all(c["halved_claim"] == 0 for c in controls):
        return "n/a: sensitivity 0" + ("" if all(c["expected"] for c in controls)
                                       else " but **a pair moved it**")
    parts = []
    for norm in ("l1", "l2"):
        c = by_norm[norm]
        label = norm.upper()
        parts.append(f"{label} caught" if c["caught"] else
                     f"{label} not catchable: {c['reason']}" if c["expected"] else
                     f"{label} **MISSED**: {c['reason']}")
    return "; ".join(parts)


def _search_markdown(layer: Mapping[str, Any] | None) -> list[str]:
    lines = ["## Layer 1: sensitivity search", ""]
    if layer is None:
        return [*lines, "Not run (see `--layer`).", ""]
    effort = layer["effort"]
    lines += [
        "Per kind, mechanism and relation, in the black-box audit's setting (`audit`) and "
        "a larger one (`large`): an adversarial search over single rows (add/remove) and "
        "ordered row pairs (replace-one) for the largest L1 and L2 change of every "
        "statistic between neighbours, through the build's clip and `accumulate` at the "
        f"public seed {layer['seed']} (centre, boundary and corners, rows solving the "
        "feature angles, grid-edge and sign-split rows for the trees, far outside, "
        "denormal and tiny values, random rows, every row's mirror image; then a local "
        f"refinement of up to {effort['refine_rounds']} rounds of "
        f"{effort['refine_proposals']} perturbations). The winning pair is rebuilt as two "
        "neighbouring datasets. Check: found <= claimed x (1 + "
        f"{layer['rel_tol']:g}). Control: the same check against the claims with one "
        "statistic's L1 and L2 sensitivities halved must fail (\"caught\"), for every "
        "statistic; where it cannot, the reason is verified (a sensitivity of 0 that no "
        "pair moved; an exact supremum over rows below half the bound, reached by the "
        "search).",
        "",
        f"Summary: {layer['checked']} (setting, statistic, norm) checks, "
        f"{layer['violations']} above their claim; {layer['controls_caught']} of "
        f"{layer['controls']} controls caught, {layer['controls_not_catchable']} not "
        f"catchable for a verified reason, {layer['controls_missed']} missed; "
        f"{layer['seconds']:.1f} s.",
        "",
        "| kind | setting | parameters | candidates | rows evaluated |",
        "|" + " --- |" * 5,
    ]
    seen: set[tuple[str, str]] = set()
    for r in layer["reports"]:
        if (r["kind"], r["setting"]) in seen:
            continue
        seen.add((r["kind"], r["setting"]))
        lines.append(f"| {r['kind']} | {r['setting']} | {r['description']} "
                     f"| {r['candidates']:,} | {r['evaluations']:,} |")
    lines += [
        "",
        "found / claimed per norm (the tightness); mechanisms with identical results "
        "share a row.",
        "",
        "| kind | setting | relation | mechanisms | statistic | claimed L1 | found / claimed "
        "L1 | claimed L2 | found / claimed L2 | halved-claim control | largest L1 change |",
        "|" + " --- |" * 11,
    ]
    merged: dict[tuple[Any, ...], list[str]] = {}
    cells: dict[tuple[Any, ...], str] = {}
    for r in layer["reports"]:
        checks: dict[str, dict[str, Any]] = {}
        for c in r["checks"]:
            checks.setdefault(c["statistic"], {})[c["norm"]] = c
        for stat, pair in checks.items():
            l1, l2 = pair["l1"], pair["l2"]
            control = _control_words([c for c in r["controls"] if c["statistic"] == stat])
            key = (r["kind"], r["setting"], r["relation"], stat, l1["claimed"], l1["found"],
                   l2["claimed"], l2["found"], control)
            merged.setdefault(key, []).append(r["mechanism"])
            flag = "" if l1["within_claim"] and l2["within_claim"] else " **ABOVE THE CLAIM**"
            cells[key] = (f"| {l1['claimed']:.4g} | {_fmt_ratio(l1['found'], l1['claimed'])} "
                          f"| {l2['claimed']:.4g} | {_fmt_ratio(l2['found'], l2['claimed'])}"
                          f"{flag} | {control} | {l1['pair']} |")
    for key, mechanisms in merged.items():
        kind, size, relation, stat = key[:4]
        lines.append(f"| {kind} | {size} | {relation} | {', '.join(mechanisms)} | {stat} "
                     + cells[key])
    return [*lines, ""]


def _noise_markdown(layer: Mapping[str, Any] | None) -> list[str]:
    lines = ["## Layer 2: noise distribution", ""]
    if layer is None:
        return [*lines, "Not run (see `--layer`).", ""]
    samples = layer["samples"]
    lines += [
        "Per kind, mechanism and relation (the black-box audit's settings): "
        f"`build_release` called many times on {layer['rows']} fixed random in-domain rows "
        "at one public seed; `observe` records each build's noisy statistics; "
        "z = (released - exact) / recorded scale, pooled over coordinates and builds per "
        "statistic, is tested against the standard Laplace or normal law "
        f"(Kolmogorov-Smirnov; pass at p >= {layer['p_threshold']:g}). Statistics "
        "released exactly must equal the exact value in every build. Control: the same "
        "builds with one statistic's scale halved in the plan passed to the build, "
        "standardised by the recorded scale, must be rejected (p below the threshold), "
        "while the other statistics of those builds still pass. Pooled values per "
        f"statistic: {samples['laplace']:,} (Laplace) and {samples['gaussian']:,} "
        f"(Gaussian), enough that a control is missed with probability at most "
        f"{layer['miss_probability']:g} (DKW bound).",
        "",
        f"Summary: {layer['statistics']} statistics checked, {layer['failed']} rejected; "
        f"{layer['controls_caught']} of {layer['controls']} controls caught; "
        f"{layer['builds']:,} builds in {layer['seconds']:.1f} s.",
        "",
        "| kind | mechanism | relation | statistic | noise | builds | pooled values | KS D "
        "| p-value | verdict | halved-scale control: builds, p-value | control |",
        "|" + " --- |" * 12,
    ]
    for r in layer["reports"]:
        controls = {c["statistic"]: c for c in r["controls"]}
        for s in r["statistics"]:
            head = (f"| {r['kind']} | {r['mechanism']} | {r['relation']} | {s['statistic']} "
                    f"| {s['mechanism']} | {s['builds']:,} | {s['samples']:,} ")
            if s["mechanism"] == "none":
                verdict = "pass" if s["passed"] else "**FAIL**"
                lines.append(head + f"| - | - | {verdict}: exact in every build | - | n/a |")
                continue
            c = controls[s["statistic"]]
            others = "" if c["others_passed"] else ", **another statistic failed**"
            lines.append(
                head + f"| {s['ks_statistic']:.4f} | {s['p_value']:.3g} "
                f"| {'pass' if s['passed'] else '**FAIL**'} | {c['halved']['builds']:,}, "
                f"{c['halved']['p_value']:.2g} | "
                f"{'caught' if c['caught'] else '**missed**'}{others} |")
    return [*lines, ""]


def _black_box_markdown(report: Mapping[str, Any]) -> list[str]:
    s = report["settings"]
    domain = ", ".join(f"{k}={v}" for k, v in s["domain"].items() if k != "type")
    lines = [
        "## Layer 4: black box",
        "",
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
    return [*lines, "", f"Summary: {summary or 'not run'}.", ""]


def overview_markdown(report: Mapping[str, Any]) -> list[str]:
    """One row per kind: what each layer checked and what its controls did, summed
    over mechanisms, relations and settings."""
    layers = report["layers"]
    kinds: dict[str, dict[str, list[int]]] = {}

    def add(kind: str, column: str, *counts: int) -> None:
        cell = kinds.setdefault(kind, {}).setdefault(column, [0] * len(counts))
        for i, value in enumerate(counts):
            cell[i] += value

    for r in (layers.get("sensitivity_search") or {}).get("reports", []):
        add(r["kind"], "search", len(r["checks"]),
            sum(not c["within_claim"] for c in r["checks"]),
            sum(c["caught"] for c in r["controls"]),
            sum(c["expected"] and not c["caught"] for c in r["controls"]),
            sum(not c["expected"] for c in r["controls"]))
    for r in (layers.get("noise_distribution") or {}).get("reports", []):
        add(r["kind"], "noise", len(r["statistics"]),
            sum(not s["passed"] for s in r["statistics"]),
            sum(c["caught"] and c["others_passed"] for c in r["controls"]), len(r["controls"]))
    for r in (layers.get("privacy_map") or {}).get("results", []):
        add(r["kind"], "map", 1, int(r["verified"]), r["controls_refused"], r["controls"])
    for r in report["results"]:
        control = r["control"] != "none"
        add(r["kind"], "black", int(not control), int(not control and r["verdict"] == "pass"),
            int(control), int(control and r["verdict"] == "caught"),
            int(not r["as_expected"]))

    def cell(kind: str, column: str) -> str:
        c = kinds[kind].get(column)
        if c is None:
            return "not run"
        if column == "search":
            extra = f", {c[3]} not catchable (verified reason)" if c[3] else ""
            return (f"{c[0]} checks, {c[1]} above claim; halved claims: {c[2]} caught"
                    f"{extra}, {c[4]} missed")
        if column == "noise":
            return f"{c[0]} statistics, {c[1]} rejected; halved scales: {c[2]} of {c[3]} caught"
        if column == "map":
            return f"{c[1]} of {c[0]} plans verified; broken plans: {c[2]} of {c[3]} refused"
        return (f"{c[1]} of {c[0]} pass; controls: {c[3]} of {c[2]} caught"
                + (f"; {c[4]} not as expected" if c[4] else ""))

    lines = ["## Overview: every kind, every layer", "",
             "| kind | 1. sensitivity search | 2. noise distribution | 3. privacy map "
             "| 4. black box |", "|" + " --- |" * 5]
    lines.extend(f"| {kind} | {cell(kind, 'search')} | {cell(kind, 'noise')} "
                 f"| {cell(kind, 'map')} | {cell(kind, 'black')} |" for kind in kinds)
    return [*lines, ""]


def render_markdown(report: Mapping[str, Any]) -> str:
    """The report as markdown: the run, then one section per layer."""
    machine = report["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items())
    layers = report["layers"]
    lines = [
        f"# DP audit ({report['mode']})",
        "",
        f"Command: `{report['command']}`; total {report['total_seconds']:.0f} s on "
        f"{machine['cpu_model']}, {machine['cpu_count']} CPUs; {versions}. "
        f"All as expected: {report['all_as_expected']}.",
        "",
        "Layers (docs/privacy/audit.md): 1. sensitivity search; 2. noise distribution; "
        "3. privacy map (plan verification by `core.privacy.mechanisms.verify_plan`, "
        "as the worker runs it); 4. black box.",
        "",
        *overview_markdown(report),
        *_search_markdown(layers["sensitivity_search"]),
        *_noise_markdown(layers["noise_distribution"]),
        *_map_markdown(layers.get("privacy_map")),
        *_black_box_markdown(report),
    ]
    return "\n".join(lines)


def run_sensitivity_layer(thorough: bool) -> dict[str, Any]:
    """Layer 1 on every setting, with the counts the report summarises."""
    effort = THOROUGH if thorough else FAST
    began = time.perf_counter()
    reports: list[SearchReport] = []
    for setting in search_settings():
        report = run_search(setting, seed=AUDIT_SEED, effort=effort)
        reports.append(report)
        worst = min((c.tightness for c in report.checks if c.tightness is not None),
                    default=1.0)
        print(f"search {setting.name:48s} within claims {report.within_claims!s:5s} "
              f"controls {report.controls_as_expected!s:5s} lowest tightness {worst:.3f} "
              f"{report.seconds:5.2f} s", flush=True)
    controls = [c for r in reports for c in r.controls]
    return {
        "seed": AUDIT_SEED, "effort": asdict(effort), "rel_tol": REL_TOL,
        "reports": [r.to_dict() for r in reports],
        "checked": sum(len(r.checks) for r in reports),
        "violations": sum(not c.within_claim for r in reports for c in r.checks),
        "controls": len(controls),
        "controls_caught": sum(c.caught for c in controls),
        "controls_not_catchable": sum(c.expected and not c.caught for c in controls),
        "controls_missed": sum(not c.expected for c in controls),
        "all_as_expected": all(r.as_expected for r in reports),
        "seconds": time.perf_counter() - began,
    }


def run_noise_layer(thorough: bool) -> dict[str, Any]:
    """Layer 2 on every case, with the counts the report summarises."""
    began = time.perf_counter()
    reports: list[NoiseReport] = []
    for case in noise_cases():
        report = run_noise_check(case, thorough=thorough, seed=AUDIT_SEED)
        reports.append(report)
        print(f"noise  {case.name:48s} passed {report.passed!s:5s} controls caught "
              f"{report.controls_caught!s:5s} {report.builds:6,} builds "
              f"{report.seconds:5.1f} s", flush=True)
    factor = THOROUGH_FACTOR if thorough else 1
    return {
        "p_threshold": P_THRESHOLD, "miss_probability": MISS_PROBABILITY,
        "rows": NOISE_ROWS, "seed": AUDIT_SEED,
        "samples": {law: factor * samples_needed(law) for law in ("laplace", "gaussian")},
        "reports": [r.to_dict() for r in reports],
        "statistics": sum(len(r.statistics) for r in reports),
        "failed": sum(not s.passed for r in reports for s in r.statistics),
        "controls": sum(len(r.controls) for r in reports),
        "controls_caught": sum(c.caught and c.others_passed for r in reports
                               for c in r.controls),
        "builds": sum(r.builds for r in reports),
        "all_as_expected": all(r.as_expected for r in reports),
        "seconds": time.perf_counter() - began,
    }


def run_map_layer() -> dict[str, Any]:
    """Layer 3 on every case (deterministic: the thorough form is the same)."""
    began = time.perf_counter()
    cases = map_cases()
    results = [run_map_case(case) for case in cases]
    for case, result in zip(cases, results, strict=True):
        print(f"map    {case.name:48s} verified {result.verified!s:5s} controls refused "
              f"{sum(result.refused.values())}/{len(result.refused)}", flush=True)
    return {
        "results": [r.to_dict() | {"setting": c.setting, "dim": c.dim,
                                   "domain": c.domain.to_dict()["type"]}
                    for c, r in zip(cases, results, strict=True)],
        "plans": len(results), "verified": sum(r.verified for r in results),
        "controls": sum(len(r.refused) for r in results),
        "controls_refused": sum(sum(r.refused.values()) for r in results),
        "all_as_expected": all(r.as_expected for r in results),
        "seconds": time.perf_counter() - began,
    }


def _map_markdown(layer: Mapping[str, Any] | None) -> list[str]:
    lines = ["## Layer 3: privacy map", ""]
    if layer is None:
        return [*lines, "Not run (see `--layer`).", ""]
    lines += [
        "Each kind's real noise plan, recomputed from its spec independently of the "
        "planner (sizes, sensitivities, and OpenDP's privacy map of every recorded "
        "scale composed against the plan's budget), and broken plans that must be "
        "refused: each noisy statistic's scale halved; its recorded sensitivity halved "
        "with its scale; the plan of the other neighbouring relation; the plan of the "
        "other mechanism. Settings: `audit` (the black box's structures, budget (1, 0) "
        "or (1, 1e-6)) and `larger` (dim 8, a box, budget (0.3, 0) or (0.3, 1e-5)).",
        "",
        f"Summary: {layer['verified']} of {layer['plans']} plans verified; "
        f"{layer['controls_refused']} of {layer['controls']} broken plans refused; "
        f"{layer['seconds']:.1f} s.",
        "",
        "| kind | mechanism | relation | setting | verified | broken plans refused |",
        "|" + " --- |" * 6,
    ]
    for r in layer["results"]:
        lines.append(f"| {r['kind']} | {r['mechanism']} | {r['relation']} | {r['setting']} "
                     f"| {r['verified']} | {r['controls_refused']} of {r['controls']} |")
    return [*lines, ""]


LAYERS = ("search", "noise", "map", "black-box")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.audit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--thorough", action="store_true",
                        help="10x the candidates, samples and trials; every black-box "
                             "control on every kind, deltas 1e-5, 1e-6")
    parser.add_argument("--layer", action="append", choices=LAYERS,
                        help="run only this layer (repeatable; default: all)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    args = parser.parse_args(argv)
    chosen = set(args.layer or LAYERS)
    mode = "thorough" if args.thorough else "fast"
    command = "python -m bench.audit" + (" --thorough" if args.thorough else "") + "".join(
        f" --layer {layer}" for layer in LAYERS if args.layer and layer in chosen)
    machine = machine_info()
    start = time.perf_counter()
    search = run_sensitivity_layer(args.thorough) if "search" in chosen else None
    noise = run_noise_layer(args.thorough) if "noise" in chosen else None
    privacy_map = run_map_layer() if "map" in chosen else None
    outcomes: list[CaseResult] = []
    rows: list[dict[str, Any]] = []
    cases = standard_cases(thorough=args.thorough) if "black-box" in chosen else []
    for case in cases:
        began = time.perf_counter()
        out = run_case(case, seed=AUDIT_SEED, alpha=DEFAULT_ALPHA)
        seconds = time.perf_counter() - began
        outcomes.append(out)
        rows.append(_row(out, seconds))
        print(f"{case.name:62s} claimed {case.budget.epsilon:g}  true {out.pair_epsilon:.3f}"
              f"  lower bound {out.result.epsilon_lower:.3f}  {out.verdict:9s} {seconds:5.1f} s",
              flush=True)
    layers_ok = all(layer["all_as_expected"] for layer in (search, noise, privacy_map)
                    if layer is not None)
    report = {
        "benchmark": "audit", "mode": mode, "command": command, "machine": machine,
        "settings": {"alpha": DEFAULT_ALPHA, "seed": AUDIT_SEED, "dim": AUDIT_DIM,
                     "domain": AUDIT_DOMAIN.to_dict(), "kde_bandwidth": KDE_BANDWIDTH,
                     "background_rows": BACKGROUND_ROWS,
                     "selection_fraction": SELECTION_FRACTION},
        "layers": {"sensitivity_search": search, "noise_distribution": noise,
                   "privacy_map": privacy_map},
        "results": rows,
        "summary": summarise(outcomes),
        "all_as_expected": layers_ok and all(o.as_expected for o in outcomes),
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
