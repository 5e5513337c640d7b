"""The load test's smoke mode runs locust against a real server, twice, and reports: no
failure and no 429 without a rate limit; with one, 429s that count as expected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.load import main

REQUEST_TYPES = {"query 1 point (JSON)", "query 10 points (JSON)", "query 100 points (.npy)",
                 "read dataset", "read structure", "read ledger (owner)", "Aggregated"}


@pytest.mark.slow
@pytest.mark.e2e
def test_load_smoke_runs_both_runs_and_reports(tmp_path: Path) -> None:
    assert main(["--smoke", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "load.json").read_text())
    assert (tmp_path / "load.md").read_text().startswith("# Load test (locust)")
    assert {"cpu_count", "blas", "versions"} <= report["machine"].keys()
    unlimited, limited = report["runs"]
    assert unlimited["rate_limit"] is None
    assert limited["rate_limit"] == "10/second"
    for run in (unlimited, limited):
        by_name = {entry["name"]: entry for entry in run["requests"]}
        assert {"query 1 point (JSON)", "Aggregated"} <= by_name.keys()
        assert by_name.keys() <= REQUEST_TYPES
        total = by_name["Aggregated"]
        assert total["requests"] > 0
        assert total["failures"] == 0, run["label"]
        assert total["requests_per_second"] > 0
        assert total["p50_ms"] is not None
    assert all(entry["rate_limited_429"] == 0 for entry in unlimited["requests"])
    limited_total = next(e for e in limited["requests"] if e["name"] == "Aggregated")
    assert limited_total["rate_limited_429"] > 0
