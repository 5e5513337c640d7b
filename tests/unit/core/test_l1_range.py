"""``l1_distance`` with a public ``coordinate_bound``: grids narrowed to [-t, t], rows
clamped into them (docs/privacy/distance.md, "The coordinate bound"). The clamp's
worst-case bias, the re-derived sensitivities (checked on neighbours and by the audit's
search), accuracy against the brute force inside and outside the range, exact answers
for queries beyond it, parameter validation and the release round trip."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core._array import to_host
from core.domain import Box, Domain, L2Ball, Neighbouring
from core.errors import CorruptRelease, InvalidParameter
from core.kinds import kind_def
from core.kinds.audit_suite import audit_target
from core.kinds.l1_distance.release import L1DistanceRelease
from core.kinds.l1_distance.spec import L1DistanceSpec
from core.privacy.audit import AUDIT_SEED, exact_statistics, pair_epsilon
from core.privacy.budget import PrivacyBudget
from core.privacy.sensitivity_search import check_claims, search_sensitivity
from core.structures import DataSpec, dump_release, load_release, noise_plan, parse_spec
from core.structures.dyadic_trees import clipped_norms, clipping_bias
from tests.helpers import exact_answers, unit_ball_rows

DIM = 4
R = 1.5
BALL = L2Ball(R)
BOX = Box((-1.0, 0.0, 2.0, -0.5), (1.0, 1.0, 3.0, 0.5))
# below R / sqrt(d) = 0.75 (M1 = d t), between it and R, and at least R (no clamp)
BOUNDS = (0.3, 0.9, 2.0)


def _spec(params: dict[str, Any], domain: Domain = BALL,
          neighbouring: Neighbouring = "add_remove", dim: int = DIM) -> L1DistanceSpec:
    spec = parse_spec("l1_distance", params, DataSpec(dim, domain, neighbouring))
    assert isinstance(spec, L1DistanceSpec)
    return spec


def _noiseless(spec: L1DistanceSpec, rows: np.ndarray) -> L1DistanceRelease:
    """The release the exact statistics of ``rows`` give (no noise)."""
    builder = spec.builder(0)
    exact = {k: to_host(v) for k, v in builder.accumulate(spec.data.domain.clip(rows)).items()}
    release = builder.finish(exact, noise_plan(spec, PrivacyBudget(1.0)))
    assert isinstance(release, L1DistanceRelease)
    return release


# --- the clamp's bias and norms --------------------------------------------------------

def _row_bias(rows: np.ndarray, t: float) -> np.ndarray:
    return np.asarray(np.sum(np.maximum(np.abs(rows) - t, 0.0), axis=1))


@pytest.mark.parametrize("dim", [1, 2, 5, 64])
@pytest.mark.parametrize("t", [0.01, 0.1, 0.3, 0.7, 1.0, 1.2])
def test_the_ball_bias_is_the_supremum_over_the_ball(dim: int, t: float) -> None:
    """max_k (sqrt(k) R - k t)_+ is attained by k equal coordinates R / sqrt(k), no row
    of the ball exceeds it (random and sparse rows on the sphere), and it is at most
    R^2 / (4 t)."""
    radius = 1.0
    data = DataSpec(dim, L2Ball(radius), "add_remove")
    bias = clipping_bias(data, t)
    best = max(max(math.sqrt(k) * radius - k * t, 0.0) for k in range(1, dim + 1))
    assert bias == pytest.approx(best, rel=1e-12, abs=1e-15)
    assert bias <= radius**2 / (4 * t) * (1 + 1e-12)
    rng = np.random.default_rng(dim)
    sparse = rng.uniform(size=(2000, dim)) < rng.uniform(size=(2000, 1))  # 0 to dim kept
    g = rng.standard_normal((2000, dim)) * sparse
    g[np.all(g == 0, axis=1), 0] = 1.0
    rows = radius * g / np.linalg.norm(g, axis=1, keepdims=True)
    assert np.max(_row_bias(rows, t)) <= bias * (1 + 1e-12) + 1e-15
    k = max(range(1, dim + 1), key=lambda k: math.sqrt(k) * radius - k * t)
    attained = np.zeros((1, dim))
    attained[0, :k] = radius / math.sqrt(k)
    assert _row_bias(attained, t)[0] == pytest.approx(bias, rel=1e-9, abs=1e-15)


def test_bias_and_norms_of_the_clamped_domains() -> None:
    data = DataSpec(DIM, BALL, "add_remove")
    assert clipping_bias(data, None) == 0.0
    assert clipping_bias(data, R) == 0.0 and clipping_bias(data, 2 * R) == 0.0
    # ball: M1 = min(sqrt(d) R, d t), M2 = min(R, sqrt(d) t)
    for t in BOUNDS:
        half = np.full(DIM, min(t, R))
        assert clipped_norms(data, half) == pytest.approx(
            (min(math.sqrt(DIM) * R, DIM * t), min(R, math.sqrt(DIM) * t)))
    box = DataSpec(DIM, BOX, "add_remove")
    h = np.minimum(BOX.half_widths(DIM), 0.4)  # (0.4, 0.4, 0.4, 0.4) of (1, .5, .5, .5)
    assert clipped_norms(box, h) == pytest.approx((1.6, 0.8))
    assert clipping_bias(box, 0.4) == pytest.approx(0.6 + 3 * 0.1)


# --- sensitivities ----------------------------------------------------------------------

row = arrays(np.float64, DIM, elements=st.floats(-4, 4, allow_nan=False))
rows = arrays(np.float64, st.tuples(st.integers(1, 8), st.just(DIM)),
              elements=st.floats(-4, 4, allow_nan=False))
SPECS = [_spec({"grid_levels": 3, "coordinate_bound": t, "estimator": estimator}, domain,
               neighbouring)
         for t in BOUNDS for domain in (BALL, BOX) for estimator in ("prefix", "banded")
         for neighbouring in ("add_remove", "replace_one")]


def _stats(spec: L1DistanceSpec, data: np.ndarray) -> dict[str, np.ndarray]:
    sums = spec.builder(0).accumulate(spec.data.domain.clip(data))
    return {k: np.asarray(v, dtype=np.float64) for k, v in sums.items()}


@settings(max_examples=80, deadline=None)
@given(data=rows, new=row, scale=st.sampled_from([1.0, 100.0]),
       which=st.integers(0, len(SPECS) - 1))
def test_neighbours_move_the_trees_by_at_most_the_claims(data: np.ndarray, new: np.ndarray,
                                                         scale: float, which: int) -> None:
    """Add/remove the row ``new`` (scaled: far outside, so clipped to the domain's
    boundary), or replace the first row by it."""
    spec = SPECS[which]
    new = new * scale
    if spec.data.neighbouring == "add_remove":
        a, b = np.vstack([data, new]), data
    else:
        a, b = data, np.vstack([new, data[1:]])
    sa, sb = _stats(spec, a), _stats(spec, b)
    for stat in spec.statistics():
        diff = sa[stat.name] - sb[stat.name]
        assert np.sum(np.abs(diff)) <= stat.l1_sensitivity * (1 + 1e-9) + 1e-12, stat.name
        assert np.linalg.norm(diff) <= stat.l2_sensitivity * (1 + 1e-9) + 1e-12, stat.name


@pytest.mark.parametrize("t", BOUNDS)
@pytest.mark.parametrize("neighbouring", ["add_remove", "replace_one"])
def test_the_claims_are_attained_and_the_search_finds_no_excess(
        t: float, neighbouring: Neighbouring) -> None:
    """The row along (1, ..., 1) on the sphere (clamped: every coordinate min(R / sqrt(d),
    t)) and its antipode attain the L1 claims; the audit's sensitivity search (its
    generic rows and the kind's grid rows) finds nothing above any claim."""
    spec = _spec({"grid_levels": 3, "coordinate_bound": t}, BALL, neighbouring)
    u = np.full((1, DIM), R / math.sqrt(DIM))
    a = _stats(spec, u)
    b = _stats(spec, -u) if neighbouring == "replace_one" else {
        k: np.zeros_like(v) for k, v in a.items()}
    for stat in spec.statistics():
        diff = a[stat.name] - b[stat.name]
        assert np.sum(np.abs(diff)) == pytest.approx(stat.l1_sensitivity, rel=1e-9)
    m1, _ = clipped_norms(spec.data, spec.half_widths())
    assert m1 == pytest.approx(min(math.sqrt(DIM) * R, DIM * t))
    result = search_sensitivity(spec, AUDIT_SEED,
                                candidates=kind_def("l1_distance").audit.search_candidates)
    for check in check_claims(result, spec.statistics()):
        assert check.within_claim, check


def test_the_search_catches_a_build_that_forgets_the_clamp(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The negative control: rows counted on the narrowed grid but summed unclamped
    move the sums tree by M1 = R > t per level, which the audit's search must flag."""
    import core.kinds.l1_distance.release as l1_release
    from core.structures.dyadic_trees import grid_trees

    def unclamped(X: np.ndarray, center: np.ndarray, half: np.ndarray, levels: int,
                  with_sums: bool) -> dict[str, np.ndarray]:
        counts, sums = grid_trees(X - center, half, levels, with_sums)
        assert sums is not None  # the prefix estimator's
        return {"counts": counts.reshape(-1), "sums": sums.reshape(-1)}

    spec = audit_target(kind_def("l1_distance"), "laplace", "coordinate_bound").spec(
        "add_remove")
    candidates = kind_def("l1_distance").audit.search_candidates
    checks = check_claims(search_sensitivity(spec, AUDIT_SEED, candidates=candidates),
                          spec.statistics())
    assert all(c.within_claim for c in checks)
    monkeypatch.setattr(l1_release, "accumulate_trees", unclamped)
    checks = check_claims(search_sensitivity(spec, AUDIT_SEED, candidates=candidates),
                          spec.statistics())
    assert {(c.statistic, c.norm) for c in checks if not c.within_claim} == {
        ("sums", "l1"), ("sums", "l2")}


@pytest.mark.parametrize("relation", ["add_remove", "replace_one"])
def test_the_audit_variant_pair_attains_the_claimed_epsilon(relation: Neighbouring) -> None:
    """The black-box audit's variant (``l1_distance+coordinate_bound``): its worst-case
    pair, clamped, still attains the plan's epsilon exactly (the claims are tight)."""
    target = audit_target(kind_def("l1_distance"), "laplace", "coordinate_bound")
    assert target.kind == "l1_distance+coordinate_bound"
    assert target.params["coordinate_bound"] < 1.0  # it cuts the audit's unit ball
    spec = target.spec(relation)
    plan = noise_plan(spec, PrivacyBudget(1.0))
    pair = target.pair(spec, AUDIT_SEED, plan)
    eps = pair_epsilon(plan, exact_statistics(spec, AUDIT_SEED, pair.rows_a),
                       exact_statistics(spec, AUDIT_SEED, pair.rows_b))
    assert eps == pytest.approx(1.0, rel=1e-9)


# --- accuracy -------------------------------------------------------------------------------

def test_rows_inside_the_range_carry_no_bias() -> None:
    """Rows with every |x_i| <= t: the clamp moves nothing, the answer is as exact as
    the (finer) grid allows, one-sided, and within the grid part of the bound."""
    t = 0.4
    rows = np.random.default_rng(3).uniform(-t, t, size=(500, DIM))
    spec = _spec({"grid_levels": 12, "coordinate_bound": t})
    release = _noiseless(spec, rows)
    points = np.vstack([rows[:50] + 0.001, np.zeros(DIM), np.full(DIM, 0.35)])
    values, _, approx = release.query(points)
    exact = exact_answers("l1_distance", rows, points)
    error = exact - values
    grid_part = approx - spec.clip_bias * (len(rows) + 2 * release.plan.std("counts")
                                           / math.sqrt(DIM))
    assert np.all(error >= -1e-9 * exact)
    assert np.all(error <= grid_part + 1e-9 * exact)
    assert np.max(error / exact) < 1e-6


def test_rows_beyond_the_range_stay_within_the_bias_bound() -> None:
    """Spiky rows (all their norm in one or two coordinates) lose up to R - t per
    clamped coordinate: the error is visible, at most n * bias + the grid's, and the
    mean's within bias + the grid's."""
    t = 0.3
    rng = np.random.default_rng(4)
    spikes = np.zeros((200, DIM))
    spikes[np.arange(200), rng.integers(0, DIM, 200)] = R * rng.choice([-1.0, 1.0], 200)
    rows = np.vstack([spikes, unit_ball_rows(300, DIM, seed=5, radius=R)])
    spec = _spec({"grid_levels": 10, "coordinate_bound": t})
    release = _noiseless(spec, rows)
    points = np.vstack([unit_ball_rows(40, DIM, seed=6, radius=R), np.zeros(DIM)])
    exact = exact_answers("l1_distance", rows, points)
    values, _, approx = release.query(points)
    error = np.abs(exact - values)
    assert np.all(error <= approx)
    assert np.min(error) > 0.2 * len(spikes)  # about (R - t) per spike, partly offset
    mean = release.query(points, "mean")
    assert np.all(np.abs(exact / len(rows) - mean.values) <= mean.approximation_std)
    # R^2 / (4 t^2) = 6.25 > d: the peak is at k = d, 2 R - 4 t
    assert spec.clip_bias == pytest.approx(2 * R - 4 * t)
    assert np.max(_row_bias(rows, t)) <= spec.clip_bias


def test_queries_beyond_the_range_are_exact_given_the_clamped_rows() -> None:
    """|y_i| > t in every coordinate: every clamped row lies on one side of y_i, so the
    prefix answer is the brute force on the clamped rows, to rounding."""
    t = 0.3
    rows = unit_ball_rows(400, DIM, seed=7, radius=R)
    spec = _spec({"grid_levels": 5, "coordinate_bound": t})
    release = _noiseless(spec, rows)
    signs = np.random.default_rng(8).choice([-1.0, 1.0], size=(30, DIM))
    points = signs * np.random.default_rng(9).uniform(t * 1.01, 3.0, size=(30, DIM))
    clamped = np.clip(rows, -t, t)
    np.testing.assert_allclose(release.query(points).values,
                               exact_answers("l1_distance", clamped, points), rtol=1e-12)


def test_the_bound_narrows_the_grid_and_a_wide_one_changes_nothing() -> None:
    rows = unit_ball_rows(300, DIM, seed=10, radius=R)
    plain = _spec({"grid_levels": 6})
    wide = _spec({"grid_levels": 6, "coordinate_bound": 2 * R})
    narrow = _spec({"grid_levels": 6, "coordinate_bound": 0.5})
    np.testing.assert_array_equal(plain.half_widths(), np.full(DIM, R))
    np.testing.assert_array_equal(wide.half_widths(), np.full(DIM, R))
    np.testing.assert_array_equal(narrow.half_widths(), np.full(DIM, 0.5))
    assert "coordinate_bound" not in plain.public_params()  # earlier releases unchanged
    assert narrow.public_params()["coordinate_bound"] == 0.5
    a, b = _stats(plain, rows), _stats(wide, rows)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
    assert wide.statistics() == plain.statistics() and wide.clip_bias == 0.0
    # the depth alpha derives follows the narrowed range: d = 2,048, t = 4 R / sqrt(d)
    data = DataSpec(2048, L2Ball(1.0), "add_remove")
    full = parse_spec("l1_distance", {"alpha": 0.1}, data)
    bounded = parse_spec("l1_distance", {"alpha": 0.1, "coordinate_bound": 4 / math.sqrt(2048)},
                         data)
    assert full.public_params()["grid_levels"] == 10
    assert bounded.public_params()["grid_levels"] == 7


def test_estimate_and_error_model_report_the_bias() -> None:
    spec = _spec({"grid_levels": 6, "coordinate_bound": 0.5})
    plan = noise_plan(spec, PrivacyBudget(1.0))
    release = _noiseless(spec, unit_ball_rows(100, DIM, seed=11, radius=R))
    model = release.error_model(spec.data)
    leaf_l1 = DIM * 2 * 0.5 / 2**6
    # R^2 / (4 t^2) = 2.25: k = 2 beats k = 3, sqrt(2) R - 2 t (just below R^2 / (4 t))
    assert model.details["clip_bias_per_row"] == spec.clip_bias == pytest.approx(
        math.sqrt(2) * R - 2 * 0.5)
    assert model.approximation_std_mean == pytest.approx(leaf_l1 + spec.clip_bias)
    assert spec.estimate(plan, 100).approximation_mean == pytest.approx(
        model.approximation_std_mean)
    unbounded = _noiseless(_spec({"grid_levels": 6}), unit_ball_rows(100, DIM, seed=11))
    assert "clip_bias_per_row" not in unbounded.error_model(spec.data).details


# --- parameters and release files -------------------------------------------------------

@pytest.mark.parametrize("value", [0, -0.5, 1e-13, 1e13, float("inf"), "0.5", True])
def test_bad_bounds_are_refused_with_the_parameter_named(value: object) -> None:
    with pytest.raises(InvalidParameter) as info:
        _spec({"coordinate_bound": value})
    assert info.value.name == "params.coordinate_bound"


def test_l2_distance_takes_no_bound() -> None:
    with pytest.raises(InvalidParameter) as info:
        parse_spec("l2_distance", {"coordinate_bound": 0.5},
                   DataSpec(DIM, BALL, "add_remove"))
    assert info.value.name == "params"


@pytest.mark.parametrize("estimator", ["prefix", "banded"])
def test_release_files_round_trip_with_the_bound(estimator: str) -> None:
    spec = _spec({"grid_levels": 4, "coordinate_bound": 0.5, "estimator": estimator}, BALL)
    plan = noise_plan(spec, PrivacyBudget(1.0))
    builder = spec.builder(0)
    exact = {k: to_host(v) for k, v in builder.accumulate(
        BALL.clip(unit_ball_rows(80, DIM, seed=12, radius=R))).items()}
    release = builder.finish(exact, plan)
    blob = dump_release(release)
    again = load_release(blob)
    assert dump_release(again) == blob
    assert isinstance(again, L1DistanceRelease) and again.clip_bias == spec.clip_bias
    np.testing.assert_array_equal(again.half_widths, np.full(DIM, 0.5))
    points = np.vstack([unit_ball_rows(5, DIM, seed=13, radius=R), np.full(DIM, 2.0)])
    for reduce in ("sum", "mean"):
        for x, y in zip(release.query(points, reduce), again.query(points, reduce),
                        strict=True):
            np.testing.assert_array_equal(x, y)
    assert again.error_model(spec.data) == release.error_model(spec.data)
    header = release.header()
    assert header["clip_bias"] == spec.clip_bias
    for bad in (-1.0, float("nan")):
        with pytest.raises(CorruptRelease):
            L1DistanceRelease.from_parts({**header, "clip_bias": bad}, release.arrays())
