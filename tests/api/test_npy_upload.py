"""A .npy upload is appended chunk by chunk (rows.append_npy) and stores exactly what the
whole-array path stores: the same rows in the same chunks, clipped or dropped alike,
all or nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.services.rows import iter_chunks
from tests.conftest import make_settings, migrate
from tests.helpers import Api, npy_bytes

CHUNK_ROWS = 7


@pytest.fixture
def small_chunks(sqlite_url: str, tmp_path: Path, migrated_sqlite: Path) -> Iterator[TestClient]:
    settings = make_settings(sqlite_url, tmp_path / "var", chunk_rows=CHUNK_ROWS)
    migrate(settings.resolved_database_url, migrated_sqlite)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def stored(api: Api, dataset: str) -> list[np.ndarray]:
    state = api.state
    with state.uow() as tx:
        count = tx.datasets.get(UUID(dataset)).chunk_count
    return list(iter_chunks(state.uow, UUID(dataset), state.cipher, list(range(count))))


def rows_with_some_outside(n: int, dim: int) -> np.ndarray:
    rng = np.random.default_rng(3)
    rows = rng.normal(size=(n, dim)) * 0.4
    rows[::5] *= 10  # every fifth row outside the unit ball
    return rows


@pytest.mark.parametrize("policy", ["clip", "reject"])
def test_npy_stores_the_same_chunks_as_json(small_chunks: TestClient, policy: str) -> None:
    api = Api(small_chunks)
    _, owner = api.key("owner")
    rows = rows_with_some_outside(45, 3)
    by_json = api.dataset(owner, on_out_of_domain=policy)
    by_npy = api.dataset(owner, on_out_of_domain=policy)
    expected = api.upload(owner, by_json, rows)
    r = small_chunks.post(f"/v1/datasets/{by_npy}/rows", content=npy_bytes(rows),
                          headers=owner | {"Content-Type": "application/x-npy"})
    assert r.status_code == 200, r.text
    assert r.json() == expected
    assert expected["clipped" if policy == "clip" else "rejected"] >= 9  # 9 scaled up
    json_chunks, npy_chunks = stored(api, by_json), stored(api, by_npy)
    assert [len(c) for c in npy_chunks] == [len(c) for c in json_chunks]
    assert len(npy_chunks) > 4  # several chunks, the last one short
    for a, b in zip(json_chunks, npy_chunks, strict=True):
        assert np.array_equal(a, b)
    events = small_chunks.get(f"/v1/datasets/{by_npy}/audit", headers=owner).json()["events"]
    assert events[-1]["details"]["chunks"] == len(npy_chunks)


def test_a_bad_row_in_a_late_chunk_stores_nothing(small_chunks: TestClient) -> None:
    api = Api(small_chunks)
    _, owner = api.key("owner")
    dataset = api.dataset(owner)
    rows = rows_with_some_outside(40, 3)
    rows[33, 1] = np.nan  # in the fifth chunk
    r = small_chunks.post(f"/v1/datasets/{dataset}/rows", content=npy_bytes(rows),
                          headers=owner | {"Content-Type": "application/x-npy"})
    assert r.status_code == 422, r.text
    assert "first at row 33" in r.json()["detail"]
    assert stored(api, dataset) == []
    info = small_chunks.get(f"/v1/datasets/{dataset}", headers=owner).json()
    assert info["row_count"] == 0


@pytest.mark.parametrize(("body", "detail"), [
    (npy_bytes(np.zeros((4, 5))), "dim = 3"),
    (npy_bytes(np.zeros((0, 3))), "no rows"),
    (b"", "empty"),
    (npy_bytes(np.zeros((4, 3)))[:-8], "does not match its header"),
])
def test_bad_npy_uploads_are_refused(small_chunks: TestClient, body: bytes,
                                     detail: str) -> None:
    api = Api(small_chunks)
    _, owner = api.key("owner")
    dataset = api.dataset(owner)
    r = small_chunks.post(f"/v1/datasets/{dataset}/rows", content=body,
                          headers=owner | {"Content-Type": "application/x-npy"})
    assert r.status_code == 422, r.text
    assert detail in r.json()["detail"]


def test_fortran_ordered_and_integer_files_are_read_alike(small_chunks: TestClient) -> None:
    api = Api(small_chunks)
    _, owner = api.key("owner")
    rows = (np.arange(60).reshape(20, 3) % 2).astype(np.int32)  # in the ball, integers
    datasets = [api.dataset(owner) for _ in range(2)]
    for dataset, array in zip(datasets, (rows, np.asfortranarray(rows)), strict=True):
        r = small_chunks.post(f"/v1/datasets/{dataset}/rows", content=npy_bytes(array),
                              headers=owner | {"Content-Type": "application/x-npy"})
        assert r.status_code == 200, r.text
    first, second = (np.concatenate(stored(api, d)) for d in datasets)
    assert np.array_equal(first, second)
    norms = np.linalg.norm(rows, axis=1)  # 1 or sqrt(2): the latter scaled into the ball
    assert np.allclose(first, rows / np.maximum(1.0, norms)[:, None], rtol=1e-12, atol=0)
