"""core.solvers.design: leverage, the projection DPP against DPPy and exact
probabilities, volume sampling against i.i.d. optimal sampling (Nouy and Michel's point),
the k-DPP and greedy MAP of quality-diversity selection, the refusals, and the same
answers from array-api-strict and CuPy inputs as from NumPy."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import array_api_strict as xps
import numpy as np
import pytest
from array_api_compat import array_namespace
from scipy import stats

from core._array import to_host
from core.errors import InvalidParameter
from core.solvers import design
from core.solvers.design import (
    MAX_KERNEL_POOL,
    MAX_POOL,
    Design,
    iid_optimal,
    legendre_features,
    leverage,
    polynomial_features,
    projection_dpp,
    quality_diversity,
    solve_design,
    volume_rescaled,
    weighted_least_squares,
)
from gpu.device import load_cupy
from tests.unit.core.progress_checks import Cancelled, assert_progress, cancel_on_call

P_MIN = 1e-3  # p-value threshold of the goodness-of-fit tests (fixed seeds)


def _small_pool(seed: int = 0, N: int = 12, m: int = 3) -> np.ndarray:
    """A pool whose leverages differ a lot: Gaussian rows with very different scales."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((N, m)) * np.geomspace(0.2, 3.0, N)[:, None]


def _orthonormal(Phi: np.ndarray) -> np.ndarray:
    U, _, _ = np.linalg.svd(Phi, full_matrices=False)
    return U


def _inclusion_counts(samples: list[np.ndarray], N: int) -> np.ndarray:
    counts = np.zeros(N)
    for s in samples:
        counts[s] += 1
    return counts


def _fit(counts: np.ndarray, expected: np.ndarray) -> float:
    """Chi-squared p-value of counts against expected counts of the same total. For a
    DPP the inclusion counts vary less than multinomial counts (Bernoulli variance
    S l (1 - l) against S l (1 - l / m)), so this is conservative."""
    return float(stats.chisquare(counts, expected * counts.sum() / expected.sum()).pvalue)


# --- features and leverage -----------------------------------------------------------------

def test_legendre_features_are_orthonormal_for_the_uniform_measure() -> None:
    nodes, weights = np.polynomial.legendre.leggauss(30)
    Phi = legendre_features(nodes, 12)
    gram = (Phi * (weights / 2.0)[:, None]).T @ Phi
    np.testing.assert_allclose(gram, np.eye(13), atol=1e-12)
    np.testing.assert_allclose(legendre_features(np.array([1.0]), 4)[0],
                               np.sqrt(2 * np.arange(5) + 1.0))


def test_polynomial_features_tensor_legendre_of_total_degree() -> None:
    nodes, weights = np.polynomial.legendre.leggauss(8)
    X, Y = np.meshgrid(nodes, nodes, indexing="ij")
    W = np.outer(weights, weights).ravel() / 4.0
    Phi = polynomial_features(np.stack([X.ravel(), Y.ravel()], axis=1), 4)
    assert Phi.shape == (64, math.comb(6, 2))
    np.testing.assert_allclose((Phi * W[:, None]).T @ Phi, np.eye(15), atol=1e-12)
    x = np.linspace(-1, 1, 7)
    np.testing.assert_allclose(polynomial_features(x, 5), legendre_features(x, 5))


def test_leverage_sums_to_m_and_is_the_projection_diagonal() -> None:
    rng = np.random.default_rng(3)
    Phi = rng.standard_normal((40, 5)) @ rng.standard_normal((5, 5))
    scores = leverage(Phi)
    projection = Phi @ np.linalg.solve(Phi.T @ Phi, Phi.T)
    np.testing.assert_allclose(scores, np.diag(projection), atol=1e-12)
    assert scores.sum() == pytest.approx(5.0, abs=1e-12)
    # the basis does not matter, only its span
    np.testing.assert_allclose(leverage(Phi @ rng.standard_normal((5, 5))), scores,
                               atol=1e-10)


def test_weights_make_the_gram_matrix_unbiased() -> None:
    """sum_i rho_i w_i phi_i phi_i' = I with phi = sqrt(N) U and w = 1 / (N rho)."""
    rng = np.random.default_rng(4)
    Phi = _small_pool(4, 30, 4)
    U = _orthonormal(Phi)
    sample = iid_optimal(Phi, 200_000, rng)
    rho = leverage(Phi) / 4.0
    np.testing.assert_allclose(sample.weights, 1.0 / (30 * rho[sample.indices]))
    exact = (U * (rho * (1.0 / (30 * rho)) * 30)[:, None]).T @ U
    np.testing.assert_allclose(exact, np.eye(4), atol=1e-12)
    B = U[sample.indices] * np.sqrt(sample.weights * 30 / sample.indices.size)[:, None]
    np.testing.assert_allclose(B.T @ B, np.eye(4), atol=0.03)


def test_iid_optimal_draws_from_rho() -> None:
    Phi = _small_pool(5)
    sample = iid_optimal(Phi, 20_000, np.random.default_rng(5))
    counts = np.bincount(sample.indices, minlength=12)
    assert _fit(counts, leverage(Phi)) > P_MIN


# --- the projection DPP ----------------------------------------------------------------

def _dppy_samples(U: np.ndarray, count: int, seed: int) -> list[np.ndarray]:
    finite_dpps = pytest.importorskip("dppy.finite_dpps")
    dpp = finite_dpps.FiniteDPP("correlation", projection=True,
                                K_eig_dec=(np.ones(U.shape[1]), U))
    state = np.random.RandomState(seed)
    for _ in range(count):
        dpp.sample_exact(mode="GS", random_state=state)
    return [np.asarray(s, dtype=np.intp) for s in dpp.list_of_samples]


def test_projection_dpp_inclusion_frequencies_match_dppy_and_the_leverage() -> None:
    Phi = _small_pool(0)
    U = _orthonormal(Phi)
    scores = leverage(Phi)
    rng = np.random.default_rng(7)
    ours = [projection_dpp(Phi, rng).indices for _ in range(4000)]
    theirs = _dppy_samples(U, 4000, 7)
    assert all(s.size == 3 and np.unique(s).size == 3 for s in ours)
    ours_counts, theirs_counts = _inclusion_counts(ours, 12), _inclusion_counts(theirs, 12)
    assert _fit(ours_counts, scores) > P_MIN
    assert _fit(theirs_counts, scores) > P_MIN
    table = np.stack([ours_counts, theirs_counts])
    assert stats.chi2_contingency(table).pvalue > P_MIN
    # negative control: uniform without replacement has inclusion 1/4 everywhere
    uniform = [rng.choice(12, size=3, replace=False) for _ in range(4000)]
    uniform_counts = _inclusion_counts(uniform, 12)
    assert _fit(uniform_counts, scores) < 1e-6
    assert stats.chi2_contingency(np.stack([ours_counts, uniform_counts])).pvalue < 1e-6


def test_projection_dpp_pairs_and_sets_have_the_exact_probabilities() -> None:
    """P(i, j in S) = det K_{ij,ij} and P(S) = det K_S for the projection DPP."""
    Phi = _small_pool(1)
    U = _orthonormal(Phi)
    K = U @ U.T
    rng = np.random.default_rng(11)
    draws = 20_000
    samples = [np.sort(projection_dpp(Phi, rng).indices) for _ in range(draws)]
    pair_counts = np.zeros((12, 12))
    set_counts: dict[tuple[int, ...], int] = {}
    for s in samples:
        pair_counts[np.ix_(s, s)] += 1
        key = tuple(int(i) for i in s)
        set_counts[key] = set_counts.get(key, 0) + 1
    z = []
    for i, j in itertools.combinations(range(12), 2):
        p = K[i, i] * K[j, j] - K[i, j] ** 2
        z.append((pair_counts[i, j] - draws * p) / math.sqrt(draws * p * (1 - p)))
    assert max(abs(v) for v in z) < 4.5  # 66 pairs: a 4.5-sigma excursion is ~5e-4
    subsets = list(itertools.combinations(range(12), 3))
    exact = np.array([np.linalg.det(K[np.ix_(s, s)]) for s in subsets])
    assert exact.sum() == pytest.approx(1.0, abs=1e-10)  # P(S) = det K_S sums to 1
    observed = np.array([set_counts.get(s, 0) for s in subsets], dtype=float)
    big = exact * draws >= 5  # pool the rare sets into one bin
    obs = np.append(observed[big], observed[~big].sum())
    exp = np.append(exact[big], exact[~big].sum()) * draws
    assert stats.chisquare(obs, exp).pvalue > P_MIN


def test_volume_rescaled_is_a_dpp_sample_plus_iid_draws() -> None:
    Phi = _small_pool(2)
    rng = np.random.default_rng(12)
    sample = volume_rescaled(Phi, 7, rng)
    assert sample.indices.size == 7
    assert np.unique(sample.indices[:3]).size == 3
    scores = leverage(Phi)
    np.testing.assert_allclose(sample.weights, 3.0 / (12 * scores[sample.indices]))
    tails = np.concatenate([volume_rescaled(Phi, 8, rng).indices[3:] for _ in range(3000)])
    assert _fit(np.bincount(tails, minlength=12).astype(float), scores) > P_MIN


# --- least squares: Nouy and Michel's point ---------------------------------------------------

def test_weighted_least_squares_matches_the_normal_equations() -> None:
    rng = np.random.default_rng(8)
    A, y, w = rng.standard_normal((15, 4)), rng.standard_normal(15), rng.uniform(0.1, 2, 15)
    expected = np.linalg.solve(A.T @ (w[:, None] * A), A.T @ (w * y))
    np.testing.assert_allclose(weighted_least_squares(A, y, w), expected, atol=1e-12)


def test_solve_design_reads_values_or_asks_for_them() -> None:
    x = np.linspace(-1, 1, 200)
    Phi = legendre_features(x, 3)
    f = 1 + x - 2 * x**3  # in the span: every full-rank design recovers it exactly
    design = solve_design(Phi, f, np.random.default_rng(0), method="volume", n=8)
    assert isinstance(design, Design)
    assert design.full_rank
    assert design.gram_condition >= 1.0
    np.testing.assert_allclose(Phi @ design.coefficients, f, atol=1e-10)
    asked: list[np.ndarray] = []

    def label(indices: np.ndarray) -> np.ndarray:
        asked.append(indices)
        return f[indices]

    again = solve_design(Phi, label, np.random.default_rng(0), method="volume", n=8)
    np.testing.assert_array_equal(again.indices, design.indices)
    np.testing.assert_array_equal(asked[0], design.indices)
    assert solve_design(Phi, f, np.random.default_rng(1), method="dpp").indices.size == 4


def test_volume_sampling_beats_iid_optimal_sampling_on_the_runge_function() -> None:
    """Legendre m = 10, Runge's function, pool N = 2,000 uniform on [-1, 1], 100 reps.
    Error / best-approximation error in the pool's empirical L2."""
    rng = np.random.default_rng(2024)
    x = rng.uniform(-1, 1, 2000)
    Phi = legendre_features(x, 9)
    f = 1.0 / (1.0 + 25.0 * x**2)
    best = np.sqrt(np.mean((f - Phi @ np.linalg.lstsq(Phi, f, rcond=None)[0]) ** 2))
    m = 10
    settings = {"iid_m": ("iid", m), "iid_mlogm": ("iid", math.ceil(m * math.log(m))),
                "dpp": ("dpp", None), "volume_2m": ("volume", 2 * m)}
    ratios: dict[str, np.ndarray] = {}
    for name, (method, n) in settings.items():
        errors = []
        for _ in range(100):
            design = solve_design(Phi, f, rng, method=method, n=n)  # type: ignore[arg-type]
            errors.append(np.sqrt(np.mean((f - Phi @ design.coefficients) ** 2)) / best)
        ratios[name] = np.asarray(errors)
    q95 = {name: float(np.quantile(r, 0.95)) for name, r in ratios.items()}
    assert all(np.all(r >= 1.0 - 1e-9) for r in ratios.values())  # none beats the best
    assert q95["volume_2m"] < q95["iid_m"] / 10  # iid at n = m is unstable
    assert q95["volume_2m"] <= q95["iid_mlogm"]  # with fewer points (20 against 24)
    assert q95["volume_2m"] <= q95["dpp"]
    assert q95["volume_2m"] < 4.0
    assert float(np.max(ratios["volume_2m"])) < 10.0


# --- quality-diversity ---------------------------------------------------------------------

def _kernel(N: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, 2))
    return np.exp(-np.sum((X[:, None] - X[None]) ** 2, axis=-1))


def test_k_dpp_sampler_has_the_exact_set_probabilities() -> None:
    N, k, draws = 8, 3, 10_000
    K = _kernel(N, 0)
    q = np.random.default_rng(1).uniform(0.3, 2.0, N)
    L = q[:, None] * K * q[None, :]
    subsets = list(itertools.combinations(range(N), k))
    exact = np.array([np.linalg.det(L[np.ix_(s, s)]) for s in subsets])
    exact /= exact.sum()
    rng = np.random.default_rng(2)
    index = {s: i for i, s in enumerate(subsets)}
    observed = np.zeros(len(subsets))
    for _ in range(draws):
        chosen = quality_diversity(K, q, k, rng).indices
        assert np.unique(chosen).size == k
        observed[index[tuple(sorted(int(i) for i in chosen))]] += 1
    big = exact * draws >= 5
    obs = np.append(observed[big], observed[~big].sum())
    exp = np.append(exact[big], exact[~big].sum()) * draws
    assert stats.chisquare(obs, exp).pvalue > P_MIN
    # negative control: ignoring the qualities (L = K) is rejected by the same test
    plain = np.zeros(len(subsets))
    for _ in range(draws // 4):
        chosen = quality_diversity(K, np.ones(N), k, rng).indices
        plain[index[tuple(sorted(int(i) for i in chosen))]] += 1
    obs = np.append(plain[big], plain[~big].sum())
    assert stats.chisquare(obs, exp / 4).pvalue < 1e-6


def test_greedy_map_is_within_a_factor_two_of_the_best_set_on_a_small_pool() -> None:
    N, k = 9, 3
    K = _kernel(N, 5)
    q = np.random.default_rng(6).uniform(0.5, 1.5, N)
    L = q[:, None] * K * q[None, :]
    greedy = quality_diversity(K, q, k, method="greedy")
    best = max(np.linalg.slogdet(L[np.ix_(s, s)])[1]
               for s in itertools.combinations(range(N), k))
    assert greedy.complete
    assert greedy.log_det == pytest.approx(np.linalg.slogdet(
        L[np.ix_(greedy.indices, greedy.indices)])[1])
    assert greedy.log_det >= best - math.log(2.0)


def test_qualities_steer_the_selection() -> None:
    N = 10
    K = _kernel(N, 7)
    q = np.ones(N)
    q[[2, 5]] = 0.0
    rng = np.random.default_rng(8)
    for _ in range(300):
        assert not set(quality_diversity(K, q, 4, rng).indices.tolist()) & {2, 5}
    assert not set(quality_diversity(K, q, 4, method="greedy").indices.tolist()) & {2, 5}
    # constant q is the plain L = K selection
    np.testing.assert_array_equal(quality_diversity(K, np.full(N, 3.0), 4, method="greedy")
                                  .indices,
                                  quality_diversity(K, np.ones(N), 4, method="greedy").indices)
    scaled = [quality_diversity(K, np.full(N, 3.0), 4, np.random.default_rng(s)).indices
              for s in range(50)]
    plain = [quality_diversity(K, np.ones(N), 4, np.random.default_rng(s)).indices
             for s in range(50)]
    assert sum(np.array_equal(a, b) for a, b in zip(scaled, plain, strict=True)) >= 48
    # a high quality pulls a point in
    boosted = np.ones(N)
    boosted[9] = 50.0
    assert 9 in quality_diversity(K, boosted, 3, method="greedy").indices.tolist()


def test_greedy_stops_where_no_point_adds_volume() -> None:
    K = np.ones((5, 5))  # rank 1
    greedy = quality_diversity(K, np.ones(5), 3, method="greedy")
    assert not greedy.complete
    assert greedy.indices.size == 1
    with pytest.raises(InvalidParameter, match=r"^k: .*rank"):
        quality_diversity(K, np.ones(5), 3, np.random.default_rng(0))


# --- progress ----------------------------------------------------------------------------------

_PROGRESS_POOL = legendre_features(np.linspace(-1, 1, 150), 5)  # m = 6
_PROGRESS_VALUES = np.cos(3 * np.linspace(-1, 1, 150))
_QD_KERNEL, _QD_QUALITY = _kernel(30, 3), np.linspace(0.5, 1.5, 30)


def _progress_call(name: str, rng: np.random.Generator,
                   progress: Callable[[float], None] | None) -> tuple[Any, ...]:
    """The named call's outputs, as a tuple of arrays and numbers."""
    Phi, y = _PROGRESS_POOL, _PROGRESS_VALUES
    if name.startswith("solve_"):
        method: Any = name.removeprefix("solve_")
        d = solve_design(Phi, y, rng, method=method, n=None if method == "dpp" else 9,
                         progress=progress)
        return (d.indices, d.weights, d.coefficients, d.gram_condition, d.gram_deviation,
                d.full_rank)
    if name.startswith("qd_"):
        qd: Any = name.removeprefix("qd_")
        s = quality_diversity(_QD_KERNEL, _QD_QUALITY, 5, rng, method=qd, progress=progress)
        return s.indices, s.log_det, s.complete
    if name == "iid_optimal":
        sample = iid_optimal(Phi, 9, rng, progress=progress)
    elif name == "projection_dpp":
        sample = projection_dpp(Phi, rng, progress=progress)
    else:
        sample = volume_rescaled(Phi, 9, rng, progress=progress)
    return sample.indices, sample.weights


_PROGRESS_CALLS = ["solve_iid", "solve_dpp", "solve_volume", "qd_sample", "qd_greedy",
                   "iid_optimal", "projection_dpp", "volume_rescaled"]


@pytest.mark.parametrize("name", _PROGRESS_CALLS)
def test_progress_is_monotone_per_point_and_changes_nothing(name: str) -> None:
    told: list[float] = []
    rng = np.random.default_rng(31)
    outputs = _progress_call(name, rng, told.append)
    points = 0 if "iid" in name else 5 if name.startswith("qd_") else 6  # DPP or greedy
    assert_progress(told, points)
    again = np.random.default_rng(31)
    for got, plain in zip(outputs, _progress_call(name, again, None), strict=True):
        np.testing.assert_array_equal(got, plain)
    assert rng.bit_generator.state == again.bit_generator.state  # it drew nothing


@pytest.mark.parametrize("name", _PROGRESS_CALLS)
def test_an_exception_from_progress_stops_the_call(name: str) -> None:
    with pytest.raises(Cancelled):
        _progress_call(name, np.random.default_rng(32), cancel_on_call(3))


def test_progress_fractions_follow_the_stages() -> None:
    told: list[float] = []
    solve_design(_PROGRESS_POOL, _PROGRESS_VALUES, np.random.default_rng(33), method="dpp",
                 progress=told.append)  # basis, then the chain rule's 6 points
    assert told == [0.0, 0.5, *(0.5 + 0.5 * t / 6 for t in range(6)), 1.0]
    told.clear()
    solve_design(_PROGRESS_POOL, _PROGRESS_VALUES, np.random.default_rng(33), method="iid",
                 n=9, progress=told.append)  # the draws come at once
    assert told == [0.0, 0.5, 1.0]
    told.clear()
    quality_diversity(_QD_KERNEL, _QD_QUALITY, 5, method="greedy", progress=told.append)
    assert told == [0.0, *(t / 5 for t in range(5)), 1.0]
    told.clear()
    quality_diversity(_QD_KERNEL, _QD_QUALITY, 5, np.random.default_rng(34),
                      progress=told.append)  # the eigendecomposition, then the k points
    assert told == [0.0, 0.5, *(0.5 + 0.5 * t / 5 for t in range(5)), 1.0]


# --- refusals and caps -------------------------------------------------------------------------

def test_refusals() -> None:
    rng = np.random.default_rng(0)
    Phi = _small_pool(0)
    bad = Phi.copy()
    bad[0, 0] = np.nan
    cases = [
        (lambda: leverage(bad), "Phi", "finite"),
        (lambda: leverage(Phi[:2]), "Phi", "at least as many"),
        (lambda: leverage(np.c_[Phi, Phi[:, 0]]), "Phi", "linearly independent"),
        (lambda: leverage(np.ones(5)), "Phi", "2-D"),
        (lambda: volume_rescaled(Phi, 2, rng), "n", "at least"),
        (lambda: iid_optimal(Phi, 0, rng), "n", "between"),
        (lambda: iid_optimal(Phi, 2.5, rng), "n", "integer"),
        (lambda: projection_dpp(Phi, np.random.RandomState(0)), "rng", "Generator"),
        (lambda: solve_design(Phi, np.ones(12), rng, method="dpp", n=5), "n", "must be m"),
        (lambda: solve_design(Phi, np.ones(11), rng), "y", "one value"),
        (lambda: solve_design(Phi, np.ones(12), rng, method="x"), "method", "one of"),
        (lambda: solve_design(Phi, lambda i: np.full(i.size, np.inf), rng), "y", "finite"),
        (lambda: weighted_least_squares(Phi[:2], np.ones(2), np.ones(2)), "Phi_sample",
         "rank"),
        (lambda: weighted_least_squares(Phi, np.ones(12), -np.ones(12)), "weights", ">= 0"),
        (lambda: legendre_features(np.array([0.0, 1.5]), 3), "x", "[-1, 1]"),
        (lambda: legendre_features(np.zeros(3), -1), "degree", "between"),
        (lambda: polynomial_features(np.zeros((3, 30)), 10), "degree", "more than"),
        (lambda: quality_diversity(np.ones((3, 4)), np.ones(3), 1, rng), "K", "square"),
        (lambda: quality_diversity(np.triu(np.ones((3, 3))), np.ones(3), 1, rng), "K",
         "symmetric"),
        (lambda: quality_diversity(np.diag([1.0, -1.0]), np.ones(2), 1, rng), "K",
         "semi-definite"),
        (lambda: quality_diversity(np.array([[1.0, 2.0], [2.0, 1.0]]), np.ones(2), 1, rng),
         "K", "semi-definite"),
        (lambda: quality_diversity(np.eye(3), -np.ones(3), 1, rng), "q", ">= 0"),
        (lambda: quality_diversity(np.eye(3), np.ones(3), 4, rng), "k", "between"),
        (lambda: quality_diversity(np.eye(3), np.ones(3), 2), "rng", "Generator"),
        (lambda: quality_diversity(np.eye(3), np.ones(3), 2, rng, method="x"), "method",
         "sample or greedy"),
    ]
    for call, name, rule in cases:
        with pytest.raises(InvalidParameter) as info:
            call()
        assert info.value.name == name, (name, str(info.value))
        assert rule in info.value.rule, (rule, str(info.value))


def test_size_caps_refuse(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    assert MAX_POOL >= 100_000
    assert MAX_KERNEL_POOL >= 1_000
    monkeypatch.setattr(design, "MAX_POOL", 10)
    monkeypatch.setattr(design, "MAX_KERNEL_POOL", 4)
    with pytest.raises(InvalidParameter, match=r"^Phi: takes at most"):
        leverage(np.ones((11, 1)))
    with pytest.raises(InvalidParameter, match=r"^x: takes at most"):
        legendre_features(np.zeros(11), 2)
    with pytest.raises(InvalidParameter, match=r"^K: takes at most"):
        quality_diversity(np.eye(5), np.ones(5), 1, rng)


def test_iid_at_n_equal_m_reports_a_singular_draw_instead_of_raising() -> None:
    x = np.linspace(-1, 1, 50)
    Phi = legendre_features(x, 4)
    rng = np.random.default_rng(0)
    seen_singular = False
    for _ in range(400):
        design = solve_design(Phi, np.sin(3 * x), rng, method="iid", n=5)
        if not design.full_rank:  # a repeated point: 4 distinct rows for 5 unknowns
            assert design.gram_condition == math.inf
            assert np.unique(design.indices).size < 5
            seen_singular = True
    assert seen_singular


# --- array-generic: array-api-strict and CuPy give the NumPy answer --------------------------

_GENERIC_X = np.random.default_rng(41).uniform(-1, 1, 300)
_GENERIC_CUBE = np.random.default_rng(42).uniform(-1, 1, (200, 2))
_GENERIC_VALUES = np.cos(3 * _GENERIC_X)
_GENERIC_KERNEL, _GENERIC_QUALITY = _kernel(40, 9), np.linspace(0.5, 1.5, 40)
_GENERIC_CALLS = [
    "legendre_features", "polynomial_features", "leverage", "iid_optimal", "projection_dpp",
    "volume_rescaled", "weighted_least_squares",
    *(f"solve_{method}_{y}" for method in ("iid", "dpp", "volume")
      for y in ("values", "asked", "none")),
    "qd_sample", "qd_greedy",
]


def _generic_call(name: str, to: Callable[[np.ndarray], Any]) -> tuple[Any, ...]:
    """The named call on inputs made by ``to`` (an asarray) with a fixed seed: its outputs,
    arrays and Python scalars. The features are computed in the same namespace."""
    rng = np.random.default_rng(43)
    Phi = legendre_features(to(_GENERIC_X), 5)
    if name == "legendre_features":
        return (Phi,)
    if name == "polynomial_features":
        return polynomial_features(to(_GENERIC_CUBE), 4), polynomial_features(to(_GENERIC_X), 3)
    if name == "leverage":
        return (leverage(Phi),)
    if name == "weighted_least_squares":
        w = np.random.default_rng(44).uniform(0.1, 2.0, _GENERIC_X.size)
        return (weighted_least_squares(Phi, to(_GENERIC_VALUES), to(w)),)
    if name.startswith("solve_"):
        method, reading = name.removeprefix("solve_").split("_")
        asked: list[Any] = []

        def label(indices: np.ndarray) -> np.ndarray:
            asked.append(indices)
            return _GENERIC_VALUES[indices] if reading == "asked" else np.zeros(indices.size)

        y: Any = to(_GENERIC_VALUES) if reading == "values" else label
        d = solve_design(Phi, y, rng, method=method,  # type: ignore[arg-type]
                         n=None if method == "dpp" else 15)
        if reading != "values":  # the callable is given host indices, as NumPy intp
            assert len(asked) == 1
            assert isinstance(asked[0], np.ndarray)
            assert asked[0].dtype == np.intp
            np.testing.assert_array_equal(asked[0], to_host(d.indices))
        return (d.indices, d.weights, d.coefficients, d.gram_condition, d.gram_deviation,
                d.full_rank)
    if name.startswith("qd_"):
        method = name.removeprefix("qd_")
        s = quality_diversity(to(_GENERIC_KERNEL), to(_GENERIC_QUALITY), 6, rng,
                              method=method)  # type: ignore[arg-type]
        return s.indices, s.log_det, s.complete
    call = {"iid_optimal": lambda: iid_optimal(Phi, 25, rng),
            "projection_dpp": lambda: projection_dpp(Phi, rng),
            "volume_rescaled": lambda: volume_rescaled(Phi, 15, rng)}[name]
    sample = call()
    return sample.indices, sample.weights


def _assert_same_answer(got: tuple[Any, ...], expected: tuple[Any, ...], like: Any,
                        rtol: float) -> None:
    """Arrays of like's namespace with the same indices and floats within rtol of the
    NumPy ones (relative to each array's largest entry); equal Python scalars."""
    for out, reference in zip(got, expected, strict=True):
        if isinstance(reference, np.ndarray):
            assert array_namespace(out) is array_namespace(like)
            host = to_host(out)
            assert host.shape == reference.shape
            if reference.dtype.kind == "i":
                assert reference.dtype == np.intp
                assert "int64" in str(out.dtype)
                np.testing.assert_array_equal(host, reference)
            else:
                np.testing.assert_allclose(host, reference, rtol=rtol,
                                           atol=rtol * float(np.max(np.abs(reference))))
        elif isinstance(reference, bool):
            assert out is reference
        else:
            assert isinstance(out, float)
            assert out == pytest.approx(reference, rel=rtol)


@pytest.mark.parametrize("name", _GENERIC_CALLS)
def test_array_api_strict_gives_the_numpy_answer(name: str) -> None:
    expected = _generic_call(name, np.asarray)
    assert all(isinstance(out, np.ndarray) for out in expected if not
               isinstance(out, float | bool))
    got = _generic_call(name, xps.asarray)
    _assert_same_answer(got, expected, xps.asarray(0.0), rtol=1e-12)


def test_array_api_strict_inputs_are_validated_in_their_namespace() -> None:
    rng = np.random.default_rng(0)
    Phi = _small_pool(0)
    bad = Phi.copy()
    bad[0, 0] = np.nan
    cases = [
        (lambda: leverage(xps.asarray(bad)), "Phi", "finite"),
        (lambda: leverage(xps.asarray(Phi + 0j)), "Phi", "numbers"),
        (lambda: leverage(xps.asarray(np.c_[Phi, Phi[:, 0]])), "Phi", "linearly independent"),
        (lambda: solve_design(xps.asarray(Phi), xps.asarray(np.ones(11)), rng), "y",
         "one value"),
        (lambda: legendre_features(xps.asarray([0.0, 1.5]), 3), "x", "[-1, 1]"),
        (lambda: weighted_least_squares(xps.asarray(Phi), np.ones(12), -np.ones(12)),
         "weights", ">= 0"),
        (lambda: quality_diversity(xps.asarray(np.triu(np.ones((3, 3)))), np.ones(3), 1, rng),
         "K", "symmetric"),
        (lambda: quality_diversity(xps.asarray(np.eye(3)), -np.ones(3), 1, rng), "q", ">= 0"),
    ]
    for call, name, rule in cases:
        with pytest.raises(InvalidParameter) as info:
            call()
        assert info.value.name == name, (name, str(info.value))
        assert rule in info.value.rule, (rule, str(info.value))
    # integer and boolean arrays are taken as float64, as on NumPy
    np.testing.assert_array_equal(to_host(legendre_features(xps.asarray([0, 1]), 1)),
                                  legendre_features(np.array([0, 1]), 1))
    pool = np.array([[True, False], [False, True], [True, True]])
    np.testing.assert_allclose(to_host(leverage(xps.asarray(pool))), leverage(pool),
                               rtol=1e-12)
    assert leverage(xps.asarray(pool)).dtype == xps.float64


@pytest.mark.gpu
def test_cupy_gives_the_numpy_answer() -> None:
    cp = load_cupy()
    if cp is None:
        pytest.skip("no usable CUDA device: gpu.device.load_cupy() is None")
    for name in _GENERIC_CALLS:  # cuSOLVER and LAPACK round apart: 1e-9, as test_ot
        expected = _generic_call(name, np.asarray)
        got = _generic_call(name, cp.asarray)
        _assert_same_answer(got, expected, cp.asarray(0.0), rtol=1e-9)
