"""Calibrating noise to a budget, and releasing sufficient statistics with it.

A structure describes what it releases as a list of ``Statistic``s (name, size, L1 and
L2 sensitivity under the dataset's neighbouring relation, and a weight saying how much
that statistic's noise variance costs a typical answer). ``plan_noise`` splits the
budget across them and fixes every noise scale from public parameters only, before any
row is read, so the ledger can record the mechanism at reservation time.

- ``laplace`` (pure epsilon): statistic i gets epsilon_i, proportional to
  (w_i * Delta1_i^2)^(1/3), which minimises sum_i w_i * 2 (Delta1_i / epsilon_i)^2 under
  sum_i epsilon_i = epsilon (basic composition). Scale b_i = Delta1_i / epsilon_i.
- ``gaussian`` ((epsilon, delta)): the largest zCDP rho whose conversion at delta is
  within epsilon (OpenDP's conversion), split as rho_i proportional to sqrt(w_i) *
  Delta2_i, which minimises sum_i w_i * Delta2_i^2 / (2 rho_i); zCDP composes by sum.
  Scale s_i = Delta2_i / sqrt(2 rho_i).

A statistic with sensitivity 0 (the count under replace_one, where n is public) is
released exactly. Every scale is checked against OpenDP's own privacy maps, so float
rounding can only make the noise larger. Derivation: docs/privacy/mechanisms.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from core.errors import InvalidParameter, PlanMismatch
from core.privacy import noise
from core.privacy.budget import MIN_EPSILON, PrivacyBudget

__all__ = [
    "Mechanism", "NoisePlan", "NoiseSpec", "Statistic", "plan_noise", "sample_releases",
    "verify_plan",
]

Mechanism = Literal["laplace", "gaussian"]
_SAFETY = 1 + 2**-45  # scales grow by the maps' excess and this step until they fit


@dataclass(frozen=True, slots=True)
class Statistic:
    """One released sufficient statistic (a vector of ``size`` coordinates)."""

    name: str
    size: int
    l1_sensitivity: float
    l2_sensitivity: float
    weight: float = 1.0

    def __post_init__(self) -> None:
        for value in (self.l1_sensitivity, self.l2_sensitivity):
            if not (math.isfinite(value) and value >= 0):
                raise InvalidParameter(f"{self.name} sensitivity", "must be finite and >= 0")
        if not self.weight > 0:
            raise InvalidParameter(f"{self.name} weight", "must be > 0")


@dataclass(frozen=True, slots=True)
class NoiseSpec:
    """How one statistic is released: its mechanism, sensitivity and noise scale."""

    statistic: str
    size: int
    mechanism: Literal["laplace", "gaussian", "none"]
    sensitivity: float  # L1 for laplace, L2 for gaussian, 0 for none
    scale: float  # Laplace b or Gaussian sigma; 0 for none
    epsilon: float = 0.0  # laplace: this statistic's share of epsilon
    rho: float = 0.0  # gaussian: this statistic's share of rho (zCDP)

    @property
    def lattice(self) -> int | None:
        """The noise lattice 2^k of this statistic (``core.privacy.noise.lattice``, from
        the recorded sensitivity and size); None when it is released exactly."""
        if self.mechanism == "none":
            return None
        norm: Literal["l1", "l2"] = "l1" if self.mechanism == "laplace" else "l2"
        return noise.lattice(self.sensitivity, self.size, norm)

    @property
    def std(self) -> float:
        """Standard deviation of the noise on each coordinate."""
        if self.mechanism == "laplace":
            return math.sqrt(2.0) * self.scale
        return self.scale

    def to_event(self) -> dict[str, object]:
        event: dict[str, object] = {
            "statistic": self.statistic, "size": self.size, "mechanism": self.mechanism,
            "sensitivity": self.sensitivity, "noise_scale": self.scale,
        }
        if self.mechanism == "laplace":
            event |= {"sensitivity_norm": "l1", "epsilon": self.epsilon}
        elif self.mechanism == "gaussian":
            event |= {"sensitivity_norm": "l2", "rho": self.rho}
        return event

    @classmethod
    def from_event(cls, event: Mapping[str, object]) -> NoiseSpec:
        return cls(
            statistic=str(event["statistic"]), size=int(event["size"]),  # type: ignore[call-overload]
            mechanism=event["mechanism"],  # type: ignore[arg-type]
            sensitivity=float(event["sensitivity"]),  # type: ignore[arg-type]
            scale=float(event["noise_scale"]),  # type: ignore[arg-type]
            epsilon=float(event.get("epsilon", 0.0)),  # type: ignore[arg-type]
            rho=float(event.get("rho", 0.0)),  # type: ignore[arg-type]
        )


@dataclass(frozen=True, slots=True)
class NoisePlan:
    """The data-independent half of a release: every statistic's noise, fixed up front."""

    mechanism: Mechanism
    budget: PrivacyBudget
    specs: tuple[NoiseSpec, ...]

    def spec(self, name: str) -> NoiseSpec:
        for spec in self.specs:
            if spec.statistic == name:
                return spec
        raise KeyError(name)

    def std(self, name: str) -> float:
        return self.spec(name).std

    @property
    def spent(self) -> PrivacyBudget:
        """What the release costs. Pure epsilon: the sum of the per-statistic epsilons;
        Gaussian: the calibrated (epsilon, delta)."""
        if self.mechanism == "laplace":
            return PrivacyBudget(max(math.fsum(s.epsilon for s in self.specs), MIN_EPSILON))
        return self.budget

    @property
    def rho(self) -> float:
        return math.fsum(s.rho for s in self.specs)

    def events(self) -> list[dict[str, object]]:
        return [s.to_event() for s in self.specs]

    def to_dict(self) -> dict[str, object]:
        return {"mechanism": self.mechanism, "epsilon": self.budget.epsilon,
                "delta": self.budget.delta, "statistics": self.events()}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> NoisePlan:
        stats = data["statistics"]
        if not isinstance(stats, list):
            raise InvalidParameter("plan.statistics", "must be a list")
        return cls(mechanism=data["mechanism"],  # type: ignore[arg-type]
                   budget=PrivacyBudget(float(data["epsilon"]),  # type: ignore[arg-type]
                                        float(data["delta"])),  # type: ignore[arg-type]
                   specs=tuple(NoiseSpec.from_event(e) for e in stats))

    def apply(self, exact: Mapping[str, NDArray[np.float64]]) -> dict[str, NDArray[np.float64]]:
        """Release every statistic: exact values in, noisy values out (float-safe noise)."""
        released: dict[str, NDArray[np.float64]] = {}
        for spec in self.specs:
            values = np.asarray(exact[spec.statistic], dtype=np.float64)
            if values.size != spec.size:
                raise InvalidParameter(spec.statistic, f"expected {spec.size} values")
            if spec.mechanism == "laplace":
                released[spec.statistic] = noise.laplace(values, spec.scale, k=spec.lattice)
            elif spec.mechanism == "gaussian":
                released[spec.statistic] = noise.gaussian(values, spec.scale, k=spec.lattice)
            else:
                released[spec.statistic] = values.copy()
        return released


def sample_releases(plan: NoisePlan, exact: Mapping[str, NDArray[np.float64]],
                    trials: int) -> dict[str, NDArray[np.float64]]:
    """``trials`` independent releases of the same exact statistics, as (trials, size)
    arrays, drawn through the same float-safe samplers and scales as ``plan.apply``
    (in one call per statistic, which is much faster than ``trials`` calls). For
    auditing and benchmarks: what one build would release, many times over."""
    if trials < 1:
        raise InvalidParameter("trials", "must be >= 1")
    out: dict[str, NDArray[np.float64]] = {}
    for spec in plan.specs:
        values = np.asarray(exact[spec.statistic], dtype=np.float64).ravel()
        if values.size != spec.size:
            raise InvalidParameter(spec.statistic, f"expected {spec.size} values")
        tiled = np.broadcast_to(values, (trials, spec.size))
        if spec.mechanism == "laplace":
            out[spec.statistic] = noise.laplace(tiled, spec.scale, k=spec.lattice)
        elif spec.mechanism == "gaussian":
            out[spec.statistic] = noise.gaussian(tiled, spec.scale, k=spec.lattice)
        else:
            out[spec.statistic] = np.array(tiled)
    return out


def plan_noise(statistics: Sequence[Statistic], mechanism: Mechanism,
               budget: PrivacyBudget) -> NoisePlan:
    """Split ``budget`` over ``statistics`` and fix every noise scale."""
    if mechanism == "laplace":
        return _plan_laplace(statistics, budget)
    if mechanism == "gaussian":
        if budget.delta <= 0:
            raise InvalidParameter("privacy.delta", "the gaussian mechanism needs delta > 0")
        return _plan_gaussian(statistics, budget)
    raise InvalidParameter("params.mechanism", "must be 'laplace' or 'gaussian'")


def _public(stat: Statistic) -> NoiseSpec:
    return NoiseSpec(stat.name, stat.size, "none", 0.0, 0.0)


def _plan_laplace(statistics: Sequence[Statistic], budget: PrivacyBudget) -> NoisePlan:
    noisy = [s for s in statistics if s.l1_sensitivity > 0]
    shares = _normalise([(s.weight * s.l1_sensitivity**2) ** (1 / 3) for s in noisy])
    scales = [s.l1_sensitivity / (budget.epsilon * share) for s, share in zip(noisy, shares,
                                                                             strict=True)]
    while True:
        epsilons = [noise.laplace_epsilon(s.l1_sensitivity, b, size=s.size,
                                          k=noise.lattice(s.l1_sensitivity, s.size, "l1"))
                    for s, b in zip(noisy, scales, strict=True)]
        used = math.fsum(epsilons)
        if used <= budget.epsilon:
            break
        # epsilon is about 1/b: grow the scales by the excess, then by the safety step
        scales = [b * max(used / budget.epsilon, 1.0) * _SAFETY for b in scales]
    by_name = {s.name: NoiseSpec(s.name, s.size, "laplace", s.l1_sensitivity, b, epsilon=e)
               for s, b, e in zip(noisy, scales, epsilons, strict=True)}
    specs = tuple(by_name.get(s.name) or _public(s) for s in statistics)
    return NoisePlan("laplace", PrivacyBudget(budget.epsilon, 0.0), specs)


def _plan_gaussian(statistics: Sequence[Statistic], budget: PrivacyBudget) -> NoisePlan:
    rho_total = max_rho(budget)
    noisy = [s for s in statistics if s.l2_sensitivity > 0]
    shares = _normalise([math.sqrt(s.weight) * s.l2_sensitivity for s in noisy])
    scales = [s.l2_sensitivity / math.sqrt(2 * rho_total * share)
              for s, share in zip(noisy, shares, strict=True)]
    while True:
        rhos = [noise.gaussian_rho(s.l2_sensitivity, sc, size=s.size,
                                   k=noise.lattice(s.l2_sensitivity, s.size, "l2"))
                for s, sc in zip(noisy, scales, strict=True)]
        used = math.fsum(rhos)
        if used <= rho_total:
            break
        # rho is about 1/s^2: grow the scales by the excess, then by the safety step
        scales = [sc * math.sqrt(max(used / rho_total, 1.0)) * _SAFETY for sc in scales]
    by_name = {s.name: NoiseSpec(s.name, s.size, "gaussian", s.l2_sensitivity, sc, rho=r)
               for s, sc, r in zip(noisy, scales, rhos, strict=True)}
    specs = tuple(by_name.get(s.name) or _public(s) for s in statistics)
    return NoisePlan("gaussian", budget, specs)


def verify_plan(statistics: Sequence[Statistic], mechanism: Mechanism,
                plan: NoisePlan) -> None:
    """Check a (stored) plan against the statistics recomputed from its spec, before any
    row is read, independently of how the plan was made: the same statistics, sizes
    and sensitivities, the spec's mechanism for every statistic with a sensitivity (and
    no noise only where the sensitivity is 0), and scales whose OpenDP privacy maps,
    composed, fit the plan's budget (pure epsilon: the epsilons add up; Gaussian: the
    rhos add up and convert to at most the budget's epsilon at its delta). Raises
    ``PlanMismatch`` naming the first statistic that disagrees."""
    if plan.mechanism != mechanism:
        raise PlanMismatch(f"plan mechanism {plan.mechanism} is not the spec's {mechanism}")
    expected = {s.name: s for s in statistics}
    recorded = {s.statistic: s for s in plan.specs}
    if set(expected) != set(recorded) or len(recorded) != len(plan.specs):
        raise PlanMismatch("the plan's statistics are not the spec's")
    epsilons: list[float] = []
    rhos: list[float] = []
    for name, stat in expected.items():
        spec = recorded[name]
        sensitivity = stat.l1_sensitivity if mechanism == "laplace" else stat.l2_sensitivity
        if spec.size != stat.size:
            raise PlanMismatch(f"{name}: size {spec.size}, the spec says {stat.size}")
        if sensitivity == 0:
            if spec.mechanism != "none" and spec.mechanism != mechanism:
                raise PlanMismatch(f"{name}: mechanism {spec.mechanism}")
            continue
        if spec.mechanism != mechanism:
            raise PlanMismatch(f"{name}: released by {spec.mechanism}, needs {mechanism}")
        if not math.isclose(spec.sensitivity, sensitivity, rel_tol=1e-12, abs_tol=0.0):
            raise PlanMismatch(f"{name}: recorded sensitivity differs from the spec's")
        if not (math.isfinite(spec.scale) and spec.scale > 0):
            raise PlanMismatch(f"{name}: noise scale must be finite and > 0")
        # the map of the lattice the sampler will use (the recorded spec's)
        if mechanism == "laplace":
            epsilons.append(noise.laplace_epsilon(sensitivity, spec.scale, size=spec.size,
                                                  k=spec.lattice))
        else:
            rhos.append(noise.gaussian_rho(sensitivity, spec.scale, size=spec.size,
                                           k=spec.lattice))
    if mechanism == "laplace":
        if math.fsum(epsilons) > plan.budget.epsilon:
            raise PlanMismatch("the noise scales spend more epsilon than the plan's budget")
    elif noise.zcdp_epsilon(math.fsum(rhos), plan.budget.delta) > plan.budget.epsilon:
        raise PlanMismatch("the noise scales spend more (epsilon, delta) than the plan's budget")


def max_rho(budget: PrivacyBudget) -> float:
    """The largest zCDP rho whose (epsilon, delta) conversion fits ``budget``."""
    lo, hi = 0.0, budget.epsilon
    while noise.zcdp_epsilon(hi, budget.delta) <= budget.epsilon:  # bracket the answer
        lo, hi = hi, 2 * hi
    for _ in range(100):
        mid = (lo + hi) / 2
        if noise.zcdp_epsilon(mid, budget.delta) <= budget.epsilon:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * hi:
            break
    return lo


def _normalise(weights: list[float]) -> list[float]:
    total = math.fsum(weights)
    return [w / total for w in weights]
