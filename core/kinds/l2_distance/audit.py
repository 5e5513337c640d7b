"""How the statistical audit exercises ``l2_distance``: read through ``KindDef.audit`` by
the suites in core/kinds/audit_suite.py (the statistics: core/privacy)."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.domain import L2Ball, Neighbouring
from core.kinds.l2_distance.release import L2DistanceBuilder
from core.kinds.l2_distance.spec import L2DistanceSpec
from core.kinds.registry import AuditDef
from core.privacy.audit import boundary_pair
from core.privacy.mechanisms import Mechanism
from core.privacy.sensitivity_search import CandidatePool, SearchEffort, Suprema
from core.structures.base import Builder, Spec
from core.structures.dyadic_trees import grid_half_widths

__all__ = ["AUDIT", "projection_candidates", "projection_supremum"]

_MAX_SIGN_ENUMERATION = 20  # exact projection suprema for up to this many projections


def params(mechanism: Mechanism) -> dict[str, Any]:
    """The smallest structure worth auditing. One level over a two-dimensional
    embedding."""
    return {"grid_levels": 1, "projection_dim": 2, "mechanism": mechanism}


# the sensitivity search's larger setting
SEARCH_PARAMS = {"grid_levels": 3, "projection_dim": 16}

# the privacy-map check's larger setting
MAP_PARAMS = {"grid_levels": 4, "projection_dim": 16}


def projection_candidates(pool: CandidatePool, spec: Spec, builder: Builder,
                          rng: np.random.Generator, effort: SearchEffort) -> Suprema:
    """The sensitivity search's candidates for the embedded coordinates
    (``_projection_rows``), and the exact supremum of the sums tree's change where the
    suprema of ||z||_1 and ||z||_2 were enumerated exactly: the sums' bound holds for
    every draw of the projection, while one draw's rows reach less, so the halved-claim
    control of the sums is not catchable there, for that verified reason."""
    if not (isinstance(spec, L2DistanceSpec) and isinstance(builder, L2DistanceBuilder)):
        return {}
    supremum = _projection_rows(pool, spec, builder.projection, rng, effort)
    if supremum is None:
        return {}
    return {"sums": _tree_sums_supremum(supremum, spec.inner.grid_levels,
                                        spec.data.neighbouring)}


def projection_supremum(spec: L2DistanceSpec, projection: NDArray[np.float64]
                        ) -> tuple[float, float, list[tuple[NDArray[np.float64], str]]]:
    """(sup ||z||_1, sup ||z||_2, maximising rows) over the domain for the embedded
    offsets z = s G (x - c) of ``l2_distance`` (G: the public projection, k x d).

    sup_u ||G u||_1 = max over sign vectors sigma of sup_u sigma^T G u: r ||G^T sigma||_2
    on a ball, sum_i h_i |(G^T sigma)_i| on a box. sup_u ||G u||_2: r sigma_max(G) on a
    ball, the best corner on a box (a convex function peaks at a vertex). Exact: every
    sign vector is enumerated (k <= 20) and every corner (d <= 16); beyond, the maxima
    over random ones (lower bounds, and the rows are still good candidates)."""
    data = spec.data
    d, k = data.dim, projection.shape[0]
    c = data.domain.center(d)
    G = spec.scale * np.asarray(projection, dtype=np.float64)
    rng = np.random.Generator(np.random.PCG64(k * 1_000 + d))
    if k <= _MAX_SIGN_ENUMERATION:
        sigma = np.array(list(itertools.product((-1.0, 1.0), repeat=k - 1)))
        sigma = np.hstack([np.ones((sigma.shape[0], 1)), sigma])
    else:
        sigma = rng.choice((-1.0, 1.0), size=(2**16, k))
    V = sigma @ G  # (patterns, d): G^T sigma per pattern
    rows: list[tuple[NDArray[np.float64], str]] = []
    if isinstance(data.domain, L2Ball):
        r = data.domain.radius
        lengths = np.linalg.norm(V, axis=1)
        order = np.argsort(lengths)[::-1][:4]
        sup1 = r * float(lengths[order[0]])
        rows += [(c + r * V[i] / lengths[i], f"row maximising ||z||_1 (sign pattern {n})")
                 for n, i in enumerate(order)]
        _, singular, vt = np.linalg.svd(G)
        sup2 = r * float(singular[0])
        rows.append((c + r * vt[0], "row along the projection's top singular vector"))
    else:
        h = data.domain.half_widths(d)
        values = np.abs(V) @ h
        order = np.argsort(values)[::-1][:4]
        sup1 = float(values[order[0]])
        rows += [(c + h * np.where(V[i] >= 0, 1.0, -1.0),
                  f"corner maximising ||z||_1 (sign pattern {n})") for n, i in enumerate(order)]
        if d <= 16:
            corners = np.array(list(itertools.product((-1.0, 1.0), repeat=d))) * h
        else:
            corners = rng.choice((-1.0, 1.0), size=(2**16, d)) * h
        lengths = np.linalg.norm(corners @ G.T, axis=1)
        best = int(np.argmax(lengths))
        sup2 = float(lengths[best])
        rows.append((c + corners[best], "corner maximising ||z||_2"))
    return sup1, sup2, rows


def _projection_rows(pool: CandidatePool, spec: L2DistanceSpec, projection: NDArray[np.float64],
                     rng: np.random.Generator,
                     effort: SearchEffort) -> tuple[float, float] | None:
    """``l2_distance``: the rows maximising ||z||_1 and ||z||_2, rows whose embedded
    coordinates sit on the sign split (z_j = 0 up to rounding for d - 1 projections)
    or on grid edges (d projections solved exactly). Returns the exact suprema of
    ||z||_1 and ||z||_2 where they were enumerated exactly, else None."""
    data = spec.data
    d, k = data.dim, projection.shape[0]
    c = data.domain.center(d)
    sup1, sup2, extremes = projection_supremum(spec, projection)
    for row, label in extremes:
        pool.add(row, label)
    G = spec.scale * projection
    inner_half = float(grid_half_widths(spec.inner.data)[0])
    N = 2**spec.inner.grid_levels
    reach = (data.domain.radius if isinstance(data.domain, L2Ball)
             else float(np.min(data.domain.half_widths(d))))
    for n in range(effort.angle_subsets):
        if d > 1:
            subset = rng.choice(k, size=min(d - 1, k), replace=False)
            _, _, vt = np.linalg.svd(G[subset])
            null = vt[-1]  # orthogonal to the chosen projections
            for t in (reach, reach / 2):
                pool.add(c + t * null, f"z on the sign split for {len(subset)} "
                                       f"projections, at {t:g} from the centre ({n})")
        if k >= d:
            subset = rng.choice(k, size=d, replace=False)
            edges = -inner_half + 2 * inner_half / N * rng.integers(0, N + 1, d)
            u = np.linalg.lstsq(G[subset], edges, rcond=None)[0]
            pool.add(c + u, f"z on grid edges for {d} projections ({n})")
    exact = k <= _MAX_SIGN_ENUMERATION and (isinstance(data.domain, L2Ball) or d <= 16)
    return (sup1, sup2) if exact else None


def _tree_sums_supremum(supremum: tuple[float, float], levels: int,
                        relation: Neighbouring) -> tuple[float, float]:
    """The exact supremum of the sums tree's change from that of ||z||_1 and ||z||_2.
    Each of the L + 1 levels holds z_j in one node per coordinate: add/remove moves the
    tree by (L + 1) ||z||_1 and sqrt(L + 1) ||z||_2. Replace-one: per coordinate at
    most (L + 1)(|z_j| + |z'_j|) in L1 and (L + 2)(z_j^2 + z'_j^2) in squared L2
    (the root moves by |z_j - z'_j|), both attained by z' = -z."""
    s1, s2 = supremum
    if relation == "add_remove":
        return (levels + 1) * s1, math.sqrt(levels + 1) * s2
    return 2 * (levels + 1) * s1, math.sqrt(2 * (levels + 2)) * s2


# the embedded coordinates' range holds for every draw of the projection, so no row of
# one fixed projection attains it (docs/privacy/distance.md)
AUDIT = AuditDef(params, boundary_pair, dim=2, search_params=SEARCH_PARAMS,
                 map_params=MAP_PARAMS, search_candidates=projection_candidates,
                 pair_reaches={"add_remove": (0.5, 1.0), "replace_one": (0.5, 1.0)})
