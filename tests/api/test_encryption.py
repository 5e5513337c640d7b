"""Raw rows are encrypted at rest: the database file holds none of the uploaded
floats, in any of the encodings they could be stored in, before or after a purge."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from app.api.deps import AppState
from app.crypto import RowCipher
from tests.helpers import ADMIN, Api, npy_bytes


def _needles(rows: np.ndarray) -> list[bytes]:
    values = rows.ravel()[:50]
    return ([struct.pack("<d", v) for v in values] + [struct.pack("<f", v) for v in values]
            + [repr(float(v)).encode() for v in values])


def _database_bytes(settings_url: str) -> bytes:
    path = Path(settings_url.removeprefix("sqlite:///"))
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def test_the_database_file_holds_no_plaintext_rows(client: TestClient) -> None:
    api = Api(client)
    rows = np.random.default_rng(123).uniform(-0.5, 0.5, size=(500, 4))
    dataset_id = api.dataset(ADMIN, dim=4)
    r = client.post(f"/v1/datasets/{dataset_id}/rows", content=npy_bytes(rows),
                    headers=ADMIN | {"content-type": "application/x-npy"})
    assert r.status_code == 200
    api.upload(ADMIN, dataset_id, rows[:20])  # JSON, too
    stored = _database_bytes(api.state.settings.resolved_database_url)
    assert len(stored) > rows.nbytes  # the rows are in there, somewhere
    assert not [n for n in _needles(rows) if n in stored]
    client.delete(f"/v1/datasets/{dataset_id}/rows", headers=ADMIN)
    assert not [n for n in _needles(rows) if n in _database_bytes(
        api.state.settings.resolved_database_url)]


def test_chunks_are_bound_to_their_dataset_and_position(client: TestClient) -> None:
    state: AppState = client.app.state.privsim  # type: ignore[attr-defined]
    cipher: RowCipher = state.cipher
    from uuid import uuid4

    import pytest
    from cryptography.exceptions import InvalidTag

    a, b = uuid4(), uuid4()
    sealed = cipher.encrypt(b"rows", a, 0)
    assert cipher.decrypt(sealed, a, 0) == b"rows"
    with pytest.raises(InvalidTag):
        cipher.decrypt(sealed, b, 0)
    with pytest.raises(InvalidTag):
        cipher.decrypt(sealed, a, 1)
