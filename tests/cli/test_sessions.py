"""The ``privsim`` command end to end: the installed command, run as a subprocess
against a real ``privsim serve`` (SQLite, one in-process worker), as a data owner, an
analyst and an admin would use it, and the ways it fails."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core.structures import load_release
from tests.cli.conftest import Service
from tests.cli.running import Run, cli_env, ok, refused
from tests.conftest import ADMIN_KEY
from tests.helpers import bearer, npy_bytes, unit_ball_rows

pytestmark = pytest.mark.e2e

KDE = ["gaussian_kde", "-p", "bandwidth=0.5", "-p", "features=512"]


def _json(result: Any) -> Any:
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def released(service: Service) -> dict[str, Any]:
    """A dataset with a ready structure and an analyst granted it, made over HTTP."""
    admin = bearer(ADMIN_KEY)
    with httpx.Client(base_url=service.url, timeout=30) as http:
        owner = http.post("/v1/keys", headers=admin, json={"role": "owner", "name": "o"})
        analyst = http.post("/v1/keys", headers=admin, json={"role": "analyst", "name": "a"})
        as_owner = bearer(owner.json()["key"])
        dataset = http.post("/v1/datasets", headers=as_owner, json={
            "name": "released", "dim": 4, "domain": {"type": "l2_ball", "radius": 1},
            "budget": {"epsilon": 2, "delta": 1e-6}}).json()["id"]
        http.post(f"/v1/datasets/{dataset}/rows", content=npy_bytes(unit_ball_rows(500, 4)),
                  headers=as_owner | {"Content-Type": "application/x-npy"}).raise_for_status()
        http.post(f"/v1/datasets/{dataset}/grants", headers=as_owner,
                  json={"key_id": analyst.json()["id"]}).raise_for_status()
        build = http.post(f"/v1/datasets/{dataset}/structures", headers=as_owner, json={
            "kind": "gaussian_kde", "params": {"bandwidth": 0.5, "features": 256},
            "privacy": {"epsilon": 1}}).json()
        for _ in range(600):
            job = http.get(f"/v1/jobs/{build['job_id']}", headers=as_owner).json()
            if job["status"] in ("succeeded", "failed"):
                break
            time.sleep(0.1)
        assert job["status"] == "succeeded", job
    return {"dataset": dataset, "structure": build["structure_id"],
            "owner": owner.json()["key"], "analyst": analyst.json()["key"]}


def test_the_owners_session(privsim: Run, service: Service, tmp_path: Path) -> None:
    # the admin makes the owner's and the analyst's keys
    created = ok(privsim("keys", "add", "--role", "owner", "--name", "alice"))
    owner = created.stdout.strip()
    assert owner.startswith("psk_") and "key id" in created.stderr
    analyst = _json(ok(privsim("keys", "add", "--role", "analyst", "--name", "bob", "--json")))
    assert analyst["role"] == "analyst" and analyst["key"].startswith("psk_")
    listed = ok(privsim("keys", "list")).stdout
    assert "alice" in listed and analyst["id"] in listed and owner not in listed
    me = _json(ok(privsim("keys", "whoami", "--json", key=owner)))
    assert me["name"] == "alice" and me["role"] == "owner" and set(me) == {"id", "name", "role"}

    dataset = ok(privsim("datasets", "create", "demo", "--dim", "3", "--radius", "1",
                         "--epsilon", "2", "--delta", "1e-6", key=owner)).stdout.strip()
    rows = unit_ball_rows(300, 3, seed=1)
    np.save(tmp_path / "rows.npy", rows)
    np.savetxt(tmp_path / "rows.csv", rows[:40], delimiter=",", header="a,b,c", comments="")
    pq.write_table(pa.table({"a": rows[:25, 0], "b": rows[:25, 1], "c": rows[:25, 2]}),
                   tmp_path / "rows.parquet")
    uploaded = ok(privsim("upload", dataset, "rows.npy", key=owner))
    assert uploaded.stdout.startswith("300 rows accepted")
    assert "rows.npy" in uploaded.stderr and "kB" in uploaded.stderr  # the progress bar
    counts = _json(ok(privsim("upload", dataset, "rows.csv", "--json", key=owner)))
    assert counts == {"accepted": 40, "clipped": 0, "rejected": 0}
    ok(privsim("upload", dataset, "rows.parquet", key=owner))
    shown = _json(ok(privsim("datasets", "show", dataset, "--json", key=owner)))
    assert shown["row_count"] == 365 and shown["budget"]["epsilon"]["total"] == 2
    assert dataset in ok(privsim("datasets", "list", key=owner)).stdout

    estimate = _json(ok(privsim("estimate", dataset, *KDE, "--epsilon", "0.5", "--json",
                                key=owner)))
    assert estimate["affordable"] is True and estimate["spend"]["epsilon"] == 0.5
    built = ok(privsim("build", dataset, *KDE, "--epsilon", "0.5", key=owner))
    structure = built.stdout.strip()
    assert "job succeeded" in built.stderr and "100%" in built.stderr
    later = _json(ok(privsim("build", dataset, "inner_product", "--epsilon", "0.25",
                             "--no-wait", "--json", key=owner)))
    assert "job" not in later
    waited = _json(ok(privsim("jobs", "wait", later["job_id"], "--json", key=owner)))
    assert waited["status"] == "succeeded"
    assert "│ status       │ succeeded" in ok(privsim("jobs", "show", later["job_id"],
                                                    key=owner)).stdout

    budget = ok(privsim("budget", dataset, key=owner)).stdout
    assert "│ epsilon │ 2     │ 0.75  │ 1.25      │" in budget, budget
    assert _json(ok(privsim("budget", dataset, "--json", key=owner)))["epsilon"] == {
        "total": 2.0, "spent": 0.75, "remaining": 1.25}
    ledger = ok(privsim("ledger", dataset, key=owner)).stdout
    assert structure in ledger and ledger.count("spend") == 2
    assert "gaussian_kde laplace" in ledger
    audit = ok(privsim("audit", dataset, key=owner)).stdout
    for action in ("create", "upload", "build", "build_ready"):
        assert f"│ {action} " in audit, audit

    granted = ok(privsim("grant", dataset, analyst["id"], key=owner))
    assert "granted" in granted.stderr
    seen = _json(ok(privsim("structures", "list", "--json", key=analyst["key"])))
    assert {s["id"] for s in seen} == {structure, later["structure_id"]}

    ok(privsim("datasets", "delete", dataset, "--yes", key=owner))
    refused(privsim("datasets", "show", dataset, key=owner), 1, "Not found (404)")
    assert structure in ok(privsim("ledger", dataset, key=owner)).stdout  # the ledger stays


def _http_answers(service: Service, key: str, structure: str,
                  points: np.ndarray) -> dict[str, Any]:
    response = httpx.post(f"{service.url}/v1/structures/{structure}/query",
                          headers=bearer(key), timeout=30,
                          json={"points": points.tolist(), "reduce": "mean"})
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


def test_the_analysts_session(privsim: Run, service: Service, released: dict[str, Any],
                              tmp_path: Path) -> None:
    key, structure = released["analyst"], released["structure"]
    listed = ok(privsim("structures", "list", key=key)).stdout
    assert structure in listed and "ready" in listed
    shown = _json(ok(privsim("structures", "show", structure, "--json", key=key)))
    assert shown["kind"] == "gaussian_kde"
    kinds = {k["kind"] for k in _json(ok(privsim("kinds", "--json", key=key)))}
    assert {"gaussian_kde", "inner_product"} <= kinds

    points = unit_ball_rows(7, 4, seed=9)
    expected = _http_answers(service, key, structure, points)
    np.save(tmp_path / "points.npy", points)
    np.savetxt(tmp_path / "points.csv", points, delimiter=",")
    (tmp_path / "points.json").write_text(json.dumps({"points": points.tolist()}))

    ok(privsim("query", structure, "points.npy", "out.npy", "--reduce", "mean", key=key))
    table = np.load(tmp_path / "out.npy")
    assert table.shape == (7, 3)
    for column, name in enumerate(("values", "std", "approximation_std")):
        np.testing.assert_array_equal(table[:, column], expected[name])

    ok(privsim("query", structure, "points.csv", "out.csv", "--reduce", "mean", key=key))
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert lines[0] == "value,std,approximation_std"
    np.testing.assert_array_equal(np.loadtxt(lines[1:], delimiter=","), table)

    ok(privsim("query", structure, "points.json", "out.json", "--reduce", "mean", key=key))
    assert json.loads((tmp_path / "out.json").read_text()) == expected

    exported = ok(privsim("export", structure, key=key)).stdout.strip()
    assert exported == f"gaussian_kde-{structure}.privsim"
    release = load_release((tmp_path / exported).read_bytes())
    np.testing.assert_allclose(release.query(points, "mean").values, expected["values"])

    refused(privsim("build", released["dataset"], "inner_product", "--epsilon", "0.1",
                    key=key), 77, "Not allowed (403)")


def test_errors_are_messages_with_conventional_exit_codes(
        privsim: Run, service: Service, released: dict[str, Any], tmp_path: Path) -> None:
    owner, dataset = released["owner"], released["dataset"]
    refused(privsim("datasets", "list", key="psk_not_a_key"), 77, "(401)",
            "the API key is not valid")
    refused(privsim("datasets", "show", "00000000-0000-0000-0000-000000000000", key=owner),
            1, "Not found (404)")

    (tmp_path / "short.csv").write_text("1,2\n3,4\n")  # the dataset has dim 4
    refused(privsim("upload", dataset, "short.csv", key=owner), 1, "Invalid input (422)",
            "dim")
    (tmp_path / "rows.txt").write_text("1,2,3,4\n")
    refused(privsim("upload", dataset, "rows.txt", key=owner), 2, ".npy, .parquet, .csv")
    refused(privsim("query", released["structure"], "short.csv", "out.txt", key=owner), 2,
            "OUT")
    (tmp_path / "garbage.npy").write_text("not an array")
    refused(privsim("query", released["structure"], "garbage.npy", "out.json", key=owner),
            65, "not a .npy file")
    np.save(tmp_path / "points.npy", np.zeros((2, 4)))
    refused(privsim("query", released["structure"], "points.npy", "missing/out.json",
                    key=owner), 73, "cannot write")
    exhausted = refused(privsim("build", dataset, *KDE, "--epsilon", "50", key=owner), 1,
                        "Privacy budget exhausted (409)")
    assert "remaining: epsilon=" in exhausted.stderr

    nowhere = cli_env("http://127.0.0.1:9", owner, tmp_path / "none.toml")
    refused(privsim("datasets", "list", env=nowhere), 69, "cannot reach the server")
    unset = cli_env(None, owner, tmp_path / "none.toml")
    refused(privsim("datasets", "list", env=unset), 78, "no server URL", "PRIVSIM_URL")
    refused(privsim("datasets", "create", "x", "--dim", "2", "--epsilon", "1", key=owner), 2,
            "--radius")


def test_settings_come_from_flag_then_environment_then_config_file(
        privsim: Run, service: Service, released: dict[str, Any], tmp_path: Path) -> None:
    owner, config = released["owner"], tmp_path / "settings" / "config.toml"
    bare = cli_env(None, None, config)
    ok(privsim("config", "set-url", service.url, env=bare))
    stored = ok(privsim("config", "set-key", env=bare, stdin=owner + "\n"))
    assert str(config) in stored.stderr and owner not in stored.stderr + stored.stdout
    assert stat.S_IMODE(os.stat(config).st_mode) == 0o600
    assert f'key = "{owner}"' in config.read_text()

    from_file = _json(ok(privsim("datasets", "list", "--json", env=bare)))
    assert [d["id"] for d in from_file] == [released["dataset"]]
    wrong = cli_env(None, "psk_revoked_or_wrong", config)  # the environment beats the file
    refused(privsim("datasets", "list", env=wrong), 77, "(401)")
    ok(privsim("--key", owner, "datasets", "list", env=wrong))  # the flag beats both
    shown = _json(ok(privsim("config", "show", "--json", env=wrong)))
    assert shown["key"]["source"] == "PRIVSIM_API_KEY" and shown["url"]["source"] == str(config)
    assert owner not in json.dumps(shown)

    login_config = tmp_path / "login.toml"
    logged_in = ok(privsim("login", "--url", service.url,
                           env=cli_env(None, None, login_config),
                           stdin=released["analyst"] + "\n"))
    assert "(analyst)" in logged_in.stderr
    assert released["analyst"] in login_config.read_text()
    refused(privsim("login", "--url", service.url, env=cli_env(None, None, tmp_path / "x.toml"),
                    stdin="psk_wrong\n"), 77, "(401)")
    assert not (tmp_path / "x.toml").exists()


def test_keys_merge_the_remote_and_local_commands_and_revoke(
        privsim: Run, service: Service) -> None:
    help_text = ok(privsim("keys", "--help")).stdout
    for command in ("add", "list", "revoke", "create"):
        assert f"  {command} " in help_text, help_text
    made = _json(ok(privsim("keys", "add", "--role", "analyst", "--name", "gone", "--json")))
    ok(privsim("keys", "revoke", made["id"]))
    refused(privsim("structures", "list", key=made["key"]), 77, "(401)")

    # the service's own `keys create` writes to its database, no server involved
    local = ok(privsim("keys", "create", "--role", "analyst", "--name", "local",
                       env=service.env)).stdout.strip()
    assert _json(ok(privsim("structures", "list", "--json", key=local))) == []
