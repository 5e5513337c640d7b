"""How the statistical audit exercises ``l1_distance``: read through ``KindDef.audit`` by
the suites in core/kinds/audit_suite.py (the statistics: core/privacy)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.domain import L2Ball
from core.kinds.l1_distance.spec import L1DistanceSpec
from core.kinds.registry import AuditControls, AuditDef
from core.privacy.audit import boundary_pair
from core.privacy.mechanisms import Mechanism
from core.privacy.sensitivity_search import CandidatePool, SearchEffort, Suprema
from core.structures.base import Builder, Spec


def params(mechanism: Mechanism) -> dict[str, Any]:
    """The smallest structure worth auditing. One level. In one dimension (6
    coordinates at grid_levels 1, every node a Laplace coordinate) the privacy loss
    reaches its tail often enough for 10,000 releases to catch the controls."""
    return {"grid_levels": 1, "mechanism": mechanism}


SEARCH_PARAMS = {"grid_levels": 3}  # the sensitivity search's larger setting

MAP_PARAMS = {"grid_levels": 5}  # the privacy-map check's larger setting

# grids narrowed to a public coordinate bound, rows clamped into them, audited in every
# layer as ``l1_distance+coordinate_bound``: 0.6 cuts the audit's unit ball (dim 1: M1
# becomes 0.6), five of the eight sides of the search's box and every side of the map
# check's box
VARIANTS = {"coordinate_bound": {"coordinate_bound": 0.6}}

# both controls under the Laplace mechanism: six Laplace coordinates spread the loss,
# so the half-noise control needs 40,000 releases per dataset, the wrong relation (true
# epsilon 1.5) 100,000 to be caught with a margin (bounds 1.20-1.27 in repeated runs,
# 1.01-1.22 at 40,000)
CONTROLS: dict[Mechanism, AuditControls] = {"laplace": AuditControls(40_000, 100_000)}


def grid_candidates(pool: CandidatePool, spec: Spec, builder: Builder,
                    rng: np.random.Generator, effort: SearchEffort) -> Suprema:
    """The sensitivity search's candidates for the dyadic trees (``_grid_rows``). No
    exact suprema."""
    if isinstance(spec, L1DistanceSpec):
        _grid_rows(pool, spec, rng, effort)
    return {}


def _grid_rows(pool: CandidatePool, spec: L1DistanceSpec, rng: np.random.Generator,
               effort: SearchEffort) -> None:
    """``l1_distance``: rows on the grid's cell edges (exactly, one ulp either side,
    half a leaf in), in every coordinate at once and (ball) one coordinate at a time,
    and with a random edge per coordinate; with the mirrors and the corners, pairs in
    the same or in different leaves, at the extremes of the range and astride the sign
    split at the centre. Under a coordinate bound on a ball, also the rows with k equal
    coordinates R / sqrt(k) (clamped to the bound), which attain the clamped l1 and l2
    norms (a box's corners, which attain them there, are generic candidates)."""
    data, levels = spec.data, spec.grid_levels
    d = data.dim
    c = data.domain.center(d)
    h = spec.half_widths()
    N = 2**levels
    w = 2 * h / N
    edges = c - h + np.arange(N + 1)[:, None] * w  # (N + 1, d): edge m of every coordinate
    for m in range(N + 1):
        _edge_variants(pool, edges[m], w, f"every coordinate on grid edge {m} of {N}")
        if isinstance(data.domain, L2Ball):
            for i in range(d):
                row = c.copy()
                row[i] = edges[m, i]
                _edge_variants(pool, row, w * np.eye(d)[i],
                               f"coordinate {i} on grid edge {m} of {N}, others central")
    for k in range(effort.random_rows):
        pick = rng.integers(0, N + 1, d)
        pool.add(edges[pick, np.arange(d)], f"random grid edge per coordinate {k}")
    if spec.coordinate_bound is not None and isinstance(data.domain, L2Ball):
        R = data.domain.radius
        for k in range(1, d + 1):
            row = np.zeros(d)
            row[:k] = R / np.sqrt(k)
            pool.add(row, f"{k} coordinates at R / sqrt({k}), clamped to the bound")


def _edge_variants(pool: CandidatePool, row: NDArray[np.float64], leaf: NDArray[np.float64],
                   label: str) -> None:
    pool.add(row, label)
    pool.add(np.nextafter(row, np.inf), label + ", one ulp up")
    pool.add(np.nextafter(row, -np.inf), label + ", one ulp down")
    pool.add(row + leaf / 2, label + ", half a leaf up")


AUDIT = AuditDef(params, boundary_pair, dim=1, search_params=SEARCH_PARAMS,
                 map_params=MAP_PARAMS, search_candidates=grid_candidates, controls=CONTROLS,
                 variants=VARIANTS)
