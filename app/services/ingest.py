"""Parsing uploaded rows: JSON, NumPy ``.npy``, Parquet and CSV, all into one shape.

Every format ends as ``ParsedRows(rows: (n, dim) float64, labels: (n,) int64 | None)``
or an ``InvalidInput`` that names the problem (row index, column, count) and never the
offending value.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from app.errors import InvalidInput, UnsupportedMediaType

JSON_TYPES = ("application/json",)
NPY_TYPES = ("application/x-npy", "application/npy")
PARQUET_TYPES = ("application/vnd.apache.parquet", "application/x-parquet",
                 "application/parquet")
CSV_TYPES = ("text/csv", "application/csv")
SUPPORTED = JSON_TYPES + NPY_TYPES + PARQUET_TYPES + CSV_TYPES
LABEL_COLUMN = "label"


@dataclass(frozen=True, slots=True)
class ParsedRows:
    rows: NDArray[np.float64]
    labels: NDArray[np.int64] | None


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def parse_rows(body: bytes, content_type: str | None, *, dim: int, labelled: bool) -> ParsedRows:
    kind = media_type(content_type)
    if not body:
        raise InvalidInput("the upload is empty")
    if kind in JSON_TYPES:
        parsed = _parse_json(body)
    elif kind in NPY_TYPES:
        parsed = _parse_npy(body)
    elif kind in PARQUET_TYPES:
        parsed = _parse_parquet(body, labelled)
    elif kind in CSV_TYPES:
        parsed = _parse_csv(body, labelled)
    else:
        raise UnsupportedMediaType(
            "rows must be sent as one of: " + ", ".join(SUPPORTED))
    return _validate(parsed, dim=dim, labelled=labelled)


def _validate(parsed: ParsedRows, *, dim: int, labelled: bool) -> ParsedRows:
    rows = parsed.rows
    if rows.ndim != 2:
        raise InvalidInput("rows must be a two-dimensional array (n rows of dim values)")
    if rows.shape[0] == 0:
        raise InvalidInput("the upload has no rows")
    if rows.shape[1] != dim:
        raise InvalidInput(f"each row must have dim = {dim} values; got {rows.shape[1]}")
    finite = np.isfinite(rows)
    if not finite.all():
        bad = int(np.argmin(finite.all(axis=1)))
        raise InvalidInput(f"rows contain NaN or infinite values (first at row {bad})")
    if labelled and parsed.labels is None:
        raise InvalidInput("the dataset is labelled: every row needs a label")
    if not labelled and parsed.labels is not None:
        raise InvalidInput("the dataset is not labelled: remove the labels")
    if parsed.labels is not None and parsed.labels.shape != (rows.shape[0],):
        raise InvalidInput(f"got {parsed.labels.shape[0]} labels for {rows.shape[0]} rows")
    return parsed


def _numeric_matrix(data: Any, what: str) -> NDArray[np.float64]:
    try:
        arr = np.asarray(data)
    except ValueError as exc:  # numpy refuses ragged nested lists
        raise InvalidInput(f"{what} are ragged: every row must have the same length") from exc
    if arr.dtype == object:
        raise InvalidInput(f"{what} are ragged or contain non-numbers")
    if arr.size and arr.dtype.kind not in "iuf":
        raise InvalidInput(f"{what} must contain only numbers")
    return arr.astype(np.float64, copy=False)


def _labels(data: Any) -> NDArray[np.int64]:
    arr = np.asarray(data) if not isinstance(data, np.ndarray) else data
    if arr.ndim != 1:
        raise InvalidInput("labels must be a flat list of integers")
    if arr.size and arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            return arr.astype(np.int64)
        raise InvalidInput("labels must be integers")
    return arr.astype(np.int64, copy=False)


def _parse_json(body: bytes) -> ParsedRows:
    try:
        doc = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput("the body is not valid JSON") from exc
    if not isinstance(doc, dict):
        raise InvalidInput("the JSON body must be an object {\"rows\": [...], \"labels\": [...]}")
    unknown = sorted(set(doc) - {"rows", "labels"})
    if unknown:
        raise InvalidInput("unknown field(s): " + ", ".join(unknown))
    if "rows" not in doc or not isinstance(doc["rows"], list):
        raise InvalidInput("rows: a list of rows is required")
    raw = doc["rows"]
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


def _parse_npy(body: bytes) -> ParsedRows:
    try:
        arr = np.load(io.BytesIO(body), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise InvalidInput("the body is not a valid .npy array (pickles are refused)") from exc
    if not isinstance(arr, np.ndarray):
        raise InvalidInput("the body must be a single .npy array")
    if arr.dtype.kind not in "iuf":
        raise InvalidInput("the .npy array must be of a numeric dtype")
    return ParsedRows(arr.astype(np.float64, copy=False), None)


def _parse_parquet(body: bytes, labelled: bool) -> ParsedRows:
    try:
        table = pq.read_table(pa.BufferReader(body))
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InvalidInput("the body is not a valid Parquet file") from exc
    labels = None
    if LABEL_COLUMN in table.column_names:
        column = table.column(LABEL_COLUMN)
        if column.null_count:
            raise InvalidInput("the label column has missing values")
        labels = _labels(column.to_numpy())
        table = table.drop_columns([LABEL_COLUMN])
    if table.num_columns == 0:
        raise InvalidInput("the Parquet file has no feature columns")
    for name in table.column_names:
        if table.column(name).null_count:
            raise InvalidInput(f"column {name!r} has missing values")
    first = table.column(0)
    if table.num_columns == 1 and (pa.types.is_list(first.type)
                                   or pa.types.is_fixed_size_list(first.type)
                                   or pa.types.is_large_list(first.type)):
        return ParsedRows(_numeric_matrix(first.to_pylist(), "rows"), labels)
    columns = []
    for name in table.column_names:
        col = table.column(name)
        if not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)):
            raise InvalidInput(f"column {name!r} must be numeric")
        columns.append(col.to_numpy().astype(np.float64))
    return ParsedRows(np.column_stack(columns), labels)


def _parse_csv(body: bytes, labelled: bool) -> ParsedRows:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the CSV must be UTF-8 text") from exc
    records = [r for r in csv.reader(io.StringIO(text)) if r and any(c.strip() for c in r)]
    if not records:
        raise InvalidInput("the upload has no rows")
    header: list[str] | None = None
    if not any(_is_number(c) for c in records[0]):  # a header has no numeric field
        header, records = [c.strip() for c in records[0]], records[1:]
    if not records:
        raise InvalidInput("the upload has no rows")
    width = len(records[0])
    label_at: int | None = None
    if header is not None and LABEL_COLUMN in header:
        label_at = header.index(LABEL_COLUMN)
    elif header is None and labelled:
        label_at = width - 1  # without a header, the label is the last column
    values = np.empty((len(records), width), dtype=np.float64)
    for i, record in enumerate(records):
        if len(record) != width:
            raise InvalidInput(f"CSV row {i} has {len(record)} fields; expected {width}")
        try:
            values[i] = [float(c) for c in record]
        except ValueError as exc:
            raise InvalidInput(f"CSV row {i} has a field that is not a number") from exc
    labels = None
    if label_at is not None:
        labels = _labels(values[:, label_at])
        values = np.delete(values, label_at, axis=1)
    return ParsedRows(values, labels)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
