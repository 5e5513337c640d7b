"""Composition of a dataset's spends: exact for pure epsilon, zCDP for the Gaussian
mechanism, the cheapest valid route chosen, and never more optimistic than Google's
dp-accounting (its privacy-loss-distribution accountant is the exact reference; its
Renyi accountant is the same kind of bound as ours)."""

from __future__ import annotations

import random

import pytest
from dp_accounting import dp_event
from dp_accounting.pld import pld_privacy_accountant
from dp_accounting.rdp import rdp_privacy_accountant

from core.privacy.accounting import Spent, account
from core.privacy.budget import Units
from core.privacy.mechanisms import NoisePlan, Statistic, plan_noise
from core.privacy.noise import zcdp_epsilon

STATS = [Statistic("features", 64, 45.25, 5.66, 2 / 64), Statistic("count", 1, 1.0, 1.0)]


def _spend(mechanism: str, epsilon: float, delta: float = 1e-6) -> tuple[Spent, NoisePlan]:
    charge = Units.spend(epsilon, delta if mechanism == "gaussian" else 0)
    plan = plan_noise(STATS, mechanism, charge.budget())  # type: ignore[arg-type]
    spent = (Spent.laplace(charge) if mechanism == "laplace"
             else Spent.gaussian(charge, plan.rho))
    return spent, plan


def _events(plan: NoisePlan) -> list[dp_event.DpEvent]:
    """The same release described to dp-accounting: sensitivity-1 noise multipliers."""
    make = {"laplace": dp_event.LaplaceDpEvent, "gaussian": dp_event.GaussianDpEvent}
    return [make[s.mechanism](s.scale / s.sensitivity) for s in plan.specs
            if s.mechanism != "none"]


def test_pure_spends_add_up_exactly() -> None:
    total = Spent()
    for _ in range(10):
        total = total + _spend("laplace", 0.1)[0]
    result = account(total, delta_budget=0)
    assert (result.epsilon, result.delta, result.method) == (1_000_000_000, 0, "basic")
    assert result.fits(Units.total(1.0))
    assert not account(total + _spend("laplace", 1e-9)[0], 0).fits(Units.total(1.0))


def test_gaussian_spends_compose_in_zcdp() -> None:
    ten = Spent()
    for _ in range(10):
        ten = ten + _spend("gaussian", 0.5)[0]
    delta_budget = Units.total(1, 1e-5).delta
    result = account(ten, delta_budget)
    assert result.method == "pure+zcdp"
    assert result.epsilon * 1e-9 == pytest.approx(zcdp_epsilon(ten.rho_value, 1e-5), abs=2e-9)
    assert result.epsilon < ten.epsilon / 3  # basic composition would charge 5.0
    # without a delta budget the Gaussian mechanism cannot be accounted at all
    assert not account(ten, 0).fits(Units.total(100.0))


def test_refunds_undo_spends_exactly() -> None:
    spend, _ = _spend("gaussian", 0.7)
    assert (Spent() + spend) - spend == Spent()
    assert account(Spent(), 0).method == "none"


@pytest.mark.parametrize("seed", range(6))
def test_never_more_optimistic_than_dp_accounting(seed: int) -> None:
    rng = random.Random(seed)
    total, events = Spent(), []
    for _ in range(rng.randint(1, 12)):
        mechanism = rng.choice(["laplace", "gaussian"])
        spent, plan = _spend(mechanism, rng.choice([0.05, 0.1, 0.3, 1.0]),
                             rng.choice([1e-7, 1e-6]))
        total = total + spent
        events += _events(plan)
    delta = 1e-5
    ours = account(total, Units.total(1000, delta).delta)
    exact = pld_privacy_accountant.PLDAccountant()
    exact.compose(dp_event.ComposedDpEvent(events))
    assert ours.epsilon * 1e-9 >= exact.get_epsilon(delta) * (1 - 1e-6)


def test_gaussian_composition_matches_the_renyi_accountant() -> None:
    total, events = Spent(), []
    for _ in range(8):
        spent, plan = _spend("gaussian", 0.3)
        total = total + spent
        events += _events(plan)
    renyi = rdp_privacy_accountant.RdpAccountant()
    renyi.compose(dp_event.ComposedDpEvent(events))
    ours = account(total, Units.total(1000, 1e-5).delta).epsilon * 1e-9
    assert ours == pytest.approx(renyi.get_epsilon(1e-5), rel=0.01)


def test_the_plan_is_the_mechanism_dp_accounting_sees() -> None:
    """A single Gaussian spend, described to dp-accounting by its noise scales, costs
    no more than the (epsilon, delta) it was calibrated to."""
    _, plan = _spend("gaussian", 1.0, 1e-6)
    renyi = rdp_privacy_accountant.RdpAccountant()
    renyi.compose(dp_event.ComposedDpEvent(_events(plan)))
    assert renyi.get_epsilon(1e-6) <= 1.0 * 1.01
    assert plan.budget.epsilon <= 1.0 and plan.budget.delta <= 1e-6
