"""Layer 1 of the privacy audit: an adversarial search for the largest change of every
released statistic between neighbouring datasets, next to its claimed sensitivity.

Every statistic a structure releases is a sum over rows of a per-row contribution f(x)
of the clipped row (``Builder.accumulate``). Between neighbours a statistic therefore
moves by f(x) (add/remove one row) or by f(x) - f(x') (replace one row), so its true
L1 and L2 sensitivities are sup_x ||f(x)|| and sup_{x, x'} ||f(x) - f(x')|| over every
finite row (rows outside the domain are clipped into it by the build; NaN and infinite
rows are refused at ingest). This module looks for those suprema from below, through the
real code path (``domain.clip`` then ``builder.accumulate`` of the spec at a fixed
public seed), and compares them with the claims (``Spec.statistics()``):

- candidates (``search_sensitivity``): the domain centre; boundary rows (ball: axis
  directions, +-(1, ..., 1)/sqrt(d), random directions; box: every corner and face
  centre); rows far outside the domain (clipped), denormal and tiny values, -0.0, the
  centre nudged by one ulp; random rows; the kind's own candidates
  (``CandidateRows``, named in its audit declaration, core/kinds/<kind>/audit.py):
  rows solving the feature angles of the random-feature kinds (``angle_rows`` here),
  rows on the grid cell edges of the dyadic trees, rows on the sign split or the
  edges of a projection's embedded coordinates, with the exact suprema where they are
  known; and every row's mirror image through the centre (so antipodal pairs are
  candidates);
- the best single row (add/remove) or ordered pair of candidates (replace-one, every
  pair) per statistic and norm, then a local refinement (random perturbations of the
  row or of either row of the pair, halving the step when none improves) wherever the
  best is below the claim;
- the winning pair is rebuilt as two neighbouring datasets (a few random background
  rows, with and without the row or with the replacement) through
  ``core.privacy.audit.exact_statistics``, so a statistic that were not additive over
  rows would show there;
- checks (``check_claims``): found <= claimed * (1 + 1e-9) for every statistic and
  norm, else the claim is wrong: a privacy bug;
- negative controls (``run_controls``): the same check against a claim with ONE
  statistic's sensitivities halved must fail ("caught"), which needs the search to
  find more than half of every claimed sensitivity. Where no pair can (a sensitivity
  of 0, nothing to halve; a statistic whose bound holds for every draw of some public
  randomness while one draw's rows reach less, as the kind's candidates compute
  exactly, e.g. ``l2_distance``'s sums), the control reports that reason instead;
- settings (``SearchSetting``): one searched structure. The suite (the black-box
  audit's settings and a larger one per kind) is built from the kind registry in
  core/kinds/audit_suite.py. This module knows no kind.

The search is deterministic given its public seed. It proves nothing: a claim it
cannot contradict may still be wrong for rows it did not try. Results and method:
docs/privacy/audit.md ("Layer 1").
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import distance  # type: ignore[import-untyped]

from core._array import to_host
from core.domain import Box, Domain, L2Ball, Neighbouring
from core.errors import InvalidParameter
from core.privacy.audit import AUDIT_SEED, Parse, exact_statistics
from core.privacy.mechanisms import Mechanism, Statistic
from core.structures.base import Builder, DataSpec, Spec

__all__ = [
    "FAST", "NORMS", "RELATIONS", "REL_TOL", "THOROUGH", "CandidatePool", "CandidateRows",
    "ControlOutcome", "Finding", "Norm", "NormCheck", "SearchEffort", "SearchReport",
    "SearchResult", "SearchSetting", "StatisticSearch", "Suprema", "angle_rows",
    "check_claims", "halve_claim", "random_rows", "run_controls", "run_search",
    "search_sensitivity",
]

Norm = Literal["l1", "l2"]
NORMS: tuple[Norm, ...] = ("l1", "l2")
RELATIONS: tuple[Neighbouring, ...] = ("add_remove", "replace_one")
REL_TOL = 1e-9  # found <= claimed * (1 + REL_TOL): float sums may overshoot by an ulp
_ATTAINED = 1e-6  # a best value this close to the claim is not refined any further
_MAX_CORNER_DIM = 10  # every box corner up to this dim; random corners beyond
_MAX_PAIRWISE = 1_000  # replace-one: all pairs among at most this many candidates
_BACKGROUND_ROWS = 3  # random rows shared by both datasets of the confirmed pair
_HUGE = float(np.finfo(np.float64).max)
_DENORMAL = float(np.nextafter(0.0, 1.0))  # 5e-324, the smallest positive float


# --- settings and effort --------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SearchEffort:
    """How hard the search tries: random candidates, angle subsets and target vectors
    per frequency group, tree rows per subset, and local refinement rounds and
    proposals per round."""

    random_rows: int
    random_directions: int
    angle_subsets: int
    angle_targets: int
    refine_rounds: int
    refine_proposals: int


FAST = SearchEffort(random_rows=24, random_directions=16, angle_subsets=12, angle_targets=6,
                    refine_rounds=40, refine_proposals=8)
THOROUGH = SearchEffort(random_rows=240, random_directions=160, angle_subsets=40,
                        angle_targets=20, refine_rounds=400, refine_proposals=8)


# A kind's own candidate rows: ``rows(pool, spec, builder, rng, effort)`` adds them to
# the pool (the builder at the search's public seed) and returns the exact suprema of
# the change of any statistic it can compute, by name: (L1, L2) under the spec's
# neighbouring relation (``StatisticSearch.supremum_l1``, ``supremum_l2``).
Suprema = Mapping[str, tuple[float, float]]
CandidateRows = Callable[["CandidatePool", Spec, Builder, np.random.Generator,
                          SearchEffort], Suprema]


@dataclass(frozen=True, slots=True)
class SearchSetting:
    """One searched structure: kind, mechanism, relation and a named parameter set;
    ``parse(params, data)`` makes its spec, ``candidates`` adds the kind's own
    candidate rows (none: the generic ones only)."""

    kind: str
    mechanism: Mechanism
    relation: Neighbouring
    size: Literal["audit", "large"]
    dim: int
    domain: Domain
    params: Mapping[str, Any] = field(hash=False)
    parse: Parse
    candidates: CandidateRows | None = None

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.mechanism}-{self.relation}-{self.size}"

    def data(self) -> DataSpec:
        return DataSpec(self.dim, self.domain, self.relation)

    def spec(self) -> Spec:
        return self.parse(self.params, self.data())

    def describe(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in self.params.items() if k != "mechanism")
        return f"dim {self.dim}, {_describe_domain(self.domain)}" + (
            f", {params}" if params else "")


# --- results --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Finding:
    """The largest change of one statistic in one norm that the search found: on
    single-row contributions, the same pair recomputed on two neighbouring datasets,
    and the pair in words."""

    value: float
    on_datasets: float
    pair: str

    @property
    def largest(self) -> float:
        return max(self.value, self.on_datasets)


@dataclass(frozen=True, slots=True)
class StatisticSearch:
    """What the search found for one statistic, in both norms. ``supremum_*``: the
    exact supremum over rows, where it is known to lie below the claim and can be
    computed (``projection_supremum``); None elsewhere."""

    statistic: str
    size: int
    l1: Finding
    l2: Finding
    supremum_l1: float | None = None
    supremum_l2: float | None = None

    def finding(self, norm: Norm) -> Finding:
        return self.l1 if norm == "l1" else self.l2

    def supremum(self, norm: Norm) -> float | None:
        return self.supremum_l1 if norm == "l1" else self.supremum_l2


@dataclass(frozen=True, slots=True)
class SearchResult:
    relation: Neighbouring
    seed: int
    candidates: int  # distinct candidate rows
    evaluations: int  # rows whose contributions were computed (candidates + refinement)
    statistics: tuple[StatisticSearch, ...]

    def of(self, name: str) -> StatisticSearch:
        for s in self.statistics:
            if s.statistic == name:
                return s
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class NormCheck:
    """One statistic in one norm: claimed against found."""

    statistic: str
    norm: Norm
    claimed: float
    found: float
    pair: str

    @property
    def within_claim(self) -> bool:
        return self.found <= self.claimed * (1 + REL_TOL)

    @property
    def tightness(self) -> float | None:
        """found / claimed; None for a claim of 0 (then found must be 0 too)."""
        return self.found / self.claimed if self.claimed > 0 else None

    def to_dict(self) -> dict[str, Any]:
        return {"statistic": self.statistic, "norm": self.norm, "claimed": self.claimed,
                "found": self.found, "tightness": self.tightness,
                "within_claim": self.within_claim, "pair": self.pair}


@dataclass(frozen=True, slots=True)
class ControlOutcome:
    """The check against a claim with one statistic's sensitivities halved, read in one
    norm. ``expected``: caught, or not catchable for the stated ``reason`` (which is
    then verified: a sensitivity of 0 that no pair moved, or a computed supremum below
    half the claim that the search reached)."""

    statistic: str
    norm: Norm
    halved_claim: float
    found: float
    caught: bool
    expected: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"statistic": self.statistic, "norm": self.norm,
                "halved_claim": self.halved_claim, "found": self.found,
                "caught": self.caught, "expected": self.expected, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class SearchReport:
    setting: SearchSetting
    result: SearchResult
    checks: tuple[NormCheck, ...]
    controls: tuple[ControlOutcome, ...]
    seconds: float

    @property
    def within_claims(self) -> bool:
        return all(c.within_claim for c in self.checks)

    @property
    def controls_as_expected(self) -> bool:
        return all(c.expected for c in self.controls)

    @property
    def as_expected(self) -> bool:
        return self.within_claims and self.controls_as_expected

    def to_dict(self) -> dict[str, Any]:
        s = self.setting
        return {"name": s.name, "kind": s.kind, "mechanism": s.mechanism,
                "relation": s.relation, "setting": s.size, "description": s.describe(),
                "candidates": self.result.candidates,
                "evaluations": self.result.evaluations,
                "checks": [c.to_dict() for c in self.checks],
                "suprema": [{"statistic": f.statistic, "l1": f.supremum_l1,
                             "l2": f.supremum_l2} for f in self.result.statistics
                            if f.supremum_l1 is not None or f.supremum_l2 is not None],
                "controls": [c.to_dict() for c in self.controls],
                "within_claims": self.within_claims,
                "controls_as_expected": self.controls_as_expected,
                "as_expected": self.as_expected, "seconds": self.seconds}


# --- claims and controls --------------------------------------------------------------

def check_claims(result: SearchResult, claims: Sequence[Statistic]) -> list[NormCheck]:
    """found against claimed for every claimed statistic and norm. A statistic the
    search did not see is an error (the claims and the builder disagree)."""
    checks: list[NormCheck] = []
    for claim in claims:
        found = result.of(claim.name)
        for norm in NORMS:
            claimed = claim.l1_sensitivity if norm == "l1" else claim.l2_sensitivity
            f = found.finding(norm)
            checks.append(NormCheck(claim.name, norm, claimed, f.largest, f.pair))
    return checks


def halve_claim(claims: Sequence[Statistic], name: str) -> list[Statistic]:
    """The claims with statistic ``name``'s L1 and L2 sensitivities halved: a plan
    calibrated with them would add half the noise that statistic needs."""
    if name not in {c.name for c in claims}:
        raise InvalidParameter("statistic", f"no statistic {name!r} to halve")
    return [replace(c, l1_sensitivity=c.l1_sensitivity / 2,
                    l2_sensitivity=c.l2_sensitivity / 2) if c.name == name else c
            for c in claims]


def run_controls(result: SearchResult, claims: Sequence[Statistic]) -> list[ControlOutcome]:
    """For every statistic: check the search against the claims with that statistic's
    sensitivities halved (``halve_claim``) and read whether it was caught, per norm."""
    outcomes: list[ControlOutcome] = []
    for claim in claims:
        failed = {(c.statistic, c.norm): c
                  for c in check_claims(result, halve_claim(claims, claim.name))
                  if not c.within_claim}
        found = result.of(claim.name)
        for norm in NORMS:
            halved = (claim.l1_sensitivity if norm == "l1" else claim.l2_sensitivity) / 2
            value = found.finding(norm).largest
            caught = (claim.name, norm) in failed
            expected, reason = caught, ""
            supremum = found.supremum(norm)
            if not caught and halved == 0:
                expected = value == 0
                reason = ("sensitivity 0 (released exactly): nothing to halve; no pair "
                          "moved it" if expected else "sensitivity 0 but a pair moved it")
            elif not caught and supremum is not None:
                reached = value >= supremum * (1 - 1e-6)
                expected = supremum <= halved * (1 + REL_TOL) and reached
                reason = (f"no pair can exceed half the bound: the exact supremum over "
                          f"rows of this projection is {supremum / (2 * halved):.3f} of "
                          f"it (the bound holds for every draw of the projection)"
                          + ("" if reached else "; the search did not reach it"))
            elif not caught:
                reason = (f"search too weak: found {value / (2 * halved):.3f} of the "
                          "claim, not above half")
            outcomes.append(ControlOutcome(claim.name, norm, halved, value, caught,
                                           expected, reason))
    return outcomes


def run_search(setting: SearchSetting, *, seed: int = AUDIT_SEED,
               effort: SearchEffort = FAST) -> SearchReport:
    """Search one setting and check its claims and controls."""
    began = time.perf_counter()
    spec = setting.spec()
    result = search_sensitivity(spec, seed, effort, setting.candidates)
    claims = spec.statistics()
    return SearchReport(setting, result, tuple(check_claims(result, claims)),
                        tuple(run_controls(result, claims)), time.perf_counter() - began)


# --- the search -----------------------------------------------------------------------

def search_sensitivity(spec: Spec, seed: int, effort: SearchEffort = FAST,
                       candidates: CandidateRows | None = None) -> SearchResult:
    """The largest change of every statistic of ``spec`` (public randomness from
    ``seed``) between neighbours under ``spec.data.neighbouring``, per norm, over the
    generic candidate rows and the kind's own (``candidates``)."""
    data = spec.data
    rng = np.random.Generator(np.random.PCG64(seed))
    builder = spec.builder(seed)
    pool = CandidatePool(data.dim)
    _generic_rows(pool, data, rng, effort)
    suprema: Suprema = {}
    if candidates is not None:
        suprema = candidates(pool, spec, builder, rng, effort)
    pool.mirror(data.domain.center(data.dim))
    rows, labels, pairs = pool.distinct()
    evaluate = _Evaluator(spec, builder)
    contributions = evaluate(rows)
    background = random_rows(data.domain, data.dim, _BACKGROUND_ROWS, rng)
    found: list[StatisticSearch] = []
    for stat in spec.statistics():
        findings: dict[Norm, Finding] = {}
        for norm in NORMS:
            claimed = stat.l1_sensitivity if norm == "l1" else stat.l2_sensitivity
            best = _best(contributions[stat.name], norm, data.neighbouring, pairs)
            x, y = rows[best.i], None if best.j is None else rows[best.j]
            pair = _pair_words(labels[best.i], None if best.j is None else labels[best.j])
            value = best.value
            if value < claimed * (1 - _ATTAINED):
                x, y, value, steps = _refine(evaluate, stat.name, norm, x, y, value,
                                             _step_scale(data), rng, effort)
                if steps:
                    pair += f", refined ({steps} accepted perturbations)"
            on_datasets = _on_datasets(spec, seed, stat.name, norm, x, y, background)
            findings[norm] = Finding(value, on_datasets, pair)
        sup1, sup2 = suprema.get(stat.name, (None, None))
        found.append(StatisticSearch(stat.name, stat.size, findings["l1"], findings["l2"],
                                     sup1, sup2))
    return SearchResult(data.neighbouring, seed, rows.shape[0], evaluate.count, tuple(found))


def random_rows(domain: Domain, dim: int, n: int,
                rng: np.random.Generator) -> NDArray[np.float64]:
    """n rows uniform in the domain (ball: uniform direction, radius r U^(1/d))."""
    if isinstance(domain, L2Ball):
        g = rng.standard_normal((n, dim))
        g /= np.maximum(np.linalg.norm(g, axis=1, keepdims=True), 1e-300)
        return np.asarray(g * (domain.radius * rng.uniform(size=(n, 1)) ** (1 / dim)))
    center, half = domain.center(dim), domain.half_widths(dim)
    return np.asarray(center + half * rng.uniform(-1.0, 1.0, size=(n, dim)))


class CandidatePool:
    """Candidate rows (before clipping) with a description each, and the pairs that
    belong together (a row and its mirror image; a row at some angles and its
    replacement at the opposite ones)."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.rows: list[NDArray[np.float64]] = []
        self.labels: list[str] = []
        self.pairs: list[tuple[int, int]] = []

    def add(self, row: NDArray[np.float64], label: str) -> int | None:
        """Add a row; its index, or None for a non-finite one (refused at ingest)."""
        arr = np.asarray(row, dtype=np.float64).reshape(self.dim)
        if not np.all(np.isfinite(arr)):
            return None
        self.rows.append(arr)
        self.labels.append(label)
        return len(self.rows) - 1

    def pair(self, first: int | None, second: int | None) -> None:
        if first is not None and second is not None:
            self.pairs.append((first, second))

    def mirror(self, center: NDArray[np.float64]) -> None:
        """Add every row's mirror image 2c - x (antipodal pairs for replace-one)."""
        with np.errstate(over="ignore"):
            for index, (row, label) in enumerate(list(zip(self.rows, self.labels,
                                                          strict=True))):
                self.pair(index, self.add(2 * center - row, f"mirror of ({label})"))

    def distinct(self) -> tuple[NDArray[np.float64], list[str], NDArray[np.int64]]:
        """The rows without bit-identical repeats (-0.0 and 0.0 stay apart; the first
        label is kept) and the pairs as (p, 2) indices into them."""
        rows = np.ascontiguousarray(np.vstack(self.rows))
        keys = rows.view(np.dtype((np.void, rows.dtype.itemsize * self.dim))).ravel()
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        order = np.argsort(first)  # unique keys in order of first appearance
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        pairs = rank[inverse.ravel()][np.asarray(self.pairs, dtype=np.int64).reshape(-1, 2)]
        return rows[first[order]], [self.labels[i] for i in first[order]], pairs


class _Evaluator:
    """Per-row contributions f(x) of every statistic, by the build's own path: clip
    the row into the domain, then ``builder.accumulate`` on a chunk of that one row."""

    def __init__(self, spec: Spec, builder: Any) -> None:
        self._domain = spec.data.domain
        self._builder = builder
        self._names = [s.name for s in spec.statistics()]
        self.count = 0

    def __call__(self, rows: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
        out: dict[str, list[NDArray[np.float64]]] = {name: [] for name in self._names}
        clipped = self._domain.clip(np.asarray(rows, dtype=np.float64))
        for row in clipped:
            sums = self._builder.accumulate(row[None, :])
            for name in self._names:
                out[name].append(to_host(sums[name]).ravel())
        self.count += rows.shape[0]
        return {name: np.vstack(values) for name, values in out.items()}


@dataclass(frozen=True, slots=True)
class _Best:
    value: float
    i: int
    j: int | None  # the replacement's index under replace-one


def _norm(diff: NDArray[np.float64], norm: Norm) -> NDArray[np.float64]:
    """Row-wise L1 or L2 norms of a (n, size) array."""
    if norm == "l1":
        return np.asarray(np.sum(np.abs(diff), axis=1))
    return np.asarray(np.linalg.norm(diff, axis=1))


def _best(F: NDArray[np.float64], norm: Norm, relation: Neighbouring,
          pairs: NDArray[np.int64]) -> _Best:
    """The best single row (add/remove), or ordered pair (replace-one): every pair of
    candidates, or of the ``_MAX_PAIRWISE`` whose contributions lie farthest from the
    mean where there are more, and every pair the pool marked as belonging together."""
    if relation == "add_remove":
        values = _norm(F, norm)
        i = int(np.argmax(values))
        return _Best(float(values[i]), i, None)
    metric = "cityblock" if norm == "l1" else "euclidean"
    keep = np.arange(F.shape[0])
    if keep.size > _MAX_PAIRWISE:
        spread = _norm(F - np.mean(F, axis=0), norm)
        keep = np.sort(np.argsort(spread)[::-1][:_MAX_PAIRWISE])
    D = distance.cdist(F[keep], F[keep], metric)
    a, b = np.unravel_index(int(np.argmax(D)), D.shape)
    i, j = int(keep[a]), int(keep[b])
    if pairs.size:
        marked = _norm(F[pairs[:, 0]] - F[pairs[:, 1]], norm)
        k = int(np.argmax(marked))
        if marked[k] > D[a, b]:
            i, j = int(pairs[k, 0]), int(pairs[k, 1])
    value = float(_norm((F[i] - F[j])[None, :], norm)[0])  # recomputed as the checks do
    return _Best(value, i, j)


def _step_scale(data: DataSpec) -> NDArray[np.float64]:
    """Per-coordinate scale of the refinement's perturbations: the box's half-widths,
    or the ball's radius spread over the coordinates."""
    if isinstance(data.domain, Box):
        return np.asarray(data.domain.half_widths(data.dim), dtype=np.float64)
    return np.full(data.dim, data.domain.radius / math.sqrt(data.dim))


def _refine(evaluate: _Evaluator, name: str, norm: Norm, x: NDArray[np.float64],
            y: NDArray[np.float64] | None, value: float, scale: NDArray[np.float64],
            rng: np.random.Generator, effort: SearchEffort,
            ) -> tuple[NDArray[np.float64], NDArray[np.float64] | None, float, int]:
    """Random local search from (x, y): each round perturbs the row (or one or both
    rows of the pair) ``refine_proposals`` times by Gaussian steps of ``step * scale``,
    keeps the best proposal if it improves, and halves the step when none does."""
    step, accepted, proposals = 0.25, 0, effort.refine_proposals
    for _ in range(effort.refine_rounds):
        if step < 1e-6:
            break
        xs = x + rng.standard_normal((proposals, x.size)) * scale * step
        ys: NDArray[np.float64] | None = None
        if y is None:
            values = _norm(evaluate(xs)[name], norm)
        else:
            which = rng.integers(0, 3, proposals)  # 0: move x, 1: move y, 2: both
            ys = y + rng.standard_normal((proposals, y.size)) * scale * step
            xs = np.where((which == 1)[:, None], x, xs)
            ys = np.where((which == 0)[:, None], y, ys)
            both = evaluate(np.vstack([xs, ys]))[name]
            values = _norm(both[:proposals] - both[proposals:], norm)
        k = int(np.argmax(values))
        if values[k] > value:
            value, x, accepted = float(values[k]), xs[k], accepted + 1
            y = None if ys is None else ys[k]
        else:
            step /= 2
    return x, y, value, accepted


def _on_datasets(spec: Spec, seed: int, name: str, norm: Norm, x: NDArray[np.float64],
                 y: NDArray[np.float64] | None, background: NDArray[np.float64]) -> float:
    """The pair as two neighbouring datasets (background + x against background, or
    against background + y) through ``exact_statistics``: the change of ``name``."""
    rows_a = np.vstack([background, x[None, :]])
    rows_b = background if y is None else np.vstack([background, y[None, :]])
    a = exact_statistics(spec, seed, rows_a)[name].ravel()
    b = exact_statistics(spec, seed, rows_b)[name].ravel()
    return float(_norm((a - b)[None, :], norm)[0])


def _pair_words(first: str, second: str | None) -> str:
    if second is None:
        return f"{first}, added or removed"
    return f"{first}, replaced by {second}"


# --- candidates: every kind -----------------------------------------------------------

def _describe_domain(domain: Domain) -> str:
    if isinstance(domain, L2Ball):
        return f"l2 ball of radius {domain.radius:g}"
    return "box " + " x ".join(f"[{lo:g}, {hi:g}]" for lo, hi in zip(domain.low, domain.high,
                                                                     strict=True))


def _generic_rows(pool: CandidatePool, data: DataSpec, rng: np.random.Generator,
                  effort: SearchEffort) -> None:
    """Centre, boundary, far outside, tiny and denormal values, random rows."""
    d, domain = data.dim, data.domain
    c = domain.center(d)
    eye = np.eye(d)
    diagonal = np.ones(d) / math.sqrt(d)
    pool.add(c, "the domain centre")
    if isinstance(domain, L2Ball):
        r = domain.radius
        for i in range(d):
            pool.add(c + r * eye[i], f"boundary along axis {i}")
        pool.add(c + r * diagonal, "boundary along (1,...,1)/sqrt(d)")
        for k in range(effort.random_directions):
            u = rng.standard_normal(d)
            pool.add(c + r * u / np.linalg.norm(u), f"boundary in random direction {k}")
    else:
        h = domain.half_widths(d)
        if d <= _MAX_CORNER_DIM:
            signs = np.array(list(itertools.product((-1.0, 1.0), repeat=d)))
        else:
            signs = rng.choice((-1.0, 1.0), size=(16 * effort.random_rows, d))
        for s in signs:
            pool.add(c + s * h, "corner (" + "".join("+" if v > 0 else "-" for v in s) + ")")
        for i in range(d):
            pool.add(c + h[i] * eye[i], f"centre of the face +{i}")
    for k, row in enumerate(random_rows(domain, d, effort.random_rows, rng)):
        pool.add(row, f"random in-domain row {k}")
    pool.add(c + 1e6 * diagonal, "far outside: centre + 1e6 (1,...,1)/sqrt(d)")
    pool.add(c + 1e300 * eye[0], "far outside: centre + 1e300 along axis 0")
    pool.add(np.full(d, _HUGE), "far outside: the largest float in every coordinate")
    pool.add(np.r_[_HUGE, -_HUGE * np.ones(d - 1)], "far outside: +-largest float")
    for k in range(4):
        pool.add(c + 1e3 * rng.standard_normal(d), f"far outside: random row {k} at 1e3")
    pool.add(np.full(d, _DENORMAL), "denormal 5e-324 in every coordinate")
    pool.add(np.full(d, 1e-310), "denormal 1e-310 in every coordinate")
    pool.add(np.full(d, -0.0), "-0.0 in every coordinate")
    pool.add(np.full(d, 1e-300), "tiny 1e-300 in every coordinate")
    pool.add(np.nextafter(c, np.inf), "centre nudged one ulp up")
    pool.add(c + _DENORMAL * eye[0], "centre + 5e-324 along axis 0")


# --- candidates: feature angles -----------------------------------------------------

def angle_rows(pool: CandidatePool, data: DataSpec, group: str, A: NDArray[np.float64],
               offsets: NDArray[np.float64], style: str, rng: np.random.Generator,
               effort: SearchEffort) -> None:
    """Rows putting random features at their extreme angles, and their replacements:
    A (frequencies, d) maps a row x to the angles A x + offsets of one ``group`` of
    features (the random-feature kinds' candidates build A from their feature maps).

    Paired features [cos t, sin t]: |cos t| + |sin t| is largest (sqrt 2) on the
    diagonals t = pi/4 + k pi/2, and t - pi negates the pair. Phased sqrt 2 cos(t):
    t in {0, pi}, and t + pi negates it. With more frequencies than the rank of A no
    row solves them all: random subsets of rank-many frequencies are solved exactly."""
    F = A.shape[0]
    rank = int(np.linalg.matrix_rank(A))
    if rank == 0:
        return
    c = data.domain.center(data.dim)
    quarter, flip = (math.pi / 2, -math.pi) if style == "paired" else (math.pi, math.pi)
    base = math.pi / 4 if style == "paired" else 0.0
    targets: list[tuple[NDArray[np.float64], str]] = [
        (np.full(F, base), "pi/4" if style == "paired" else "0")]
    targets += [(np.asarray(base + quarter * rng.integers(0, 4, F), dtype=np.float64),
                 f"random extreme angles {k}") for k in range(effort.angle_targets)]
    subsets = ([np.arange(F)] if rank >= F else
               [np.sort(rng.choice(F, size=rank, replace=False))
                for _ in range(effort.angle_subsets)])
    for subset in subsets:
        solved = f"{len(subset)} of {F} frequencies" if rank < F else "every frequency"
        for target, name in targets:
            found: list[int | None] = []
            for shift, shifted in ((0.0, ""), (flip, " - pi" if flip < 0 else " + pi")):
                row = _solve_angles(A[subset], target[subset] + shift - offsets[subset],
                                    c, rng)
                found.append(None if row is None else
                             pool.add(row, f"angles {name}{shifted} on {solved} of {group}"))
            pool.pair(*found)


def _solve_angles(A: NDArray[np.float64], targets: NDArray[np.float64],
                  center: NDArray[np.float64],
                  rng: np.random.Generator) -> NDArray[np.float64] | None:
    """A row x with A x = targets (mod 2 pi) as close to the centre as the shifts tried
    allow: x = c + pinv(A) (wrap(targets - A c) + 2 pi k), k in {-1, 0, 1}^F (or 243
    random such k for many frequencies). None if A x cannot match the targets."""
    F = A.shape[0]
    wrapped = np.mod(targets - A @ center + math.pi, 2 * math.pi) - math.pi
    if 3**F <= 243:
        shifts = np.array(list(itertools.product((-1, 0, 1), repeat=F)), dtype=np.float64)
    else:
        shifts = np.vstack([np.zeros(F), rng.integers(-1, 2, (242, F))]).astype(np.float64)
    wanted = wrapped + 2 * math.pi * shifts
    offsets = wanted @ np.linalg.pinv(A).T
    best = int(np.argmin(np.linalg.norm(offsets, axis=1)))
    if not np.allclose(A @ offsets[best], wanted[best], rtol=0.0, atol=1e-8):
        return None
    return np.asarray(center + offsets[best])
