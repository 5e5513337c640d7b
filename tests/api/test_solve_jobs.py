"""Large solver problems as jobs (app.services.solve_jobs, the worker's solve path).

The settings here make the synchronous limits 1% of the base limits and the job limits
the base limits, so that jobs are small enough to run in a test: OT above 10,000 cost
entries, kernel regression above n = 500, a design pool above 2,000 points run as jobs;
above the base limits is 413. Each job's answer is checked against the same problem
solved in the request or by core directly."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from uuid import UUID

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.api.schemas.solvers import (
    DESIGN_MAX_KERNEL_ENTRIES,
    DESIGN_MAX_POOL,
    KRR_MAX_ENTRIES,
    OT_MAX_ENTRIES,
)
from app.db.base import utcnow
from app.domain import JobStatus
from app.services import solve_jobs
from app.services.solvers import KernelRegressionProblem
from app.settings import Settings
from app.workers.worker import BUILD_KINDS, SOLVE_KINDS
from core.solvers.ot import cost_matrix, sinkhorn_newton_sparse
from tests.conftest import make_settings
from tests.helpers import ADMIN, Api, unit_ball_rows

OT = "/v1/solvers/ot"
KRR = "/v1/solvers/kernel-regression"
DESIGN = "/v1/solvers/design"


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Settings:
    return make_settings(sqlite_url, tmp_path / "var", solver_sync_scale=0.01,
                         solver_job_scale=1.0)


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


def _ot_body(n: int = 150, m: int = 100) -> dict[str, Any]:
    rng = np.random.default_rng(3)
    x, y = rng.uniform(size=(n, 2)), rng.uniform(size=(m, 2))
    return {"x": x.tolist(), "y": y.tolist(), "a": [1.0 / n] * n, "b": [1.0 / m] * m,
            "reg": 0.05, "tol": 1e-10}


def submit(api: Api, url: str, body: Any, headers: dict[str, str] = ADMIN,
           **extra: str) -> dict[str, Any]:
    r = api.c.post(url, headers=headers | extra, json=body)
    assert r.status_code == 202, r.text
    accepted = dict(r.json())
    assert r.headers["location"] == accepted["job_url"] == f"/v1/jobs/{accepted['job_id']}"
    assert accepted["result_url"] == f"{accepted['job_url']}/result"
    return accepted


def result(api: Api, accepted: dict[str, Any], headers: dict[str, str] = ADMIN,
           status: int = 200) -> dict[str, Any]:
    r = api.c.get(accepted["result_url"], headers=headers)
    assert r.status_code == status, r.text
    return dict(r.json())


def without_timing(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer less its wall times (the only fields two solves may differ in)."""
    out = {k: v for k, v in answer.items() if k != "seconds"}
    if "solves" in out:
        out["solves"] = [{k: v for k, v in s.items() if k != "seconds"}
                         for s in out["solves"]]
    return out


def test_a_large_ot_problem_runs_as_a_job_with_the_same_answer_as_core(api: Api) -> None:
    body = _ot_body()  # 15,000 entries > 10,000
    accepted = submit(api, OT, body)
    assert accepted["kind"] == "solve_ot"
    job = api.c.get(accepted["job_url"], headers=ADMIN).json()
    assert job["status"] == "queued"
    assert job["kind"] == "solve_ot"
    assert job["structure_id"] is None
    assert job["dataset_id"] is None
    assert job["result_url"] == accepted["result_url"]
    detail = result(api, accepted, status=409)["detail"]
    assert "queued" in detail
    assert api.run_jobs() == 1
    job = api.c.get(accepted["job_url"], headers=ADMIN).json()
    assert job["status"] == "succeeded"
    assert job["progress"] == 1.0
    answer = result(api, accepted)
    C = cost_matrix(np.asarray(body["x"]), np.asarray(body["y"]))
    core = sinkhorn_newton_sparse(C, np.asarray(body["a"]), np.asarray(body["b"]), reg=0.05,
                                  tol=1e-10)
    assert answer["converged"] is True
    assert answer["cost_value"] == pytest.approx(core.cost_value, rel=1e-12)
    assert answer["iterations"] == core.iterations
    assert answer["plan"] is None


@pytest.mark.parametrize(("url", "body"), [
    (OT, _ot_body(20, 10)),
    (KRR, {"x": [[i / 10] for i in range(30)], "y": [np.sin(i / 10) for i in range(30)],
           "kernel": {"kind": "gaussian_kde", "params": {"bandwidth": 0.5}}, "ridge": 1e-3,
           "points": [[0.05], [1.5]], "loo": True, "student_t": {"a": 2.0, "b": 1.0}}),
    (DESIGN, {"pool": np.linspace(-1, 1, 101).tolist(),
              "basis": {"kind": "legendre", "degree": 4}, "method": "volume", "seed": 7,
              "y": np.cos(np.linspace(-1, 1, 101)).tolist()}),
])
def test_prefer_respond_async_gives_a_job_with_the_synchronous_answer(
        api: Api, url: str, body: dict[str, Any]) -> None:
    r = api.c.post(url, headers=ADMIN, json=body)
    assert r.status_code == 200, r.text
    accepted = submit(api, url, body, Prefer="respond-async, wait=10")
    assert api.run_jobs() == 1
    assert without_timing(result(api, accepted)) == without_timing(r.json())


def test_preference_applied_is_said_only_when_asked(api: Api) -> None:
    r = api.c.post(OT, headers=ADMIN | {"Prefer": "respond-async"}, json=_ot_body(5, 5))
    assert r.status_code == 202
    assert r.headers["preference-applied"] == "respond-async"
    r = api.c.post(OT, headers=ADMIN, json=_ot_body())
    assert r.status_code == 202
    assert "preference-applied" not in r.headers
    r = api.c.post(OT, headers=ADMIN | {"Prefer": "return=minimal"}, json=_ot_body(5, 5))
    assert r.status_code == 200


def test_a_long_time_limit_makes_a_job_and_one_above_the_job_cap_is_refused(api: Api) -> None:
    small = _ot_body(5, 5)
    submit(api, OT, small | {"time_limit": 31.0})
    r = api.c.post(OT, headers=ADMIN, json=small | {"time_limit": 3601.0})
    assert r.status_code == 422
    assert "time_limit: must be at most 3600" in r.json()["detail"]


def test_above_the_job_limits_is_413_before_any_work(api: Api) -> None:
    line = [[i / 1000] for i in range(1001)]  # 1001 x 1000 > 1,000,000 entries
    cases: list[tuple[str, dict[str, Any], int]] = [
        (OT, {"x": line, "y": line[:1000], "a": [1.0] * 1001, "b": [1.001] * 1000,
              "reg": 1.0}, 1001 * 1000),
        (KRR, {"x": [[0.0]] * 5001, "y": [0.0] * 5001, "ridge": 1.0,
               "kernel": {"kind": "gaussian_kde", "params": {"bandwidth": 1.0}}}, 5001**2),
        (DESIGN, {"pool": [0.0] * (DESIGN_MAX_POOL + 1),
                  "basis": {"kind": "legendre", "degree": 1}}, DESIGN_MAX_POOL + 1),
        (DESIGN, {"pool": [[0.0, 0.0, 0.0]] * 5001,
                  "quality": {"structure_id": "0b5e3c0e-6f0a-4c55-9a58-8f1d2a7c4e19"},
                  "kernel": {"kind": "gaussian_kde", "params": {"bandwidth": 1.0}},
                  "k": 2}, 5001**2),
    ]
    assert (OT_MAX_ENTRIES, KRR_MAX_ENTRIES, DESIGN_MAX_KERNEL_ENTRIES) == (
        1_000_000, 25_000_000, 25_000_000)
    for url, body, size in cases:
        r = api.c.post(url, headers=ADMIN, json=body)
        assert r.status_code == 413, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert "even as a job" in r.json()["detail"]
        assert f"{size:,}" in r.json()["detail"]
    with api.state.uow() as tx:  # nothing was queued
        assert tx.jobs.claimable(utcnow()) is None


def test_a_returned_plan_is_capped_even_for_a_job(api: Api) -> None:
    r = api.c.post(OT, headers=ADMIN, json=_ot_body() | {"return_plan": True})
    assert r.status_code == 413
    assert "ask without return_plan" in r.json()["detail"]
    accepted = submit(api, OT, _ot_body(40, 30) | {"return_plan": True},
                      Prefer="respond-async")
    api.run_jobs()
    plan = np.asarray(result(api, accepted)["plan"])
    assert plan.shape == (40, 30)
    np.testing.assert_allclose(plan.sum(axis=1), 1 / 40, rtol=1e-8)


def test_bad_input_is_still_422_in_the_request(api: Api) -> None:
    body = _ot_body()
    r = api.c.post(OT, headers=ADMIN, json=body | {"b": [0.5] * 100})
    assert r.status_code == 422
    assert "b" in r.json()["detail"]
    pool = np.linspace(-1, 1, 3000).tolist()
    r = api.c.post(DESIGN, headers=ADMIN, json={"pool": [*pool[:-1], 2.0],
                                                "basis": {"kind": "legendre", "degree": 3}})
    assert r.status_code == 422
    assert "pool" in r.json()["detail"]
    r = api.c.post(KRR, headers=ADMIN, json={
        "x": [[i / 600] for i in range(600)], "y": [0.0] * 600, "ridge": 1e-3,
        "kernel": {"kind": "gaussian_kde", "params": {"bandwidth": -1.0}}})
    assert r.status_code == 422
    assert "kernel.params.bandwidth" in r.json()["detail"]
    with api.state.uow() as tx:
        assert tx.jobs.claimable(utcnow()) is None


def test_a_solve_that_fails_in_the_worker_says_why(api: Api) -> None:
    # the ridge floor is checked against K's diagonal when solving: a job failure
    accepted = submit(api, KRR, {
        "x": [[i / 600] for i in range(600)], "y": [0.0] * 600, "ridge": 1e-300,
        "kernel": {"kind": "gaussian_kde", "params": {"bandwidth": 0.5}}})
    api.run_jobs()
    job = api.c.get(accepted["job_url"], headers=ADMIN).json()
    assert job["status"] == "failed"
    assert job["error"].startswith("ridge: must be at least")
    detail = result(api, accepted, status=409)["detail"]
    assert "failed: ridge" in detail
    with api.state.uow() as tx:  # the problem is dropped when the job ends
        data = tx.solve_data.get(UUID(accepted["job_id"]))
        assert data is not None
        assert data.problem is None
        assert data.result is None


def test_a_design_job_is_reproducible_from_its_returned_seed(api: Api) -> None:
    pool = np.linspace(-1, 1, 3001).tolist()  # 3,001 > 2,000: a job
    body = {"pool": pool, "basis": {"kind": "legendre", "degree": 9}, "method": "volume",
            "n": 30}
    accepted = submit(api, DESIGN, body)
    assert accepted["kind"] == "solve_design"
    api.run_jobs()
    answer = result(api, accepted)
    assert len(answer["indices"]) == 30
    again = submit(api, DESIGN, body | {"seed": answer["seed"]})
    api.run_jobs()
    assert result(api, again) == answer


def test_kernel_regression_as_a_job_matches_the_request(api: Api) -> None:
    rng = np.random.default_rng(5)
    x = rng.uniform(-1, 1, size=(600, 2))  # n = 600: n^2 > 250,000, a job
    body = {"x": x.tolist(), "y": np.sin(3 * x[:, 0]).tolist(), "ridge": 1e-2,
            "kernel": {"kind": "gaussian_kde", "params": {"bandwidth": 0.5}},
            "points": rng.uniform(-1, 1, size=(5, 2)).tolist(), "tol": 1e-12}
    accepted = submit(api, KRR, body)
    api.run_jobs()
    answer = result(api, accepted)
    assert answer["converged"] is True
    assert [s["stage"] for s in answer["solves"]] == ["fit", "variance"]
    # the same fit in the request, under a synchronous scale that admits it
    api.state.settings.solver_sync_scale = 1.0
    r = api.c.post(KRR, headers=ADMIN, json=body)
    assert r.status_code == 200, r.text
    assert without_timing(answer) == without_timing(r.json())


def test_only_the_sender_and_admins_see_a_solve_job(api: Api) -> None:
    _, owner = api.key("owner")
    _, analyst = api.key("analyst")
    accepted = submit(api, OT, _ot_body(), headers=analyst)
    api.run_jobs()
    assert result(api, accepted, headers=analyst)["converged"] is True
    assert result(api, accepted, headers=ADMIN)["converged"] is True
    for url in (accepted["job_url"], accepted["result_url"]):
        r = api.c.get(url, headers=owner)
        assert r.status_code == 404, r.text
        assert r.headers["content-type"] == "application/problem+json"
    assert api.c.get(accepted["job_url"], headers=analyst).json()["status"] == "succeeded"


def test_a_build_job_has_no_result(api: Api) -> None:
    dataset_id = api.dataset(ADMIN)
    api.upload(ADMIN, dataset_id, unit_ball_rows(30, 3))
    accepted = api.build(ADMIN, dataset_id, kind="inner_product", params={})
    job = api.c.get(f"/v1/jobs/{accepted['job_id']}", headers=ADMIN).json()
    assert job["result_url"] is None
    r = api.c.get(f"/v1/jobs/{accepted['job_id']}/result", headers=ADMIN)
    assert r.status_code == 404
    assert "only solve jobs" in r.json()["detail"]


def test_workers_take_only_their_kinds(api: Api) -> None:
    dataset_id = api.dataset(ADMIN)
    api.upload(ADMIN, dataset_id, unit_ball_rows(30, 3))
    build = api.build(ADMIN, dataset_id, kind="inner_product", params={})
    solve = submit(api, OT, _ot_body())
    builds = api.worker(name="builds")
    builds.kinds = BUILD_KINDS
    solves = api.worker(name="solves")
    solves.kinds = SOLVE_KINDS
    assert str(solves.claim()) == solve["job_id"]
    assert solves.claim() is None
    assert str(builds.claim()) == build["job_id"]
    assert builds.claim() is None


def test_a_stopping_worker_requeues_the_solve_and_another_finishes_it(api: Api) -> None:
    accepted = submit(api, OT, _ot_body())
    first = api.worker(name="first")
    job_id = first.claim()
    assert str(job_id) == accepted["job_id"]
    first.stop_event.set()  # the solver's first progress report stops it
    first.execute(job_id)
    job = api.c.get(accepted["job_url"], headers=ADMIN).json()
    assert job["status"] == "queued"
    assert job["attempts"] == 1
    assert api.run_jobs() == 1
    job = api.c.get(accepted["job_url"], headers=ADMIN).json()
    assert (job["status"], job["attempts"]) == ("succeeded", 2)
    assert result(api, accepted)["converged"] is True


def test_a_solve_given_up_after_its_attempts_fails_without_a_charge(api: Api) -> None:
    accepted = submit(api, OT, _ot_body())
    job_id = UUID(accepted["job_id"])
    with api.state.uow(write=True) as tx:
        job = tx.jobs.get(job_id)
        assert job is not None
        job.attempts = api.state.settings.job_max_attempts
        tx.commit()
    assert api.worker().claim() is None
    job_read = api.c.get(accepted["job_url"], headers=ADMIN).json()
    assert job_read["status"] == JobStatus.FAILED
    assert job_read["error"] == f"gave up after {api.state.settings.job_max_attempts} attempts"


def test_the_problem_round_trips_through_its_stored_form(api: Api) -> None:
    accepted = submit(api, KRR, {
        "x": [[i / 600, 0.5] for i in range(600)], "y": [1.0] * 600, "ridge": 0.1,
        "kernel": {"kind": "laplace_kde", "params": {"bandwidth": 0.5}},
        "student_t": {"a": 3.0, "b": 2.0}, "loo": True, "variance": False,
        "points": [[0.0, 0.0]]})
    with api.state.uow() as tx:
        data = tx.solve_data.get(UUID(accepted["job_id"]))
        assert data is not None
        assert data.problem is not None
        stored = data.problem
    problem = solve_jobs.decode_problem("solve_kernel_regression", stored)
    assert isinstance(problem, KernelRegressionProblem)
    assert problem.x.shape == (600, 2)
    assert problem.points is not None
    assert problem.points.shape == (1, 2)
    assert problem.student_t == (3.0, 2.0)
    assert (problem.kind, problem.params, problem.loo, problem.variance) == (
        "laplace_kde", {"bandwidth": 0.5}, True, False)
    again = solve_jobs.decode_problem("solve_kernel_regression",
                                      solve_jobs.encode_problem(problem))
    assert isinstance(again, KernelRegressionProblem)
    for name in ("x", "y", "points"):
        np.testing.assert_array_equal(getattr(again, name), getattr(problem, name))
    assert (again.kind, again.params, again.student_t, again.seed) == (
        problem.kind, problem.params, problem.student_t, problem.seed)


def test_in_process_solver_workers_run_solve_jobs(tmp_path: Path, sqlite_url: str) -> None:
    from app.db.migrate import upgrade
    from app.main import create_app

    upgrade(sqlite_url)
    settings = make_settings(sqlite_url, tmp_path / "var", inprocess_solver_workers=1,
                             solver_sync_scale=0.01)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        api = Api(client)
        names = {t.name for t in threading.enumerate()}
        assert "solver-0" in names
        assert "worker-0" not in names  # inprocess_workers is 0 in the tests' settings
        accepted = submit(api, OT, _ot_body())
        assert api.wait_job(ADMIN, accepted["job_id"])["status"] == "succeeded"
        assert result(api, accepted)["converged"] is True
