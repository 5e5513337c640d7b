"""Raw rows: validated, clipped or rejected by the declared domain, encrypted, chunked.

An upload is all or nothing: it is parsed and checked completely, then every chunk is
written in one transaction. A JSON upload is parsed whole (``append_rows``); ``.npy``,
Parquet and CSV uploads are read a block at a time, twice (``append_blocks``: a checking
pass, then a writing pass), so that memory stays at the body plus a few chunks. Both
store the same rows in the same chunks. Rows are never returned and never logged.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any
from uuid import UUID

import numpy as np
from numpy.typing import NDArray

from app.crypto import RowCipher
from app.db.base import utcnow
from app.db.models import RowChunkRow
from app.errors import Conflict, InvalidInput, NotFound
from app.services import audit, ingest
from app.services.access import Principal, managed_dataset
from app.services.ingest import BlockSource, ParsedRows, UploadLimits
from app.services.ports import TransactionPort, UnitOfWorkPort
from app.services.views import DatasetView
from core.domain import Domain, domain_from_dict
from core.models.labels import LabelSet

# An upload is read in blocks of at most this many bytes of float64 (and at most a chunk):
# the checking pass then holds little more than one block, and the writing pass one
# chunk being filled.
_BLOCK_BYTES = 4 << 20


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


@dataclass(frozen=True, slots=True)
class _Target:
    """What an append needs of the dataset's declaration (all of it public)."""

    dim: int
    labelled: bool
    label_set: LabelSet | None
    reject: bool
    domain: Domain


def _target(uow: UnitOfWorkPort, principal: Principal, dataset_id: UUID) -> _Target:
    with uow() as tx:  # read the declaration, check access, before the heavy work
        dataset = managed_dataset(tx, principal, dataset_id)
        return _Target(dataset.dim, dataset.labelled,
                       LabelSet.declared(dataset.classes, dataset.label_range),
                       dataset.on_out_of_domain == "reject",
                       domain_from_dict(dataset.domain, dataset.dim))


def append_blocks(uow: UnitOfWorkPort, principal: Principal, dataset_id: UUID,
                  blocks: BlockSource, *, cipher: RowCipher, chunk_rows: int) -> UploadResult:
    """Append the rows ``blocks`` reads, a block at a time: memory stays at a few blocks
    and chunks whatever the upload's size. ``blocks`` is called twice and must read the
    same (rows, labels or None) blocks each time. All or nothing, as ``append_rows``: a
    first pass checks every row as ``ingest.parse_rows`` checks a whole upload (finite,
    the dataset's dim, labels present if and only if it is labelled and within its
    declaration; ``ingest.UploadCheck``) and counts the rows outside the domain, a second
    clips or drops them and writes every chunk in one transaction. The same rows end in
    the same chunks (the same boundaries, the same arrays) as through ``append_rows``."""
    return _append(uow, principal, dataset_id, _target(uow, principal, dataset_id), blocks,
                   cipher=cipher, chunk_rows=chunk_rows)


def append_upload(uow: UnitOfWorkPort, principal: Principal, dataset_id: UUID, body: bytes,
                  content_type: str | None, *, cipher: RowCipher, chunk_rows: int,
                  limits: UploadLimits) -> UploadResult:
    """Append a Parquet or CSV upload chunk by chunk (``append_blocks`` over
    ``ingest.streamed_blocks``): it is read twice from ``body``, never parsed whole."""
    target = _target(uow, principal, dataset_id)
    blocks = ingest.streamed_blocks(body, content_type, dim=target.dim,
                                    labelled=target.labelled, limits=limits,
                                    block_rows=_block_rows(chunk_rows, target.dim))
    return _append(uow, principal, dataset_id, target, blocks, cipher=cipher,
                   chunk_rows=chunk_rows)


def append_npy(uow: UnitOfWorkPort, principal: Principal, dataset_id: UUID,
               stream: io.BufferedIOBase, size: int, *, cipher: RowCipher, chunk_rows: int,
               limits: UploadLimits) -> UploadResult:
    """Append the rows of a ``.npy`` file (``size`` bytes, read from ``stream``) chunk by
    chunk (``append_blocks``); its header is checked first (limits, no rows, dim, and a
    labelled dataset is refused: the format has no place for labels)."""
    target = _target(uow, principal, dataset_id)
    layout = ingest.npy_layout(stream, size, max_rows=limits.max_rows,
                               max_decoded_bytes=limits.max_decoded_bytes)
    if layout.rows == 0:
        raise InvalidInput("the upload has no rows")
    if layout.width != target.dim:
        raise InvalidInput(f"each row must have dim = {target.dim} values; got {layout.width}")
    if target.labelled:
        raise InvalidInput("the dataset is labelled: every row needs a label")

    def blocks() -> Iterator[ingest.Block]:
        return map(_unlabelled, ingest.npy_row_chunks(stream, layout,
                                                      _block_rows(chunk_rows, target.dim)))

    return _append(uow, principal, dataset_id, target, blocks, cipher=cipher,
                   chunk_rows=chunk_rows)


def _append(uow: UnitOfWorkPort, principal: Principal, dataset_id: UUID, target: _Target,
            blocks: BlockSource, *, cipher: RowCipher, chunk_rows: int) -> UploadResult:
    domain, reject = target.domain, target.reject
    check = ingest.UploadCheck(dim=target.dim, labelled=target.labelled,
                               label_set=target.label_set)
    outside = 0
    for rows, labels in blocks():  # the first pass: check everything, store nothing
        if check.add(rows, labels):  # every row so far finite: the domain can count them
            outside += int(domain.outside(rows).sum())
        del rows, labels  # hold one block at a time (here and below)
    total = check.finish()
    accepted = total - outside if reject else total
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
        store = _Chunker(tx, cipher, dataset_id, first, chunk_rows)
        store.extend(map(partial(_kept, target), blocks()))
        store.close()
        if store.seq - first != chunks or store.rows != accepted:  # the passes must agree
            raise RuntimeError("the upload changed between its two passes")
        audit.record(tx, dataset_id, principal.key_id, "upload", accepted=result.accepted,
                     clipped=result.clipped, rejected=result.rejected, chunks=chunks)
        tx.commit()
    return result


def _block_rows(chunk_rows: int, dim: int) -> int:
    """Rows read at a time: a chunk, or fewer where a chunk is over _BLOCK_BYTES."""
    return max(1, min(chunk_rows, _BLOCK_BYTES // (8 * max(dim, 1))))


def _unlabelled(rows: NDArray[np.float64]) -> ingest.Block:
    return rows, None


def _kept(target: _Target, block: ingest.Block) -> ingest.Block:
    """A block's rows clipped into the domain, or those outside it dropped, with their
    labels as stored."""
    rows, labels = block[0], ingest.stored_labels(block[1], target.label_set)
    if target.reject:
        keep = ~target.domain.outside(rows)
        return rows[keep], None if labels is None else labels[keep]
    return target.domain.clip(rows), labels


class _Chunker:
    """Kept rows (and labels) cut into chunks of ``chunk_rows`` rows, the last one
    shorter, each stored as soon as it is full: the cuts ``append_rows`` makes."""

    def __init__(self, tx: TransactionPort, cipher: RowCipher, dataset_id: UUID, seq: int,
                 chunk_rows: int) -> None:
        self._tx, self._cipher, self._dataset_id = tx, cipher, dataset_id
        self.seq, self.rows, self._chunk_rows = seq, 0, chunk_rows
        self._rows: list[NDArray[np.float64]] = []  # kept rows not yet in a chunk
        self._labels: list[NDArray[Any]] = []
        self._pending = 0

    def extend(self, blocks: Iterator[ingest.Block]) -> None:
        for rows, labels in blocks:
            self._rows.append(rows)
            if labels is not None:
                self._labels.append(labels)
            self._pending += int(rows.shape[0])
            del rows, labels  # only the pending lists hold them: _store frees each chunk
            while self._pending >= self._chunk_rows:
                self._store(self._chunk_rows)

    def close(self) -> None:
        if self._pending:
            self._store(self._pending)

    def _store(self, count: int) -> None:
        rows = np.concatenate(self._rows) if len(self._rows) > 1 else self._rows[0]
        labels = None
        if self._labels:
            labels = np.concatenate(self._labels) if len(self._labels) > 1 else self._labels[0]
        rest = count < rows.shape[0]  # a copy of the rest: the chunk's rows can go
        self._rows = [rows[count:].copy()] if rest else []
        self._labels = [labels[count:].copy()] if labels is not None and rest else []
        plain = encode_chunk(np.ascontiguousarray(rows[:count]),
                             None if labels is None else labels[:count])
        del rows, labels  # the plain text holds them now
        ciphertext = self._cipher.encrypt(plain, self._dataset_id, self.seq)
        del plain
        # flushed at once: the session keeps only a weak reference to a flushed row
        self._tx.chunks.add(RowChunkRow(dataset_id=self._dataset_id, seq=self.seq,
                                        n_rows=count, ciphertext=ciphertext))
        del ciphertext
        self._tx.flush()
        self._pending -= count
        self.seq += 1
        self.rows += count


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
