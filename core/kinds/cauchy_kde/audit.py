"""How the statistical audit exercises ``cauchy_kde``: read through ``KindDef.audit`` by
the suites in core/kinds/audit_suite.py (the statistics: core/privacy)."""

from __future__ import annotations

from typing import Any

from core.kinds.audit_features import feature_candidates, feature_pair
from core.kinds.registry import AuditControls, AuditDef
from core.privacy.mechanisms import Mechanism


def params(mechanism: Mechanism) -> dict[str, Any]:
    """The smallest structure worth auditing. Two terms of one frequency each: two
    frequencies in two dimensions; a small bandwidth, whose frequencies at the audit
    seed put the worst-case rows inside the ball."""
    return {"bandwidth": 0.05, "features": 2, "terms": 2, "mechanism": mechanism}


# the sensitivity search's larger setting: more frequencies than the rank of the
# projected frequency matrix, in three terms
SEARCH_PARAMS = {"bandwidth": 0.05, "features": 8, "terms": 3, "projection_dim": 6}

# the privacy-map check's larger setting: sizes as a user would ask for them
MAP_PARAMS = {"bandwidth": 0.5, "features": 64, "terms": 6, "metric_input": "l2"}

# both controls under the Laplace mechanism, 10,000 releases per dataset: several
# base structures under one budget
CONTROLS: dict[Mechanism, AuditControls] = {"laplace": AuditControls(10_000, 10_000)}

AUDIT = AuditDef(params, feature_pair, dim=2, search_params=SEARCH_PARAMS, map_params=MAP_PARAMS,
                 search_candidates=feature_candidates, controls=CONTROLS)
