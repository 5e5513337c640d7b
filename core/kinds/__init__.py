"""Structure kinds, one folder each, and the registry that lists them (``REGISTRY``).

A kind's folder holds its typed parameters (``params.py``), its spec, builder and
release (or the shared ones it re-exports), the exact brute force it approximates
(``reference.py``), how the audit exercises it (``audit.py``), and in ``__init__.py``
the ``KindDef`` that ties them together. Registering a kind is adding its folder, its
derivation in docs/privacy/ and one line below; the catalog, the build request, the
audit suites (``audit_suite.py``) and every generic test then cover it: the tests
iterate this registry (tests/unit/core: test_registry, test_structures,
test_error_model, test_cost, test_finite; tests/property: test_sensitivity,
test_serialization, test_totality; tests/privacy; tests/api: test_kernels,
test_leakage; tests/gpu: test_parity).

    kind = kind_def("gaussian_kde")
    spec = kind.spec.parse(kind.example_params, DataSpec(3, L2Ball(1.0), "add_remove"))
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from core.errors import InvalidParameter
from core.kinds import (
    cauchy_kde,
    exponential_kde,
    gaussian_kde,
    inner_product,
    l1_distance,
    l2_distance,
    laplace_kde,
    relu_nngp,
    relu_ntk,
    rff_baseline,
    sq_l2_distance,
    vmf_kde,
)
from core.kinds.registry import AuditDef, KindDef, ParamDef, param, param_defs, parse_params

__all__ = ["KINDS", "REGISTRY", "AuditDef", "KindDef", "ParamDef", "kind_def", "param",
           "param_defs", "parse_params"]

REGISTRY: Mapping[str, KindDef] = MappingProxyType({kind.name: kind for kind in (
    gaussian_kde.KIND, rff_baseline.KIND, sq_l2_distance.KIND, inner_product.KIND,
    exponential_kde.KIND, laplace_kde.KIND, cauchy_kde.KIND, l1_distance.KIND,
    l2_distance.KIND, vmf_kde.KIND, relu_nngp.KIND, relu_ntk.KIND,
)})
KINDS: tuple[str, ...] = tuple(REGISTRY)


def kind_def(name: str) -> KindDef:
    """The registered kind ``name``; ``InvalidParameter("kind", ...)`` if there is none."""
    kind = REGISTRY.get(name)
    if kind is None:
        raise InvalidParameter("kind", "must be one of " + ", ".join(KINDS))
    return kind
