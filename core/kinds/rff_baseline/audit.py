"""How the statistical audit exercises ``rff_baseline``: read through ``KindDef.audit`` by
the suites in core/kinds/audit_suite.py (the statistics: core/privacy)."""

from __future__ import annotations

from typing import Any

from core.kinds.audit_features import KDE_BANDWIDTH, feature_candidates, feature_pair
from core.kinds.registry import AuditDef
from core.privacy.mechanisms import Mechanism


def params(mechanism: Mechanism) -> dict[str, Any]:
    """The smallest structure worth auditing. The smallest size the kind accepts (two
    phased features); Laplace only."""
    return {"bandwidth": KDE_BANDWIDTH, "features": 2}


# the sensitivity search's larger setting: more frequencies than dimensions
SEARCH_PARAMS = {"bandwidth": 0.25, "features": 16}

# the privacy-map check's larger setting: sizes as a user would ask for them
MAP_PARAMS = {"bandwidth": 0.5, "features": 512}

AUDIT = AuditDef(params, feature_pair, dim=2, search_params=SEARCH_PARAMS, map_params=MAP_PARAMS,
                 search_candidates=feature_candidates)
