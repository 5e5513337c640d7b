"""The client against a real ``privsim serve``: an owner uploads files of every format
(streamed), builds and grants; an analyst queries and exports, and the exported release
answers offline exactly as the server did. And a rate-limited server's 429s are
waited out."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from privsim_client import Client, ProblemError
from privsim_client.offline import load_release

from app.db.migrate import upgrade
from tests.conftest import ADMIN_KEY
from tests.helpers import exact_answers, unit_ball_rows
from tests.live import server, service_env

pytestmark = pytest.mark.e2e


def _files(rows: np.ndarray, folder: Path) -> list[Path]:
    """The rows in three files, a third each: .npy, .csv (with a header), .parquet."""
    npy_rows, csv_rows, parquet_rows = np.array_split(rows, 3)
    npy, csv, parquet = folder / "a.npy", folder / "b.csv", folder / "c.parquet"
    np.save(npy, npy_rows)
    header = ",".join(f"x{i}" for i in range(rows.shape[1]))
    np.savetxt(csv, csv_rows, delimiter=",", fmt="%.17g", header=header, comments="")
    pq.write_table(pa.table({f"x{i}": parquet_rows[:, i] for i in range(rows.shape[1])}),
                   parquet)
    return [npy, csv, parquet]


def test_owner_and_analyst_through_the_client(sqlite_url: str, tmp_path: Path) -> None:
    upgrade(sqlite_url)
    env = service_env(sqlite_url, tmp_path / "var", PRIVSIM_INPROCESS_WORKERS="1")
    rows = unit_ball_rows(150_000, 4, seed=11)  # the .npy third is 1.6 MB: two chunks
    points = unit_ball_rows(20, 4, seed=12)
    with ExitStack() as stack:
        base = stack.enter_context(server(env, tmp_path / "server.log"))
        admin = stack.enter_context(Client(base, ADMIN_KEY))
        owner = stack.enter_context(Client(base, admin.create_key("owner", "olga").key))
        dataset = owner.create_dataset("files", 4, {"type": "l2_ball", "radius": 1},
                                       {"epsilon": 3, "delta": 1e-6})
        for path in _files(rows, tmp_path):
            sent: list[tuple[int, int]] = []
            accepted = owner.upload_file(dataset.id, path,
                                         progress=lambda s, t, sent=sent: sent.append((s, t)))
            assert accepted.accepted == 50_000 and accepted.rejected == 0, path.name
            size = path.stat().st_size
            assert sent[-1] == (size, size) and len(sent) == -(-size // 2**20), path.name
        assert owner.get_dataset(dataset.id).row_count == 150_000

        build = owner.build(dataset.id, "gaussian_kde",
                            {"bandwidth": 0.5, "features": 2048, "mechanism": "gaussian"},
                            {"epsilon": 2, "delta": 1e-6})
        assert owner.wait(build.job_id, poll_seconds=0.1, timeout=120).status == "succeeded"

        analyst_key = admin.create_key("analyst", "ann", dataset_ids=[dataset.id])
        analyst = stack.enter_context(Client(base, analyst_key.key))
        answer = analyst.query(build.structure_id, points, reduce="mean")
        with pytest.raises(ProblemError) as refused:
            analyst.job(build.job_id)
        assert refused.value.code == "forbidden"
        exported = analyst.export(build.structure_id, tmp_path / "kde.privsim")
        spent = owner.ledger(dataset.id).budget.epsilon.spent

    exact = exact_answers("gaussian_kde", rows, points) / len(rows)
    error = np.abs(answer.values - exact)
    assert np.all(error <= 7 * np.hypot(answer.std, answer.approximation_std))
    offline = load_release(exported).query(points, reduce="mean")
    np.testing.assert_array_equal(offline.values, answer.values)
    np.testing.assert_array_equal(offline.std, answer.std)
    np.testing.assert_array_equal(offline.approximation_std, answer.approximation_std)
    assert spent == 2.0


def test_a_rate_limited_server_is_waited_out(sqlite_url: str, tmp_path: Path) -> None:
    upgrade(sqlite_url)
    env = service_env(sqlite_url, tmp_path / "var", PRIVSIM_RATE_LIMIT="4/second")
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        __import__("time").sleep(seconds)

    with server(env, tmp_path / "server.log") as base:
        with Client(base, ADMIN_KEY, sleep=sleep, backoff=0.05) as admin:
            names = [admin.create_key("analyst", f"k{i}").name for i in range(10)]
        assert names == [f"k{i}" for i in range(10)]
        assert waits and all(w >= 1 for w in waits)  # Retry-After: whole seconds
        with Client(base, ADMIN_KEY, max_retries=0) as hasty:
            statuses = [_status(hasty.list_keys) for _ in range(10)]
    assert "rate-limited" in statuses  # 4 a second: raised at once without retries


def _status(call: Callable[[], object]) -> int | str:
    try:
        call()
    except ProblemError as error:
        return error.code
    return 200
