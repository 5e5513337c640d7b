"""The OpenAPI document states the limits this server was configured with: every value
under ``info.x-privsim-limits``, ``maxItems`` on the batches a setting bounds, the
numbers in the 413 and 422 descriptions, and a 429 problem response with Retry-After on
every operation behind a key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.limits_doc import heavy_operations
from app.main import create_app
from app.settings import Settings
from tests.conftest import make_settings

LIMITS = {"max_body_bytes": 7_654_321, "max_upload_rows": 4_321,
          "max_upload_decoded_bytes": 98_765_432, "max_query_points": 777,
          "max_query_seconds": 3.5, "max_build_seconds": 123.0,
          "max_build_memory_bytes": 555_555_555, "max_structure_bytes": 44_444_444,
          "solver_job_scale": 6.0, "solver_job_seconds": 1800.0,
          "rate_limit": "7/second;300/minute", "rate_limit_heavy": "4/minute",
          "rate_limit_auth_failures": "20/minute"}
HEAVY = {"upload_rows", "create_structure", "create_model", "solve_ot",
         "solve_kernel_regression", "solve_design"}


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    tmp = tmp_path_factory.mktemp("openapi-limits")
    return make_settings(f"sqlite:///{tmp / 'privsim.db'}", tmp / "var", **LIMITS)


@pytest.fixture(scope="module")
def document(settings: Settings) -> dict[str, Any]:
    return create_app(settings).openapi()


def _operation(document: dict[str, Any], op_id: str) -> dict[str, Any]:
    for path_item in document["paths"].values():
        for operation in path_item.values():
            if operation["operationId"] == op_id:
                return dict(operation)
    raise AssertionError(op_id)


def _json_body(operation: dict[str, Any]) -> dict[str, Any]:
    return dict(operation["requestBody"]["content"]["application/json"]["schema"])


def test_info_states_every_configured_limit(document: dict[str, Any],
                                            settings: Settings) -> None:
    stated = document["info"]["x-privsim-limits"]
    for name, value in LIMITS.items():
        assert stated[name] == value == getattr(settings, name), name
    assert stated["solver_sync_scale"] == settings.solver_sync_scale


def test_batches_carry_max_items(document: dict[str, Any]) -> None:
    for op_id in ("query_structure", "predict"):
        points = _json_body(_operation(document, op_id))["properties"]["points"]
        assert points["maxItems"] == LIMITS["max_query_points"], op_id
    rows = _json_body(_operation(document, "upload_rows"))["properties"]["rows"]
    assert rows["maxItems"] == LIMITS["max_upload_rows"]


@pytest.mark.parametrize(("op_id", "status", "numbers"), [
    ("create_dataset", "413", ["7654321"]),
    ("upload_rows", "413", ["7654321", "4321", "98765432"]),
    ("query_structure", "413", ["7654321", "777", "3.5"]),
    ("predict", "413", ["777", "3.5"]),
    ("solve_ot", "413", ["6.0"]),
    ("create_structure", "422", ["123.0", "555555555", "44444444"]),
    ("estimate_structure", "422", ["123.0", "555555555", "44444444"]),
    ("solve_design", "422", ["1800.0"]),
])
def test_descriptions_state_the_configured_numbers(document: dict[str, Any], op_id: str,
                                                   status: str, numbers: list[str]) -> None:
    description = _operation(document, op_id)["responses"][status]["description"]
    for number in numbers:
        assert number in description, (op_id, number, description)


def test_every_operation_behind_a_key_documents_429(document: dict[str, Any]) -> None:
    keyed = 0
    for path, path_item in document["paths"].items():
        for method, operation in path_item.items():
            responses = operation["responses"]
            if "401" not in responses or operation["operationId"] == "metrics":
                assert "429" not in responses, (method, path)
                continue
            keyed += 1
            too_many = responses["429"]
            assert "7 per 1 second and 300 per 1 minute" in too_many["description"]
            assert "20 per 1 minute" in too_many["description"]
            content = too_many["content"]["application/problem+json"]
            assert content["schema"] == {"$ref": "#/components/schemas/Problem"}
            example = content["examples"]["rate-limited"]["value"]
            assert example["status"] == 429
            assert too_many["headers"]["Retry-After"]["schema"]["type"] == "integer"
    assert keyed > 20


def test_heavy_operations_state_their_own_limit(settings: Settings,
                                                document: dict[str, Any]) -> None:
    assert heavy_operations(create_app(settings)) == HEAVY
    for path_item in document["paths"].values():
        for operation in path_item.values():
            description = operation["responses"].get("429", {}).get("description", "")
            stated = "4 per 1 minute of them (`PRIVSIM_RATE_LIMIT_HEAVY`)" in description
            assert stated == (operation["operationId"] in HEAVY), operation["operationId"]


def test_served_document_is_the_documented_one(settings: Settings) -> None:
    app = create_app(settings)
    served = TestClient(app).get("/openapi.json").json()  # no lifespan: no database
    assert served["info"]["x-privsim-limits"]["max_query_points"] == 777
    assert served == app.openapi()


def test_defaults_say_rate_limits_are_off(tmp_path: Path) -> None:
    document = create_app(make_settings(f"sqlite:///{tmp_path / 'p.db'}",
                                        tmp_path / "var")).openapi()
    assert document["info"]["x-privsim-limits"]["rate_limit"] is None
    too_many = _operation(document, "list_datasets")["responses"]["429"]
    assert "no per-key limit is set on this server" in too_many["description"]
    points = _json_body(_operation(document, "query_structure"))["properties"]["points"]
    assert points["maxItems"] == Settings.model_fields["max_query_points"].default
