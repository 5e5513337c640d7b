"""How the statistical audit exercises ``relu_nngp``: read through ``KindDef.audit`` by the
suites in core/kinds/audit_suite.py (the statistics: core/privacy)."""

from __future__ import annotations

from typing import Any

from core.kinds.audit_relu import relu_candidates, relu_pair
from core.kinds.registry import AuditControls, AuditDef
from core.privacy.mechanisms import Mechanism

# small enough that the worst-case rows inside the unit ball are clipped
AUDIT_CLIP = 0.05


def params(mechanism: Mechanism) -> dict[str, Any]:
    """The smallest structure worth auditing: two features (one on in each row of the
    replace-one pair), in two dimensions, every worst-case row clipped."""
    return {"features": 2, "clip": AUDIT_CLIP, "mechanism": mechanism}


# the sensitivity search's larger setting: six features in eight dimensions (the rows
# solve every sign pattern), most rows clipped
SEARCH_PARAMS = {"features": 6, "clip": AUDIT_CLIP}

# the privacy-map check's larger setting: sizes as a user would ask for them
MAP_PARAMS = {"features": 512}

# no fast controls: the wrong-relation control is weak here (the replace-one bound is
# sqrt(2) times the add/remove one, not twice: true epsilon 1.29, which 20,000 releases
# bounded at 0.87), so this kind's controls run in the thorough audit only (200,000
# releases), as rff_baseline's; relu_ntk runs both in the fast one
CONTROLS: dict[Mechanism, AuditControls] = {}

AUDIT = AuditDef(params, relu_pair, dim=2, search_params=SEARCH_PARAMS, map_params=MAP_PARAMS,
                 search_candidates=relu_candidates, controls=CONTROLS)
