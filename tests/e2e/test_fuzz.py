"""Schemathesis fuzzes every operation of the OpenAPI document against a real server,
with the ids of a real dataset, built structure and job: no input may produce a 5xx.
Destructive operations are left out so that the ids stay valid for the whole run.

Every request body media type is fuzzed, not only JSON. Schemathesis runs once per
media type (tests/e2e/fuzz_hooks.py offers each operation only that type where it
accepts it: left to choose, Hypothesis starves some types), with ``.npy``, Parquet and
CSV bodies built to pass the parsers' first checks (tests/e2e/bodies.py), and once more
with hostile raw JSON for the upload and query operations. The hooks tally every
response. The tally proves that each (operation, media type) of the document was sent,
often enough and with our bodies, and that each binary or text type got both 2xx and 4xx
answers: its bodies reached the end of the parser, not only its first magic-number check.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.db.migrate import upgrade
from tests.conftest import ADMIN_KEY
from tests.e2e.bodies import HOSTILE_JSON_ENV, JSON, JSON_KEYS, MEDIA_TYPE_ENV, TALLY_ENV
from tests.helpers import unit_ball_rows
from tests.live import ROOT, server, service_env

pytestmark = pytest.mark.e2e
HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}
MAX_EXAMPLES = 25  # per operation, in the JSON run
MULTI_TYPE_EXAMPLES = 120  # per operation and media type, for operations with several
MIN_PER_MEDIA_TYPE = 25  # bodies that must have been sent, for operations with several


def test_no_input_gets_a_server_error(sqlite_url: str, tmp_path: Path) -> None:
    upgrade(sqlite_url)
    env = service_env(sqlite_url, tmp_path / "var", PRIVSIM_INPROCESS_WORKERS="1",
                      PRIVSIM_LOG_LEVEL="WARNING")
    log, tally = tmp_path / "server.log", tmp_path / "tally.jsonl"
    with server(env, log) as base:
        dataset = _post(f"{base}/v1/datasets", {
            "name": "fuzz", "dim": 3, "domain": {"type": "l2_ball", "radius": 1},
            "budget": {"epsilon": 50, "delta": 1e-5}})["id"]
        _post(f"{base}/v1/datasets/{dataset}/rows", {"rows": unit_ball_rows(50, 3).tolist()})
        build = _post(f"{base}/v1/datasets/{dataset}/structures", {
            "kind": "gaussian_kde", "params": {"bandwidth": 0.5, "features": 64},
            "privacy": {"epsilon": 1}})
        _wait_for_job(base, build["job_id"])  # queries must reach a built structure
        model = _post(f"{base}/v1/models", {  # and predictions a built model
            "kind": "vmf", "dataset_id": dataset, "privacy": {"epsilon": 1, "delta": 1e-6}})
        _wait_for_job(base, model["job_id"])
        operations = _media_types(httpx.get(f"{base}/openapi.json").raise_for_status().json())
        config = tmp_path / "schemathesis.toml"
        config.write_text(_config(dataset, build | {"model_id": model["model_id"]},
                                  operations))
        started = time.monotonic()
        outputs = {run.name: _schemathesis(base, config, tally, run)
                   for run in _runs(operations)}
        elapsed = time.monotonic() - started
    calls = [json.loads(line) for line in tally.read_text().splitlines()] \
        if tally.exists() else []
    failures = [c for c in calls if c["status"] is None or c["status"] >= 500]
    failed_runs = {t: out for t, (rc, out) in outputs.items() if rc != 0}
    report = (f"{len(failures)} of {len(calls)} calls got a 5xx or no answer (fuzzing took "
              f"{elapsed:.0f}s):\n{_summary(failures)}\nserver tracebacks:\n{_tracebacks(log)}"
              + "".join(f"\n\nschemathesis, {t} run:\n{_shorten(out)[-3000:]}"
                        for t, out in failed_runs.items()))
    problems = _coverage_problems(operations, calls)
    assert not problems, "not every media type was exercised:\n" + "\n".join(problems) + (
        f"\nsent:\n{_sent(calls)}\n{report}")
    assert not failures and not failed_runs, report


def _media_types(document: dict[str, Any]) -> dict[str, list[str]]:
    """The request body media types of each fuzzed operation, by "METHOD /path"."""
    return {f"{method.upper()} {path}": list(operation["requestBody"]["content"])
            for path, methods in document["paths"].items()
            for method, operation in methods.items()
            if method != "delete" and "requestBody" in operation}


@dataclass(frozen=True, slots=True)
class Run:
    """One Schemathesis CLI run: each operation is offered only ``media_type`` where it
    accepts it; ``only`` names the operations fuzzed (all of them when empty)."""

    name: str
    media_type: str
    only: tuple[str, ...] = ()
    hostile_json: bool = False  # JSON_KEYS' operations get only hostile raw JSON


def _runs(operations: dict[str, list[str]]) -> list[Run]:
    """Every operation with JSON (and the coverage and stateful phases); JSON_KEYS'
    operations with hostile raw JSON; each other media type, on the operations that
    accept it."""
    hostile = tuple(name for name, types in operations.items()
                    if name.split(" ")[1] in JSON_KEYS and JSON in types)
    others = sorted({t for types in operations.values() for t in types} - {JSON})
    return [Run("json", JSON), Run("hostile-json", JSON, hostile, hostile_json=True),
            *(Run(t.replace("/", "_"), t, tuple(n for n, ts in operations.items() if t in ts))
              for t in others)]


def _config(dataset: str, build: dict[str, Any], operations: dict[str, list[str]]) -> str:
    lines = [
        'hooks = "tests.e2e.fuzz_hooks"',
        "continue-on-failure = true",  # keep fuzzing an operation after its first 5xx
        "[generation]", f"max-examples = {MAX_EXAMPLES}",
        "[parameters]",
        f'"path.dataset_id" = "{dataset}"',
        f'"path.structure_id" = "{build["structure_id"]}"',
        f'"path.job_id" = "{build["job_id"]}"',
        f'"path.model_id" = "{build["model_id"]}"',
    ]
    for name, types in operations.items():  # include-name: -path and -method would be ORed
        if len(types) > 1:
            lines += ["[[operations]]", f'include-name = "{name}"',
                      f"generation.max-examples = {MULTI_TYPE_EXAMPLES}"]
    return "\n".join(lines) + "\n"


def _schemathesis(base: str, config: Path, tally: Path, run: Run) -> tuple[int, str]:
    only = [arg for name in run.only for arg in ("--include-name", name)]
    result = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
         f"{base}/openapi.json", "--header", f"Authorization: Bearer {ADMIN_KEY}",
         "--checks", "not_a_server_error", "--seed", "1", "--exclude-method", "DELETE",
         "--request-timeout", "30", "--no-color",
         *(["--phases", "fuzzing", *only] if only else [])],
        capture_output=True, text=True, timeout=300, cwd=config.parent,
        env=os.environ | {TALLY_ENV: str(tally), MEDIA_TYPE_ENV: run.media_type,
                          HOSTILE_JSON_ENV: "1" if run.hostile_json else "",
                          "PYTHONPATH": os.pathsep.join(
                              filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))})
    output = result.stdout + result.stderr
    (config.parent / f"schemathesis-{run.name}.txt").write_text(output)
    return result.returncode, output


def _post(url: str, body: dict[str, Any]) -> Any:
    return httpx.post(url, headers=HEADERS, json=body).raise_for_status().json()


def _wait_for_job(base: str, job_id: str) -> None:
    deadline = time.monotonic() + 60
    while (status := httpx.get(f"{base}/v1/jobs/{job_id}", headers=HEADERS)
           .raise_for_status().json()["status"]) != "succeeded":
        assert status != "failed" and time.monotonic() < deadline, f"the build is {status}"
        time.sleep(0.2)


def _coverage_problems(operations: dict[str, list[str]], calls: list[dict[str, Any]]) -> list[str]:
    """Each (operation, media type) of the document was sent. Where an operation takes
    several media types, each got MIN_PER_MEDIA_TYPE bodies. Each non-JSON type got that
    many from tests/e2e/bodies.py (not Schemathesis' random bytes), and a 2xx and a 4xx:
    they reach the end of the parser, valid and invalid. JSON_KEYS' operations got as
    many hostile raw JSON bodies. A 5xx is no answer: a strategy whose valid bodies all
    fail is reported here, and in the 5xx list."""
    sent = Counter((c["operation"], c["media_type"]) for c in calls)
    ours = Counter((c["operation"], c["media_type"]) for c in calls if c["ours"])
    statuses = {(c["operation"], c["media_type"], (c["status"] or 0) // 100) for c in calls}
    problems = []
    for name, types in operations.items():
        for media_type in types:
            key = (name, media_type)
            count, wanted = sent[key], MIN_PER_MEDIA_TYPE if len(types) > 1 else 1
            if count < wanted:
                problems.append(f"{name} {media_type}: {count} bodies sent, wanted {wanted}")
            if media_type != JSON and ours[key] < wanted:
                problems.append(f"{name} {media_type}: {ours[key]} bodies from "
                                f"tests/e2e/bodies.py, wanted {wanted}")
            if media_type != JSON and not {(*key, 2), (*key, 4)} <= statuses:
                problems.append(f"{name} {media_type}: wanted both a 2xx and a 4xx")
        if name.split(" ")[1] in JSON_KEYS and ours[name, JSON] < MIN_PER_MEDIA_TYPE:
            problems.append(f"{name}: {ours[name, JSON]} hostile raw JSON bodies sent, "
                            f"wanted {MIN_PER_MEDIA_TYPE}")
    return problems


def _sent(calls: list[dict[str, Any]]) -> str:
    sent = Counter((c["operation"], c["media_type"]) for c in calls if c["media_type"])
    return "\n".join(f"  {op} {mt}: {n}" for (op, mt), n in sorted(sent.items()))


def _summary(failures: list[dict[str, Any]]) -> str:
    seen = Counter(f"{c['operation']} {c['media_type']} -> {c['status']}: {c.get('body')}"
                   + (f" query={str(c['query'])[:80]}" if c.get("query") else "")
                   for c in failures)
    lines = [f"  {n}x {line}" for line, n in seen.most_common()]
    return "\n".join(lines[:40] + ([f"  ... and {len(lines) - 40} more"] if lines[40:] else []))


def _shorten(text: str) -> str:
    """Schemathesis prints failing bodies whole: a run of one short string, a count."""
    return re.sub(r"(.{1,8}?)\1{19,}",
                  lambda m: f"{m.group(1)}<x{len(m.group(0)) // len(m.group(1))}>", text)


def _tracebacks(log: Path) -> str:
    """Each distinct server traceback as its exception type and the last frame of ours.
    An error our handler logs, uvicorn logs again right after: that copy is skipped."""
    ours = re.compile(rf'File "({re.escape(str(ROOT))}/(?:app|core)/[^"]+)", line (\d+), in (\w+)')
    seen: Counter[str] = Counter()
    previous = None
    for line in log.read_text(errors="replace").splitlines() if log.exists() else []:
        try:
            record = json.loads(line)
            trace = record.get("exc_info")
        except (json.JSONDecodeError, AttributeError):
            continue
        if trace:
            frames = ours.findall(trace)
            where = "{}:{} in {}".format(*frames[-1]) if frames else "(no frame of ours)"
            error = trace.strip().splitlines()[-1].split(":")[0]
            key = f"{error} at {where.removeprefix(str(ROOT) + '/')}"
            if not (record.get("logger") == "uvicorn.error" and key == previous):
                seen[key] += 1
            previous = key
    return "\n".join(f"  {n}x {line}" for line, n in seen.most_common()) or "  (none)"
