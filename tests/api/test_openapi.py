"""The OpenAPI document is typed and complete: every operation's id is its function's
name, it has a description, an example request body and response, and lists the problem
responses it can return (401 where it needs a key, 422 where it takes input, 413 where it
takes a body, 503 where it reads the database); every example fits its model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, routing
from fastapi.routing import APIRoute
from pydantic import TypeAdapter

from app.main import create_app
from tests.conftest import make_settings

BINARY = ("application/x-npy", "application/vnd.privsim.release")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    tmp = tmp_path_factory.mktemp("openapi")
    return create_app(make_settings(f"sqlite:///{tmp / 'privsim.db'}", Path(tmp / "var")))


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


@dataclass(frozen=True)
class Route:
    path: str
    route: APIRoute


Operation = tuple[Route, str, dict[str, Any]]


def _operations(app: FastAPI, document: dict[str, Any]) -> Iterator[Operation]:
    """Each operation with the route that serves it (routers are included lazily)."""
    for context in routing.iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.include_in_schema:
            assert context.path is not None
            for method in route.methods:
                yield (Route(context.path, route), method,
                       document["paths"][context.path][method.lower()])


def test_operation_ids_are_the_function_names(app: FastAPI, document: dict[str, Any]) -> None:
    ids = [op["operationId"] for _, _, op in _operations(app, document)]
    assert len(ids) == len(set(ids)), "operation ids must be unique"
    for route, method, op in _operations(app, document):
        assert op["operationId"] == route.route.endpoint.__name__, (method, route.path)
    assert "create_structure" in ids and "list_kernels" in ids


def test_every_operation_has_a_description(app: FastAPI, document: dict[str, Any]) -> None:
    missing = [f"{method} {route.path}" for route, method, op in _operations(app, document)
               if not op.get("description", "").strip()]
    assert not missing, f"no description (docstring): {missing}"


def _has_example(media: dict[str, Any]) -> bool:
    return "example" in media or bool(media.get("examples"))


def test_every_request_body_has_an_example(app: FastAPI, document: dict[str, Any]) -> None:
    missing = []
    for route, method, op in _operations(app, document):
        content = op.get("requestBody", {}).get("content", {})
        if content and not any(_has_example(m) for m in content.values()):
            missing.append(f"{method} {route.path}")
        if "application/json" in content and not _has_example(content["application/json"]):
            missing.append(f"{method} {route.path} (JSON)")
    assert not missing, f"no example request: {missing}"


def test_every_operation_has_an_example_response(app: FastAPI,
                                                 document: dict[str, Any]) -> None:
    missing = []
    for route, method, op in _operations(app, document):
        status = str(route.route.status_code or 200)
        if status == "204":
            continue  # no body
        content = op["responses"][status].get("content", {})
        assert content, f"{method} {route.path}: no success content"
        documented = {t: m for t, m in content.items() if t not in BINARY}
        if documented and not any(_has_example(m) for m in documented.values()):
            missing.append(f"{method} {route.path}")
    assert not missing, f"no example response: {missing}"


def test_examples_fit_their_models(app: FastAPI, document: dict[str, Any]) -> None:
    for route, method, _ in _operations(app, document):
        # the route's own examples: the document drops every null (FastAPI's encoder)
        status = route.route.status_code or 200
        example = route.route.responses.get(status, {}).get("content", {}).get(
            "application/json", {}).get("example")
        if example is not None and route.route.response_model is not None:
            TypeAdapter(route.route.response_model).validate_python(example)
        extra = route.route.openapi_extra or {}
        body = extra.get("requestBody", {}).get("content", {}).get("application/json", {})
        if route.route.body_field is not None:
            for name, item in body.get("examples", {}).items():
                # what the service would read from the wire: strict JSON validation
                _, errors = route.route.body_field.validate(json.loads(json.dumps(
                    item["value"])), {}, loc=("body",))
                assert not errors, (method, route.path, name, errors)


def _requires_key(op: dict[str, Any]) -> bool:
    return bool(op.get("security"))


def test_every_operation_lists_its_problem_responses(app: FastAPI,
                                                     document: dict[str, Any]) -> None:
    for route, method, op in _operations(app, document):
        where = f"{method} {route.path}"
        statuses = {int(s) for s in op["responses"] if s.isdigit() and int(s) >= 400}
        if _requires_key(op):
            assert 401 in statuses, where
        if op.get("parameters") or "requestBody" in op:
            assert 422 in statuses, where
        if "requestBody" in op:
            assert 413 in statuses, where
        if route.path != "/healthz":
            assert 503 in statuses, where
        for status in statuses:
            problem = op["responses"][str(status)]["content"]["application/problem+json"]
            assert problem["schema"] == {"$ref": "#/components/schemas/Problem"}, where
            assert problem["examples"], where
            for item in problem["examples"].values():
                assert item["value"]["status"] == status, where
                assert item["value"]["type"].startswith("urn:privsim:problem:"), where


def test_no_operation_documents_fastapis_validation_error(document: dict[str, Any]) -> None:
    """422 is a problem document, never FastAPI's default HTTPValidationError."""
    assert "HTTPValidationError" not in json.dumps(document["paths"])


def test_typed_answers(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    structure = schemas["StructureRead"]["properties"]["error_model"]
    assert {"$ref": "#/components/schemas/ErrorModel"} in structure["anyOf"]
    assert set(schemas["ErrorModel"]["properties"]) == {
        "noise_std_sum", "count_noise_std", "approximation_std_mean", "details"}
    estimate = schemas["EstimateOut"]["properties"]
    for name, model in (("spend", "Spend"), ("remaining", "Remaining"),
                        ("error", "EstimateError"), ("cost", "EstimateCost")):
        assert estimate[name]["$ref"] == f"#/components/schemas/{model}", name
