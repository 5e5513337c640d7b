"""``l1_distance`` and ``l2_distance``: exact sums, answers against brute force, the
exact noise variance, the discretisation and banding bounds, the embedding's distortion,
sizes, estimates, parameters and release files (docs/privacy/distance.md)."""

from __future__ import annotations

import math

import array_api_strict as xps
import numpy as np
import pytest

from core._array import to_host
from core.domain import Box, L2Ball
from core.errors import CorruptRelease, InvalidParameter
from core.kinds.l2_distance import embedding
from core.privacy.budget import PrivacyBudget
from core.privacy.mechanisms import sample_releases
from core.structures import (
    DataSpec,
    banded,
    build_release,
    dump_release,
    dyadic_trees,
    load_release,
    noise_plan,
    parse_spec,
)
from tests.helpers import exact_answers, unit_ball_rows

DIM = 4
BALL = L2Ball(1.0)
BOX = Box.uniform(2.0, 3.0, DIM)  # away from the origin
BALL_ROWS = unit_ball_rows(600, DIM, seed=1)
BOX_ROWS = 2.0 + np.random.default_rng(2).uniform(size=(600, DIM))


def _points(domain: L2Ball | Box, rows: np.ndarray) -> np.ndarray:
    """Rows' neighbours, the centre, boundary points and points far outside."""
    c = domain.center(DIM)
    half = domain.half_widths(DIM) if isinstance(domain, Box) else np.full(DIM, 0.5)
    return np.vstack([rows[:6] + 0.003, c, c + half, c - half,
                      c + np.array([100.0, -100.0, 40.0, -7.0]), np.full(DIM, -1e4)])


def _build(kind, params, domain=BALL, rows=BALL_ROWS, *, epsilon=1e6,
           neighbouring="add_remove", mechanism="laplace", seed=7):
    spec = parse_spec(kind, {**params, "mechanism": mechanism},
                      DataSpec(rows.shape[1], domain, neighbouring))
    delta = 1e-6 if mechanism == "gaussian" else 0.0
    plan = noise_plan(spec, PrivacyBudget(epsilon, delta))
    release = build_release(spec, seed=seed, plan=plan, chunks=[rows[:250], rows[250:]])
    return spec, plan, release


def _noiseless(spec, plan, rows, seed=7):
    """The exact statistics and the release they would give without noise."""
    builder = spec.builder(seed)
    exact = {k: to_host(v) for k, v in builder.accumulate(spec.data.domain.clip(rows)).items()}
    return builder, exact, builder.finish(exact, plan)


PARAMS = {"l1_distance": {"grid_levels": 8}, "l2_distance": {"grid_levels": 8,
                                                              "projection_dim": 32}}


@pytest.mark.parametrize("estimator", ["prefix", "banded"])
@pytest.mark.parametrize("kind", ["l1_distance", "l2_distance"])
@pytest.mark.parametrize(("domain", "rows"), [(BALL, BALL_ROWS), (BOX, BOX_ROWS)],
                         ids=["ball", "box"])
def test_matches_brute_force_within_the_error_model(kind, estimator, domain, rows) -> None:
    _, _, release = _build(kind, {**PARAMS[kind], "estimator": estimator}, domain, rows)
    points = _points(domain, rows)
    exact = exact_answers(kind, rows, points)
    for reduce, target in (("sum", exact), ("mean", exact / len(rows))):
        values, std, approx = release.query(points, reduce)
        # l2: the distortion part of ``approx`` is a std (one draw of the projection)
        slack = 4 * approx if kind == "l2_distance" else approx
        assert np.all(np.abs(values - target) <= 6 * std + slack + 1e-9 * target), reduce
        if kind == "l1_distance":  # both estimators only ever underestimate
            assert np.all(values <= target + 6 * std + 1e-9 * target)
    if kind == "l1_distance" and estimator == "prefix":
        # far outside the domain every row is on one side: the identity is exact
        values, std, approx = release.query(points[-2:])
        assert np.all(approx == 0)
        np.testing.assert_allclose(values, exact[-2:], rtol=1e-9, atol=6 * std.max())


def test_l1_discretisation_error_is_tiny_with_enough_levels() -> None:
    spec = parse_spec("l1_distance", {"grid_levels": 16}, DataSpec(DIM, BOX, "add_remove"))
    plan = noise_plan(spec, PrivacyBudget(1e9))
    _, _, release = _noiseless(spec, plan, BOX_ROWS)
    points = _points(BOX, BOX_ROWS)
    values, _, approx = release.query(points)
    exact = exact_answers("l1_distance", BOX_ROWS, points)
    error = exact - values
    assert np.all(error >= -1e-9 * exact)  # one-sided: misplaced rows only lower it
    assert np.all(error <= approx + 1e-9 * exact)  # within the reported bound
    assert np.max(error / exact) < 1e-5


def test_coarse_grid_error_stays_within_the_bound() -> None:
    spec = parse_spec("l1_distance", {"grid_levels": 2}, DataSpec(DIM, BALL, "replace_one"))
    _, _, release = _noiseless(spec, noise_plan(spec, PrivacyBudget(1e9)), BALL_ROWS)
    points = np.vstack([BALL_ROWS[:50] + 0.01, _points(BALL, BALL_ROWS)])
    values, _, approx = release.query(points)
    error = exact_answers("l1_distance", BALL_ROWS, points) - values
    assert np.all(error >= -1e-9)
    assert np.all(error <= approx + 1e-9)
    assert np.max(error) > 0.1  # a real, visible discretisation error


# --- the noise std ----------------------------------------------------------------------

STD_CASES = [("l1_distance", {"grid_levels": 3}), ("l1_distance", {"grid_levels": 4,
                                                                    "estimator": "banded",
                                                                    "alpha": 0.3}),
             ("l2_distance", {"grid_levels": 3, "projection_dim": 3}),
             ("l2_distance", {"grid_levels": 3, "projection_dim": 3, "estimator": "banded"})]


def _probe_points(domain: L2Ball | Box, dim: int) -> np.ndarray:
    c = domain.center(dim)
    h = domain.half_widths(dim) if isinstance(domain, Box) else np.full(dim, 1.0)
    rng = np.random.default_rng(5)
    return np.vstack([c + h * rng.uniform(-0.7, 0.7, size=(5, dim)) / math.sqrt(dim),
                      c + h, c - h, c + 3 * h, c + h * np.linspace(-1, 1, dim)])


@pytest.mark.parametrize(("kind", "params"), STD_CASES)
@pytest.mark.parametrize("neighbouring", ["add_remove", "replace_one"])
def test_reported_std_is_the_exact_variance_of_the_answer(kind, params, neighbouring) -> None:
    """Answers are linear in the released statistics (sum) or a ratio of linear forms
    (mean): the reported std must equal sqrt(sum_k (d answer / d stat_k)^2 sigma_k^2),
    with the derivatives taken by differences (linear: exact)."""
    dim = 3
    domain = Box((-1.0, 0.0, 2.0), (1.0, 1.0, 3.0))
    rows = domain.center(dim) + domain.half_widths(dim) * np.random.default_rng(3).uniform(
        -1, 1, size=(200, dim))
    spec = parse_spec(kind, params, DataSpec(dim, domain, neighbouring))
    plan = noise_plan(spec, PrivacyBudget(1.0))
    builder, exact, release = _noiseless(spec, plan, rows)
    points = _probe_points(domain, dim)
    for reduce, step in (("sum", 1.0), ("mean", 1e-3)):
        base = release.query(points, reduce)
        variance = np.zeros(points.shape[0])
        for name, values in exact.items():
            sigma = plan.std(name)
            for k in range(values.size):
                up, down = values.copy(), values.copy()
                up[k] += step
                down[k] -= step
                moved = {**exact, name: up}
                back = {**exact, name: down}
                slope = (builder.finish(moved, plan).query(points, reduce).values
                         - builder.finish(back, plan).query(points, reduce).values) / (2 * step)
                variance += (slope * sigma) ** 2
        np.testing.assert_allclose(base.std, np.sqrt(variance), rtol=1e-5 if reduce == "mean"
                                   else 1e-9)


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "params", "mechanism", "neighbouring"), [
    ("l1_distance", {"grid_levels": 3}, "laplace", "add_remove"),
    ("l1_distance", {"grid_levels": 3}, "laplace", "replace_one"),
    ("l1_distance", {"grid_levels": 3}, "gaussian", "add_remove"),
    ("l1_distance", {"grid_levels": 3}, "gaussian", "replace_one"),
    ("l1_distance", {"grid_levels": 4, "estimator": "banded", "alpha": 0.3}, "laplace",
     "add_remove"),
    ("l2_distance", {"grid_levels": 2, "projection_dim": 3}, "gaussian", "replace_one"),
    ("l2_distance", {"grid_levels": 2, "projection_dim": 3}, "laplace", "add_remove"),
])
def test_reported_std_matches_the_observed_noise(kind, params, mechanism, neighbouring) -> None:
    """1,000 releases through the real samplers: the spread of the answers around the
    noiseless answer of the same seed is the reported std (sample std within 10%:
    a 4-sigma band for 1,000 draws)."""
    dim = 2
    domain = Box((0.0, -1.0), (2.0, 1.0))
    rows = domain.center(dim) + np.random.default_rng(4).uniform(-1, 1, size=(300, dim))
    spec = parse_spec(kind, {**params, "mechanism": mechanism},
                      DataSpec(dim, domain, neighbouring))
    plan = noise_plan(spec, PrivacyBudget(1.0, 1e-6 if mechanism == "gaussian" else 0.0))
    builder, exact, truth = _noiseless(spec, plan, rows)
    points = np.array([[0.3, 0.2], [1.9, -0.9], [1.0, 0.0], [5.0, 5.0]])
    draws = sample_releases(plan, exact, trials=1000)
    for reduce in ("sum", "mean"):
        expected = truth.query(points, reduce)
        answers = np.array([builder.finish({k: v[t] for k, v in draws.items()}, plan)
                            .query(points, reduce).values for t in range(1000)])
        observed = np.sqrt(np.mean((answers - expected.values) ** 2, axis=0))
        np.testing.assert_allclose(observed / expected.std, 1.0, atol=0.1, err_msg=reduce)


# --- the banded estimator -----------------------------------------------------------------

def test_banded_is_within_one_plus_alpha_of_the_truth() -> None:
    alpha = 0.2
    _, _, release = _build("l1_distance", {"estimator": "banded", "alpha": alpha,
                                           "grid_levels": 11}, BOX, BOX_ROWS)
    points = _points(BOX, BOX_ROWS)
    exact = exact_answers("l1_distance", BOX_ROWS, points)
    values, std, approx = release.query(points)
    assert np.all(values <= exact + 6 * std)  # one-sided as built
    assert np.all(values * (1 + alpha) >= exact * (1 - 1e-3) - 6 * std)
    innermost = approx - alpha * values  # the single-leaf bands' part of the bound
    assert np.all(values * (1 + alpha) >= exact - innermost - 6 * std)
    assert np.max(exact / values) > 1 + alpha / 10  # it does band: not the exact answer


def test_band_offsets_grow_geometrically_after_the_single_leaves() -> None:
    for alpha in (0.05, 0.1, 0.5, 1.0):
        offsets = banded.band_offsets(alpha, 2**12)
        forced = banded.forced_leaves(alpha)
        assert offsets[0] == 0 and offsets[-1] >= 2**12
        assert np.all(np.diff(offsets) >= 1)
        wide = offsets[offsets >= forced]
        ratios = (wide[1:] - 0.5) / (wide[:-1] - 0.5)
        assert np.all(ratios <= 1 + alpha + 1e-12)
        assert len(offsets) < forced + 3 + math.log(2**12) / math.log1p(alpha) * 1.5


# --- exact sums and sensitivities ---------------------------------------------------------

def _naive_trees(U: np.ndarray, half: np.ndarray, levels: int) -> tuple[np.ndarray, ...]:
    N = 2**levels
    leaf = np.clip(np.floor((U + half) * (N / (2 * half))), 0, N - 1).astype(int)
    counts = np.zeros((U.shape[1], dyadic_trees.tree_size(levels)))
    sums = np.zeros_like(counts)
    for i in range(U.shape[1]):
        for level in range(levels + 1):
            node = (2**level - 1) + (leaf[:, i] >> (levels - level))
            np.add.at(counts[i], node, 1.0)
            np.add.at(sums[i], node, U[:, i])
    return counts.ravel(), sums.ravel()


@pytest.mark.parametrize("namespace", ["numpy", "array_api_strict"])
def test_accumulate_matches_a_naive_tree_in_small_blocks(namespace, monkeypatch) -> None:
    monkeypatch.setattr(dyadic_trees, "_BLOCK_VALUES", 40)  # many row and column blocks
    rows = np.vstack([BOX_ROWS[:90], np.full((2, DIM), 2.0), np.full((2, DIM), 3.0)])
    spec = parse_spec("l1_distance", {"grid_levels": 3}, DataSpec(DIM, BOX, "add_remove"))
    clipped = BOX.clip(rows)
    chunk = xps.asarray(clipped) if namespace == "array_api_strict" else clipped
    sums = spec.builder(1).accumulate(chunk)
    counts, node_sums = _naive_trees(clipped - BOX.center(DIM), BOX.half_widths(DIM), 3)
    np.testing.assert_array_equal(to_host(sums["counts"]), counts)
    np.testing.assert_allclose(to_host(sums["sums"]), node_sums, rtol=1e-12, atol=1e-12)
    empty = spec.builder(1).accumulate(np.zeros((0, DIM)))
    assert np.all(to_host(empty["counts"]) == 0) and empty["counts"].shape == counts.shape


@pytest.mark.parametrize("kind", ["l1_distance", "l2_distance"])
@pytest.mark.parametrize("neighbouring", ["add_remove", "replace_one"])
def test_sensitivities_hold_and_the_l1_ones_are_attained(kind, neighbouring) -> None:
    """Opposite corners of the box (all coordinates at their far leaves): the counts
    and sums of l1_distance move by exactly their L1 and L2 sensitivities."""
    params = {"grid_levels": 3, "projection_dim": 5} if kind == "l2_distance" else {
        "grid_levels": 3}
    spec = parse_spec(kind, params, DataSpec(DIM, BOX, neighbouring))
    builder = spec.builder(3)
    low, high = np.asarray(BOX.low), np.asarray(BOX.high)
    background = BOX_ROWS[:20]
    a = BOX.clip(np.vstack([background, high]))
    b = BOX.clip(background if neighbouring == "add_remove" else np.vstack([background, low]))
    sa, sb = builder.accumulate(a), builder.accumulate(b)
    for stat in spec.statistics():
        diff = np.asarray(sa[stat.name]) - np.asarray(sb[stat.name])
        l1, l2 = np.sum(np.abs(diff)), np.linalg.norm(diff)
        assert l1 <= stat.l1_sensitivity * (1 + 1e-9) and l2 <= stat.l2_sensitivity * (1 + 1e-9)
        if kind == "l1_distance":
            assert l1 == pytest.approx(stat.l1_sensitivity, rel=1e-6)
            assert l2 == pytest.approx(stat.l2_sensitivity, rel=1e-6)


# --- the l2 embedding -----------------------------------------------------------------------

@pytest.mark.parametrize("dim", [1, 2, 3, 8, 50])
def test_embedding_constant_is_the_mean_absolute_projection(dim) -> None:
    rng = np.random.default_rng(dim)
    g = embedding.draw_projection(dim, 100_000, seed=dim)
    u = rng.normal(size=dim)
    mean_abs = np.mean(np.abs(g @ u)) / np.linalg.norm(u)
    c = embedding.embedding_constant(dim)
    assert mean_abs == pytest.approx(c, rel=0.01)
    assert {1: 1.0, 2: 2 * math.sqrt(2) / math.pi}.get(dim, c) == pytest.approx(c, rel=1e-12)
    assert math.sqrt(2 / math.pi) <= c <= 1.0 + 1e-12


def test_embedding_distortion_bound_holds_on_random_vectors() -> None:
    dim, k = 8, 32
    bound = embedding.distortion_std(dim, k)
    scale = 1 / (k * embedding.embedding_constant(dim))
    rng = np.random.default_rng(0)
    ratios = []
    for seed in range(200):
        G = embedding.draw_projection(dim, k, seed)
        u = rng.normal(size=(5, dim)) * rng.uniform(0.1, 10)
        ratios.append(scale * np.abs(u @ G.T).sum(axis=1) / np.linalg.norm(u, axis=1))
    r = np.concatenate(ratios)
    assert np.mean(np.abs(r - 1) <= 2 * bound) >= 0.9
    assert np.mean(r) == pytest.approx(1.0, abs=4 * bound / math.sqrt(r.size))  # unbiased
    assert np.std(r) == pytest.approx(bound, rel=0.1)  # the exact relative std


def test_l2_rows_project_inside_the_inner_box() -> None:
    spec = parse_spec("l2_distance", {"projection_dim": 16, "grid_levels": 3},
                      DataSpec(DIM, BOX, "add_remove"))
    builder = spec.builder(5)
    corners = np.array([[2.0, 2.0, 3.0, 3.0], [3.0, 3.0, 3.0, 3.0], [2.0, 3.0, 2.0, 3.0]])
    Z = (corners - BOX.center(DIM)) @ (spec.scale * builder.projection).T
    half = spec.inner.data.domain.half_widths(16)
    assert np.all(np.abs(Z) <= half)


# --- sizes, estimates, parameters, files ---------------------------------------------------

@pytest.mark.parametrize(("kind", "params"), [
    ("l1_distance", {"grid_levels": 5}), ("l1_distance", {"estimator": "banded"}),
    ("l2_distance", {"projection_dim": 8, "grid_levels": 4}),
    ("l2_distance", {"projection_dim": 8, "grid_levels": 4, "estimator": "banded"})])
def test_release_size_does_not_depend_on_n(kind, params) -> None:
    sizes = []
    for n in (0, 5, 600):
        spec, _, release = _build(kind, params, rows=BALL_ROWS[:n], epsilon=1.0)
        arrays = release.arrays()
        sizes.append({k: v.shape for k, v in arrays.items()})
        assert sum(v.nbytes for v in arrays.values()) == spec.release_bytes()
    assert sizes[0] == sizes[1] == sizes[2]


@pytest.mark.parametrize(("kind", "params"), [
    ("l1_distance", {"grid_levels": 6}), ("l1_distance", {"estimator": "banded", "alpha": 0.2}),
    ("l2_distance", {"projection_dim": 16, "grid_levels": 5}),
    ("l2_distance", {"projection_dim": 16, "grid_levels": 5, "estimator": "banded"})])
@pytest.mark.parametrize("domain", [BALL, BOX], ids=["ball", "box"])
def test_estimate_agrees_with_the_built_release(kind, params, domain) -> None:
    rows = BALL_ROWS if domain is BALL else BOX_ROWS
    spec, plan, release = _build(kind, params, domain, rows, epsilon=1.0)
    estimate = spec.estimate(plan, len(rows))
    model = release.error_model(spec.data).to_dict()
    typical = domain.max_l1(DIM) if kind == "l1_distance" else domain.max_l2(DIM)
    assert estimate.typical_mean == pytest.approx(typical)
    assert estimate.approximation_mean == pytest.approx(model["approximation_std_mean"])
    assert (estimate.target_mean is None) == ("alpha" not in params and "estimator" not in params)
    if kind == "l1_distance":
        assert estimate.noise_std_sum == pytest.approx(model["noise_std_sum"], rel=1e-12)
    else:  # the projection's largest singular value, estimated before the seed is known
        assert estimate.noise_std_sum == pytest.approx(model["noise_std_sum"], rel=0.3)
    # the worst in-domain query: no query's std exceeds it, and some come close
    c = domain.center(DIM)
    h = domain.half_widths(DIM) if isinstance(domain, Box) else np.full(DIM, 1 / math.sqrt(DIM))
    rng = np.random.default_rng(1)
    probes = c + h * np.vstack([rng.uniform(-1, 1, size=(300, DIM)), np.ones((1, DIM)),
                                1 - rng.uniform(0, 0.05, size=(100, DIM))])
    stds = release.query(probes).std
    assert np.max(stds) <= model["noise_std_sum"] * (1 + 1e-9)
    assert np.max(stds) >= 0.5 * model["noise_std_sum"]
    assert estimate.noise_std_mean == pytest.approx(
        (model["noise_std_sum"] + 2 * typical * model["count_noise_std"]) / len(rows),
        rel=0.3 if kind == "l2_distance" else 1e-12)


def test_alpha_chooses_the_sizes() -> None:
    box = DataSpec(DIM, BOX, "add_remove")
    assert parse_spec("l1_distance", {}, box).public_params()["grid_levels"] == 8
    # leaf width <= alpha * half-width on a box
    assert parse_spec("l1_distance", {"alpha": 0.1}, box).public_params()["grid_levels"] == 5
    banded = parse_spec("l1_distance", {"estimator": "banded"}, box).public_params()
    assert banded["alpha"] == 0.1 and banded["grid_levels"] == 5
    wide = DataSpec(2048, BALL, "add_remove")  # derived depths are capped to fit
    assert parse_spec("l1_distance", {"alpha": 1e-6}, wide).public_params()["grid_levels"] == 13
    c = embedding.embedding_constant(DIM)
    l2 = parse_spec("l2_distance", {"alpha": 0.1}, box).public_params()
    assert l2["projection_dim"] == math.ceil((1 - c * c) / (c * c * 0.01))
    assert embedding.distortion_std(DIM, l2["projection_dim"]) <= 0.1
    assert parse_spec("l2_distance", {}, box).public_params()["projection_dim"] == 128


@pytest.mark.parametrize(("kind", "params", "name"), [
    ("l1_distance", {"grid_levels": 0}, "params.grid_levels"),
    ("l1_distance", {"grid_levels": 21}, "params.grid_levels"),
    ("l1_distance", {"grid_levels": 2.5}, "params.grid_levels"),
    ("l1_distance", {"alpha": 0}, "params.alpha"),
    ("l1_distance", {"alpha": 1.5}, "params.alpha"),
    ("l1_distance", {"estimator": "median"}, "params.estimator"),
    ("l1_distance", {"mechanism": "exponential"}, "params.mechanism"),
    ("l1_distance", {"projection_dim": 8}, "params"),
    ("l1_distance", {"bandwidth": 1.0}, "params"),
    ("l2_distance", {"projection_dim": 0}, "params.projection_dim"),
    ("l2_distance", {"projection_dim": 10**6}, "params.projection_dim"),
    ("l2_distance", {"grid_levels": 20, "projection_dim": 64}, "params.grid_levels"),
])
def test_bad_params_are_refused_with_the_parameter_named(kind, params, name) -> None:
    with pytest.raises(InvalidParameter) as info:
        parse_spec(kind, params, DataSpec(DIM, BALL, "add_remove"))
    assert info.value.name == name


def test_a_release_too_large_is_refused_naming_grid_levels() -> None:
    wide = DataSpec(2048, L2Ball(1.0), "add_remove")
    assert parse_spec("l1_distance", {"grid_levels": 12}, wide)  # 2048 * 8191 * 2 fits
    with pytest.raises(InvalidParameter) as info:
        parse_spec("l1_distance", {"grid_levels": 14}, wide)
    assert info.value.name == "params.grid_levels"


@pytest.mark.parametrize(("kind", "params"), [
    ("l1_distance", {"grid_levels": 4}), ("l1_distance", {"estimator": "banded"}),
    ("l2_distance", {"projection_dim": 8, "grid_levels": 4}),
    ("l2_distance", {"projection_dim": 8, "grid_levels": 4, "estimator": "banded"})])
def test_release_files_round_trip(kind, params) -> None:
    spec, _, release = _build(kind, params, BOX, BOX_ROWS, epsilon=1.0)
    blob = dump_release(release)
    again = load_release(blob)
    assert dump_release(again) == blob
    points = _points(BOX, BOX_ROWS)
    for reduce in ("sum", "mean"):
        for a, b in zip(release.query(points, reduce), again.query(points, reduce),
                        strict=True):
            np.testing.assert_array_equal(a, b)
    assert again.error_model(spec.data) == release.error_model(spec.data)
    arrays = dict(release.arrays())
    arrays["counts"] = arrays["counts"][:, :-1]
    with pytest.raises(CorruptRelease):
        type(release).from_parts(release.header(), arrays)
