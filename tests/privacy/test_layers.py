"""Layers 1 and 2 of the privacy audit (docs/privacy/audit.md): the sensitivity search
(core/privacy/sensitivity_search.py) and the noise-distribution check
(core/privacy/noise_check.py), for every kind, mechanism and relation of the registry
(the cases: core/kinds/audit_suite.py).

Each parametrised test asserts both halves: the correct structure passes (no statistic
moves more than its claimed sensitivity; the noise of every statistic has the recorded
law and scale), and the negative control is caught (a claim with one statistic's
sensitivity halved is exceeded; a build with one statistic's noise scale halved is
rejected). The search is deterministic (public seeds); the noise check is a random
test that a correct build fails with probability at most 1e-6 per statistic, and whose
controls are missed with probability at most 1e-6 each.

The thorough forms (ten times the candidates and refinement, ten times the noise
samples) run only with PRIVSIM_THOROUGH=1.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest

from core.domain import L2Ball
from core.errors import InvalidParameter
from core.kinds import kind_def
from core.kinds.audit_suite import audit_target, map_cases, noise_cases, search_settings
from core.kinds.l2_distance.audit import projection_supremum
from core.kinds.l2_distance.release import L2DistanceBuilder
from core.kinds.l2_distance.spec import L2DistanceSpec
from core.privacy.audit import AUDIT_SEED
from core.privacy.budget import PrivacyBudget
from core.privacy.noise_check import (
    MISS_PROBABILITY,
    P_THRESHOLD,
    THOROUGH_FACTOR,
    NoiseCase,
    NoiseLaw,
    NoiseReport,
    halve_scale,
    halved_distance,
    ks_test,
    run_noise_check,
    samples_needed,
)
from core.privacy.sensitivity_search import (
    NORMS,
    THOROUGH,
    SearchReport,
    SearchSetting,
    check_claims,
    halve_claim,
    run_search,
    search_sensitivity,
)
from core.structures.base import DataSpec, noise_plan

RUN_THOROUGH = os.environ.get("PRIVSIM_THOROUGH") == "1"


# --- layer 1: the sensitivity search --------------------------------------------------

def _check_search(report: SearchReport) -> None:
    name = report.setting.name
    for c in report.checks:
        assert c.within_claim, (
            f"SENSITIVITY BUG in {name}: {c.statistic} moves by {c.found!r} in {c.norm}, "
            f"more than the claimed {c.claimed!r}; pair: {c.pair}")
    for s in report.result.statistics:
        for norm in NORMS:
            f = s.finding(norm)
            # the pair rebuilt as two datasets moves the statistic as its rows did: the
            # statistics are additive over rows (to float32 rounding: the float32
            # features' matrix products may round differently for 1 row and for 4)
            assert f.on_datasets == pytest.approx(f.value, rel=1e-6, abs=1e-9), (
                f"{name}: {s.statistic} {norm} not additive: {f}")
            supremum = s.supremum(norm)
            if supremum is not None:  # computed exactly: the search reaches it, no more
                assert supremum * (1 - 1e-6) <= f.largest <= supremum * (1 + 1e-9), (
                    f"{name}: {s.statistic} {norm}: found {f.largest}, supremum {supremum}")
    for ctl in report.controls:
        assert ctl.expected, (f"{name}: control on {ctl.statistic} ({ctl.norm}) not caught: "
                              f"{ctl.reason}")
        if not ctl.caught:  # only the documented, verified reasons
            assert ctl.reason.startswith(("sensitivity 0", "no pair can exceed")), ctl


@pytest.mark.slow
@pytest.mark.parametrize("setting", search_settings(), ids=lambda s: s.name)
def test_sensitivity_search(setting: SearchSetting) -> None:
    _check_search(run_search(setting))


@pytest.mark.slow
@pytest.mark.skipif(not RUN_THOROUGH, reason="thorough audit: set PRIVSIM_THOROUGH=1")
@pytest.mark.parametrize("setting", search_settings(), ids=lambda s: s.name)
def test_sensitivity_search_thorough(setting: SearchSetting) -> None:
    _check_search(run_search(setting, effort=THOROUGH))


def test_every_control_is_caught_in_the_audit_settings() -> None:
    """In the black-box audit's settings a worst-case pair exists for every statistic,
    so every halved claim with a positive sensitivity must be exceeded."""
    for setting in search_settings():
        if setting.size != "audit":
            continue
        report = run_search(setting)
        for ctl in report.controls:
            assert ctl.caught or ctl.halved_claim == 0, (setting.name, ctl)


def test_the_search_finds_an_understated_tree_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """A realistic slip, forgetting the root's extra term in the replace-one L2 bound of
    the sums tree (sqrt(2(L+1)) M2 instead of sqrt(2(L+2)) M2): a 10-20% understatement
    that the search must flag, with the antipodal pair."""
    import core.structures.dyadic_trees as trees
    from core.privacy.mechanisms import Statistic

    original = trees.tree_statistics

    def understated(*args, **kwargs):
        stats = original(*args, **kwargs)
        levels, max_l2 = args[1], args[5]
        return [Statistic(s.name, s.size, s.l1_sensitivity,
                          math.sqrt(2 * (levels + 1)) * max_l2, s.weight)
                if s.name == "sums" else s for s in stats]

    monkeypatch.setattr(trees, "tree_statistics", understated)
    data = DataSpec(2, L2Ball(1.0), "replace_one")
    kind = kind_def("l1_distance")
    spec = kind.spec.parse({"grid_levels": 2}, data)
    result = search_sensitivity(spec, AUDIT_SEED, candidates=kind.audit.search_candidates)
    failed = [c for c in check_claims(result, spec.statistics()) if not c.within_claim]
    assert [(c.statistic, c.norm) for c in failed] == [("sums", "l2")]
    assert failed[0].found == pytest.approx(math.sqrt(2 * 4), rel=1e-9)  # sqrt(2(L+2)) M2


def test_halve_claim_halves_one_statistic_only() -> None:
    spec = kind_def("sq_l2_distance").spec.parse({}, DataSpec(3, L2Ball(2.0), "add_remove"))
    claims = spec.statistics()
    halved = halve_claim(claims, "sum_sq")
    for before, after in zip(claims, halved, strict=True):
        factor = 0.5 if before.name == "sum_sq" else 1.0
        assert after.l1_sensitivity == before.l1_sensitivity * factor
        assert after.l2_sensitivity == before.l2_sensitivity * factor
    with pytest.raises(InvalidParameter, match="no statistic"):
        halve_claim(claims, "nothing")


def test_projection_supremum_matches_a_scan_of_the_circle() -> None:
    """The enumerated suprema of ||z||_1 and ||z||_2 for l2_distance in two dimensions
    equal the maxima over a fine scan of the boundary (the norms are convex in u)."""
    spec = kind_def("l2_distance").spec.parse({"grid_levels": 1, "projection_dim": 5},
                                              DataSpec(2, L2Ball(1.5), "add_remove"))
    assert isinstance(spec, L2DistanceSpec)
    builder = spec.builder(AUDIT_SEED)
    assert isinstance(builder, L2DistanceBuilder)
    sup1, sup2, rows = projection_supremum(spec, builder.projection)
    angles = np.linspace(0.0, 2 * math.pi, 200_001)
    U = 1.5 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    Z = U @ (spec.scale * builder.projection).T
    assert sup1 == pytest.approx(np.max(np.sum(np.abs(Z), axis=1)), rel=1e-8)
    assert sup2 == pytest.approx(np.max(np.linalg.norm(Z, axis=1)), rel=1e-8)
    z = (rows[0][0] @ (spec.scale * builder.projection).T)
    assert np.sum(np.abs(z)) == pytest.approx(sup1, rel=1e-12)


# --- layer 2: the noise distribution -------------------------------------------------

def _check_noise(report: NoiseReport, samples: int) -> None:
    name = report.case.name
    for s in report.statistics:
        assert s.passed, f"NOISE BUG in {name}: {s.statistic} does not have its law: {s}"
        if s.mechanism != "none":
            assert s.samples >= samples, s
    noisy = {s.statistic for s in report.statistics if s.mechanism != "none"}
    assert {c.statistic for c in report.controls} == noisy
    for ctl in report.controls:
        assert ctl.caught, f"{name}: halved scale of {ctl.statistic} not rejected: {ctl}"
        assert ctl.halved.samples >= samples, ctl
        assert ctl.others_passed, f"{name}: halving {ctl.statistic} broke another: {ctl}"


@pytest.mark.slow
@pytest.mark.parametrize("case", noise_cases(), ids=lambda c: c.name)
def test_noise_distribution(case: NoiseCase) -> None:
    _check_noise(run_noise_check(case), samples_needed(case.mechanism))


@pytest.mark.slow
@pytest.mark.skipif(not RUN_THOROUGH, reason="thorough audit: set PRIVSIM_THOROUGH=1")
@pytest.mark.parametrize("case", noise_cases(), ids=lambda c: c.name)
def test_noise_distribution_thorough(case: NoiseCase) -> None:
    _check_noise(run_noise_check(case, thorough=True),
                 THOROUGH_FACTOR * samples_needed(case.mechanism))


def test_halved_distances_and_sample_sizes() -> None:
    """Laplace: |F(2x) - F(x)| = (e^-x - e^-2x)/2 peaks at x = ln 2 at 1/8. The sample
    size makes the DKW miss bound at most MISS_PROBABILITY, and one fewer does not."""
    assert halved_distance("laplace") == pytest.approx(1 / 8, abs=1e-9)
    assert 0.16 < halved_distance("gaussian") < 0.162
    laws: tuple[NoiseLaw, ...] = ("laplace", "gaussian")
    for law in laws:
        n = samples_needed(law)
        D = halved_distance(law)

        def miss(m: int, distance: float = D) -> float:
            c = math.sqrt(math.log(2 / P_THRESHOLD) / (2 * m))
            return 2 * math.exp(-2 * m * (distance - c) ** 2)

        assert miss(n) <= MISS_PROBABILITY < miss(n - 1)
    with pytest.raises(InvalidParameter):
        samples_needed("laplace", threshold=0.0)


def test_ks_test_tells_the_laws_apart() -> None:
    rng = np.random.default_rng(7)  # analysis only: not privacy noise
    normal, laplace = rng.standard_normal(3000), rng.laplace(size=3000)
    assert ks_test(normal, "gaussian")[1] > 1e-4
    assert ks_test(laplace, "laplace")[1] > 1e-4
    assert ks_test(laplace, "gaussian")[1] < P_THRESHOLD
    assert ks_test(normal / 2, "gaussian")[1] < P_THRESHOLD


def test_halve_scale_refuses_an_exact_statistic() -> None:
    spec = kind_def("inner_product").spec.parse({}, DataSpec(2, L2Ball(1.0), "replace_one"))
    plan = noise_plan(spec, PrivacyBudget(1.0))
    halved = halve_scale(plan, "sum")
    assert halved.spec("sum").scale == plan.spec("sum").scale / 2
    assert halved.budget == plan.budget
    with pytest.raises(InvalidParameter, match="exactly"):
        halve_scale(plan, "count")


# --- the bench ------------------------------------------------------------------------

@pytest.mark.slow
def test_bench_writes_the_layers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m bench.audit`` end to end on one setting of each layer."""
    import bench.audit

    monkeypatch.setattr(bench.audit, "standard_cases", lambda thorough: [])
    # the map layer on inner_product's cases only (tests/privacy/test_map.py runs them all)
    monkeypatch.setattr(bench.audit, "map_cases", lambda: [
        c for c in map_cases() if c.name.startswith("inner_product-")])
    monkeypatch.setattr(bench.audit, "search_settings", lambda: [
        s for s in search_settings() if s.name == "inner_product-laplace-replace_one-audit"])
    monkeypatch.setattr(bench.audit, "noise_cases", lambda: [
        NoiseCase(audit_target(kind_def("inner_product"), "laplace"), "replace_one")])
    assert bench.audit.main(["--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "audit.json").read_text())
    assert report["all_as_expected"] is True
    search = report["layers"]["sensitivity_search"]
    assert [r["name"] for r in search["reports"]] == ["inner_product-laplace-replace_one-audit"]
    checks = {(c["statistic"], c["norm"]): c for c in search["reports"][0]["checks"]}
    assert checks[("sum", "l1")]["tightness"] == pytest.approx(1.0, rel=1e-6)
    assert checks[("count", "l1")]["claimed"] == 0.0
    noise = report["layers"]["noise_distribution"]
    assert noise["reports"][0]["controls"][0]["caught"] is True
    markdown = (tmp_path / "audit.md").read_text()
    assert markdown.startswith("# DP audit (fast)")
    assert "## Layer 1: sensitivity search" in markdown
    assert "## Layer 2: noise distribution" in markdown
