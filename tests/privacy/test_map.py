"""The privacy-map layer: every kind's real plan meets its spec's privacy map, and every
broken plan (one statistic's scale halved, one sensitivity halved with its scale, the
other relation's plan, the other mechanism's plan) is refused by the check the worker
runs before it reads a row (core.privacy.map_check)."""

from __future__ import annotations

import pytest

from core.domain import Box
from core.privacy.audit import AUDIT_DIMS, audit_params, mechanisms_of
from core.privacy.budget import PrivacyBudget
from core.privacy.map_check import check_kind
from core.structures import KINDS

CASES = [(kind, mech, rel) for kind in KINDS for mech in mechanisms_of(kind)
         for rel in ("add_remove", "replace_one")]
LARGER = {  # sizes as a user would ask for them: many statistics and coordinates
    "gaussian_kde": {"bandwidth": 0.5, "features": 512, "projection_dim": 4},
    "exponential_kde": {"bandwidth": 0.5, "features": 512},
    "laplace_kde": {"bandwidth": 0.5, "features": 512},
    "cauchy_kde": {"bandwidth": 0.5, "features": 64, "terms": 6, "metric_input": "l2"},
    "rff_baseline": {"bandwidth": 0.5, "features": 512},
    "l1_distance": {"grid_levels": 5},
    "l2_distance": {"grid_levels": 4, "projection_dim": 16},
    "sq_l2_distance": {}, "inner_product": {},
}


@pytest.mark.parametrize(("kind", "mechanism", "relation"), CASES,
                         ids=["-".join(c) for c in CASES])
def test_audit_plans_verify_and_every_control_is_refused(kind, mechanism, relation):
    result = check_kind(kind, mechanism, relation, audit_params(kind, mechanism),
                        dim=AUDIT_DIMS.get(kind, 2))
    assert result.verified
    assert result.refused, "no control ran"
    assert all(result.refused.values()), result.to_dict()["missed"]


@pytest.mark.parametrize(("kind", "mechanism", "relation"), CASES,
                         ids=["-".join(c) for c in CASES])
def test_larger_plans_on_a_box_verify_and_every_control_is_refused(kind, mechanism, relation):
    params = dict(LARGER[kind])
    if kind != "rff_baseline":
        params["mechanism"] = mechanism
    budget = PrivacyBudget(0.3, 1e-5 if mechanism == "gaussian" else 0.0)
    result = check_kind(kind, mechanism, relation, params, dim=8,
                        domain=Box.uniform(-2.0, 3.0, 8), budget=budget)
    assert result.verified
    assert all(result.refused.values()), result.to_dict()["missed"]
