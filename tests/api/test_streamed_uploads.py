"""Parquet and CSV uploads are appended chunk by chunk (rows.append_upload over
ingest.streamed_blocks), as .npy uploads are (rows.append_npy): they store exactly what
the whole-array path (ingest.parse_rows, then rows.append_rows) stores, refuse exactly
what it refuses with the same message, store nothing when they refuse, and need a few
chunks of memory above the body instead of several copies of the rows."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from app.errors import AppError
from app.main import create_app
from app.services import ingest, rows
from app.services.access import Principal, authenticate
from app.services.ingest import UploadLimits, parse_rows
from app.services.rows import iter_labelled_chunks
from tests.conftest import ADMIN_KEY, make_settings, migrate
from tests.helpers import ADMIN, Api, npy_bytes

CHUNK_ROWS = 7
LIMITS = UploadLimits(max_rows=10_000, max_decoded_bytes=1 << 24)
NPY, CSV, PARQUET = "application/x-npy", "text/csv", "application/vnd.apache.parquet"
LABELS: dict[str, dict[str, Any]] = {"unlabelled": {}, "classes": {"classes": [0, 1, 2]},
                                     "range": {"label_range": [-1.0, 4.0]}}


def _api(url: str, tmp_path: Path, migrated_sqlite: Path) -> Iterator[Api]:
    settings = make_settings(url, tmp_path / "var", chunk_rows=CHUNK_ROWS,
                             max_upload_rows=LIMITS.max_rows,
                             max_upload_decoded_bytes=LIMITS.max_decoded_bytes)
    migrate(settings.resolved_database_url, migrated_sqlite)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Api(client)


@pytest.fixture
def api(sqlite_url: str, tmp_path: Path, migrated_sqlite: Path) -> Iterator[Api]:
    yield from _api(sqlite_url, tmp_path, migrated_sqlite)


@pytest.fixture
def api_on_both(db_url: str, tmp_path: Path, migrated_sqlite: Path) -> Iterator[Api]:
    yield from _api(db_url, tmp_path, migrated_sqlite)


def admin(api: Api) -> Principal:
    return authenticate(api.state.uow, ADMIN_KEY)


def stored(api: Api, dataset: str) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """Every chunk of the dataset, decrypted, in order."""
    with api.state.uow() as tx:
        seqs = sorted(tx.chunks.seqs(UUID(dataset)))
    return list(iter_labelled_chunks(api.state.uow, UUID(dataset), api.state.cipher, seqs))


def data(n: int, dim: int, labels: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Rows with every fifth one outside the unit ball, and labels of the given kind."""
    rng = np.random.default_rng(11)
    values = rng.normal(size=(n, dim)) * 0.3
    values[::5] *= 10
    if labels == "unlabelled":
        return values, None
    if labels == "classes":
        return values, rng.integers(0, 3, size=n).astype(np.float64)
    return values, np.round(rng.uniform(-1, 4, size=n), 2)  # fractions: stored as float64


def csv_body(values: np.ndarray, labels: np.ndarray | None, *, header: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header:  # the label column first: a header names it wherever it is
        writer.writerow(([] if labels is None else ["label"])
                        + [f"x{j}" for j in range(values.shape[1])])
    for i, row in enumerate(values.tolist()):
        label = [] if labels is None else [repr(float(labels[i]))]
        fields = [repr(v) for v in row]
        # without a header, the label is the last column
        writer.writerow(label + fields if header else fields + label)
    return out.getvalue().encode()


def parquet_body(values: np.ndarray, labels: np.ndarray | None, *, listed: bool,
                 row_group_size: int = 10) -> bytes:
    columns: dict[str, Any] = (
        {"v": pa.FixedSizeListArray.from_arrays(values.ravel(), values.shape[1])} if listed
        else {f"x{j}": values[:, j] for j in range(values.shape[1])})
    if labels is not None:
        columns["label"] = labels
    buffer = io.BytesIO()
    # Row groups of 10 against blocks of 7: batches of 7 and 3 rows.
    pq.write_table(pa.table(columns), buffer, row_group_size=row_group_size)
    return buffer.getvalue()


BODIES = {
    "npy": lambda v, lab: (npy_bytes(v), NPY),
    "csv": lambda v, lab: (csv_body(v, lab, header=False), CSV),
    "csv-header": lambda v, lab: (csv_body(v, lab, header=True), CSV),
    "parquet": lambda v, lab: (parquet_body(v, lab, listed=False), PARQUET),
    "parquet-list": lambda v, lab: (parquet_body(v, lab, listed=True), PARQUET),
}


def whole(api: Api, dataset: str, body: bytes, content_type: str) -> rows.UploadResult:
    """The whole-array path: parse everything, then rows.append_rows."""
    view = rows.upload_target(api.state.uow, admin(api), UUID(dataset))
    parsed = parse_rows(body, content_type, dim=view.dim, labelled=view.labelled,
                        limits=LIMITS, label_set=view.label_set)
    return rows.append_rows(api.state.uow, admin(api), UUID(dataset), parsed,
                            cipher=api.state.cipher, chunk_rows=CHUNK_ROWS)


def streamed(api: Api, dataset: str, body: bytes, content_type: str) -> rows.UploadResult:
    if content_type == NPY:
        return rows.append_npy(api.state.uow, admin(api), UUID(dataset), io.BytesIO(body),
                               len(body), cipher=api.state.cipher, chunk_rows=CHUNK_ROWS,
                               limits=LIMITS)
    return rows.append_upload(api.state.uow, admin(api), UUID(dataset), body, content_type,
                              cipher=api.state.cipher, chunk_rows=CHUNK_ROWS, limits=LIMITS)


@pytest.mark.parametrize("policy", ["clip", "reject"])
@pytest.mark.parametrize(("fmt", "labels"), [  # .npy has no place for labels
    (fmt, labels) for fmt in BODIES for labels in LABELS
    if fmt != "npy" or labels == "unlabelled"])
def test_streamed_uploads_store_the_chunks_append_rows_stores(api: Api, fmt: str,
                                                              labels: str, policy: str) -> None:
    values, label_values = data(47, 3, labels)
    body, content_type = BODIES[fmt](values, label_values)
    by_whole, by_blocks = (api.dataset(ADMIN, on_out_of_domain=policy, **LABELS[labels])
                           for _ in range(2))
    expected = whole(api, by_whole, body, content_type)
    assert streamed(api, by_blocks, body, content_type) == expected
    assert (expected.clipped if policy == "clip" else expected.rejected) == 10
    reference, chunks = stored(api, by_whole), stored(api, by_blocks)
    assert [len(r) for r, _ in chunks] == [len(r) for r, _ in reference]
    assert len(chunks) == (6 if policy == "reject" else 7)  # the last one short
    for (rows_a, labels_a), (rows_b, labels_b) in zip(reference, chunks, strict=True):
        assert rows_b.dtype == rows_a.dtype == np.float64
        assert rows_b.tobytes() == rows_a.tobytes()
        if labels == "unlabelled":
            assert labels_a is None and labels_b is None
            continue
        assert labels_a is not None and labels_b is not None
        assert labels_b.dtype == labels_a.dtype
        assert labels_b.dtype == (np.float64 if labels == "range" else np.int64)
        assert labels_b.tobytes() == labels_a.tobytes()
    kept = np.concatenate([r for r, _ in chunks])
    assert np.all(np.linalg.norm(kept, axis=1) <= 1.0)
    audit = api.c.get(f"/v1/datasets/{by_blocks}/audit", headers=ADMIN).json()["events"]
    assert audit[-1]["action"] == "upload" and audit[-1]["details"]["chunks"] == len(chunks)


def test_both_databases_store_the_same_chunks(api_on_both: Api) -> None:
    api = api_on_both
    values, label_values = data(47, 3, "range")
    for fmt in ("csv", "parquet-list"):
        body, content_type = BODIES[fmt](values, label_values)
        by_whole, by_blocks = (api.dataset(ADMIN, on_out_of_domain="reject",
                                           **LABELS["range"]) for _ in range(2))
        assert whole(api, by_whole, body, content_type) == streamed(api, by_blocks, body,
                                                                    content_type)
        reference, chunks = stored(api, by_whole), stored(api, by_blocks)
        assert len(chunks) == 6
        for (rows_a, labels_a), (rows_b, labels_b) in zip(reference, chunks, strict=True):
            assert rows_b.tobytes() == rows_a.tobytes()
            assert labels_a is not None and labels_b is not None
            assert labels_b.dtype == labels_a.dtype == np.float64
            assert labels_b.tobytes() == labels_a.tobytes()


@pytest.mark.parametrize("fmt", ["csv-header", "parquet"])
def test_the_route_streams_csv_and_parquet(api: Api, fmt: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Over HTTP, a CSV or Parquet body never reaches the whole-array parser."""
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("parsed whole")
    monkeypatch.setattr(ingest, "parse_rows", refuse)
    values, label_values = data(30, 3, "classes")
    body, content_type = BODIES[fmt](values, label_values)
    dataset = api.dataset(ADMIN, **LABELS["classes"])
    r = api.c.post(f"/v1/datasets/{dataset}/rows", content=body,
                   headers=ADMIN | {"Content-Type": content_type})
    assert r.status_code == 200, r.text
    assert r.json() == {"accepted": 30, "clipped": 6, "rejected": 0}
    assert sum(len(r) for r, _ in stored(api, dataset)) == 30


def csv_rows(n: int, dim: int = 3, label: bool = False) -> list[list[str]]:
    return [["0.1"] * dim + (["1"] if label else []) for _ in range(n)]


def csv_text(records: list[list[str]], header: list[str] | None = None) -> bytes:
    lines = ([",".join(header)] if header else []) + [",".join(r) for r in records]
    return ("\n".join(lines) + "\n").encode()


def with_fields(records: list[list[str]], *changes: tuple[int, int, str]) -> list[list[str]]:
    for i, j, value in changes:
        records[i][j] = value
    return records


def table(n: int, **changes: Any) -> pa.Table:
    columns: dict[str, Any] = {f"x{j}": np.full(n, 0.1) for j in range(3)}
    columns.update(changes)
    return pa.table(columns)


def parquet_of(t: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(t, buffer, row_group_size=10)
    return buffer.getvalue()


NAN_AT_20 = np.full(30, 0.1)
NAN_AT_20[20] = np.nan
MISSING_AT_25 = pa.array([0.1] * 25 + [None] + [0.1] * 4)
REFUSED: dict[str, tuple[bytes, str, dict[str, Any]]] = {
    # CSV: a number error late outranks a non-finite value early, as in parse_rows
    "csv inf early, not a number late": (
        csv_text(with_fields(csv_rows(40), (2, 1, "1e999"), (33, 0, "x"))), CSV, {}),
    "csv inf late": (csv_text(with_fields(csv_rows(40), (20, 2, "-1e999"))), CSV, {}),
    "csv wrong width": (csv_text(csv_rows(9, dim=4)), CSV, {}),
    "csv ragged late": (csv_text([*csv_rows(30), ["0.1", "0.1"]]), CSV, {}),
    "csv header only": (b"x,y,z\n", CSV, {}),
    "csv other separator": (b"1;2;3\n", CSV, {}),
    "csv not utf-8": (csv_text(csv_rows(20)) + b"\xff\n", CSV, {}),
    "csv half a byte-order mark": (b"\xef\xbb", CSV, {}),
    "csv empty": (b"", CSV, {}),
    "csv too many rows": (csv_text(csv_rows(LIMITS.max_rows + 1)), CSV, {}),
    "csv label outside the classes early, fractional late": (
        csv_text(with_fields(csv_rows(30, label=True), (1, 3, "7"), (25, 3, "1.5"))), CSV,
        LABELS["classes"]),
    "csv label outside the classes late": (
        csv_text(with_fields(csv_rows(30, label=True), (26, 3, "5"))), CSV,
        LABELS["classes"]),
    "csv infinite label late, bad class early": (
        csv_text(with_fields(csv_rows(30, label=True), (1, 3, "9"), (22, 3, "1e999"))), CSV,
        LABELS["classes"]),
    "csv infinite label, infinite row": (
        csv_text(with_fields(csv_rows(30, label=True), (3, 0, "1e999"), (22, 3, "1e999"))),
        CSV, LABELS["classes"]),
    "csv label outside the range late": (
        csv_text(with_fields(csv_rows(30, label=True), (29, 3, "4.5"))), CSV,
        LABELS["range"]),
    "csv labels missing": (csv_text(csv_rows(5)), CSV, LABELS["classes"]),
    "parquet NaN late": (parquet_of(table(30, x1=NAN_AT_20)), PARQUET, {}),
    "parquet missing value late": (parquet_of(table(30, x2=MISSING_AT_25)), PARQUET, {}),
    "parquet NaN early, missing late": (
        parquet_of(table(30, x0=NAN_AT_20[::-1].copy(), x2=MISSING_AT_25)), PARQUET, {}),
    "parquet wrong width": (parquet_of(table(5, x3=np.zeros(5))), PARQUET, {}),
    "parquet string column": (parquet_of(table(5, x1=["a"] * 5)), PARQUET, {}),
    "parquet no label column": (parquet_of(table(5)), PARQUET, LABELS["classes"]),
    "parquet fractional label late": (
        parquet_of(table(30, label=[1.0] * 25 + [0.5] * 5)), PARQUET, LABELS["classes"]),
    "parquet label outside the range late": (
        parquet_of(table(30, label=[1.0] * 29 + [9.0])), PARQUET, LABELS["range"]),
    "parquet too many rows": (parquet_of(table(LIMITS.max_rows + 1)), PARQUET, {}),
    "parquet not parquet": (b"PAR1 not really", PARQUET, {}),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_streamed_uploads_refuse_what_parse_rows_refuses(api: Api, case: str) -> None:
    body, content_type, declared = REFUSED[case]
    dataset = api.dataset(ADMIN, **declared)
    with pytest.raises(AppError) as whole_error:
        whole(api, dataset, body, content_type)
    with pytest.raises(AppError) as streamed_error:
        streamed(api, dataset, body, content_type)
    assert type(streamed_error.value) is type(whole_error.value)
    assert streamed_error.value.detail == whole_error.value.detail
    assert streamed_error.value.extensions == whole_error.value.extensions
    assert stored(api, dataset) == []
    r = api.c.post(f"/v1/datasets/{dataset}/rows", content=body,
                   headers=ADMIN | {"Content-Type": content_type})
    assert r.status_code == whole_error.value.status
    assert r.json()["detail"] == whole_error.value.detail
    info = api.c.get(f"/v1/datasets/{dataset}", headers=ADMIN).json()
    assert info["row_count"] == 0


def test_refusals_name_the_first_bad_row_across_blocks(api: Api) -> None:
    dataset = api.dataset(ADMIN)
    body = csv_text(with_fields(csv_rows(40), (20, 2, "-1e999"), (33, 0, "1e999")))
    with pytest.raises(AppError, match=r"first at row 20\)"):
        streamed(api, dataset, body, CSV)
    body = parquet_of(table(30, x2=MISSING_AT_25))
    with pytest.raises(AppError, match=r"column 2 \('x2'\) has missing values"):
        streamed(api, dataset, body, PARQUET)


def test_append_blocks_reads_any_source_twice_and_refuses_one_that_changed(api: Api) -> None:
    values, _ = data(30, 3, "unlabelled")
    passes: list[int] = []

    def source() -> Iterator[ingest.Block]:
        passes.append(len(passes))
        for start in range(0, 30, 4):  # blocks of 4 rows into chunks of 7
            yield values[start:start + 4], None

    by_whole, by_blocks = api.dataset(ADMIN), api.dataset(ADMIN)
    expected = whole(api, by_whole, npy_bytes(values), NPY)
    result = rows.append_blocks(api.state.uow, admin(api), UUID(by_blocks), source,
                                cipher=api.state.cipher, chunk_rows=CHUNK_ROWS)
    assert result == expected and passes == [0, 1]
    reference, chunks = stored(api, by_whole), stored(api, by_blocks)
    assert [r.tobytes() for r, _ in chunks] == [r.tobytes() for r, _ in reference]

    def changing() -> Iterator[ingest.Block]:  # the second pass has a row more
        yield values[: 20 + len(passes)], None
        passes.append(len(passes))

    dataset = api.dataset(ADMIN)
    with pytest.raises(RuntimeError, match="changed between its two passes"):
        rows.append_blocks(api.state.uow, admin(api), UUID(dataset), changing,
                           cipher=api.state.cipher, chunk_rows=CHUNK_ROWS)
    assert stored(api, dataset) == []


def test_an_all_rejected_streamed_upload_stores_nothing(api: Api) -> None:
    dataset = api.dataset(ADMIN, on_out_of_domain="reject")
    body = csv_text([["3", "0", "0"]] * 20)
    result = streamed(api, dataset, body, CSV)
    assert result == rows.UploadResult(accepted=0, clipped=0, rejected=20)
    assert stored(api, dataset) == []


# --- memory ---------------------------------------------------------------------------


def write_body(fmt: str, n: int, dim: int, path: str | Path) -> None:
    """An unlabelled upload of ``n`` x ``dim`` rows inside the unit ball, written to
    ``path`` (Parquet in one row group, as pyarrow writes up to 1,048,576 rows)."""
    values = np.random.default_rng(0).normal(size=(n, dim)) * (0.5 / np.sqrt(dim))
    body = (parquet_body(values, None, listed=False, row_group_size=1 << 20)
            if fmt == "parquet" else BODIES[fmt](values, None)[0])
    Path(path).write_bytes(body)


def measure(fmt: str, path: str, body_file: str, dim: int, chunk_rows: int,
            template: str | None = None) -> dict[str, float]:
    """Peak resident memory above the body (MiB) of one upload read from ``body_file``
    (``write_body``), through the whole-array path ("whole": parse_rows, then
    append_rows) or the streamed one ("streamed": append_upload, or append_npy), on
    SQLite. Call it in a fresh process, which has decoded nothing yet (an allocator
    keeps memory freed earlier and would hide part of the cost); Linux only (VmHWM,
    reset through /proc/self/clear_refs)."""
    body = Path(body_file).read_bytes()
    content_type = {"npy": NPY, "csv": CSV, "parquet": PARQUET}[fmt]
    tmp = Path(tempfile.mkdtemp())
    try:
        url = f"sqlite:///{tmp / 'privsim.db'}"
        if template is None:
            from app.db.migrate import upgrade
            upgrade(url)
        else:
            shutil.copyfile(template, tmp / "privsim.db")
        limits = UploadLimits(10**8, 1 << 40)
        settings = make_settings(url, tmp / "var", chunk_rows=chunk_rows,
                                 max_upload_rows=limits.max_rows,
                                 max_upload_decoded_bytes=limits.max_decoded_bytes)
        with TestClient(create_app(settings)) as client:
            test_api = Api(client)
            dataset = UUID(test_api.dataset(ADMIN, dim=dim))
            state, principal = test_api.state, admin(test_api)
            Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
            base, started = _status_mib("VmRSS"), time.perf_counter()
            if path == "whole":
                parsed = parse_rows(body, content_type, dim=dim, labelled=False,
                                    limits=limits)
                result = rows.append_rows(state.uow, principal, dataset, parsed,
                                          cipher=state.cipher, chunk_rows=chunk_rows)
                del parsed
            elif content_type == NPY:
                result = rows.append_npy(state.uow, principal, dataset, io.BytesIO(body),
                                         len(body), cipher=state.cipher,
                                         chunk_rows=chunk_rows, limits=limits)
            else:
                result = rows.append_upload(state.uow, principal, dataset, body,
                                            content_type, cipher=state.cipher,
                                            chunk_rows=chunk_rows, limits=limits)
            seconds = time.perf_counter() - started
            return {"peak_above_body_mib": _status_mib("VmHWM") - base,
                    "body_mib": len(body) / 2**20, "rows": result.accepted,
                    "rows_mib": result.accepted * dim * 8 / 2**20,
                    "chunk_mib": chunk_rows * dim * 8 / 2**20, "seconds": seconds}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="Linux /proc only")
@pytest.mark.parametrize(("fmt", "n", "dim", "chunk_rows"), [
    ("csv", 30_000, 64, 2_048),  # 14.6 MiB of rows in chunks of 1 MiB
    # pyarrow holds each column's dictionary page and a decoded page (about 2 MiB a
    # column with its defaults) whatever the batch: many rows, few columns
    ("parquet", 1_000_000, 8, 8_192),  # 61 MiB of rows in chunks of 512 KiB
])
def test_streamed_upload_memory_stays_at_a_few_chunks(fmt: str, n: int, dim: int,
                                                      chunk_rows: int, tmp_path: Path,
                                                      migrated_sqlite: Path) -> None:
    """The streamed path's peak above the body stays under three quarters of the rows'
    size, which any path holding every parsed row at once exceeds (measured the same
    way, the whole-array path that served these uploads before needed 57 MiB for this
    CSV and 261 MiB for this Parquet file; the streamed one 6 and 23)."""
    write_body(fmt, n, dim, tmp_path / "body")
    code = ("import json, sys; from tests.api.test_streamed_uploads import measure; "
            "print(json.dumps(measure(sys.argv[1], 'streamed', sys.argv[2], "
            "*map(int, sys.argv[3:5]), template=sys.argv[5])))")
    done = subprocess.run([sys.executable, "-c", code, fmt, str(tmp_path / "body"),
                           str(dim), str(chunk_rows), str(migrated_sqlite)],
                          capture_output=True, text=True, timeout=120, check=False,
                          cwd=Path(__file__).parents[2],
                          env=os.environ | {"PYTHONWARNINGS": "ignore"})
    assert done.returncode == 0, done.stderr[-2000:]
    run = json.loads(done.stdout.strip().splitlines()[-1])
    assert run["rows"] == n
    assert run["peak_above_body_mib"] < 0.75 * run["rows_mib"], run
