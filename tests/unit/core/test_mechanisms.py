import math

import numpy as np
import pytest

from core.errors import InvalidParameter
from core.privacy import noise
from core.privacy.budget import PrivacyBudget
from core.privacy.mechanisms import NoisePlan, Statistic, max_rho, plan_noise

STATS = [Statistic("features", 512, 362.0, 16.0, 2 / 512), Statistic("count", 1, 1.0, 1.0, 1.0)]


def test_laplace_plan_fits_the_budget_by_opendps_maps() -> None:
    plan = plan_noise(STATS, "laplace", PrivacyBudget(0.7))
    used = math.fsum(noise.laplace_epsilon(s.sensitivity, s.scale, size=s.size, k=s.lattice)
                     for s in plan.specs)
    assert used <= 0.7
    assert used == pytest.approx(0.7, rel=1e-6)  # and wastes nothing
    assert plan.spent.epsilon == pytest.approx(0.7, rel=1e-6)


def test_laplace_split_minimises_the_weighted_variance() -> None:
    eps = 1.0
    plan = plan_noise(STATS, "laplace", PrivacyBudget(eps))

    def objective(shares: list[float]) -> float:
        return sum(s.weight * 2 * (s.l1_sensitivity / (eps * a)) ** 2
                   for s, a in zip(STATS, shares, strict=True))

    chosen = [spec.epsilon / eps for spec in plan.specs]
    for delta in (-0.01, 0.01):
        moved = [chosen[0] + delta, chosen[1] - delta]
        assert objective(moved) > objective(chosen)


def test_gaussian_plan_converts_to_the_requested_epsilon_delta() -> None:
    budget = PrivacyBudget(1.0, 1e-6)
    plan = plan_noise(STATS, "gaussian", budget)
    rho = math.fsum(noise.gaussian_rho(s.sensitivity, s.scale, size=s.size, k=s.lattice)
                    for s in plan.specs)
    assert rho <= max_rho(budget)
    assert noise.zcdp_epsilon(rho, 1e-6) <= 1.0
    assert noise.zcdp_epsilon(rho * 1.01, 1e-6) > 1.0  # tight
    # rho_i proportional to sqrt(w_i) * Delta2_i: here both are equal
    assert plan.specs[0].rho == pytest.approx(plan.specs[1].rho, rel=1e-6)


def test_gaussian_needs_delta() -> None:
    with pytest.raises(InvalidParameter, match="delta"):
        plan_noise(STATS, "gaussian", PrivacyBudget(1.0))


def test_zero_sensitivity_statistics_are_released_exactly() -> None:
    stats = [STATS[0], Statistic("count", 1, 0.0, 0.0)]
    plan = plan_noise(stats, "laplace", PrivacyBudget(1.0))
    assert plan.spec("count").mechanism == "none"
    released = plan.apply({"features": np.zeros(512), "count": np.array([42.0])})
    assert released["count"][0] == 42.0
    assert plan.spec("features").epsilon == pytest.approx(1.0, rel=1e-6)


def test_plan_round_trips_through_json_and_describes_each_release() -> None:
    plan = plan_noise(STATS, "gaussian", PrivacyBudget(2.0, 1e-5))
    again = NoisePlan.from_dict(plan.to_dict())
    assert again == plan
    event = plan.events()[0]
    assert {"statistic", "mechanism", "sensitivity", "noise_scale", "rho"} <= set(event)


def test_apply_checks_sizes() -> None:
    plan = plan_noise(STATS, "laplace", PrivacyBudget(1.0))
    with pytest.raises(InvalidParameter):
        plan.apply({"features": np.zeros(3), "count": np.zeros(1)})


def test_sampled_releases_follow_the_plan() -> None:
    from scipy import stats

    from core.privacy.mechanisms import sample_releases

    small = [Statistic("features", 8, 5.0, 2.0, 0.25), Statistic("count", 1, 1.0, 1.0)]
    plan = plan_noise(small, "laplace", PrivacyBudget(1.0))
    exact = {"features": np.arange(8.0), "count": np.array([10.0])}
    draws = sample_releases(plan, exact, trials=4000)
    assert draws["features"].shape == (4000, 8) and draws["count"].shape == (4000, 1)
    scale = plan.spec("count").scale
    assert stats.kstest(draws["count"][:, 0] - 10.0, "laplace", args=(0, scale)).pvalue > 1e-4
    np.testing.assert_allclose(draws["features"].mean(axis=0), exact["features"],
                               atol=6 * plan.spec("features").std / np.sqrt(4000))


def test_the_sampler_and_the_map_use_the_same_lattice() -> None:
    """Every noised statistic is drawn on its lattice 2^k (core.privacy.noise.lattice),
    and the plan's epsilon is OpenDP's map of that lattice: the rounding to it adds at
    most 2^-40 of the sensitivity, so a plan still fits its budget by OpenDP's maps."""
    plan = plan_noise(STATS, "laplace", PrivacyBudget(0.7))
    for spec in plan.specs:
        k = spec.lattice
        assert k is not None
        assert k == noise.lattice(spec.sensitivity, spec.size, "l1")
        assert spec.size * 2.0**k <= 2.0**-40 * spec.sensitivity
        assert spec.size * 2.0 ** (k + 1) > 2.0**-40 * spec.sensitivity  # the coarsest
        exact = noise.laplace_epsilon(spec.sensitivity, spec.scale)
        rounded = noise.laplace_epsilon(spec.sensitivity, spec.scale, size=spec.size, k=k)
        assert exact <= rounded <= exact * (1 + 2**-39)
    released = plan.apply({"features": np.full(512, 0.3), "count": np.array([7.0])})
    k = plan.spec("features").lattice
    assert k is not None
    steps = released["features"] / 2.0**k  # on the lattice (exact in float64 here)
    assert np.array_equal(steps, np.round(steps))
