"""``python -m bench.perf --smoke`` runs every section end to end and writes a report
whose figures are finite and positive (no timing thresholds: speed is the benchmark's
business, not the tests')."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bench.perf import SMOKE, Mixture, brute_mean_kde32, main, matrix_work


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


def _timing(stats: dict[str, Any]) -> bool:
    return all(_positive(stats[k]) for k in ("median", "min", "max")) \
        and stats["min"] <= stats["median"] <= stats["max"]


def _report(out: Path, *sections: str) -> dict[str, Any]:
    assert main(["--smoke", "--only", *sections, "--out", str(out)]) == 0
    report: dict[str, Any] = json.loads((out / "perf.json").read_text())
    assert report["mode"] == "smoke"
    assert {"cpu_count", "blas", "versions", "OPENBLAS_CORETYPE", "load_average_end"} \
        <= report["machine"].keys()
    assert (out / "perf.md").read_text().startswith("# Performance benchmark (smoke)")
    return report


@pytest.mark.slow
def test_perf_smoke_writes_finite_positive_figures(tmp_path: Path) -> None:
    from core.kinds import KINDS

    report = _report(tmp_path, "queries", "brute", "build", "noise")
    sections = report["sections"]
    assert list(sections) == ["gemm", "queries", "brute", "build", "noise"]  # gemm: the peak
    for precision in ("float64", "float32"):
        assert _positive(sections["gemm"][precision]["gflops_best"])
        assert _positive(sections["gemm"]["before_build"][precision]["gflops_best"])

    queries = sections["queries"]["results"]
    assert [r["kind"] for r in queries] == list(KINDS)
    for result in queries:
        assert [b["batch"] for b in result["batches"]] == list(SMOKE.query_batches)
        for batch in result["batches"]:
            assert _timing(batch["seconds"]) and _positive(batch["queries_per_second"])
            if result["work"]["flops_per_point"] is None:
                assert batch["fraction_of_peak"] is None and result["work"]["reason"]
            else:
                assert _positive(batch["gflops"]) and _positive(batch["fraction_of_peak"])
    by_kind = {r["kind"]: r["work"] for r in queries}
    assert by_kind["l1_distance"]["flops_per_point"] is None
    assert _positive(by_kind["gaussian_kde"]["flops_per_point"])

    brute = sections["brute"]
    assert _timing(brute["brute_force_seconds"])
    assert 0 <= brute["brute_force_relative_error"] < 1e-3  # float32 against float64
    assert [v["kind"] for v in brute["variants"]] == ["gaussian_kde", "gaussian_kde",
                                                      "rff_baseline"]
    for variant in brute["variants"]:
        assert _timing(variant["query_seconds"]) and _positive(variant["speed_up"])
        assert _positive(variant["single_query_seconds"]["p50"])
        errors = variant["relative_error_reference_rows"]
        assert len(errors["samples"]) == SMOKE.brute_draws
        assert all(math.isfinite(e) and e >= 0 for e in errors["samples"])
    assert isinstance(brute["goal"]["met"], bool)

    builds = sections["build"]["results"]
    wide_dim, wide_rows = SMOKE.build_wide
    assert [(b["kind"], b["dim"], b["rows"]) for b in builds] == [
        (kind, SMOKE.build_dim, n) for kind in ("gaussian_kde", "l1_distance")
        for n in SMOKE.build_rows] + [("gaussian_kde", wide_dim, wide_rows)]
    for build in builds:
        assert "skipped" not in build
        assert _positive(build["rows_per_second"]) and _positive(build["sums_rows_per_second"])
        assert build["peak_rss_bytes"] >= build["base_rss_bytes"] > 0
        assert (build["gflops"] is None) == (build["kind"] == "l1_distance")
        if build["gflops"] is not None:  # a fraction of the higher GEMM measurement
            gemm = sections["gemm"]
            peak = max(gemm["float32"]["gflops_best"],
                       gemm["before_build"]["float32"]["gflops_best"])
            assert build["fraction_of_peak"] == pytest.approx(build["gflops"] / peak)

    noise = sections["noise"]["results"]
    assert {(r["sampler"], r["values"]) for r in noise} == {
        (s, n) for s in ("laplace", "gaussian") for n in SMOKE.noise_sizes}
    for draw in noise:
        assert _timing(draw["seconds"]) and _positive(draw["values_per_second"])
        assert _positive(draw["one_chunk"]["values_per_second"])
        assert _positive(draw["one_chunk_exact_lattice"]["values_per_second"])


@pytest.mark.e2e
def test_perf_smoke_loads_the_real_service_and_the_bare_endpoints(tmp_path: Path) -> None:
    service = _report(tmp_path, "service")["sections"]["service"]
    targets = ["privsim, JSON body", "privsim, npy body and answer",
               "privsim structured, JSON body", "bare FastAPI, pydantic",
               "bare FastAPI, orjson"]
    assert [r["target"] for r in service["results"]] == targets
    assert [r["target"] for r in service["single_client"]] == targets
    for target in service["results"] + service["single_client"]:
        assert target["requests"] > 0 and set(target["statuses"]) == {"200"}, target
        assert _positive(target["requests_per_second"]["median"])
        assert 0 < target["latency_seconds"]["p50"] <= target["latency_seconds"]["p99"]
        assert target["server_cpu_fraction"] >= 0 and target["client_cpu_fraction"] >= 0
    assert all(_positive(r) for r in service["ratios"].values())


def test_the_chunked_mixture_is_reproducible_chunk_by_chunk() -> None:
    mixture = Mixture(2_500, 6, 1_000, seed=3)
    chunks = list(mixture)
    assert [c.shape for c in chunks] == [(1_000, 6), (1_000, 6), (500, 6)]
    again = list(Mixture(2_500, 6, 1_000, seed=3))
    for first, second in zip(chunks, again, strict=True):
        np.testing.assert_array_equal(first, second)
    assert np.all(np.linalg.norm(np.vstack(chunks), axis=1) <= 1.0 + 1e-12)
    assert not np.array_equal(chunks[0], chunks[1])
    np.testing.assert_array_equal(mixture.queries(7), Mixture(10, 6, 10, seed=3).queries(7))


def test_the_float32_brute_force_matches_float64_exact_sums() -> None:
    rng = np.random.default_rng(0)
    rows = rng.uniform(-0.3, 0.3, (10_000, 5))  # more rows than one block of 8,192
    points = rng.uniform(-0.3, 0.3, (7, 5))
    sq = np.sum((points[:, None, :] - rows[None, :, :]) ** 2, axis=2)
    exact = np.exp(-sq / 0.5**2).mean(axis=1)
    found = brute_mean_kde32(rows.astype(np.float32), points, 0.5)
    np.testing.assert_allclose(found, exact, rtol=1e-5)


def test_matrix_work_counts_the_public_matrices_and_the_sums() -> None:
    arrays = {"frequencies": np.zeros((512, 128)), "feature_sum": np.zeros(1024)}
    work = matrix_work("gaussian_kde", arrays, "float32")
    assert work["flops_per_point"] == 2 * 512 * 128 + 2 * 1024
    assert work["precision"] == "float32" and "frequencies 512x128" in work["formula"]
    assert matrix_work("inner_product", {"sums": np.zeros(8)}, "float64")[
        "flops_per_point"] is None
    assert matrix_work("l2_distance", {"projection": np.zeros((4, 8))}, "float64")[
        "flops_per_point"] is None


@pytest.mark.slow
def test_asgi_smoke_measures_both_apps_in_process(tmp_path: Path) -> None:
    """``python -m bench.perf_asgi --smoke``: privsim's query route (dense and structured
    frequencies, answered 200) and both bare endpoints, CPU per request positive, the
    ratio taken of the bare pydantic endpoint."""
    import gc

    from bench import perf_asgi

    try:
        assert perf_asgi.main(["--smoke", "--out", str(tmp_path)]) == 0
    finally:
        gc.unfreeze()  # the app froze this test process's objects at its start-up
    report = json.loads((tmp_path / "perf_asgi.json").read_text())
    assert report["mode"] == "smoke" and report["dim"] == SMOKE.service_dim
    assert set(report["privsim"]) == {"orthogonal", "structured"}
    assert set(report["bare"]) == {"pydantic", "orjson"}
    for result in [*report["privsim"].values(), *report["bare"].values()]:
        cpu = result["cpu_seconds"]
        assert len(cpu["samples"]) == perf_asgi.SMOKE_SIZES.rounds
        assert all(_positive(x) for x in cpu["samples"])
        assert cpu["min"] <= cpu["median"] and _positive(result["wall_seconds"]["median"])
    reference = report["bare"]["pydantic"]["cpu_seconds"]["median"]
    for name, ratio in report["ratio_to_bare_pydantic"].items():
        assert ratio == pytest.approx(
            reference / report["privsim"][name]["cpu_seconds"]["median"])
