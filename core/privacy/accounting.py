"""Composition of a dataset's spends, kept exactly, and the (epsilon, delta) they cost.

Every spend adds to five integer counters (``Spent``), so the accounting of a dataset
can be recomputed from its ledger at any time:

- ``epsilon``, ``delta``: the (epsilon, delta) charged, summed (basic composition);
- ``pure_epsilon``: the epsilons of pure (Laplace) spends, summed;
- ``rho``: the zCDP rho of Gaussian spends, summed (zCDP composes by addition);
- ``pure_rho``: epsilon^2 / 2 of each pure spend, summed (an epsilon-DP mechanism is
  epsilon^2/2-zCDP; Bun and Steinke 2016, Proposition 1.4).

Each dataset fixes one composition route when it is created (``Route``), and
``account(spent, delta, route)`` computes that route only:

- ``basic``: (sum of epsilons, sum of deltas);
- ``zcdp``: every spend as zCDP (rho + pure_rho), converted to (epsilon, delta) at the
  dataset's delta by OpenDP's map (``noise.zcdp_epsilon``), rounded up.

Each route is a valid privacy filter under fully adaptive choices of the builds; taking,
at each charge, the cheapest of several routes is not claimed valid, and a third route
(pure epsilons added to the converted Gaussian rho) is not offered because it is not
valid as a filter. Derivation: docs/privacy/mechanisms.md#accounting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from decimal import ROUND_CEILING, Decimal
from typing import Literal

from core.errors import InvalidParameter
from core.privacy import noise
from core.privacy.budget import DELTA_UNIT, EPSILON_UNIT, Units

__all__ = ["RHO_UNIT", "ROUTES", "Accounting", "Route", "Spent", "account", "admits",
           "as_route", "default_route"]

RHO_UNIT = Decimal("1e-12")
Route = Literal["basic", "zcdp"]
ROUTES: tuple[Route, ...] = ("basic", "zcdp")


def _ceil_units(value: Decimal | float, unit: Decimal) -> int:
    exact = Decimal(repr(value)) if isinstance(value, float) else value
    return int((exact / unit).to_integral_value(rounding=ROUND_CEILING))


def as_route(value: str) -> Route:
    """``value`` as a route; InvalidParameter if it is none."""
    for route in ROUTES:
        if value == route:
            return route
    raise InvalidParameter("accounting", "must be 'basic' or 'zcdp'")


def default_route(delta_total: int) -> Route:
    """The route a dataset gets when its creator names none: ``basic``. With delta = 0
    only pure-epsilon builds fit and basic composition adds them exactly. With
    delta > 0 neither route is tighter for every sequence of builds: ``basic`` charges
    each build exactly the (epsilon, delta) it asks for, so it is the tighter for any
    single build and for the default (Laplace) mechanism, whose epsilon = 1 costs about
    4.7 under ``zcdp`` at delta = 1e-5; ``zcdp`` wins for several Gaussian builds (k
    builds cost about sqrt(k) times one, not k times), and a creator who plans those
    chooses it."""
    del delta_total  # the same default for every budget (see above)
    return "basic"


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

    @property
    def is_gaussian(self) -> bool:
        """One or more Gaussian spends and nothing pure."""
        return self.rho > 0 and self.pure_epsilon == 0 and self.pure_rho == 0


@dataclass(frozen=True, slots=True)
class Accounting:
    """What a dataset has spent by its route: epsilon and delta in units. ``bounded`` is
    False where the route gives no finite epsilon (a zCDP conversion without a delta
    budget, or one that overflows); such a total never fits."""

    epsilon: int
    delta: int
    method: Route
    bounded: bool = True

    def fits(self, total: Units) -> bool:
        return self.bounded and self.epsilon <= total.epsilon and self.delta <= total.delta


def _delta_float(delta_units: int) -> float:
    # a float at most the budget's delta: a smaller delta only costs epsilon
    return math.nextafter(float(Decimal(delta_units) * DELTA_UNIT), 0.0)


def account(spent: Spent, delta_budget: int, route: Route) -> Accounting:
    """The (epsilon, delta) that ``spent`` costs by ``route``, in units: exact for
    ``basic``; for ``zcdp``, OpenDP's conversion at the dataset's delta, rounded up."""
    if route == "basic":
        return Accounting(spent.epsilon, spent.delta, "basic")
    if route != "zcdp":
        as_route(route)  # raises
    if spent == Spent():
        return Accounting(0, 0, "zcdp")
    eps = (noise.zcdp_epsilon(spent.all_rho_value, _delta_float(delta_budget))
           if delta_budget > 0 else math.inf)
    if not math.isfinite(eps):
        return Accounting(spent.epsilon, spent.delta, "zcdp", bounded=False)
    return Accounting(_ceil_units(eps, EPSILON_UNIT), delta_budget, "zcdp")


def admits(before: Spent, spend: Spent, total: Units, route: Route) -> tuple[bool, Accounting]:
    """Whether ``route``'s filter admits ``spend`` after ``before`` within ``total``, and
    the accounting with it included.

    One exception to "the accounted total fits": a Gaussian spend on a dataset that has
    spent nothing fits if its own charge does. Its noise was calibrated so that its rho
    converts within that charge (``mechanisms.max_rho``), hence within the total; only
    the rounding of its rho up to 1e-12 for the counters could push the converted figure
    a few 1e-9 over. Later spends are admitted against the rounded-up counters, which
    bound the true rho from above, so the filter stays valid."""
    after = account(before + spend, total.delta, route)
    if after.fits(total):
        return True, after
    alone = Units(spend.epsilon, spend.delta)
    first = (route == "zcdp" and before == Spent() and spend.is_gaussian
             and alone.epsilon <= total.epsilon and alone.delta <= total.delta)
    return first, after
