"""What each principal sees of a structure's build times: exact for the dataset's owner
and admins; rounded down to the minute for analysts (and for any key the dataset was
granted to), since exact build times reveal the row count coarsely."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from tests.helpers import ADMIN, Api, unit_ball_rows

CREATED = datetime(2026, 11, 27, 15, 27, 37, 20_481, tzinfo=UTC)
READY = datetime(2026, 11, 27, 15, 29, 5, 999_999, tzinfo=UTC)


@pytest.fixture
def world(client: TestClient) -> dict:
    api = Api(client)
    _, owner = api.key("owner")
    analyst_id, analyst = api.key("analyst")
    other_owner_id, other_owner = api.key("owner")
    dataset_id = api.dataset(owner)
    api.upload(owner, dataset_id, unit_ball_rows(30, 3))
    for key_id in (analyst_id, other_owner_id):
        r = client.post(f"/v1/datasets/{dataset_id}/grants", headers=owner,
                        json={"key_id": key_id})
        assert r.status_code == 201, r.text
    structure_id = api.built(owner, dataset_id, kind="sq_l2_distance", params={})
    with api.state.uow(write=True) as tx:  # known times, with seconds and microseconds
        structure = tx.structures.get(UUID(structure_id))
        assert structure is not None
        structure.created_at, structure.ready_at = CREATED, READY
        tx.commit()
    return {"api": api, "structure_id": structure_id, "owner": owner, "analyst": analyst,
            "other_owner": other_owner}


def times(api: Api, headers: dict[str, str], structure_id: str) -> list[tuple[datetime, ...]]:
    """(created_at, ready_at) from GET /v1/structures/{id} and from GET /v1/structures."""
    one = api.c.get(f"/v1/structures/{structure_id}", headers=headers)
    listed = api.c.get("/v1/structures", headers=headers)
    assert one.status_code == 200 and listed.status_code == 200
    found = [s for s in listed.json()["structures"] if s["id"] == structure_id]
    assert len(found) == 1
    return [(datetime.fromisoformat(s["created_at"]), datetime.fromisoformat(s["ready_at"]))
            for s in (one.json(), found[0])]


@pytest.mark.parametrize("who", ["analyst", "other_owner"])
def test_others_see_build_times_to_the_minute(world: dict, who: str) -> None:
    for created, ready in times(world["api"], world[who], world["structure_id"]):
        assert (created.second, created.microsecond) == (0, 0)
        assert (ready.second, ready.microsecond) == (0, 0)
        assert created == CREATED.replace(second=0, microsecond=0)  # rounded down
        assert ready == READY.replace(second=0, microsecond=0)


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_the_owner_and_admins_see_exact_build_times(world: dict, who: str) -> None:
    headers = ADMIN if who == "admin" else world[who]
    for created, ready in times(world["api"], headers, world["structure_id"]):
        assert (created, ready) == (CREATED, READY)
