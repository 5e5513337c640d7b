"""How the statistical audit exercises ``relu_ntk``: read through ``KindDef.audit`` by the
suites in core/kinds/audit_suite.py (the statistics: core/privacy)."""

from __future__ import annotations

from typing import Any

from core.kinds.audit_relu import relu_candidates, relu_pair
from core.kinds.registry import AuditControls, AuditDef
from core.privacy.mechanisms import Mechanism

# small enough that the worst-case rows inside the unit ball are clipped
AUDIT_CLIP = 0.05


def params(mechanism: Mechanism) -> dict[str, Any]:
    """The smallest structure worth auditing: two ReLU features (one on in each row of
    the replace-one pair) and one tangent feature, in four dimensions (the rows solve
    W x, V x and U x at once), every worst-case row clipped."""
    return {"features": 2, "tangent_features": 1, "clip": AUDIT_CLIP, "mechanism": mechanism}


# the sensitivity search's larger setting: 2 + 2 features in eight dimensions (the rows
# solve every pattern), most rows clipped
SEARCH_PARAMS = {"features": 2, "tangent_features": 2, "clip": AUDIT_CLIP}

# the privacy-map check's larger setting: sizes as a user would ask for them
MAP_PARAMS = {"features": 256, "tangent_features": 256}

# both controls under the Gaussian mechanism, 20,000 releases per dataset
CONTROLS: dict[Mechanism, AuditControls] = {"gaussian": AuditControls(20_000, 20_000)}

AUDIT = AuditDef(params, relu_pair, dim=4, search_params=SEARCH_PARAMS, map_params=MAP_PARAMS,
                 search_candidates=relu_candidates, controls=CONTROLS)
