"""How the statistical audit exercises ``vmf_kde``: read through ``KindDef.audit`` by the
suites in core/kinds/audit_suite.py (the statistics: core/privacy).

The builder normalises every row, so the random-feature kinds' worst-case rows (the
shortest row at chosen feature angles, core/kinds/audit_features.py) would lose their
angles on the way in. Here the worst rows are unit rows at those angles: the
minimum-norm solution x0 of A x = targets (mod 2 pi), with ||x0|| <= 1, plus
sqrt(1 - ||x0||^2) times a unit vector of A's null space (so at most dim - 1
frequencies are solved at once), shrunk a hair inside the unit ball so that clipping
leaves it alone (the builder scales it back to norm 1)."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.errors import InvalidParameter
from core.kinds.audit_features import feature_candidates, feature_maps, frequency_groups
from core.kinds.registry import AuditDef
from core.privacy.audit import BACKGROUND_ROWS, NeighbourPair
from core.privacy.mechanisms import Mechanism, NoisePlan
from core.privacy.sensitivity_search import CandidatePool, SearchEffort, Suprema
from core.structures.base import Builder, Spec

__all__ = ["AUDIT", "sphere_candidates", "sphere_pair", "unit_row_at_angles"]

_INSIDE = 1.0 - 1e-9  # the unit rows, shrunk strictly inside the unit ball


def params(mechanism: Mechanism) -> dict[str, Any]:
    """The smallest structure worth auditing: one frequency (features = 2: its cos and
    sin) in two dimensions, concentrated enough (kappa = 200, sigma = 0.1) that the
    frequency is longer than pi at the audit seed, so unit rows reach every angle."""
    return {"kappa": 200.0, "features": 2, "mechanism": mechanism}


# the sensitivity search's larger setting: more frequencies than the rank of the
# projected frequency matrix
SEARCH_PARAMS = {"kappa": 200.0, "features": 16, "projection_dim": 4}

# the privacy-map check's larger setting: sizes as a user would ask for them
MAP_PARAMS = {"kappa": 8.0, "features": 512, "projection_dim": 4}


def unit_row_at_angles(A: NDArray[np.float64], targets: NDArray[np.float64],
                       shifts: NDArray[np.float64] | None = None
                       ) -> NDArray[np.float64] | None:
    """A row x with ||x|| = 1 (times ``_INSIDE``) and A x = targets (mod 2 pi), or None
    where no shift of the targets by 2 pi k (k in ``shifts``, default {-2..2}^F) has a
    solution inside the unit ball, or A has no null space left to reach the sphere."""
    frequencies, dim = A.shape
    if frequencies >= dim:
        return None
    if shifts is None:
        shifts = np.array(list(itertools.product(range(-2, 3), repeat=frequencies)),
                          dtype=np.float64)
    wanted = targets[None, :] + 2 * math.pi * shifts
    solutions = wanted @ np.linalg.pinv(A).T  # minimum-norm solutions
    norms = np.linalg.norm(solutions, axis=1)
    inside = np.flatnonzero(norms <= 1.0)
    if inside.size == 0:
        return None
    best = int(inside[np.argmin(norms[inside])])
    _, singular, vt = np.linalg.svd(A)
    rank = int(np.sum(singular > singular[0] * 1e-12)) if singular.size else 0
    if rank >= dim:
        return None
    null = vt[rank]
    row = (solutions[best] + math.sqrt(max(1.0 - norms[best] ** 2, 0.0)) * null) * _INSIDE
    unit = row / np.linalg.norm(row)
    if not np.allclose(A @ unit, wanted[best], rtol=0.0, atol=1e-8):
        return None
    return np.asarray(row[None, :], dtype=np.float64)


def sphere_pair(spec: Spec, seed: int, plan: NoisePlan) -> NeighbourPair:
    """Neighbours that attain the feature sums' sensitivities on the sphere: a unit row
    at angle pi/4 for every frequency (|cos| + |sin| = sqrt 2 each), added to
    ``BACKGROUND_ROWS`` centre rows (normalised to e_1: any rows both datasets share
    will do), or replaced by a unit row at pi/4 - pi (the negated features)."""
    maps = feature_maps(spec.builder(seed))
    if not maps:
        raise InvalidParameter("kind", f"{spec.kind} has no feature maps")
    fmap = maps[0]
    A = fmap.frequencies if fmap.projection is None else fmap.frequencies @ fmap.projection
    data = spec.data
    quarter = np.full(A.shape[0], math.pi / 4)
    worst = unit_row_at_angles(A, quarter)
    other = unit_row_at_angles(A, quarter - math.pi)
    if worst is None or other is None:
        raise InvalidParameter("kappa", "too small for the worst-case rows at this seed "
                               "(the frequencies must be longer than pi and fewer than "
                               "dim)")
    if data.domain.outside(worst).any() or data.domain.outside(other).any():
        raise InvalidParameter("domain", "must hold the unit sphere for the worst-case rows")
    background = np.tile(data.domain.center(data.dim), (BACKGROUND_ROWS, 1))
    rows_a = np.vstack([background, worst])
    if data.neighbouring == "add_remove":
        return NeighbourPair("add_remove", rows_a, background,
                             f"{BACKGROUND_ROWS} centre rows + unit row at angle pi/4 "
                             "/ without it")
    return NeighbourPair("replace_one", rows_a, np.vstack([background, other]),
                         f"{BACKGROUND_ROWS} centre rows + unit row at angle pi/4 / at "
                         "-3pi/4")


def sphere_candidates(pool: CandidatePool, spec: Spec, builder: Builder,
                      rng: np.random.Generator, effort: SearchEffort) -> Suprema:
    """The random-feature kinds' candidates (``feature_candidates``: rows at chosen
    angles before normalisation), and unit rows at the extreme angles
    pi/4 + k pi/2 (and their replacements, pi less) of random subsets of at most
    dim - 1 frequencies of every group. No exact suprema."""
    feature_candidates(pool, spec, builder, rng, effort)
    dim = spec.data.dim
    for group, A, _, _ in frequency_groups(builder):
        count = A.shape[0]
        size = min(count, dim - 1, 4)  # 5^size shifts per solve
        if size == 0:
            continue
        for index in range(effort.angle_subsets):
            subset = np.sort(rng.choice(count, size=size, replace=False))
            target = math.pi / 4 + math.pi / 2 * rng.integers(0, 4, size)
            if index == 0:
                target = np.full(size, math.pi / 4)
            found = [pool.add(row, f"unit row at extreme angles ({index}) of {size} of "
                              f"{count} frequencies of {group}{shifted}")
                     for shifted, row in (("", unit_row_at_angles(A[subset], target)),
                                          (" - pi", unit_row_at_angles(
                                              A[subset], target - math.pi)))
                     if row is not None]
            if len(found) == 2:
                pool.pair(found[0], found[1])
    return {}


AUDIT = AuditDef(params, sphere_pair, dim=2, search_params=SEARCH_PARAMS,
                 map_params=MAP_PARAMS, search_candidates=sphere_candidates)
