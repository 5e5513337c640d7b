"""The audit's case suites come from the kind registry (core/kinds/audit_suite.py), and
core/privacy keeps only the statistics: it names no kind and imports no kind module.

``audit_cases_before.json`` is every case of every suite as it was when the suites
were still hand-written in core/privacy (names, trials, controls, expectations,
budgets, parameters, dims, domains): the registry must rebuild exactly those.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from core.kinds import KINDS, REGISTRY
from core.kinds.audit_suite import map_cases, noise_cases, search_settings, standard_cases
from core.privacy.audit import AuditCase

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BEFORE = json.loads((HERE / "audit_cases_before.json").read_text())
RELATIONS = ("add_remove", "replace_one")


def _audit(c: AuditCase) -> dict[str, Any]:
    data = c.data()
    return {"name": c.name, "kind": c.kind, "mechanism": c.mechanism, "relation": c.relation,
            "epsilon": c.budget.epsilon, "delta": c.budget.delta, "trials": c.trials,
            "control": c.control, "expect": c.expect, "statistic": c.statistic,
            "params": dict(c.params()), "dim": data.dim, "domain": data.domain.to_dict()}


def _suites() -> dict[str, list[dict[str, Any]]]:
    return {
        "standard_fast": [_audit(c) for c in standard_cases()],
        "standard_thorough": [_audit(c) for c in standard_cases(thorough=True)],
        "noise": [{"name": c.name, "params": dict(c.params()), "dim": c.data().dim,
                   "domain": c.data().domain.to_dict()} for c in noise_cases()],
        "map": [{"name": c.name, "params": dict(c.params), "dim": c.dim,
                 "domain": c.domain.to_dict(), "epsilon": c.budget.epsilon,
                 "delta": c.budget.delta} for c in map_cases()],
        "search": [{"name": s.name, "params": dict(s.params), "dim": s.dim,
                    "domain": s.domain.to_dict()} for s in search_settings()],
    }


# the kinds the recording covers; a kind registered since is checked by
# test_every_registered_kind_is_in_every_suite
RECORDED_KINDS = ("gaussian_kde", "rff_baseline", "sq_l2_distance", "inner_product",
                  "exponential_kde", "laplace_kde", "cauchy_kde", "l1_distance", "l2_distance")


def _recorded(case: dict[str, Any]) -> bool:
    return any(case["name"].startswith(f"{kind}-") for kind in RECORDED_KINDS)


@pytest.mark.parametrize("suite", sorted(BEFORE))
def test_the_registry_builds_the_same_cases(suite: str) -> None:
    now = [c for c in json.loads(json.dumps(_suites()[suite]))  # JSON's tuples and floats
           if _recorded(c)]
    assert sorted(c["name"] for c in now) == sorted(c["name"] for c in BEFORE[suite])
    key = lambda c: json.dumps(c, sort_keys=True)  # noqa: E731
    assert sorted(now, key=key) == sorted(BEFORE[suite], key=key)


def test_every_registered_kind_is_in_every_suite() -> None:
    """What a new kind's folder gets without an edit: every layer, every mechanism it
    offers and both relations."""
    search = {s.name for s in search_settings()}
    noise = {c.name for c in noise_cases()}
    maps = {c.name for c in map_cases()}
    black_box = {(c.kind, c.mechanism, c.relation) for c in standard_cases()
                 if c.control == "none"}
    for kind in REGISTRY.values():
        for mechanism in kind.mechanisms:
            for relation in RELATIONS:
                name = f"{kind.name}-{mechanism}-{relation}"
                assert {f"{name}-audit", f"{name}-large"} <= search
                assert name in noise
                assert {f"{name}-audit", f"{name}-larger"} <= maps
                assert (kind.name, mechanism, relation) in black_box


def test_core_privacy_knows_no_kind() -> None:
    """The statistics import neither the kinds nor a kind's structure module (the
    import-linter contract says the first), and name no kind in their code."""
    for path in sorted((ROOT / "core" / "privacy").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom | ast.Import):
                modules = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                           else [a.name for a in node.names])
                for module in modules:
                    assert not module.startswith("core.kinds"), (path.name, module)
                    assert (not module.startswith("core.structures")
                            or module == "core.structures.base"), (path.name, module)
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert node.value not in KINDS, (path.name, node.lineno, node.value)
