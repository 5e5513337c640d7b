"""``sq_l2_distance``: Sum of squared l2 distances.

Derivation: docs/privacy/moments.md#sq_l2_distance. Layout and generic tests:
core/kinds/__init__.py.
"""

from core.kinds.registry import KindDef
from core.kinds.sq_l2_distance.audit import AUDIT
from core.kinds.sq_l2_distance.params import Params
from core.kinds.sq_l2_distance.reference import reference
from core.kinds.sq_l2_distance.release import MomentRelease
from core.kinds.sq_l2_distance.spec import SqL2DistanceSpec

__all__ = ["KIND"]

KIND = KindDef(
    name="sq_l2_distance",
    title="Sum of squared l2 distances",
    formula=("||x - y||_2^2"),
    params=Params,
    spec=SqL2DistanceSpec,
    release=MomentRelease,
    mechanisms=("laplace", "gaussian"),
    relations=("add_remove", "replace_one"),
    sensitivity=("sum (d values): L1 M1, L2 M2 under add_remove, L1 2 M1, L2 2 M2 "
                 "under replace_one; sum_sq (1 value): M2^2 (L1 and L2, both "
                 "relations); count: 1 under add_remove, 0 (public) under "
                 "replace_one; M1, M2: the largest l1 / l2 distance of the domain "
                 "from its centre"),
    query_cost=("O(d) per point"),
    derivation="docs/privacy/moments.md#sq_l2_distance",
    example_params={},
    reference=reference,
    audit=AUDIT,
)
