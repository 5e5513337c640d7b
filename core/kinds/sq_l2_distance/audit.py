"""How the statistical audit exercises ``sq_l2_distance``: read through ``KindDef.audit`` by
the suites in core/kinds/audit_suite.py (the statistics: core/privacy)."""

from __future__ import annotations

from typing import Any

from core.kinds.registry import AuditDef
from core.privacy.audit import boundary_pair
from core.privacy.mechanisms import Mechanism


def params(mechanism: Mechanism) -> dict[str, Any]:
    """The smallest structure worth auditing. The kind has no size parameter."""
    return {"mechanism": mechanism}


SEARCH_PARAMS: dict[str, Any] = {}  # the sensitivity search's larger setting

MAP_PARAMS: dict[str, Any] = {}  # the privacy-map check's larger setting

# under replace-one S2 cannot move while S1 moves most: no pair attains both
AUDIT = AuditDef(params, boundary_pair, dim=2, search_params=SEARCH_PARAMS, map_params=MAP_PARAMS,
                 pair_reaches={"replace_one": (0.7, 0.9)})
