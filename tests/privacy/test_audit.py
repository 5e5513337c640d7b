"""Statistical DP audit (core/privacy/audit.py): the harness's maths, then every kind
of the registry (the cases: core/kinds/audit_suite.py).

The suite builds every structure kind many times on worst-case neighbouring datasets
and checks that the audited lower bound on epsilon stays at or below the claim, and
that two broken mechanisms (half the noise; the wrong neighbouring relation's
sensitivity) are caught. Noise comes from the OS CSPRNG, so each audit is a random
test: a correct mechanism fails it with probability at most alpha = 1e-4, and the
controls' sizes make a miss far rarer than that (docs/privacy/audit.md).

The thorough mode (ten times the trials, every control on every kind, realistic
deltas) runs only with PRIVSIM_THOROUGH=1; it takes several minutes.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from core.domain import Box, Neighbouring
from core.errors import InvalidParameter
from core.kinds import KINDS, REGISTRY, kind_def
from core.kinds.audit_suite import audit_target, map_cases, standard_cases
from core.privacy import noise
from core.privacy.audit import (
    AUDIT_SEED,
    DEFAULT_ALPHA,
    POWERED_EPSILON,
    SELECTION_FRACTION,
    AuditCase,
    AuditResult,
    CaseResult,
    Control,
    Expectation,
    audit_plan,
    audit_releases,
    boundary_pair,
    clopper_pearson,
    epsilon_lower_bound,
    exact_statistics,
    gaussian_epsilon,
    half_noise,
    pair_epsilon,
    privacy_loss,
    run_case,
    wrong_relation_plan,
)
from core.privacy.budget import PrivacyBudget
from core.privacy.mechanisms import Mechanism, NoisePlan, NoiseSpec
from core.structures.base import DataSpec, noise_plan

THOROUGH = os.environ.get("PRIVSIM_THOROUGH") == "1"


def case_of(kind: str, mechanism: Mechanism, relation: Neighbouring,
            budget: PrivacyBudget, trials: int, control: Control = "none",
            expect: Expectation = "within_claim") -> AuditCase:
    """A case of a registered kind, as the suite builds it."""
    return AuditCase(audit_target(kind_def(kind), mechanism), relation, budget, trials,
                     control, expect)


def one_statistic(mechanism: str, scale: float, size: int = 1) -> NoisePlan:
    budget = PrivacyBudget(1.0, 1e-2 if mechanism == "gaussian" else 0.0)
    spec = NoiseSpec("stat", size, mechanism, 1.0, scale)  # type: ignore[arg-type]
    return NoisePlan("gaussian" if mechanism == "gaussian" else "laplace", budget, (spec,))


def stat(*values: float) -> dict[str, NDArray[np.float64]]:
    return {"stat": np.array(values, dtype=np.float64)}


# --- Clopper-Pearson and the bound ----------------------------------------------------

def test_clopper_pearson_matches_known_intervals() -> None:
    # the textbook exact 95% interval for 5 successes in 10 trials: [0.1871, 0.8129]
    lower, upper = clopper_pearson(5, 10, 0.025)
    assert float(lower) == pytest.approx(0.187086, abs=1e-6)
    assert float(upper) == pytest.approx(0.812914, abs=1e-6)
    # closed forms at the ends: P[0 successes] = (1 - p)^n, P[n successes] = p^n
    n, alpha = 1000, 1e-4
    lower, upper = clopper_pearson([0, n], n, alpha)
    assert lower[0] == 0.0 and upper[1] == 1.0
    assert upper[0] == pytest.approx(1 - alpha ** (1 / n), rel=1e-9)
    assert lower[1] == pytest.approx(alpha ** (1 / n), rel=1e-9)


def test_clopper_pearson_bounds_hold_at_their_level() -> None:
    """The lower bound at level alpha is the p for which P[X >= k] = alpha exactly."""
    from scipy import stats

    k, n, alpha = 37, 400, 0.01
    lower, upper = clopper_pearson(k, n, alpha)
    assert stats.binom.sf(k - 1, n, float(lower)) == pytest.approx(alpha, rel=1e-6)
    assert stats.binom.cdf(k, n, float(upper)) == pytest.approx(alpha, rel=1e-6)


def test_clopper_pearson_refuses_impossible_counts() -> None:
    with pytest.raises(InvalidParameter, match="successes"):
        clopper_pearson(11, 10, 0.05)
    with pytest.raises(InvalidParameter, match="alpha"):
        clopper_pearson(1, 10, 0.0)


def test_epsilon_bound_splits_alpha_over_the_two_proportions() -> None:
    n, alpha, delta = 7000, 1e-4, 1e-3
    lower, _ = clopper_pearson(3000, n, alpha / 2)
    _, upper = clopper_pearson(400, n, alpha / 2)
    expected = math.log((float(lower) - delta) / float(upper))
    got = float(epsilon_lower_bound(3000, 400, n, delta=delta, alpha=alpha))
    assert got == pytest.approx(expected, rel=1e-12)
    # no evidence: the favoured event is rarer than delta, or rarer than the other
    assert float(epsilon_lower_bound(5, 0, n, delta=0.01, alpha=alpha)) == 0.0
    assert float(epsilon_lower_bound(100, 400, n, delta=0.0, alpha=alpha)) == 0.0


# --- the privacy-loss statistic -------------------------------------------------------

def test_laplace_loss_on_one_coordinate_is_the_clipped_shift() -> None:
    """Lap(1) around a = 0 or b = 1: L(o) = |o - 1| - |o| is 1 left of a, -1 right of
    b, and 1 - 2o in between."""
    plan = one_statistic("laplace", 1.0)
    releases = {"stat": np.array([[-5.0], [0.0], [0.25], [0.5], [1.0], [3.0]])}
    loss = privacy_loss(plan, stat(0.0), stat(1.0), releases)
    np.testing.assert_allclose(loss, [1.0, 1.0, 0.5, 0.0, -1.0, -1.0])
    wider = privacy_loss(one_statistic("laplace", 2.0), stat(0.0), stat(1.0), releases)
    np.testing.assert_allclose(wider, loss / 2)


def test_laplace_loss_reaches_epsilon_with_probability_one_half() -> None:
    """With shift b - a = epsilon * scale, L = epsilon exactly when o <= a: probability
    1/2 under A and e^-epsilon / 2 under B (so their ratio is e^epsilon)."""
    plan, eps, trials = one_statistic("laplace", 2.0), 1.0, 20_000
    exact_a, exact_b = stat(3.0), stat(3.0 + eps * 2.0)
    at_max = []
    for exact in (exact_a, exact_b):
        loss = privacy_loss(plan, exact_a, exact_b, {"stat": noise.laplace(
            np.full((trials, 1), exact["stat"][0]), 2.0)})
        assert np.all(np.abs(loss) <= eps + 1e-9)
        at_max.append(np.mean(loss >= eps - 1e-9))
    sd = math.sqrt(0.25 / trials)
    assert abs(at_max[0] - 0.5) < 6 * sd
    assert abs(at_max[1] - 0.5 * math.exp(-eps)) < 6 * sd


def test_gaussian_loss_is_the_log_likelihood_ratio() -> None:
    plan = one_statistic("gaussian", 2.0, size=2)
    a, b = stat(0.0, 1.0), stat(1.0, -1.0)
    o = np.array([[0.5, 0.0], [3.0, 2.0]])
    direct = np.sum((o - b["stat"]) ** 2 - (o - a["stat"]) ** 2, axis=1) / (2 * 2.0**2)
    np.testing.assert_allclose(privacy_loss(plan, a, b, {"stat": o}), direct, rtol=1e-12)
    assert privacy_loss(plan, a, b, {"stat": o})[0] == pytest.approx(0.0)  # the midpoint


def test_statistics_equal_in_both_datasets_need_no_releases() -> None:
    plan = one_statistic("laplace", 1.0)
    assert privacy_loss(plan, stat(2.0), stat(2.0), {"other": np.zeros((3, 1))}).tolist() == [
        0.0, 0.0, 0.0]
    with pytest.raises(InvalidParameter, match="differs"):
        privacy_loss(plan, stat(2.0), stat(3.0), {"other": np.zeros((3, 1))})


def test_a_public_statistic_that_differs_is_caught_with_certainty() -> None:
    plan = NoisePlan("laplace", PrivacyBudget(1.0), (NoiseSpec("count", 1, "none", 0.0, 0.0),))
    a, b = {"count": np.array([4.0])}, {"count": np.array([5.0])}
    loss = privacy_loss(plan, a, b, {"count": np.array([[4.0], [5.0]])})
    assert loss.tolist() == [math.inf, -math.inf]
    result = audit_plan(plan, a, b, trials=100)
    assert result.epsilon_lower == math.inf and result.event is None
    assert not result.within_claim
    assert pair_epsilon(plan, a, b) == math.inf


# --- the audit on known distributions -------------------------------------------------

def test_audit_counts_only_the_evaluation_trials() -> None:
    """Hand-made releases: every A release sits at L = +1, every B release at L = -1,
    so the event {L >= ~1} holds for all of A's and none of B's evaluation trials."""
    plan, trials = one_statistic("laplace", 1.0), 10_000
    result = audit_releases(plan, stat(0.0), stat(1.0),
                            {"stat": np.full((trials, 1), -4.0)},
                            {"stat": np.full((trials, 1), 5.0)},
                            claimed=PrivacyBudget(1.0), alpha=1e-4)
    assert result.evaluated == 7_000 and result.trials == trials
    assert result.event is not None and result.event.favoured in ("a", "b")
    assert (result.hits_favoured, result.hits_other) == (7_000, 0)
    expected = float(epsilon_lower_bound(7_000, 0, 7_000, delta=0.0, alpha=1e-4))
    assert result.epsilon_lower == pytest.approx(expected)
    assert result.epsilon_lower > 1.0  # such releases are not 1-DP: they never overlap


def test_audit_of_one_laplace_coordinate_is_tight_and_below_epsilon() -> None:
    """The 1-d Laplace mechanism at epsilon = 1 (shift = scale): the ideal event has
    probabilities 1/2 and e^-1/2, so 14,000 evaluation trials give a bound near 0.9."""
    plan = one_statistic("laplace", 0.5)
    result = audit_plan(plan, stat(0.0), stat(0.5), trials=20_000,
                        claimed=PrivacyBudget(1.0))
    assert 0.75 < result.epsilon_lower <= 1.0


def test_exact_gaussian_epsilon_is_below_the_zcdp_conversion() -> None:
    """A Gaussian mechanism with rho-zCDP has mean shift D = sqrt(2 rho); its exact
    epsilon at delta is at most OpenDP's conversion, and reproduces delta."""
    from scipy import stats

    for rho, delta in ((0.1, 1e-2), (0.03, 1e-5)):
        shift = math.sqrt(2 * rho)
        eps = gaussian_epsilon(shift, delta)
        assert 0 < eps <= noise.zcdp_epsilon(rho, delta)
        profile = (stats.norm.cdf(shift / 2 - eps / shift)
                   - math.exp(eps) * stats.norm.cdf(-shift / 2 - eps / shift))
        assert profile == pytest.approx(delta, rel=1e-6)
    assert gaussian_epsilon(0.0, 1e-5) == 0.0


# --- neighbours and controls ----------------------------------------------------------

@pytest.mark.parametrize("relation", ["add_remove", "replace_one"])
@pytest.mark.parametrize("kind", KINDS)
def test_worst_case_pairs_are_neighbours_that_attain_the_sensitivities(
        kind: str, relation: str) -> None:
    """Under the Laplace plan the pair's divergence is its exact epsilon: it equals the
    claimed epsilon wherever one pair can attain every sensitivity at once, and lies in
    the kind's declared ``pair_reaches`` range elsewhere."""
    case = case_of(kind, "laplace", relation, PrivacyBudget(1.0), 2)  # type: ignore[arg-type]
    spec, plan = case.spec(), case.plan()
    pair = case.target.pair(spec, AUDIT_SEED, plan)
    assert not spec.data.domain.outside(pair.rows_a).any()
    assert not spec.data.domain.outside(pair.rows_b).any()
    if relation == "add_remove":
        np.testing.assert_array_equal(pair.rows_a[:-1], pair.rows_b)
    else:
        assert pair.rows_a.shape == pair.rows_b.shape
        np.testing.assert_array_equal(pair.rows_a[:-1], pair.rows_b[:-1])
    exact_a = exact_statistics(spec, AUDIT_SEED, pair.rows_a)
    exact_b = exact_statistics(spec, AUDIT_SEED, pair.rows_b)
    eps = pair_epsilon(plan, exact_a, exact_b)
    reaches = kind_def(kind).audit.pair_reaches.get(relation)
    if reaches is not None:  # no single pair attains every sensitivity at once
        low, high = reaches
        assert low * plan.spent.epsilon < eps < high * plan.spent.epsilon
    else:
        # float32 features are shrunk by 1 - 2^-20 (core/structures/feature_maps.py), so
        # they attain the bound to within 1e-6
        assert eps == pytest.approx(plan.spent.epsilon, rel=1e-5)
    # float sums may overshoot the real-arithmetic bound by an ulp or so (the caveat in
    # docs/privacy/noise.md): far below anything a statistical audit could resolve
    assert eps <= 1.0 * (1 + 1e-12)


@pytest.mark.parametrize("kind", ["sq_l2_distance", "inner_product"])
def test_worst_case_moment_pair_on_a_box_is_a_corner(kind: str) -> None:
    data = DataSpec(2, Box((10.0, -1.0), (12.0, 3.0)), "add_remove")
    spec = kind_def(kind).spec.parse({}, data)
    plan = noise_plan(spec, PrivacyBudget(1.0))
    assert kind_def(kind).audit.worst_case_pair is boundary_pair
    pair = boundary_pair(spec, AUDIT_SEED, plan)
    np.testing.assert_allclose(pair.rows_a[-1], [12.0, 3.0])
    exact_a = exact_statistics(spec, AUDIT_SEED, pair.rows_a)
    exact_b = exact_statistics(spec, AUDIT_SEED, pair.rows_b)
    assert pair_epsilon(plan, exact_a, exact_b) == pytest.approx(plan.spent.epsilon, rel=1e-9)


def test_worst_case_pairs_attain_the_gaussian_rho() -> None:
    for kind in ("gaussian_kde", "inner_product", "sq_l2_distance"):
        case = case_of(kind, "gaussian", "add_remove", PrivacyBudget(1.0, 1e-5), 2)
        spec, plan = case.spec(), case.plan()
        pair = case.target.pair(spec, AUDIT_SEED, plan)
        exact_a = exact_statistics(spec, AUDIT_SEED, pair.rows_a)
        exact_b = exact_statistics(spec, AUDIT_SEED, pair.rows_b)
        expected = gaussian_epsilon(math.sqrt(2 * plan.rho), 1e-5)
        assert pair_epsilon(plan, exact_a, exact_b, 1e-5) == pytest.approx(expected, rel=1e-6)


def test_half_noise_halves_every_scale_and_keeps_the_claim() -> None:
    plan = case_of("sq_l2_distance", "laplace", "add_remove", PrivacyBudget(1.0), 2).plan()
    half = half_noise(plan)
    assert half.budget == plan.budget and half.spent == plan.spent
    for full, halved in zip(plan.specs, half.specs, strict=True):
        assert halved.scale == full.scale / 2


def test_wrong_relation_plan_forgets_to_double_the_sums() -> None:
    case = case_of("gaussian_kde", "laplace", "replace_one", PrivacyBudget(1.0), 2)
    right = noise_plan(case.spec(), case.budget)
    wrong = wrong_relation_plan(case.target.parse, case.params(), case.data(), case.budget)
    assert wrong.spec("count").mechanism == "none"  # n stays public: all budget on sums
    assert wrong.spec("features").sensitivity == right.spec("features").sensitivity / 2
    assert wrong.spec("features").scale == pytest.approx(right.spec("features").scale / 2)
    with pytest.raises(InvalidParameter, match="replace_one"):
        wrong_relation_plan(case.target.parse, case.params(),
                            case_of("gaussian_kde", "laplace", "add_remove",
                                    case.budget, 2).data(), case.budget)


# --- the suite: every kind, mechanism and relation; the controls ----------------------

def _check(case: AuditCase) -> None:
    out = run_case(case, alpha=DEFAULT_ALPHA)
    bound, claimed = out.result.epsilon_lower, case.budget.epsilon
    detail = (f"{case.name}: lower bound {bound:.3f}, claimed {claimed}, pair's true "
              f"epsilon {out.pair_epsilon:.3f}, event {out.result.event}, hits "
              f"{out.result.hits_favoured}/{out.result.hits_other} of {out.result.evaluated}")
    # valid whatever the case: the bound never exceeds what the pair really achieves
    assert bound <= out.pair_epsilon * (1 + 1e-9), "harness bug: " + detail
    if case.expect == "within_claim":
        assert out.pair_epsilon <= claimed * (1 + 1e-9), "plan over its claim: " + detail
        assert bound <= claimed, "PRIVACY VIOLATION: " + detail
    elif case.expect == "caught":
        assert out.pair_epsilon > claimed, "the control is not broken: " + detail
        assert bound > claimed, "control missed (the audit lacks power): " + detail
    elif case.expect == "caught_if_powered":
        if out.pair_epsilon <= claimed * (1 + 1e-9):
            pytest.skip("the control does not break the claim on this pair, so catching it "
                        "or not proves nothing: " + detail)
        # caught where the true epsilon reaches POWERED_EPSILON, else only bounded (above)
        assert out.as_expected, (f"control missed (true epsilon at least {POWERED_EPSILON}: "
                                 "the audit lacks power): " + detail)
    else:  # bounded: a real but small violation, checked by the bound above
        assert out.pair_epsilon > claimed, "the control is not broken: " + detail


# the relation each whole-plan control is audited under
CONTROL_RELATION = {"half_noise": "add_remove", "wrong_relation": "replace_one"}


def _controls(cases: list[AuditCase]) -> dict[str, AuditCase]:
    return {c.name: c for c in cases if c.control in CONTROL_RELATION}


def test_controls_of_a_pair_that_reaches_part_of_the_claim_are_caught_if_powered() -> None:
    """Where a kind's worst pair reaches only part of the claim under a relation
    (``pair_reaches``), doubling its epsilon need not break the claim (``l2_distance``'s
    wrong relation stays at 0.94), so that relation's control is caught where powered;
    the other relation's control of the same kind, and every control of a kind whose
    pair attains the claim, must be caught."""
    thorough = _controls(standard_cases(thorough=True))
    partial = [k for k in REGISTRY.values() if k.audit.pair_reaches]
    assert {k.name for k in partial} >= {"l2_distance", "sq_l2_distance"}
    for kind in REGISTRY.values():
        for mechanism in kind.mechanisms:
            for control, relation in CONTROL_RELATION.items():
                delta = "" if mechanism == "laplace" else "-delta0.01"
                case = thorough[f"{kind.name}-{mechanism}-{relation}-{control}{delta}"]
                assert case.relation == relation and case.trials == 200_000
                reaches_part = relation in kind.audit.pair_reaches
                assert case.expect == ("caught_if_powered" if reaches_part else "caught"), (
                    case.name)
    # the two kinds that declare it today, spelled out: l2_distance under both
    # relations, sq_l2_distance under replace-one only (its add/remove pair attains it)
    expected = {"l2_distance": ("caught_if_powered", "caught_if_powered"),
                "sq_l2_distance": ("caught", "caught_if_powered")}
    for kind_name, (half, wrong) in expected.items():
        for mechanism in kind_def(kind_name).mechanisms:
            delta = "" if mechanism == "laplace" else "-delta0.01"
            name = f"{kind_name}-{mechanism}"
            assert thorough[f"{name}-add_remove-half_noise{delta}"].expect == half
            assert thorough[f"{name}-replace_one-wrong_relation{delta}"].expect == wrong


def test_every_other_control_must_be_caught() -> None:
    """Kinds without ``pair_reaches`` keep ``caught`` everywhere: the fast suite's
    declared controls, the thorough ones and those at a realistic delta."""
    for thorough in (False, True):
        for case in _controls(standard_cases(thorough=thorough)).values():
            if CONTROL_RELATION[case.control] not in kind_def(case.kind).audit.pair_reaches:
                assert case.expect == "caught", case.name


def test_the_fast_suite_keeps_a_caught_control_per_mechanism() -> None:
    """CI must keep proving that the audit has power: for every mechanism a kind
    offers, at least one half-noise and one wrong-relation control required caught."""
    fast = _controls(standard_cases()).values()
    mechanisms = {m for kind in REGISTRY.values() for m in kind.mechanisms}
    for mechanism in mechanisms:
        for control in CONTROL_RELATION:
            assert any(c.mechanism == mechanism and c.control == control
                       and c.expect == "caught" for c in fast), (mechanism, control)


def _faked(case: AuditCase, true_epsilon: float, bound: float) -> CaseResult:
    """An outcome of ``case`` with this true epsilon on its pair and this bound."""
    evaluated = case.trials - int(case.trials * SELECTION_FRACTION)
    return CaseResult(case, "a faked pair", true_epsilon,
                      AuditResult(bound, case.budget, case.trials, evaluated, DEFAULT_ALPHA,
                                  None))


@pytest.mark.parametrize(("true_epsilon", "bound", "outcome"), [
    (0.94, 0.80, "skipped"),  # not broken on this pair: proves nothing either way
    (1.00, 0.90, "skipped"),  # at the claim: still not broken
    (1.38, 0.95, "passes"),  # broken but under-powered: missing it is allowed
    (1.38, 1.10, "passes"),  # under-powered, caught anyway
    (1.48, 1.20, "passes"),  # powered and caught
    (1.48, 0.98, "fails"),  # powered and missed: the audit lacks power
    (POWERED_EPSILON, 1.0, "fails"),  # powered from POWERED_EPSILON on; bound = claim misses
    (1.38, 1.45, "fails"),  # a bound above the true epsilon is a harness bug
])
def test_a_control_caught_if_powered_is_judged_by_its_true_epsilon(
        monkeypatch: pytest.MonkeyPatch, true_epsilon: float, bound: float,
        outcome: str) -> None:
    case = case_of("l2_distance", "laplace", "replace_one", PrivacyBudget(1.0), 100,
                   "wrong_relation", "caught_if_powered")
    monkeypatch.setitem(globals(), "run_case",
                        lambda c, alpha: _faked(c, true_epsilon, bound))
    if outcome == "skipped":
        with pytest.raises(pytest.skip.Exception, match="does not break the claim"):
            _check(case)
    elif outcome == "fails":
        with pytest.raises(AssertionError):
            _check(case)
    else:
        _check(case)


@pytest.mark.slow
@pytest.mark.parametrize("case", standard_cases(), ids=lambda c: c.name)
def test_audit(case: AuditCase) -> None:
    _check(case)


@pytest.mark.slow
@pytest.mark.skipif(not THOROUGH, reason="thorough audit: set PRIVSIM_THOROUGH=1")
@pytest.mark.parametrize("case", standard_cases(thorough=True), ids=lambda c: c.name)
def test_audit_thorough(case: AuditCase) -> None:
    _check(case)


@pytest.mark.slow
def test_bench_writes_the_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m bench.audit`` end to end, on two tiny cases (a pass and a control)."""
    import json

    import bench.audit

    tiny = [case_of("inner_product", "laplace", "add_remove", PrivacyBudget(1.0), 400),
            case_of("inner_product", "laplace", "replace_one", PrivacyBudget(1.0), 400,
                    "wrong_relation", "bounded")]
    monkeypatch.setattr(bench.audit, "standard_cases", lambda thorough: tiny)
    # the map layer on inner_product's cases only (tests/privacy/test_map.py runs them all)
    monkeypatch.setattr(bench.audit, "map_cases", lambda: [
        c for c in map_cases() if c.name.startswith("inner_product-")])
    assert bench.audit.main(["--out", str(tmp_path), "--layer", "map",
                             "--layer", "black-box"]) == 0
    report = json.loads((tmp_path / "audit.json").read_text())
    assert report["mode"] == "fast" and report["all_as_expected"] is True
    assert [r["control"] for r in report["results"]] == ["none", "wrong_relation"]
    assert report["results"][0]["verdict"] == "pass"
    assert report["results"][1]["pair_epsilon"] == pytest.approx(2.0)
    markdown = (tmp_path / "audit.md").read_text()
    assert markdown.startswith("# DP audit (fast)")
    assert report["layers"]["privacy_map"]["all_as_expected"] is True
    assert "## Layer 3: privacy map" in markdown
    assert "| inner_product | laplace | replace_one | wrong_relation | (1, 0) | 400 |" in markdown
