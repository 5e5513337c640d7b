"""Raw rows: validated, clipped or rejected by the declared domain, encrypted, chunked.

An upload is all or nothing: it is parsed and checked completely, then every chunk is
written in one transaction. Rows are never returned and never logged.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO
from uuid import UUID

import numpy as np
from numpy.typing import NDArray

from app.crypto import RowCipher
from app.db.base import utcnow
from app.db.models import RowChunkRow
from app.errors import Conflict, InvalidInput, NotFound
from app.services import audit, ingest
from app.services.access import Principal, managed_dataset
from app.services.ingest import ParsedRows, UploadLimits
from app.services.ports import TransactionPort, UnitOfWorkPort
from app.services.views import DatasetView
from core.domain import domain_from_dict


class RowsPurged(Conflict):
    """A build's rows were purged (or its dataset deleted) while it ran. Says nothing
    about the rows' values: only that the owner removed them."""


@dataclass(frozen=True, slots=True)
class UploadResult:
    accepted: int
    clipped: int
    rejected: int


def encode_chunk(rows: NDArray[np.float64], labels: NDArray[Any] | None) -> bytes:
    buffer = io.BytesIO()
    arrays = {"rows": rows} if labels is None else {"rows": rows, "labels": labels}
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def decode_chunk(data: bytes) -> tuple[NDArray[np.float64], NDArray[Any] | None]:
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        rows = archive["rows"]
        labels = archive["labels"] if "labels" in archive.files else None
    return rows, labels


def upload_target(uow: UnitOfWorkPort, principal: Principal,
                  dataset_id: UUID) -> DatasetView:
    """The dataset an upload goes to, checked before the body is parsed."""
    with uow() as tx:
        return DatasetView.of(managed_dataset(tx, principal, dataset_id), managed=True)


def append_rows(uow: UnitOfWorkPort, principal: Principal, dataset_id: UUID, parsed: ParsedRows,
                *, cipher: RowCipher, chunk_rows: int) -> UploadResult:
    with uow() as tx:  # read the declaration, check access, before the heavy work
        dataset = managed_dataset(tx, principal, dataset_id)
        dim, on_out = dataset.dim, dataset.on_out_of_domain
        domain = domain_from_dict(dataset.domain, dim)
    rows, labels = parsed.rows, parsed.labels
    outside = domain.outside(rows)
    n_outside = int(outside.sum())
    if on_out == "reject":
        keep = ~outside
        rows = rows[keep]
        labels = None if labels is None else labels[keep]
        result = UploadResult(accepted=int(rows.shape[0]), clipped=0, rejected=n_outside)
    else:
        rows = domain.clip(rows)
        result = UploadResult(accepted=int(rows.shape[0]), clipped=n_outside, rejected=0)
    if rows.shape[0] == 0:
        audit.record_now(uow, dataset_id, principal.key_id, "upload", accepted=0,
                         clipped=result.clipped, rejected=result.rejected)
        return result
    slices = [(start, min(start + chunk_rows, rows.shape[0]))
              for start in range(0, rows.shape[0], chunk_rows)]
    with uow(write=True) as tx:
        first = tx.datasets.allocate_chunks(dataset_id, len(slices), int(rows.shape[0]))
        if first is None:
            raise NotFound(f"dataset {dataset_id} not found")
        for offset, (start, stop) in enumerate(slices):
            seq = first + offset
            plain = encode_chunk(np.ascontiguousarray(rows[start:stop]),
                                 None if labels is None else labels[start:stop])
            tx.chunks.add(RowChunkRow(dataset_id=dataset_id, seq=seq, n_rows=stop - start,
                                      ciphertext=cipher.encrypt(plain, dataset_id, seq)))
        audit.record(tx, dataset_id, principal.key_id, "upload", accepted=result.accepted,
                     clipped=result.clipped, rejected=result.rejected, chunks=len(slices))
        tx.commit()
    return result


def append_npy(uow: UnitOfWorkPort, principal: Principal, dataset_id: UUID,
               stream: BinaryIO, size: int, *, cipher: RowCipher, chunk_rows: int,
               limits: UploadLimits) -> UploadResult:
    """Append the rows of a ``.npy`` file (``size`` bytes, read from ``stream``) chunk by
    chunk: memory stays at a few chunks whatever the file's size. All or nothing, as
    ``append_rows``: a first pass checks every row (finite, the dataset's dim) and counts
    those outside the domain, a second clips or drops them and writes every chunk in one
    transaction; the same rows end in the same chunks as through ``append_rows``."""
    with uow() as tx:  # read the declaration, check access, before the heavy work
        dataset = managed_dataset(tx, principal, dataset_id)
        dim, on_out, labelled = dataset.dim, dataset.on_out_of_domain, dataset.labelled
        domain = domain_from_dict(dataset.domain, dim)
    layout = ingest.npy_layout(stream, size, max_rows=limits.max_rows,
                               max_decoded_bytes=limits.max_decoded_bytes)
    if layout.rows == 0:
        raise InvalidInput("the upload has no rows")
    if layout.width != dim:
        raise InvalidInput(f"each row must have dim = {dim} values; got {layout.width}")
    if labelled:
        raise InvalidInput("the dataset is labelled: every row needs a label")
    outside = 0
    for index, rows in enumerate(ingest.npy_row_chunks(stream, layout, chunk_rows)):
        finite = np.isfinite(rows).all(axis=1)
        if not finite.all():
            bad = index * chunk_rows + int(np.argmin(finite))
            raise InvalidInput(f"rows contain NaN or infinite values (first at row {bad})")
        outside += int(domain.outside(rows).sum())
    reject = on_out == "reject"
    accepted = layout.rows - outside if reject else layout.rows
    result = UploadResult(accepted=accepted, clipped=0 if reject else outside,
                          rejected=outside if reject else 0)
    if accepted == 0:
        audit.record_now(uow, dataset_id, principal.key_id, "upload", accepted=0,
                         clipped=result.clipped, rejected=result.rejected)
        return result
    chunks = -(-accepted // chunk_rows)
    with uow(write=True) as tx:
        first = tx.datasets.allocate_chunks(dataset_id, chunks, accepted)
        if first is None:
            raise NotFound(f"dataset {dataset_id} not found")
        pending: list[NDArray[np.float64]] = []  # kept rows not yet in a chunk
        seq = first
        for rows in ingest.npy_row_chunks(stream, layout, chunk_rows):
            pending.append(rows[~domain.outside(rows)] if reject else domain.clip(rows))
            while sum(len(p) for p in pending) >= chunk_rows:
                block = np.concatenate(pending)
                _store_chunk(tx, cipher, dataset_id, seq, block[:chunk_rows])
                pending, seq = [block[chunk_rows:]], seq + 1
        rest = np.concatenate(pending) if pending else np.zeros((0, dim))
        if len(rest):
            _store_chunk(tx, cipher, dataset_id, seq, rest)
            seq += 1
        if seq - first != chunks:  # the two passes must agree
            raise RuntimeError("the upload changed between its two passes")
        audit.record(tx, dataset_id, principal.key_id, "upload", accepted=result.accepted,
                     clipped=result.clipped, rejected=result.rejected, chunks=chunks)
        tx.commit()
    return result


def _store_chunk(tx: TransactionPort, cipher: RowCipher, dataset_id: UUID, seq: int,
                 rows: NDArray[np.float64]) -> None:
    """Encrypt and write one chunk, flushed at once: the session keeps only a weak
    reference to a flushed row, so memory stays flat."""
    plain = encode_chunk(np.ascontiguousarray(rows), None)
    chunk = RowChunkRow(dataset_id=dataset_id, seq=seq, n_rows=int(rows.shape[0]),
                        ciphertext=cipher.encrypt(plain, dataset_id, seq))
    tx.chunks.add(chunk)
    tx.flush()


def purge_rows(uow: UnitOfWorkPort, principal: Principal, dataset_id: UUID) -> int:
    """Delete every raw row of the dataset; structures already built stay (they are DP)."""
    with uow(write=True) as tx:
        dataset = managed_dataset(tx, principal, dataset_id)
        removed = dataset.row_count
        tx.chunks.delete_for_dataset(dataset_id)
        dataset.row_count = 0
        dataset.purged_at = utcnow()
        audit.record(tx, dataset_id, principal.key_id, "purge", rows=removed)
        tx.commit()
        return removed


def iter_chunks(uow: UnitOfWorkPort, dataset_id: UUID, cipher: RowCipher,
                seqs: list[int]) -> Iterator[NDArray[np.float64]]:
    """Decrypted rows, one chunk at a time, each read in its own short transaction."""
    for rows, _ in iter_labelled_chunks(uow, dataset_id, cipher, seqs):
        yield rows


def iter_labelled_chunks(uow: UnitOfWorkPort, dataset_id: UUID, cipher: RowCipher,
                         seqs: list[int]) -> Iterator[tuple[NDArray[np.float64], Any]]:
    """Decrypted rows with their labels (None for an unlabelled dataset), one chunk at a
    time, each read in its own short transaction."""
    for seq in seqs:
        with uow() as tx:
            chunk = tx.chunks.get(dataset_id, seq)
            if chunk is None:
                raise RowsPurged("the dataset's rows were purged during the build")
            ciphertext = chunk.ciphertext
        yield decode_chunk(cipher.decrypt(ciphertext, dataset_id, seq))


def still_stored(tx: TransactionPort, dataset_id: UUID, seqs: Sequence[int]) -> bool:
    """Whether every chunk in ``seqs`` is still stored (and the dataset still live),
    checked under the dataset's row lock: a purge or deletion either committed before
    and is seen here, or waits for this transaction to end before it commits. Chunk seqs
    come from ``allocate_chunks``, which only counts up (a purge does not reset it), so
    a purged chunk's seq is never reused by a later upload."""
    if tx.datasets.get_for_update(dataset_id) is None:
        return False
    return set(seqs) <= set(tx.chunks.seqs(dataset_id))
