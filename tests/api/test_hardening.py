"""Hostile and careless requests get a clean 4xx problem+json, never a 500, and cost
what the service decided before starting: one test per finding of the outside review
(the review's request, as sent), plus idempotent builds and HTTP hygiene."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.settings import Settings, weak_secret_reason
from tests.conftest import make_settings
from tests.helpers import ADMIN, Api, npy_bytes

PROBLEM = "application/problem+json"


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


def _dataset_body(**fields: Any) -> dict[str, Any]:
    return {"name": "d", "dim": 3, "domain": {"type": "l2_ball", "radius": 1.0},
            "budget": {"epsilon": 1.0, "delta": 1e-6}} | fields


# --- 2. no 5xx from input ------------------------------------------------------------


def test_rows_json_nested_ten_thousand_deep_is_refused(api: Api) -> None:
    dataset = api.dataset(ADMIN)
    body = b'{"rows": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    r = api.c.post(f"/v1/datasets/{dataset}/rows", headers=ADMIN | {
        "content-type": "application/json"}, content=body)
    assert "nested" in problem(r, 422)["detail"]


@pytest.mark.parametrize("rows", [3_000_000_000, 10**12, 10**20])
def test_npy_header_claiming_a_huge_shape_is_refused_before_decoding(api: Api,
                                                                    rows: int) -> None:
    dataset = api.dataset(ADMIN)
    header = {"descr": "<f8", "fortran_order": False, "shape": (rows, 3)}
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    body = buffer.getvalue() + np.zeros((2, 3)).tobytes()
    r = api.c.post(f"/v1/datasets/{dataset}/rows", headers=ADMIN | {
        "content-type": "application/x-npy"}, content=body)
    found = problem(r, 413)
    assert found["max_rows"] > 0
    assert found["max_decoded_bytes"] > 0


def test_csv_with_only_cr_line_endings_is_read(api: Api) -> None:
    dataset = api.dataset(ADMIN)
    body = b"0.1,0.2,0.3\r0.0,0.1,0.0\r-0.2,0,0.4\r"
    r = api.c.post(f"/v1/datasets/{dataset}/rows", headers=ADMIN | {
        "content-type": "text/csv"}, content=body)
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 3


def test_csv_field_over_the_csv_module_limit_is_refused(api: Api) -> None:
    dataset = api.dataset(ADMIN)
    body = b"0.1,0.2," + b"1" * 131_073 + b"\n"
    r = api.c.post(f"/v1/datasets/{dataset}/rows", headers=ADMIN | {
        "content-type": "text/csv"}, content=body)
    assert "1" * 100 not in problem(r, 422)["detail"]


def test_alpha_1e300_is_refused(api: Api) -> None:
    dataset = api.dataset(ADMIN)
    api.upload(ADMIN, dataset, np.zeros((5, 3)))
    r = api.c.post(f"/v1/datasets/{dataset}/structures", headers=ADMIN, json={
        "kind": "gaussian_kde", "params": {"bandwidth": 0.5, "alpha": 1e300},
        "privacy": {"epsilon": 0.1}})
    assert "alpha" in problem(r, 422)["detail"]


@pytest.mark.parametrize("domain", [
    {"type": "l2_ball", "radius": 1e100}, {"type": "box", "low": -1e100, "high": 1e100},
    {"type": "l2_ball", "radius": 1e-300}])
def test_domains_where_arithmetic_could_overflow_are_refused_at_creation(
        api: Api, domain: dict[str, Any]) -> None:
    r = api.c.post("/v1/datasets", headers=ADMIN, json=_dataset_body(domain=domain))
    assert "domain" in problem(r, 422)["detail"]


def test_audit_cursor_beyond_64_bits_is_refused(api: Api) -> None:
    dataset = api.dataset(ADMIN)
    r = api.c.get(f"/v1/datasets/{dataset}/audit?after=9223372036854775808", headers=ADMIN)
    problem(r, 422)
    r = api.c.get(f"/v1/datasets/{dataset}/audit?after=9223372036854775807", headers=ADMIN)
    assert r.status_code == 200, r.text
    assert r.json()["events"] == []


# --- 4. strict parsing ---------------------------------------------------------------


@pytest.mark.parametrize("change", [
    {"budget": {"epsilon": "1"}}, {"budget": {"epsilon": True}}, {"dim": "3"},
    {"labelled": "yes"}, {"labelled": 1}, {"name": "bad\u202ename"}, {"name": "tab\there"},
    {"name": "line\nbreak"}, {"budget": {"epsilon": 1.0, "delta": 0.5}},
    {"budget": {"epsilon": 1.0, "delta": 0.01}}])
def test_dataset_fields_are_parsed_strictly(api: Api, change: dict[str, Any]) -> None:
    r = api.c.post("/v1/datasets", headers=ADMIN, json=_dataset_body(**change))
    problem(r, 422)


def test_a_repeated_key_is_refused(api: Api) -> None:
    body = (b'{"name": "d", "dim": 3, "domain": {"type": "l2_ball", "radius": 1}, '
            b'"budget": {"epsilon": 1}, "budget": {"epsilon": 90}}')
    r = api.c.post("/v1/datasets", headers=ADMIN | {"content-type": "application/json"},
                   content=body)
    assert "duplicate key" in problem(r, 422)["detail"]


def test_a_build_whose_delta_is_above_one_over_n_warns(api: Api) -> None:
    dataset = api.dataset(ADMIN, delta=9e-3)
    api.upload(ADMIN, dataset, np.zeros((200, 3)))  # 1/n = 5e-3

    def warnings(delta: float) -> list[str]:
        r = api.c.post(f"/v1/datasets/{dataset}/structures:estimate", headers=ADMIN, json={
            "kind": "gaussian_kde", "params": {"bandwidth": 0.5, "mechanism": "gaussian"},
            "privacy": {"epsilon": 0.5, "delta": delta}})
        assert r.status_code == 200, r.text
        return list(r.json()["warnings"])

    assert any("1/n" in w for w in warnings(8e-3))
    assert not any("1/n" in w for w in warnings(1e-4))


@pytest.mark.parametrize("points", [[[True, 0, 0]], [["0", 0, 0]], True, "0"])
def test_query_points_must_be_numbers(api: Api, points: Any) -> None:
    dataset = api.dataset(ADMIN)
    api.upload(ADMIN, dataset, np.zeros((5, 3)))
    built = api.build(ADMIN, dataset)
    api.worker().run_once()
    r = api.c.post(f"/v1/structures/{built['structure_id']}/query", headers=ADMIN,
                   json={"points": points})
    problem(r, 422)


def test_query_with_a_repeated_key_is_refused(api: Api) -> None:
    dataset = api.dataset(ADMIN)
    api.upload(ADMIN, dataset, np.zeros((5, 3)))
    built = api.build(ADMIN, dataset)
    api.worker().run_once()
    r = api.c.post(f"/v1/structures/{built['structure_id']}/query", headers=ADMIN | {
        "content-type": "application/json"},
        content=b'{"points": [[0, 0, 0]], "reduce": "sum", "reduce": "mean"}')
    assert "duplicate key" in problem(r, 422)["detail"]


@pytest.mark.parametrize(("header_rows", "data", "descr"), [
    (2, np.zeros((5, 3)), "<f8"),  # the header claims fewer rows than follow
    (5, np.zeros((5, 3)), "<f4"),  # float64 data under a float32 header
    (5, np.zeros((4, 3)), "<f8"),  # data cut short
])
def test_npy_whose_header_disagrees_with_its_data_is_refused(
        api: Api, header_rows: int, data: np.ndarray, descr: str) -> None:
    dataset = api.dataset(ADMIN)
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": descr, "fortran_order": False, "shape": (header_rows, 3)})
    r = api.c.post(f"/v1/datasets/{dataset}/rows", headers=ADMIN | {
        "content-type": "application/x-npy"}, content=buffer.getvalue() + data.tobytes())
    problem(r, 422)
    owner_view = api.c.get(f"/v1/datasets/{dataset}", headers=ADMIN).json()
    assert owner_view["row_count"] == 0


@pytest.mark.parametrize("body", [b"1_0,0,0\n", "\u0663,0,0\n".encode(), b"0x10,0,0\n",
                                  b"inf,0,0\n"])
def test_csv_accepts_plain_decimal_numbers_only(api: Api, body: bytes) -> None:
    dataset = api.dataset(ADMIN)
    r = api.c.post(f"/v1/datasets/{dataset}/rows", headers=ADMIN | {
        "content-type": "text/csv"}, content=body)
    problem(r, 422)


def test_csv_with_another_separator_says_which(api: Api) -> None:
    dataset = api.dataset(ADMIN)
    r = api.c.post(f"/v1/datasets/{dataset}/rows", headers=ADMIN | {
        "content-type": "text/csv"}, content=b"0.1;0.2;0.3\n0;0;0\n")
    assert "';'" in problem(r, 422)["detail"]


# --- 1. bounded cost -----------------------------------------------------------------


def test_tiny_parquet_of_millions_of_rows_is_refused_from_its_metadata(
        sqlite_url: str, tmp_path: Any) -> None:
    from app.db.migrate import upgrade
    from app.main import create_app
    settings = make_settings(sqlite_url, tmp_path / "var", max_upload_rows=1_000_000)
    upgrade(sqlite_url)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        api = Api(client)
        dataset = api.dataset(ADMIN)
        zeros = pa.array(np.zeros(8_000_000))
        table = pa.table({"a": zeros, "b": zeros, "c": zeros})
        sink = io.BytesIO()
        pq.write_table(table, sink, compression="zstd")
        body = sink.getvalue()
        assert len(body) < 2_000_000
        r = client.post(f"/v1/datasets/{dataset}/rows", headers=ADMIN | {
            "content-type": "application/vnd.apache.parquet"}, content=body)
        found = problem(r, 413)
        assert found["max_rows"] == 1_000_000
        assert found["rows"] == 8_000_000


def test_a_build_whose_cost_exceeds_the_limits_is_refused_before_any_spend(api: Api) -> None:
    dataset = api.dataset(ADMIN)
    api.upload(ADMIN, dataset, np.zeros((51, 3)))
    params = {"estimator": "banded", "alpha": 0.01, "grid_levels": 20}
    r = api.c.post(f"/v1/datasets/{dataset}/structures", headers=ADMIN, json={
        "kind": "l1_distance", "params": params, "privacy": {"epsilon": 1.0}})
    found = problem(r, 422)
    assert {"estimated_seconds", "limit_seconds", "memory_bytes", "limit_memory_bytes",
            "size_bytes", "limit_bytes"} <= set(found) or "grid_levels" in found["detail"]
    ledger = api.c.get(f"/v1/datasets/{dataset}/ledger", headers=ADMIN).json()
    assert ledger["entries"] == []


def test_a_query_costing_more_than_the_limit_is_refused(sqlite_url: str, tmp_path: Any) -> None:
    from app.db.migrate import upgrade
    from app.main import create_app
    settings = make_settings(sqlite_url, tmp_path / "var", max_query_seconds=0.01)
    upgrade(sqlite_url)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        api = Api(client)
        dataset = api.dataset(ADMIN)
        api.upload(ADMIN, dataset, np.zeros((5, 3)))
        built = api.build(ADMIN, dataset, params={"bandwidth": 0.5, "features": 4096})
        api.worker().run_once()
        url = f"/v1/structures/{built['structure_id']}/query"
        r = client.post(url, headers=ADMIN | {"content-type": "application/x-npy"},
                        content=npy_bytes(np.zeros((50_000, 3))))
        found = problem(r, 413)
        assert 0 < found["max_points"] < 50_000
        assert found["estimated_seconds"] > found["limit_seconds"] == 0.01
        r = client.post(url, headers=ADMIN | {"content-type": "application/x-npy"},
                        content=npy_bytes(np.zeros((found["max_points"], 3))))
        assert r.status_code == 200, r.text


# --- 5. idempotent builds ------------------------------------------------------------


def test_a_retried_build_with_the_same_key_is_answered_once_and_charged_once(
        api: Api) -> None:
    dataset = api.dataset(ADMIN)
    api.upload(ADMIN, dataset, np.zeros((5, 3)))
    body = {"kind": "gaussian_kde", "params": {"bandwidth": 0.5, "features": 64},
            "privacy": {"epsilon": 1.0}}
    url = f"/v1/datasets/{dataset}/structures"
    key = {"Idempotency-Key": "build-7f3a"}
    first = api.c.post(url, headers=ADMIN | key, json=body)
    again = api.c.post(url, headers=ADMIN | key, json=body)
    assert first.status_code == again.status_code == 202, again.text
    assert again.json() == first.json()
    assert again.headers.get("idempotent-replayed") == "true"
    assert "idempotent-replayed" not in first.headers
    ledger = api.c.get(f"/v1/datasets/{dataset}/ledger", headers=ADMIN).json()
    assert [e["entry"] for e in ledger["entries"]] == ["spend"]
    assert ledger["budget"]["epsilon"]["spent"] == pytest.approx(1.0)

    other = api.c.post(url, headers=ADMIN | key, json=body | {"privacy": {"epsilon": 2.0}})
    assert problem(other, 409)["type"].endswith("idempotency-key-reused")
    fresh = api.c.post(url, headers=ADMIN | {"Idempotency-Key": "build-7f3b"}, json=body)
    assert fresh.status_code == 202
    assert fresh.json()["structure_id"] != first.json()["structure_id"]


def test_idempotency_keys_belong_to_their_sender(api: Api) -> None:
    _, owner = api.key("owner")
    mine = api.dataset(owner)
    theirs = api.dataset(ADMIN)
    api.upload(owner, mine, np.zeros((5, 3)))
    api.upload(ADMIN, theirs, np.zeros((5, 3)))
    body = {"kind": "sq_l2_distance", "params": {}, "privacy": {"epsilon": 1.0}}
    key = {"Idempotency-Key": "same-key"}
    a = api.c.post(f"/v1/datasets/{mine}/structures", headers=owner | key, json=body)
    b = api.c.post(f"/v1/datasets/{theirs}/structures", headers=ADMIN | key, json=body)
    assert a.status_code == b.status_code == 202
    assert a.json()["structure_id"] != b.json()["structure_id"]


@pytest.mark.parametrize("key", ["", "x" * 256, "with space", "caf\u00e9"])
def test_malformed_idempotency_keys_are_refused(api: Api, key: str) -> None:
    dataset = api.dataset(ADMIN)
    api.upload(ADMIN, dataset, np.zeros((5, 3)))
    r = api.c.post(f"/v1/datasets/{dataset}/structures",
                   headers=ADMIN | {"Idempotency-Key": key.encode()},
                   json={"kind": "sq_l2_distance", "privacy": {"epsilon": 1.0}})
    problem(r, 422)
    assert api.c.get(f"/v1/datasets/{dataset}/ledger", headers=ADMIN).json()["entries"] == []


# --- 6. HTTP hygiene -----------------------------------------------------------------


def test_responses_are_not_cached_nor_sniffed(api: Api) -> None:
    created = api.c.post("/v1/keys", headers=ADMIN, json={"role": "owner", "name": "o"})
    assert created.status_code == 201
    for r in (created, api.c.get("/v1/datasets", headers=ADMIN), api.c.get("/v1/keys"),
              api.c.get("/healthz")):
        assert r.headers["cache-control"] == "no-store"
        assert r.headers["x-content-type-options"] == "nosniff"


def test_no_redirect_copies_the_host_header(api: Api) -> None:
    r = api.c.get("/v1/datasets/", headers=ADMIN | {"host": "evil.example"},
                  follow_redirects=False)
    assert "location" not in r.headers
    problem(r, 404)


def test_metrics_can_require_an_admin_key(sqlite_url: str, tmp_path: Any) -> None:
    from app.db.migrate import upgrade
    from app.main import create_app
    upgrade(sqlite_url)
    settings = make_settings(sqlite_url, tmp_path / "var", metrics_access="admin")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        problem(client.get("/metrics"), 401)
        _, analyst = Api(client).key("analyst")
        problem(client.get("/metrics", headers=analyst), 403)
        assert client.get("/metrics", headers=ADMIN).status_code == 200


def test_metrics_are_open_by_default(api: Api) -> None:
    assert api.c.get("/metrics").status_code == 200


# --- 7. the bootstrap admin key ------------------------------------------------------


@pytest.mark.parametrize("secret", [
    "short-but-random-Xq9", "a" * 40, "abcdefghijklmnopabcdefghijklmnop",
    "test-admin-key-0123456789-and-more-chars", "changeme-Xq9Wv2Lr7Tk4Np8Hs3Bd6",
    "Qw3Er5Ty7Ui9Op1As2Df4Gh6Jk8Lz0Xc" * 2])
def test_weak_bootstrap_keys_are_refused(secret: str, tmp_path: Any) -> None:
    assert weak_secret_reason(secret) is not None
    with pytest.raises(ValidationError, match="PRIVSIM_BOOTSTRAP_ADMIN_KEY"):
        Settings(environment="test", var_dir=tmp_path, bootstrap_admin_key=secret)


def test_random_bootstrap_keys_are_accepted() -> None:
    import secrets
    for _ in range(200):
        assert weak_secret_reason(secrets.token_urlsafe(32)) is None
        assert weak_secret_reason(secrets.token_hex(16)) is None
    # random hex keys with only 9 different digits (about 1 in 10,000) are random too
    assert weak_secret_reason("16edf63ed1b713e373e4d67d4d3b3e36") is None
    refused = weak_secret_reason("qxzkvwzqxwvkzxqwkvzqxkwvqzxkvwqz")  # 6 of them
    assert refused is not None and "different characters" in refused
