"""Every registered kind is complete: typed parameters with a meaning and a range, an
example that builds, a brute force the release agrees with, the common error model, a
derivation document that exists. A new kind in ``core.kinds.REGISTRY`` is checked here
(and by every generic test) without edits."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from core.domain import L2Ball
from core.errors import InvalidParameter
from core.kinds import KINDS, REGISTRY, kind_def
from core.privacy.budget import PrivacyBudget
from core.structures import (
    DataSpec,
    ErrorModel,
    build_release,
    dump_release,
    load_release,
    noise_plan,
    parse_spec,
    release_class,
    upgrade_error_model,
)
from core.structures.base import ERROR_MODEL_KEYS
from tests.helpers import unit_ball_rows

ROOT = Path(__file__).resolve().parents[3]
DIM = 3
ROWS = unit_ball_rows(60, DIM, seed=4)
POINTS = unit_ball_rows(12, DIM, seed=5, radius=1.0)


def _slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_the_registry_lists_the_kinds_in_order() -> None:
    assert tuple(REGISTRY) == KINDS
    assert KINDS[:2] == ("gaussian_kde", "rff_baseline")
    for name, definition in REGISTRY.items():
        assert definition.name == name == definition.spec.kind
        assert kind_def(name) is definition
    with pytest.raises(InvalidParameter, match="must be one of gaussian_kde"):
        kind_def("nope")


@pytest.mark.parametrize("kind", KINDS)
def test_every_parameter_is_described(kind: str) -> None:
    definition = kind_def(kind)
    declared = [f.name for f in fields(definition.params)]
    assert [p.name for p in definition.param_defs] == declared
    for p in definition.param_defs:
        assert len(p.meaning) > 10, p.name
        if p.type == "string":
            assert p.choices, p.name
        else:
            assert p.minimum is not None and p.maximum is not None, p.name
        assert p.required or p.default is not None or p.derived, p.name
    for text in (definition.title, definition.formula, definition.sensitivity,
                 definition.query_cost):
        assert text.strip()
    assert definition.default_mechanism == definition.mechanisms[0]
    assert set(definition.mechanisms) <= {"laplace", "gaussian"}


@pytest.mark.parametrize("kind", KINDS)
def test_the_derivation_document_exists(kind: str) -> None:
    path, _, anchor = kind_def(kind).derivation.partition("#")
    assert path.startswith("docs/privacy/")
    document = ROOT / path
    assert document.is_file(), path
    if anchor:
        headings = [line.lstrip("#").strip().replace("`", "")
                    for line in document.read_text().splitlines() if line.startswith("#")]
        assert anchor in {_slug(h) for h in headings}, anchor


@pytest.mark.parametrize("kind", KINDS)
def test_parsing_is_strict(kind: str) -> None:
    definition = kind_def(kind)
    data = DataSpec(DIM, L2Ball(1.0), "add_remove")
    with pytest.raises(InvalidParameter, match="unknown parameter"):
        parse_spec(kind, {**definition.example_params, "nonsense": 1}, data)
    spec = parse_spec(kind, definition.example_params, data)
    assert isinstance(spec, definition.spec)
    assert set(spec.public_params()) <= {p.name for p in definition.param_defs}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("neighbouring", ["add_remove", "replace_one"])
def test_the_example_matches_the_reference(kind: str, neighbouring: str) -> None:
    """At a huge epsilon the answers are the reference's within the reported noise and
    approximation bounds (8 std); the error model has exactly the common keys."""
    definition = kind_def(kind)
    data = DataSpec(DIM, L2Ball(1.0), neighbouring)  # type: ignore[arg-type]
    spec = parse_spec(kind, definition.example_params, data)
    release = build_release(spec, seed=3, plan=noise_plan(spec, PrivacyBudget(1e6)),
                            chunks=[ROWS])
    assert isinstance(release, definition.release)
    assert release_class(kind) is definition.release
    exact = definition.reference(spec, ROWS, POINTS)
    values, std, approx = release.query(POINTS, "sum")
    bound = 8 * np.sqrt(std**2 + approx**2) + 1e-9 * np.abs(exact)
    assert np.all(np.abs(values - exact) <= bound)
    model = release.error_model(data)
    assert isinstance(model, ErrorModel)
    stored = model.to_dict()
    assert tuple(stored) == ERROR_MODEL_KEYS
    assert all(isinstance(v, float) for v in stored["details"].values())
    assert load_release(dump_release(release)).error_model(data) == model
    assert upgrade_error_model(kind, stored, data) == stored


OLD_MODELS = {  # what builds before the common shape stored (one flat mapping)
    "gaussian_kde": {"noise_std_sum", "count_noise_std", "approximation_std_mean"},
    "cauchy_kde": {"noise_std_sum", "count_noise_std", "approximation_std_mean",
                   "quadrature_error"},
    "sq_l2_distance": {"sum_noise_std", "count_noise_std", "approximation_std_mean",
                       "sum_sq_noise_std"},
    "inner_product": {"sum_noise_std", "count_noise_std", "approximation_std_mean"},
    "l1_distance": {"counts_noise_std", "count_noise_std", "noise_std_sum", "leaf_width_l1",
                    "approximation_std_mean", "sums_noise_std"},
    "l2_distance": {"counts_noise_std", "count_noise_std", "noise_std_sum", "leaf_width_l1",
                    "approximation_std_mean", "sums_noise_std", "distortion_relative_std"},
}


@pytest.mark.parametrize("kind", sorted(OLD_MODELS))
def test_old_error_models_upgrade_to_what_a_fresh_build_reports(kind: str) -> None:
    data = DataSpec(DIM, L2Ball(2.0), "add_remove")
    spec = parse_spec(kind, kind_def(kind).example_params, data)
    plan = noise_plan(spec, PrivacyBudget(1.0))
    release = build_release(spec, seed=1, plan=plan, chunks=[ROWS])
    fresh = release.error_model(data).to_dict()
    old = {key: value for key, value in fresh.items() if key != "details"}
    old.update(fresh["details"])
    if kind in ("sq_l2_distance", "inner_product"):  # stored no noise_std_sum
        del old["noise_std_sum"]
        assert fresh["noise_std_sum"] == pytest.approx(
            spec.estimate(plan, len(ROWS)).noise_std_sum, rel=1e-12)
    assert set(old) == OLD_MODELS[kind]
    assert upgrade_error_model(kind, old, data) == fresh
