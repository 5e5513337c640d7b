"""The vMF kernel kind (``vmf_kde``) against exact brute force, and the DP vMF fit
(core/models/vmf.py) against known concentrations.

vMF samples come from Wood's (1994) rejection sampler below, checked against SciPy's
``vonmises_fisher.rvs`` at small d: SciPy's sampler rotates its samples with a d x d QR
factorisation, about 20-30 s at d = 2048 on the build machine, too slow for the suite.

The DP recovery figures use noise drawn here from a seeded NumPy generator at the
plan's exact noise stds, so that they are reproducible (the release's own noise comes
from OpenDP's CSPRNG and cannot be seeded); one test runs the real build as well."""

from __future__ import annotations

import math
import warnings
from typing import Any

import array_api_strict as xps
import numpy as np
import pytest
from numpy.typing import NDArray
from scipy import integrate, stats  # type: ignore[import-untyped]
from scipy.special import logsumexp  # type: ignore[import-untyped]

from core._array import to_host
from core.domain import Box, L2Ball, Neighbouring
from core.errors import CorruptRelease, IncompatibleArrays, InvalidParameter
from core.kinds import kind_def
from core.kinds.vmf_kde.release import VmfKDERelease, to_sphere
from core.kinds.vmf_kde.spec import VmfKDESpec
from core.models.vmf import (
    VmfFitSpec,
    VmfRelease,
    debiased_resultant,
    kappa_from_resultant,
    ratio_slope,
    vmf_log_pdf,
)
from core.privacy.budget import PrivacyBudget
from core.special import bessel_ratio, log_sphere_area, log_vmf_normaliser
from core.structures import DataSpec, build_release, noise_plan, parse_spec

BALL = L2Ball(1.0)


def wood_samples(n: int, d: int, kappa: float, seed: int,
                 mu: NDArray[np.float64] | None = None) -> NDArray[np.float64]:
    """n draws of a vMF on S^{d-1} (Wood 1994): w = mu.x by rejection from a Beta
    proposal, then a uniform direction orthogonal to mu."""
    rng = np.random.default_rng(seed)
    m1 = d - 1
    b = m1 / (2 * kappa + math.sqrt(4 * kappa**2 + m1**2))
    x0 = (1 - b) / (1 + b)
    c = kappa * x0 + m1 * math.log(1 - x0 * x0)
    accepted = np.empty(0)
    while accepted.size < n:
        z = rng.beta(m1 / 2, m1 / 2, size=2 * n)
        w = (1 - (1 + b) * z) / (1 - (1 - b) * z)
        keep = kappa * w + m1 * np.log(1 - x0 * w) - c >= np.log(rng.uniform(size=2 * n))
        accepted = np.concatenate([accepted, w[keep]])
    w = accepted[:n]
    g = rng.standard_normal((n, m1))
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    x = np.hstack([w[:, None], np.sqrt(1 - w * w)[:, None] * g])  # mu = e_1
    if mu is None:
        return x
    # the reflection that sends e_1 to mu
    v = np.eye(d)[0] - mu
    if np.linalg.norm(v) < 1e-12:
        return x
    v /= np.linalg.norm(v)
    return np.asarray(x - 2 * np.outer(x @ v, v))


def test_wood_sampler_agrees_with_scipy() -> None:
    mu = np.array([0.6, 0.0, 0.8, 0.0, 0.0])
    ours = wood_samples(4000, 5, 3.0, seed=1, mu=mu)
    theirs = stats.vonmises_fisher(mu, 3.0).rvs(4000, random_state=np.random.default_rng(2))
    assert stats.ks_2samp(ours @ mu, theirs @ mu).pvalue > 1e-3
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, rtol=1e-12)
    assert float(np.mean(ours @ mu)) == pytest.approx(float(bessel_ratio(5, 3.0)), abs=0.02)


@pytest.fixture(scope="module")
def samples() -> dict[float, NDArray[np.float64]]:
    """5,000 rows of a vMF in d = 2048 around e_1, for kappa 200 and 3000."""
    return {kappa: wood_samples(5000, 2048, kappa, seed=11) for kappa in (200.0, 3000.0)}


# --- the pure functions ---------------------------------------------------------------

@pytest.mark.parametrize("d", [2, 3, 10, 33, 2048, 65_536])
def test_kappa_from_resultant_inverts_the_ratio(d: int) -> None:
    for rbar in (1e-8, 1e-3, 0.1, 0.5, 0.9, 0.999, 1 - 1e-6, 1 - 1e-12):
        kappa = kappa_from_resultant(rbar, d)
        assert float(bessel_ratio(d, kappa)) == pytest.approx(rbar, rel=2e-15)
    assert kappa_from_resultant(0.0, d) == 0.0
    assert kappa_from_resultant(0.3, 1) == pytest.approx(math.atanh(0.3), rel=1e-15)


@pytest.mark.parametrize("d", [2, 3, 100, 2048])
def test_ratio_slope_matches_mpmath(d: int) -> None:
    """A_d' = 1 - A^2 - (d - 1) A / kappa, in 40 digits: the float formula where it
    keeps its digits, the asymptote (d - 1) / (2 kappa^2) where it would not."""
    import mpmath as mp  # type: ignore[import-untyped]

    mp.mp.dps = 40
    nu = mp.mpf(d) / 2 - 1
    for kappa in (1e-3, 1.0, 200.0, 3000.0, 1e6, 1e9):
        x = mp.mpf(kappa)
        a = mp.besseli(nu + 1, x) / mp.besseli(nu, x)
        exact = float(1 - a * a - (d - 1) * a / x)
        assert ratio_slope(d, kappa) == pytest.approx(exact, rel=1e-3), (d, kappa)
    assert ratio_slope(d, 0.0) == 1.0 / d


def test_kappa_from_resultant_refuses_what_has_no_root() -> None:
    for rbar, d in ((1.0, 3), (1.5, 3), (-0.1, 3), (math.nan, 3), (0.5, 0), (0.5, 70_000)):
        with pytest.raises(InvalidParameter):
            kappa_from_resultant(rbar, d)


def test_debiasing_removes_the_noise_from_the_squared_length() -> None:
    """E||S + Z||^2 = ||S||^2 + d sigma^2: the debiased squared length averages to
    ||S||^2 (the plain one overshoots by d sigma^2 / n^2)."""
    rng = np.random.default_rng(3)
    d, n, sigma = 500, 1000.0, 4.0
    s = np.zeros(d)
    s[0] = 120.0
    draws = s + rng.normal(0.0, sigma, size=(4000, d))
    debiased = np.array([debiased_resultant(row, sigma, n) for row in draws]) ** 2
    plain = (np.linalg.norm(draws, axis=1) / n) ** 2
    target = (120.0 / n) ** 2
    assert np.mean(debiased) == pytest.approx(target, rel=0.01)
    assert np.mean(plain) == pytest.approx(target + d * sigma**2 / n**2, rel=0.01)
    assert debiased_resultant(np.zeros(3), 1.0, 10.0) == 0.0
    assert debiased_resultant(np.full(4, 1e300), 0.0, 1.0) == pytest.approx(2e300)
    with pytest.raises(InvalidParameter):
        debiased_resultant(np.array([np.nan]), 1.0, 1.0)


def test_vmf_log_pdf_is_finite_where_scipy_overflows() -> None:
    d, kappa = 8192, 2000.0
    points = np.zeros((3, d))
    points[0, 0], points[1, 0], points[2, 1] = 1.0, -1.0, 1.0
    mu = points[0]
    ours = vmf_log_pdf(points, mu, kappa)
    assert np.all(np.isfinite(ours))
    expected = float(log_vmf_normaliser(d, kappa)) + kappa * np.array([1.0, -1.0, 0.0])
    np.testing.assert_allclose(ours, expected, rtol=1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert not np.isfinite(stats.vonmises_fisher(mu, kappa).logpdf(mu))


@pytest.mark.parametrize("d", [2, 3, 5, 12])
@pytest.mark.parametrize("kappa", [0.0, 1e-3, 1.0, 40.0])
def test_vmf_log_pdf_integrates_to_one(d: int, kappa: float) -> None:
    """On S^{d-1}, with t = cos(theta) from mu: integral of p = |S^{d-2}| int_0^pi
    sin^{d-2}(theta) p(cos theta) d theta (|S^0| = 2)."""
    mu = np.eye(d)[0]
    side = math.exp(float(log_sphere_area(d - 1))) if d > 2 else 2.0

    def density(theta: float) -> float:
        point = np.zeros(d)
        point[0], point[1] = math.cos(theta), math.sin(theta)
        return float(np.exp(vmf_log_pdf(point, mu, kappa))[0]) * math.sin(theta) ** (d - 2)

    total, _ = integrate.quad(density, 0.0, math.pi, epsabs=1e-13, epsrel=1e-12, limit=200)
    assert side * total == pytest.approx(1.0, rel=1e-9)


def test_vmf_log_pdf_normalises_points_and_refuses_bad_input() -> None:
    mu = np.array([0.0, 2.0, 0.0])
    np.testing.assert_allclose(vmf_log_pdf(np.array([[0.0, 5.0, 0.0]]), mu, 3.0),
                               vmf_log_pdf(np.array([0.0, 1.0, 0.0]), mu, 3.0))
    for args in ((np.ones(3), np.zeros(3), 1.0), (np.ones(3), np.ones(3), -1.0),
                 (np.ones(2), np.ones(3), 1.0), (np.ones(3), np.ones(3), math.inf)):
        with pytest.raises(InvalidParameter):
            vmf_log_pdf(*args)


# --- the fit: non-DP and DP recovery ------------------------------------------------------

@pytest.mark.parametrize("kappa", [200.0, 3000.0])
def test_the_fit_recovers_kappa_without_noise_where_scipy_fails(
        samples: dict[float, NDArray[np.float64]], kappa: float) -> None:
    x = samples[kappa]
    rbar = float(np.linalg.norm(x.sum(axis=0))) / x.shape[0]
    assert kappa_from_resultant(rbar, 2048) == pytest.approx(kappa, rel=0.02)
    if kappa == 200.0 and hasattr(stats.vonmises_fisher, "fit"):  # shown once
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, scipy_kappa = stats.vonmises_fisher.fit(x)
        assert not scipy_kappa > 0.5 * kappa  # measured: 1e-8


def _simulated_releases(spec: VmfFitSpec, rows: NDArray[np.float64], epsilon: float,
                        delta: float, seeds: range) -> list[tuple[VmfRelease, float]]:
    """Releases with seeded Gaussian noise at the plan's stds (reproducible), each with
    the kappa fitted without the debiasing."""
    plan = noise_plan(spec, PrivacyBudget(epsilon, delta))
    builder = spec.builder(0)
    exact = {k: np.asarray(v) for k, v in builder.accumulate(rows).items()}
    out = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        noisy = {name: value + rng.normal(0.0, plan.std(name), size=value.shape)
                 for name, value in exact.items()}
        plain = float(np.linalg.norm(noisy["sum"])) / float(noisy["count"][0])
        out.append((builder.finish(noisy, plan), kappa_from_resultant(plain, spec.data.dim)))
    return out


@pytest.mark.parametrize("kappa", [200.0, 3000.0])
def test_the_dp_fit_recovers_kappa_and_the_debiasing_matters(
        samples: dict[float, NDArray[np.float64]], kappa: float) -> None:
    """epsilon 1, delta 1e-6, n = 5,000, d = 2,048 (the noise std per coordinate is
    6.4). Over 200 noise draws the debiased kappa averaged 201.9 (std 2.9) and 3001
    (std 22), the plain one 235.6 and 3032."""
    spec = VmfFitSpec.parse({}, DataSpec(2048, BALL, "add_remove"))
    [(release, plain)] = _simulated_releases(spec, samples[kappa], 1.0, 1e-6, range(5, 6))
    assert release.kappa == pytest.approx(kappa, rel=0.05)
    # the noise (norm ~ sqrt(d) 6.4 = 290 against ||S|| ~ 480 at kappa 200) tilts it
    assert release.mean_direction[0] > (0.8 if kappa == 200.0 else 0.99)
    if kappa == 200.0:
        assert abs(plain - kappa) > 2 * abs(release.kappa - kappa)
        assert plain > 1.1 * kappa  # the noise's d sigma^2 inflates the length


def test_the_dp_fit_through_the_real_build(samples: dict[float, NDArray[np.float64]]) -> None:
    """The same through build_release (OpenDP noise): within 4 reported stds (2.9 at
    kappa 200, 21 at 3000, as the 200 draws above measured) plus the sample's own 1.5%
    (the fit without noise: 202.2 and 3001.5), and within 5% at kappa 3000."""
    spec = VmfFitSpec.parse({}, DataSpec(2048, BALL, "add_remove"))
    plan = noise_plan(spec, PrivacyBudget(1.0, 1e-6))
    for kappa in (200.0, 3000.0):
        release = build_release(spec, seed=0, plan=plan, chunks=[samples[kappa]])
        assert isinstance(release, VmfRelease)
        model = release.error_model(spec.data)
        percent = 100 * model.details["kappa_std"] / kappa  # measured: 1.44% and 0.72%
        assert (1.2 < percent < 1.8) if kappa == 200.0 else (0.55 < percent < 0.9)
        assert abs(release.kappa - kappa) <= 4 * model.details["kappa_std"] + 0.015 * kappa
        if kappa == 3000.0:
            assert release.kappa == pytest.approx(kappa, rel=0.05)


def test_the_reported_log_pdf_std_matches_the_noise() -> None:
    """Over 300 seeded noise draws at d = 5, n = 2,000, epsilon 0.3, the spread of
    log p at a few points agrees with the first-order std the release reports."""
    d = 5
    mu = np.array([0.0, 0.6, 0.8, 0.0, 0.0])
    rows = wood_samples(2000, d, 8.0, seed=4, mu=mu)
    spec = VmfFitSpec.parse({}, DataSpec(d, BALL, "add_remove"))
    points = np.vstack([mu, np.eye(d)[0], -mu])
    logs, stds = [], []
    for release, _ in _simulated_releases(spec, rows, 0.3, 1e-6, range(300)):
        logs.append(release.log_pdf(points))
        stds.append(release.log_pdf_std(points))
    ratio = np.std(logs, axis=0) / np.mean(stds, axis=0)
    assert np.all((ratio > 0.8) & (ratio < 1.25)), ratio


def test_the_fit_release_answers_and_round_trips() -> None:
    d = 3
    rows = wood_samples(500, d, 5.0, seed=9, mu=np.array([0.0, 0.0, 1.0])) * 0.5
    for relation in ("add_remove", "replace_one"):
        spec = VmfFitSpec.parse({"mechanism": "laplace"}, DataSpec(d, BALL, relation))
        release = build_release(spec, seed=1, plan=noise_plan(spec, PrivacyBudget(1e4)),
                                chunks=[rows[:200], rows[200:]])
        assert isinstance(release, VmfRelease)
        points = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 0.0, -3.0]])
        mean = release.query(points, "mean")
        total = release.query(points, "sum")
        np.testing.assert_allclose(mean.values, np.exp(release.log_pdf(points)), rtol=1e-12)
        np.testing.assert_allclose(total.values, release.count * mean.values, rtol=1e-12)
        assert np.all(mean.std > 0) and np.all(np.isfinite(total.std))
        assert np.all(mean.approximation_std == 0)
        assert release.kappa == pytest.approx(kappa_from_resultant(
            float(np.linalg.norm(rows.sum(0) / np.linalg.norm(rows, axis=1).mean()))
            / 500, d), rel=1e-3)
        again = VmfRelease.from_parts(release.header(), release.arrays())
        assert again.kappa == release.kappa and again.count == release.count
        np.testing.assert_array_equal(again.mean_direction, release.mean_direction)
        model = release.error_model(spec.data).to_dict()
        assert all(math.isfinite(v) for v in model["details"].values())
        assert model["approximation_std_mean"] == 0.0
        with pytest.raises(IncompatibleArrays):
            release.query(np.ones((2, 4)))
    with pytest.raises(CorruptRelease):
        VmfRelease.from_parts({"kind": "vmf"}, {})


def test_the_fit_spec_declares_unit_row_sensitivities() -> None:
    d = 16
    relations: tuple[tuple[Neighbouring, float], ...] = (("add_remove", 1.0), ("replace_one", 2.0))
    for relation, factor in relations:
        spec = VmfFitSpec.parse({}, DataSpec(d, Box.uniform(-3.0, 3.0, d), relation))
        assert spec.mechanism == "gaussian" and spec.public_params() == {
            "mechanism": "gaussian"}
        total, count = spec.statistics()
        assert (total.name, total.size) == ("sum", d)
        assert total.l2_sensitivity == factor
        assert total.l1_sensitivity == pytest.approx(factor * math.sqrt(d))
        assert count.l1_sensitivity == (1.0 if relation == "add_remove" else 0.0)
        # attained: the unit row along (1, ..., 1) (and its antipode), whatever the
        # scale of the row before normalisation
        u = np.full((1, d), 2.5)
        a = to_host(spec.builder(0).accumulate(u)["sum"])
        b = to_host(spec.builder(0).accumulate(-u)["sum"])
        moved = a - b if relation == "replace_one" else a
        assert np.abs(moved).sum() == pytest.approx(total.l1_sensitivity, rel=1e-12)
        assert np.linalg.norm(moved) == pytest.approx(total.l2_sensitivity, rel=1e-12)
        cost = spec.cost(10_000, 1_000)
        assert cost.release_bytes == 8 * d and cost.build_seconds > 0
        estimate = spec.estimate(noise_plan(spec, PrivacyBudget(1.0, 1e-6)), 100)
        assert estimate.noise_std_mean > 0
    for bad in ({"mechanism": "exponential"}, {"kappa": 3.0}):
        with pytest.raises(InvalidParameter):
            VmfFitSpec.parse(bad, DataSpec(d, BALL, "add_remove"))


# --- the kernel kind ----------------------------------------------------------------------

def _vmf_kde(params: dict[str, Any], rows: NDArray[np.float64], epsilon: float = 1e6,
             dim: int | None = None) -> VmfKDERelease:
    data = DataSpec(dim or rows.shape[1], BALL, "add_remove")
    spec = parse_spec("vmf_kde", params, data)
    release = build_release(spec, seed=7, plan=noise_plan(spec, PrivacyBudget(epsilon)),
                            chunks=[rows])
    assert isinstance(release, VmfKDERelease)
    return release


@pytest.mark.parametrize(("params", "precision"), [
    ({"kappa": 6.0, "features": 8192}, "float32"),
    ({"kappa": 25.0, "features": 8192, "precision": "float64"}, "float64"),
    ({"kappa": 6.0, "features": 8192, "projection_dim": 6}, "float32"),
])
def test_vmf_kde_matches_the_brute_force(params: dict[str, Any], precision: str) -> None:
    """At a huge epsilon the means are the exact sum of exp(kappa (x.y - 1)) over the
    normalised rows, within 4 reported approximation stds (plus the noise)."""
    d = 8
    mu = np.eye(d)[2]
    rows = 0.7 * wood_samples(400, d, 5.0, seed=3, mu=mu)
    points = np.vstack([mu, wood_samples(6, d, 2.0, seed=4, mu=mu), -mu]) * 3.0
    release = _vmf_kde(params, rows)
    spec = parse_spec("vmf_kde", params, DataSpec(d, BALL, "add_remove"))
    assert release.fmap.precision == precision
    exact = kind_def("vmf_kde").reference(spec, rows, points) / len(rows)
    values, std, approx = release.query(points, "mean")
    assert np.all(np.abs(values - exact) <= 4 * np.hypot(std, approx))
    assert np.max(np.abs(values - exact)) > 0  # an approximation, not the reference
    # the identity the kind rests on: the Gaussian kernel at sigma^2 = 2 / kappa
    unit_rows, unit_points = to_sphere(rows), to_sphere(points)
    gauss = np.exp(-((unit_points[:, None, :] - unit_rows[None]) ** 2).sum(-1)
                   * params["kappa"] / 2).mean(axis=1)
    np.testing.assert_allclose(exact, gauss, rtol=1e-12)


def test_vmf_kde_log_density_is_the_kde_of_the_vmf_kernel() -> None:
    d, kappa = 6, 12.0
    mu = np.eye(d)[0]
    rows = wood_samples(300, d, 10.0, seed=8, mu=mu)
    release = _vmf_kde({"kappa": kappa, "features": 16_384, "precision": "float64"}, rows)
    points = wood_samples(5, d, 10.0, seed=9, mu=mu)
    # (1/n) sum_x C_d(kappa) exp(kappa x.y), independently (logsumexp)
    exact = (float(log_vmf_normaliser(d, kappa))
             + logsumexp(kappa * (points @ rows.T), axis=1) - math.log(len(rows)))
    ours = release.log_density(points)
    values, std, approx = release.query(points, "sum")
    tolerance = 4 * np.hypot(std, approx * len(rows)) / values
    assert np.all(np.abs(ours - exact) <= tolerance)
    # far from every row the answer sits at its noise floor: log C + kappa + ln(std / n)
    noisy = _vmf_kde({"kappa": 400.0, "features": 64}, rows, epsilon=0.5)
    far = -mu[None, :]
    floor = noisy.query(far, "sum").std / max(noisy.count, 1.0)
    assert noisy.log_density(far)[0] >= (float(log_vmf_normaliser(d, 400.0)) + 400.0
                                         + math.log(floor[0]) - 1e-9)


def test_vmf_kde_normalises_rows_and_queries() -> None:
    """Scaling a row or a query by a positive factor changes nothing; a zero row counts
    as e_1 (the public unit vector)."""
    rng = np.random.default_rng(1)
    rows = rng.normal(size=(50, 4)) * 0.2
    data = DataSpec(4, Box.uniform(-2.0, 2.0, 4), "add_remove")
    spec = parse_spec("vmf_kde", {"kappa": 3.0, "features": 32}, data)
    builder = spec.builder(3)
    base = builder.accumulate(rows)["features"]
    np.testing.assert_allclose(builder.accumulate(rows * 9.0)["features"], base, rtol=1e-12)
    np.testing.assert_allclose(builder.accumulate(np.zeros((1, 4)))["features"],
                               builder.accumulate(np.eye(4)[:1] * 0.3)["features"])
    release = _vmf_kde({"kappa": 3.0, "features": 32}, rows)
    points = rng.normal(size=(3, 4))
    np.testing.assert_allclose(release.query(points * 1e6).values, release.query(points).values)


def test_to_sphere_is_exact_for_huge_and_denormal_rows_in_any_namespace() -> None:
    rows = np.array([[1e300, -1e300, 0.0], [5e-324, 0.0, 5e-324], [0.0, 0.0, 0.0],
                     [3.0, 4.0, 0.0]])
    unit = to_sphere(rows)
    s = 1 / math.sqrt(2)
    expected = np.array([[s, -s, 0], [s, 0, s], [1, 0, 0], [0.6, 0.8, 0]])
    np.testing.assert_allclose(unit, expected, rtol=1e-15)
    strict = to_sphere(xps.asarray(rows))
    np.testing.assert_array_equal(to_host(strict), unit)
    assert to_sphere(np.zeros((0, 3))).shape == (0, 3)


def test_vmf_kde_parameters() -> None:
    data = DataSpec(3, BALL, "add_remove")
    spec = VmfKDESpec.parse({"kappa": 8.0}, data)
    assert spec.bandwidth == pytest.approx(0.5)
    assert spec.public_params()["kappa"] == 8.0
    for bad in ({}, {"kappa": 0.0}, {"kappa": 1e9}, {"kappa": -1.0},
                {"kappa": 2.0, "bandwidth": 0.5}):
        with pytest.raises(InvalidParameter, match="params"):
            parse_spec("vmf_kde", bad, data)
    # the angle checks use the unit sphere, not the domain: a huge domain changes nothing
    wide = DataSpec(3, L2Ball(1e12), "add_remove")
    assert VmfKDESpec.parse({"kappa": 1e8}, wide).features == spec.features
