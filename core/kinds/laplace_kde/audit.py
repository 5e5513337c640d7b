"""How the statistical audit exercises ``laplace_kde``: read through ``KindDef.audit`` by
the suites in core/kinds/audit_suite.py (the statistics: core/privacy)."""

from __future__ import annotations

from typing import Any

from core.kinds.audit_features import feature_candidates, feature_pair
from core.kinds.registry import AuditDef
from core.privacy.mechanisms import Mechanism


def params(mechanism: Mechanism) -> dict[str, Any]:
    """The smallest structure worth auditing. One frequency; heavy-tailed Cauchy
    frequencies can be small at the audit seed, and this smaller bandwidth scales
    them up so that the worst-case rows lie inside the ball."""
    return {"bandwidth": 0.05, "features": 2, "mechanism": mechanism}


# the sensitivity search's larger setting: more frequencies than dimensions
SEARCH_PARAMS = {"bandwidth": 0.05, "features": 24}

# the privacy-map check's larger setting: sizes as a user would ask for them
MAP_PARAMS = {"bandwidth": 0.5, "features": 512}

AUDIT = AuditDef(params, feature_pair, dim=2, search_params=SEARCH_PARAMS, map_params=MAP_PARAMS,
                 search_candidates=feature_candidates)
