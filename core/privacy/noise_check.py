"""Layer 2 of the privacy audit: the noise a real build adds has the distribution and
the scale its plan records.

A plan's privacy map is only as good as the noise the build really adds: the right
family (Laplace or Gaussian), centred, at the recorded scale, on every coordinate of
every noisy statistic, and none at all, but the exact value, where the plan releases a
statistic exactly. This module checks that on the real build path:
``build_release(spec, seed=..., plan=..., chunks=[rows], observe=...)`` is called many
times with one public seed and one fixed set of in-domain rows, ``observe`` records
the noisy statistics of each build (exactly what the release stores), and

    z = (released - exact) / recorded scale

is computed per coordinate, with the exact statistics from
``core.privacy.audit.exact_statistics`` (the build's own clip and accumulate). For a
correct build the z of one statistic, pooled over coordinates and builds, are iid
standard Laplace or standard normal draws (the coordinates of one build are
independent draws of the OpenDP samplers); a Kolmogorov-Smirnov test
(``scipy.stats.kstest``) compares them with that law.

- Pass: p >= ``P_THRESHOLD`` = 1e-6. Under a correct mechanism the p-value is uniform
  (slightly conservative: OpenDP's noise lies on a fine lattice), so a correct
  statistic fails with probability at most 1e-6 per test, about 1e-4 over the ~100
  tests of a run. Statistics released exactly must equal the exact value in every
  build.
- Negative control (``halve_scale``): the same builds with ONE statistic's noise
  scale halved in the plan passed to ``build_release``, standardised by the recorded
  (original) scale, must be rejected (p < 1e-6); the other statistics of those builds
  must still pass.
- Power (``samples_needed``): the halved scale moves the law of z by a KS distance D
  (1/8 for Laplace at x = ln 2, 0.161 for the Gaussian; ``halved_distance``). By the
  Dvoretzky-Kiefer-Wolfowitz inequality (Massart's constant) the empirical KS
  statistic of n samples is within t of D except with probability 2 exp(-2 n t^2),
  and a statistic above c = sqrt(ln(2 / p) / (2 n)) has a p-value below p. With
  n >= (sqrt(ln(2/p)) + sqrt(ln(2/m)))^2 / (2 D^2) a control is therefore missed with
  probability at most m = ``MISS_PROBABILITY`` = 1e-6: 1,858 pooled values for
  Laplace, 1,115 for the Gaussian (fast form); the thorough form takes 10x.
  Each statistic gets ceil(n / size) builds, so a count (size 1) needs the most.

Results and method: docs/privacy/audit.md ("Layer 2").
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import stats  # type: ignore[import-untyped]

from core.domain import Neighbouring
from core.errors import InvalidParameter
from core.privacy.audit import AUDIT_SEED, AuditTarget, exact_statistics
from core.privacy.budget import PrivacyBudget
from core.privacy.mechanisms import Mechanism, NoisePlan
from core.privacy.sensitivity_search import random_rows
from core.structures.base import DataSpec, Spec, build_release, noise_plan

__all__ = [
    "MISS_PROBABILITY", "NOISE_ROWS", "P_THRESHOLD", "THOROUGH_FACTOR", "NoiseCase",
    "NoiseControl", "NoiseLaw", "NoiseReport", "StatisticNoise", "halve_scale", "halved_distance",
    "ks_test", "run_noise_check", "sample_builds", "samples_needed",
]

NoiseLaw = Literal["laplace", "gaussian"]
P_THRESHOLD = 1e-6  # a KS p-value below this rejects the noise's law
MISS_PROBABILITY = 1e-6  # what a halved-scale control may be missed with, at most
THOROUGH_FACTOR = 10  # the thorough form draws this many times the samples
NOISE_ROWS = 5  # random in-domain rows every build of a check is made on
_BUDGETS: dict[Mechanism, PrivacyBudget] = {
    "laplace": PrivacyBudget(1.0), "gaussian": PrivacyBudget(1.0, 1e-5)}


# --- the test and its power -----------------------------------------------------------

def _cdf(law: NoiseLaw, x: NDArray[np.float64]) -> NDArray[np.float64]:
    """The standard Laplace or normal CDF."""
    return np.asarray(stats.laplace.cdf(x) if law == "laplace" else stats.norm.cdf(x))


def halved_distance(law: NoiseLaw) -> float:
    """sup_x |F(2x) - F(x)|: the KS distance between the standard law and the law of
    z when the noise has half the recorded scale (z = noise / recorded scale)."""
    x = np.linspace(0.0, 10.0, 200_001)  # both laws are symmetric: x >= 0 suffices
    return float(np.max(_cdf(law, 2 * x) - _cdf(law, x)))


def samples_needed(law: NoiseLaw, threshold: float = P_THRESHOLD,
                   miss: float = MISS_PROBABILITY) -> int:
    """The fewest pooled values n for which a halved-scale control is rejected at
    ``threshold`` except with probability at most ``miss`` (DKW with Massart's
    constant: n >= (sqrt(ln(2/threshold)) + sqrt(ln(2/miss)))^2 / (2 D^2))."""
    if not (0 < threshold < 1 and 0 < miss < 1):
        raise InvalidParameter("threshold", "threshold and miss must be in (0, 1)")
    root = math.sqrt(math.log(2 / threshold)) + math.sqrt(math.log(2 / miss))
    return math.ceil(root**2 / (2 * halved_distance(law) ** 2))


def ks_test(z: NDArray[np.float64], law: NoiseLaw) -> tuple[float, float]:
    """(KS statistic, p-value) of standardised noise against the standard law."""
    result = stats.kstest(np.asarray(z, dtype=np.float64).ravel(),
                          "laplace" if law == "laplace" else "norm")
    return float(result.statistic), float(result.pvalue)


def halve_scale(plan: NoisePlan, name: str) -> NoisePlan:
    """The plan with statistic ``name``'s noise scale halved, still claiming the same
    budget: a build that adds half the noise one statistic needs."""
    spec = plan.spec(name)
    if spec.mechanism == "none":
        raise InvalidParameter("statistic", f"{name} is released exactly: no scale to halve")
    return NoisePlan(plan.mechanism, plan.budget,
                     tuple(replace(s, scale=s.scale / 2) if s.statistic == name else s
                           for s in plan.specs))


# --- builds ---------------------------------------------------------------------------

def sample_builds(spec: Spec, plan: NoisePlan, *, seed: int, rows: NDArray[np.float64],
                  builds: int) -> dict[str, NDArray[np.float64]]:
    """The noisy statistics of ``builds`` real builds (``build_release`` with
    ``observe``) of the same rows at the same public seed, as (builds, size) arrays."""
    if builds < 1:
        raise InvalidParameter("builds", "must be >= 1")
    seen: dict[str, list[NDArray[np.float64]]] = {s.statistic: [] for s in plan.specs}

    def observe(noisy: Mapping[str, NDArray[np.float64]]) -> None:
        for name, values in noisy.items():
            seen[name].append(np.array(values, dtype=np.float64).ravel())

    for _ in range(builds):
        build_release(spec, seed=seed, plan=plan, chunks=[rows], observe=observe)
    return {name: np.vstack(values) for name, values in seen.items()}


@dataclass(frozen=True, slots=True)
class StatisticNoise:
    """One statistic of a set of builds against its recorded noise. For a noisy
    statistic: the KS statistic and p-value of its pooled z; for one released exactly:
    whether every build released exactly the exact value."""

    statistic: str
    mechanism: Literal["laplace", "gaussian", "none"]
    size: int
    recorded_scale: float
    builds: int
    samples: int
    ks_statistic: float | None
    p_value: float | None
    exact_every_build: bool | None

    @property
    def passed(self) -> bool:
        if self.mechanism == "none":
            return bool(self.exact_every_build)
        return self.p_value is not None and self.p_value >= P_THRESHOLD

    def to_dict(self) -> dict[str, Any]:
        return {"statistic": self.statistic, "mechanism": self.mechanism,
                "size": self.size, "recorded_scale": self.recorded_scale,
                "builds": self.builds, "samples": self.samples,
                "ks_statistic": self.ks_statistic, "p_value": self.p_value,
                "exact_every_build": self.exact_every_build, "passed": self.passed}


def _judge(recorded: NoisePlan, exact: Mapping[str, NDArray[np.float64]],
           released: Mapping[str, NDArray[np.float64]]) -> list[StatisticNoise]:
    """Standardise every statistic of ``released`` by the recorded plan and test it."""
    out: list[StatisticNoise] = []
    for spec in recorded.specs:
        values = released[spec.statistic]
        builds = values.shape[0]
        truth = np.asarray(exact[spec.statistic], dtype=np.float64).ravel()
        if spec.mechanism == "none":
            out.append(StatisticNoise(spec.statistic, "none", spec.size, 0.0, builds,
                                      values.size, None, None,
                                      bool(np.all(values == truth[None, :]))))
            continue
        z = (values - truth[None, :]) / spec.scale
        ks, p = ks_test(z, spec.mechanism)
        out.append(StatisticNoise(spec.statistic, spec.mechanism, spec.size, spec.scale,
                                  builds, z.size, ks, p, None))
    return out


# --- cases ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class NoiseCase:
    """One kind, mechanism (``target``, as the black-box audit builds it) and relation.
    The suite of every kind: core/kinds/audit_suite.py."""

    target: AuditTarget
    relation: Neighbouring

    @property
    def kind(self) -> str:
        return self.target.kind

    @property
    def mechanism(self) -> Mechanism:
        return self.target.mechanism

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.mechanism}-{self.relation}"

    def params(self) -> Mapping[str, Any]:
        return self.target.params

    def data(self) -> DataSpec:
        return self.target.data(self.relation)

    def spec(self) -> Spec:
        return self.target.spec(self.relation)


@dataclass(frozen=True, slots=True)
class NoiseControl:
    """The builds with ``statistic``'s scale halved: that statistic judged against its
    recorded scale (``halved``, must be rejected) and the others (must pass)."""

    statistic: str
    halved: StatisticNoise
    others: tuple[StatisticNoise, ...]

    @property
    def caught(self) -> bool:
        return not self.halved.passed

    @property
    def others_passed(self) -> bool:
        return all(o.passed for o in self.others)

    def to_dict(self) -> dict[str, Any]:
        return {"statistic": self.statistic, "caught": self.caught,
                "others_passed": self.others_passed, "halved": self.halved.to_dict(),
                "others": [o.to_dict() for o in self.others]}


@dataclass(frozen=True, slots=True)
class NoiseReport:
    case: NoiseCase
    statistics: tuple[StatisticNoise, ...]
    controls: tuple[NoiseControl, ...]
    builds: int  # in all, checks and controls
    seconds: float

    @property
    def passed(self) -> bool:
        return all(s.passed for s in self.statistics)

    @property
    def controls_caught(self) -> bool:
        return all(c.caught and c.others_passed for c in self.controls)

    @property
    def as_expected(self) -> bool:
        return self.passed and self.controls_caught

    def to_dict(self) -> dict[str, Any]:
        c = self.case
        return {"name": c.name, "kind": c.kind, "mechanism": c.mechanism,
                "relation": c.relation, "builds": self.builds, "seconds": self.seconds,
                "statistics": [s.to_dict() for s in self.statistics],
                "controls": [k.to_dict() for k in self.controls], "passed": self.passed,
                "controls_caught": self.controls_caught, "as_expected": self.as_expected}


def _builds_for(plan: NoisePlan, names: Sequence[str], samples: int) -> int:
    """Builds giving every named noisy statistic at least ``samples`` pooled values."""
    return max((math.ceil(samples / plan.spec(n).size) for n in names), default=1)


def run_noise_check(case: NoiseCase, *, thorough: bool = False, seed: int = AUDIT_SEED,
                    rows: NDArray[np.float64] | None = None) -> NoiseReport:
    """Check every statistic of the case's real builds against its recorded noise,
    then one control per noisy statistic (its scale halved in the builds' plan)."""
    began = time.perf_counter()
    spec = case.spec()
    plan = noise_plan(spec, _BUDGETS[case.mechanism])
    data = spec.data
    if rows is None:
        rows = random_rows(data.domain, data.dim, NOISE_ROWS,
                           np.random.Generator(np.random.PCG64(seed)))
    exact = exact_statistics(spec, seed, rows)
    samples = samples_needed(case.mechanism) * (THOROUGH_FACTOR if thorough else 1)
    noisy = [s.statistic for s in plan.specs if s.mechanism != "none"]
    builds = _builds_for(plan, noisy, samples)
    checks = _judge(plan, exact, sample_builds(spec, plan, seed=seed, rows=rows,
                                               builds=builds))
    total = builds
    controls: list[NoiseControl] = []
    for name in noisy:
        count = _builds_for(plan, [name], samples)
        judged = _judge(plan, exact, sample_builds(spec, halve_scale(plan, name), seed=seed,
                                                   rows=rows, builds=count))
        total += count
        controls.append(NoiseControl(name, next(j for j in judged if j.statistic == name),
                                     tuple(j for j in judged if j.statistic != name)))
    return NoiseReport(case, tuple(checks), tuple(controls), total,
                       time.perf_counter() - began)
