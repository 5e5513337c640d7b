"""``l2_distance``: Sum of l2 distances (oblivious l2 -> l1 embedding).

Derivation: docs/privacy/distance.md#6-l2_distance-the-oblivious-embedding. Layout and
generic tests: core/kinds/__init__.py; this kind's own tests:
tests/unit/core/test_distances.py.
"""

from core.kinds.l2_distance.audit import AUDIT
from core.kinds.l2_distance.params import Params
from core.kinds.l2_distance.reference import reference
from core.kinds.l2_distance.release import L2DistanceRelease
from core.kinds.l2_distance.spec import L2DistanceSpec
from core.kinds.registry import KindDef

__all__ = ["KIND"]

KIND = KindDef(
    name="l2_distance",
    title="Sum of l2 distances (oblivious l2 -> l1 embedding)",
    formula=("||x - y||_2"),
    params=Params,
    spec=L2DistanceSpec,
    release=L2DistanceRelease,
    mechanisms=("laplace", "gaussian"),
    relations=("add_remove", "replace_one"),
    sensitivity=("as l1_distance on the k = projection_dim embedded coordinates, "
                 "over the box [-H, H]^k with H = sqrt(d) M2 / (k c_d): counts L1 "
                 "k(L+1), L2 sqrt(k(L+1)) under add_remove, L1 2Lk, L2 sqrt(2Lk) "
                 "under replace_one; sums (prefix only): L1 (L+1) k H, L2 "
                 "sqrt(L+1) sqrt(k) H under add_remove, L1 2(L+1) k H, L2 "
                 "sqrt(2(L+2)) sqrt(k) H under replace_one; seed-independent"),
    query_cost=("O(d k + k L) per point (prefix; banded: O(d k + k L E))"),
    derivation="docs/privacy/distance.md#6-l2_distance-the-oblivious-embedding",
    example_params={"grid_levels": 3, "projection_dim": 16},
    reference=reference,
    audit=AUDIT,
)
