"""/v1/solvers through HTTP: optimal transport (against core and POT), OT marginals and
quality-diversity qualities read from a released structure (the query route's access
rule and audit record), kernel regression (against scikit-learn and brute force), designs
(counts, reproducibility, exact fits) and every refusal (422 naming the field). Large
problems as jobs and the size caps (413): tests/api/test_solve_jobs.py. Core solvers:
tests/unit/core/test_{ot,kernel_regression,design}.py."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.api import examples as ex
from core.solvers import design as dsg
from core.solvers.ot import cost_matrix, sinkhorn_newton_sparse
from tests.helpers import ADMIN, Api, unit_ball_rows

OT = "/v1/solvers/ot"
KRR = "/v1/solvers/kernel-regression"
DESIGN = "/v1/solvers/design"


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


def post(api: Api, url: str, body: Any, headers: dict[str, str] = ADMIN,
         status: int = 200) -> dict[str, Any]:
    r = api.c.post(url, headers=headers, json=body)
    assert r.status_code == status, r.text
    if status != 200:
        assert r.headers["content-type"] == "application/problem+json"
    return dict(r.json())


def refused(api: Api, url: str, body: Any, field: str, status: int = 422) -> str:
    """The problem's detail, checked to name the field."""
    detail = str(post(api, url, body, status=status)["detail"])
    assert field in detail, detail
    return detail


def structure(api: Api, headers: dict[str, str] = ADMIN) -> tuple[str, str]:
    """A ready gaussian_kde structure over 200 rows in the unit ball: (dataset, id)."""
    dataset_id = api.dataset(headers)
    api.upload(headers, dataset_id, unit_ball_rows(200, 3, seed=4))
    return dataset_id, api.built(headers, dataset_id, params={"bandwidth": 0.5,
                                                               "features": 128})


def answers(api: Api, structure_id: str, points: np.ndarray) -> np.ndarray:
    r = api.c.post(f"/v1/structures/{structure_id}/query", headers=ADMIN,
                   json={"points": points.tolist(), "reduce": "sum"})
    assert r.status_code == 200, r.text
    return np.asarray(r.json()["values"])


# --- optimal transport -------------------------------------------------------------------

def test_ot_by_cost_is_core_and_pot(api: Api) -> None:
    ot = pytest.importorskip("ot")
    rng = np.random.default_rng(0)
    C = rng.uniform(size=(12, 9))
    a, b = rng.uniform(0.5, 1.0, 12), rng.uniform(0.5, 1.0, 9)
    a, b = a / a.sum(), b / b.sum()
    body = post(api, OT, {"cost": C.tolist(), "a": a.tolist(), "b": b.tolist(), "reg": 0.05,
                          "tol": 1e-12, "return_plan": True})
    core = sinkhorn_newton_sparse(C, a, b, reg=0.05, tol=1e-12, return_plan=True)
    assert body["converged"] is True
    assert body["cost_value"] == pytest.approx(core.cost_value, rel=1e-12)
    assert body["iterations"] == core.iterations
    assert body["sinkhorn_iterations"] + body["newton_iterations"] == body["iterations"]
    assert body["marginal_error"] < 1e-12
    assert core.plan is not None
    np.testing.assert_allclose(body["plan"], core.plan, rtol=1e-10, atol=1e-16)
    plan = ot.sinkhorn(a, b, C, reg=0.05, method="sinkhorn_log", numItermax=100_000,
                       stopThr=1e-14)
    assert body["cost_value"] == pytest.approx(float(np.sum(plan * C)), abs=1e-9)


def test_ot_by_points_is_core_with_its_cost(api: Api) -> None:
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(10, 2)), rng.normal(size=(7, 2))
    a, b = np.full(10, 0.1), np.full(7, 1 / 7)
    for metric in ("sqeuclidean", "euclidean", "cityblock"):
        body = post(api, OT, {"x": x.tolist(), "y": y.tolist(), "metric": metric,
                              "a": a.tolist(), "b": b.tolist(), "reg": 0.1})
        core = sinkhorn_newton_sparse(cost_matrix(x, y, metric), a, b, reg=0.1)
        assert body["cost_value"] == pytest.approx(core.cost_value, rel=1e-12), metric
        assert body["plan"] is None
        assert body["converged"] is True


def test_ot_max_iter_one_is_a_200_not_converged(api: Api) -> None:
    body = post(api, OT, ex.SOLVER_OT_COST | {"max_iter": 1})
    assert body["converged"] is False
    assert body["iterations"] == 1
    assert body["marginal_error"] > 1e-9
    timed = post(api, OT, ex.SOLVER_OT_COST | {"time_limit": 1e-9})
    assert timed["converged"] is False


def test_ot_structure_marginals_are_the_clipped_answers(api: Api) -> None:
    dataset_id, structure_id = structure(api)
    xs = unit_ball_rows(6, 3, seed=5)
    ys = unit_ball_rows(5, 3, seed=6)
    w = np.maximum(answers(api, structure_id, xs), 0.0)
    b = np.full(5, 2.0)  # mass 10: the structure side is rescaled to it
    ref = {"structure_id": structure_id, "points": xs.tolist()}
    body = post(api, OT, {"a": ref, "y": ys.tolist(), "b": b.tolist(), "reg": 0.1})
    expected = w * (10.0 / w.sum())
    np.testing.assert_allclose(body["a"], expected, rtol=1e-12)
    core = sinkhorn_newton_sparse(cost_matrix(xs, ys), expected, b, reg=0.1)
    assert body["cost_value"] == pytest.approx(core.cost_value, rel=1e-10)
    # both sides from structures: both rescaled to mass 1
    both = post(api, OT, {"a": ref, "b": {"structure_id": structure_id,
                                          "points": ys.tolist()}, "reg": 0.1})
    assert math.fsum(both["a"]) == pytest.approx(1.0)
    assert math.fsum(both["b"]) == pytest.approx(1.0)
    v = np.maximum(answers(api, structure_id, ys), 0.0)
    np.testing.assert_allclose(both["b"], v / v.sum(), rtol=1e-12)
    # each structure read is audited as a query, as the query route does
    events = api.c.get(f"/v1/datasets/{dataset_id}/audit", headers=ADMIN).json()["events"]
    sizes = [e["details"]["points"] for e in events if e["action"] == "query"]
    assert sizes == [6, 6, 6, 5, 5]  # answers(), ot, ot (a, b), answers()
    # with the cost given, the points only give the weights
    C = cost_matrix(xs, ys)
    given = post(api, OT, {"cost": C.tolist(), "a": ref, "b": b.tolist(), "reg": 0.1})
    assert given["cost_value"] == pytest.approx(body["cost_value"], rel=1e-12)


def test_ot_structure_access_is_the_query_routes(api: Api) -> None:
    """The structure's own rule (tests/api/test_auth_matrix.py has the solvers' public
    bodies): its dataset's owner, an admin and a granted analyst may use it; another
    owner and an ungranted analyst get what the query route gives them."""
    _, owner = api.key("owner")
    dataset_id, structure_id = structure(api, owner)
    analyst_id, analyst = api.key("analyst")
    r = api.c.post(f"/v1/datasets/{dataset_id}/grants", headers=owner,
                   json={"key_id": analyst_id})
    assert r.status_code == 201, r.text
    points = [[0.0, 0.0, 0.0], [0.2, 0.0, 0.0]]  # answers about 60, never <= 0 in 30 builds
    body = {"a": {"structure_id": structure_id, "points": points}, "b": [1.0, 1.0],
            "y": [[0.1, 0.0, 0.0], [0.0, 0.1, 0.0]], "reg": 0.1}
    for headers in (ADMIN, owner, analyst):
        assert post(api, OT, body, headers=headers)["converged"] is True
    for role in ("owner", "analyst"):
        _, stranger = api.key(role)  # not granted the dataset
        query = api.c.post(f"/v1/structures/{structure_id}/query", headers=stranger,
                           json={"points": points})
        solve = api.c.post(OT, headers=stranger, json=body)
        assert solve.status_code == query.status_code == 403
        assert solve.json()["type"] == query.json()["type"]
    unknown = body | {"a": {"structure_id": "5a1f0e55-0000-4000-8000-000000000000",
                            "points": points}}
    refused(api, OT, unknown, "not found", status=404)
    # a model is not a structure: 404 as on the query route
    labelled = api.dataset(ADMIN, classes=[0, 1])
    api.upload(ADMIN, labelled, unit_ball_rows(20, 3), labels=[0, 1] * 10)
    r = api.c.post("/v1/models", headers=ADMIN, json={
        "kind": "classifier", "dataset_id": labelled, "privacy": {"epsilon": 0.5},
        "structure": {"kind": "gaussian_kde", "params": {"bandwidth": 0.5, "features": 8}}})
    assert r.status_code == 202, r.text
    api.run_jobs()
    model_id = r.json()["model_id"]
    model = body | {"a": {"structure_id": model_id, "points": points}}
    refused(api, OT, model, "not found", status=404)
    refused(api, DESIGN, {"pool": points, "quality": {"structure_id": model_id}, "k": 1,
                          "kernel": {"kind": "gaussian_kde", "params": {"bandwidth": 1.0}}},
            "not found", status=404)
    # a point of the wrong dimension is the query's own refusal, on the marginal's points
    wrong = body | {"a": {"structure_id": structure_id, "points": [[0.0, 0.0]] * 2},
                    "y": [[0.0, 0.0]] * 2}
    detail = refused(api, OT, wrong, "a.points")
    assert "dimension" in detail or "columns" in detail, detail


def test_ot_refusals_name_the_field(api: Api) -> None:
    good = {"cost": [[0.0, 1.0], [1.0, 0.0]], "a": [0.5, 0.5], "b": [0.5, 0.5], "reg": 0.1}
    refused(api, OT, good | {"a": [0.5, 0.5, 0.0]}, "a: must have one weight per row of cost")
    refused(api, OT, good | {"b": [1.5, -0.5]}, "b: must be non-negative")
    refused(api, OT, good | {"a": [1e308, 1e308], "b": [1e308, 1e308]},
            "a: must have a finite sum")
    detail = refused(api, OT, good | {"b": [0.5, 0.6]}, "b")
    assert "marginals that do not sum to the same mass" in detail
    refused(api, OT, good | {"reg": 0.0}, "reg")
    refused(api, OT, good | {"sparsity": 1.5}, "sparsity")
    refused(api, OT, good | {"time_limit": 3601.0}, "time_limit: must be at most 3600")
    refused(api, OT, good | {"time_limit": 1e6}, "time_limit")
    refused(api, OT, good | {"max_iter": 0}, "max_iter")
    refused(api, OT, good | {"cost": [[0.0, 1.0], [1.0]]}, "cost")
    refused(api, OT, good | {"x": [[0.0], [1.0]]}, "x: is not used with cost")
    refused(api, OT, good | {"metric": "chebyshev"}, "metric")
    points = {"x": [[0.0], [1.0]], "y": [[0.0], [1.0]], "a": [0.5, 0.5], "b": [0.5, 0.5],
              "reg": 0.1}
    refused(api, OT, points | {"y": [[0.0, 1.0], [1.0, 0.0]]}, "y: must have as many "
            "columns as x")
    refused(api, OT, {k: v for k, v in points.items() if k != "y"}, "y: is required")
    refused(api, OT, points | {"a": {"structure_id": ex.STRUCTURE_ID, "points": [[0.0]]}},
            "x: give the support either as x or as a.points")
    refused(api, OT, points | {"b": [0.5, 0.25, 0.25]}, "b: must have one weight per row")
    refused(api, OT, {"x": [[0.0], [1.0, 2.0]]} | {k: v for k, v in points.items()
                                                    if k != "x"}, "x")
    # NaN and Infinity are not JSON: the strict route refuses them before validation
    for raw in (b'{"cost": [[NaN]], "a": [1], "b": [1], "reg": 0.1}',
                b'{"cost": [[Infinity]], "a": [1], "b": [1], "reg": 0.1}'):
        r = api.c.post(OT, headers=ADMIN | {"content-type": "application/json"}, content=raw)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"


# --- kernel regression -------------------------------------------------------------------

def _gaussian(X: np.ndarray, Y: np.ndarray, h: float) -> np.ndarray:
    sq = ((X[:, None, :] - Y[None, :, :]) ** 2).sum(-1)
    return np.asarray(np.exp(-sq / h**2))


def test_kernel_regression_is_kernel_ridge_and_the_gp(api: Api) -> None:
    kernel_ridge = pytest.importorskip("sklearn.kernel_ridge")
    rng = np.random.default_rng(2)
    X, Q = rng.uniform(-1, 1, size=(40, 2)), rng.uniform(-1, 1, size=(7, 2))
    y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2 + 0.05 * rng.normal(size=40)
    h, ridge = 0.6, 1e-2
    K, Ks = _gaussian(X, X, h), _gaussian(X, Q, h)
    model = kernel_ridge.KernelRidge(alpha=ridge, kernel="precomputed").fit(K, y)
    want = model.predict(Ks.T)
    A = K + ridge * np.eye(40)
    gp_var = 1.0 - np.einsum("ij,ij->j", Ks, np.linalg.solve(A, Ks))
    body = {"x": X.tolist(), "y": y.tolist(), "ridge": ridge, "points": Q.tolist(),
            "kernel": {"kind": "gaussian_kde", "params": {"bandwidth": h}}, "loo": True}
    for extra in ({}, {"method": "cholesky"}, {"preconditioner": "pivoted_cholesky",
                                               "rank": 10}):
        out = post(api, KRR, body | extra)
        assert out["converged"] is True, extra
        np.testing.assert_allclose(out["mean"], want, rtol=1e-8, atol=1e-9)
        np.testing.assert_allclose(out["variance"], gp_var, rtol=1e-6, atol=1e-9)
        assert out["scale"] is None and out["dof"] is None
        assert out["residual_norm"] < 1e-9
        assert {s["stage"] for s in out["solves"]} == {"fit", "variance"}
    # LOO residuals against refitting without each point
    brute = [y[i] - kernel_ridge.KernelRidge(alpha=ridge, kernel="precomputed").fit(
        np.delete(np.delete(K, i, 0), i, 1), np.delete(y, i)).predict(
        np.delete(K[i], i)[None, :])[0] for i in range(40)]
    np.testing.assert_allclose(out["loo_residuals"], brute, rtol=1e-7, atol=1e-10)
    assert out["loo_method"] == "exact"
    # Student-t: nu = 2a + n, scale = (2b + y'alpha) / nu * GP variance
    t = post(api, KRR, body | {"student_t": {"a": 3.0, "b": 2.0}, "loo": False})
    nu = 2 * 3.0 + 40
    factor = (2 * 2.0 + float(y @ np.linalg.solve(A, y))) / nu
    assert t["dof"] == pytest.approx(nu)
    np.testing.assert_allclose(t["scale"], factor * gp_var, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(t["variance"], factor * gp_var * nu / (nu - 2), rtol=1e-6,
                               atol=1e-12)
    assert t["loo_residuals"] is None
    # no points: a fit only; variance false: the mean only
    fit_only = post(api, KRR, {k: v for k, v in body.items() if k != "points"})
    assert fit_only["mean"] == [] and fit_only["variance"] is None
    mean_only = post(api, KRR, body | {"variance": False})
    assert mean_only["variance"] is None
    np.testing.assert_allclose(mean_only["mean"], want, rtol=1e-8, atol=1e-9)


def test_kernel_regression_max_iter_one_is_not_converged(api: Api) -> None:
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, size=(60, 1))
    body = {"x": X.tolist(), "y": np.cos(4 * X[:, 0]).tolist(), "ridge": 1e-6,
            "kernel": {"kind": "gaussian_kde", "params": {"bandwidth": 0.5}},
            "preconditioner": "none", "max_iter": 1, "points": [[0.0]]}
    out = post(api, KRR, body)
    assert out["converged"] is False
    assert out["iterations"] == 1
    assert out["solves"][0]["stopped"] == "max_iter"
    timed = post(api, KRR, body | {"max_iter": 5000, "time_limit": 1e-9})
    assert timed["converged"] is False
    assert timed["solves"][0]["stopped"] == "time_limit"
    # an infinite Student-t variance (nu = 2a + n <= 2) is a null entry
    t = post(api, KRR, {"x": [[0.0]], "y": [1.0], "ridge": 0.1, "points": [[0.3]],
                        "kernel": {"kind": "gaussian_kde", "params": {"bandwidth": 0.5}},
                        "student_t": {"a": 0.1, "b": 1.0}})
    assert t["variance"] == [None] and t["dof"] == pytest.approx(1.2)
    assert t["scale"][0] > 0


def test_kernel_regression_refusals_name_the_field(api: Api) -> None:
    good = {"x": [[0.0], [0.5], [1.0]], "y": [1.0, 2.0, 3.0], "ridge": 0.1,
            "kernel": {"kind": "gaussian_kde", "params": {"bandwidth": 0.5}}}
    assert post(api, KRR, good)["converged"] is True
    refused(api, KRR, good | {"kernel": {"kind": "nope"}}, "kernel.kind: must be one of")
    detail = refused(api, KRR, good | {"kernel": {"kind": "l2_distance"}}, "kernel.kind")
    assert "not a positive-definite kernel" in detail
    refused(api, KRR, good | {"kernel": {"kind": "gaussian_kde"}},
            "kernel.params.bandwidth: is required")
    refused(api, KRR, good | {"kernel": {"kind": "gaussian_kde",
                                         "params": {"bandwidth": 1.0, "zz": 1}}},
            "kernel.params")
    refused(api, KRR, good | {"ridge": 0.0}, "ridge")
    refused(api, KRR, good | {"ridge": -1.0}, "ridge")
    refused(api, KRR, good | {"ridge": 1e-300}, "ridge: must be at least")  # singular
    refused(api, KRR, good | {"y": [1.0, 2.0]}, "y: must have one value per row")
    refused(api, KRR, good | {"points": [[0.0, 1.0]]}, "points: must have as many columns")
    refused(api, KRR, good | {"x": [[0.0], [0.5, 1.0], [1.0]]}, "x")
    refused(api, KRR, good | {"student_t": {"a": 0.0, "b": 1.0}}, "student_t.a")
    refused(api, KRR, good | {"method": "lu"}, "method")
    refused(api, KRR, good | {"tol": 1.0}, "tol")


def test_the_examples_are_what_the_service_answers(api: Api) -> None:
    for url, request, answer in ((OT, ex.SOLVER_OT_COST, ex.SOLVER_OT_OUT),
                                 (KRR, ex.SOLVER_KRR_IN, ex.SOLVER_KRR_OUT),
                                 (DESIGN, ex.SOLVER_DESIGN_IN, ex.SOLVER_DESIGN_OUT)):
        body = post(api, url, request)
        assert set(body) == set(answer), url
        for name, value in answer.items():
            if name in ("seconds", "solves", "marginal_error", "residual_norm", "plan"):
                continue
            if isinstance(value, float):
                assert body[name] == pytest.approx(value, rel=1e-3), (url, name)
            elif isinstance(value, list) and value and isinstance(value[0], float):
                np.testing.assert_allclose(body[name], value, rtol=1e-3, atol=1e-6)
            else:
                assert body[name] == value, (url, name)
    for request in (ex.SOLVER_OT_POINTS, ex.SOLVER_KRR_STUDENT):
        post(api, OT if "a" in request else KRR, request)


# --- designs -----------------------------------------------------------------------------

POOL = np.linspace(-1.0, 1.0, 201)


def test_design_counts_and_reproduces(api: Api) -> None:
    base = {"pool": POOL.tolist(), "basis": {"kind": "legendre", "degree": 4}}
    for method, n, count in (("iid", 12, 12), ("dpp", None, 5), ("volume", 9, 9),
                             ("volume", None, 10)):
        body = base | {"method": method, "seed": 11} | ({} if n is None else {"n": n})
        first, again = post(api, DESIGN, body), post(api, DESIGN, body)
        assert first == again, method
        assert len(first["indices"]) == len(first["weights"]) == count, method
        assert first["mode"] == "least_squares" and first["seed"] == 11
        assert first["coefficients"] is None and first["log_det"] is None
        if method == "dpp":
            assert len(set(first["indices"])) == 5
        # the same draw as core's with the same public seed
        Phi = dsg.legendre_features(POOL, 4)
        core = dsg.solve_design(Phi, np.zeros(POOL.size), np.random.default_rng(11),
                                method=method, n=n)
        assert first["indices"] == core.indices.tolist()
        np.testing.assert_allclose(first["weights"], core.weights, rtol=1e-12)
        assert first["gram_condition"] == pytest.approx(core.gram_condition)
        assert first["full_rank"] is core.full_rank
    drawn = post(api, DESIGN, base)
    assert drawn["method"] == "volume" and isinstance(drawn["seed"], int)
    assert post(api, DESIGN, base | {"seed": drawn["seed"]}) == drawn


def test_design_fits_a_function_in_the_span_exactly(api: Api) -> None:
    Phi = dsg.legendre_features(POOL, 3)
    c = np.array([0.5, -1.0, 0.25, 2.0])
    body = {"pool": POOL.tolist(), "basis": {"kind": "legendre", "degree": 3},
            "y": (Phi @ c).tolist(), "seed": 3}
    out = post(api, DESIGN, body)
    np.testing.assert_allclose(out["coefficients"], c, atol=1e-10)
    # the raw features give the same draw and fit
    raw = post(api, DESIGN, {"features": Phi.tolist(), "y": (Phi @ c).tolist(), "seed": 3})
    assert raw["indices"] == out["indices"]
    np.testing.assert_allclose(raw["coefficients"], c, atol=1e-10)
    # a polynomial basis in 2-D: C(2 + 2, 2) = 6 functions, volume draws 2m = 12
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 9), np.linspace(-1, 1, 9)), -1)
    pool2 = grid.reshape(-1, 2)
    poly = post(api, DESIGN, {"pool": pool2.tolist(), "basis": {"kind": "polynomial",
                                                                 "degree": 2}, "seed": 1})
    assert len(poly["indices"]) == 12


def test_design_refusals_name_the_field(api: Api) -> None:
    base = {"pool": POOL.tolist(), "basis": {"kind": "legendre", "degree": 4}}
    refused(api, DESIGN, base | {"n": 3, "method": "volume"}, "n: must be between 5")
    refused(api, DESIGN, base | {"n": 3, "method": "dpp"}, "n: must be m")
    refused(api, DESIGN, base | {"y": [1.0, 2.0]}, "y: must have one value per pool point")
    refused(api, DESIGN, base | {"method": "greedy"}, "method")
    refused(api, DESIGN, base | {"k": 3}, "k: is only used with quality")
    refused(api, DESIGN, {"pool": [2.0, 0.0, 0.5], "basis": {"kind": "legendre",
                                                             "degree": 1}}, "pool")
    refused(api, DESIGN, {"pool": [[0.0, 0.1]], "basis": {"kind": "legendre",
                                                          "degree": 1}}, "pool")
    refused(api, DESIGN, {"pool": [0.0, 0.5], "basis": {"kind": "legendre", "degree": 4}},
            "pool")  # fewer points than basis functions
    refused(api, DESIGN, {"basis": {"kind": "legendre", "degree": 1}}, "pool: is required")
    refused(api, DESIGN, {"features": [[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]]},
            "features: columns must be linearly independent")  # singular
    refused(api, DESIGN, base | {"features": [[1.0]]}, "features: give features")
    refused(api, DESIGN, {"quality": {"structure_id": ex.STRUCTURE_ID}, "pool": [[0.0]],
                          "kernel": {"kind": "gaussian_kde", "params": {"bandwidth": 1.0}},
                          "k": 1, "y": [1.0]}, "y: is not used with quality")
    refused(api, DESIGN, {"quality": {"structure_id": ex.STRUCTURE_ID}, "pool": [[0.0]],
                          "k": 1}, "kernel: is required with quality")
    refused(api, DESIGN, {"features": [[1.0] * 1001] * 1001}, "basis functions is 1,001",
            status=413)


def test_quality_diversity_uses_the_structures_answers(api: Api) -> None:
    _, structure_id = structure(api)
    pool = unit_ball_rows(30, 3, seed=8)
    kernel = {"kind": "gaussian_kde", "params": {"bandwidth": 0.4}}
    body = {"pool": pool.tolist(), "quality": {"structure_id": structure_id},
            "kernel": kernel, "k": 4}
    out = post(api, DESIGN, body)
    q = np.sqrt(np.maximum(answers(api, structure_id, pool), 0.0))
    K = _gaussian(pool, pool, 0.4)
    core = dsg.quality_diversity(K, q, 4, method="greedy")
    assert out["mode"] == "quality_diversity" and out["method"] == "greedy"
    assert out["indices"] == core.indices.tolist()
    assert out["log_det"] == pytest.approx(core.log_det, rel=1e-8)
    assert out["complete"] is True and out["weights"] is None
    sampled = post(api, DESIGN, body | {"method": "sample", "seed": 5})
    assert len(set(sampled["indices"])) == 4
    assert post(api, DESIGN, body | {"method": "sample", "seed": 5}) == sampled
    refused(api, DESIGN, body | {"k": 31}, "k")
    refused(api, DESIGN, body | {"kernel": {"kind": "sq_l2_distance"}}, "kernel.kind")
    refused(api, DESIGN, body | {"method": "volume"}, "method: must be sample or greedy")


# --- access ------------------------------------------------------------------------------

def test_any_key_may_solve_public_problems_and_none_without_one(api: Api) -> None:
    dataset_id = api.dataset(ADMIN)
    for role in ("owner", "analyst"):
        _, headers = api.key(role, [dataset_id] if role == "analyst" else None)
        post(api, OT, ex.SOLVER_OT_POINTS, headers=headers)
        post(api, KRR, ex.SOLVER_KRR_IN, headers=headers)
        post(api, DESIGN, ex.SOLVER_DESIGN_IN, headers=headers)
    for url, body in ((OT, ex.SOLVER_OT_COST), (KRR, ex.SOLVER_KRR_IN),
                      (DESIGN, ex.SOLVER_DESIGN_IN)):
        r = api.c.post(url, json=body)
        assert r.status_code == 401
        assert r.headers["content-type"] == "application/problem+json"


def _ready_model(api: Api, body: dict[str, Any]) -> str:
    r = api.c.post("/v1/models", headers=ADMIN, json=body)
    assert r.status_code == 202, r.text
    api.run_jobs()
    job = api.c.get(r.json()["job_url"], headers=ADMIN).json()
    assert job["status"] == "succeeded", job
    return str(r.json()["model_id"])


def test_kernel_regression_on_public_points_labelled_by_a_dp_model(api: Api) -> None:
    """y: {model_id}: the targets are the model's predictions at x, exactly what its
    predict route answers (so the fit equals one on those values), read with the
    predict route's audit record; a classifier gives the probability of ``label``."""
    dim = 3
    rng = np.random.default_rng(5)
    dataset_id = api.dataset(ADMIN, dim=dim, epsilon=10.0, delta=1e-5, label_range=[0, 10])
    rows = rng.uniform(-0.5, 0.5, size=(1500, dim))
    r = api.c.post(f"/v1/datasets/{dataset_id}/rows", headers=ADMIN,
                   json={"rows": rows.tolist(), "labels": (5 + 8 * rows[:, 0]).tolist()})
    assert r.status_code == 200, r.text
    regressor = _ready_model(api, {
        "kind": "regressor", "dataset_id": dataset_id,
        "structure": {"kind": "gaussian_kde", "params": {"bandwidth": 0.4, "features": 256,
                                                         "mechanism": "gaussian"}},
        "privacy": {"epsilon": 4.0, "delta": 1e-6}})
    public = rng.uniform(-0.4, 0.4, size=(40, dim))
    values = api.c.post(f"/v1/models/{regressor}/predict", headers=ADMIN,
                        json={"points": public.tolist()}).json()["values"]
    body = {"x": public.tolist(), "kernel": {"kind": "gaussian_kde",
                                             "params": {"bandwidth": 0.5}},
            "ridge": 1e-2, "method": "cholesky", "points": public[:5].tolist()}
    by_model = api.c.post("/v1/solvers/kernel-regression", headers=ADMIN,
                          json=body | {"y": {"model_id": regressor}})
    assert by_model.status_code == 200, by_model.text
    by_values = api.c.post("/v1/solvers/kernel-regression", headers=ADMIN,
                           json=body | {"y": values}).json()
    assert np.allclose(by_model.json()["mean"], by_values["mean"], rtol=1e-12, atol=0)
    events = api.c.get(f"/v1/datasets/{dataset_id}/audit", headers=ADMIN).json()["events"]
    predicts = [e["details"]["points"] for e in events if e["action"] == "predict"]
    assert predicts == [40, 40]  # the predict route's read and the solver's

    labelled = api.dataset(ADMIN, dim=dim, epsilon=10.0, delta=1e-5, classes=[0, 1])
    api.upload(ADMIN, labelled, rows, labels=[int(v) for v in rows[:, 0] > 0])
    classifier = _ready_model(api, {
        "kind": "classifier", "dataset_id": labelled, "rule": "cosine",
        "structure": {"kind": "inner_product", "params": {"mechanism": "gaussian"}},
        "privacy": {"epsilon": 4.0, "delta": 1e-6}})
    scores = api.c.post(f"/v1/models/{classifier}/predict", headers=ADMIN,
                        json={"points": public.tolist()}).json()["scores"]
    by_class = api.c.post("/v1/solvers/kernel-regression", headers=ADMIN,
                          json=body | {"y": {"model_id": classifier, "label": 1}}).json()
    expected = api.c.post("/v1/solvers/kernel-regression", headers=ADMIN,
                          json=body | {"y": [s[1] for s in scores]}).json()
    assert np.allclose(by_class["mean"], expected["mean"], rtol=1e-12, atol=0)

    for y, status, where in [
        ({"model_id": classifier}, 422, "y.label"),
        ({"model_id": classifier, "label": 7}, 422, "y.label"),
        ({"model_id": regressor, "label": 1}, 422, "y.label"),
        ({"model_id": "00000000-0000-0000-0000-000000000000"}, 404, ""),
    ]:
        r = api.c.post("/v1/solvers/kernel-regression", headers=ADMIN, json=body | {"y": y})
        assert r.status_code == status, (y, r.text)
        assert where in r.text
    structure = api.built(ADMIN, dataset_id, params={"bandwidth": 0.5, "features": 32})
    r = api.c.post("/v1/solvers/kernel-regression", headers=ADMIN,
                   json=body | {"y": {"model_id": structure}})
    assert r.status_code == 404  # a structure is not a model, as on the predict route
