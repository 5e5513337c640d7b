"""Every kind against exact brute force: at very large epsilon the error must be within
the reported error model (noise std and approximation bound), for both neighbouring
relations and both mechanisms."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from core.domain import Box, L2Ball
from core.errors import IncompatibleArrays, InvalidParameter
from core.kinds import KINDS, kind_def
from core.privacy.budget import PrivacyBudget
from core.structures import (
    DataSpec,
    Spec,
    build_release,
    dump_release,
    load_release,
    noise_plan,
    parse_spec,
)
from tests.helpers import exact_answers, unit_ball_rows

ROWS = unit_ball_rows(3000, 8, seed=1)
POINTS = unit_ball_rows(40, 8, seed=2, radius=1.0)
# every registered kind, under each relation and mechanism it offers, on its example
CASES = [(kind, nb, mech) for kind in KINDS for nb in kind_def(kind).relations
         for mech in kind_def(kind).mechanisms]


UNIT_BALL = L2Ball(1.0)


def _spec(kind: str, neighbouring: str = "add_remove", mechanism: str = "laplace",
          params: dict[str, Any] | None = None, dim: int = 8,
          domain: L2Ball | Box = UNIT_BALL) -> Spec:
    """The kind on a ``dim``-dimensional dataset: its example parameters unless given."""
    params = dict(kind_def(kind).example_params if params is None else params)
    params["mechanism"] = mechanism
    return parse_spec(kind, params, DataSpec(dim, domain, neighbouring))  # type: ignore[arg-type]


def _release(kind: str, neighbouring: str, mechanism: str, epsilon: float,
             rows: np.ndarray = ROWS, domain: L2Ball | Box = UNIT_BALL, seed: int = 7,
             params: dict[str, Any] | None = None):
    spec = _spec(kind, neighbouring, mechanism, params, rows.shape[1], domain)
    delta = 1e-6 if mechanism == "gaussian" else 0.0
    plan = noise_plan(spec, PrivacyBudget(epsilon, delta))
    return build_release(spec, seed=seed, plan=plan,
                         chunks=[rows[:1000], rows[1000:2500], rows[2500:]])


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "neighbouring", "mechanism"), CASES)
def test_matches_brute_force_within_the_error_model(kind, neighbouring, mechanism) -> None:
    release = _release(kind, neighbouring, mechanism, epsilon=1e5)
    exact = kind_def(kind).reference(_spec(kind, neighbouring, mechanism), ROWS, POINTS)
    for reduce, target in (("sum", exact), ("mean", exact / len(ROWS))):
        values, std, approx = release.query(POINTS, reduce)
        # one noise vector serves every query, so the worst of 40 directions sees nearly
        # its whole norm: 8 std keeps false alarms below 1e-3 for an 8-d Laplace vector
        bound = 8 * np.sqrt(std**2 + approx**2) + 1e-9 * np.abs(target)
        assert np.all(np.abs(values - target) <= bound), (reduce, np.max(np.abs(values - target)))
        if kind in ("sq_l2_distance", "inner_product"):
            # exact identities: no approximation error, and the noise is tiny here
            assert np.all(approx == 0)
            assert np.all(std <= 1e-4 * np.abs(target) + 1e-2)


@pytest.mark.parametrize("kind", ["gaussian_kde", "rff_baseline"])
def test_random_features_are_close_to_the_kernel(kind) -> None:
    release = _release(kind, "add_remove", "laplace", epsilon=1e5,
                       params={"bandwidth": 0.5, "features": 2048})
    values, _, approx = release.query(POINTS, "mean")
    error = np.abs(values - exact_answers(kind, ROWS, POINTS) / len(ROWS))
    assert np.mean(error) < 0.02
    # 1/sqrt(m), plus (float32 queries of gaussian_kde) a bound on their rounding that
    # is a small fraction of it
    assert np.all(approx >= 1 / np.sqrt(2048))
    assert np.all(approx <= 1.01 / np.sqrt(2048))


def test_moments_on_an_off_centre_box() -> None:
    box = Box.uniform(2.0, 3.0, 4)
    rows = 2.0 + np.random.default_rng(3).uniform(size=(500, 4))
    points = np.array([[0.0, 0.0, 0.0, 0.0], [2.5, 2.5, 2.5, 2.5], [10.0, -3.0, 1.0, 2.0]])
    for kind in ("sq_l2_distance", "inner_product"):
        spec = parse_spec(kind, {}, DataSpec(4, box, "add_remove"))
        release = build_release(spec, seed=1, plan=noise_plan(spec, PrivacyBudget(1e6)),
                                chunks=[rows])
        np.testing.assert_allclose(release.query(points).values,
                                   exact_answers(kind, rows, points), rtol=1e-5)


def test_rows_outside_the_domain_are_clipped_before_summing() -> None:
    far = np.full((10, 8), 5.0)  # far outside the unit ball
    release = _release("inner_product", "add_remove", "laplace", 1e6, rows=far)
    clipped_sum = L2Ball(1.0).clip(far).sum(axis=0)
    np.testing.assert_allclose(release.query(np.eye(8)).values, clipped_sum, atol=1e-3)


@pytest.mark.slow
def test_noise_std_matches_the_noise_at_moderate_epsilon() -> None:
    """Over independent builds, the spread of the answers is the reported std."""
    point = POINTS[:1]
    answers, stds = [], []
    for _ in range(30):
        values, std, _ = _release("gaussian_kde", "add_remove", "gaussian", 0.5).query(point)
        answers.append(values[0])
        stds.append(std[0])
    ratio = np.std(answers, ddof=1) / np.mean(stds)
    assert 0.6 < ratio < 1.5  # 30 draws: the sample std is within these bounds w.p. > 0.99


def test_gaussian_mechanism_noise_does_not_grow_with_features() -> None:
    data = DataSpec(8, L2Ball(1.0), "add_remove")
    stds = []
    for m in (256, 4096):
        spec = parse_spec("gaussian_kde", {"bandwidth": 0.5, "features": m,
                                           "mechanism": "gaussian"}, data)
        plan = noise_plan(spec, PrivacyBudget(1.0, 1e-6))
        stds.append(plan.std("features") * np.sqrt(2 / m))
    assert stds[0] == pytest.approx(stds[1], rel=1e-6)


def test_projection_reduces_the_query_dimension() -> None:
    spec = parse_spec("gaussian_kde", {"bandwidth": 1.0, "features": 512, "projection_dim": 4},
                      DataSpec(8, L2Ball(1.0), "add_remove"))
    release = build_release(spec, seed=3, plan=noise_plan(spec, PrivacyBudget(1e6)),
                            chunks=[ROWS])
    arrays = release.arrays()
    assert arrays["projection"].shape == (4, 8)
    assert arrays["frequencies"].shape == (256, 4)
    values, _, approx = release.query(POINTS, "mean")
    exact = exact_answers("gaussian_kde", ROWS, POINTS, bandwidth=1.0) / len(ROWS)
    assert np.all(np.abs(values - exact) <= 4 * approx)


def test_same_seed_same_public_randomness() -> None:
    a = _release("gaussian_kde", "add_remove", "laplace", 1.0, seed=11).arrays()
    b = _release("gaussian_kde", "add_remove", "laplace", 1.0, seed=11).arrays()
    np.testing.assert_array_equal(a["frequencies"], b["frequencies"])
    assert not np.array_equal(a["feature_sum"], b["feature_sum"])  # fresh noise each build


def test_empty_dataset_builds() -> None:
    spec = _spec("gaussian_kde")
    release = build_release(spec, seed=1, plan=noise_plan(spec, PrivacyBudget(1.0)), chunks=[])
    assert np.all(np.isfinite(release.query(POINTS, "mean").values))


def test_release_files_round_trip() -> None:
    for kind in KINDS:
        release = _release(kind, "add_remove", "laplace", 1.0)
        again = load_release(dump_release(release))
        np.testing.assert_array_equal(release.query(POINTS).values, again.query(POINTS).values)
        data = _spec(kind).data
        assert again.error_model(data) == release.error_model(data)


@pytest.mark.parametrize(("kind", "params"), [
    ("gaussian_kde", {}),
    ("gaussian_kde", {"bandwidth": 0}),
    ("gaussian_kde", {"bandwidth": "wide"}),
    ("gaussian_kde", {"bandwidth": 1, "features": 1}),
    ("gaussian_kde", {"bandwidth": 1, "features": 10**9}),
    ("gaussian_kde", {"bandwidth": 1, "projection_dim": 0}),
    ("gaussian_kde", {"bandwidth": 1, "mechanism": "exponential"}),
    ("gaussian_kde", {"bandwidth": 1, "colour": "red"}),
    ("rff_baseline", {"bandwidth": 1, "mechanism": "gaussian"}),
    ("sq_l2_distance", {"bandwidth": 1}),
    ("no_such_kind", {}),
])
def test_bad_params_are_refused_with_the_parameter_named(kind, params) -> None:
    with pytest.raises(InvalidParameter):
        parse_spec(kind, params, DataSpec(8, L2Ball(1.0), "add_remove"))


def test_alpha_chooses_the_number_of_features() -> None:
    spec = parse_spec("gaussian_kde", {"bandwidth": 1, "alpha": 0.05},
                      DataSpec(8, L2Ball(1.0), "add_remove"))
    assert spec.public_params()["features"] == 400


@pytest.mark.parametrize("kind", ["gaussian_kde", "exponential_kde"])
def test_alpha_chooses_a_projection_only_where_it_pays(kind: str) -> None:
    from core.privacy.mechanisms import plan_noise

    wide = parse_spec(kind, {"bandwidth": 1, "alpha": 0.05},
                      DataSpec(2048, L2Ball(1.0), "add_remove"))
    k = wide.public_params()["projection_dim"]
    assert k is not None and 2 * k <= 2048
    assert wide.public_params()["features"] == 800  # half the variance budget each
    plan = plan_noise(wide.statistics(), "laplace", PrivacyBudget(1.0))
    assert wide.estimate(plan, 1000).approximation_mean <= 0.05
    # in few dimensions a projection to k would not be smaller: none, and all the
    # budget goes to the features; an explicit null keeps the projection off
    narrow = parse_spec(kind, {"bandwidth": 1, "alpha": 0.05},
                        DataSpec(64, L2Ball(1.0), "add_remove"))
    assert narrow.public_params()["projection_dim"] is None
    assert narrow.public_params()["features"] == 400
    off = parse_spec(kind, {"bandwidth": 1, "alpha": 0.05, "projection_dim": None},
                     DataSpec(2048, L2Ball(1.0), "add_remove"))
    assert off.public_params()["projection_dim"] is None


def test_bad_query_points_are_refused() -> None:
    release = _release("sq_l2_distance", "add_remove", "laplace", 1.0)
    for bad in (np.zeros((2, 3)), np.full((1, 8), np.nan), np.zeros((2, 2, 8))):
        with pytest.raises(IncompatibleArrays):
            release.query(bad)
