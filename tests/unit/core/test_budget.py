from decimal import Decimal

import pytest

from core.errors import InvalidParameter
from core.privacy.budget import PrivacyBudget, Units


def test_ten_spends_of_a_tenth_fill_a_budget_of_one_exactly() -> None:
    total = Units.total(1.0)
    spent = Units(0, 0)
    for _ in range(10):
        spent = spent + Units.spend(0.1)
    assert spent == total
    assert (spent + Units.spend(1e-9)).epsilon > total.epsilon


def test_spends_round_up_and_totals_round_down() -> None:
    assert Units.spend(1e-10).epsilon == 1  # never free
    assert Units.total(1e-10).epsilon == 0
    assert Units.spend(0, 1e-19).delta == 1
    assert Units.total(1.5, 1e-6) == Units(1_500_000_000, 1_000_000_000_000)


def test_units_read_back_as_exact_decimals() -> None:
    units = Units.spend(0.3, 1e-6)
    assert units.epsilon_value == Decimal("0.3")
    assert units.delta_value == Decimal("0.000001")


def test_the_calibrated_budget_never_exceeds_the_charge() -> None:
    for eps in (0.1, 0.3, 1.0, 7.77, 1e-9):
        charged = Units.spend(eps, 1e-6)
        budget = charged.budget()
        assert Decimal(budget.epsilon) <= charged.epsilon_value
        assert Decimal(budget.delta) <= charged.delta_value


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -1.0, "abc"])
def test_bad_amounts_are_refused(bad: object) -> None:
    with pytest.raises(InvalidParameter):
        Units.spend(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(("eps", "delta"), [(0.0, 0.0), (-1.0, 0.0), (1.0, 1.0), (1.0, -0.1),
                                            (float("inf"), 0.0)])
def test_privacy_budget_validates(eps: float, delta: float) -> None:
    with pytest.raises(InvalidParameter):
        PrivacyBudget(eps, delta)


@pytest.mark.parametrize("epsilon", [5e-324, 1e-13, 1.7e308, 1e13])
def test_an_epsilon_the_noise_plans_cannot_divide_by_is_refused(epsilon: float) -> None:
    with pytest.raises(InvalidParameter, match="epsilon"):
        PrivacyBudget(epsilon)
