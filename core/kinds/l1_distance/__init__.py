"""``l1_distance``: Sum of l1 distances.

Derivation: docs/privacy/distance.md#2-sensitivities. Layout and generic tests:
core/kinds/__init__.py; this kind's own tests: tests/unit/core/test_distances.py.
"""

from core.kinds.l1_distance.audit import AUDIT
from core.kinds.l1_distance.params import Params
from core.kinds.l1_distance.reference import reference
from core.kinds.l1_distance.release import L1DistanceRelease
from core.kinds.l1_distance.spec import L1DistanceSpec
from core.kinds.registry import KindDef

__all__ = ["KIND"]

KIND = KindDef(
    name="l1_distance",
    title="Sum of l1 distances",
    formula=("||x - y||_1"),
    params=Params,
    spec=L1DistanceSpec,
    release=L1DistanceRelease,
    mechanisms=("laplace", "gaussian"),
    relations=("add_remove", "replace_one"),
    sensitivity=("counts (d (2^(L+1) - 1) values): L1 d(L+1), L2 sqrt(d(L+1)) "
                 "under add_remove, L1 2Ld, L2 sqrt(2Ld) under replace_one; sums "
                 "(prefix estimator only, same size): L1 (L+1) M1, L2 sqrt(L+1) M2"
                 " under add_remove, L1 2(L+1) M1, L2 sqrt(2(L+2)) M2 under "
                 "replace_one; L = grid_levels, M1, M2: the largest l1 / l2 "
                 "distance from the domain's centre of a row clamped to "
                 "coordinate_bound (the domain's own without one)"),
    query_cost=("O(d L) per point (prefix); O(d L E) per point (banded, E band "
                "edges, about log(2^L) / log(1 + alpha) + 1/alpha)"),
    derivation="docs/privacy/distance.md#2-sensitivities",
    example_params={"grid_levels": 3},
    reference=reference,
    audit=AUDIT,
)
