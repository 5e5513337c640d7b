"""``inner_product``: Sum of inner products.

Derivation: docs/privacy/moments.md#inner_product. Layout and generic tests:
core/kinds/__init__.py.
"""

from core.kinds.inner_product.audit import AUDIT
from core.kinds.inner_product.params import Params
from core.kinds.inner_product.reference import reference
from core.kinds.inner_product.release import MomentRelease
from core.kinds.inner_product.spec import InnerProductSpec
from core.kinds.registry import KindDef

__all__ = ["KIND"]

KIND = KindDef(
    name="inner_product",
    title="Sum of inner products",
    formula=("<x, y>"),
    params=Params,
    spec=InnerProductSpec,
    release=MomentRelease,
    mechanisms=("laplace", "gaussian"),
    relations=("add_remove", "replace_one"),
    sensitivity=("sum (d values): L1 M1, L2 M2 under add_remove, L1 2 M1, L2 2 M2 "
                 "under replace_one; count: 1 under add_remove, 0 (public) under "
                 "replace_one; M1, M2: the largest l1 / l2 distance of the domain "
                 "from its centre"),
    query_cost=("O(d) per point"),
    derivation="docs/privacy/moments.md#inner_product",
    example_params={},
    reference=reference,
    audit=AUDIT,
)
