"""GET /v1/kernels and the build request's union, both generated from core's registry:
every registered kind is in the catalog with every parameter, in the OpenAPI union of
build bodies with its typed params, and its example params build (estimate)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.schemas.kernels import model_name, params_model, sent_params
from core.kinds import REGISTRY
from core.kinds.registry import ParamDef
from tests.helpers import ADMIN, Api, unit_ball_rows

BUILD = "/v1/datasets/{dataset_id}/structures"


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


def _param(p: ParamDef) -> dict[str, Any]:
    return {"name": p.name, "type": p.type, "meaning": p.meaning, "required": p.required,
            "default": p.default, "derived": p.derived, "minimum": p.minimum,
            "maximum": p.maximum, "choices": None if p.choices is None else list(p.choices),
            "nullable": p.nullable}


def test_every_kind_is_in_the_catalog_with_every_param(api: Api) -> None:
    r = api.c.get("/v1/kernels", headers=ADMIN)
    assert r.status_code == 200, r.text
    catalog = {entry["kind"]: entry for entry in r.json()["kernels"]}
    assert list(catalog) == list(REGISTRY)
    for name, kind in REGISTRY.items():
        entry = catalog[name]
        assert entry["params"] == [_param(p) for p in kind.param_defs], name
        assert entry["formula"] == kind.formula and entry["title"] == kind.title
        assert entry["mechanisms"] == list(kind.mechanisms)
        assert entry["relations"] == list(kind.relations)
        assert entry["sensitivity"] == kind.sensitivity
        assert entry["query_cost"] == kind.query_cost
        assert entry["derivation"] == kind.derivation
        assert entry["example_params"] == dict(kind.example_params)
        one = api.c.get(f"/v1/kernels/{name}", headers=ADMIN)
        assert one.status_code == 200 and one.json() == entry


def test_every_role_reads_the_catalog_and_nobody_without_a_key(api: Api) -> None:
    dataset = api.dataset(ADMIN)
    for role in ("owner", "analyst"):
        _, headers = api.key(role, [dataset] if role == "analyst" else None)
        assert api.c.get("/v1/kernels", headers=headers).status_code == 200
        assert api.c.get("/v1/kernels/l1_distance", headers=headers).status_code == 200
    r = api.c.get("/v1/kernels")
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"


def test_an_unknown_kind_is_a_404_problem(api: Api) -> None:
    r = api.c.get("/v1/kernels/no_such_kind", headers=ADMIN)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "urn:privsim:problem:not-found"


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = document["components"]["schemas"][name]
    return schema


@pytest.mark.parametrize("operation", [BUILD, BUILD + ":estimate"])
def test_every_kind_is_in_the_build_union_with_its_params(api: Api, operation: str) -> None:
    document = api.c.get("/openapi.json").json()
    body = document["paths"][operation]["post"]["requestBody"]["content"]["application/json"]
    union = _resolve(document, body["schema"])
    assert union["discriminator"]["propertyName"] == "kind"
    mapping = union["discriminator"]["mapping"]
    assert set(mapping) == set(REGISTRY)
    assert len(union["oneOf"]) == len(REGISTRY)
    assert set(body["examples"]) == set(REGISTRY)
    for name, kind in REGISTRY.items():
        member = _resolve(document, {"$ref": mapping[name]})
        assert member["title"] == f"{model_name(name)}Build"
        assert member["properties"]["kind"]["const"] == name
        assert member["additionalProperties"] is False
        params = _resolve(document, member["properties"]["params"])
        assert params["additionalProperties"] is False
        assert list(params["properties"]) == [p.name for p in kind.param_defs], name
        assert set(params.get("required", [])) == {p.name for p in kind.param_defs
                                                   if p.required}
        assert ("params" in member["required"]) == any(p.required for p in kind.param_defs)
        for p in kind.param_defs:
            field = params["properties"][p.name]
            options = field.get("anyOf", [field])
            typed = next(o for o in options if o.get("type") != "null")
            assert {"type": "null"} in options if p.nullable else "anyOf" not in field
            assert typed["type"] == p.type, (name, p.name)
            assert field["description"].startswith(p.meaning)
            if p.choices:
                assert typed.get("enum", [typed.get("const")]) == list(p.choices)
            if p.minimum is not None:
                assert typed["minimum"] == p.minimum
            if p.maximum is not None:
                assert typed["maximum"] == p.maximum
            if p.default is not None:
                assert field["default"] == p.default


def test_every_kinds_example_params_estimate_through_the_api(api: Api) -> None:
    dataset = api.dataset(ADMIN, dim=3, epsilon=50.0, delta=1e-5)
    api.upload(ADMIN, dataset, unit_ball_rows(50, 3, seed=3))
    document = api.c.get("/openapi.json").json()
    examples = document["paths"][BUILD]["post"]["requestBody"]["content"][
        "application/json"]["examples"]
    for name, kind in REGISTRY.items():
        body = {"kind": name, "params": dict(kind.example_params),
                "privacy": {"epsilon": 1.0, "delta": 1e-6}}
        r = api.c.post(f"/v1/datasets/{dataset}/structures:estimate", headers=ADMIN,
                       json=body)
        assert r.status_code == 200, (name, r.text)
        estimate = r.json()
        assert estimate["kind"] == name
        assert set(estimate["spend"]) <= {"epsilon", "delta", "rho"}
        assert set(estimate["error"]) == {"noise_std_sum", "noise_std_mean",
                                          "approximation_mean", "typical_mean",
                                          "target_mean"}
        # the OpenAPI example of this kind is a valid request too
        example = examples[name]["value"]
        r = api.c.post(f"/v1/datasets/{dataset}/structures:estimate", headers=ADMIN,
                       json=example)
        assert r.status_code == 200, (name, r.text)


def test_a_build_of_an_example_has_the_shared_error_model(api: Api) -> None:
    dataset = api.dataset(ADMIN, dim=3, epsilon=50.0, delta=1e-5)
    api.upload(ADMIN, dataset, unit_ball_rows(50, 3, seed=4))
    kind = REGISTRY["sq_l2_distance"]
    structure_id = api.built(ADMIN, dataset, kind=kind.name,
                             params=dict(kind.example_params), epsilon=1.0)
    model = api.c.get(f"/v1/structures/{structure_id}", headers=ADMIN).json()["error_model"]
    assert set(model) == {"noise_std_sum", "count_noise_std", "approximation_std_mean",
                          "details"}


def test_bad_params_are_a_422_naming_the_field(api: Api) -> None:
    dataset = api.dataset(ADMIN)
    url = f"/v1/datasets/{dataset}/structures:estimate"
    privacy = {"epsilon": 1.0}
    cases = [
        ({"kind": "gaussian_kde", "params": {"bandwidth": -1}, "privacy": privacy},
         "body.gaussian_kde.params.bandwidth: Input should be greater than or equal to"),
        ({"kind": "gaussian_kde", "params": {"bandwidth": "1"}, "privacy": privacy},
         "body.gaussian_kde.params.bandwidth: Input should be a valid number"),
        ({"kind": "gaussian_kde", "params": {}, "privacy": privacy},
         "body.gaussian_kde.params.bandwidth: Field required"),
        ({"kind": "gaussian_kde", "privacy": privacy},
         "body.gaussian_kde.params: Field required"),
        ({"kind": "l1_distance", "params": {"grid_levels": 2.5}, "privacy": privacy},
         "body.l1_distance.params.grid_levels: Input should be a valid integer"),
        ({"kind": "l1_distance", "params": {"estimator": "bogus"}, "privacy": privacy},
         "body.l1_distance.params.estimator: Input should be 'prefix' or 'banded'"),
        ({"kind": "sq_l2_distance", "params": {"bogus": 1}, "privacy": privacy},
         "body.sq_l2_distance.params.bogus: Extra inputs are not permitted"),
        ({"kind": "secret_kind_name", "params": {}, "privacy": privacy},
         "body.kind: must be one of 'gaussian_kde'"),
        ({"kind": 7, "params": {}, "privacy": privacy}, "body.kind: must be one of"),
        ({"params": {}, "privacy": privacy}, "body.kind: Field required"),
    ]
    for body, detail in cases:
        r = api.c.post(url, headers=ADMIN, json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["detail"].startswith(detail), (body, r.json()["detail"])
        assert "secret_kind_name" not in r.text  # the value sent is never echoed


def test_core_reads_the_params_exactly_as_sent() -> None:
    """Absent stays absent (core derives it), an explicit null stays null (for
    projection_dim it differs from absent), a JSON integer for a number stays an
    integer."""
    model = params_model("gaussian_kde")
    sent = model.model_validate_json(
        '{"bandwidth": 1, "alpha": 0.5, "projection_dim": null}')
    assert sent_params(sent) == {"bandwidth": 1, "alpha": 0.5, "projection_dim": None}
    assert type(sent_params(sent)["bandwidth"]) is int
    assert sent_params(model.model_validate_json('{"bandwidth": 0.5}')) == {"bandwidth": 0.5}
