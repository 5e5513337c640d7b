"""Importing rows from Parquet files (``privsim import-parquet``): a dataset larger than
one upload, read a batch at a time, never whole.

The source is a local file, a directory (every ``*.parquet`` file under it) or a glob,
files taken in name order. Each batch of at most ``chunk_rows`` rows (fewer where the
upload limits ask) goes through exactly what an upload of a Parquet file goes through:
``ingest.parse_rows`` (its schema, dim, label, finiteness and size rules) and
``rows.append_rows`` (the domain's clip or reject rule, encryption, one chunk per
batch, one ``upload`` audit event). The batch is handed to the parser as a Parquet file
of its own, so the rules cannot drift apart.

Two passes: every batch is parsed first and nothing is stored unless all of them pass;
then the batches are parsed again and stored, each in its own transaction (so the
database's write lock is never held for the whole import). The files must not change
during an import; a process killed in the second pass leaves the batches it stored
(each recorded as an upload in the audit log).
"""

from __future__ import annotations

import glob
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import pyarrow as pa
import pyarrow.parquet as pq

from app.crypto import RowCipher
from app.errors import InvalidInput
from app.services import rows
from app.services.access import Principal
from app.services.ingest import PARQUET_TYPES, ParsedRows, UploadLimits, parse_rows
from app.services.ports import UnitOfWorkPort

__all__ = ["ImportResult", "import_parquet", "parquet_files"]

_FLOAT64_BYTES = 8


@dataclass(frozen=True, slots=True)
class ImportResult:
    files: int
    batches: int
    accepted: int
    clipped: int
    rejected: int


def parquet_files(source: str) -> list[Path]:
    """The files ``source`` names: one file, a directory's ``*.parquet`` files, or a
    glob; in name order."""
    if "://" in source:
        raise InvalidInput("only local Parquet files can be imported (a path, a directory "
                           "or a glob)")
    path = Path(source)
    if path.is_dir():
        files = sorted(path.rglob("*.parquet"))
    elif glob.has_magic(source):
        files = sorted(Path(name) for name in glob.glob(source, recursive=True))
    else:
        files = [path] if path.is_file() else []
    files = [file for file in files if file.is_file()]
    if not files:
        raise InvalidInput(f"no Parquet file found at {source!r}")
    return files


def _batches(files: list[Path], batch_rows: int) -> Iterator[tuple[str, int, bytes]]:
    """(file, first row, the batch as a Parquet file of its own), one batch at a time."""
    for file in files:
        try:
            source = pq.ParquetFile(file)
            start = 0
            for batch in source.iter_batches(batch_size=batch_rows):
                sink = pa.BufferOutputStream()
                pq.write_table(pa.Table.from_batches([batch]), sink, compression="none")
                yield file.name, start, sink.getvalue().to_pybytes()
                start += batch.num_rows
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise InvalidInput(f"{file.name} is not a readable Parquet file") from exc


def import_parquet(uow: UnitOfWorkPort, principal: Principal, dataset_id: UUID,
                   source: str, *, cipher: RowCipher, chunk_rows: int,
                   limits: UploadLimits) -> ImportResult:
    """Append every row of the Parquet files ``source`` names to the dataset (module
    docstring), as ``principal`` (who must manage it)."""
    dataset = rows.upload_target(uow, principal, dataset_id)
    files = parquet_files(source)
    width = dataset.dim + 1  # the features and a label
    batch_rows = max(1, min(chunk_rows, limits.max_rows,
                            limits.max_decoded_bytes // (_FLOAT64_BYTES * width)))

    def parsed() -> Iterator[ParsedRows]:
        for name, start, body in _batches(files, batch_rows):
            try:
                yield parse_rows(body, PARQUET_TYPES[0], dim=dataset.dim,
                                 labelled=dataset.labelled, limits=limits,
                                 label_set=dataset.label_set)
            except InvalidInput as exc:
                raise InvalidInput(f"{name}, the batch from row {start}: {exc.detail}",
                                   **exc.extensions) from exc

    for _ in parsed():  # the first pass: everything is checked before anything is stored
        pass
    batches = accepted = clipped = rejected = 0
    for batch in parsed():
        result = rows.append_rows(uow, principal, dataset_id, batch, cipher=cipher,
                                  chunk_rows=chunk_rows)
        batches += 1
        accepted += result.accepted
        clipped += result.clipped
        rejected += result.rejected
    return ImportResult(len(files), batches, accepted, clipped, rejected)
