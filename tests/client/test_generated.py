"""The committed models (privsim_client/_generated) are what the generator makes from
the service's schema today: a schema change without `python clients/python/generate.py`
fails here. Offline, a few seconds."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.live import ROOT

SCRIPT = ROOT / "clients" / "python" / "generate.py"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("privsim_client_generate", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def schema(generator: ModuleType) -> dict[str, Any]:
    document: dict[str, Any] = generator.openapi_schema()
    return document


def test_the_committed_models_match_the_schema(generator: ModuleType, schema: dict[str, Any],
                                               tmp_path: Path) -> None:
    fresh = tmp_path / "_generated"
    generator.generate(schema, fresh)
    stale = generator.differences(generator.TARGET, fresh)
    assert not stale, f"regenerate with: python clients/python/generate.py ({stale[:10]})"


def test_a_changed_schema_is_caught(generator: ModuleType, schema: dict[str, Any],
                                    tmp_path: Path) -> None:
    changed = copy.deepcopy(schema)
    rows = changed["components"]["schemas"]["RowsAccepted"]
    rows["properties"]["quarantined"] = {"type": "integer", "title": "Quarantined"}
    rows["required"].append("quarantined")
    generator.generate(schema, tmp_path / "before")
    generator.generate(changed, tmp_path / "after")
    assert generator.differences(tmp_path / "before", tmp_path / "after") == [
        "models/rows_accepted.py"]


def test_the_models_read_the_services_answers() -> None:
    from privsim_client._generated.models import JobRead, RowsAccepted

    assert RowsAccepted.from_dict({"accepted": 3, "clipped": 1, "rejected": 0}).to_dict() == {
        "accepted": 3, "clipped": 1, "rejected": 0}
    job = JobRead.from_dict({
        "id": "6d4bf13d-0df7-4b75-a6a3-37f3db98fc8d", "kind": "build_structure",
        "structure_id": None, "dataset_id": None, "status": "running", "progress": 0.5,
        "error": None, "attempts": 1, "created_at": "2026-11-27T15:27:37.02Z",
        "updated_at": "2026-11-27T15:27:37.02Z", "finished_at": None})
    assert job.status == "running" and job.created_at.year == 2026
