"""Datasets over HTTP: creation rules, uploads in every format, clipping and rejection,
all-or-nothing uploads, purge and delete (the ledger stays)."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.db.models import RowChunkRow
from tests.helpers import ADMIN, Api, npy_bytes, unit_ball_rows

BALL = {"type": "l2_ball", "radius": 1.0}


def create(client: TestClient, **fields) -> tuple[int, dict]:
    body = {"name": "d", "dim": 3, "domain": BALL, "budget": {"epsilon": 1.0}} | fields
    r = client.post("/v1/datasets", headers=ADMIN, json=body)
    return r.status_code, r.json()


def chunk_count(api: Api, dataset_id: str) -> int:
    from uuid import UUID

    with api.state.uow() as tx:
        stmt = select(func.count()).select_from(RowChunkRow).where(
            RowChunkRow.dataset_id == UUID(dataset_id))
        return int(tx.session.execute(stmt).scalar_one())


def test_create_and_read(client: TestClient) -> None:
    status, body = create(client, neighbouring="replace_one", labelled=True, classes=[0, 1, 2],
                          budget={"epsilon": 2.5, "delta": 1e-6},
                          domain={"type": "box", "low": -1, "high": [1, 2, 3]})
    assert status == 201
    assert body["budget"]["epsilon"] == {"total": 2.5, "spent": 0.0, "remaining": 2.5}
    assert body["budget"]["delta"]["total"] == 1e-6
    assert body["domain"] == {"type": "box", "low": [-1.0, -1.0, -1.0], "high": [1.0, 2.0, 3.0]}
    again = client.get(f"/v1/datasets/{body['id']}", headers=ADMIN).json()
    assert again == body


@pytest.mark.parametrize(("fields", "where"), [
    ({"budget": {"epsilon": 0}}, "epsilon"),
    ({"budget": {"epsilon": -1}}, "epsilon"),
    ({"budget": {"epsilon": 1, "delta": 1}}, "delta"),
    ({"budget": {"epsilon": 1, "delta": -1e-9}}, "delta"),
    ({"budget": {"epsilon": "lots"}}, "epsilon"),
    ({"budget": {"epsilon": 1e-12}}, "epsilon"),
    ({"dim": 0}, "dim"),
    ({"dim": 2.5}, "dim"),
    ({"neighbouring": "swap"}, "neighbouring"),
    ({"domain": {"type": "l2_ball", "radius": -1}}, "radius"),
    ({"domain": {"type": "box", "low": [0, 0], "high": 1}}, "domain"),
    ({"domain": {"type": "box", "low": 2, "high": 1}}, "domain"),
    ({"on_out_of_domain": "ignore"}, "on_out_of_domain"),
    ({"accounting": "pure+zcdp"}, "accounting"),  # not a valid filter: not offered
    ({"accounting": "cheapest"}, "accounting"),
    ({"accounting": "zcdp"}, "accounting"),  # needs delta > 0
    ({"accounting": "zcdp", "budget": {"epsilon": 1, "delta": 1e-19}}, "accounting"),
    ({"colour": "red"}, "colour"),
    ({"name": ""}, "name"),
])
def test_bad_datasets_are_refused(client: TestClient, fields, where) -> None:
    status, body = create(client, **fields)
    assert status == 422
    assert where in body["detail"]


def test_replace_one_with_reject_is_refused(client: TestClient) -> None:
    """Under replace_one n is released exactly; rejecting out-of-domain rows would make
    a replacement by an outside value a removal, which changes n."""
    status, body = create(client, neighbouring="replace_one", on_out_of_domain="reject")
    assert status == 422
    assert body["type"] == "urn:privsim:problem:invalid-input"
    assert "on_out_of_domain" in body["detail"] and "replace_one" in body["detail"]
    assert "clip" in body["detail"] and "add_remove" in body["detail"]
    r = client.post("/v1/datasets", headers=ADMIN, json={
        "name": "d", "dim": 3, "domain": BALL, "budget": {"epsilon": 1.0},
        "neighbouring": "replace_one", "on_out_of_domain": "reject"})
    assert r.headers["content-type"] == "application/problem+json"
    assert client.get("/v1/datasets", headers=ADMIN).json() == {"datasets": [],
                                                                "next_after": None}
    # each alone, or replace_one with clipping, is fine
    assert create(client, neighbouring="replace_one", on_out_of_domain="clip")[0] == 201
    assert create(client, neighbouring="add_remove", on_out_of_domain="reject")[0] == 201


@pytest.mark.parametrize(("fields", "route"), [
    ({"budget": {"epsilon": 1.0}}, "basic"),
    ({"budget": {"epsilon": 1.0, "delta": 0.0}}, "basic"),
    ({"budget": {"epsilon": 1.0, "delta": 1e-6}}, "basic"),
    ({"budget": {"epsilon": 1.0, "delta": 1e-6}, "accounting": "basic"}, "basic"),
    ({"budget": {"epsilon": 1.0, "delta": 1e-6}, "accounting": "zcdp"}, "zcdp"),
    ({"budget": {"epsilon": 1.0}, "accounting": "basic"}, "basic"),
])
def test_the_accounting_route_is_fixed_at_creation_and_shown(client: TestClient, fields,
                                                             route: str) -> None:
    status, body = create(client, **fields)
    assert status == 201
    assert body["accounting"] == route and body["budget"]["accounting"] == route
    read = client.get(f"/v1/datasets/{body['id']}", headers=ADMIN).json()
    assert read["accounting"] == route and read["budget"]["accounting"] == route
    listed = client.get("/v1/datasets", headers=ADMIN).json()["datasets"]
    assert [d["accounting"] for d in listed] == [route]


def test_missing_body_and_non_json(client: TestClient) -> None:
    r = client.post("/v1/datasets", headers=ADMIN)
    assert r.status_code == 422
    r = client.post("/v1/datasets", headers=ADMIN | {"content-type": "application/json"},
                    content=b"{not json")
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"


def test_uploads_in_every_format_append(client: TestClient) -> None:
    api = Api(client)
    dataset_id = api.dataset(ADMIN)
    rows = unit_ball_rows(10, 3)
    url = f"/v1/datasets/{dataset_id}/rows"
    assert client.post(url, headers=ADMIN, json={"rows": rows.tolist()}).json()["accepted"] == 10
    r = client.post(url, headers=ADMIN | {"content-type": "application/x-npy"},
                    content=npy_bytes(rows))
    assert r.json() == {"accepted": 10, "clipped": 0, "rejected": 0}
    buffer = io.BytesIO()
    pq.write_table(pa.table({f"c{i}": rows[:, i] for i in range(3)}), buffer)
    r = client.post(url, headers=ADMIN | {"content-type": "application/vnd.apache.parquet"},
                    content=buffer.getvalue())
    assert r.json()["accepted"] == 10
    csv = "\n".join(",".join(str(v) for v in row) for row in rows).encode()
    r = client.post(url, headers=ADMIN | {"content-type": "text/csv"}, content=csv)
    assert r.json()["accepted"] == 10
    assert client.get(f"/v1/datasets/{dataset_id}", headers=ADMIN).json()["row_count"] == 40


def test_uploads_are_split_into_encrypted_chunks(client: TestClient) -> None:
    api = Api(client)
    api.state.settings.chunk_rows = 7  # settings are per app; small chunks for the test
    dataset_id = api.dataset(ADMIN)
    api.upload(ADMIN, dataset_id, unit_ball_rows(20, 3))
    assert chunk_count(api, dataset_id) == 3


def test_rows_outside_the_domain_are_clipped_or_rejected(client: TestClient) -> None:
    api = Api(client)
    rows = np.array([[0.1, 0.1, 0.1], [3.0, 0.0, 0.0], [0.0, -2.0, 0.0]])
    clip = api.dataset(ADMIN)
    assert api.upload(ADMIN, clip, rows) == {"accepted": 3, "clipped": 2, "rejected": 0}
    reject = api.dataset(ADMIN, on_out_of_domain="reject")
    assert api.upload(ADMIN, reject, rows) == {"accepted": 1, "clipped": 0, "rejected": 2}
    assert client.get(f"/v1/datasets/{reject}", headers=ADMIN).json()["row_count"] == 1


def test_a_rejected_upload_stores_nothing(client: TestClient) -> None:
    api = Api(client)
    dataset_id = api.dataset(ADMIN)
    rows = unit_ball_rows(100, 3)
    rows[99, 2] = float("nan")
    r = client.post(f"/v1/datasets/{dataset_id}/rows", headers=ADMIN | {
        "content-type": "application/x-npy"}, content=npy_bytes(rows))
    assert r.status_code == 422
    assert "row 99" in r.json()["detail"]
    as_json = str({"rows": rows.tolist()}).replace("'", '"').replace("nan", "NaN").encode()
    r = client.post(f"/v1/datasets/{dataset_id}/rows", headers=ADMIN | {
        "content-type": "application/json"}, content=as_json)
    assert r.status_code == 422  # NaN is not JSON: refused by the parser
    assert "NaN" in r.json()["detail"]
    assert chunk_count(api, dataset_id) == 0
    assert client.get(f"/v1/datasets/{dataset_id}", headers=ADMIN).json()["row_count"] == 0


def test_labelled_datasets_need_labels(client: TestClient) -> None:
    api = Api(client)
    dataset_id = api.dataset(ADMIN, labelled=True, classes=[0, 1])
    url = f"/v1/datasets/{dataset_id}/rows"
    r = client.post(url, headers=ADMIN, json={"rows": [[0.1, 0.2, 0.3]]})
    assert r.status_code == 422 and "label" in r.json()["detail"]
    r = client.post(url, headers=ADMIN, json={"rows": [[0.1, 0.2, 0.3]], "labels": [1, 2]})
    assert r.status_code == 422
    r = client.post(url, headers=ADMIN | {"content-type": "application/x-npy"},
                    content=npy_bytes(np.zeros((1, 3))))
    assert r.status_code == 422 and "label" in r.json()["detail"]
    assert api.upload(ADMIN, dataset_id, np.zeros((2, 3)), labels=[0, 1])["accepted"] == 2


def test_wrong_content_type_and_empty_body(client: TestClient) -> None:
    dataset_id = Api(client).dataset(ADMIN)
    url = f"/v1/datasets/{dataset_id}/rows"
    r = client.post(url, headers=ADMIN | {"content-type": "application/xml"}, content=b"<a/>")
    assert r.status_code == 415
    r = client.post(url, headers=ADMIN | {"content-type": "application/json"}, content=b"")
    assert r.status_code == 422 and "empty" in r.json()["detail"]


def test_purge_removes_every_row(client: TestClient) -> None:
    api = Api(client)
    dataset_id = api.dataset(ADMIN)
    api.upload(ADMIN, dataset_id, unit_ball_rows(30, 3))
    r = client.delete(f"/v1/datasets/{dataset_id}/rows", headers=ADMIN)
    assert r.json() == {"purged": 30}
    assert chunk_count(api, dataset_id) == 0
    body = client.get(f"/v1/datasets/{dataset_id}", headers=ADMIN).json()
    assert body["row_count"] == 0 and body["rows_purged_at"] is not None
    r = client.post(f"/v1/datasets/{dataset_id}/structures", headers=ADMIN,
                    json={"kind": "inner_product", "privacy": {"epsilon": 0.1}})
    assert r.status_code == 409


def test_delete_keeps_the_ledger(client: TestClient) -> None:
    api = Api(client)
    dataset_id = api.dataset(ADMIN, accounting="basic")
    api.upload(ADMIN, dataset_id, unit_ball_rows(30, 3))
    api.built(ADMIN, dataset_id, kind="inner_product", params={}, epsilon=0.25)
    assert client.delete(f"/v1/datasets/{dataset_id}", headers=ADMIN).status_code == 204
    assert client.get(f"/v1/datasets/{dataset_id}", headers=ADMIN).status_code == 404
    assert client.get("/v1/structures", headers=ADMIN).json()["structures"] == []
    assert chunk_count(api, dataset_id) == 0
    ledger = client.get(f"/v1/datasets/{dataset_id}/ledger", headers=ADMIN).json()
    assert [e["entry"] for e in ledger["entries"]] == ["spend"]
    assert ledger["budget"]["epsilon"]["spent"] == 0.25
    assert client.delete(f"/v1/datasets/{dataset_id}", headers=ADMIN).status_code == 404


def test_grants(client: TestClient) -> None:
    api = Api(client)
    owner_id, owner = api.key("owner")
    analyst_id, analyst = api.key("analyst")
    dataset_id = api.dataset(owner)
    assert client.get(f"/v1/datasets/{dataset_id}", headers=analyst).status_code == 403
    url = f"/v1/datasets/{dataset_id}/grants"
    assert client.post(url, headers=owner, json={"key_id": analyst_id}).json()["created"]
    assert not client.post(url, headers=owner, json={"key_id": analyst_id}).json()["created"]
    assert client.get(f"/v1/datasets/{dataset_id}", headers=analyst).status_code == 200
    r = client.post(url, headers=owner, json={"key_id": "00000000-0000-0000-0000-000000000000"})
    assert r.status_code == 404
    # keys can be created with grants, too
    _, granted = api.key("analyst", dataset_ids=[dataset_id])
    assert client.get(f"/v1/datasets/{dataset_id}", headers=granted).status_code == 200
    r = client.post("/v1/keys", headers=ADMIN, json={
        "role": "analyst", "name": "x", "dataset_ids": ["00000000-0000-0000-0000-000000000000"]})
    assert r.status_code == 422
    assert owner_id != analyst_id


def test_dataset_budgets_are_capped(client: TestClient) -> None:
    status, body = create(client, budget={"epsilon": 1000.0})
    assert status == 422 and "at most 100" in body["detail"]
