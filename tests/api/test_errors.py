"""Bad input never produces a 500 or a traceback, errors are problem+json, and no
response echoes the data that was sent."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.helpers import ADMIN, Api

SECRET = 0.6180339887498949  # a distinctive value that must never come back


def test_problem_details_shape(client: TestClient) -> None:
    r = client.get("/v1/datasets/00000000-0000-0000-0000-000000000000", headers=ADMIN)
    assert r.status_code == 404
    body = r.json()
    assert r.headers["content-type"] == "application/problem+json"
    assert body["type"] == "urn:privsim:problem:not-found"
    assert body["status"] == 404
    assert body["instance"] == "/v1/datasets/00000000-0000-0000-0000-000000000000"
    assert body["request_id"] == r.headers["x-request-id"]
    assert {"title", "detail"} <= set(body)


def test_request_ids_are_echoed_or_made(client: TestClient) -> None:
    r = client.get("/healthz", headers={"x-request-id": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    r = client.get("/healthz", headers={"x-request-id": "bad id with spaces"})
    assert r.headers["x-request-id"] != "bad id with spaces"
    assert len(r.headers["x-request-id"]) == 32


def test_oversized_bodies_get_413(tmp_path, sqlite_url) -> None:
    from app.db.migrate import upgrade
    from app.main import create_app
    from tests.conftest import make_settings

    settings = make_settings(sqlite_url, tmp_path / "var", max_body_bytes=1000)
    upgrade(sqlite_url)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        dataset_id = Api(client).dataset(ADMIN)
        big = json.dumps({"rows": [[SECRET, SECRET, SECRET]] * 100}).encode()
        url = f"/v1/datasets/{dataset_id}/rows"
        r = client.post(url, headers=ADMIN | {"content-type": "application/json"}, content=big)
        assert r.status_code == 413
        assert r.headers["content-type"] == "application/problem+json"

        def chunks():  # no Content-Length: the body arrives in chunks
            for i in range(0, len(big), 100):
                yield big[i:i + 100]

        r = client.post(url, headers=ADMIN | {"content-type": "application/json"},
                        content=chunks())
        assert r.status_code == 413
        small = json.dumps({"rows": [[0.1, 0.2, 0.3]]}).encode()
        r = client.post(url, headers=ADMIN | {"content-type": "application/json"},
                        content=iter([small[:10], small[10:]]))
        assert r.status_code == 200, r.text


HOSTILE = [
    ("POST", "/v1/datasets", {"name": "x", "dim": 3, "domain": {"type": "l2_ball",
                                                                "radius": SECRET},
                              "budget": {"epsilon": -SECRET}}),
    ("POST", "/v1/datasets/{d}/rows", {"rows": [[SECRET, SECRET]]}),
    ("POST", "/v1/datasets/{d}/rows", {"rows": [[SECRET, SECRET, "x"]]}),
    ("POST", "/v1/datasets/{d}/rows", {"rows": [[SECRET, SECRET, SECRET]], "labels": [1]}),
    ("POST", "/v1/datasets/{d}/rows", {"rows": [[SECRET, SECRET, SECRET], [SECRET]]}),
    ("POST", "/v1/datasets/{d}/structures", {"kind": "gaussian_kde",
                                             "params": {"bandwidth": -SECRET},
                                             "privacy": {"epsilon": 1}}),
    ("POST", "/v1/datasets/{d}/structures", {"kind": "gaussian_kde",
                                             "params": {"bandwidth": [SECRET]},
                                             "privacy": {"epsilon": 1}}),
    ("POST", "/v1/datasets/{d}/structures", {"kind": "gaussian_kde",
                                             "params": {"bandwidth": 1},
                                             "privacy": {"epsilon": 1e6}}),
    ("POST", "/v1/structures/{s}/query", {"points": [[SECRET, SECRET]]}),
    ("POST", "/v1/structures/{s}/query", {"points": [[SECRET, SECRET, "x"]]}),
    ("POST", "/v1/structures/{s}/query", {"points": [SECRET]}),
    ("POST", "/v1/structures/{s}/query", [SECRET]),
    ("POST", "/v1/structures/{s}/query", {"points": [[1e308, 1e308, 1e308]]}),
    ("POST", "/v1/keys", {"role": "root", "name": str(SECRET)}),
    ("GET", "/v1/jobs/{s}", None),
    ("DELETE", "/v1/keys/{s}", None),
    ("PUT", "/v1/datasets", {"x": SECRET}),
]


@pytest.mark.parametrize(("method", "path", "body"), HOSTILE)
def test_hostile_input_gets_a_4xx_without_echo(client: TestClient, caplog, method, path,
                                               body) -> None:
    api = Api(client)
    dataset_id = api.dataset(ADMIN)
    api.upload(ADMIN, dataset_id, np.array([[0.1, 0.2, 0.3], [0.3, 0.2, 0.1]]))
    structure_id = api.built(ADMIN, dataset_id, kind="inner_product", params={}, epsilon=0.1)
    caplog.set_level(logging.DEBUG)
    r = client.request(method, path.format(d=dataset_id, s=structure_id), headers=ADMIN,
                       json=body)
    assert 400 <= r.status_code < 500, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert "6180339887" not in r.text
    assert "Traceback" not in r.text
    assert "6180339887" not in caplog.text
