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

    # one workload (every kind on it): the digits workload adds time, not coverage
    assert accuracy_main(["--quick", "--only", "synthetic", "--out", str(tmp_path)]) == 0
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


@pytest.mark.slow
def test_models_benchmark_quick_mode_writes_a_sane_report(tmp_path) -> None:
    from bench.models import DPL_LR, DPL_NB, NAIVE, QUICK
    from bench.models import main as models_main

    assert models_main(["--quick", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "models.json").read_text())
    assert (tmp_path / "models.md").read_text().startswith("# Classifier benchmark")
    assert report["mode"] == "quick"
    assert {"cpu_count", "blas", "versions", "OPENBLAS_CORETYPE"} <= report["machine"].keys()
    assert "diffprivlib" in report["machine"]["versions"]
    names = {d["name"] for d in report["datasets"]}
    assert names == {"breast_cancer", "sentence_embeddings"}
    for dataset in report["datasets"]:
        ran = [r["method"] for r in report["results"] if r["dataset"] == dataset["label"]]
        # every method ran at every epsilon, or says why not (diffprivlib: not installed)
        assert NAIVE in ran
        for name in report["method_order"]:
            expected = 0 if name in dataset["unavailable"] else len(QUICK.epsilons)
            assert ran.count(name) == expected, name
        if report["machine"]["versions"]["diffprivlib"] == "not installed":
            assert dataset["unavailable"][DPL_LR] == dataset["unavailable"][DPL_NB] \
                == "not installed"
        # without noise the inner-product mean rule is the exact mean inner product
        exact = dataset["noiseless"]["privsim mean (inner_product)"]
        assert exact["exact"] == "inner product mean"
        assert exact["agreement"] == 1.0
        # and the cosine rule is the cosine centroid (where the core builds it)
        cosine = dataset["noiseless"].get("privsim cosine (inner_product)")
        assert cosine is None or cosine["agreement"] == 1.0
        # and so is the cosine rule with the public reference (no noise: nothing dropped)
        assert dataset["noiseless"]["privsim cosine + reference (inner_product)"][
            "agreement"] == 1.0
        assert 0.0 <= dataset["references"]["cosine centroid"] <= 1.0
    for result in report["results"]:
        accuracy = result["accuracy"]
        assert len(accuracy["samples"]) == QUICK.draws
        assert all(0.0 <= a <= 1.0 for a in accuracy["samples"])
        assert accuracy["min"] <= accuracy["mean"] <= accuracy["max"]
        assert result["seconds"]["median"] > 0
    assert report["goals"]["best"] is not None
    for row in report["goals"]["per_dataset"]:  # what is not ahead says tied or behind
        # the standard error is 0 where both cells' few quick draws happened to be equal
        assert all(c["verdict"] in ("tied", "behind") and 0 <= c["se"] < math.inf
                   for c in row["losses"])
        assert row["beats_baselines"] == (not row["losses"])


def test_sentence_embeddings_have_the_shape_the_benchmark_declares() -> None:
    import numpy as np

    from bench.data import TEST_FRACTION, sentence_embeddings

    data = sentence_embeddings()
    rows = np.vstack([data.train_rows, data.test_rows])
    labels = np.concatenate([data.train_labels, data.test_labels])
    assert rows.shape[1] == 384
    assert data.classes == tuple(range(12))
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, rtol=1e-12)
    for c in data.classes:
        size, held_out = np.sum(labels == c), np.sum(data.test_labels == c)
        assert 80 <= size <= 120
        assert held_out == round(TEST_FRACTION * size)
    cosines = rows @ rows.T
    assert np.mean(cosines[np.triu_indices(len(rows), k=1)]) > 0.15  # a common direction
    np.testing.assert_array_equal(sentence_embeddings().train_rows, data.train_rows)
    assert not np.array_equal(sentence_embeddings(seed=1).train_rows[:5], data.train_rows[:5])


@pytest.mark.slow
def test_solvers_benchmark_writes_its_report(tmp_path) -> None:
    """The orchestrator on its fastest part (the design part, a few seconds); the OT and
    regression parts take about a minute even in quick mode, so `python -m bench.solvers
    --quick` runs them by hand (bench/results/solvers.md is the full run)."""
    from bench.solvers import main as solvers_main

    assert solvers_main(["--quick", "--only", "design", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "solvers.json").read_text())
    assert report["mode"] == "quick" and list(report["parts"]) == ["design"]
    markdown = (tmp_path / "solvers.md").read_text()
    assert markdown.startswith("# Solver benchmark (quick)")
    assert "## Least-squares designs" in markdown and "Claim:" in markdown
