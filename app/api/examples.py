"""Example requests and responses for the OpenAPI document, one session's worth: a
dataset of 300 rows in the unit ball, a Gaussian KDE on it. ``tests/api/test_openapi.py``
checks that each example validates against its model."""

from __future__ import annotations

from typing import Any

DATASET_ID = "24c85da0-27cf-47c1-9434-975e7a48f3cf"
STRUCTURE_ID = "98c5d187-5f23-401a-99dd-26e2bb4207c7"
JOB_ID = "7a74fabf-a473-463a-975d-dce1d98034d4"
KEY_ID = "b54c2b5b-b9f7-4859-a497-4151bb7ada3b"
ADMIN_KEY_ID = "c7f20138-fe7c-434e-9c8e-3704b21dc2a3"

KEY_CREATE: dict[str, Any] = {"role": "analyst", "name": "analyst key",
                              "dataset_ids": [DATASET_ID]}
KEY: dict[str, Any] = {"id": KEY_ID, "name": "analyst key", "role": "analyst",
                       "created_at": "2026-12-06T22:02:01.657603Z", "revoked_at": None}
KEY_SELF: dict[str, Any] = {"id": KEY_ID, "name": "analyst key", "role": "analyst"}
KEY_CREATED: dict[str, Any] = KEY | {"key": "psk_DOQ3u4Fcx1O1HjYVzJiGctBqLlAzBEcSuYsefVO86KE"}

DATASET_CREATE: dict[str, Any] = {
    "name": "patients", "dim": 3, "domain": {"type": "l2_ball", "radius": 1.0},
    "neighbouring": "add_remove", "budget": {"epsilon": 2.0, "delta": 1e-5}}
BUDGET: dict[str, Any] = {"epsilon": {"total": 2.0, "spent": 0.5, "remaining": 1.5},
                          "delta": {"total": 1e-05, "spent": 0.0, "remaining": 1e-05},
                          "accounting": "basic"}
DATASET: dict[str, Any] = {
    "id": DATASET_ID, "name": "patients", "dim": 3,
    "domain": {"type": "l2_ball", "radius": 1.0}, "neighbouring": "add_remove",
    "on_out_of_domain": "clip", "labelled": False, "accounting": "basic",
    "budget": BUDGET, "row_count": 300, "created_at": "2026-12-06T22:02:01.699857Z",
    "rows_purged_at": None}
DATASET_NEW: dict[str, Any] = DATASET | {
    "budget": BUDGET | {"epsilon": {"total": 2.0, "spent": 0.0, "remaining": 2.0}},
    "row_count": 0}

GRANT_CREATE: dict[str, Any] = {"key_id": KEY_ID}
GRANT: dict[str, Any] = {"dataset_id": DATASET_ID, "key_id": KEY_ID, "created": True}

ROWS: dict[str, Any] = {"rows": [[0.12, -0.5, 0.3], [0.0, 0.25, -0.8]]}
ROWS_CSV = "x0,x1,x2\n0.12,-0.5,0.3\n0.0,0.25,-0.8\n"
ROWS_ACCEPTED: dict[str, Any] = {"accepted": 300, "clipped": 0, "rejected": 0}
ROWS_PURGED: dict[str, Any] = {"purged": 300}

PLAN: dict[str, Any] = {
    "epsilon": 0.5, "delta": 0.0, "mechanism": "laplace",
    "statistics": [
        {"statistic": "features", "size": 256, "mechanism": "laplace",
         "sensitivity": 181.019, "noise_scale": 419.056, "sensitivity_norm": "l1",
         "epsilon": 0.432},
        {"statistic": "count", "size": 1, "mechanism": "laplace", "sensitivity": 1.0,
         "noise_scale": 14.699, "sensitivity_norm": "l1", "epsilon": 0.068}]}

LEDGER: dict[str, Any] = {
    "dataset_id": DATASET_ID, "budget": BUDGET,
    "entries": [{
        "id": 1, "entry": "spend", "structure_id": STRUCTURE_ID, "epsilon": 0.5,
        "delta": 0.0, "pure_epsilon": 0.5, "rho": 0.125,
        "mechanism": {"structure_kind": "gaussian_kde", "neighbouring": "add_remove"}
        | PLAN,
        "key_id": ADMIN_KEY_ID, "created_at": "2026-12-06T22:02:01.771792Z"}],
    "next_after": None}

AUDIT: dict[str, Any] = {
    "dataset_id": DATASET_ID,
    "events": [
        {"id": 1, "action": "create", "key_id": ADMIN_KEY_ID,
         "details": {"name": "patients", "dim": 3, "neighbouring": "add_remove",
                     "epsilon": 2.0, "delta": 1e-05},
         "created_at": "2026-12-06T22:02:01.701404Z"},
        {"id": 2, "action": "upload", "key_id": ADMIN_KEY_ID,
         "details": {"accepted": 300, "clipped": 0, "rejected": 0, "chunks": 1},
         "created_at": "2026-12-06T22:02:01.731599Z"},
        {"id": 5, "action": "build_ready", "key_id": None,
         "details": {"structure_id": STRUCTURE_ID, "size_bytes": 6431},
         "created_at": "2026-12-06T22:02:01.875163Z"}],
    "next_after": None}

KDE_PARAMS: dict[str, Any] = {"bandwidth": 0.5, "features": 256}
STRUCTURE_CREATE: dict[str, Any] = {"kind": "gaussian_kde", "params": KDE_PARAMS,
                                    "privacy": {"epsilon": 0.5, "delta": 0.0}}
FILLED_PARAMS: dict[str, Any] = {"bandwidth": 0.5, "features": 256, "projection_dim": None,
                                 "mechanism": "laplace", "frequencies": "orthogonal",
                                 "precision": "float32"}
ACCURACY_WARNING = ("too few rows for 0.1 of a typical answer at this epsilon: the privacy "
                    "noise of a mean answer has std 0.188 (target 0.1); about 564 rows "
                    "would meet it")
STRUCTURE_ACCEPTED: dict[str, Any] = {
    "structure_id": STRUCTURE_ID, "job_id": JOB_ID,
    "status_url": f"/v1/structures/{STRUCTURE_ID}", "job_url": f"/v1/jobs/{JOB_ID}",
    "warnings": [ACCURACY_WARNING]}
ESTIMATE: dict[str, Any] = {
    "kind": "gaussian_kde", "params": FILLED_PARAMS, "privacy": PLAN,
    "spend": {"epsilon": 0.5, "delta": 0.0}, "affordable": True,
    "remaining": {"epsilon": 2.0, "delta": 1e-05},
    "error": {"noise_std_sum": 52.382, "noise_std_mean": 0.1879,
              "approximation_mean": 0.0625, "typical_mean": 1.0, "target_mean": None},
    "minimum_rows": 564, "size_bytes": 5120,
    "cost": {"release_bytes": 5120, "build_memory_bytes": 2144664, "build_seconds": 0.0385,
             "noise_values": 257, "query_seconds_per_point": 2.2e-06},
    "warnings": [ACCURACY_WARNING]}
STRUCTURE: dict[str, Any] = {
    "id": STRUCTURE_ID, "dataset_id": DATASET_ID, "kind": "gaussian_kde",
    "params": FILLED_PARAMS, "seed": "8234eabe91e050071ffd8515c94cf5ab", "privacy": PLAN,
    "status": "ready",
    "error_model": {"noise_std_sum": 52.382, "count_noise_std": 20.788,
                    "approximation_std_mean": 0.0625, "details": {}},
    "size_bytes": 6431, "job_id": JOB_ID, "created_at": "2026-12-06T22:02:01.772629Z",
    "ready_at": "2026-12-06T22:02:01.874538Z"}

QUERY: dict[str, Any] = {"points": [[0.1, 0.2, 0.3], [0.0, 0.0, 0.0]], "reduce": "mean"}
QUERY_ANSWER: dict[str, Any] = {"reduce": "mean", "values": [0.1912, 0.5729],
                                "std": [0.2043, 0.2089],
                                "approximation_std": [0.0625, 0.0625]}

JOB: dict[str, Any] = {
    "id": JOB_ID, "kind": "build_structure", "structure_id": STRUCTURE_ID,
    "dataset_id": DATASET_ID, "status": "succeeded", "progress": 1.0, "error": None,
    "attempts": 1, "created_at": "2026-12-06T22:02:01.774315Z",
    "updated_at": "2026-12-06T22:02:01.869781Z",
    "finished_at": "2026-12-06T22:02:01.869781Z", "result_url": None}
SOLVE_JOB_ID = "0b5e3c0e-6f0a-4c55-9a58-8f1d2a7c4e19"
SOLVE_ACCEPTED: dict[str, Any] = {
    "job_id": SOLVE_JOB_ID, "kind": "solve_ot", "job_url": f"/v1/jobs/{SOLVE_JOB_ID}",
    "result_url": f"/v1/jobs/{SOLVE_JOB_ID}/result"}
SOLVE_JOB: dict[str, Any] = {
    "id": SOLVE_JOB_ID, "kind": "solve_ot", "structure_id": None, "dataset_id": None,
    "status": "running", "progress": 0.42, "error": None, "attempts": 1,
    "created_at": "2026-12-07T06:10:11.204113Z", "updated_at": "2026-12-07T06:10:41.530027Z",
    "finished_at": None, "result_url": f"/v1/jobs/{SOLVE_JOB_ID}/result"}

# the bandwidth advisor: 5,000 rows in 8 dimensions, a build's default sizes at (1, 1e-6)
BANDWIDTH_IN: dict[str, Any] = {
    "n": 5000, "dim": 8, "bandwidth": 2.0,
    "spectrum": [2.0, 1.5, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25],
    "privacy": {"epsilon": 1.0, "delta": 1e-6}, "features": 1024, "mechanism": "gaussian"}
BANDWIDTH_OUT: dict[str, Any] = {
    "alpha": 1.0646, "regime": "clt", "h": 1.4142, "h_clt": 0.41023, "h_g": 0.29008,
    "bandwidth_clt": 0.58016, "bandwidth_g": 0.41023, "typical_sum": 418.09,
    "noise_std": 6.4076, "snr": 65.248, "warning": None}

# models: a classifier over a dataset with classes [0, 1, 2]
MODEL_ID = "0b7a8f8e-5d1c-4c86-9d0e-2f1b9a6c3e55"
MODEL_CREATE: dict[str, Any] = {
    "kind": "classifier", "dataset_id": DATASET_ID, "rule": "mean",
    "structure": {"kind": "gaussian_kde", "params": {"bandwidth": 0.8, "features": 1024,
                                                     "mechanism": "gaussian"}},
    "privacy": {"epsilon": 1.0, "delta": 1e-6}}
REGRESSOR_CREATE: dict[str, Any] = {
    "kind": "regressor", "dataset_id": DATASET_ID,
    "structure": {"kind": "gaussian_kde", "params": {"bandwidth": 0.5, "features": 2048,
                                                     "mechanism": "gaussian"}},
    "privacy": {"epsilon": 2.0, "delta": 1e-6}}
MODEL_ACCEPTED: dict[str, Any] = {
    "model_id": MODEL_ID, "job_id": JOB_ID, "status_url": f"/v1/models/{MODEL_ID}",
    "job_url": f"/v1/jobs/{JOB_ID}", "warnings": []}
MODEL: dict[str, Any] = {
    "id": MODEL_ID, "dataset_id": DATASET_ID, "kind": "classifier",
    "params": {"rule": "mean", "structure": {"kind": "gaussian_kde", "params": {
        "bandwidth": 0.8, "alpha": None, "projection_dim": None, "features": 1024,
        "mechanism": "gaussian", "frequencies": "orthogonal", "precision": "float32"}}},
    "seed": "8234eabe91e050071ffd8515c94cf5ab",
    "privacy": {"epsilon": 1.0, "delta": 1e-06, "mechanism": "gaussian", "statistics": [
        {"statistic": "features", "size": 3072, "mechanism": "gaussian",
         "sensitivity": 22.627, "noise_scale": 97.41, "sensitivity_norm": "l2",
         "rho": 0.0270},
        {"statistic": "count", "size": 3, "mechanism": "gaussian", "sensitivity": 1.0,
         "noise_scale": 5.83, "sensitivity_norm": "l2", "rho": 0.0147}]},
    "status": "ready",
    "error_model": {"noise_std_sum": 6.088, "count_noise_std": 5.83,
                    "approximation_std_mean": 0.0442, "details": {"classes": 3.0}},
    "size_bytes": 61874, "job_id": JOB_ID, "created_at": "2026-12-06T22:02:01.772629Z",
    "ready_at": "2026-12-06T22:02:02.104220Z"}
PREDICT: dict[str, Any] = {"points": [[0.1, 0.2, 0.3], [-0.4, 0.0, 0.1]]}
PREDICTION: dict[str, Any] = {"labels": [0, 2], "classes": [0, 1, 2],
                              "scores": [[0.81, 0.12, 0.07], [0.05, 0.18, 0.77]]}
REGRESSION: dict[str, Any] = {"values": [4.72, 6.10], "std": [0.21, 0.34]}
EXPECTATION: dict[str, Any] = {
    "nodes": [[0.0, 0.0, 0.0], [0.5, 0.0, 0.0], [0.0, 0.5, 0.0], [0.0, 0.0, 0.5]],
    "values": [0.31, 0.42, 0.28, 0.35], "ridge": None}
EXPECTATION_ANSWER: dict[str, Any] = {"value": 0.3342, "std": 0.0151,
                                      "approximation_std": 0.0, "ridge": 3.7e-08,
                                      "nodes": 4, "kernel": "release"}

# solvers (docs/solvers/api.md): outputs as the service answered these requests
SOLVER_OT_COST: dict[str, Any] = {
    "cost": [[0.0, 1.0, 4.0], [1.0, 0.0, 1.0], [4.0, 1.0, 0.0]],
    "a": [0.5, 0.3, 0.2], "b": [0.2, 0.3, 0.5], "reg": 0.1, "return_plan": True}
SOLVER_OT_POINTS: dict[str, Any] = {
    "x": [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], "y": [[0.5, 0.5], [1.0, 1.0]],
    "metric": "sqeuclidean", "a": [0.4, 0.3, 0.3], "b": [0.5, 0.5], "reg": 0.05}
SOLVER_OT_STRUCTURE: dict[str, Any] = {
    "a": {"structure_id": STRUCTURE_ID,
          "points": [[0.0, 0.0, 0.0], [0.3, 0.0, 0.0], [0.0, 0.3, 0.0], [0.0, 0.0, 0.3]]},
    "y": [[0.0, 0.0, 0.0], [0.2, 0.2, 0.2], [-0.2, 0.0, 0.1], [0.1, -0.3, 0.0]],
    "b": [0.25, 0.25, 0.25, 0.25], "reg": 0.01}
SOLVER_OT_OUT: dict[str, Any] = {
    "cost_value": 0.60003, "iterations": 30, "sinkhorn_iterations": 20,
    "newton_iterations": 10, "marginal_error": 3.2e-11, "converged": True, "seconds": 0.0116,
    "a": [0.5, 0.3, 0.2], "b": [0.2, 0.3, 0.5],
    "plan": [[0.2, 0.29999, 1.36e-05], [1.9e-14, 1.36e-05, 0.29999], [5.3e-32, 1.9e-14, 0.2]]}
SOLVER_KRR_IN: dict[str, Any] = {
    "x": [[-1.0], [-0.5], [0.0], [0.5], [1.0]], "y": [0.2, 0.6, 1.0, 0.7, 0.1],
    "kernel": {"kind": "gaussian_kde", "params": {"bandwidth": 0.7}}, "ridge": 0.01,
    "points": [[-0.25], [0.25]], "loo": True}
SOLVER_KRR_STUDENT: dict[str, Any] = SOLVER_KRR_IN | {
    "method": "cholesky", "student_t": {"a": 2.0, "b": 1.0}, "loo": False}
SOLVER_KRR_OUT: dict[str, Any] = {
    "mean": [0.84774, 0.93933], "variance": [0.016723, 0.016723], "scale": None, "dof": None,
    "loo_residuals": [0.031637, 0.020048, 0.20420, 0.11036, -0.11649], "loo_method": "exact",
    "iterations": 1, "converged": True, "residual_norm": 3.3e-14,
    "solves": [{"stage": "fit", "method": "pcg", "iterations": 1, "residual_norm": 3.3e-14,
                "converged": True, "stopped": "converged", "seconds": 0.00054},
               {"stage": "variance", "method": "pcg", "iterations": 1,
                "residual_norm": 5.1e-14, "converged": True, "stopped": "converged",
                "seconds": 0.00013}]}
SOLVER_DESIGN_IN: dict[str, Any] = {
    "pool": [round(-1.0 + 2.0 * i / 40, 3) for i in range(41)],
    "basis": {"kind": "legendre", "degree": 3}, "method": "volume", "n": 8, "seed": 7}
SOLVER_DESIGN_QUALITY: dict[str, Any] = {
    "pool": [[0.0, 0.0, 0.0], [0.1, 0.0, 0.0], [0.5, 0.0, 0.0], [0.0, 0.5, 0.0],
             [0.0, 0.0, 0.5], [-0.5, 0.0, 0.0]],
    "quality": {"structure_id": STRUCTURE_ID},
    "kernel": {"kind": "gaussian_kde", "params": {"bandwidth": 0.3}}, "k": 3,
    "method": "greedy"}
SOLVER_DESIGN_OUT: dict[str, Any] = {
    "mode": "least_squares", "method": "volume", "seed": 7,
    "indices": [28, 39, 14, 0, 8, 39, 0, 37],
    "weights": [1.2627, 0.43207, 1.3584, 0.29855, 1.3226, 0.43207, 0.29855, 0.84738],
    "coefficients": None, "gram_condition": 2.9533, "full_rank": True, "log_det": None,
    "complete": None}
