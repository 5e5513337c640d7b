"""Builds, the ledger, queries (JSON and .npy), export and offline loading."""

from __future__ import annotations

import io
import threading
from uuid import UUID

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.services import datasets
from app.services.access import authenticate
from app.services.structures import ReleaseCache
from core.privacy.noise import zcdp_epsilon
from core.structures import load_release
from tests.helpers import ADMIN, Api, exact_answers, npy_bytes, unit_ball_rows

ROWS = unit_ball_rows(400, 3, seed=5)
POINTS = unit_ball_rows(7, 3, seed=6)


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


@pytest.fixture
def dataset(api: Api) -> str:
    dataset_id = api.dataset(ADMIN, epsilon=10.0, delta=1e-5)
    api.upload(ADMIN, dataset_id, ROWS)
    return dataset_id


@pytest.mark.parametrize(("kind", "params", "delta"), [
    ("gaussian_kde", {"bandwidth": 0.5, "features": 512}, 0.0),
    ("gaussian_kde", {"bandwidth": 0.5, "features": 512, "mechanism": "gaussian",
                      "projection_dim": 2}, 1e-6),
    ("rff_baseline", {"bandwidth": 0.5, "features": 512}, 0.0),
    ("sq_l2_distance", {}, 0.0),
    ("inner_product", {"mechanism": "gaussian"}, 1e-6),
])
def test_build_poll_query(api: Api, dataset: str, kind: str, params: dict, delta: float) -> None:
    c = api.c
    accepted = api.build(ADMIN, dataset, kind=kind, params=params, epsilon=1.0, delta=delta)
    structure_id = accepted["structure_id"]
    pending = c.get(f"/v1/structures/{structure_id}", headers=ADMIN).json()
    assert pending["status"] == "pending"
    r = c.post(f"/v1/structures/{structure_id}/query", headers=ADMIN,
               json={"points": POINTS.tolist()})
    assert r.status_code == 409  # not built yet
    assert api.run_jobs() == 1
    job = c.get(accepted["job_url"], headers=ADMIN).json()
    assert job["status"] == "succeeded" and job["progress"] == 1.0 and job["attempts"] == 1
    ready = c.get(accepted["status_url"], headers=ADMIN).json()
    assert ready["status"] == "ready" and ready["size_bytes"] > 0
    assert ready["privacy"]["epsilon"] == 1.0 and ready["privacy"]["delta"] == delta
    assert set(ready["error_model"]) >= {"approximation_std_mean"}
    r = c.post(f"/v1/structures/{structure_id}/query", headers=ADMIN,
               json={"points": POINTS.tolist(), "reduce": "mean"})
    assert r.status_code == 200
    answer = r.json()
    assert len(answer["values"]) == len(POINTS)
    assert all(s > 0 for s in answer["std"])
    exact = exact_answers(kind, ROWS, POINTS) / len(ROWS)
    error = np.abs(np.array(answer["values"]) - exact)
    bound = 7 * np.hypot(answer["std"], answer["approximation_std"])  # see test_structures
    assert np.all(error <= bound)


def test_the_ledger_records_each_spend_with_its_mechanism(api: Api, dataset: str) -> None:
    api.build(ADMIN, dataset, kind="gaussian_kde", epsilon=0.5)
    api.build(ADMIN, dataset, kind="sq_l2_distance", params={"mechanism": "gaussian"},
              epsilon=0.25, delta=1e-6)
    ledger = api.c.get(f"/v1/datasets/{dataset}/ledger", headers=ADMIN).json()
    first, second = ledger["entries"]
    # the dataset's route is the default, basic composition: 0.5 + 0.25 and 0 + 1e-6
    assert ledger["budget"]["accounting"] == "basic"
    assert ledger["budget"]["epsilon"]["spent"] == pytest.approx(0.75, abs=2e-9)
    assert ledger["budget"]["delta"]["spent"] == pytest.approx(1e-6)
    assert second["rho"] > 0
    assert first["pure_epsilon"] == 0.5 and first["rho"] == pytest.approx(0.125)
    assert second["pure_epsilon"] == 0 and second["delta"] == 1e-6
    assert first["entry"] == "spend" and first["epsilon"] == 0.5 and first["delta"] == 0
    assert first["mechanism"]["mechanism"] == "laplace"
    assert first["mechanism"]["neighbouring"] == "add_remove"
    names = {s["statistic"]: s for s in first["mechanism"]["statistics"]}
    assert names["features"]["sensitivity"] == pytest.approx(256 / np.sqrt(2))
    assert names["count"]["sensitivity"] == 1.0
    assert all(s["noise_scale"] > 0 for s in names.values())
    assert second["mechanism"]["mechanism"] == "gaussian"
    assert {s["statistic"] for s in second["mechanism"]["statistics"]} == {"sum", "sum_sq",
                                                                           "count"}


def test_budget_exhaustion_says_requested_and_remaining(api: Api, dataset: str) -> None:
    api.build(ADMIN, dataset, epsilon=9.7)
    r = api.c.post(f"/v1/datasets/{dataset}/structures", headers=ADMIN,
                   json={"kind": "inner_product", "privacy": {"epsilon": 0.5}})
    assert r.status_code == 409
    body = r.json()
    assert body["type"].endswith("privacy-budget-exhausted")
    assert body["requested"]["epsilon"] == 0.5
    assert body["remaining"]["epsilon"] == pytest.approx(0.3)
    # the remaining 0.3 can still be spent, exactly
    api.build(ADMIN, dataset, kind="inner_product", params={}, epsilon=0.3)
    remaining = api.c.get(f"/v1/datasets/{dataset}", headers=ADMIN).json()["budget"]
    assert remaining["epsilon"]["remaining"] == 0.0


def test_delta_is_charged_only_by_gaussian_mechanisms(api: Api, dataset: str) -> None:
    accepted = api.build(ADMIN, dataset, kind="gaussian_kde", epsilon=0.1, delta=1e-6)
    assert accepted["warnings"] and "delta" in accepted["warnings"][0]
    spent = api.c.get(f"/v1/datasets/{dataset}", headers=ADMIN).json()["budget"]["delta"]
    assert spent["spent"] == 0.0
    r = api.c.post(f"/v1/datasets/{dataset}/structures", headers=ADMIN, json={
        "kind": "gaussian_kde", "params": {"bandwidth": 1, "mechanism": "gaussian"},
        "privacy": {"epsilon": 0.1, "delta": 1.0}})
    assert r.status_code == 422


def test_a_build_that_fails_is_refunded(api: Api, dataset: str) -> None:
    accepted = api.build(ADMIN, dataset, epsilon=2.0)
    api.c.delete(f"/v1/datasets/{dataset}/rows", headers=ADMIN)  # rows gone before the build
    api.run_jobs()
    job = api.c.get(accepted["job_url"], headers=ADMIN).json()
    assert job["status"] == "failed" and "rows" in job["error"]
    structure = api.c.get(accepted["status_url"], headers=ADMIN).json()
    assert structure["status"] == "failed"
    ledger = api.c.get(f"/v1/datasets/{dataset}/ledger", headers=ADMIN).json()
    assert [(e["entry"], e["epsilon"]) for e in ledger["entries"]] == [("spend", 2.0),
                                                                       ("refund", -2.0)]
    assert ledger["budget"]["epsilon"]["spent"] == 0.0


def test_query_in_and_out_as_npy(api: Api, dataset: str) -> None:
    structure_id = api.built(ADMIN, dataset, kind="sq_l2_distance", params={}, epsilon=1.0)
    url = f"/v1/structures/{structure_id}/query"
    as_json = api.c.post(url, headers=ADMIN, json={"points": POINTS.tolist(),
                                                   "reduce": "mean"}).json()
    r = api.c.post(url + "?reduce=mean", headers=ADMIN | {
        "content-type": "application/x-npy", "accept": "application/x-npy"},
        content=npy_bytes(POINTS))
    assert r.headers["content-type"] == "application/x-npy"
    table = np.load(io.BytesIO(r.content), allow_pickle=False)
    assert table.shape == (len(POINTS), 3)
    np.testing.assert_allclose(table[:, 0], as_json["values"])
    np.testing.assert_allclose(table[:, 1], as_json["std"])
    r = api.c.post(url, headers=ADMIN | {"content-type": "application/x-npy"},
                   content=npy_bytes(POINTS.astype(np.float32)))
    assert r.json()["reduce"] == "sum"


@pytest.mark.parametrize(("body", "status"), [
    ({"points": [[0.0, 0.0]]}, 422),
    ({"points": [[0.0, 0.0, 0.0], [1.0]]}, 422),
    ({"points": []}, 422),
    ({"points": [[0.0, 0.0, "x"]]}, 422),
    ({"points": [[0.0, 0.0, 0.0]], "reduce": "max"}, 422),
    ({"points": [[0.0, 0.0, 0.0]], "extra": 1}, 422),
    ({"dots": [[0.0, 0.0, 0.0]]}, 422),
])
def test_bad_queries(api: Api, dataset: str, body: dict, status: int) -> None:
    structure_id = api.built(ADMIN, dataset, kind="inner_product", params={}, epsilon=0.1)
    r = api.c.post(f"/v1/structures/{structure_id}/query", headers=ADMIN, json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"


def test_query_limits_and_media_types(api: Api, dataset: str) -> None:
    structure_id = api.built(ADMIN, dataset, kind="inner_product", params={}, epsilon=0.1)
    url = f"/v1/structures/{structure_id}/query"
    api.state.settings.max_query_points = 5
    r = api.c.post(url, headers=ADMIN, json={"points": np.zeros((6, 3)).tolist()})
    assert r.status_code == 413
    assert r.json()["max_points"] == 5
    # the same problem for .npy points: a client reads one field, whatever it sent
    r = api.c.post(url, headers=ADMIN | {"content-type": "application/x-npy"},
                   content=npy_bytes(np.zeros((6, 3))))
    assert r.status_code == 413
    assert r.json()["max_points"] == 5
    assert "query points per request" in r.json()["detail"]
    r = api.c.post(url, headers=ADMIN | {"content-type": "text/plain"}, content=b"0,0,0")
    assert r.status_code == 415
    r = api.c.post(url, headers=ADMIN | {"accept": "text/html"}, json={"points": [[0, 0, 0]]})
    assert r.status_code == 406
    r = api.c.post(url, headers=ADMIN | {"content-type": "application/x-npy"},
                   content=b"junk")
    assert r.status_code == 422
    r = api.c.post(url, headers=ADMIN | {"content-type": "application/x-npy"},
                   content=npy_bytes(np.full((1, 3), np.inf)))
    assert r.status_code == 422
    r = api.c.post("/v1/structures/00000000-0000-0000-0000-000000000000/query", headers=ADMIN,
                   json={"points": [[0, 0, 0]]})
    assert r.status_code == 404


def test_export_loads_offline_and_answers_the_same(api: Api, dataset: str) -> None:
    structure_id = api.built(ADMIN, dataset, kind="gaussian_kde",
                             params={"bandwidth": 0.5, "features": 128}, epsilon=1.0)
    r = api.c.get(f"/v1/structures/{structure_id}/export", headers=ADMIN)
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    release = load_release(r.content)
    offline = release.query(POINTS, "mean")
    online = api.c.post(f"/v1/structures/{structure_id}/query", headers=ADMIN,
                        json={"points": POINTS.tolist(), "reduce": "mean"}).json()
    np.testing.assert_allclose(offline.values, online["values"])
    np.testing.assert_allclose(offline.std, online["std"])


def test_concurrent_queries_share_the_cache(api: Api, dataset: str) -> None:
    structure_id = api.built(ADMIN, dataset, kind="gaussian_kde",
                             params={"bandwidth": 0.5, "features": 64}, epsilon=1.0)
    results: list[list[float]] = []

    def ask() -> None:
        r = api.c.post(f"/v1/structures/{structure_id}/query", headers=ADMIN,
                       json={"points": POINTS.tolist()})
        results.append(r.json()["values"])

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8 and all(r == results[0] for r in results)


def test_reduce_as_a_query_parameter_with_a_json_body(api: Api, dataset: str) -> None:
    structure_id = api.built(ADMIN, dataset, kind="inner_product", params={}, epsilon=0.1)
    url = f"/v1/structures/{structure_id}/query"
    r = api.c.post(url + "?reduce=mean", headers=ADMIN, json={"points": [[0.1, 0.2, 0.3]]})
    assert r.status_code == 200 and r.json()["reduce"] == "mean"
    r = api.c.post(url + "?reduce=mean", headers=ADMIN,
                   json={"points": [[0.1, 0.2, 0.3]], "reduce": "sum"})
    assert r.status_code == 422


def test_the_mechanism_uses_no_more_than_was_asked_or_charged(api: Api, dataset: str) -> None:
    accepted = api.build(ADMIN, dataset, kind="inner_product", params={}, epsilon=1.5e-9)
    structure = api.c.get(accepted["status_url"], headers=ADMIN).json()
    assert structure["privacy"]["epsilon"] == pytest.approx(2e-9)  # charged: rounded up
    used = sum(s["epsilon"] for s in structure["privacy"]["statistics"])
    assert used <= 1.5e-9  # calibrated: to the request
    assert used == pytest.approx(1.5e-9, rel=1e-6)


def test_a_large_epsilon_is_warned_about(api: Api, dataset: str) -> None:
    accepted = api.build(ADMIN, dataset, kind="inner_product", params={}, epsilon=6.0)
    assert any("above 5" in w for w in accepted["warnings"])
    quiet = api.build(ADMIN, dataset, kind="inner_product", params={}, epsilon=1.0)
    assert quiet["warnings"] == []


@pytest.mark.slow
def test_gaussian_builds_are_accounted_in_zcdp(client: TestClient) -> None:
    """Basic composition would admit 4 builds of epsilon 0.5 in a budget of 2; zCDP
    admits more, and refuses exactly when the converted total would pass the budget."""
    api = Api(client)
    dataset = api.dataset(ADMIN, epsilon=2.0, delta=1e-5, accounting="zcdp")
    api.upload(ADMIN, dataset, ROWS)
    accepted = 0
    while True:
        r = api.c.post(f"/v1/datasets/{dataset}/structures", headers=ADMIN, json={
            "kind": "inner_product", "params": {"mechanism": "gaussian"},
            "privacy": {"epsilon": 0.5, "delta": 1e-6}})
        if r.status_code != 202:
            break
        accepted += 1
    assert r.status_code == 409 and accepted > 4
    ledger = api.c.get(f"/v1/datasets/{dataset}/ledger", headers=ADMIN).json()
    rho = sum(e["rho"] for e in ledger["entries"])
    assert zcdp_epsilon(rho, 1e-5) <= 2.0  # what was admitted fits
    one_more = rho + ledger["entries"][0]["rho"]
    assert zcdp_epsilon(one_more, 1e-5) > 2.0  # and the next one would not have
    assert ledger["budget"]["accounting"] == "zcdp"


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_dataset_deleted_elsewhere_stops_answering_within_the_key_cache_delay(
        client: TestClient) -> None:
    """A key's right to read a structure is kept for PRIVSIM_KEY_CACHE_SECONDS after a
    query (ReleaseCache): a deletion through this process ends it at once, one through
    another process (here: the service, behind the API's back) within the delay."""
    api = Api(client)
    clock = _Clock()
    api.state.cache = ReleaseCache(8, access_seconds=5.0, timer=clock)
    _, owner = api.key("owner")
    token = owner["Authorization"].removeprefix("Bearer ")
    principal = authenticate(api.state.uow, token)
    structures_of = []
    for _ in range(2):
        dataset = api.dataset(owner)
        api.upload(owner, dataset, unit_ball_rows(20, 3))
        structures_of.append((dataset, api.built(owner, dataset, kind="inner_product",
                                                 params={}, epsilon=0.5)))
    body = {"points": [[0.1, 0.2, 0.0]]}
    (elsewhere, first), (here, second) = structures_of
    for _, structure in structures_of:
        assert client.post(f"/v1/structures/{structure}/query", headers=owner,
                           json=body).status_code == 200
    datasets.delete_dataset(api.state.uow, principal, UUID(elsewhere))  # another process
    clock.now = 4.9
    r = client.post(f"/v1/structures/{first}/query", headers=owner, json=body)
    assert r.status_code == 200  # within the delay: still answered from the cache
    clock.now = 5.1
    r = client.post(f"/v1/structures/{first}/query", headers=owner, json=body)
    assert r.status_code == 404, r.text  # once the delay has passed
    assert client.post(f"/v1/structures/{second}/query", headers=owner,
                       json=body).status_code == 200  # admitted again, until 10.1
    assert client.delete(f"/v1/datasets/{here}", headers=owner).status_code == 204
    r = client.post(f"/v1/structures/{second}/query", headers=owner, json=body)
    assert r.status_code == 404, r.text  # deleted through this process: at once


def test_queries_arriving_together_load_a_release_once(
        api: Api, dataset: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first queries to a structure, arriving together, wait for one load of its
    release (ReleaseCache.loading) instead of each reading and decoding it."""
    import time

    from app.services import structures as service

    structure_id = api.built(ADMIN, dataset, kind="gaussian_kde",
                             params={"bandwidth": 0.5, "features": 64}, epsilon=0.5)
    api.state.cache = ReleaseCache(8, access_seconds=5.0)
    loads: list[int] = []
    real = service.load_release

    def slow_load(blob: bytes) -> object:
        loads.append(1)
        time.sleep(0.3)  # long enough for every request below to be waiting
        return real(blob)

    monkeypatch.setattr(service, "load_release", slow_load)
    answers: list[int] = []

    def ask() -> None:
        r = api.c.post(f"/v1/structures/{structure_id}/query", headers=ADMIN,
                       json={"points": POINTS.tolist()})
        answers.append(r.status_code)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 4
    assert len(loads) == 1
