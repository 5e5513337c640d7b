"""The audit's knowledge of the random-feature kinds (gaussian_kde, exponential_kde,
laplace_kde, rff_baseline, cauchy_kde), which their audit declarations
(core/kinds/<kind>/audit.py) name: the worst-case neighbours (``feature_pair``) and the
sensitivity search's candidate rows (``feature_candidates``), both solving for rows at
chosen feature angles of the builder's public feature maps.

Random features are bounded whatever the row, so the worst row is a feature angle, not
a boundary. The statistics themselves (privacy loss, bounds, the search routine) are in
core/privacy and know no kind.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from core.domain import Domain
from core.errors import InvalidParameter
from core.privacy.audit import BACKGROUND_ROWS, NeighbourPair
from core.privacy.mechanisms import NoisePlan
from core.privacy.sensitivity_search import CandidatePool, SearchEffort, Suprema, angle_rows
from core.structures.base import Builder, Spec

__all__ = ["KDE_BANDWIDTH", "feature_candidates", "feature_maps", "feature_pair",
           "frequency_groups"]

KDE_BANDWIDTH = 0.25  # small enough that the worst-case feature angles lie in the ball


class _FeatureMap(Protocol):
    """What the audit reads of a public feature map."""

    @property
    def style(self) -> str: ...

    @property
    def frequencies(self) -> NDArray[np.float64]: ...

    @property
    def phases(self) -> NDArray[np.float64] | None: ...

    @property
    def projection(self) -> NDArray[np.float64] | None: ...


def feature_maps(builder: object) -> list[_FeatureMap]:
    """The public feature maps of a random-feature builder (one per term of a sum of
    kernels), or none for other kinds."""
    maps = getattr(builder, "feature_maps", None)
    return list(maps) if maps else []


# --- worst-case neighbours ------------------------------------------------------------

def feature_pair(spec: Spec, seed: int, plan: NoisePlan) -> NeighbourPair:
    """A pair of neighbours that attains the feature sums' sensitivities, with
    ``BACKGROUND_ROWS`` centre rows in both datasets. Under add/remove B lacks A's last
    row; under replace-one B has another row in its place.

    Paired features [cos t, sin t] per frequency: angle pi/4 gives |cos| + |sin| =
    sqrt 2 (the L1 bound; the L2 norm is 1 at any angle), and the replacement at
    pi/4 - pi negates the feature vector. Phased features sqrt 2 cos(t + b): t + b = 0
    gives sqrt 2, the replacement t + b = pi gives -sqrt 2. With several maps (a sum of
    kernels), one row solves every map's angles at once. Rows solving every
    frequency's angle at once need dim >= frequencies."""
    maps = feature_maps(spec.builder(seed))
    if not maps:
        raise InvalidParameter("kind", f"{spec.kind} has no feature maps")
    return _feature_pair(spec, maps)


def _feature_pair(spec: Spec, maps: Sequence[_FeatureMap]) -> NeighbourPair:
    data = spec.data
    if len({m.style for m in maps}) != 1:
        raise InvalidParameter("features", "feature maps of different styles")
    fmap = maps[0]
    A = np.vstack([m.frequencies if m.projection is None else m.frequencies @ m.projection
                   for m in maps])
    phases = np.concatenate([np.zeros(m.frequencies.shape[0]) if m.phases is None
                             else m.phases for m in maps])
    if fmap.style == "paired":
        angle_a, angle_b, names = math.pi / 4, math.pi / 4 - math.pi, ("pi/4", "-3pi/4")
    else:
        angle_a, angle_b, names = 0.0, math.pi, ("0", "pi")
    worst = _row_at_angles(A, angle_a - phases, data.domain)
    background = np.tile(data.domain.center(data.dim), (BACKGROUND_ROWS, 1))
    rows_a = np.vstack([background, worst])
    what = "angle" if fmap.style == "paired" else "angle + phase"
    if data.neighbouring == "add_remove":
        return NeighbourPair("add_remove", rows_a, background,
                             f"{BACKGROUND_ROWS} centre rows + row at {what} {names[0]} "
                             "/ without it")
    other = _row_at_angles(A, angle_b - phases, data.domain)
    return NeighbourPair("replace_one", rows_a, np.vstack([background, other]),
                         f"{BACKGROUND_ROWS} centre rows + row at {what} {names[0]} "
                         f"/ at {names[1]}")


def _row_at_angles(A: NDArray[np.float64], targets: NDArray[np.float64],
                   domain: Domain) -> NDArray[np.float64]:
    """The shortest x with A x = targets (mod 2 pi), among shifts by small multiples of
    2 pi, checked to solve the equations and to lie in the domain; shape (1, dim)."""
    frequencies, dim = A.shape
    if frequencies > dim:
        raise InvalidParameter("features", "too many frequencies for the worst-case rows; "
                               "audit with at most dim frequencies")
    shifts = np.stack(np.meshgrid(*([np.arange(-2, 3)] * frequencies)), axis=-1)
    wanted = targets + 2 * math.pi * shifts.reshape(-1, frequencies)  # (choices, freqs)
    candidates = wanted @ np.linalg.pinv(A).T  # minimum-norm solutions, (choices, dim)
    best = int(np.argmin(np.linalg.norm(candidates, axis=1)))
    row = candidates[best][None, :]
    if not np.allclose(row @ A.T, wanted[best], rtol=0.0, atol=1e-9):
        raise InvalidParameter("features", "frequencies are not independent at this seed")
    if bool(domain.outside(row)[0]):
        raise InvalidParameter("bandwidth", "too large: the worst-case rows leave the domain "
                               "at this seed (use a smaller bandwidth)")
    return np.asarray(row, dtype=np.float64)


# --- the sensitivity search's candidates ----------------------------------------------

def frequency_groups(builder: object) -> list[tuple[str, NDArray[np.float64],
                                                    NDArray[np.float64], str]]:
    """(name, A, offsets, style) per feature map, and for a sum of kernels every map
    at once: A (frequencies, d) maps a row x to the angles A x + offsets of its features
    (the JL projection folded in: A = W P); offsets are the phases (phased style)."""
    maps = feature_maps(builder)
    groups: list[tuple[str, NDArray[np.float64], NDArray[np.float64], str]] = []
    for index, fmap in enumerate(maps):
        A = fmap.frequencies if fmap.projection is None else fmap.frequencies @ fmap.projection
        offsets = (np.zeros(A.shape[0]) if fmap.phases is None
                   else np.asarray(fmap.phases, dtype=np.float64))
        name = "the features" if len(maps) == 1 else f"term {index}"
        groups.append((name, np.asarray(A, dtype=np.float64), offsets, fmap.style))
    if len(maps) > 1:
        groups.append(("every term at once", np.vstack([g[1] for g in groups]),
                       np.concatenate([g[2] for g in groups]), maps[0].style))
    return groups


def feature_candidates(pool: CandidatePool, spec: Spec, builder: Builder,
                       rng: np.random.Generator, effort: SearchEffort) -> Suprema:
    """Rows solving the feature angles (``angle_rows``) per feature map, and for every
    map of a sum of kernels at once, on random subsets of the frequencies where there
    are more than the rank of the (projected) frequency matrix. No exact suprema."""
    for group, A, offsets, style in frequency_groups(builder):
        angle_rows(pool, spec.data, group, A, offsets, style, rng, effort)
    return {}
