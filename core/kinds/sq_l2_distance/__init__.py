"""``sq_l2_distance``: Sum of squared l2 distances.

What is where: ``params.py`` the typed parameters (names, ranges, defaults,
meanings); ``spec.py`` how they are read and what the build releases (its
statistics and sensitivities); ``release.py`` the builder and the release;
``reference.py`` the exact brute force; ``audit.py`` the audit's structure and
worst-case neighbours. Derivation: docs/privacy/moments.md#sq_l2_distance.
Tests: every generic test iterates the registry (test_registry.py, test_structures.py,
test_error_model.py, test_cost.py, test_finite.py, test_sensitivity.py,
test_serialization.py, test_totality.py, tests/privacy/ (audit layers), test_kernels.py,
test_leakage.py, test_parity.py).
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
