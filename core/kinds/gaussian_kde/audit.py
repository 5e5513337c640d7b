"""How the statistical audit exercises ``gaussian_kde``: read through ``KindDef.audit`` by
the suites in core/kinds/audit_suite.py (the statistics: core/privacy)."""

from __future__ import annotations

from typing import Any

from core.kinds.audit_features import KDE_BANDWIDTH, feature_candidates, feature_pair
from core.kinds.registry import AuditControls, AuditDef
from core.privacy.mechanisms import Mechanism


def params(mechanism: Mechanism) -> dict[str, Any]:
    """The smallest structure worth auditing. One frequency (features = 2: its cos
    and sin); a bandwidth small enough that the worst-case feature angles lie in the
    ball."""
    return {"bandwidth": KDE_BANDWIDTH, "features": 2, "mechanism": mechanism}


# the sensitivity search's larger setting: more frequencies than the rank of the
# projected frequency matrix, so that no row solves every angle and the search has to
# find a compromise
SEARCH_PARAMS = {"bandwidth": 0.25, "features": 16, "projection_dim": 4}

# the privacy-map check's larger setting: sizes as a user would ask for them
MAP_PARAMS = {"bandwidth": 0.5, "features": 512, "projection_dim": 4}

# every control for both mechanisms, 10,000 (Laplace) or 20,000 (Gaussian) releases
# per dataset: enough that a control is missed with probability well below 1e-4
# (docs/privacy/audit.md). One miscalibrated statistic: the count holds about a third
# of the budget, so halving its noise alone gives true epsilon 1.44 (Laplace) / 1.49
# (Gaussian at delta 1e-2); 50,000 / 60,000 releases bound it at 1.18-1.27 in
# repeated runs (10,000 caught it in one run of three). At delta = 1e-5 the controls
# are real violations (true epsilon 1.97), but an event must be much likelier than
# delta under the favoured dataset to count: 200,000 releases catch them only ~97% of
# the time (bounds near 1.1), so the thorough audit draws 1,000,000 (about eight
# minutes each)
CONTROLS: dict[Mechanism, AuditControls] = {
    "laplace": AuditControls(10_000, 10_000, {"count": 50_000}),
    "gaussian": AuditControls(20_000, 20_000, {"count": 60_000}, realistic_delta=1_000_000),
}

# the structured design (Hadamard-diagonal blocks regenerated from the seed): its
# features are bounded like any others, so the sensitivities must not change; every
# layer checks that on its own frequencies
VARIANTS = {"structured": {"frequencies": "structured"}}

AUDIT = AuditDef(params, feature_pair, dim=2, search_params=SEARCH_PARAMS, map_params=MAP_PARAMS,
                 search_candidates=feature_candidates, controls=CONTROLS, variants=VARIANTS)
