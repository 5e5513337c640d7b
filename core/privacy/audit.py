"""Statistical auditing: a high-confidence lower bound on the epsilon a build achieves.

A mechanism M is (epsilon, delta)-DP if P[M(A) in E] <= e^epsilon P[M(B) in E] + delta
for every pair of neighbouring datasets (A, B), in both orders, and every event E. The
audit turns that inequality around: it builds a structure many times on one pair of
neighbours, estimates the probabilities of one event under A and under B, and reports

    epsilon_lower = ln((p_A_lower - delta) / p_B_upper),

where p_A_lower and p_B_upper are one-sided Clopper-Pearson bounds. With probability at
least 1 - alpha the true probabilities lie inside them, and then epsilon_lower is at
most the epsilon the mechanism really achieves. A correct mechanism therefore audits
at or below its claim (except with probability alpha); a broken one is caught when its
bound lands above it.

The pieces, each usable on its own:

- releases: the exact statistics of A and B come from the real code path,
  ``spec.builder(seed).accumulate(domain.clip(rows))`` with a fixed public seed (so A
  and B see the same public randomness); the noisy releases come from
  ``sample_releases``, the same OpenDP samplers and scales as ``NoisePlan.apply``;
- the test statistic: the privacy loss L(o) = ln p_A(o) / p_B(o) of each release under
  the plan's noise model (``privacy_loss``), which by Neyman-Pearson orders the
  releases best for telling A from B;
- events {L >= t} (A favoured) and {-L >= t} (B favoured): the direction and t are
  chosen on the first 30% of the trials (``SELECTION_FRACTION``), by maximising the
  bound computed there; the bound is then computed on the other 70% only, so the
  choice is independent of the counts that are tested and alpha is split only over
  the two Clopper-Pearson bounds;
- worst-case neighbours (``NeighbourPair``): rows that attain the sensitivities the
  plan was calibrated for; each kind names its constructor in its audit declaration
  (core/kinds/<kind>/audit.py): ``boundary_pair`` here (a row on the domain boundary,
  for the moment and distance kinds), or a row at a chosen feature angle for the
  random-feature kinds (core/kinds/audit_features.py);
- negative controls (``half_noise``, ``half_statistic``, ``wrong_relation_plan``):
  broken plans that the audit must catch, which shows that it has the power to catch
  a real bug;
- cases (``AuditTarget``, ``AuditCase``, ``run_case``): one audit of one structure;
  the suite that tests/privacy and ``python -m bench.audit`` both run is built from
  the kind registry in core/kinds/audit_suite.py. This module knows no kind.

Derivation and results: docs/privacy/audit.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, stats  # type: ignore[import-untyped]

from core._array import to_host
from core.domain import Box, Domain, L2Ball, Neighbouring
from core.errors import InvalidParameter
from core.privacy.budget import PrivacyBudget
from core.privacy.mechanisms import (
    Mechanism,
    NoisePlan,
    NoiseSpec,
    plan_noise,
    sample_releases,
)
from core.structures.base import DataSpec, Spec, noise_plan

__all__ = [
    "AUDIT_DIM", "AUDIT_DOMAIN", "AUDIT_SEED", "BACKGROUND_ROWS", "DEFAULT_ALPHA",
    "POWERED_EPSILON", "SELECTION_FRACTION", "AuditCase", "AuditResult", "AuditTarget",
    "CaseResult", "Control", "Event", "Expectation", "NeighbourPair", "PairConstructor",
    "Parse", "audit_plan", "audit_releases", "boundary_pair", "clopper_pearson",
    "epsilon_lower_bound", "exact_statistics", "gaussian_epsilon", "half_noise",
    "half_statistic", "pair_divergence", "pair_epsilon", "privacy_loss", "run_case",
    "summarise", "wrong_relation_plan",
]

Statistics = Mapping[str, NDArray[np.float64]]
Control = Literal["none", "half_noise", "half_statistic", "wrong_relation"]
Expectation = Literal["within_claim", "caught", "bounded", "caught_if_powered"]

DEFAULT_ALPHA = 1e-4  # probability that one audit's bound is wrong (above the truth)
AUDIT_SEED = 20_240_607  # public randomness of every audited structure: fixed, published
AUDIT_DIM = 2  # a kind's audit dimension unless its audit declaration says otherwise
AUDIT_DOMAIN: Domain = L2Ball(1.0)
BACKGROUND_ROWS = 3  # identical rows in both datasets of a pair
SELECTION_FRACTION = 0.3  # share of the trials spent on choosing the event
POWERED_EPSILON = 1.4  # true epsilon (claim 1) that 200,000 releases catch with a margin
_SELECTION_STRICTNESS = 100.0  # the event is chosen by its bound at alpha / 100
_CANDIDATE_TAILS = 256  # thresholds tried per direction when choosing the event
_TIE_TOLERANCE = 1e-9  # thresholds sit this far below a sampled loss (float jitter)


# --- Clopper-Pearson and the bound ----------------------------------------------------

def clopper_pearson(successes: ArrayLike, trials: int,
                    alpha: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """One-sided exact (Clopper-Pearson) bounds on a binomial proportion p from
    ``successes`` out of ``trials``: (lower, upper), each wrong with probability at most
    alpha, i.e. P[lower > p] <= alpha and P[upper < p] <= alpha. Vectorised."""
    if trials < 1:
        raise InvalidParameter("trials", "must be >= 1")
    if not 0 < alpha < 1:
        raise InvalidParameter("alpha", "must be in (0, 1)")
    k = np.asarray(successes, dtype=np.float64)
    if np.any((k < 0) | (k > trials)):
        raise InvalidParameter("successes", "must be between 0 and trials")
    # beta.ppf needs positive shape parameters: feed it safe values, then mask
    lower = np.where(k > 0, stats.beta.ppf(alpha, np.maximum(k, 1.0), trials - k + 1.0), 0.0)
    upper = np.where(k < trials,
                     stats.beta.ppf(1.0 - alpha, k + 1.0, np.maximum(trials - k, 1.0)), 1.0)
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)


def epsilon_lower_bound(hits_favoured: ArrayLike, hits_other: ArrayLike, trials: int, *,
                        delta: float, alpha: float) -> NDArray[np.float64]:
    """ln((p_fav_lower - delta) / p_other_upper), alpha split equally over the two
    Clopper-Pearson bounds; 0 where the event gives no evidence. Vectorised."""
    lower, _ = clopper_pearson(hits_favoured, trials, alpha / 2)
    _, upper = clopper_pearson(hits_other, trials, alpha / 2)
    excess = lower - delta
    ratio = np.where(excess > 0, excess, 1.0) / upper  # upper > 0 always
    return np.where(excess > 0, np.maximum(np.log(ratio), 0.0), 0.0)


# --- the privacy-loss statistic -------------------------------------------------------

def privacy_loss(plan: NoisePlan, exact_a: Statistics, exact_b: Statistics,
                 releases: Statistics) -> NDArray[np.float64]:
    """L(o) = ln p_A(o) / p_B(o) for each release o (rows of the (trials, size) arrays),
    under the plan's noise model:

    - Laplace: sum_i (|o_i - b_i| - |o_i - a_i|) / scale_i;
    - Gaussian: sum_i ((o_i - b_i)^2 - (o_i - a_i)^2) / (2 scale_i^2);
    - released exactly ("none"): 0 if a = b, else +inf where o = a and -inf where o = b.

    A statistic missing from ``releases`` must be equal in A and B: its coordinates
    then carry no information (L does not depend on them), so it need not be sampled.
    """
    trials = _trials(releases)
    loss = np.zeros(trials)
    for spec in plan.specs:
        a, b = _flat(exact_a, spec), _flat(exact_b, spec)
        if spec.statistic not in releases:
            if not np.array_equal(a, b):
                raise InvalidParameter(spec.statistic, "differs between A and B, so its "
                                       "releases are needed")
            continue
        o = np.asarray(releases[spec.statistic], dtype=np.float64).reshape(trials, spec.size)
        if spec.mechanism == "laplace":
            loss += np.sum(np.abs(o - b) - np.abs(o - a), axis=1) / spec.scale
        elif spec.mechanism == "gaussian":  # (o-b)^2 - (o-a)^2 = (a-b)(2o-a-b): no cancellation
            loss += np.sum((a - b) * (2.0 * o - a - b), axis=1) / (2.0 * spec.scale**2)
        elif not np.array_equal(a, b):
            at_a, at_b = np.all(o == a, axis=1), np.all(o == b, axis=1)
            loss += np.where(at_a, np.inf, np.where(at_b, -np.inf, 0.0))
    return loss


def pair_divergence(plan: NoisePlan, exact_a: Statistics, exact_b: Statistics) -> float:
    """How far apart the plan's output distributions are on this pair: Laplace
    sum_i ||a_i - b_i||_1 / scale_i (the pair's exact pure epsilon), Gaussian
    sum_i ||a_i - b_i||_2^2 / scale_i^2 (the squared mean shift of L, in units of its
    std); inf if a statistic released exactly differs."""
    total = 0.0
    for spec in plan.specs:
        diff = _flat(exact_a, spec) - _flat(exact_b, spec)
        if spec.mechanism == "laplace":
            total += float(np.sum(np.abs(diff))) / spec.scale
        elif spec.mechanism == "gaussian":
            total += float(np.sum(diff * diff)) / spec.scale**2
        elif np.any(diff != 0):
            return math.inf
    return total


def pair_epsilon(plan: NoisePlan, exact_a: Statistics, exact_b: Statistics,
                 delta: float = 0.0) -> float:
    """The epsilon the plan really achieves on this pair (at ``delta`` for the Gaussian
    mechanism): what a perfect audit of this pair would find. Laplace: the divergence.
    Gaussian with mean shift D: the smallest epsilon with
    Phi(D/2 - epsilon/D) - e^epsilon Phi(-D/2 - epsilon/D) <= delta (Balle and Wang
    2018, exact for the Gaussian mechanism)."""
    divergence = pair_divergence(plan, exact_a, exact_b)
    if plan.mechanism == "laplace" or math.isinf(divergence):
        return divergence
    return gaussian_epsilon(math.sqrt(divergence), delta)


def gaussian_epsilon(shift: float, delta: float) -> float:
    """Exact epsilon at ``delta`` of a Gaussian mechanism whose neighbours are ``shift``
    standard deviations apart (in the L2 norm)."""
    if shift <= 0:
        return 0.0

    def excess(eps: float) -> float:
        first = stats.norm.cdf(shift / 2 - eps / shift)
        second = math.exp(eps + stats.norm.logcdf(-shift / 2 - eps / shift))
        return float(first - second - delta)

    if excess(0.0) <= 0:
        return 0.0
    high = 1.0
    while excess(high) > 0:
        high *= 2
    return float(optimize.brentq(excess, 0.0, high, xtol=1e-12))


# --- events and the audit -------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Event:
    """{o : ln p_fav(o) / p_other(o) >= threshold}, fav being dataset A or B."""

    favoured: Literal["a", "b"]
    threshold: float

    def contains(self, loss_ab: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Which releases fall in the event, given their L = ln p_A / p_B."""
        oriented = loss_ab if self.favoured == "a" else -loss_ab
        return np.asarray(oriented >= self.threshold)

    def __str__(self) -> str:
        fav, other = ("A", "B") if self.favoured == "a" else ("B", "A")
        return f"ln p_{fav}/p_{other} >= {self.threshold:.4g}"


@dataclass(frozen=True, slots=True)
class AuditResult:
    """One audit of one pair. ``hits`` are counted on the evaluation half only."""

    epsilon_lower: float
    claimed: PrivacyBudget
    trials: int  # releases drawn per dataset
    evaluated: int  # of which in the evaluation half
    alpha: float
    event: Event | None  # None: decided exactly (a statistic released without noise differs)
    hits_favoured: int = 0
    hits_other: int = 0
    p_favoured_lower: float = 0.0
    p_other_upper: float = 1.0

    @property
    def within_claim(self) -> bool:
        return self.epsilon_lower <= self.claimed.epsilon

    def to_dict(self) -> dict[str, Any]:
        return {
            "epsilon_lower": self.epsilon_lower, "claimed_epsilon": self.claimed.epsilon,
            "claimed_delta": self.claimed.delta, "trials": self.trials,
            "evaluated": self.evaluated, "alpha": self.alpha,
            "event": None if self.event is None else str(self.event),
            "hits_favoured": self.hits_favoured, "hits_other": self.hits_other,
            "p_favoured_lower": self.p_favoured_lower, "p_other_upper": self.p_other_upper,
        }


def audit_releases(plan: NoisePlan, exact_a: Statistics, exact_b: Statistics,
                   releases_a: Statistics, releases_b: Statistics, *,
                   claimed: PrivacyBudget, alpha: float = DEFAULT_ALPHA,
                   selection_fraction: float = SELECTION_FRACTION) -> AuditResult:
    """Audit given releases (row t of every array is one release) of A and of B."""
    if not 0 < selection_fraction < 1:
        raise InvalidParameter("selection_fraction", "must be in (0, 1)")
    trials = _trials(releases_a)
    if _trials(releases_b) != trials:
        raise InvalidParameter("releases", "A and B need the same number of trials")
    selected = int(trials * selection_fraction)
    evaluated = trials - selected
    if selected < 1 or evaluated < 1:
        raise InvalidParameter("trials", "too few to split into selection and evaluation")
    if _public_differs(plan, exact_a, exact_b):
        return AuditResult(math.inf, claimed, trials, evaluated, alpha, None)
    loss_a = privacy_loss(plan, exact_a, exact_b, releases_a)
    loss_b = privacy_loss(plan, exact_a, exact_b, releases_b)
    event = _select_event(loss_a[:selected], loss_b[:selected], claimed.delta,
                          alpha / _SELECTION_STRICTNESS)
    fav, other = (loss_a, loss_b) if event.favoured == "a" else (loss_b, loss_a)
    hits_fav = int(np.count_nonzero(event.contains(fav[selected:])))
    hits_other = int(np.count_nonzero(event.contains(other[selected:])))
    lower, _ = clopper_pearson(hits_fav, evaluated, alpha / 2)
    _, upper = clopper_pearson(hits_other, evaluated, alpha / 2)
    bound = float(epsilon_lower_bound(hits_fav, hits_other, evaluated, delta=claimed.delta,
                                      alpha=alpha))
    return AuditResult(bound, claimed, trials, evaluated, alpha, event, hits_fav, hits_other,
                       float(lower), float(upper))


def audit_plan(plan: NoisePlan, exact_a: Statistics, exact_b: Statistics, *, trials: int,
               claimed: PrivacyBudget | None = None,
               alpha: float = DEFAULT_ALPHA) -> AuditResult:
    """Draw ``trials`` releases of A and of B through the plan's samplers and audit
    them. Statistics equal in A and B are not sampled (they carry no information).
    ``claimed`` defaults to the plan's budget."""
    claimed = plan.budget if claimed is None else claimed
    if _public_differs(plan, exact_a, exact_b):
        return AuditResult(math.inf, claimed, trials, _evaluated(trials), alpha, None)
    informative = tuple(s for s in plan.specs
                        if not np.array_equal(_flat(exact_a, s), _flat(exact_b, s)))
    if not informative:  # identical datasets: nothing to tell apart
        return AuditResult(0.0, claimed, trials, _evaluated(trials), alpha, None)
    sub = NoisePlan(plan.mechanism, plan.budget, informative)
    releases_a = sample_releases(sub, exact_a, trials)
    releases_b = sample_releases(sub, exact_b, trials)
    return audit_releases(sub, exact_a, exact_b, releases_a, releases_b, claimed=claimed,
                          alpha=alpha)


def _select_event(loss_a: NDArray[np.float64], loss_b: NDArray[np.float64], delta: float,
                  alpha: float) -> Event:
    """The event (direction and threshold) with the best bound on these releases.
    Choosing by the bound at a stricter alpha than the evaluation's favours events with
    more hits, whose probabilities the selection half estimates better: it avoids
    thresholds deep in a tail that only looked good by chance."""
    n = loss_a.size
    tails = np.unique(np.rint(np.geomspace(1, n, _CANDIDATE_TAILS)).astype(np.int64))
    directions: tuple[tuple[Literal["a", "b"], NDArray[np.float64], NDArray[np.float64]],
                      ...] = (("a", loss_a, loss_b), ("b", -loss_b, -loss_a))
    best_bound, best_event = -1.0, Event("a", math.inf)
    for favoured, fav, other in directions:
        fav_sorted, other_sorted = np.sort(fav), np.sort(other)
        top = fav_sorted[n - tails]  # the tails-th largest favoured losses
        thresholds = top - _TIE_TOLERANCE * np.maximum(1.0, np.abs(top))
        hits_fav = n - np.searchsorted(fav_sorted, thresholds, side="left")
        hits_other = n - np.searchsorted(other_sorted, thresholds, side="left")
        bounds = epsilon_lower_bound(hits_fav, hits_other, n, delta=delta, alpha=alpha)
        index = int(np.argmax(bounds))
        if bounds[index] > best_bound:
            best_bound, best_event = float(bounds[index]), Event(favoured,
                                                                  float(thresholds[index]))
    return best_event


def _evaluated(trials: int) -> int:
    return trials - int(trials * SELECTION_FRACTION)


def _public_differs(plan: NoisePlan, exact_a: Statistics, exact_b: Statistics) -> bool:
    return any(s.mechanism == "none" and not np.array_equal(_flat(exact_a, s), _flat(exact_b, s))
               for s in plan.specs)


def _flat(values: Statistics, spec: NoiseSpec) -> NDArray[np.float64]:
    flat = np.asarray(values[spec.statistic], dtype=np.float64).ravel()
    if flat.size != spec.size:
        raise InvalidParameter(spec.statistic, f"expected {spec.size} values")
    return flat


def _trials(releases: Statistics) -> int:
    sizes = {np.asarray(v).shape[0] for v in releases.values()}
    if len(sizes) != 1:
        raise InvalidParameter("releases", "every statistic needs the same number of trials")
    return int(sizes.pop())


# --- neighbouring datasets ------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class NeighbourPair:
    """Two neighbouring datasets under ``relation`` (rows before clipping)."""

    relation: Neighbouring
    rows_a: NDArray[np.float64]
    rows_b: NDArray[np.float64]
    description: str


# how a kind's spec is made from its parameters (``parse(params, data)``), and how its
# worst-case neighbours are (``pair(spec, seed, plan)``)
Parse = Callable[[Mapping[str, Any], DataSpec], Spec]
PairConstructor = Callable[[Spec, int, NoisePlan], NeighbourPair]


def exact_statistics(spec: Spec, seed: int, rows: NDArray[np.float64]) -> dict[str,
                                                                              NDArray[np.float64]]:
    """The exact (non-private) statistics of a dataset, by the build's own code path:
    clip into the declared domain, then the builder's ``accumulate`` at this seed."""
    clipped = spec.data.domain.clip(np.asarray(rows, dtype=np.float64))
    return {name: to_host(v) for name, v in spec.builder(seed).accumulate(clipped).items()}


def _extreme_offset(domain: Domain, dim: int) -> NDArray[np.float64]:
    """u with ||u||_1 = M1 and ||u||_2 = M2 at once: c + u is on the domain boundary."""
    if isinstance(domain, L2Ball):
        return np.full(dim, domain.radius / math.sqrt(dim))
    if isinstance(domain, Box):
        return np.asarray(domain.half_widths(dim), dtype=np.float64)
    raise InvalidParameter("domain", "unknown domain type")


def boundary_pair(spec: Spec, seed: int, plan: NoisePlan) -> NeighbourPair:
    """The worst-case neighbours of a kind whose per-row sums grow with ||x - c|| (its
    worst row lies on the domain's boundary), with ``BACKGROUND_ROWS`` centre rows in
    both datasets. Under add/remove B lacks A's last row; under replace-one B has
    another row in its place.

    Moments of u = x - c: the row c + u* with u* on the boundary along
    (1, ..., 1) (ball) or at a corner (box) attains M1 and M2 together, so under
    add/remove it attains every sensitivity at once. Under replace-one its antipode
    c - u* attains the doubled sum bound but leaves ||u||^2 (S2) unchanged; the
    replacement c - t u* trades one against the other, so t in [0, 1] is chosen to
    maximise the plan's divergence (for both mechanisms the antipodal direction is
    optimal for any norms the two rows have)."""
    data = spec.data
    center = data.domain.center(data.dim)
    u = _extreme_offset(data.domain, data.dim)
    background = np.tile(center, (BACKGROUND_ROWS, 1))
    rows_a = np.vstack([background, center + u])
    if data.neighbouring == "add_remove":
        return NeighbourPair("add_remove", rows_a, background,
                             f"{BACKGROUND_ROWS} centre rows + one boundary row / without it")
    exact_a = exact_statistics(spec, seed, rows_a)

    def rows_b(t: float) -> NDArray[np.float64]:
        return np.vstack([background, center - t * u])

    grid = np.linspace(0.0, 1.0, 201)
    divergences = [pair_divergence(plan, exact_a, exact_statistics(spec, seed, rows_b(t)))
                   for t in grid]
    t = float(grid[int(np.argmax(divergences))])
    return NeighbourPair("replace_one", rows_a, rows_b(t),
                         f"{BACKGROUND_ROWS} centre rows + boundary row c+u vs c-{t:.3g}u")


# --- negative controls ----------------------------------------------------------------

def half_noise(plan: NoisePlan) -> NoisePlan:
    """The same plan with every noise scale halved, still claiming the same budget: a
    mechanism with half the noise it needs."""
    specs = tuple(s if s.mechanism == "none" else replace(s, scale=s.scale / 2)
                  for s in plan.specs)
    return NoisePlan(plan.mechanism, plan.budget, specs)


def half_statistic(plan: NoisePlan, name: str) -> NoisePlan:
    """The same plan with one statistic's noise scale halved, still claiming the same
    budget: the bug of a single miscalibrated statistic, which halving every scale at
    once would hide among the others."""
    if name not in {s.statistic for s in plan.specs if s.mechanism != "none"}:
        raise InvalidParameter("statistic", f"{name} is not a noisy statistic of the plan")
    specs = tuple(replace(s, scale=s.scale / 2) if s.statistic == name else s
                  for s in plan.specs)
    return NoisePlan(plan.mechanism, plan.budget, specs)


def wrong_relation_plan(parse: Parse, params: Mapping[str, Any], data: DataSpec,
                        budget: PrivacyBudget) -> NoisePlan:
    """A replace-one dataset's plan (n public, so all the budget goes to the sums)
    calibrated with the add/remove sensitivities: the bug of forgetting to double.
    ``parse(params, data)``: the kind's spec."""
    if data.neighbouring != "replace_one":
        raise InvalidParameter("neighbouring", "the wrong-relation control is replace_one")
    spec = parse(params, data)
    added = parse(params, replace(data, neighbouring="add_remove"))
    wrong = {s.name: s for s in added.statistics()}
    statistics = [s if s.l1_sensitivity == 0 and s.l2_sensitivity == 0 else
                  replace(s, l1_sensitivity=wrong[s.name].l1_sensitivity,
                          l2_sensitivity=wrong[s.name].l2_sensitivity)
                  for s in spec.statistics()]
    return plan_noise(statistics, spec.mechanism, budget)


# --- cases ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AuditTarget:
    """The structure an audit builds: a kind under one mechanism, as the kind's audit
    declaration gives it (core/kinds/<kind>/audit.py): ``parse(params, data)`` makes
    its spec, ``params`` the smallest structure worth auditing, in ``dim`` dimensions
    of ``AUDIT_DOMAIN``, and ``pair(spec, seed, plan)`` its worst-case neighbours."""

    kind: str
    mechanism: Mechanism
    params: Mapping[str, Any] = field(hash=False)
    dim: int
    parse: Parse
    pair: PairConstructor

    def data(self, relation: Neighbouring) -> DataSpec:
        return DataSpec(self.dim, AUDIT_DOMAIN, relation)

    def spec(self, relation: Neighbouring) -> Spec:
        return self.parse(self.params, self.data(relation))


@dataclass(frozen=True, slots=True)
class AuditCase:
    """One audit: a kind under a mechanism (``target``), a relation, a budget, and
    what should happen.

    ``expect``: ``within_claim`` (a correct mechanism: bound <= claimed epsilon),
    ``caught`` (a control: bound > claimed epsilon), ``bounded`` (a control whose
    violation is real but too small to detect at this many trials: only
    bound <= the pair's true epsilon is expected), ``caught_if_powered`` (caught where
    the pair's true epsilon reaches ``POWERED_EPSILON``, which 200,000 releases detect
    at a claim of 1; bounded below it: one miscalibrated statistic that holds a small
    share of the budget moves the true epsilon too little to see)."""

    target: AuditTarget
    relation: Neighbouring
    budget: PrivacyBudget
    trials: int
    control: Control = "none"
    expect: Expectation = "within_claim"
    statistic: str = ""  # the statistic a half_statistic control miscalibrates

    @property
    def kind(self) -> str:
        return self.target.kind

    @property
    def mechanism(self) -> Mechanism:
        return self.target.mechanism

    @property
    def name(self) -> str:
        delta = "" if self.mechanism == "laplace" else f"-delta{self.budget.delta:g}"
        control = f"half_{self.statistic}" if self.control == "half_statistic" else self.control
        return f"{self.kind}-{self.mechanism}-{self.relation}-{control}{delta}"

    def params(self) -> Mapping[str, Any]:
        return self.target.params

    def data(self) -> DataSpec:
        return self.target.data(self.relation)

    def spec(self) -> Spec:
        return self.target.spec(self.relation)

    def plan(self) -> NoisePlan:
        if self.control == "wrong_relation":
            return wrong_relation_plan(self.target.parse, self.params(), self.data(),
                                       self.budget)
        plan = noise_plan(self.spec(), self.budget)
        if self.control == "half_statistic":
            return half_statistic(plan, self.statistic)
        return half_noise(plan) if self.control == "half_noise" else plan


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: AuditCase
    pair: str
    pair_epsilon: float  # what the plan really achieves on the audited pair
    result: AuditResult

    @property
    def verdict(self) -> str:
        """pass / caught for the expected outcomes; VIOLATION / missed otherwise."""
        bound, claimed = self.result.epsilon_lower, self.case.budget.epsilon
        if self.case.control == "none":
            return "pass" if bound <= claimed else "VIOLATION"
        return "caught" if bound > claimed else "missed"

    @property
    def as_expected(self) -> bool:
        bound = self.result.epsilon_lower
        if self.case.expect == "within_claim":
            return bound <= self.case.budget.epsilon
        if self.case.expect == "caught":
            return bound > self.case.budget.epsilon
        if self.case.expect == "caught_if_powered" and self.pair_epsilon >= POWERED_EPSILON:
            return bound > self.case.budget.epsilon
        return bound <= self.pair_epsilon * (1 + 1e-9)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.case.name, "kind": self.case.kind,
                "mechanism": self.case.mechanism, "relation": self.case.relation,
                "control": self.case.control, "statistic": self.case.statistic,
                "expect": self.case.expect, "pair": self.pair,
                "pair_epsilon": self.pair_epsilon, "verdict": self.verdict,
                "as_expected": self.as_expected, **self.result.to_dict()}


def run_case(case: AuditCase, *, seed: int = AUDIT_SEED,
             alpha: float = DEFAULT_ALPHA) -> CaseResult:
    """Build the case's structure on its worst-case pair ``case.trials`` times each."""
    spec, plan = case.spec(), case.plan()
    pair = case.target.pair(spec, seed, plan)
    exact_a = exact_statistics(spec, seed, pair.rows_a)
    exact_b = exact_statistics(spec, seed, pair.rows_b)
    result = audit_plan(plan, exact_a, exact_b, trials=case.trials, claimed=case.budget,
                        alpha=alpha)
    return CaseResult(case, pair.description,
                      pair_epsilon(plan, exact_a, exact_b, case.budget.delta), result)


def summarise(results: Sequence[CaseResult]) -> dict[str, int]:
    """Counts of verdicts, for the report."""
    out: dict[str, int] = {}
    for r in results:
        out[r.verdict] = out.get(r.verdict, 0) + 1
    return out
