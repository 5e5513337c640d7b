"""The audit log: who did what to a dataset, when; counts, never contents; kept after
the dataset is deleted; readable by its owner and admins only."""

from __future__ import annotations

import numpy as np
from fastapi.testclient import TestClient

from tests.helpers import ADMIN, Api, unit_ball_rows


def test_a_session_is_recorded_in_order(client: TestClient) -> None:
    api = Api(client)
    owner_id, owner = api.key("owner")
    analyst_id, analyst = api.key("analyst")
    dataset = api.dataset(owner)
    rows = unit_ball_rows(40, 3)
    rows[0] = [5.0, 0.0, 0.0]  # clipped
    api.upload(owner, dataset, rows)
    client.post(f"/v1/datasets/{dataset}/grants", headers=owner, json={"key_id": analyst_id})
    structure = api.built(owner, dataset, kind="inner_product", params={}, epsilon=0.5)
    points = unit_ball_rows(7, 3, seed=2)
    client.post(f"/v1/structures/{structure}/query", headers=analyst,
                json={"points": points.tolist()})
    client.get(f"/v1/structures/{structure}/export", headers=analyst)
    client.post(f"/v1/structures/{structure}/query", headers=analyst,
                json={"points": [[0.0, 0.0]]})  # refused: not an event
    client.delete(f"/v1/datasets/{dataset}/rows", headers=owner)
    client.delete(f"/v1/datasets/{dataset}", headers=owner)

    r = client.get(f"/v1/datasets/{dataset}/audit", headers=owner)
    assert r.status_code == 200, r.text
    events = r.json()["events"]
    # in the order they happened; the read paths' events are written a moment later
    # (app.db.audit_journal), so their ids may come after a later purge's
    in_time = sorted(events, key=lambda e: e["created_at"])
    assert [e["action"] for e in in_time] == [
        "create", "upload", "grant", "build", "build_ready", "query", "export", "purge",
        "delete"]
    by_action = {e["action"]: e for e in events}
    assert by_action["create"]["key_id"] == owner_id
    assert by_action["upload"]["details"] == {"accepted": 40, "clipped": 1, "rejected": 0,
                                              "chunks": 1}
    assert by_action["grant"]["details"] == {"grantee": analyst_id}
    assert by_action["build"]["details"]["kind"] == "inner_product"
    assert by_action["build"]["details"]["epsilon"] == 0.5
    assert by_action["build_ready"]["key_id"] is None  # the worker
    assert by_action["query"]["key_id"] == analyst_id
    assert by_action["query"]["details"] == {"structure_id": structure, "points": 7,
                                             "reduce": "sum"}
    assert by_action["purge"]["details"] == {"rows": 40}
    text = r.text
    for value in np.concatenate([rows[1:].ravel(), points.ravel()]):  # distinctive values
        assert f"{value:.8g}" not in text  # counts, never contents
    ids = [e["id"] for e in events]
    assert ids == sorted(ids)


def test_only_owner_and_admin_read_it_and_it_pages(client: TestClient) -> None:
    api = Api(client)
    _, owner = api.key("owner")
    analyst_id, analyst = api.key("analyst")
    _, other = api.key("owner")
    dataset = api.dataset(owner)
    client.post(f"/v1/datasets/{dataset}/grants", headers=owner, json={"key_id": analyst_id})
    for _ in range(3):
        api.upload(owner, dataset, unit_ball_rows(5, 3))
    url = f"/v1/datasets/{dataset}/audit"
    assert client.get(url, headers=analyst).status_code == 403
    assert client.get(url, headers=other).status_code == 403
    assert client.get(url, headers=ADMIN).status_code == 200
    first = client.get(url + "?limit=2", headers=owner).json()
    assert len(first["events"]) == 2 and first["next_after"] == first["events"][-1]["id"]
    rest = client.get(f"{url}?after={first['next_after']}", headers=owner).json()
    assert [e["action"] for e in first["events"] + rest["events"]] == [
        "create", "grant", "upload", "upload", "upload"]
    assert rest["next_after"] is None
    assert client.get(url + "?limit=0", headers=owner).status_code == 422


def test_a_failed_build_is_recorded_with_its_refund(client: TestClient) -> None:
    api = Api(client)
    dataset = api.dataset(ADMIN)
    api.upload(ADMIN, dataset, unit_ball_rows(10, 3))
    api.build(ADMIN, dataset, kind="inner_product", params={}, epsilon=0.5)
    client.delete(f"/v1/datasets/{dataset}/rows", headers=ADMIN)
    api.run_jobs()
    events = client.get(f"/v1/datasets/{dataset}/audit", headers=ADMIN).json()["events"]
    failed = [e for e in events if e["action"] == "build_failed"]
    assert len(failed) == 1 and failed[0]["details"]["refunded"] is True
