"""Privacy budgets and their exact bookkeeping.

A ``PrivacyBudget`` is what a mechanism is calibrated to (floats are fine there: the
calibration is checked against OpenDP's privacy maps). What a dataset has spent is kept
exactly, as integers in fixed units (``Units``), so that ten spends of 0.1 add up to
exactly 1 and concurrent spends never drift.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation

from core.errors import InvalidParameter

__all__ = ["DELTA_UNIT", "EPSILON_UNIT", "MAX_EPSILON", "MIN_EPSILON", "PrivacyBudget", "Units"]

EPSILON_UNIT = Decimal("1e-9")
DELTA_UNIT = Decimal("1e-18")


MIN_EPSILON = 1e-12
MAX_EPSILON = 1e12


@dataclass(frozen=True, slots=True)
class PrivacyBudget:
    """(epsilon, delta): delta = 0 is pure epsilon-DP. epsilon lies in
    [MIN_EPSILON, MAX_EPSILON]: the noise plans divide by it and by its square, which a
    subnormal epsilon (5e-324) or one near the float maximum turned into a division by
    zero; the service's own bounds (1e-9 to 1e6) lie well inside."""

    epsilon: float
    delta: float = 0.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.epsilon) and self.epsilon > 0):
            raise InvalidParameter("epsilon", "must be a finite number > 0")
        if not MIN_EPSILON <= self.epsilon <= MAX_EPSILON:
            raise InvalidParameter("epsilon", f"must be between {MIN_EPSILON:g} and "
                                   f"{MAX_EPSILON:g}")
        if not (math.isfinite(self.delta) and 0 <= self.delta < 1):
            raise InvalidParameter("delta", "must be in [0, 1)")


@dataclass(frozen=True, slots=True)
class Units:
    """An exact (epsilon, delta) amount in integer units of 1e-9 and 1e-18."""

    epsilon: int
    delta: int

    @classmethod
    def spend(cls, epsilon: float | str | Decimal, delta: float | str | Decimal = 0) -> Units:
        """Units to charge for a spend: rounded up, so the ledger never under-charges."""
        return cls(_to_units(epsilon, EPSILON_UNIT, ROUND_CEILING, "epsilon"),
                   _to_units(delta, DELTA_UNIT, ROUND_CEILING, "delta"))

    @classmethod
    def total(cls, epsilon: float | str | Decimal, delta: float | str | Decimal = 0) -> Units:
        """Units of a budget total: rounded down, so a budget never grows."""
        return cls(_to_units(epsilon, EPSILON_UNIT, ROUND_FLOOR, "epsilon"),
                   _to_units(delta, DELTA_UNIT, ROUND_FLOOR, "delta"))

    @property
    def epsilon_value(self) -> Decimal:
        return (Decimal(self.epsilon) * EPSILON_UNIT).normalize()

    @property
    def delta_value(self) -> Decimal:
        return (Decimal(self.delta) * DELTA_UNIT).normalize()

    def budget(self) -> PrivacyBudget:
        """The float budget a mechanism is calibrated to. Rounded down (towards less
        privacy loss) so that the mechanism never uses more than the ledger charged."""
        eps = math.nextafter(float(self.epsilon_value), 0.0)
        delta = math.nextafter(float(self.delta_value), 0.0) if self.delta else 0.0
        return PrivacyBudget(eps, delta)

    def __add__(self, other: Units) -> Units:
        return Units(self.epsilon + other.epsilon, self.delta + other.delta)

    def __sub__(self, other: Units) -> Units:
        return Units(self.epsilon - other.epsilon, self.delta - other.delta)



def _to_units(value: float | str | Decimal, unit: Decimal, rounding: str, name: str) -> int:
    try:
        # str() of a float is its shortest round-trip repr: 0.1 -> "0.1", not 0.1000...0555
        exact = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation as exc:
        raise InvalidParameter(name, "must be a number") from exc
    if not exact.is_finite() or exact < 0:
        raise InvalidParameter(name, "must be a finite number >= 0")
    return int((exact / unit).to_integral_value(rounding=rounding))
