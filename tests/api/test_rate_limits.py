"""Per-key rate limits (PRIVSIM_RATE_LIMIT) and the failed-authentication limit per
address (PRIVSIM_RATE_LIMIT_AUTH_FAILURES): off by default; when on, the request over a
window is answered 429 problem+json with Retry-After, per key, on the query fast lane
too, and in a Redis storage shared by several API processes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.fast_lane import QueryFastLane
from app.main import create_app
from app.settings import Settings
from tests.conftest import make_settings, migrate
from tests.helpers import ADMIN, Api, bearer, unit_ball_rows

REDIS_URL = "redis://127.0.0.1:6379/0"

MakeClient = Callable[..., TestClient]


@pytest.fixture
def make_client(sqlite_url: str, tmp_path: Path, migrated_sqlite: Path) -> Iterator[MakeClient]:
    """Clients of apps on one database (as several API processes share one), each with
    the settings' overrides given."""
    with ExitStack() as stack:

        def make(**overrides: Any) -> TestClient:
            # a moving window: a fixed one may close between a test's requests (a minute
            # boundary), which would make it pass requests it expects to be refused
            overrides.setdefault("rate_limit_strategy", "moving-window")
            settings = make_settings(sqlite_url, tmp_path / "var", **overrides)
            migrate(settings.resolved_database_url, migrated_sqlite)
            return stack.enter_context(TestClient(create_app(settings),
                                                  raise_server_exceptions=False))

        yield make


def _assert_rate_limited(response: Any, secret: str) -> int:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:privsim:problem:rate-limited"
    assert body["status"] == 429
    assert secret not in response.text
    retry_after = response.headers["retry-after"]
    assert retry_after.isdigit()
    assert int(retry_after) >= 1
    assert body["retry_after"] == int(retry_after)
    assert response.headers["ratelimit-remaining"] == "0"
    assert response.headers["ratelimit-reset"] == retry_after
    return int(retry_after)


def test_off_by_default(client: TestClient) -> None:
    settings: Settings = client.app.state.privsim.settings  # type: ignore[attr-defined]
    assert settings.rate_limit is None
    assert settings.rate_limit_auth_failures is None
    assert client.app.state.privsim.limiter is None  # type: ignore[attr-defined]
    statuses = {client.get("/v1/datasets", headers=ADMIN).status_code for _ in range(60)}
    assert statuses == {200}


def test_request_over_the_window_is_429_then_passes_after_retry_after(
        make_client: MakeClient) -> None:
    client = make_client(rate_limit="3/second")
    for _ in range(20):  # a window may close between two requests: start in a fresh one
        statuses = [client.get("/v1/datasets", headers=ADMIN).status_code for _ in range(4)]
        if statuses == [200, 200, 200, 429]:
            break
        time.sleep(1.05)
    assert statuses == [200, 200, 200, 429]
    retry_after = _assert_rate_limited(client.get("/v1/datasets", headers=ADMIN),
                                       ADMIN["Authorization"])
    time.sleep(retry_after)
    assert client.get("/v1/datasets", headers=ADMIN).status_code == 200
    metrics = client.get("/metrics").text
    assert 'privsim_rate_limited_total{kind="key"} 2.0' in metrics


@pytest.mark.parametrize("strategy", ["fixed-window", "moving-window",
                                      "sliding-window-counter"])
def test_every_strategy_refuses_the_request_over_the_limit(make_client: MakeClient,
                                                           strategy: str) -> None:
    client = make_client(rate_limit="3/minute", rate_limit_strategy=strategy)
    for _ in range(3):
        assert client.get("/v1/datasets", headers=ADMIN).status_code == 200
    retry_after = _assert_rate_limited(client.get("/v1/datasets", headers=ADMIN),
                                       ADMIN["Authorization"])
    assert retry_after <= 60


def test_each_key_has_its_own_windows(make_client: MakeClient) -> None:
    client = make_client(rate_limit="5/minute;100/hour")
    api = Api(client)
    _, analyst = api.key("analyst")  # the admin's first request
    for _ in range(4):
        assert client.get("/v1/datasets", headers=ADMIN).status_code == 200
    _assert_rate_limited(client.get("/v1/datasets", headers=ADMIN), ADMIN["Authorization"])
    for _ in range(5):
        assert client.get("/v1/datasets", headers=analyst).status_code == 200
    _assert_rate_limited(client.get("/v1/datasets", headers=analyst),
                         analyst["Authorization"])


def test_heavy_work_has_its_own_windows_on_top_of_the_key_s(make_client: MakeClient) -> None:
    client = make_client(rate_limit="100/minute", rate_limit_heavy="2/minute")
    api = Api(client)
    dataset_id = api.dataset(ADMIN)
    rows = unit_ball_rows(20, 3, seed=2)
    for _ in range(2):
        api.upload(ADMIN, dataset_id, rows)
    refused = client.post(f"/v1/datasets/{dataset_id}/rows", headers=ADMIN,
                          json={"rows": rows.tolist()})
    _assert_rate_limited(refused, ADMIN["Authorization"])
    assert "uploads, builds and solves" in refused.json()["detail"]
    build = client.post(f"/v1/datasets/{dataset_id}/structures", headers=ADMIN, json={
        "kind": "gaussian_kde", "params": {"bandwidth": 0.5, "features": 64},
        "privacy": {"epsilon": 1.0, "delta": 0.0}})
    _assert_rate_limited(build, ADMIN["Authorization"])  # the same windows as uploads
    # reads and queries are not heavy work: only the key's own limit applies to them
    for _ in range(5):
        assert client.get(f"/v1/datasets/{dataset_id}", headers=ADMIN).status_code == 200
    ledger = client.get(f"/v1/datasets/{dataset_id}/ledger", headers=ADMIN).json()
    assert ledger["entries"] == []  # the refused build spent nothing
    assert 'privsim_rate_limited_total{kind="heavy"} 2.0' in client.get("/metrics").text


def test_the_fast_lane_is_limited_too(make_client: MakeClient,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    client = make_client(rate_limit="12/minute")
    api = Api(client)
    dataset_id = api.dataset(ADMIN)
    api.upload(ADMIN, dataset_id, unit_ball_rows(200, 3, seed=1))
    structure = api.built(ADMIN, dataset_id, kind="gaussian_kde",
                          params={"bandwidth": 0.5, "features": 64}, epsilon=1.0)
    _, analyst = api.key("analyst", [dataset_id])
    taken: list[bool] = []
    real = QueryFastLane._take

    def spy(self: QueryFastLane, scope: Any) -> Any:
        result = real(self, scope)
        taken.append(result is not None)
        return result

    monkeypatch.setattr(QueryFastLane, "_take", spy)
    url = f"/v1/structures/{structure}/query"
    body = {"points": [[0.0, 0.0, 0.0]]}
    for _ in range(12):
        assert client.post(url, headers=analyst, json=body).status_code == 200
    assert taken[-1], "later queries of the same key take the fast lane"
    _assert_rate_limited(client.post(url, headers=analyst, json=body),
                         analyst["Authorization"])
    assert taken[-1], "the lane took the refused request and refused it itself"


def test_failed_authentications_never_count_against_a_key(make_client: MakeClient) -> None:
    client = make_client(rate_limit="3/minute")
    for _ in range(10):
        assert client.get("/v1/datasets", headers=bearer("psk_wrong")).status_code == 401
    for _ in range(3):
        assert client.get("/v1/datasets", headers=ADMIN).status_code == 200


def test_failed_authentications_are_limited_per_address(make_client: MakeClient) -> None:
    client = make_client(rate_limit_auth_failures="3/minute")
    assert client.get("/v1/datasets", headers=ADMIN).status_code == 200  # now cached
    wrong = bearer("psk_wrong_key_for_this_test")
    for _ in range(3):
        assert client.get("/v1/datasets", headers=wrong).status_code == 401
    _assert_rate_limited(client.get("/v1/datasets", headers=wrong), wrong["Authorization"])
    assert client.get("/v1/datasets").status_code == 429  # no key at all: refused as well
    # a key this process authenticated moments ago is not held up by others' failures
    for _ in range(5):
        assert client.get("/v1/datasets", headers=ADMIN).status_code == 200
    assert 'privsim_rate_limited_total{kind="auth-failures"} 2.0' in client.get("/metrics").text


def test_settings_refuse_a_malformed_limit(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="limits"):
        make_settings("sqlite://", tmp_path, rate_limit="lots")
    with pytest.raises(ValueError, match="memory://"):
        make_settings("sqlite://", tmp_path, rate_limit="1/second",
                      rate_limit_storage="mysql://localhost")
    assert make_settings("sqlite://", tmp_path, rate_limit=" ").rate_limit is None


def _redis_reachable() -> bool:
    import redis  # a dev dependency

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=0.5).ping())
    except redis.RedisError:
        return False


def test_an_unreachable_storage_lets_requests_through(
        make_client: MakeClient, caplog: pytest.LogCaptureFixture) -> None:
    client = make_client(rate_limit="2/minute",
                         rate_limit_storage="redis://127.0.0.1:9/0")  # nothing listens
    statuses = {client.get("/v1/datasets", headers=ADMIN).status_code for _ in range(4)}
    assert statuses == {200}
    assert "rate-limit storage unavailable" in caplog.text


def test_a_redis_storage_is_shared_by_two_api_processes(make_client: MakeClient) -> None:
    # `make test` starts the machine's Redis when it is down (`make redis`)
    assert _redis_reachable(), f"no Redis at {REDIS_URL}: run `make redis`"
    limits = {"rate_limit": "4/minute", "rate_limit_storage": REDIS_URL}
    first, second = make_client(**limits), make_client(**limits)
    codes = [client.get("/v1/datasets", headers=ADMIN).status_code
             for client in (first, second, first, second)]
    assert codes == [200, 200, 200, 200]
    _assert_rate_limited(first.get("/v1/datasets", headers=ADMIN), ADMIN["Authorization"])
    _assert_rate_limited(second.get("/v1/datasets", headers=ADMIN), ADMIN["Authorization"])
    # each process alone (memory://) would have let both through
    alone = make_client(rate_limit="4/minute")
    assert alone.get("/v1/datasets", headers=ADMIN).status_code == 200
