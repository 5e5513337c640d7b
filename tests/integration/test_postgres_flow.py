"""The service on PostgreSQL: a whole session through the app, and workers claiming
different jobs at the same time (FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.workers.worker import BUILD_KINDS
from tests.helpers import ADMIN, Api, exact_answers, unit_ball_rows

pytestmark = pytest.mark.integration


def test_a_whole_session(pg_client: TestClient) -> None:
    api = Api(pg_client)
    owner_id, owner = api.key("owner")
    analyst_id, analyst = api.key("analyst")
    dataset_id = api.dataset(owner, dim=4, labelled=True, classes=[0, 1, 2])
    rows = unit_ball_rows(300, 4)
    api.upload(owner, dataset_id, rows, labels=[i % 3 for i in range(300)])
    pg_client.post(f"/v1/datasets/{dataset_id}/grants", headers=owner,
                   json={"key_id": analyst_id}).raise_for_status()
    structure_id = api.built(owner, dataset_id, kind="sq_l2_distance", params={}, epsilon=2.0)
    points = unit_ball_rows(5, 4, seed=9)
    answer = pg_client.post(f"/v1/structures/{structure_id}/query", headers=analyst,
                            json={"points": points.tolist(), "reduce": "mean"}).json()
    exact = exact_answers("sq_l2_distance", rows, points) / len(rows)
    assert np.all(np.abs(np.array(answer["values"]) - exact) <= 7 * np.array(answer["std"]))
    assert pg_client.delete(f"/v1/datasets/{dataset_id}/rows", headers=owner).json() == {
        "purged": 300}
    assert pg_client.delete(f"/v1/datasets/{dataset_id}", headers=owner).status_code == 204
    ledger = pg_client.get(f"/v1/datasets/{dataset_id}/ledger", headers=owner).json()
    assert len(ledger["entries"]) == 1
    assert owner_id != analyst_id


def test_concurrent_claims_take_different_jobs(pg_client: TestClient) -> None:
    api = Api(pg_client)
    dataset_id = api.dataset(ADMIN)
    api.upload(ADMIN, dataset_id, unit_ball_rows(50, 3))
    jobs = {api.build(ADMIN, dataset_id, kind="inner_product", params={},
                      epsilon=0.1)["job_id"] for _ in range(6)}
    workers = [api.worker(name=f"w{i}") for i in range(6)]
    claimed: list[str] = []
    barrier = threading.Barrier(len(workers))

    def claim(worker) -> None:
        barrier.wait()
        job_id = worker.claim()
        if job_id is not None:
            claimed.append(str(job_id))

    threads = [threading.Thread(target=claim, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(jobs)  # each job exactly once


def test_a_classifier_on_postgres(pg_client: TestClient) -> None:
    """A model is a structure of a model kind: the PostgreSQL repositories keep models and
    structures apart (page_visible's kind filter) and the labelled build reads labels."""
    api = Api(pg_client)
    _, owner = api.key("owner")
    dataset_id = api.dataset(owner, dim=4, classes=[0, 1])
    rows = unit_ball_rows(400, 4)
    labels = [int(v) for v in rows[:, 0] > 0]
    api.upload(owner, dataset_id, rows, labels=labels)
    r = pg_client.post("/v1/models", headers=owner, json={
        "kind": "classifier", "dataset_id": dataset_id,
        "structure": {"kind": "gaussian_kde", "params": {"bandwidth": 0.5, "features": 256}},
        "privacy": {"epsilon": 4.0}})
    assert r.status_code == 202, r.text
    api.run_jobs()
    model_id = r.json()["model_id"]
    assert pg_client.get(f"/v1/models/{model_id}", headers=owner).json()["status"] == "ready"
    answer = pg_client.post(f"/v1/models/{model_id}/predict", headers=owner,
                            json={"points": [[0.6, 0, 0, 0], [-0.6, 0, 0, 0]]}).json()
    assert answer["labels"] == [1, 0]
    assert pg_client.get("/v1/structures", headers=owner).json()["structures"] == []


def test_a_solve_job_on_postgres(pg_client: TestClient) -> None:
    """A solve job's row has no structure or dataset (nullable on PostgreSQL too), its
    problem and answer are bytea, and a build worker's kind filter skips it."""
    api = Api(pg_client)
    rng = np.random.default_rng(2)
    x, y = rng.uniform(size=(40, 2)), rng.uniform(size=(30, 2))
    body = {"x": x.tolist(), "y": y.tolist(), "a": [1 / 40] * 40, "b": [1 / 30] * 30,
            "reg": 0.05, "tol": 1e-10}
    direct = pg_client.post("/v1/solvers/ot", headers=ADMIN, json=body).json()
    r = pg_client.post("/v1/solvers/ot", headers=ADMIN | {"Prefer": "respond-async"},
                       json=body)
    assert r.status_code == 202, r.text
    builds = api.worker(name="builds")
    builds.kinds = BUILD_KINDS
    assert builds.claim() is None
    assert api.run_jobs() == 1
    job = pg_client.get(r.json()["job_url"], headers=ADMIN).json()
    assert (job["status"], job["structure_id"], job["dataset_id"]) == ("succeeded", None, None)
    answer = pg_client.get(r.json()["result_url"], headers=ADMIN).json()
    assert answer["cost_value"] == direct["cost_value"]
    assert answer["iterations"] == direct["iterations"]
