"""The audit's knowledge of the clipped ReLU feature kinds (relu_nngp, relu_ntk), which
their audit declarations (core/kinds/relu_*/audit.py) name: the worst-case neighbours
(``relu_pair``) and the sensitivity search's candidate rows (``relu_candidates``), both
rows solving chosen sign patterns of the builder's public weights.

A row's clipped features are f(x) scaled to norm C, so what matters is the pattern of
f(x): which features are on and their relative sizes, set by W x (the NNGP part r),
V x (the gates of the tangent part p) and U x (its values), all linear in x. The
sensitivities of docs/privacy/relu_kernels.md are attained by:

- add/remove: every feature on with one magnitude, C / sqrt(M) (L1 C sqrt(M), L2 C);
- replace-one, NNGP: x with W x = +a on half the features and -a on the others, and
  -x: r(x) and r(-x) have complementary supports (L1 C sqrt(2m), L2 sqrt(2) C);
- replace-one, NTK, Laplace: the NNGP halves as above, every gate open (V x > 0) and
  U x = +-c with a / sqrt(m) = c / sqrt(m'): every nonzero coordinate has one
  magnitude and p flips sign (L1 C sqrt(2m + 4m'));
- replace-one, NTK, Gaussian: r = 0 (W x < 0), gates open, U x = +-c: f(x') = -f(x)
  (L2 2C).

Each needs dim >= the number of equations (m, or m + 2m' for the NTK) and a clip
below the feature norm of the solved rows inside the domain: the audit parameters
choose both.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from core.domain import Domain
from core.errors import InvalidParameter
from core.privacy.audit import BACKGROUND_ROWS, NeighbourPair
from core.privacy.mechanisms import NoisePlan
from core.privacy.sensitivity_search import CandidatePool, SearchEffort, Suprema
from core.structures.base import Builder, Spec
from core.structures.relu_features import ReluFeatureMap

__all__ = ["relu_candidates", "relu_map", "relu_pair", "relu_patterns"]

# a row on its ray is placed at this fraction of the domain's largest norm
_INSIDE = 0.9


def relu_map(builder: object) -> ReluFeatureMap:
    """The public weights of a ReLU feature builder."""
    fmap = getattr(builder, "feature_map", None)
    if not isinstance(fmap, ReluFeatureMap):
        raise InvalidParameter("kind", "not a ReLU feature kind")
    return fmap


def _system(fmap: ReluFeatureMap) -> NDArray[np.float64]:
    """A (m + 2m', d): the rows W, V, U whose products with x set the pattern."""
    parts = [fmap.weights]
    if fmap.tangent_gates is not None and fmap.tangent_values is not None:
        parts += [fmap.tangent_gates, fmap.tangent_values]
    return np.vstack(parts)


def relu_patterns(fmap: ReluFeatureMap, relation: str, mechanism: str,
                  half: NDArray[np.bool_] | None = None
                  ) -> tuple[NDArray[np.float64], NDArray[np.float64] | None, str]:
    """Targets g of A x for the row that attains the sensitivities under ``relation``
    and ``mechanism`` (and g' of its replacement, replace-one), with a description;
    ``half``: which NNGP features are on in the first row (default: the first half)."""
    m, mt = fmap.features, fmap.tangent_features
    if half is None:
        half = np.arange(m) < (m + 1) // 2
    a = math.sqrt(m)  # r_j = 1 and p_j = +-1 before the clip: one magnitude everywhere
    c = math.sqrt(mt) if mt else 0.0
    gates = np.ones(mt)
    if relation == "add_remove":
        return (np.concatenate([np.full(m, a), gates, np.full(mt, c)]), None,
                "every feature on, one magnitude")
    split = np.where(half, a, -a)
    if mt == 0:
        return split, -split, "half the features on / the other half"
    if mechanism == "gaussian":
        off = np.full(m, -a)
        return (np.concatenate([off, gates, np.full(mt, c)]),
                np.concatenate([off, gates, np.full(mt, -c)]),
                "ReLU features off, tangent features +c / -c")
    return (np.concatenate([split, gates, np.full(mt, c)]),
            np.concatenate([-split, gates, np.full(mt, -c)]),
            "half the ReLU features and the tangent features +c / the other half and -c")


def _solve(A: NDArray[np.float64], target: NDArray[np.float64],
           center: NDArray[np.float64]) -> NDArray[np.float64] | None:
    """The row closest to ``center`` with A x = target, or None if none solves it."""
    x = center + np.linalg.pinv(A) @ (target - A @ center)
    if not np.allclose(A @ x, target, rtol=0.0, atol=1e-9 * max(1.0, float(np.abs(target).max()))):
        return None
    return np.asarray(x, dtype=np.float64)


def _inside(domain: Domain, direction: NDArray[np.float64]) -> NDArray[np.float64]:
    """The row on the ray of ``direction`` (from the origin) at ``_INSIDE`` of the
    domain's largest norm, shrunk further until it lies in the domain."""
    dim = direction.shape[0]
    row = direction * (_INSIDE * domain.max_norm(dim) / float(np.linalg.norm(direction)))
    for _ in range(60):
        if not bool(domain.outside(row[None, :])[0]):
            return row
        row = row / 2
    raise InvalidParameter("domain", "no row on the worst-case ray lies in the domain")


def relu_pair(spec: Spec, seed: int, plan: NoisePlan) -> NeighbourPair:
    """A pair of neighbours that attains the feature sum's sensitivity in the plan's
    norm (L1 for Laplace, L2 for Gaussian) and the count's, with ``BACKGROUND_ROWS``
    centre rows in both datasets. Under add/remove B lacks A's last row; under
    replace-one B has another row in its place (see the module docstring)."""
    data = spec.data
    fmap = relu_map(spec.builder(seed))
    A = _system(fmap)
    if A.shape[0] > data.dim:
        raise InvalidParameter("features", "too many features for the worst-case rows; "
                               "audit with features + 2 tangent_features <= dim")
    first, second, words = relu_patterns(fmap, data.neighbouring, plan.mechanism)
    origin = np.zeros(data.dim)
    rows = []
    for target in (first,) if second is None else (first, second):
        direction = _solve(A, target, origin)
        if direction is None:
            raise InvalidParameter("features", "weights are not independent at this seed")
        row = _inside(data.domain, direction)
        if float(np.linalg.norm(np.asarray(fmap.transform(row[None, :])))) <= spec_clip(spec):
            raise InvalidParameter("clip", "too large for the worst-case rows: they would "
                                   "not be clipped (audit with a smaller clip)")
        rows.append(row[None, :])
    background = np.tile(data.domain.center(data.dim), (BACKGROUND_ROWS, 1))
    rows_a = np.vstack([background, rows[0]])
    if data.neighbouring == "add_remove":
        return NeighbourPair("add_remove", rows_a, background,
                             f"{BACKGROUND_ROWS} centre rows + a row with {words} / without it")
    return NeighbourPair("replace_one", rows_a, np.vstack([background, rows[1]]),
                         f"{BACKGROUND_ROWS} centre rows + rows with {words}")


def spec_clip(spec: Spec) -> float:
    """The clip C of a ReLU feature spec."""
    clip = getattr(spec, "clip", None)
    if not isinstance(clip, float):
        raise InvalidParameter("kind", f"{spec.kind} has no clip")
    return clip


def relu_candidates(pool: CandidatePool, spec: Spec, builder: Builder,
                    rng: np.random.Generator, effort: SearchEffort) -> Suprema:
    """Rows solving the worst-case patterns of ``relu_patterns`` (both mechanisms'
    replace-one patterns under either relation, random halves of the NNGP features)
    as close to the domain's centre as A x = t g allows, at several scales t, each
    paired with its replacement; with more equations than dimensions, on random
    subsets of dim of them. No exact suprema."""
    data = spec.data
    fmap = relu_map(builder)
    A = _system(fmap)
    center = data.domain.center(data.dim)
    m = fmap.features
    halves = [None] + [rng.permutation(m) < (m + 1) // 2 for _ in range(effort.angle_targets)]
    scales = data.domain.max_norm(data.dim) * np.array([0.05, 0.2, 0.5, 1.0, 2.0])
    subsets = ([np.arange(A.shape[0])] if A.shape[0] <= data.dim else
               [np.sort(rng.choice(A.shape[0], size=data.dim, replace=False))
                for _ in range(effort.angle_subsets)])
    patterns = [relu_patterns(fmap, "add_remove", "laplace")]
    for half in halves:
        patterns += [relu_patterns(fmap, "replace_one", mech, half)
                     for mech in ("laplace", "gaussian")]
    for subset in subsets:
        for first, second, words in patterns:
            for t in scales:
                found: list[int | None] = []
                for target in (first,) if second is None else (first, second):
                    row = _solve(A[subset], t * target[subset], center)
                    found.append(None if row is None else
                                 pool.add(row, f"{words} at scale {t:.3g}"))
                if len(found) == 2:
                    pool.pair(*found)
    return {}
