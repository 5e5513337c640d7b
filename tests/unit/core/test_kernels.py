"""The kernel kinds beyond the Gaussian: ``exponential_kde``, ``laplace_kde`` (random
Fourier features with Cauchy frequencies) and ``cauchy_kde`` (a sum of exponentials
over base structures). Their frequencies give the right kernels, the JL and quadrature
error terms are really bounds, the answers match brute force within the error model,
the reported noise std is the observed one, and the releases round-trip."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats

from core.domain import L2Ball
from core.errors import CorruptRelease, InvalidParameter
from core.kinds import kind_def
from core.privacy.budget import PrivacyBudget
from core.privacy.mechanisms import sample_releases
from core.structures import (
    DataSpec,
    build_release,
    dump_release,
    load_release,
    noise_plan,
    parse_spec,
)
from core.structures.feature_maps import draw_feature_map, projection_variance
from core.structures.feature_sums import RandomFeatureRelease
from core.structures.quadrature import H_MAX, MAX_TERMS, sum_of_exponentials, terms_for
from tests.helpers import unit_ball_rows

DIM = 5
ROWS = unit_ball_rows(1500, DIM, seed=31)
POINTS = unit_ball_rows(30, DIM, seed=32, radius=1.0)
BALL = L2Ball(1.0)


def _data(neighbouring: str = "add_remove") -> DataSpec:
    return DataSpec(DIM, BALL, neighbouring)  # type: ignore[arg-type]


def _exact_kernel(kernel: str, x: np.ndarray, y: np.ndarray, bandwidth: float) -> np.ndarray:
    d = x - y
    if kernel == "gaussian":
        return np.exp(-np.sum(d * d, axis=1) / bandwidth**2)
    if kernel == "exponential":
        return np.exp(-np.linalg.norm(d, axis=1) / bandwidth)
    return np.exp(-np.sum(np.abs(d), axis=1) / bandwidth)


# --- the frequency distributions ------------------------------------------------------

@pytest.mark.parametrize("kernel", ["gaussian", "exponential", "laplace"])
def test_noiseless_features_give_the_kernel(kernel: str) -> None:
    """c <phi(x), phi(y)> against the exact kernel on random pairs (kernel values spread
    over (0, 1]): within the reported per-pair RMSE bound, pair by pair (5 std) and on
    average. A wrong spectral distribution or scale misses by 0.1 or more."""
    rng = np.random.default_rng(5)
    x = unit_ball_rows(400, DIM, seed=6)
    y = x + rng.normal(size=x.shape) * rng.uniform(0.0, 0.6, size=(400, 1))
    bandwidth = 0.7
    fmap = draw_feature_map("paired", dim=DIM, features=16_384, bandwidth=bandwidth,
                            projection_dim=None, seed=7, kernel=kernel)  # type: ignore[arg-type]
    estimate = fmap.scale * np.sum(fmap.transform(x) * fmap.transform(y), axis=1)
    exact = _exact_kernel(kernel, x, y, bandwidth)
    assert np.min(exact) < 0.1 and np.max(exact) > 0.9  # the pairs cover the range
    error = estimate - exact
    bound = fmap.approximation_std()
    assert bound == pytest.approx(1 / math.sqrt(16_384))
    assert np.max(np.abs(error)) <= 5 * bound
    assert np.sqrt(np.mean(error**2)) <= bound
    assert abs(np.mean(error)) <= 0.5 * bound  # no bias: the errors average out


def test_cauchy_frequencies_are_the_right_distributions() -> None:
    """Exponential: omega . e for a unit vector e is standard Cauchy / sigma whatever e
    (multivariate Cauchy); laplace: each coordinate is standard Cauchy / sigma and the
    coordinates are independent (so omega . v is Cauchy with scale ||v||_1 / sigma)."""
    sigma = 0.5
    expo = draw_feature_map("paired", dim=3, features=40_000, bandwidth=sigma,
                            projection_dim=None, seed=1, kernel="exponential").frequencies
    lap = draw_feature_map("paired", dim=3, features=40_000, bandwidth=sigma,
                           projection_dim=None, seed=2, kernel="laplace").frequencies
    e = np.array([1.0, 2.0, -2.0]) / 3.0
    v = np.array([0.5, -1.0, 0.25])
    for sample, scale in ((sigma * expo @ e, 1.0), (sigma * lap[:, 0], 1.0),
                          (sigma * lap @ v, float(np.abs(v).sum()))):
        assert stats.kstest(sample, stats.cauchy(scale=scale).cdf).pvalue > 1e-3
    # multivariate Cauchy = one radial factor 1/|u| per row times a normal z: its
    # directions are uniform on the sphere, so in 3-d a coordinate of omega / ||omega||
    # is uniform on [-1, 1]; iid Cauchy coordinates are not (one of them dominates)
    uniform = stats.uniform(-1.0, 2.0).cdf
    assert stats.kstest(expo[:, 0] / np.linalg.norm(expo, axis=1), uniform).pvalue > 1e-3
    assert stats.kstest(lap[:, 0] / np.linalg.norm(lap, axis=1), uniform).pvalue < 1e-9


def _projection_mse(power: int, k: int, r: np.ndarray) -> np.ndarray:
    """E (exp(-r R^power) - exp(-r))^2 for R = ||P d|| / ||d||, P with iid N(0, 1/k)
    entries: R ~ chi_k / sqrt(k). Trapezoid on a dense grid of R, per r."""
    dist = stats.chi(k, scale=1 / math.sqrt(k))
    grid = np.linspace(0.0, dist.ppf(1 - 1e-13), 40_001)
    weights = dist.pdf(grid)
    sq = (np.exp(-np.outer(r, grid**power)) - np.exp(-r)[:, None]) ** 2
    return np.asarray(np.trapezoid(sq * weights, grid, axis=1))


@pytest.mark.parametrize("k", [1, 2, 3, 4, 8, 32, 256, 4096])
def test_projection_error_terms_are_bounds(k: int) -> None:
    """The JL term of approximation_std, checked against the exact mean squared error
    of the projected kernel, maximised over the scaled distance r.

    Exponential kernel exp(-r R): the first-order value 1/(2 k e^2) (std of R about
    1/sqrt(2k), |d/dR exp(-r R)| <= 1/e) is NOT a bound: the exact MSE exceeds it by a
    factor of about 1 + 1/k (1.72 at k = 1); the code's (1 + 2/k) / (2 k e^2) is.
    Gaussian exp(-t R^2): 2/(k e^2) holds (exact/bound <= 0.9 ... 1)."""
    r = np.linspace(0.02, 8.0, 400)
    exponential = np.max(_projection_mse(1, k, r))
    first_order = 1 / (2 * k * math.e**2)
    assert exponential > first_order  # why the bound carries the 2/k
    assert exponential <= projection_variance("exponential", k)
    assert exponential >= 0.55 * projection_variance("exponential", k)  # and is not loose
    gaussian = np.max(_projection_mse(2, k, r / 2))  # exp(-t R^2) with t = r / 2
    assert 0.85 * projection_variance("gaussian", k) <= gaussian
    assert gaussian <= projection_variance("gaussian", k)


def test_the_laplace_kernel_has_no_projection_term() -> None:
    with pytest.raises(InvalidParameter, match="projection_dim"):
        projection_variance("laplace", 4)
    with pytest.raises(InvalidParameter, match="projection_dim"):
        draw_feature_map("paired", dim=DIM, features=8, bandwidth=1.0, projection_dim=2,
                         seed=1, kernel="laplace")


# --- the quadrature -------------------------------------------------------------------

def test_quadrature_bound_holds_densely_and_shrinks_with_terms() -> None:
    """|sum_j a_j e^{-t_j h} - 1/(1+h)| <= max_error on a grid 8 times denser than the
    one the bound was computed on, at random points, and far beyond H_MAX; the bound is
    tight (within 20% of the observed maximum) and falls as terms grow."""
    rng = np.random.default_rng(3)
    h = np.concatenate([np.expm1(np.linspace(0.0, math.log1p(H_MAX), 400_001)),
                        rng.exponential(3.0, 20_000), 10.0 ** rng.uniform(-6, 9, 20_000),
                        [1e10, 1e12, 1e15, 1e30]])
    target = 1.0 / (1.0 + h)
    bounds = []
    for terms in (1, 2, 4, 8, 12, 16, 24, 32):
        quad = sum_of_exponentials(terms)
        t, a = np.asarray(quad.nodes), np.asarray(quad.coefficients)
        # a trapezoid rule in u = log s: geometric nodes, a_j = step t_j e^{-t_j}
        if terms > 1:
            step = math.log(t[1] / t[0])
            np.testing.assert_allclose(np.diff(np.log(t)), step, rtol=1e-9)
            np.testing.assert_allclose(a, step * t * np.exp(-t), rtol=1e-12)
        observed = 0.0
        for start in range(0, h.size, 50_000):  # bounded memory: 50,000 x terms
            part = slice(start, start + 50_000)
            observed = max(observed, float(np.max(np.abs(quad(h[part]) - target[part]))))
        assert observed <= quad.max_error
        assert quad.max_error <= 1.2 * observed
        bounds.append(quad.max_error)
    assert bounds == sorted(bounds, reverse=True) and len(set(bounds)) == len(bounds)
    assert bounds[-1] < 1e-6 and bounds[3] < 2e-3  # 32 terms; 8 terms


def test_terms_for_is_the_fewest_terms_meeting_the_error() -> None:
    for error in (0.05, 0.01, 1e-3, 1e-4):
        terms = terms_for(error)
        assert sum_of_exponentials(terms).max_error <= error
        assert terms == 1 or sum_of_exponentials(terms - 1).max_error > error
    assert terms_for(1e-12) == MAX_TERMS


def test_alpha_chooses_terms_and_features() -> None:
    data = _data()
    for alpha in (0.1, 0.03):
        spec = parse_spec("cauchy_kde", {"bandwidth": 1.0, "alpha": alpha}, data)
        params = spec.public_params()
        quad = sum_of_exponentials(params["terms"])
        assert quad.max_error <= alpha / 10  # the quadrature gets a tenth of alpha
        plan = noise_plan(spec, PrivacyBudget(1.0))
        estimate = spec.estimate(plan, 1000)
        assert estimate.target_mean == alpha
        # the features take the rest, so the whole approximation bound meets alpha
        assert alpha * 0.97 <= estimate.approximation_mean <= alpha
        for kind in ("exponential_kde", "laplace_kde"):
            other = parse_spec(kind, {"bandwidth": 1.0, "alpha": alpha}, data)
            assert other.public_params()["features"] == math.ceil(1 / alpha**2) + (
                math.ceil(1 / alpha**2) % 2)
    default = parse_spec("cauchy_kde", {"bandwidth": 1.0}, data).public_params()
    assert default["features"] == 1024
    assert sum_of_exponentials(default["terms"]).max_error <= 1e-3
    assert default["metric_input"] == "sq_l2" and default["projection_dim"] is None


# --- against brute force --------------------------------------------------------------

CASES: list[tuple[str, dict[str, Any]]] = [
    ("exponential_kde", {"bandwidth": 0.6, "features": 2048}),
    ("exponential_kde", {"bandwidth": 0.6, "features": 2048, "projection_dim": 3}),
    ("laplace_kde", {"bandwidth": 0.9, "features": 2048}),
    ("cauchy_kde", {"bandwidth": 0.5, "features": 512, "terms": 6}),
    ("cauchy_kde", {"bandwidth": 0.5, "features": 512, "terms": 6, "projection_dim": 3}),
    ("cauchy_kde", {"bandwidth": 0.6, "features": 512, "terms": 6, "metric_input": "l2"}),
    ("cauchy_kde", {"bandwidth": 0.6, "features": 512, "terms": 6, "metric_input": "l2",
                    "projection_dim": 3}),
    ("cauchy_kde", {"bandwidth": 0.9, "features": 512, "terms": 6, "metric_input": "l1"}),
]


def _exact(kind: str, params: dict[str, Any], rows: np.ndarray = ROWS) -> np.ndarray:
    """The kind's registered brute force, on the spec these parameters make."""
    return kind_def(kind).reference(parse_spec(kind, params, _data()), rows, POINTS)


@pytest.mark.parametrize(("kind", "params", "neighbouring", "mechanism"),
                         [(kind, params, "add_remove", "laplace") for kind, params in CASES]
                         + [(kind, params, "replace_one", "gaussian")
                            for kind, params in CASES[1::3]])
def test_matches_brute_force_at_large_epsilon(kind: str, params: dict[str, Any],
                                              neighbouring: str, mechanism: str) -> None:
    spec = parse_spec(kind, params | {"mechanism": mechanism}, _data(neighbouring))
    # (epsilon, delta) = (1e4, 1e-6) is rho ~ 1e3: calibrating it is much faster than 1e5
    budget = PrivacyBudget(1e4, 1e-6) if mechanism == "gaussian" else PrivacyBudget(1e5)
    release = build_release(spec, seed=11, plan=noise_plan(spec, budget),
                            chunks=[ROWS[:700], ROWS[700:]])
    exact = _exact(kind, params)
    for reduce, target in (("sum", exact), ("mean", exact / len(ROWS))):
        values, std, approx = release.query(POINTS, reduce)  # type: ignore[arg-type]
        assert np.all(np.abs(values - target) <= 8 * np.sqrt(std**2 + approx**2)), reduce
    # the noiseless error is well inside the approximation bound on average
    values, _, approx = release.query(POINTS, "mean")
    assert np.sqrt(np.mean((values - exact / len(ROWS)) ** 2)) <= approx[0]


def test_cauchy_terms_are_the_right_base_kernels() -> None:
    """One term per quadrature node, each a base kernel at the scaled bandwidth: the
    noiseless sum_j a_j k_j(x, y) follows 1/(1 + h) for every metric input."""
    x = unit_ball_rows(300, DIM, seed=8)
    y = unit_ball_rows(300, DIM, seed=9)
    for metric, kernel in (("sq_l2", "gaussian"), ("l2", "exponential"), ("l1", "laplace")):
        spec = parse_spec("cauchy_kde", {"bandwidth": 0.7, "features": 4096, "terms": 10,
                                         "metric_input": metric}, _data())
        maps = spec.builder(seed=4).feature_maps
        assert len(maps) == 10 and {m.kernel for m in maps} == {kernel}
        quad = sum_of_exponentials(10)
        estimate = sum(a * m.scale * np.sum(m.transform(x) * m.transform(y), axis=1)
                       for a, m in zip(quad.coefficients, maps, strict=True))
        d = x - y
        h = {"sq_l2": np.sum(d * d, axis=1) / 0.7**2,
             "l2": np.linalg.norm(d, axis=1) / 0.7,
             "l1": np.sum(np.abs(d), axis=1) / 0.7}[metric]
        error = estimate - 1.0 / (1.0 + h)
        bound = sum(quad.coefficients) / math.sqrt(4096) + quad.max_error
        assert np.sqrt(np.mean(error**2)) <= bound, metric


# --- the noise ------------------------------------------------------------------------

# small sizes: the float-safe samplers draw some 25,000 (Gaussian) to 60,000 (Laplace)
# values a second, and every trial is a whole release
@pytest.mark.slow
@pytest.mark.parametrize(("kind", "params", "mechanism"), [
    ("exponential_kde", {"bandwidth": 0.6, "features": 32, "projection_dim": 3}, "laplace"),
    ("laplace_kde", {"bandwidth": 0.9, "features": 32}, "gaussian"),
    ("cauchy_kde", {"bandwidth": 0.5, "features": 16, "terms": 3}, "laplace"),
    ("cauchy_kde", {"bandwidth": 0.6, "features": 16, "terms": 3, "metric_input": "l1"},
     "gaussian"),
])
def test_reported_noise_std_is_the_observed_one(kind: str, params: dict[str, Any],
                                                mechanism: str) -> None:
    """Answers of many independent releases of the same exact sums (same seed, fresh
    noise) minus the noiseless answers: their std per query is the reported std."""
    spec = parse_spec(kind, params | {"mechanism": mechanism}, _data())
    plan = noise_plan(spec, PrivacyBudget(1.0, 1e-6 if mechanism == "gaussian" else 0.0))
    builder = spec.builder(seed=2)
    exact = {k: np.asarray(v) for k, v in builder.accumulate(ROWS).items()}
    points = POINTS[:6]
    noiseless = builder.finish(exact, plan)
    trials = 1000  # sample std within 10% of the true one: 4.5 standard errors per point
    draws = sample_releases(plan, exact, trials)
    for reduce in ("sum", "mean"):
        base = noiseless.query(points, reduce)  # type: ignore[arg-type]
        errors = np.array([
            builder.finish({k: v[i] for k, v in draws.items()}, plan)
            .query(points, reduce).values - base.values  # type: ignore[arg-type]
            for i in range(trials)])
        ratio = np.std(errors, axis=0) / base.std
        assert np.all((ratio > 0.9) & (ratio < 1.1)), (reduce, ratio)


def test_gaussian_mechanism_noise_does_not_grow_with_terms() -> None:
    """zCDP: with rho_j proportional to a_j, sum_j a_j^2 (2/m) sigma_j^2 =
    (sum_j a_j)^2 / (2 rho_features): the same as one term carrying all the weight."""
    stds = []
    for terms in (2, 8, 24):
        spec = parse_spec("cauchy_kde", {"bandwidth": 1.0, "features": 64, "terms": terms,
                                         "mechanism": "gaussian"}, _data("replace_one"))
        estimate = spec.estimate(noise_plan(spec, PrivacyBudget(1.0, 1e-6)), 100)
        stds.append(estimate.noise_std_sum / sum(sum_of_exponentials(terms).coefficients))
    assert stds[0] == pytest.approx(stds[1], rel=1e-6) == pytest.approx(stds[2], rel=1e-6)


def test_the_budget_is_split_across_terms_by_their_weight() -> None:
    spec = parse_spec("cauchy_kde", {"bandwidth": 1.0, "features": 64, "terms": 5},
                      _data())
    plan = noise_plan(spec, PrivacyBudget(2.0))
    names = [s.name for s in spec.statistics()]
    assert names == [f"features_{j}" for j in range(5)] + ["count"]
    assert plan.spent.epsilon <= 2.0
    a = np.asarray(sum_of_exponentials(5).coefficients)
    shares = np.array([plan.spec(f"features_{j}").epsilon for j in range(5)])
    # Laplace: epsilon_j proportional to (w_j Delta1^2)^(1/3), i.e. to a_j^(2/3)
    np.testing.assert_allclose(shares / shares.sum(), a ** (2 / 3) / np.sum(a ** (2 / 3)),
                               rtol=1e-6)


# --- estimate, size, serialisation, parameters ----------------------------------------

NEW_KINDS = [("exponential_kde", {"bandwidth": 0.6, "features": 64, "projection_dim": 3}),
             ("laplace_kde", {"bandwidth": 0.6, "features": 64}),
             ("cauchy_kde", {"bandwidth": 0.6, "features": 64, "terms": 3,
                             "projection_dim": 2}),
             ("cauchy_kde", {"bandwidth": 0.6, "features": 64, "terms": 3,
                             "metric_input": "l1"})]
ALL_KERNEL_KINDS = [*NEW_KINDS, ("gaussian_kde", {"bandwidth": 0.6, "features": 64}),
                    ("rff_baseline", {"bandwidth": 0.6, "features": 64})]


@pytest.mark.parametrize(("kind", "params"), ALL_KERNEL_KINDS)
@pytest.mark.parametrize("neighbouring", ["add_remove", "replace_one"])
def test_estimate_agrees_with_the_built_release(kind: str, params: dict[str, Any],
                                                neighbouring: str) -> None:
    spec = parse_spec(kind, params, _data(neighbouring))
    plan = noise_plan(spec, PrivacyBudget(2.0))
    release = build_release(spec, seed=3, plan=plan, chunks=[ROWS])
    estimate = spec.estimate(plan, len(ROWS))
    sums = release.query(POINTS, "sum")
    means = release.query(POINTS, "mean")
    assert estimate.typical_mean == 1.0 and estimate.target_mean is None
    # the release adds a query-dependent bound on float32 rounding, far below the rest
    assert estimate.approximation_mean == pytest.approx(means.approximation_std[0], rel=1e-3)
    assert estimate.approximation_mean <= means.approximation_std[0]
    assert estimate.noise_std_sum == pytest.approx(release.error_model(spec.data).noise_std_sum,
                                                   rel=1e-12)
    if kind == "rff_baseline":  # phased features: the std depends on the query
        assert estimate.noise_std_sum == pytest.approx(np.sqrt(np.mean(sums.std**2)),
                                                       rel=0.2)
        return
    np.testing.assert_allclose(sums.std, estimate.noise_std_sum, rtol=1e-9)
    if neighbouring == "replace_one":  # n public: the mean's std is the sum's over n
        np.testing.assert_allclose(means.std, estimate.noise_std_mean, rtol=1e-9)
    else:  # the estimate is taken at the largest mean, 1: above every reported std
        assert np.all(means.std <= estimate.noise_std_mean * 1.01)
        assert np.max(means.std) >= 0.5 * estimate.noise_std_mean


@pytest.mark.parametrize(("kind", "params"), ALL_KERNEL_KINDS)
def test_release_bytes_count_every_array(kind: str, params: dict[str, Any]) -> None:
    spec = parse_spec(kind, params, _data())
    release = build_release(spec, seed=1, plan=noise_plan(spec, PrivacyBudget(1.0)),
                            chunks=[ROWS[:50]])
    assert spec.release_bytes() == sum(a.nbytes for a in release.arrays().values())


@pytest.mark.parametrize(("kind", "params"), NEW_KINDS)
def test_release_round_trip_is_exact(kind: str, params: dict[str, Any]) -> None:
    spec = parse_spec(kind, params, _data())
    release = build_release(spec, seed=5, plan=noise_plan(spec, PrivacyBudget(1.0)),
                            chunks=[ROWS[:200]])
    blob = dump_release(release)
    again = load_release(blob)
    assert dump_release(again) == blob
    assert again.header() == release.header()
    assert again.error_model(spec.data) == release.error_model(spec.data)
    for reduce in ("sum", "mean"):
        for got, want in zip(again.query(POINTS, reduce), release.query(POINTS, reduce),  # type: ignore[arg-type]
                             strict=True):
            np.testing.assert_array_equal(got, want)
    kernel = {"exponential_kde": "exponential", "laplace_kde": "laplace"}.get(
        kind, "gaussian" if params.get("metric_input", "sq_l2") == "sq_l2" else "laplace")
    assert release.header()["kernel"] == kernel


def test_old_headers_without_a_kernel_load_as_gaussian() -> None:
    spec = parse_spec("gaussian_kde", {"bandwidth": 0.6, "features": 64}, _data())
    release = build_release(spec, seed=5, plan=noise_plan(spec, PrivacyBudget(1.0)),
                            chunks=[ROWS[:200]])
    header = release.header()
    del header["kernel"]
    old = RandomFeatureRelease.from_parts(header, release.arrays())
    assert old.fmap.kernel == "gaussian"
    np.testing.assert_array_equal(old.query(POINTS).values, release.query(POINTS).values)
    # a Laplace-kernel release cannot carry a projection
    laplace = dict(release.header(), kind="laplace_kde", kernel="laplace")
    with_projection = dict(release.arrays(), projection=np.ones((2, DIM)))
    with pytest.raises(CorruptRelease):
        RandomFeatureRelease.from_parts(laplace, with_projection)


@pytest.mark.parametrize(("kind", "params", "named"), [
    ("laplace_kde", {"bandwidth": 1, "projection_dim": 2}, "params.projection_dim"),
    ("cauchy_kde", {"bandwidth": 1, "metric_input": "l1", "projection_dim": 2},
     "params.projection_dim"),
    ("cauchy_kde", {"bandwidth": 1, "metric_input": "cosine"}, "params.metric_input"),
    ("cauchy_kde", {"bandwidth": 1, "terms": 0}, "params.terms"),
    ("cauchy_kde", {"bandwidth": 1, "terms": MAX_TERMS + 1}, "params.terms"),
    ("cauchy_kde", {"bandwidth": 1, "terms": 1.5}, "params.terms"),
    ("cauchy_kde", {"bandwidth": 1, "terms": 32, "features": 65_536}, "params.features"),
    ("cauchy_kde", {"bandwidth": 1, "features": 1}, "params.features"),
    ("cauchy_kde", {"bandwidth": -1}, "params.bandwidth"),
    ("cauchy_kde", {}, "params.bandwidth"),
    ("cauchy_kde", {"bandwidth": 1, "alpha": 0}, "params.alpha"),
    ("cauchy_kde", {"bandwidth": 1, "mechanism": "exponential"}, "params.mechanism"),
    ("cauchy_kde", {"bandwidth": 1, "colour": "red"}, "params"),
    ("exponential_kde", {"bandwidth": 1, "projection_dim": 0}, "params.projection_dim"),
    ("exponential_kde", {"bandwidth": 1, "terms": 3}, "params"),
])
def test_bad_params_are_refused_with_the_parameter_named(kind: str, params: dict[str, Any],
                                                         named: str) -> None:
    with pytest.raises(InvalidParameter) as raised:
        parse_spec(kind, params, _data())
    assert raised.value.name == named


def test_public_params_parse_back_to_the_same_structure() -> None:
    """The worker re-parses the stored params: same statistics, same public randomness."""
    for kind, params in [*NEW_KINDS, ("cauchy_kde", {"bandwidth": 1.0, "alpha": 0.05}),
                         ("laplace_kde", {"bandwidth": 1.0, "alpha": 0.2})]:
        spec = parse_spec(kind, params, _data())
        again = parse_spec(kind, spec.public_params(), _data())
        assert again.public_params() == spec.public_params()
        assert again.statistics() == spec.statistics()
        first, second = spec.builder(9).accumulate(ROWS[:20]), again.builder(9).accumulate(
            ROWS[:20])
        for name, value in first.items():
            np.testing.assert_array_equal(value, second[name])
