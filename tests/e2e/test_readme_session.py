"""The README's first session, pasted into bash against a real server: it must work
as written. Plus a session of analyst queries over HTTP that survives a restart."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from app.db.migrate import upgrade
from core.structures import load_release
from tests.conftest import ADMIN_KEY
from tests.helpers import exact_answers, npy_bytes, unit_ball_rows
from tests.live import ROOT, server, service_env

pytestmark = pytest.mark.e2e
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


def readme_session() -> str:
    text = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- session -->\s*```bash\n(.*?)```\s*<!-- /session -->", text,
                      re.DOTALL)
    assert match, "README.md lost its session block"
    return match.group(1)


def test_the_readme_session_works_when_pasted(sqlite_url: str, tmp_path: Path) -> None:
    upgrade(sqlite_url)
    env = service_env(sqlite_url, tmp_path / "var", PRIVSIM_INPROCESS_WORKERS="1")
    # `. .venv/bin/activate` from the README: here, the interpreter running the tests
    shim = tmp_path / "cwd" / ".venv" / "bin"
    shim.mkdir(parents=True)
    (shim / "activate").write_text(f'export PATH="{Path(sys.executable).parent}:$PATH"\n')
    with server(env, tmp_path / "server.log") as base:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", readme_session()], cwd=shim.parents[1],
            env=env | {"PRIVSIM_URL": base}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr + result.stdout
    outputs = [json.loads(chunk) for chunk in _json_values(result.stdout)]
    upload, answer, *_ = outputs
    assert upload == {"accepted": 4, "clipped": 1, "rejected": 0}
    assert answer["reduce"] == "mean" and len(answer["values"]) == 2
    assert all(s > 0 for s in answer["std"])
    spent = outputs[2]
    assert spent == {"total": 2.0, "spent": 1.0, "remaining": 1.0}


def readme_block(name: str) -> str:
    text = (ROOT / "README.md").read_text()
    match = re.search(rf"<!-- {name} -->\s*```bash\n(.*?)```\s*<!-- /{name} -->", text,
                      re.DOTALL)
    assert match, f"README.md lost its {name} block"
    return match.group(1)


def test_the_readme_classify_walkthrough_works(sqlite_url: str, tmp_path: Path) -> None:
    """The "Classify privately" block, run after the first session (it continues it)."""
    upgrade(sqlite_url)
    env = service_env(sqlite_url, tmp_path / "var", PRIVSIM_INPROCESS_WORKERS="1")
    shim = tmp_path / "cwd" / ".venv" / "bin"
    shim.mkdir(parents=True)
    (shim / "activate").write_text(f'export PATH="{Path(sys.executable).parent}:$PATH"\n')
    script = readme_session() + "\necho '=== classify'\n" + readme_block("classify")
    with server(env, tmp_path / "server.log") as base:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script], cwd=shim.parents[1],
            env=env | {"PRIVSIM_URL": base}, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr + result.stdout
    outputs = [json.loads(v) for v in _json_values(result.stdout.split("=== classify")[1])]
    advice, upload, prediction = outputs
    assert advice["regime"] == "clt" and advice["snr"] > 10
    assert upload == {"accepted": 3000, "clipped": 0, "rejected": 0}
    assert prediction == {"labels": [0, 1, 2, 0, 1], "classes": [0, 1, 2]}


def _json_values(stream: str) -> list[str]:
    """Split concatenated JSON documents printed one after another."""
    decoder, values, index = json.JSONDecoder(), [], 0
    while index < len(stream):
        if stream[index].isspace():
            index += 1
            continue
        value, end = decoder.raw_decode(stream, index)
        values.append(json.dumps(value))
        index = end
    return values


def test_analyst_session_over_http_survives_a_restart(sqlite_url: str, tmp_path: Path) -> None:
    upgrade(sqlite_url)
    env = service_env(sqlite_url, tmp_path / "var", PRIVSIM_INPROCESS_WORKERS="1")
    rows = unit_ball_rows(2000, 8, seed=3)
    points = unit_ball_rows(10, 8, seed=4)
    log = tmp_path / "server.log"
    with server(env, log) as base, httpx.Client(base_url=base, timeout=30) as http:
        owner = http.post("/v1/keys", headers=ADMIN,
                          json={"role": "owner", "name": "o"}).json()["key"]
        analyst = http.post("/v1/keys", headers=ADMIN, json={"role": "analyst", "name": "a"})
        analyst_id, analyst_key = analyst.json()["id"], analyst.json()["key"]
        as_owner = {"Authorization": f"Bearer {owner}"}
        as_analyst = {"Authorization": f"Bearer {analyst_key}"}
        dataset = http.post("/v1/datasets", headers=as_owner, json={
            "name": "e2e", "dim": 8, "domain": {"type": "l2_ball", "radius": 1},
            "budget": {"epsilon": 3, "delta": 1e-6}}).json()["id"]
        http.post(f"/v1/datasets/{dataset}/rows", content=npy_bytes(rows),
                  headers=as_owner | {"Content-Type": "application/x-npy"}).raise_for_status()
        http.post(f"/v1/datasets/{dataset}/grants", headers=as_owner,
                  json={"key_id": analyst_id}).raise_for_status()
        build = http.post(f"/v1/datasets/{dataset}/structures", headers=as_owner, json={
            "kind": "gaussian_kde", "privacy": {"epsilon": 2, "delta": 1e-6},
            "params": {"bandwidth": 0.5, "features": 2048, "mechanism": "gaussian"}}).json()
        for _ in range(600):
            job = http.get(f"/v1/jobs/{build['job_id']}", headers=as_owner).json()
            if job["status"] in ("succeeded", "failed"):
                break
            time.sleep(0.1)
        assert job["status"] == "succeeded", job
        structure = build["structure_id"]
        first = http.post(f"/v1/structures/{structure}/query", headers=as_analyst,
                          json={"points": points.tolist(), "reduce": "mean"}).json()
        assert http.get(f"/v1/jobs/{build['job_id']}", headers=as_analyst).status_code == 403
        assert http.post(f"/v1/datasets/{dataset}/structures", headers=as_analyst, json={
            "kind": "inner_product", "privacy": {"epsilon": 0.1}}).status_code == 403
        exported = http.get(f"/v1/structures/{structure}/export", headers=as_analyst).content
    exact = exact_answers("gaussian_kde", rows, points) / len(rows)
    error = np.abs(np.array(first["values"]) - exact)
    assert np.all(error <= 7 * np.hypot(first["std"], first["approximation_std"]))
    np.testing.assert_allclose(load_release(exported).query(points, "mean").values,
                               first["values"])

    with server(env, log) as base:  # a restarted API serves the same release
        again = httpx.post(f"{base}/v1/structures/{structure}/query", headers=as_analyst,
                           json={"points": points.tolist(), "reduce": "mean"}).json()
    assert again == first
    assert os.path.getsize(log) > 0


def readme_python_block() -> str:
    text = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- python -->\s*```python\n(.*?)```\s*<!-- /python -->", text,
                      re.DOTALL)
    assert match, "README.md lost its python block"
    return match.group(1)


def test_the_readme_python_and_cli_sections_work(sqlite_url: str, tmp_path: Path) -> None:
    """"From Python" and "From the command line", each run after the first session with
    its owner key, as a reader continuing it would."""
    upgrade(sqlite_url)
    env = service_env(sqlite_url, tmp_path / "var", PRIVSIM_INPROCESS_WORKERS="1")
    cwd = tmp_path / "cwd"
    shim = cwd / ".venv" / "bin"
    shim.mkdir(parents=True)
    (shim / "activate").write_text(f'export PATH="{Path(sys.executable).parent}:$PATH"\n')
    script = (readme_session() + "\nexport PRIVSIM_API_KEY=$OWNER\necho '=== python'\n"
              + "python - <<'PY'\n" + readme_python_block() + "PY\n"
              + "echo '=== cli'\n" + readme_block("cli"))
    with server(env, tmp_path / "server.log") as base:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script], cwd=cwd,
            env=env | {"PRIVSIM_URL": base}, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    python_out = result.stdout.split("=== python")[1].split("=== cli")[0]
    assert python_out.count("[") == 2  # the two arrays, values and std
    assert load_release((cwd / "demo.privsim").read_bytes()).dim == 3
    answers = np.genfromtxt(cwd / "answers.csv", delimiter=",", names=True)
    assert answers.dtype.names == ("value", "std", "approximation_std")
    assert answers.shape == (2,)
    assert np.all(answers["std"] > 0)
    exported = list(cwd.glob("gaussian_kde-*.privsim"))
    assert len(exported) == 1
    offline = load_release(exported[0].read_bytes())
    values, std, _ = offline.query(np.array([[0.0, 0.0, 0.0], [0.2, 0.1, 0.3]]), reduce="mean")
    np.testing.assert_allclose(answers["value"], values, rtol=1e-6)
    np.testing.assert_allclose(answers["std"], std, rtol=1e-6)
