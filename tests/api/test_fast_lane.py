"""The query fast lane (app.api.fast_lane): it takes only requests whose key and access
are already known, and answers each exactly as the route does, errors included."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

import app.api.fast_lane as fast_lane
from tests.helpers import ADMIN, Api, npy_bytes, unit_ball_rows

ROWS = unit_ball_rows(300, 3, seed=11)
POINTS = unit_ball_rows(4, 3, seed=12)
NPY_IN = {"content-type": "application/x-npy"}
NPY_OUT = {"accept": "application/x-npy"}


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


@pytest.fixture
def structure(api: Api) -> str:
    dataset_id = api.dataset(ADMIN, epsilon=10.0)
    api.upload(ADMIN, dataset_id, ROWS)
    return api.built(ADMIN, dataset_id, kind="gaussian_kde",
                     params={"bandwidth": 0.5, "features": 128}, epsilon=1.0)


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The structure ids of the requests the lane answered."""
    seen: list[str] = []
    real = fast_lane.answer_query

    async def spy(state: Any, principal: Any, structure_id: Any, request: Any,
                  reduce: Any) -> Any:
        seen.append(str(structure_id))
        return await real(state, principal, structure_id, request, reduce)

    monkeypatch.setattr(fast_lane, "answer_query", spy)
    return seen


# (query string, extra headers, body as JSON or bytes)
REQUESTS: list[tuple[str, dict[str, str], Any]] = [
    ("", {}, {"points": POINTS.tolist()}),
    ("", {}, {"points": POINTS.tolist(), "reduce": "mean"}),
    ("?reduce=mean", {}, {"points": POINTS.tolist()}),
    ("?reduce=sum", {}, {"points": POINTS.tolist(), "reduce": "mean"}),  # 422: differ
    ("?reduce=mean", NPY_IN | NPY_OUT, npy_bytes(POINTS)),
    ("", NPY_OUT, {"points": POINTS.tolist()}),
    ("", NPY_IN, npy_bytes(np.full((1, 3), np.nan))),  # 422
    ("", NPY_IN, b"junk"),  # 422
    ("", {}, {"points": [[0.0, 0.0], [0.0, 0.0, 0.0]]}),  # ragged: 422
    ("", {}, {"points": [[0.0, 0.0]]}),  # wrong dim: 422
    ("", {}, {"points": [[0.0, 0.0, 0.0]], "extra": 1}),  # unknown field: 422
    ("", {"content-type": "application/json"}, b'{"points": [[0, 0, 0]], "points": []}'),
    ("", {"content-type": "application/json"}, b'{"points": [[0, 0, NaN]]}'),
    ("", {"content-type": "text/plain"}, b"0,0,0"),  # 415
    ("", {"accept": "text/html"}, {"points": [[0.0, 0.0, 0.0]]}),  # 406
    ("", {}, {"points": np.zeros((6, 3)).tolist()}),  # 413 above max_query_points = 5
]


def _send(api: Api, structure: str, query: str, headers: dict[str, str],
          body: Any) -> Any:
    url = f"/v1/structures/{structure}/query{query}"
    if isinstance(body, bytes):
        return api.c.post(url, headers=ADMIN | headers, content=body)
    return api.c.post(url, headers=ADMIN | headers, json=body)


def _comparable(response: Any) -> tuple[int, str, Any]:
    kind = response.headers["content-type"]
    if "json" not in kind:
        return response.status_code, kind, response.content
    body = response.json()
    body.pop("request_id", None)
    return response.status_code, kind, body


def test_the_lane_answers_every_request_as_the_route_does(
        api: Api, structure: str, taken: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    api.state.settings.max_query_points = 5
    assert _send(api, structure, "", {}, {"points": POINTS.tolist()}).status_code == 200
    taken.clear()  # that first query admitted the key to the structure
    through_lane = [_comparable(_send(api, structure, *request)) for request in REQUESTS]
    assert taken == [structure] * len(REQUESTS)
    statuses = [status for status, _, _ in through_lane]
    assert statuses.count(200) == 5 and {406, 413, 415, 422} <= set(statuses)
    monkeypatch.setattr(fast_lane.QueryFastLane, "_take", lambda self, scope: None)
    taken.clear()
    through_route = [_comparable(_send(api, structure, *request)) for request in REQUESTS]
    assert taken == []
    for request, lane, route in zip(REQUESTS, through_lane, through_route, strict=True):
        assert lane == route, request[:2]


def test_the_lane_takes_only_what_it_can_know(api: Api, structure: str,
                                              taken: list[str]) -> None:
    """A first access, a key not yet seen, an unusual path, query string or header, and
    a body without a declared length all go to the route, and get its answers."""
    body = {"points": POINTS.tolist()}
    first = _send(api, structure, "", {}, body)
    assert first.status_code == 200 and taken == []  # admitted by this one
    _, reader = api.key("admin")
    url = f"/v1/structures/{structure}/query"
    assert api.c.post(url, headers=reader, json=body).status_code == 200
    assert taken == []  # another key: its own first access
    unusual = [
        (url.upper().replace("/V1/STRUCTURES/", "/v1/structures/").replace("/QUERY", "/query"),
         ADMIN, "json"),
        (url + "?reduce=sum&reduce=mean", ADMIN, "json"),  # FastAPI reads the last
        (url + "?reduce=median", ADMIN, "json"),
        (url, {"Authorization": "Bearer  " + ADMIN["Authorization"][7:]}, "json"),
        (url, {"Authorization": "Basic abc"}, "json"),
        (url, ADMIN, "chunked"),
    ]
    statuses = []
    for target, headers, how in unusual:
        if how == "chunked":
            response = api.c.post(target, headers=headers | {"content-type": "application/json"},
                                  content=iter([b'{"points": ', repr(POINTS.tolist()).encode(),
                                                b"}"]))
        else:
            response = api.c.post(target, headers=headers, json=body)
        statuses.append(response.status_code)
    assert taken == []
    assert statuses == [200, 200, 422, 200, 401, 200]
    assert _send(api, structure, "", {}, body).status_code == 200
    assert taken == [structure]


def test_lane_requests_count_under_the_query_route(api: Api, structure: str,
                                                   taken: list[str]) -> None:
    body = {"points": POINTS.tolist()}
    for _ in range(3):
        assert _send(api, structure, "", {}, body).status_code == 200
    assert len(taken) == 2
    metrics = api.c.get("/metrics").text
    line = next(line for line in metrics.splitlines()
                if line.startswith("privsim_http_requests_total{")
                and 'route="/v1/structures/{structure_id}/query"' in line
                and 'status="200"' in line)
    assert float(line.rsplit(" ", 1)[1]) == 3.0


def test_a_key_revoked_through_this_process_leaves_the_lane_at_once(
        api: Api, structure: str, taken: list[str]) -> None:
    key_id, reader = api.key("admin")
    url = f"/v1/structures/{structure}/query"
    body = {"points": POINTS.tolist()}
    for _ in range(2):
        assert api.c.post(url, headers=reader, json=body).status_code == 200
    assert taken == [structure]
    assert api.c.delete(f"/v1/keys/{key_id}", headers=ADMIN).status_code == 204
    assert api.c.post(url, headers=reader, json=body).status_code == 401
    assert taken == [structure]
