"""The README's first session as a Python script (clients/python/examples/
first_session.py), run as a user would against a real server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.db.migrate import upgrade
from tests.conftest import ADMIN_KEY
from tests.live import ROOT, server, service_env

pytestmark = pytest.mark.e2e
SCRIPT = ROOT / "clients" / "python" / "examples" / "first_session.py"


def test_the_first_session_script_works(sqlite_url: str, tmp_path: Path) -> None:
    upgrade(sqlite_url)
    env = service_env(sqlite_url, tmp_path / "var", PRIVSIM_INPROCESS_WORKERS="1")
    with server(env, tmp_path / "server.log") as base:
        result = subprocess.run(
            [sys.executable, str(SCRIPT)], cwd=tmp_path, capture_output=True, text=True,
            env=env | {"PRIVSIM_URL": base, "PRIVSIM_API_KEY": ADMIN_KEY}, timeout=120)
    assert result.returncode == 0, result.stderr + result.stdout
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines())
    out = {name: json.loads(value) for name, value in lines.items()}
    assert list(out) == ["owner", "dataset", "upload", "build", "query", "budget", "entries"]
    assert out["owner"]["role"] == "owner" and out["dataset"]["dim"] == 3
    assert out["upload"] == {"accepted": 4, "clipped": 1, "rejected": 0}
    assert out["build"]["job"] == "succeeded"
    answer = out["query"]
    assert answer["reduce"] == "mean" and len(answer["values"]) == 2
    assert all(s > 0 for s in answer["std"]) and len(answer["approximation_std"]) == 2
    assert out["budget"] == {"total": 2.0, "spent": 1.0, "remaining": 1.0}
    assert out["entries"] == [{"entry": "spend", "epsilon": 1.0, "mechanism": "laplace"}]
