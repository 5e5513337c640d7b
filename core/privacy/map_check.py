"""The privacy-map layer of the audit: every stored plan meets its spec's privacy map.

A build's noise plan is fixed when the build is requested and stored with it; the worker
draws noise with exactly the stored scales. ``core.privacy.mechanisms.verify_plan``
recomputes, from the spec alone and independently of ``plan_noise``, each statistic's
size and sensitivity, and composes OpenDP's privacy map of each recorded scale (pure
epsilon: the epsilons add up; Gaussian: the rhos add up and convert at the plan's delta)
against the plan's budget; the worker calls it before it reads a row and refuses a plan
that disagrees (the build fails and is refunded: nothing was read).

``check_kind`` runs that check on a kind's real plan, and on broken plans that it must
refuse (the negative controls): each noisy statistic's scale halved, each noisy
statistic's recorded sensitivity halved together with its scale (a plan calibrated to a
wrong sensitivity, consistent in itself), the plan made for the other neighbouring
relation, and the mechanism swapped. Deterministic: a control is caught every time or
never. The cases of every kind (``MapCase``) are built from the kind registry in
core/kinds/audit_suite.py; this module knows no kind. Results: docs/privacy/audit.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from core.domain import Domain, L2Ball, Neighbouring
from core.errors import InvalidParameter, PlanMismatch
from core.privacy.audit import Parse
from core.privacy.budget import PrivacyBudget
from core.privacy.mechanisms import Mechanism, NoisePlan, verify_plan
from core.structures.base import DataSpec, noise_plan

__all__ = ["MapCase", "MapResult", "check_kind", "controls_of", "run_map_case"]

Control = Callable[[NoisePlan], NoisePlan]


@dataclass(frozen=True, slots=True)
class MapResult:
    """The map check of one kind, mechanism and relation: whether its real plan
    verifies, and for each control whether it was refused."""

    kind: str
    mechanism: Mechanism
    relation: Neighbouring
    budget: PrivacyBudget
    verified: bool
    refused: dict[str, bool] = field(default_factory=dict)

    @property
    def as_expected(self) -> bool:
        return self.verified and all(self.refused.values())

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "mechanism": self.mechanism, "relation": self.relation,
                "epsilon": self.budget.epsilon, "delta": self.budget.delta,
                "verified": self.verified, "controls": len(self.refused),
                "controls_refused": sum(self.refused.values()),
                "missed": sorted(name for name, ok in self.refused.items() if not ok)}


def _with_spec(plan: NoisePlan, name: str, **changes: Any) -> NoisePlan:
    specs = tuple(replace(s, **changes) if s.statistic == name else s for s in plan.specs)
    return NoisePlan(plan.mechanism, plan.budget, specs)


def controls_of(plan: NoisePlan, other_relation: NoisePlan | None) -> dict[str, Control]:
    """The broken plans the map check must refuse, by name."""
    controls: dict[str, Control] = {}
    for spec in plan.specs:
        if spec.mechanism == "none":
            continue
        controls[f"scale halved: {spec.statistic}"] = partial(
            _with_spec, name=spec.statistic, scale=spec.scale / 2)
        controls[f"sensitivity halved: {spec.statistic}"] = partial(
            _with_spec, name=spec.statistic, scale=spec.scale / 2,
            sensitivity=spec.sensitivity / 2)
    if other_relation is not None and other_relation != plan:
        controls["plan of the other relation"] = partial(_constant, other_relation)
    return controls


def _constant(plan: NoisePlan, _ignored: NoisePlan) -> NoisePlan:
    return plan


def check_kind(parse: Parse, kind: str, mechanism: Mechanism, relation: Neighbouring,
               params: Mapping[str, Any], *, dim: int = 2, domain: Domain | None = None,
               budget: PrivacyBudget | None = None) -> MapResult:
    """Verify the real plan of ``kind`` (its spec: ``parse(params, data)``) and try
    every control against it."""
    domain = L2Ball(1.0) if domain is None else domain
    if budget is None:
        budget = PrivacyBudget(1.0, 1e-6 if mechanism == "gaussian" else 0.0)
    spec = parse(params, DataSpec(dim, domain, relation))
    plan = noise_plan(spec, budget)
    other: Neighbouring = "add_remove" if relation == "replace_one" else "replace_one"
    other_plan = noise_plan(parse(params, DataSpec(dim, domain, other)), budget)
    statistics = spec.statistics()

    def verifies(candidate: NoisePlan, as_mechanism: Mechanism = mechanism) -> bool:
        try:
            verify_plan(statistics, as_mechanism, candidate)
        except PlanMismatch:
            return False
        return True

    refused = {name: not verifies(make(plan))
               for name, make in controls_of(plan, other_plan).items()}
    swapped: Mechanism = "gaussian" if mechanism == "laplace" else "laplace"
    try:
        swapped_plan: NoisePlan | None = noise_plan(
            parse({**params, "mechanism": swapped}, spec.data),
            PrivacyBudget(budget.epsilon, budget.delta or 1e-6))
    except InvalidParameter:  # the kind offers one mechanism only
        swapped_plan = None
    if swapped_plan is not None:
        refused["plan of the other mechanism"] = not verifies(swapped_plan)
    return MapResult(kind, mechanism, relation, budget, verifies(plan), refused)


@dataclass(frozen=True, slots=True)
class MapCase:
    """One map check: a kind, mechanism and relation in one setting; ``parse(params,
    data)`` makes its spec."""

    kind: str
    mechanism: Mechanism
    relation: Neighbouring
    setting: str  # "audit" (the black box's smallest structures) or "larger"
    params: Mapping[str, Any] = field(hash=False)
    dim: int
    domain: Domain
    budget: PrivacyBudget
    parse: Parse

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.mechanism}-{self.relation}-{self.setting}"


def run_map_case(case: MapCase) -> MapResult:
    return check_kind(case.parse, case.kind, case.mechanism, case.relation, case.params,
                      dim=case.dim, domain=case.domain, budget=case.budget)
