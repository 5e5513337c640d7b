"""Parsing uploaded rows: JSON, NumPy ``.npy``, Parquet and CSV, all into one shape.

Every format ends as ``ParsedRows(rows: (n, dim) float64, labels: (n,) int64 | None)``
or an error that names the problem (row index, column, count, rule) and never the
offending value: ``InvalidInput`` (422), ``PayloadTooLarge`` (413) or
``UnsupportedMediaType`` (415).

The cost of an upload is decided before it is decoded: the ``.npy`` header, the Parquet
metadata, a counting pass over the CSV records or the length of the JSON ``rows`` give
the row count, which ``UploadLimits`` bounds, and only then is one float64 array of the
final size allocated and filled.

Parquet and CSV can also be read a block of rows at a time (``streamed_blocks``), so that
an upload is appended chunk by chunk (``rows.append_upload``) without ever holding all
its rows: the same reading code, checks and messages as ``parse_rows``, whose
whole-array parsers are built on these blocks. ``UploadCheck`` checks the blocks as
``parse_rows`` checks the whole and raises the error it would raise first.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, Final, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from numpy.typing import NDArray

from app.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from app.services.jsondoc import JSONDocumentError, loads_strict
from core.errors import InvalidParameter
from core.models.labels import LabelSet

JSON_TYPES = ("application/json",)
NPY_TYPES = ("application/x-npy", "application/npy")
PARQUET_TYPES = ("application/vnd.apache.parquet", "application/x-parquet",
                 "application/parquet")
CSV_TYPES = ("text/csv", "application/csv")
SUPPORTED = JSON_TYPES + NPY_TYPES + PARQUET_TYPES + CSV_TYPES
STREAMED_TYPES = PARQUET_TYPES + CSV_TYPES  # read a block at a time: streamed_blocks
LABEL_COLUMN = "label"

MAX_NUMBER_CHARS: Final = 64  # longer CSV fields cannot be a plain float
_FLOAT64_BYTES: Final = 8
_PARQUET_BATCH_ROWS: Final = 65_536
_PARQUET_MAX_ROW_GROUPS: Final = 100_000  # the metadata is walked in Python
_CSV_CHUNK_CHARS: Final = 1 << 20
# Plain ASCII decimal: no "1_0", no non-ASCII digits, no inf or nan; spaces around are fine.
_NUMBER = re.compile(r" *[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)? *", re.ASCII)
_NUMBER_CHARS = re.compile(r"[\d +\-.eE]*", re.ASCII)
_SEPARATORS = {";": "';'", "\t": "tabs", "|": "'|'"}
# A line as a file opened with newline="" reads it: up to CRLF, CR or LF, kept; or the
# last characters, unended.
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")


@dataclass(frozen=True, slots=True)
class ParsedRows:
    rows: NDArray[np.float64]
    labels: NDArray[Any] | None  # int64, or float64 for a dataset with a label range


# One block of an upload's rows: (rows (k, dim) float64, labels (k,) or None), and a
# callable that reads the upload's blocks from the start each time it is called.
Block: TypeAlias = tuple[NDArray[np.float64], NDArray[Any] | None]
BlockSource: TypeAlias = Callable[[], Iterator[Block]]


@dataclass(frozen=True, slots=True)
class UploadLimits:
    """What one upload may decode to: at most ``max_rows`` rows, and at most
    ``max_decoded_bytes`` as float64 (rows x values x 8). Checked from the file's header,
    metadata or record count before anything is decoded."""

    max_rows: int
    max_decoded_bytes: int

    def __post_init__(self) -> None:
        if self.max_rows < 1 or self.max_decoded_bytes < 1:
            raise ValueError("upload limits must be positive")

    def check(self, rows: int, width: int) -> None:
        """Raise PayloadTooLarge unless ``rows`` rows of ``width`` values fit."""
        decoded = rows * width * _FLOAT64_BYTES
        if rows > self.max_rows or decoded > self.max_decoded_bytes:
            raise PayloadTooLarge(
                f"too large: at most {self.max_rows} rows and {self.max_decoded_bytes} "
                f"bytes as float64 (rows x values x 8) are accepted at once; this has "
                f"{rows} rows of {width} values ({decoded} bytes)",
                max_rows=self.max_rows, max_decoded_bytes=self.max_decoded_bytes,
                rows=rows, decoded_bytes=decoded)


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def parse_rows(body: bytes, content_type: str | None, *, dim: int, labelled: bool,
               limits: UploadLimits, label_set: LabelSet | None = None) -> ParsedRows:
    """Rows (and labels) of an upload, checked against the dataset's ``dim`` and, where
    it declared them, its labels (``label_set``: integer classes, or a numeric range)."""
    kind = media_type(content_type)
    if not body:
        raise InvalidInput("the upload is empty")
    if kind in JSON_TYPES:
        parsed = _parse_json(body, dim=dim, limits=limits)
    elif kind in NPY_TYPES:
        parsed = ParsedRows(read_npy(body, max_rows=limits.max_rows,
                                     max_decoded_bytes=limits.max_decoded_bytes), None)
    elif kind in PARQUET_TYPES:
        parsed = _parse_parquet(body, dim=dim, labelled=labelled, limits=limits)
    elif kind in CSV_TYPES:
        parsed = _parse_csv(body, dim=dim, labelled=labelled, limits=limits)
    else:
        raise UnsupportedMediaType(
            "rows must be sent as one of: " + ", ".join(SUPPORTED))
    return _declared(_validate(parsed, dim=dim, labelled=labelled), label_set)


def streamed_blocks(body: bytes, content_type: str | None, *, dim: int, labelled: bool,
                    limits: UploadLimits, block_rows: int) -> BlockSource:
    """A Parquet or CSV upload's rows a block at a time (at most ``block_rows`` rows; a
    Parquet batch can be shorter), read again from the start each time the returned
    source is called. What ``parse_rows`` checks before it decodes a value (the format,
    schema or header, dim, the label column, the limits) is checked before this
    returns; what it checks as it reads (numbers, missing values, row lengths) is checked
    as each block is read, with the same messages. Labels come as read: ``UploadCheck``
    and ``stored_labels`` apply the rules ``parse_rows`` applies to the whole column."""
    if block_rows < 1:
        raise ValueError("block_rows must be positive")
    kind = media_type(content_type)
    if not body:
        raise InvalidInput("the upload is empty")
    if kind in PARQUET_TYPES:
        return _parquet_blocks(body, dim=dim, labelled=labelled, limits=limits,
                               block_rows=block_rows)
    if kind in CSV_TYPES:
        return _csv_blocks(body, dim=dim, labelled=labelled, limits=limits,
                           block_rows=block_rows)
    raise UnsupportedMediaType("only " + ", ".join(STREAMED_TYPES) + " are read a block "
                               "at a time")


class UploadCheck:
    """The checks ``parse_rows`` makes of a whole upload, made one block at a time: rows
    of ``dim`` finite values; labels present if and only if ``labelled``, integers (or
    numbers for a label range) within the dataset's declaration (``label_set``). A
    finding that an error later in the upload would pre-empt in ``parse_rows`` is kept
    until ``finish``, which raises the error ``parse_rows`` raises first: the same upload
    fails with the same message either way. Nothing here depends on a row's values
    beyond those public checks."""

    def __init__(self, *, dim: int, labelled: bool, label_set: LabelSet | None) -> None:
        self._dim, self._labelled, self._label_set = dim, labelled, label_set
        self.rows = 0
        self._bad_row: int | None = None  # the first row with a NaN or an infinity
        self._bad_labels: str | None = None  # _labels' rule, broken while reading
        self._fractional = False  # a label that is not an integer
        self._undeclared: str | None = None  # the declaration's rule a label breaks

    def add(self, rows: NDArray[np.float64], labels: NDArray[Any] | None) -> bool:
        """Check one block; whether every row so far is finite."""
        if rows.ndim != 2:
            raise InvalidInput("rows must be a two-dimensional array (n rows of dim values)")
        if rows.shape[1] != self._dim:
            raise _wrong_dim(self._dim, rows.shape[1])
        _check_labelled(self._labelled, has_labels=labels is not None)
        if labels is not None and labels.shape != (rows.shape[0],):
            raise InvalidInput(f"got {labels.shape[0]} labels for {rows.shape[0]} rows")
        if self._bad_row is None:
            finite = np.isfinite(rows).all(axis=1)
            if not finite.all():
                self._bad_row = self.rows + int(np.argmin(finite))
        if labels is not None and self._bad_labels is None:
            self._check_labels(labels)
        self.rows += int(rows.shape[0])
        return self._bad_row is None

    def _check_labels(self, labels: NDArray[Any]) -> None:
        try:
            labels = _labels(labels)
        except InvalidInput as exc:
            self._bad_labels = exc.detail
            return
        self._fractional = self._fractional or labels.dtype.kind == "f"
        if self._undeclared is None and self._label_set is not None:
            try:
                self._label_set.check_labels(labels)
            except InvalidParameter as exc:
                self._undeclared = exc.rule

    def finish(self) -> int:
        """The number of rows, once every block was added; or the error ``parse_rows``
        raises first (its parsing, then ``_validate``, then ``_declared``)."""
        if self._bad_labels is not None:
            raise InvalidInput(self._bad_labels)
        if self.rows == 0:
            raise InvalidInput("the upload has no rows")
        if self._bad_row is not None:
            raise InvalidInput(f"rows contain NaN or infinite values (first at row "
                               f"{self._bad_row})")
        if self._fractional and self._label_set is None:
            raise InvalidInput("labels must be integers")
        if self._fractional and self._label_set is not None \
                and self._label_set.classes is not None:
            raise InvalidInput("labels must be integers (one of the dataset's declared "
                               "classes)")
        if self._undeclared is not None:
            raise InvalidInput(self._undeclared)
        return self.rows


def stored_labels(labels: NDArray[Any] | None,
                  label_set: LabelSet | None) -> NDArray[Any] | None:
    """A block's labels as ``parse_rows`` returns them, once ``UploadCheck`` passed the
    upload: int64, or float64 for a dataset with a label range."""
    if labels is None:
        return None
    labels = _labels(labels)
    if label_set is not None and label_set.label_range is not None:
        return labels.astype(np.float64)
    return labels


def _declared(parsed: ParsedRows, label_set: LabelSet | None) -> ParsedRows:
    """Labels as the declaration wants them: integers within the classes, or numbers
    within the label range (float64); refused otherwise, before anything is stored."""
    labels = parsed.labels
    if labels is None or label_set is None:
        if labels is not None and labels.dtype.kind == "f":
            raise InvalidInput("labels must be integers")
        return parsed
    if label_set.classes is not None and labels.dtype.kind == "f":
        raise InvalidInput("labels must be integers (one of the dataset's declared classes)")
    try:
        label_set.check_labels(labels)
    except InvalidParameter as exc:
        raise InvalidInput(exc.rule) from exc
    if label_set.label_range is not None:
        return ParsedRows(parsed.rows, labels.astype(np.float64))
    return parsed


def _validate(parsed: ParsedRows, *, dim: int, labelled: bool) -> ParsedRows:
    rows = parsed.rows
    if rows.ndim != 2:
        raise InvalidInput("rows must be a two-dimensional array (n rows of dim values)")
    if rows.shape[0] == 0:
        raise InvalidInput("the upload has no rows")
    if rows.shape[1] != dim:
        raise _wrong_dim(dim, rows.shape[1])
    finite = np.isfinite(rows)
    if not finite.all():
        bad = int(np.argmin(finite.all(axis=1)))
        raise InvalidInput(f"rows contain NaN or infinite values (first at row {bad})")
    _check_labelled(labelled, has_labels=parsed.labels is not None)
    if parsed.labels is not None and parsed.labels.shape != (rows.shape[0],):
        raise InvalidInput(f"got {parsed.labels.shape[0]} labels for {rows.shape[0]} rows")
    return parsed


def _wrong_dim(dim: int, got: int) -> InvalidInput:
    return InvalidInput(f"each row must have dim = {dim} values; got {got}")


def _check_labelled(labelled: bool, *, has_labels: bool) -> None:
    if labelled and not has_labels:
        raise InvalidInput("the dataset is labelled: every row needs a label")
    if not labelled and has_labels:
        raise InvalidInput("the dataset is not labelled: remove the labels")


def _numeric_matrix(data: Any, what: str) -> NDArray[np.float64]:
    try:
        arr = np.asarray(data)
    except (ValueError, OverflowError) as exc:  # numpy refuses ragged nested lists
        raise InvalidInput(f"{what} are ragged: every row must have the same length") from exc
    if arr.dtype == object:
        raise InvalidInput(f"{what} are ragged or contain non-numbers")
    if arr.size and arr.dtype.kind not in "iuf":
        raise InvalidInput(f"{what} must contain only numbers")
    return arr.astype(np.float64, copy=False)


def _labels(data: Any) -> NDArray[Any]:
    """Labels as int64 where every one is an integer, else as float64 (which only a
    dataset with a label range accepts: ``_declared``)."""
    arr = np.asarray(data) if not isinstance(data, np.ndarray) else data
    if arr.ndim != 1:
        raise InvalidInput("labels must be a flat list of integers")
    if arr.size and arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and np.all(np.isfinite(arr)):
            if np.all(arr == np.round(arr)) and np.all(np.abs(arr) < 2.0**63):
                return arr.astype(np.int64)
            return arr.astype(np.float64)
        raise InvalidInput("labels must be integers" if arr.dtype.kind != "f"
                           else "labels must be finite numbers")
    return arr.astype(np.int64, copy=False)


# --- JSON -----------------------------------------------------------------------------


def _parse_json(body: bytes, *, dim: int, limits: UploadLimits) -> ParsedRows:
    try:
        doc = loads_strict(body)
    except JSONDocumentError as exc:
        raise InvalidInput(str(exc)) from exc
    if not isinstance(doc, dict):
        raise InvalidInput("the JSON body must be an object {\"rows\": [...], \"labels\": [...]}")
    unknown = sorted(set(doc) - {"rows", "labels"})
    if unknown:
        names = [name if _printable(name) else "(unprintable)" for name in unknown[:5]]
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise InvalidInput("unknown field(s): " + ", ".join(names) + more)
    if "rows" not in doc or not isinstance(doc["rows"], list):
        raise InvalidInput("rows: a list of rows is required")
    raw = doc["rows"]
    first = len(raw[0]) if raw and isinstance(raw[0], list) else 0
    limits.check(len(raw), max(dim, first))
    if (b"true" in body or b"false" in body) and any(
        isinstance(v, bool) for row in raw if isinstance(row, list) for v in row
    ):
        raise InvalidInput("rows must contain only numbers")
    if any(not isinstance(row, list) for row in raw):
        raise InvalidInput("rows must be a list of lists of numbers")
    rows = _numeric_matrix(raw, "rows")
    if rows.ndim == 1 and rows.size == 0 and raw:
        rows = rows.reshape(len(raw), 0)
    labels = None
    if "labels" in doc and doc["labels"] is not None:
        if not isinstance(doc["labels"], list) or any(
            isinstance(v, bool) or not isinstance(v, int | float) for v in doc["labels"]
        ):
            raise InvalidInput("labels must be a flat list of integers")
        labels = _labels(doc["labels"])
    return ParsedRows(rows, labels)


# --- .npy -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NpyLayout:
    """What a checked ``.npy`` header says: ``rows`` x ``width`` values of ``dtype``
    from byte ``offset`` on, in Fortran order or not."""

    rows: int
    width: int
    dtype: np.dtype[Any]
    fortran_order: bool
    offset: int


def npy_layout(stream: io.BufferedIOBase, size: int, *, max_rows: int,
               max_decoded_bytes: int) -> NpyLayout:
    """The header of a ``.npy`` file of ``size`` bytes, checked before anything is
    decoded: its dtype (integers or floats, no objects, no structures), its shape (2-D,
    at most ``max_rows`` rows and ``max_decoded_bytes`` as float64) and the data length
    it implies (exactly what follows the header). Raises InvalidInput (422) or
    PayloadTooLarge (413)."""
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError("unsupported .npy format version")
    except Exception as exc:  # untrusted header: ValueError, SyntaxError, TokenError, ...
        raise InvalidInput("the body is not a valid .npy array (format 1.0 or 2.0; pickles "
                           "are refused)") from exc
    if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None \
            or dtype.kind not in "iuf":
        raise InvalidInput("the .npy array must have a numeric dtype (integers or floats; "
                           "pickles, objects and structured arrays are refused)")
    if len(shape) != 2:
        raise InvalidInput("the .npy array must be two-dimensional (n rows of dim values); "
                           f"it has {len(shape)} dimensions")
    n, width = shape
    if n < 0 or width < 0:
        raise InvalidInput("the body is not a valid .npy array (its shape is negative)")
    UploadLimits(max_rows, max_decoded_bytes).check(n, width)
    offset = stream.tell()
    expected = n * width * dtype.itemsize
    if size - offset != expected:
        raise InvalidInput(f"the .npy data does not match its header: the shape and dtype "
                           f"need {expected} bytes, {size - offset} follow the header")
    return NpyLayout(n, width, dtype, bool(fortran_order), offset)


def read_npy(body: bytes, *, max_rows: int, max_decoded_bytes: int) -> NDArray[np.float64]:
    """A 2-D numeric ``.npy`` array as a fresh C-ordered float64 array, bounded before it
    is decoded (``npy_layout``). Zero rows are returned as they are; callers decide."""
    layout = npy_layout(io.BytesIO(body), len(body), max_rows=max_rows,
                        max_decoded_bytes=max_decoded_bytes)
    n, width = layout.rows, layout.width
    flat = np.frombuffer(body, dtype=layout.dtype, count=n * width, offset=layout.offset)
    data = flat.reshape((width, n)).T if layout.fortran_order else flat.reshape((n, width))
    return np.array(data, dtype=np.float64, order="C")  # a copy, native byte order


def npy_row_chunks(stream: io.BufferedIOBase, layout: NpyLayout,
                   chunk_rows: int) -> Iterator[NDArray[np.float64]]:
    """The rows of a checked ``.npy`` file (``npy_layout``), ``chunk_rows`` at a time as
    C-ordered float64, read from ``stream`` chunk by chunk (a Fortran-ordered file,
    column after column, is read whole: its size is bounded by the upload limits)."""
    n, width, itemsize = layout.rows, layout.width, layout.dtype.itemsize
    stream.seek(layout.offset)
    if layout.fortran_order:
        flat = np.frombuffer(stream.read(n * width * itemsize), dtype=layout.dtype,
                             count=n * width)
        whole = np.array(flat.reshape((width, n)).T, dtype=np.float64, order="C")
        del flat
        for start in range(0, n, chunk_rows):
            yield whole[start:start + chunk_rows]
        return
    for start in range(0, n, chunk_rows):
        yield _npy_rows(stream, layout, min(chunk_rows, n - start))  # holding no block


def _npy_rows(stream: io.BufferedIOBase, layout: NpyLayout,
              count: int) -> NDArray[np.float64]:
    """The next ``count`` rows of a C-ordered ``.npy`` file, read straight into an array."""
    flat = np.empty(count * layout.width, dtype=layout.dtype)
    if stream.readinto(flat.view(np.uint8).data) != flat.nbytes:
        raise InvalidInput("the .npy data is shorter than its header says")
    rows = flat.reshape((count, layout.width))
    if layout.dtype == np.dtype(np.float64):  # native float64: the array read is the block
        return rows
    return np.array(rows, dtype=np.float64, order="C")  # native byte order


# --- Parquet --------------------------------------------------------------------------


def _is_number_type(kind: Any) -> bool:
    return bool(pa.types.is_integer(kind) or pa.types.is_floating(kind))


def _is_list_type(kind: Any) -> bool:
    return bool(pa.types.is_list(kind) or pa.types.is_large_list(kind)
                or pa.types.is_fixed_size_list(kind))


def _printable(name: str) -> bool:
    """Whether a name the client chose is short and plain enough to repeat in a detail."""
    return len(name) <= MAX_NUMBER_CHARS and name.isascii() and name.isprintable()


def _column(index: int, name: str) -> str:
    return f"column {index} ({name!r})" if _printable(name) else f"column {index}"


def _parse_parquet(body: bytes, *, dim: int, labelled: bool,
                   limits: UploadLimits) -> ParsedRows:
    blocks, n = _parquet_reader(body, dim=dim, labelled=labelled, limits=limits,
                                block_rows=_PARQUET_BATCH_ROWS)
    rows = np.empty((n, dim), dtype=np.float64)
    labels = np.empty(n, dtype=np.float64) if labelled else None  # integers: _labels below
    start = 0
    for block, block_labels in blocks():
        stop = start + block.shape[0]
        rows[start:stop] = block
        if labels is not None:
            labels[start:stop] = block_labels
        start = stop
    return ParsedRows(rows, None if labels is None else _labels(labels))


def _parquet_blocks(body: bytes, *, dim: int, labelled: bool, limits: UploadLimits,
                    block_rows: int) -> BlockSource:
    return _parquet_reader(body, dim=dim, labelled=labelled, limits=limits,
                           block_rows=block_rows)[0]


def _parquet_reader(body: bytes, *, dim: int, labelled: bool, limits: UploadLimits,
                    block_rows: int) -> tuple[BlockSource, int]:
    """The Parquet body's schema and metadata checked (before any data is read), then its
    row count and a source of its record batches of at most ``block_rows`` rows, each
    checked as it is read (missing values, list lengths, integer labels; the labels of a
    block come as float64, ``_labels`` decides their type over the whole upload)."""
    try:
        source = pq.ParquetFile(pa.BufferReader(body))
        meta = source.metadata
        schema = source.schema_arrow
    except (pa.ArrowException, OSError, ValueError, TypeError) as exc:
        raise InvalidInput("the body is not a valid Parquet file") from exc
    label_at = [i for i, name in enumerate(schema.names) if name == LABEL_COLUMN]
    features = [i for i, name in enumerate(schema.names) if name != LABEL_COLUMN]
    if len(label_at) > 1:
        raise InvalidInput("the Parquet file has more than one label column")
    if not features:
        raise InvalidInput("the Parquet file has no feature columns")
    _check_labelled(labelled, has_labels=bool(label_at))
    if label_at and not _is_number_type(schema.field(label_at[0]).type):
        raise InvalidInput("labels must be integers (the label column is not numeric)")
    first = schema.field(features[0]).type
    listed = len(features) == 1 and _is_list_type(first)
    if listed and not _is_number_type(first.value_type):
        raise InvalidInput(f"{_column(features[0], schema.names[features[0]])} must hold "
                           "lists of numbers")
    for i in features if not listed else ():
        if not _is_number_type(schema.field(i).type):
            raise InvalidInput(f"{_column(i, schema.names[i])} must be numeric")
    n, groups = meta.num_rows, range(meta.num_row_groups)
    limits.check(n, dim if listed else len(features))
    if len(groups) > _PARQUET_MAX_ROW_GROUPS:
        raise InvalidInput(f"the Parquet file has more than {_PARQUET_MAX_ROW_GROUPS} row "
                           "groups; write it with larger row groups")
    # Flat numeric columns and a list of numbers each have exactly one leaf column.
    if meta.num_columns != len(schema.names) or n != sum(
            meta.row_group(g).num_rows for g in groups):
        raise InvalidInput("the Parquet file's metadata is inconsistent")
    if listed:  # lists longer than dim cost more: bound the values they hold
        values = sum(meta.row_group(g).column(features[0]).num_values for g in groups)
        limits.check(n, max(dim, -(-values // n) if n else 0))
    encoded = sum(meta.row_group(g).total_byte_size for g in groups)
    if encoded > 2 * limits.max_decoded_bytes + _PARQUET_BATCH_ROWS * _FLOAT64_BYTES:
        raise PayloadTooLarge(
            f"too large: the Parquet pages decompress to {encoded} bytes; at most "
            f"{limits.max_rows} rows and {limits.max_decoded_bytes} bytes as float64 are "
            "accepted at once", max_rows=limits.max_rows,
            max_decoded_bytes=limits.max_decoded_bytes, rows=n)
    if len(features) != dim and not listed:
        raise _wrong_dim(dim, len(features))
    if listed and pa.types.is_fixed_size_list(first) and first.list_size != dim:
        raise _wrong_dim(dim, first.list_size)

    def block(batch: Any, start: int) -> Block:
        rows = np.empty((batch.num_rows, dim), dtype=np.float64)
        if listed:
            rows[:] = _list_batch(batch.column(features[0]), start, dim)
        for j, i in enumerate(features if not listed else ()):
            column = batch.column(i)
            if column.null_count:
                raise InvalidInput(f"{_column(i, schema.names[i])} has missing values")
            rows[:, j] = column.to_numpy(zero_copy_only=False)
        if not label_at:
            return rows, None
        column = batch.column(label_at[0])
        if column.null_count:
            raise InvalidInput("the label column has missing values")
        labels = np.empty(batch.num_rows, dtype=np.float64)
        labels[:] = _labels(column.to_numpy(zero_copy_only=False))
        return rows, labels

    def blocks() -> Iterator[Block]:
        start = 0
        try:
            # One thread: decoding the columns in parallel holds more of them at once.
            for batch in source.iter_batches(batch_size=block_rows, use_threads=False):
                stop = start + batch.num_rows
                if stop > n:
                    raise InvalidInput("the Parquet file has more rows than its metadata "
                                       "says")
                held = [block(batch, start)]
                del batch
                yield held.pop()  # hand the block over: hold nothing while it is used
                start = stop
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise InvalidInput("the body is not a valid Parquet file") from exc
        if start != n:
            raise InvalidInput("the Parquet file has fewer rows than its metadata says")

    return blocks, n


def _list_batch(column: Any, start: int, dim: int) -> NDArray[np.float64]:
    """One batch of the list-column layout as (rows, dim); every row must be a list of
    exactly dim numbers."""
    if column.null_count:
        missing = np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))
        raise InvalidInput(f"Parquet row {start + int(missing[0])} is missing")
    lengths = pc.list_value_length(column).to_numpy(zero_copy_only=False)
    wrong = np.flatnonzero(lengths != dim)
    if wrong.size:
        at = int(wrong[0])
        raise InvalidInput(f"Parquet row {start + at} has {int(lengths[at])} values; each "
                           f"row must have dim = {dim}")
    values = column.flatten()
    if values.null_count:
        missing = np.flatnonzero(values.is_null().to_numpy(zero_copy_only=False))
        raise InvalidInput(f"Parquet row {start + int(missing[0]) // dim} has missing values")
    return np.asarray(values.to_numpy(zero_copy_only=False)).reshape(len(column), dim)


# --- CSV ------------------------------------------------------------------------------


def _parse_csv(body: bytes, *, dim: int, labelled: bool, limits: UploadLimits) -> ParsedRows:
    rows, labels = next(_csv_blocks(body, dim=dim, labelled=labelled, limits=limits,
                                    block_rows=None)())
    return ParsedRows(rows, None if labels is None else _labels(labels))


def _csv_blocks(body: bytes, *, dim: int, labelled: bool, limits: UploadLimits,
                block_rows: int | None) -> BlockSource:
    """The CSV body checked as UTF-8, then counted and its header and field counts
    checked (``_scan_csv``), then a source of its rows ``block_rows`` at a time (all in
    one block for None), each value checked to be a plain number as it is read; the
    labels of a block come as float64, ``_labels`` decides their type."""
    try:
        for _ in _csv_text(body):
            pass
    except UnicodeDecodeError as exc:
        raise InvalidInput("the CSV must be UTF-8 text") from exc
    header, width, count = _scan_csv(body, dim)
    if count == 0:
        raise InvalidInput("the upload has no rows")
    label_at: int | None = None
    if header is not None and LABEL_COLUMN in header:
        if header.count(LABEL_COLUMN) > 1:
            raise InvalidInput("the CSV header has more than one label column")
        label_at = header.index(LABEL_COLUMN)
    elif header is None and labelled:
        label_at = width - 1  # without a header, the label is the last column
    _check_labelled(labelled, has_labels=label_at is not None)
    features = width - (label_at is not None)
    limits.check(count, features)
    if features != dim:
        raise _wrong_dim(dim, features)
    step = count if block_rows is None else block_rows

    def blocks() -> Iterator[Block]:
        data = islice(_csv_records(body, dim), 0 if header is None else 1, None)
        numbers = _csv_numbers(data)  # one generator: row indices in errors run on
        for start in range(0, count, step):
            size = min(step, count - start)
            values = np.fromiter(numbers, dtype=np.float64, count=size * width)
            values = values.reshape(size, width)
            held: list[Block] = [(values, None) if label_at is None else (
                np.delete(values, label_at, axis=1), values[:, label_at].copy())]
            del values
            yield held.pop()  # hand the block over: hold nothing while it is used

    return blocks


def _scan_csv(body: bytes, dim: int) -> tuple[list[str] | None, int, int]:
    """The counting pass: (header or None, fields per record, data records), checking
    that every record has the same number of fields, none too long for a number."""
    header: list[str] | None = None
    width, count = 0, 0
    for line, record in _csv_records(body, dim):
        longest = max(map(len, record))
        if count == 0:
            is_header = header is None and not any(map(_NUMBER.fullmatch, record))
            if (len(record) == 1 or not is_header) and (
                    separator := _separator("".join(record))):
                raise InvalidInput(f"expected comma-separated values; this file seems to "
                                   f"use {separator}")
            if longest > MAX_NUMBER_CHARS:
                raise _too_long("the CSV header" if is_header else f"CSV row 0 (line {line})")
            if is_header:  # a header is a first record without a number in it
                header = [field.strip() for field in record]
                continue
            width = len(record)
            if header is not None and len(header) != width:
                raise InvalidInput(f"the CSV header has {len(header)} fields; rows have "
                                   f"{width}")
        elif len(record) != width:
            raise InvalidInput(f"CSV row {count} (line {line}) has {len(record)} fields; "
                               f"expected {width}")
        elif longest > MAX_NUMBER_CHARS:
            raise _too_long(f"CSV row {count} (line {line})")
        count += 1
    return header, width, count


def _too_long(where: str) -> InvalidInput:
    return InvalidInput(f"{where} has a field longer than {MAX_NUMBER_CHARS} characters, "
                        "too long to be a number")


def _csv_numbers(records: Iterator[tuple[int, list[str]]]) -> Iterator[float]:
    """The values of the data records, in order, each checked to be a plain number. On
    the characters _NUMBER_CHARS allows, float() accepts exactly what _NUMBER does."""
    for i, (line, record) in enumerate(records):
        if _NUMBER_CHARS.fullmatch("".join(record)):
            try:
                yield from map(float, record)
                continue
            except ValueError:
                pass
        j = next((j for j, field in enumerate(record) if not _NUMBER.fullmatch(field)), 0)
        raise InvalidInput(_not_a_number(record[j], f"CSV row {i} (line {line}), column {j}"))


def _csv_records(body: bytes, dim: int) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each non-blank record."""
    reader = csv.reader(_csv_lines(body, dim))
    try:
        for record in reader:
            if any(map(str.strip, record)):  # blank lines and all-blank records are skipped
                yield reader.line_num, record
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise _too_long(f"CSV line {reader.line_num}") from exc
        raise InvalidInput(f"the CSV is malformed near line {reader.line_num} (an "
                           "unbalanced quote or a NUL character)") from exc


def _csv_text(body: bytes) -> Iterator[str]:
    """The body decoded as UTF-8 (a leading byte-order mark dropped), ``_CSV_CHUNK_CHARS``
    bytes at a time: no copy of the whole text is made. Raises UnicodeDecodeError where
    ``body.decode("utf-8-sig")`` would."""
    view = memoryview(body)
    if body.startswith(codecs.BOM_UTF8):
        view = view[len(codecs.BOM_UTF8):]
    decoder = codecs.getincrementaldecoder("utf-8")()
    for start in range(0, len(view), _CSV_CHUNK_CHARS):
        yield decoder.decode(view[start:start + _CSV_CHUNK_CHARS],
                             final=start + _CSV_CHUNK_CHARS >= len(view))


def _csv_lines(body: bytes, dim: int) -> Iterator[str]:
    """The lines of the UTF-8 ``body`` as a file opened with ``newline=""`` gives them
    (CR, LF and CRLF endings kept for the csv module), decoded a chunk at a time
    (``_csv_text``), and each checked against the longest line a row of ``dim`` numbers
    (plus a label) can take."""
    longest = (dim + 1) * (2 * MAX_NUMBER_CHARS + 3) + 2  # quoted, doubled quotes, comma
    line, rest = 0, ""
    pieces = _csv_text(body)
    while (piece := next(pieces, None)) is not None or rest:
        text = rest + (piece or "")
        if piece is None:  # the end: the rest is the last line
            cut = len(text)
        else:  # up to the last line end; a CR at the very end may be half of a CRLF
            cut = max(text.rfind("\n"), text.rfind("\r", 0, len(text) - 1)) + 1
        for match in _LINE.finditer(text, 0, cut):
            line += 1
            if match.end() - match.start() > longest:
                raise _line_too_long(line, longest, dim)
            yield match.group()
        rest = text[cut:]
        if len(rest) > longest:  # however it ends, the next line is too long
            raise _line_too_long(line + 1, longest, dim)


def _line_too_long(line: int, longest: int, dim: int) -> InvalidInput:
    return InvalidInput(f"CSV line {line} is longer than {longest} characters: too long for "
                        f"{dim + 1} fields of at most {MAX_NUMBER_CHARS} characters (a "
                        "longer field cannot be a number)")


def _separator(field: str) -> str | None:
    return next((name for sep, name in _SEPARATORS.items() if sep in field), None)


def _not_a_number(field: str, where: str) -> str:
    separator = _separator(field)
    if separator:
        return f"expected comma-separated values; this file seems to use {separator}"
    return (f"{where} has a field that is not a number (plain decimal notation only: "
            "digits, an optional sign, point and exponent; no NaN or infinity)")
