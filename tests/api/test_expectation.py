"""POST /v1/structures/{id}/expectation: a build through the API, then the rows' mean of
a public function from it (post-processing: nothing spent, audit-recorded); access as
queries have it; the refusals."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.db.migrate import upgrade
from app.main import create_app
from core.models.expectation import MAX_NODES, kernel_expectation
from core.structures import load_release
from tests.conftest import make_settings
from tests.helpers import ADMIN, Api, unit_ball_rows

ROWS = unit_ball_rows(400, 3, seed=5)
GRID = np.linspace(-0.8, 0.8, 5)
NODES = np.array([[a, b, c] for a in GRID for b in GRID for c in GRID
                  if a * a + b * b + c * c <= 1.0])


def _g(Y: np.ndarray) -> np.ndarray:
    return np.asarray(np.cos(2 * Y[:, 0]) + Y[:, 1] ** 2 - Y[:, 2])


def _body(nodes: np.ndarray = NODES, values: np.ndarray | None = None,
          ridge: float | None = None) -> dict[str, object]:
    return {"nodes": nodes.tolist(),
            "values": (_g(nodes) if values is None else values).tolist(), "ridge": ridge}


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


@pytest.fixture
def dataset(api: Api) -> str:
    dataset_id = api.dataset(ADMIN, epsilon=10.0, delta=1e-5)
    api.upload(ADMIN, dataset_id, ROWS)
    return dataset_id


@pytest.fixture
def structure(api: Api, dataset: str) -> str:
    return api.built(ADMIN, dataset, kind="gaussian_kde",
                     params={"bandwidth": 0.5, "features": 256}, epsilon=5.0)


def _url(structure_id: str) -> str:
    return f"/v1/structures/{structure_id}/expectation"


def test_expectation_from_a_built_structure(api: Api, dataset: str, structure: str) -> None:
    """The answer is the core's kernel_expectation on the exported release, exactly,
    and near the rows' exact mean of g (within 5 std plus 0.05 for the quadrature
    error of g between the nodes). It spends nothing and is audit-recorded."""
    c = api.c
    spent = c.get(f"/v1/datasets/{dataset}", headers=ADMIN).json()
    r = c.post(_url(structure), headers=ADMIN, json=_body())
    assert r.status_code == 200, r.text
    answer = r.json()
    assert set(answer) == {"value", "std", "approximation_std", "ridge", "nodes", "kernel"}
    assert answer["nodes"] == len(NODES) and answer["kernel"] == "release"
    assert answer["std"] > 0 and answer["ridge"] > 0 and answer["approximation_std"] == 0
    release = load_release(c.get(f"/v1/structures/{structure}/export",
                                 headers=ADMIN).content)
    local = kernel_expectation(release, None, NODES, _g(NODES))
    assert answer["value"] == pytest.approx(local.value, rel=1e-12, abs=1e-12)
    assert answer["std"] == pytest.approx(local.std, rel=1e-12)
    exact = float(np.mean(_g(ROWS)))
    assert abs(answer["value"] - exact) < 5 * answer["std"] + 0.05
    # a given ridge is used as given
    r = c.post(_url(structure), headers=ADMIN, json=_body(ridge=1e-3))
    assert r.status_code == 200 and r.json()["ridge"] == 1e-3
    assert c.get(f"/v1/datasets/{dataset}", headers=ADMIN).json() == spent
    events = c.get(f"/v1/datasets/{dataset}/audit", headers=ADMIN).json()["events"]
    recorded = [e for e in events if e["action"] == "expectation"]
    assert len(recorded) == 2


def test_access_is_that_of_queries(api: Api, dataset: str, structure: str) -> None:
    """An analyst granted the dataset may ask; one without the grant gets 403, as for
    a query; an unknown structure is 404; one not built yet is 409."""
    c = api.c
    analyst_id, analyst = api.key("analyst")
    _, stranger = api.key("analyst")
    r = c.post(f"/v1/datasets/{dataset}/grants", headers=ADMIN, json={"key_id": analyst_id})
    assert r.status_code == 201
    assert c.post(_url(structure), headers=analyst, json=_body()).status_code == 200
    for path in (_url(structure), f"/v1/structures/{structure}/query"):
        body = _body() if path.endswith("expectation") else {"points": NODES.tolist()}
        assert c.post(path, headers=stranger, json=body).status_code == 403
    r = c.post(_url(str(uuid.uuid4())), headers=ADMIN, json=_body())
    assert r.status_code == 404
    pending = api.build(ADMIN, dataset, kind="gaussian_kde",
                        params={"bandwidth": 0.5, "features": 64})["structure_id"]
    assert c.post(_url(pending), headers=ADMIN, json=_body()).status_code == 409


def test_refusals(api: Api, dataset: str, structure: str) -> None:
    """422 for a distance kind, mismatched or ragged shapes, the wrong dimension, NaN,
    too many nodes and a ridge out of range; none of them is audit-recorded."""
    c = api.c
    distance = api.built(ADMIN, dataset, kind="sq_l2_distance", params={}, epsilon=1.0)
    r = c.post(_url(distance), headers=ADMIN, json=_body())
    assert r.status_code == 422
    assert "not a positive-definite kernel" in r.json()["detail"]
    too_many = np.zeros((MAX_NODES + 1, 3))
    bad = [
        _body(values=_g(NODES)[:-1]),  # one value short
        {"nodes": [[0.0, 0.0, 0.0], [0.1, 0.2]], "values": [1.0, 2.0]},  # ragged
        _body(nodes=NODES[:, :2], values=_g(NODES)),  # the wrong dimension
        _body(nodes=too_many, values=np.zeros(MAX_NODES + 1)),
        _body(ridge=0.0),
        _body(ridge=1e7),
        {"nodes": [], "values": []},
        {"nodes": NODES.tolist(), "values": _g(NODES).tolist(), "extra": 1},
        {"nodes": NODES.tolist(), "values": [str(v) for v in _g(NODES)]},
    ]
    for body in bad:
        r = c.post(_url(structure), headers=ADMIN, json=body)
        assert r.status_code == 422, (body if len(json.dumps(body)) < 200 else "", r.text)
        assert r.headers["content-type"] == "application/problem+json"
    doc = json.dumps(_body()).replace(repr(float(_g(NODES)[0])), "NaN", 1)
    assert "NaN" in doc
    r = c.post(_url(structure), headers=ADMIN | {"content-type": "application/json"},
               content=doc.encode())
    assert r.status_code == 422
    events = c.get(f"/v1/datasets/{dataset}/audit", headers=ADMIN).json()["events"]
    assert not [e for e in events if e["action"] == "expectation"]


def test_a_request_priced_above_the_query_limit_is_refused(sqlite_url: str,
                                                          tmp_path: Path) -> None:
    """Priced like a query: above PRIVSIM_MAX_QUERY_SECONDS it is 413, before any work
    (nothing audit-recorded)."""
    settings = make_settings(sqlite_url, tmp_path / "var", max_query_seconds=1e-4)
    upgrade(sqlite_url)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        api = Api(client)
        dataset = api.dataset(ADMIN)
        api.upload(ADMIN, dataset, ROWS)
        structure = api.built(ADMIN, dataset, kind="gaussian_kde",
                              params={"bandwidth": 0.5, "features": 256})
        r = client.post(_url(structure), headers=ADMIN, json=_body())
        assert r.status_code == 413, r.text
        assert r.json()["estimated_seconds"] > r.json()["limit_seconds"] == 1e-4
        r = client.post(_url(structure), headers=ADMIN, json=_body(NODES[:1]))
        assert r.status_code == 200, r.text
        events = client.get(f"/v1/datasets/{dataset}/audit", headers=ADMIN).json()["events"]
        assert len([e for e in events if e["action"] == "expectation"]) == 1
