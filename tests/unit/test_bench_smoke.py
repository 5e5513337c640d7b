"""The KDE benchmark's quick mode runs end to end and writes sane figures."""

from __future__ import annotations

import json
import math

import pytest

from bench.kde import EPSILONS, VARIANTS, main


@pytest.mark.slow
def test_kde_benchmark_quick_mode_writes_a_sane_report(tmp_path) -> None:
    assert main(["--quick", "--out", str(tmp_path)]) == 0

    report = json.loads((tmp_path / "kde.json").read_text())
    assert {"benchmark", "mode", "command", "machine", "settings", "workloads", "results",
            "total_seconds"} <= report.keys()
    assert report["mode"] == "quick"
    assert {"cpu_count", "blas", "versions", "OPENBLAS_CORETYPE"} <= report["machine"].keys()
    assert (tmp_path / "kde.md").read_text().startswith("# KDE benchmark")

    workloads = [w["label"] for w in report["workloads"]]
    assert len(report["results"]) == len(workloads) * len(VARIANTS)
    for result in report["results"]:
        assert result["workload"] in workloads
        assert result["size_bytes"] > 0
        assert result["build_seconds"] > 0
        assert result["query_seconds_per_1000"]["median"] > 0
        assert math.isfinite(result["noiseless_mae"])
        assert [a["epsilon"] for a in result["accuracy"]] == list(EPSILONS)
        maes = [a["mae"]["mean"] for a in result["accuracy"]]
        assert all(math.isfinite(m) and m >= 0 for m in maes)
        # more budget, less noise: the largest epsilon is at least as accurate
        assert maes[-1] <= maes[0], (result["workload"], result["label"], maes)


@pytest.mark.slow
def test_accuracy_benchmark_quick_mode_covers_every_kind(tmp_path) -> None:
    from bench.accuracy import EPSILONS as ACCURACY_EPSILONS
    from bench.accuracy import main as accuracy_main
    from core.structures import KINDS

    assert accuracy_main(["--quick", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "accuracy.json").read_text())
    assert (tmp_path / "accuracy.md").read_text().startswith("# Accuracy benchmark")
    for workload in report["workloads"]:
        kinds = {r["kind"] for r in report["results"] if r["workload"] == workload["label"]}
        assert kinds == set(KINDS), workload["label"]
    for result in report["results"]:
        assert result["size_bytes"] > 0 and result["build_seconds"] > 0
        assert result["query_seconds_per_1000"]["median"] > 0
        errors = [a["error"]["mean"] for a in result["accuracy"]]
        assert [a["epsilon"] for a in result["accuracy"]] == list(ACCURACY_EPSILONS)
        assert all(math.isfinite(e) and e >= 0 for e in errors)
        # where the noise dominates at the smallest epsilon, the largest is more accurate
        # (where a bias dominates, e.g. the banded estimator, noise can cancel part of it)
        if errors[0] > 2 * result["floor"]:
            assert errors[-1] <= errors[0], (result["workload"], result["label"], errors)
    claims = {c["claim"] for c in report["claims"]}
    assert claims == {"pareto_vs_lsq_rff", "l1_additive_bound"}
