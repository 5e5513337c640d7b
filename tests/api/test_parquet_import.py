"""``privsim import-parquet``: Parquet files read a batch at a time, each batch checked
and stored as an upload; nothing stored unless every batch passes."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app import cli as cli_module
from app.errors import InvalidInput
from app.services.access import authenticate
from app.services.ingest import UploadLimits
from app.services.parquet_import import import_parquet
from app.services.rows import iter_chunks
from app.settings import Settings
from tests.conftest import ADMIN_KEY
from tests.helpers import ADMIN, Api, unit_ball_rows

DIM, CHUNK_ROWS = 4, 300
LIMITS = UploadLimits(1_000_000, 1 << 30)


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


def write(path: Path, rows: np.ndarray, row_group: int = 250) -> None:
    table = pa.table({f"x{j}": rows[:, j] for j in range(rows.shape[1])})
    pq.write_table(table, path, row_group_size=row_group)


def stored(api: Api, dataset_id: str) -> tuple[np.ndarray, list[int]]:
    """The dataset's rows, decrypted, in order, and the size of each stored chunk."""
    with api.state.uow() as tx:
        seqs = sorted(tx.chunks.seqs(UUID(dataset_id)))
    chunks = list(iter_chunks(api.state.uow, UUID(dataset_id), api.state.cipher, seqs))
    return (np.concatenate(chunks) if chunks else np.zeros((0, DIM)),
            [len(chunk) for chunk in chunks])


def run(api: Api, dataset_id: str, source: Path | str):
    return import_parquet(api.state.uow, authenticate(api.state.uow, ADMIN_KEY),
                          UUID(dataset_id), str(source), cipher=api.state.cipher,
                          chunk_rows=CHUNK_ROWS, limits=LIMITS)


def test_a_glob_of_files_is_imported_batch_by_batch(api: Api, tmp_path: Path) -> None:
    first, second = unit_ball_rows(700, DIM, seed=1), unit_ball_rows(450, DIM, seed=2)
    outside = second.copy()
    outside[3] *= 10.0  # outside the unit ball: clipped, as an upload would
    write(tmp_path / "part-0.parquet", first)
    write(tmp_path / "part-1.parquet", outside)
    (tmp_path / "notes.txt").write_text("not a Parquet file")
    dataset_id = api.dataset(ADMIN, dim=DIM)
    result = run(api, dataset_id, tmp_path / "part-*.parquet")
    assert (result.files, result.accepted, result.clipped, result.rejected) == (2, 1150, 1, 0)
    assert result.batches == 3 + 2  # 700 = 300 + 300 + 100, 450 = 300 + 150
    rows, sizes = stored(api, dataset_id)
    assert sizes == [300, 300, 100, 300, 150]  # never more than a chunk at a time
    expected = np.concatenate([first, second])
    expected[700 + 3] = outside[3] / np.linalg.norm(outside[3])  # onto the unit sphere
    np.testing.assert_allclose(rows, expected, rtol=1e-12)
    events = api.c.get(f"/v1/datasets/{dataset_id}/audit", headers=ADMIN).json()["events"]
    assert sum(e["action"] == "upload" for e in events) == 5


def test_a_bad_batch_anywhere_stores_nothing(api: Api, tmp_path: Path) -> None:
    good, bad = unit_ball_rows(400, DIM, seed=1), unit_ball_rows(400, DIM, seed=2)
    bad[350, 1] = np.nan
    write(tmp_path / "a.parquet", good)
    write(tmp_path / "b.parquet", bad)
    dataset_id = api.dataset(ADMIN, dim=DIM)
    with pytest.raises(InvalidInput, match=r"b\.parquet, the batch from row 300: .*NaN"):
        run(api, dataset_id, tmp_path)  # a directory: every *.parquet under it
    assert stored(api, dataset_id)[0].shape == (0, DIM)


def test_the_wrong_dim_and_a_missing_source_are_refused(api: Api, tmp_path: Path) -> None:
    write(tmp_path / "wide.parquet", unit_ball_rows(10, DIM + 1))
    dataset_id = api.dataset(ADMIN, dim=DIM)
    with pytest.raises(InvalidInput, match="dim = 4"):
        run(api, dataset_id, tmp_path / "wide.parquet")
    with pytest.raises(InvalidInput, match="no Parquet file"):
        run(api, dataset_id, tmp_path / "missing-*.parquet")
    with pytest.raises(InvalidInput, match="only local"):
        run(api, dataset_id, "s3://bucket/rows.parquet")


def test_the_command_imports_with_a_key_from_the_environment(
        api: Api, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = unit_ball_rows(500, DIM, seed=4)
    write(tmp_path / "rows.parquet", rows)
    dataset_id = api.dataset(ADMIN, dim=DIM)
    monkeypatch.setattr(cli_module, "get_settings", lambda: settings)
    runner = CliRunner()
    refused = runner.invoke(cli_module.cli, ["import-parquet", dataset_id,
                                             str(tmp_path / "rows.parquet")],
                            env={"PRIVSIM_API_KEY": "psk_not_a_key"})
    assert refused.exit_code == 1 and "not valid" in refused.output
    done = runner.invoke(cli_module.cli, ["import-parquet", dataset_id,
                                          str(tmp_path / "rows.parquet")],
                         env={"PRIVSIM_API_KEY": ADMIN_KEY})
    assert done.exit_code == 0, done.output
    assert '"accepted": 500' in done.output
    np.testing.assert_allclose(stored(api, dataset_id)[0], rows)
