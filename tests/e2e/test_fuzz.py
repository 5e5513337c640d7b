"""Schemathesis fuzzes every operation of the OpenAPI document against a real server,
with the ids of a real dataset, structure and job: no input may produce a 5xx.
Destructive operations are left out so that the ids stay valid for the whole run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.db.migrate import upgrade
from tests.conftest import ADMIN_KEY
from tests.helpers import unit_ball_rows
from tests.live import server, service_env

pytestmark = pytest.mark.e2e
HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}


def test_no_input_gets_a_server_error(sqlite_url: str, tmp_path: Path) -> None:
    upgrade(sqlite_url)
    env = service_env(sqlite_url, tmp_path / "var", PRIVSIM_INPROCESS_WORKERS="1",
                      PRIVSIM_LOG_LEVEL="WARNING")
    with server(env, tmp_path / "server.log") as base:
        dataset = httpx.post(f"{base}/v1/datasets", headers=HEADERS, json={
            "name": "fuzz", "dim": 3, "domain": {"type": "l2_ball", "radius": 1},
            "budget": {"epsilon": 50, "delta": 1e-5}}).json()["id"]
        httpx.post(f"{base}/v1/datasets/{dataset}/rows", headers=HEADERS,
                   json={"rows": unit_ball_rows(50, 3).tolist()}).raise_for_status()
        build = httpx.post(f"{base}/v1/datasets/{dataset}/structures", headers=HEADERS, json={
            "kind": "gaussian_kde", "params": {"bandwidth": 0.5, "features": 64},
            "privacy": {"epsilon": 1}}).json()
        config = tmp_path / "schemathesis.toml"
        config.write_text(
            "[parameters]\n"
            f'"path.dataset_id" = "{dataset}"\n'
            f'"path.structure_id" = "{build["structure_id"]}"\n'
            f'"path.job_id" = "{build["job_id"]}"\n')
        result = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
             f"{base}/openapi.json", "--header", f"Authorization: Bearer {ADMIN_KEY}",
             "--checks", "not_a_server_error", "--max-examples", "25", "--seed", "1",
             "--exclude-method", "DELETE", "--no-color"],
            capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "passed" in result.stdout
