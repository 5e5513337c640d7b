"""The privacy-map layer: every kind's real plan meets its spec's privacy map, and every
broken plan (one statistic's scale halved, one sensitivity halved with its scale, the
other relation's plan, the other mechanism's plan) is refused by the check the worker
runs before it reads a row (core.privacy.map_check), for every kind of the registry (the
cases: core/kinds/audit_suite.py)."""

from __future__ import annotations

import pytest

from core.kinds import REGISTRY
from core.kinds.audit_suite import map_cases
from core.privacy.map_check import MapCase, run_map_case


@pytest.mark.slow
@pytest.mark.parametrize("case", map_cases(), ids=lambda c: c.name)
def test_plans_verify_and_every_control_is_refused(case: MapCase) -> None:
    result = run_map_case(case)
    assert result.verified
    assert result.refused, "no control ran"
    assert all(result.refused.values()), result.to_dict()["missed"]


def test_every_kind_mechanism_and_relation_is_covered() -> None:
    covered = {(c.kind, c.mechanism, c.relation) for c in map_cases() if c.kind in REGISTRY}
    assert covered == {(k.name, m, r) for k in REGISTRY.values() for m in k.mechanisms
                       for r in ("add_remove", "replace_one")}
