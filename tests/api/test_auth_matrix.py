"""Every endpoint x every role: a missing or wrong key gets 401, a wrong role or an
ungranted dataset gets 403, the allowed principals succeed; health endpoints are open.
The matrix must cover every route the app serves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.helpers import ADMIN, Api, bearer, npy_bytes, unit_ball_rows

ALL = {"admin", "owner", "other_owner", "analyst", "other_analyst"}
MANAGERS = {"admin", "owner"}
READERS = {"admin", "owner", "analyst"}


@dataclass
class Endpoint:
    method: str
    path: str  # with {dataset_id}, {structure_id}, {job_id}, {key_id}, {model_id}
    allowed: set[str]
    ok: int
    body: Any = None
    destructive: bool = False
    denied: int = 403  # what a principal outside ``allowed`` gets
    solve_job: bool = False  # {job_id} is the owner's solve job, not the build


ENDPOINTS = [
    Endpoint("POST", "/v1/keys", {"admin"}, 201, {"role": "analyst", "name": "k"}),
    Endpoint("GET", "/v1/keys", {"admin"}, 200),
    Endpoint("GET", "/v1/keys/me", ALL, 200),
    Endpoint("DELETE", "/v1/keys/{key_id}", {"admin"}, 204, destructive=True),
    Endpoint("POST", "/v1/datasets", {"admin", "owner", "other_owner"}, 201,
             {"name": "n", "dim": 3, "domain": {"type": "l2_ball", "radius": 1},
              "budget": {"epsilon": 1}}),
    Endpoint("GET", "/v1/datasets", ALL, 200),
    Endpoint("GET", "/v1/datasets/{dataset_id}", READERS, 200),
    Endpoint("DELETE", "/v1/datasets/{dataset_id}", MANAGERS, 204, destructive=True),
    Endpoint("POST", "/v1/datasets/{dataset_id}/grants", MANAGERS, 201, "grant"),
    Endpoint("GET", "/v1/datasets/{dataset_id}/ledger", MANAGERS, 200),
    Endpoint("GET", "/v1/datasets/{dataset_id}/audit", MANAGERS, 200),
    Endpoint("POST", "/v1/datasets/{dataset_id}/rows", MANAGERS, 200,
             {"rows": [[0.1, 0.2, 0.3]]}),
    Endpoint("DELETE", "/v1/datasets/{dataset_id}/rows", MANAGERS, 200, destructive=True),
    Endpoint("POST", "/v1/datasets/{dataset_id}/structures", MANAGERS, 202,
             {"kind": "sq_l2_distance", "params": {}, "privacy": {"epsilon": 0.01}}),
    Endpoint("POST", "/v1/datasets/{dataset_id}/structures:estimate", MANAGERS, 200,
             {"kind": "sq_l2_distance", "params": {}, "privacy": {"epsilon": 0.01}}),
    Endpoint("GET", "/v1/structures", ALL, 200),
    Endpoint("GET", "/v1/structures/{structure_id}", READERS, 200),
    Endpoint("POST", "/v1/structures/{structure_id}/query", READERS, 200,
             {"points": [[0.0, 0.0, 0.0]], "reduce": "mean"}),
    Endpoint("GET", "/v1/structures/{structure_id}/export", READERS, 200),
    Endpoint("GET", "/v1/jobs/{job_id}", MANAGERS, 200),
    # a solve job exists for its sender and admins only: 404 for everyone else
    Endpoint("GET", "/v1/jobs/{job_id}/result", MANAGERS, 200, denied=404, solve_job=True),
    Endpoint("POST", "/v1/structures/{structure_id}/expectation", READERS, 200,
             {"nodes": [[0.0, 0.0, 0.0], [0.1, 0.0, 0.0]], "values": [1.0, 2.0]}),
    Endpoint("GET", "/v1/kernels", ALL, 200),
    Endpoint("GET", "/v1/kernels/{kind}", ALL, 200),
    Endpoint("POST", "/v1/diagnostics/bandwidth", ALL, 200,
             {"n": 100, "dim": 3, "bandwidth": 1.0, "spectrum": [1.0, 1.0, 1.0]}),
    Endpoint("POST", "/v1/models", MANAGERS, 202, "model"),
    Endpoint("GET", "/v1/models/{model_id}", READERS, 200),
    Endpoint("POST", "/v1/models/{model_id}/predict", READERS, 200,
             {"points": [[0.0, 0.0, 0.0]]}),
    Endpoint("GET", "/v1/models/{model_id}/export", READERS, 200),
    Endpoint("POST", "/v1/solvers/ot", ALL, 200,
             {"cost": [[0.0, 1.0], [1.0, 0.0]], "a": [0.5, 0.5], "b": [0.5, 0.5], "reg": 0.1}),
    Endpoint("POST", "/v1/solvers/kernel-regression", ALL, 200,
             {"x": [[0.0], [1.0]], "y": [0.0, 1.0], "ridge": 0.1, "points": [[0.5]],
              "kernel": {"kind": "gaussian_kde", "params": {"bandwidth": 1.0}}}),
    Endpoint("POST", "/v1/solvers/design", ALL, 200,
             {"pool": [-1.0, 0.0, 1.0], "basis": {"kind": "legendre", "degree": 1},
              "seed": 1}),
]
MODEL = {"kind": "classifier", "structure": {"kind": "gaussian_kde",
                                             "params": {"bandwidth": 0.5, "features": 8}},
         "privacy": {"epsilon": 0.01}}
OPEN = ["/healthz", "/readyz", "/metrics"]


class World:
    """A dataset owned by 'owner', granted to 'analyst', with rows and a ready structure;
    a labelled dataset, the same, with a ready classifier."""

    def __init__(self, api: Api, principals: dict[str, tuple[str, dict[str, str]]]) -> None:
        owner = principals["owner"][1]
        self.dataset_id = api.dataset(owner)
        api.upload(owner, self.dataset_id, unit_ball_rows(20, 3))
        self.labelled_id = api.dataset(owner, classes=[0, 1])
        api.upload(owner, self.labelled_id, unit_ball_rows(20, 3), labels=[0, 1] * 10)
        for dataset_id in (self.dataset_id, self.labelled_id):
            r = api.c.post(f"/v1/datasets/{dataset_id}/grants", headers=owner,
                           json={"key_id": principals["analyst"][0]})
            assert r.status_code == 201
        accepted = api.build(owner, self.dataset_id, params={"bandwidth": 0.5, "features": 8})
        model = api.c.post("/v1/models", headers=owner,
                           json=MODEL | {"dataset_id": self.labelled_id})
        assert model.status_code == 202, model.text
        self.model_id = model.json()["model_id"]
        api.run_jobs()
        solve = api.c.post("/v1/solvers/ot", headers=owner | {"Prefer": "respond-async"},
                           json={"cost": [[0.0, 1.0], [1.0, 0.0]], "a": [0.5, 0.5],
                                 "b": [0.5, 0.5], "reg": 0.1})
        assert solve.status_code == 202, solve.text
        self.solve_job_id = solve.json()["job_id"]
        api.run_jobs()
        self.structure_id = accepted["structure_id"]
        self.job_id = accepted["job_id"]
        self.key_id = api.key("analyst")[0]
        self.grantee = principals["other_analyst"][0]

    def path(self, template: str, *, solve_job: bool = False) -> str:
        return template.format(dataset_id=self.dataset_id, structure_id=self.structure_id,
                               job_id=self.solve_job_id if solve_job else self.job_id,
                               key_id=self.key_id, kind="gaussian_kde",
                               model_id=self.model_id)


@pytest.fixture
def principals(client: TestClient) -> dict[str, tuple[str, dict[str, str]]]:
    api = Api(client)
    admin_id = client.get("/v1/keys", headers=ADMIN).json()["keys"][0]["id"]
    return {"admin": (admin_id, ADMIN), "owner": api.key("owner"),
            "other_owner": api.key("owner"), "analyst": api.key("analyst"),
            "other_analyst": api.key("analyst")}


def _call(client: TestClient, endpoint: Endpoint, world: World,
          headers: dict[str, str]) -> Any:
    body = endpoint.body
    if body == "grant":
        body = {"key_id": world.grantee}
    elif body == "model":
        body = MODEL | {"dataset_id": world.labelled_id}
    return client.request(endpoint.method, world.path(endpoint.path,
                                                       solve_job=endpoint.solve_job),
                          headers=headers, json=body)


def test_the_matrix_covers_every_route(client: TestClient) -> None:
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    served = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    listed = {(e.method, e.path) for e in ENDPOINTS} | {("GET", p) for p in OPEN}
    assert served == listed


def test_every_endpoint_refuses_a_missing_or_wrong_key(client: TestClient, principals) -> None:
    world = World(Api(client), principals)
    for endpoint in ENDPOINTS:
        for headers in ({}, bearer("psk_wrong"), {"Authorization": "Basic YWRtaW46YWRtaW4="},
                        {"Authorization": "Bearer "}):
            r = _call(client, endpoint, world, headers)
            assert r.status_code == 401, (endpoint.method, endpoint.path, headers, r.text)
            assert r.headers["content-type"] == "application/problem+json"
            assert r.headers["www-authenticate"] == "Bearer"


def test_a_revoked_key_is_refused(client: TestClient, principals) -> None:
    key_id, headers = Api(client).key("owner")
    assert client.get("/v1/datasets", headers=headers).status_code == 200
    assert client.delete(f"/v1/keys/{key_id}", headers=ADMIN).status_code == 204
    assert client.get("/v1/datasets", headers=headers).status_code == 401


@pytest.mark.parametrize("who", sorted(ALL))
def test_roles_and_grants(client: TestClient, principals, who: str) -> None:
    api = Api(client)
    shared = World(api, principals)
    headers = principals[who][1]
    for endpoint in ENDPOINTS:
        world = World(api, principals) if endpoint.destructive else shared
        r = _call(client, endpoint, world, headers)
        label = (who, endpoint.method, endpoint.path, r.text[:300])
        if who in endpoint.allowed:
            assert r.status_code == endpoint.ok, label
        else:
            assert r.status_code == endpoint.denied, label
            assert r.headers["content-type"] == "application/problem+json"


def test_health_endpoints_are_open(client: TestClient) -> None:
    for path in OPEN:
        assert client.get(path).status_code == 200, path


def test_analysts_see_only_granted_datasets_and_never_row_counts(client, principals) -> None:
    world = World(Api(client), principals)
    other = Api(client).dataset(principals["other_owner"][1])
    seen = client.get("/v1/datasets", headers=principals["analyst"][1]).json()["datasets"]
    assert {d["id"] for d in seen} == {world.dataset_id, world.labelled_id}  # both granted
    assert all(d["row_count"] is None for d in seen)
    assert other not in {d["id"] for d in seen}
    owner_view = client.get("/v1/datasets", headers=principals["owner"][1]).json()["datasets"]
    assert owner_view[0]["row_count"] == 20
    structures = client.get("/v1/structures", headers=principals["other_analyst"][1]).json()
    assert structures == {"structures": [], "next_after": None}


def test_nobody_can_read_rows_back(client: TestClient, principals) -> None:
    """There is no endpoint that returns rows: GET on the rows path is not served."""
    world = World(Api(client), principals)
    r = client.get(f"/v1/datasets/{world.dataset_id}/rows", headers=ADMIN)
    assert r.status_code == 405
    assert r.headers["content-type"] == "application/problem+json"
    assert npy_bytes(np.zeros(1))  # helper used elsewhere; keeps the import honest


@pytest.mark.parametrize("who", sorted(ALL))
def test_keys_me_names_the_caller_s_own_key(client: TestClient, principals, who: str) -> None:
    key_id, headers = principals[who]
    r = client.get("/v1/keys/me", headers=headers)
    assert r.status_code == 200, r.text
    me = r.json()
    assert me["id"] == key_id
    assert me["role"] == who.removeprefix("other_")
    assert set(me) == {"id", "name", "role"}  # never the key, its hash or its grants
