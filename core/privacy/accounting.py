"""Composition of a dataset's spends, kept exactly, and the (epsilon, delta) they cost.

Every spend adds to five integer counters (``Spent``), so the accounting of a dataset
can be recomputed from its ledger at any time:

- ``epsilon``, ``delta``: the (epsilon, delta) charged, summed (basic composition);
- ``pure_epsilon``: the epsilons of pure (Laplace) spends, summed;
- ``rho``: the zCDP rho of Gaussian spends, summed (zCDP composes by addition);
- ``pure_rho``: epsilon^2 / 2 of each pure spend, summed (an epsilon-DP mechanism is
  epsilon^2/2-zCDP; Bun and Steinke 2016, Proposition 1.4).

``account(spent, delta)`` gives the epsilon these cost at the dataset's delta by three
valid routes and takes the smallest:

1. basic: (sum of epsilons, sum of deltas), if the deltas fit;
2. mixed: pure epsilons summed, plus the Gaussian rho converted to (epsilon, delta);
3. zCDP: every spend as zCDP (rho + pure_rho), converted to (epsilon, delta).

Conversions use OpenDP's zCDP -> (epsilon, delta) map (``noise.zcdp_epsilon``) and are
rounded up to the ledger's unit. Derivation: docs/privacy/mechanisms.md#accounting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from decimal import ROUND_CEILING, Decimal
from typing import Literal

from core.privacy import noise
from core.privacy.budget import DELTA_UNIT, EPSILON_UNIT, Units

__all__ = ["RHO_UNIT", "Accounting", "Spent", "account"]

RHO_UNIT = Decimal("1e-12")
Method = Literal["none", "basic", "pure+zcdp", "zcdp"]


def _ceil_units(value: Decimal | float, unit: Decimal) -> int:
    exact = Decimal(repr(value)) if isinstance(value, float) else value
    return int((exact / unit).to_integral_value(rounding=ROUND_CEILING))


@dataclass(frozen=True, slots=True)
class Spent:
    """Additive privacy counters, in integer units (epsilon 1e-9, delta 1e-18, rho 1e-12)."""

    epsilon: int = 0
    delta: int = 0
    pure_epsilon: int = 0
    rho: int = 0
    pure_rho: int = 0

    @classmethod
    def laplace(cls, charge: Units) -> Spent:
        eps = Decimal(charge.epsilon) * EPSILON_UNIT
        return cls(epsilon=charge.epsilon, delta=0, pure_epsilon=charge.epsilon,
                   pure_rho=_ceil_units(eps * eps / 2, RHO_UNIT))

    @classmethod
    def gaussian(cls, charge: Units, rho: float) -> Spent:
        return cls(epsilon=charge.epsilon, delta=charge.delta, rho=_ceil_units(rho, RHO_UNIT))

    def __add__(self, other: Spent) -> Spent:
        return Spent(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def __sub__(self, other: Spent) -> Spent:
        return Spent(*(getattr(self, f.name) - getattr(other, f.name) for f in fields(self)))

    @property
    def rho_value(self) -> float:
        return float(Decimal(self.rho) * RHO_UNIT)

    @property
    def all_rho_value(self) -> float:
        return float(Decimal(self.rho + self.pure_rho) * RHO_UNIT)


@dataclass(frozen=True, slots=True)
class Accounting:
    """What a dataset has spent: epsilon and delta in units, and the route that gave it."""

    epsilon: int
    delta: int
    method: Method

    def fits(self, total: Units) -> bool:
        return self.epsilon <= total.epsilon and self.delta <= total.delta


def account(spent: Spent, delta_budget: int) -> Accounting:
    """The smallest (epsilon, delta <= delta_budget) that ``spent`` costs, in units:
    exact for the basic route, rounded up from OpenDP's conversion for the others."""
    if spent == Spent():
        return Accounting(0, 0, "none")
    routes: list[Accounting] = []
    if spent.delta <= delta_budget:
        routes.append(Accounting(spent.epsilon, spent.delta, "basic"))
    if delta_budget > 0:
        # convert at a delta a hair below the budget: a smaller delta only costs epsilon
        delta = math.nextafter(float(Decimal(delta_budget) * DELTA_UNIT), 0.0)
        if spent.rho > 0:
            eps = noise.zcdp_epsilon(spent.rho_value, delta)
            if math.isfinite(eps):
                routes.append(Accounting(spent.pure_epsilon + _ceil_units(eps, EPSILON_UNIT),
                                         delta_budget, "pure+zcdp"))
        eps = noise.zcdp_epsilon(spent.all_rho_value, delta)
        if math.isfinite(eps):
            routes.append(Accounting(_ceil_units(eps, EPSILON_UNIT), delta_budget, "zcdp"))
    if not routes:  # the deltas exceed the budget and no conversion applies
        return Accounting(spent.epsilon, spent.delta, "basic")
    return min(routes, key=lambda r: (r.epsilon, r.delta))
