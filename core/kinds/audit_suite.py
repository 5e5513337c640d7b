"""The privacy audit's case suites, built from the kind registry: every kind, every
mechanism it offers (``KindDef.mechanisms``) and both neighbouring relations, in the
settings its audit declaration gives (``KindDef.audit``, core/kinds/<kind>/audit.py).

- ``search_settings``: layer 1, the sensitivity search (core.privacy.sensitivity_search),
  in the black-box audit's setting and in a larger one (dim 8, an off-centre box);
- ``noise_cases``: layer 2, the noise distribution (core.privacy.noise_check);
- ``map_cases``: layer 3, the privacy map (core.privacy.map_check), in the audit setting
  and a larger one (dim 8, a box);
- ``standard_cases``: layer 4, the black box (core.privacy.audit), fast or thorough.

tests/privacy and ``python -m bench.audit`` both run them. A new kind's folder is
covered by every layer without an edit here; core/privacy knows no kind. A kind's
``AuditDef.variants`` (parameter sets such as ``l1_distance``'s ``coordinate_bound``)
are audited in every layer too, labelled ``<kind>+<variant>``; the black box runs
them without controls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.domain import Box, L2Ball, Neighbouring
from core.kinds import REGISTRY
from core.kinds.registry import AuditControls, KindDef
from core.privacy.audit import AUDIT_DOMAIN, AuditCase, AuditTarget, Expectation, Parse
from core.privacy.budget import PrivacyBudget
from core.privacy.map_check import MapCase
from core.privacy.mechanisms import Mechanism
from core.privacy.noise_check import NoiseCase
from core.privacy.sensitivity_search import RELATIONS, SearchSetting

__all__ = [
    "LARGE_BOX", "LARGE_DIM", "MAP_LARGE_BOX", "audit_target", "kinds", "map_cases",
    "noise_cases", "parser", "search_settings", "standard_cases",
]

# the sensitivity search's larger setting: dim 8, an off-centre box with unequal sides
LARGE_DIM = 8
LARGE_BOX = Box((-2.0, -1.0, 0.0, 0.5, -0.5, 1.0, -3.0, 2.0),
                (-1.0, 1.0, 1.5, 1.5, 2.5, 3.0, -1.75, 3.0))
# the privacy-map check's larger setting: dim 8, a box
MAP_LARGE_BOX = Box.uniform(-2.0, 3.0, LARGE_DIM)

# the black-box audit's budgets: every case at epsilon = 1, the Gaussian mechanism at
# delta = 1e-2 (where its controls are detectable with these sizes)
_LAPLACE, _GAUSSIAN = PrivacyBudget(1.0), PrivacyBudget(1.0, 1e-2)
_THOROUGH_TRIALS = 200_000
_THOROUGH_CONTROLS = AuditControls(_THOROUGH_TRIALS, _THOROUGH_TRIALS)


def kinds() -> list[KindDef]:
    """Every registered kind, in registry order."""
    return list(REGISTRY.values())


def parser(kind: KindDef) -> Parse:
    """``parse(params, data)``: the kind's spec."""
    return kind.spec.parse


def audit_target(kind: KindDef, mechanism: Mechanism, variant: str | None = None
                 ) -> AuditTarget:
    """The kind under ``mechanism`` as the audit builds it (its audit declaration), or
    one of its declared variants (labelled ``<kind>+<variant>``)."""
    params = {**kind.audit.params(mechanism), **_variant_params(kind, variant)}
    return AuditTarget(_label(kind, variant), mechanism, params, kind.audit.dim,
                       parser(kind), kind.audit.worst_case_pair)


def _pairs() -> list[tuple[KindDef, Mechanism]]:
    return [(kind, mechanism) for kind in kinds() for mechanism in kind.mechanisms]


def _variants(kind: KindDef) -> list[str | None]:
    """The kind itself (None), then its declared variants."""
    return [None, *kind.audit.variants]


def _label(kind: KindDef, variant: str | None) -> str:
    return kind.name if variant is None else f"{kind.name}+{variant}"


def _variant_params(kind: KindDef, variant: str | None) -> dict[str, Any]:
    return {} if variant is None else dict(kind.audit.variants[variant])


def _with_mechanism(kind: KindDef, mechanism: Mechanism,
                    params: Mapping[str, Any]) -> dict[str, Any]:
    """A larger setting's parameters, with the mechanism where the kind takes one (as
    its audit parameters do)."""
    out = dict(params)
    if "mechanism" in kind.audit.params(mechanism):
        out["mechanism"] = mechanism
    return out


# --- layer 1: the sensitivity search --------------------------------------------------

def search_settings() -> list[SearchSetting]:
    """Every kind, mechanism and relation, in the black-box audit's setting (the
    kind's audit parameters and dim, the unit ball) and in a larger one (``LARGE_DIM``,
    ``LARGE_BOX``, ``AuditDef.search_params``). The mechanism does not change the
    sensitivities; it is searched anyway, since it is part of what a spec is parsed
    from."""
    settings: list[SearchSetting] = []
    for kind, mechanism in _pairs():
        audit = kind.audit
        for variant in _variants(kind):
            extra = _variant_params(kind, variant)
            small = {**audit.params(mechanism), **extra}
            large = {**_with_mechanism(kind, mechanism, audit.search_params), **extra}
            label = _label(kind, variant)
            for relation in RELATIONS:
                settings += [
                    SearchSetting(label, mechanism, relation, "audit", audit.dim,
                                  AUDIT_DOMAIN, small, parser(kind), audit.search_candidates),
                    SearchSetting(label, mechanism, relation, "large", LARGE_DIM, LARGE_BOX,
                                  large, parser(kind), audit.search_candidates)]
    return settings


# --- layer 2: the noise distribution --------------------------------------------------

def noise_cases() -> list[NoiseCase]:
    """Every kind, mechanism and relation, in the black-box audit's setting."""
    return [NoiseCase(audit_target(kind, mechanism, variant), relation)
            for kind, mechanism in _pairs() for variant in _variants(kind)
            for relation in RELATIONS]


# --- layer 3: the privacy map ---------------------------------------------------------

def map_cases() -> list[MapCase]:
    """Every kind, mechanism and relation, in the audit setting (the black box's
    structures at (1, 0) or (1, 1e-6)) and in a larger one (dim 8, a box,
    ``AuditDef.map_params``, budget (0.3, 0) or (0.3, 1e-5))."""
    cases: list[MapCase] = []
    for kind, mechanism in _pairs():
        delta = mechanism == "gaussian"
        for variant in _variants(kind):
            extra = _variant_params(kind, variant)
            small = {**kind.audit.params(mechanism), **extra}
            larger = {**_with_mechanism(kind, mechanism, kind.audit.map_params), **extra}
            label = _label(kind, variant)
            for relation in RELATIONS:
                cases += [
                    MapCase(label, mechanism, relation, "audit", small, kind.audit.dim,
                            L2Ball(1.0), PrivacyBudget(1.0, 1e-6 if delta else 0.0),
                            parser(kind)),
                    MapCase(label, mechanism, relation, "larger", larger, LARGE_DIM,
                            MAP_LARGE_BOX, PrivacyBudget(0.3, 1e-5 if delta else 0.0),
                            parser(kind))]
    return cases


# --- layer 4: the black box -----------------------------------------------------------

def standard_cases(thorough: bool = False) -> list[AuditCase]:
    """The black-box suite, every case at epsilon = 1 (the Gaussian mechanism at
    delta = 1e-2, where its controls are detectable with these sizes).

    Fast (CI, about two minutes): every kind, mechanism and relation (and every
    declared variant, without controls) with 10,000 releases per dataset (a correct
    mechanism passes at any size; more trials only tighten its bound), and the
    negative controls each kind's audit declaration asks for (``AuditDef.controls``:
    half the noise, the wrong relation, one statistic's noise halved alone), with
    enough releases that a control is missed with probability well below 1e-4
    (docs/privacy/audit.md). Thorough: 200,000 releases
    per dataset everywhere, both controls on every kind and mechanism, each noisy
    statistic halved alone on every kind (caught where that moves the true epsilon to
    ``POWERED_EPSILON``), and the Gaussian mechanism at realistic deltas (1e-5, 1e-6),
    with its controls caught at 1e-5 where a kind's declaration gives the releases
    (``AuditControls.realistic_delta``). In both forms the half-noise and wrong-relation
    controls of a kind whose worst pair reaches only part of the claim under their
    relation (``AuditDef.pair_reaches``) are caught where powered, not always
    (``_control_expectation``). At realistic deltas the fast form relies on
    the exact layers (the privacy map and the noise distribution), which do not
    depend on delta."""
    pairs = [(kind, audit_target(kind, mechanism)) for kind, mechanism in _pairs()]
    trials = _THOROUGH_TRIALS if thorough else 10_000
    cases: list[AuditCase] = []
    for _, target in pairs:
        cases += [AuditCase(target, relation, _budget(target.mechanism), trials)
                  for relation in RELATIONS]
    cases += [AuditCase(audit_target(kind, mechanism, variant), relation,
                        _budget(mechanism), trials)
              for kind, mechanism in _pairs() for variant in kind.audit.variants
              for relation in RELATIONS]
    controlled: list[tuple[KindDef, AuditTarget, AuditControls]] = []
    for kind, target in pairs:
        declared = kind.audit.controls.get(target.mechanism)
        if thorough or declared is not None:
            controlled.append((kind, target, _THOROUGH_CONTROLS if thorough or declared is None
                               else declared))
    for kind, target, control in controlled:
        cases += _controls(kind, target, _budget(target.mechanism), control.half_noise,
                           control.wrong_relation)
    if not thorough:
        cases += [AuditCase(target, "add_remove", _budget(target.mechanism), releases,
                            "half_statistic", "caught", statistic=statistic)
                  for _, target, control in controlled
                  for statistic, releases in control.half_statistic.items()]
        return cases
    for _, target in pairs:
        cases += [AuditCase(target, "add_remove", _budget(target.mechanism), trials,
                            "half_statistic", "caught_if_powered", statistic=s.name)
                  for s in target.spec("add_remove").statistics() if s.l1_sensitivity > 0]
    for delta in (1e-5, 1e-6):
        realistic = PrivacyBudget(1.0, delta)
        cases += [AuditCase(target, relation, realistic, trials)
                  for _, target in pairs if target.mechanism == "gaussian"
                  for relation in RELATIONS]
    realistic = PrivacyBudget(1.0, 1e-5)
    for kind, target in pairs:
        declared = kind.audit.controls.get(target.mechanism)
        if declared is not None and declared.realistic_delta > 0:
            cases += _controls(kind, target, realistic, declared.realistic_delta,
                               declared.realistic_delta)
    return cases


def _controls(kind: KindDef, target: AuditTarget, budget: PrivacyBudget, half_noise: int,
              wrong_relation: int) -> list[AuditCase]:
    """The half-noise control (add/remove) and the wrong-relation control (replace-one)
    of one kind under one mechanism, with these many releases each."""
    return [AuditCase(target, "add_remove", budget, half_noise, "half_noise",
                      _control_expectation(kind, "add_remove")),
            AuditCase(target, "replace_one", budget, wrong_relation, "wrong_relation",
                      _control_expectation(kind, "replace_one"))]


def _control_expectation(kind: KindDef, relation: Neighbouring) -> Expectation:
    """What the half-noise or wrong-relation control on ``relation``'s worst-case pair
    must show. ``caught`` where that pair attains the claim: breaking the plan by a
    factor of two then moves its true epsilon well above it (2 for most kinds, 1.29 for
    the least: a statistic whose sensitivity does not double under replace-one), which
    the audit's sizes detect. ``caught_if_powered`` where the kind declares
    ``pair_reaches`` for the relation: its pair reaches only part of the claim, so the
    broken plan's true epsilon on it may stay below ``POWERED_EPSILON``, or even under
    the claim (``l2_distance``'s wrong relation: 0.94), where no audit of that pair
    could catch it; the test then requires it caught only where the true epsilon
    reaches ``POWERED_EPSILON`` (docs/privacy/audit.md, "Negative controls")."""
    return "caught_if_powered" if relation in kind.audit.pair_reaches else "caught"


def _budget(mechanism: Mechanism) -> PrivacyBudget:
    return _LAPLACE if mechanism == "laplace" else _GAUSSIAN
