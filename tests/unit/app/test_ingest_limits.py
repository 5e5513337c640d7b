"""Hostile and careless uploads: each gets a clean 4xx, and a too-large one is refused
from its header, metadata or record count before anything is decoded."""

from __future__ import annotations

import io
import json
import time
import tracemalloc
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from app.errors import AppError, InvalidInput, PayloadTooLarge
from app.services.ingest import _CSV_CHUNK_CHARS, ParsedRows, UploadLimits, parse_rows, read_npy
from app.services.jsondoc import MAX_DEPTH, JSONDocumentError, loads_strict

VALUE = 0.123456789012
VALUE_DIGITS = "123456789"
SMALL = UploadLimits(max_rows=1_000, max_decoded_bytes=1 << 20)
DEFAULT = UploadLimits(max_rows=5_000_000, max_decoded_bytes=512 * 1024 * 1024)
PARQUET = "application/vnd.apache.parquet"
NPY = "application/x-npy"


def parse(body: bytes, content_type: str, *, dim: int = 3, labelled: bool = False,
          limits: UploadLimits = SMALL) -> ParsedRows:
    return parse_rows(body, content_type, dim=dim, labelled=labelled, limits=limits)


def refused(error: type[AppError], status: int, body: bytes, content_type: str,
            match: str | None = None, **kwargs: Any) -> AppError:
    with pytest.raises(error, match=match) as caught:
        parse(body, content_type, **kwargs)
    assert caught.value.status == status
    assert VALUE_DIGITS not in caught.value.detail
    assert VALUE_DIGITS not in repr(caught.value.extensions)
    return caught.value


def assert_too_large(exc: AppError, limits: UploadLimits, rows: int) -> None:
    assert isinstance(exc, PayloadTooLarge)
    assert exc.extensions["max_rows"] == limits.max_rows
    assert exc.extensions["max_decoded_bytes"] == limits.max_decoded_bytes
    assert exc.extensions["rows"] == rows
    assert str(limits.max_rows) in exc.detail and str(limits.max_decoded_bytes) in exc.detail


# --- Parquet --------------------------------------------------------------------------


def parquet(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def eight_million_zeros() -> bytes:
    """~100 KB: 8 row groups of 1M all-zero rows in 3 columns (dictionary + RLE)."""
    zeros = pa.array(np.zeros(1_000_000))
    table = pa.table({"a": zeros, "b": zeros, "c": zeros})
    buffer = io.BytesIO()
    with pq.ParquetWriter(buffer, table.schema) as writer:
        for _ in range(8):
            writer.write_table(table)
    return buffer.getvalue()


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if anything decodes Parquet data (metadata reads stay allowed)."""
    def decode(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("Parquet data was decoded")
    for name in ("read", "read_row_group", "read_row_groups", "iter_batches"):
        monkeypatch.setattr(pq.ParquetFile, name, decode)
    monkeypatch.setattr(pq, "read_table", decode)


@pytest.mark.usefixtures("no_decoding")
def test_parquet_of_8m_zero_rows_is_refused_from_metadata(eight_million_zeros: bytes) -> None:
    assert len(eight_million_zeros) < 1_000_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        exc = refused(PayloadTooLarge, 413, eight_million_zeros, PARQUET, limits=DEFAULT)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_too_large(exc, DEFAULT, rows=8_000_000)
    assert peak < 8 * 1024 * 1024
    assert time.perf_counter() - started < 5.0


@pytest.mark.usefixtures("no_decoding")
def test_parquet_over_the_decoded_bytes_is_refused_from_metadata(
        eight_million_zeros: bytes) -> None:
    limits = UploadLimits(max_rows=10_000_000, max_decoded_bytes=100 * 1024 * 1024)
    exc = refused(PayloadTooLarge, 413, eight_million_zeros, PARQUET, limits=limits)
    assert_too_large(exc, limits, rows=8_000_000)
    assert exc.extensions["decoded_bytes"] == 8_000_000 * 3 * 8


@pytest.mark.usefixtures("no_decoding")
@pytest.mark.parametrize(("table", "match"), [
    (pa.table({"a": [1.0], "b": ["x"], "c": [2.0]}), r"column 1 \('b'\) must be numeric"),
    (pa.table({"a": [True], "b": [1.0], "c": [2.0]}), "column 0 .* must be numeric"),
    (pa.table({"v": pa.array([["x", "y", "z"]])}), "lists of numbers"),
    (pa.table({"a": [1.0], "b": [2.0], "c": [3.0], "label": ["cat"]}), "labels must be"),
])
def test_parquet_non_numeric_columns_are_refused_from_the_schema(table: pa.Table,
                                                                   match: str) -> None:
    labelled = "label" in table.column_names
    refused(InvalidInput, 422, parquet(table), PARQUET, match, labelled=labelled)


@pytest.mark.usefixtures("no_decoding")
def test_parquet_list_column_is_bounded_by_rows_and_by_list_lengths() -> None:
    rows = pa.table({"v": pa.array([[0.0, 0.0, 0.0]] * 1_001, type=pa.list_(pa.float64()))})
    exc = refused(PayloadTooLarge, 413, parquet(rows), PARQUET)
    assert_too_large(exc, SMALL, rows=1_001)
    # 10 rows whose lists hold 100,000 values each: far more than 10 x dim x 8 bytes.
    long = pa.table({"v": pa.array([np.zeros(100_000)] * 10, type=pa.list_(pa.float64()))})
    exc = refused(PayloadTooLarge, 413, parquet(long), PARQUET)
    assert_too_large(exc, SMALL, rows=10)


def test_parquet_list_rows_must_have_dim_values() -> None:
    table = pa.table({"v": pa.array([[VALUE] * 3, [VALUE] * 3, [VALUE] * 2])})
    refused(InvalidInput, 422, parquet(table), PARQUET, "Parquet row 2 has 2 values")
    table = pa.table({"v": pa.array([[VALUE] * 3, None])})
    refused(InvalidInput, 422, parquet(table), PARQUET, "Parquet row 1 is missing")
    table = pa.table({"v": pa.array([[VALUE] * 3, [VALUE, None, VALUE]])})
    refused(InvalidInput, 422, parquet(table), PARQUET, "Parquet row 1 has missing values")


def test_parquet_is_read_in_batches_into_one_array() -> None:
    rng = np.random.default_rng(7)
    values = rng.normal(size=(150_000, 3))
    labels = rng.integers(0, 5, size=150_000)
    table = pa.table({"a": values[:, 0], "b": values[:, 1], "c": values[:, 2],
                      "label": labels.astype(np.float64)})
    buffer = io.BytesIO()
    pq.write_table(table, buffer, row_group_size=40_000)
    limits = UploadLimits(max_rows=150_000, max_decoded_bytes=150_000 * 3 * 8)
    parsed = parse(buffer.getvalue(), PARQUET, labelled=True, limits=limits)
    np.testing.assert_array_equal(parsed.rows, values)
    assert parsed.labels is not None and parsed.labels.tolist() == labels.tolist()
    listed = pa.table({"v": pa.FixedSizeListArray.from_arrays(values.ravel(), 3)})
    parsed = parse(parquet(listed), PARQUET, limits=limits)
    np.testing.assert_array_equal(parsed.rows, values)


def test_parquet_missing_values_name_the_column() -> None:
    table = pa.table({"a": [VALUE, None], "b": [VALUE, VALUE], "c": [VALUE, VALUE]})
    refused(InvalidInput, 422, parquet(table), PARQUET, r"column 0 \('a'\) has missing")


def test_parquet_labels_must_be_whole_numbers() -> None:
    table = pa.table({"a": [VALUE], "b": [VALUE], "c": [VALUE], "label": [1.5]})
    refused(InvalidInput, 422, parquet(table), PARQUET, "integers", labelled=True)
    table = pa.table({"a": [VALUE], "b": [VALUE], "c": [VALUE], "label": [2.0]})
    parsed = parse(parquet(table), PARQUET, labelled=True)
    assert parsed.labels is not None and parsed.labels.tolist() == [2]


# --- .npy -----------------------------------------------------------------------------


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def npy_header(shape: tuple[int, ...], descr: Any = "<f8", fortran_order: bool = False,
               version: tuple[int, int] = (1, 0)) -> bytes:
    buffer = io.BytesIO()
    header = {"descr": descr, "fortran_order": fortran_order, "shape": shape}
    if version == (1, 0):
        np.lib.format.write_array_header_1_0(buffer, header)
    else:
        np.lib.format.write_array_header_2_0(buffer, header)
    return buffer.getvalue()


@pytest.mark.parametrize("rows", [3 * 10**9, 10**12, 10**20])
def test_npy_header_claiming_huge_shapes_is_refused(rows: int) -> None:
    body = npy_header((rows, 3)) + np.full(3, VALUE).tobytes()
    exc = refused(PayloadTooLarge, 413, body, NPY, limits=DEFAULT)
    assert_too_large(exc, DEFAULT, rows=rows)


def test_npy_over_the_decoded_bytes_is_refused() -> None:
    limits = UploadLimits(max_rows=1_000, max_decoded_bytes=100 * 3 * 8 - 1)
    exc = refused(PayloadTooLarge, 413, npy(np.zeros((100, 3))), NPY, limits=limits)
    assert_too_large(exc, limits, rows=100)


@pytest.mark.parametrize("array", [
    np.array([["a", "b", "c"]]),
    np.zeros((1, 3), dtype=np.complex128),
    np.zeros((1, 3), dtype=bool),
    np.zeros((1, 3), dtype="datetime64[s]"),
    np.zeros((1, 3), dtype=[("x", "<f8")]),
    np.zeros((1, 3), dtype=[("x", "<f8", (2,))]),
])
def test_npy_non_numeric_dtypes_are_refused(array: np.ndarray) -> None:
    refused(InvalidInput, 422, npy(array), NPY, "numeric dtype")


def test_npy_object_header_is_refused_before_unpickling() -> None:
    body = npy_header((1, 3), descr="|O") + b"\x80\x04not really a pickle"
    refused(InvalidInput, 422, body, NPY, "pickles")


@pytest.mark.parametrize("shape", [(3,), (1, 3, 1), ()])
def test_npy_must_be_two_dimensional(shape: tuple[int, ...]) -> None:
    refused(InvalidInput, 422, npy(np.full(shape, VALUE)), NPY, "two-dimensional")


@pytest.mark.parametrize("body", [
    npy_header((2, 3)) + np.full((5, 3), VALUE).tobytes(),  # 5 rows under a (2, 3) header
    npy_header((2, 3), descr="<f4") + np.full((2, 3), VALUE).tobytes(),  # f8 data as f4
    npy_header((2, 3)) + np.full((2, 3), VALUE).tobytes()[:-1],  # truncated
    npy_header((2, 3)) + np.full((2, 3), VALUE).tobytes() + b"\x00",  # trailing byte
])
def test_npy_data_length_must_match_the_header(body: bytes) -> None:
    refused(InvalidInput, 422, body, NPY, "does not match its header")


@pytest.mark.parametrize("body", [
    npy_header((-1, -1)) + np.zeros(1).tobytes(),  # a negative shape
    b"\x93NUMPY\x03\x00" + npy_header((1, 3))[8:],  # version 3.0
    b"\x93NUMPY\x01\x00\x10\x00{'descr': '<f8',",  # header cut short
    npy_header((1, 3))[:-20] + b"(1" * 9 + b"\n",  # unparseable header
])
def test_npy_bad_headers_are_refused(body: bytes) -> None:
    refused(InvalidInput, 422, body, NPY, "not a valid .npy")


@pytest.mark.parametrize("array", [
    np.asfortranarray(np.arange(12.0).reshape(4, 3)),
    np.arange(12.0).reshape(4, 3).astype(">f8"),
    np.asfortranarray(np.arange(12).reshape(4, 3).astype(">i4")),
    np.arange(12).reshape(4, 3).astype(np.uint16),
    np.arange(12.0).reshape(4, 3).astype(np.float16),
])
def test_npy_layouts_and_byte_orders_decode_exactly(array: np.ndarray) -> None:
    out = read_npy(npy(array), max_rows=4, max_decoded_bytes=4 * 3 * 8)
    np.testing.assert_array_equal(out, np.arange(12.0).reshape(4, 3))
    assert out.dtype == np.float64 and out.dtype.isnative
    assert out.flags.c_contiguous and out.flags.writeable and out.flags.owndata


def test_read_npy_applies_its_own_limits() -> None:
    body = npy(np.zeros((10, 2)))
    assert read_npy(body, max_rows=10, max_decoded_bytes=160).shape == (10, 2)
    with pytest.raises(PayloadTooLarge):
        read_npy(body, max_rows=9, max_decoded_bytes=10**9)
    with pytest.raises(PayloadTooLarge):
        read_npy(body, max_rows=10, max_decoded_bytes=159)
    assert read_npy(npy(np.zeros((0, 2))), max_rows=1, max_decoded_bytes=1).shape == (0, 2)


# --- CSV ------------------------------------------------------------------------------


@pytest.mark.parametrize("newline", [b"\r", b"\n", b"\r\n"])
def test_csv_line_endings(newline: bytes) -> None:
    body = newline.join([b"x,y,z", b"0.1,-0.2,0.3", b"0.4,0.5,-0.6"]) + newline
    parsed = parse(body, "text/csv")
    np.testing.assert_array_equal(parsed.rows, [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]])


def test_csv_mixed_line_endings_and_quoted_fields() -> None:
    body = b'"x","y","z"\r1,2,3\n"4", 5 ,6\r\n\r\n7,8,9'
    np.testing.assert_array_equal(parse(body, "text/csv").rows, [[1, 2, 3], [4, 5, 6], [7, 8, 9]])


def test_csv_read_in_chunks_keeps_a_crlf_split_by_a_chunk_whole() -> None:
    dim, chunk = 100, _CSV_CHUNK_CHARS
    line = ",".join(["0"] * dim) + "\r\n"
    # Pad the first line so that a CR ends the first chunk and its LF starts the next.
    k, pad = divmod(chunk - 1 - (len(line) - 2), len(line))
    first = ["0"] * dim
    for j in range(dim):  # spaces around a number are fine, up to 64 characters a field
        first[j] += " " * min(60, pad - 60 * j) if pad > 60 * j else ""
    lines = [",".join(first) + "\r\n"] + [line] * (k + 10)
    assert "".join(lines)[chunk - 1:chunk + 1] == "\r\n"
    limits = UploadLimits(max_rows=10**6, max_decoded_bytes=10**9)
    parsed = parse("".join(lines).encode(), "text/csv", dim=dim, limits=limits)
    assert parsed.rows.shape == (k + 11, dim) and not parsed.rows.any()
    lines[k + 5] = lines[k + 5].replace("0", "x", 1)
    refused(InvalidInput, 422, "".join(lines).encode(), "text/csv",
            f"CSV row {k + 5} \\(line {k + 6}\\), column 0", dim=dim,
            limits=limits)


@pytest.mark.parametrize("field", [
    "1" * 200_000,
    '"' + "1" * 200_000 + '"',
    "1" * 65,
    '"' + "1" * 65 + '"',
])
def test_csv_overlong_fields_are_refused(field: str) -> None:
    body = f"{VALUE},{VALUE},{VALUE}\n{VALUE},{field},{VALUE}\n".encode()
    exc = refused(InvalidInput, 422, body, "text/csv", "longer than")
    assert "line 2" in exc.detail
    assert "1111" not in exc.detail


def test_csv_field_over_the_csv_module_limit_across_lines_is_refused() -> None:
    field = '"' + "\n".join(["1" * 100] * 2_000) + '"'
    body = f"{VALUE},{VALUE},{VALUE}\n{VALUE},{field},{VALUE}\n".encode()
    refused(InvalidInput, 422, body, "text/csv", "longer than 64 characters")


@pytest.mark.parametrize("field", [
    "1_0", "\u0661\u0662\u0663", "\u0663.\u0665", "\uff11\uff12", "\u2075",  # Unicode digits
    "inf", "-inf", "nan", "Infinity", "0x10", "1e5_0", "1.5e",
    "e5", ".", "+", "1 2", "--1", "", "1d3",
])
def test_csv_accepts_only_plain_ascii_decimals(field: str) -> None:
    body = f"{VALUE},{VALUE},{VALUE}\n{VALUE},{VALUE},{field}\n".encode()
    exc = refused(InvalidInput, 422, body, "text/csv", "not a number")
    assert "CSV row 1 (line 2), column 2" in exc.detail
    if any(c.isdigit() for c in field):
        assert field not in exc.detail


def test_csv_plain_decimals_with_spaces_are_accepted() -> None:
    body = b" 1 ,-2.5,+3.\n.5, 1e3 ,-7E-2\n0,00012,1.5e+2\n"
    parsed = parse(body, "text/csv")
    np.testing.assert_array_equal(parsed.rows, [[1, -2.5, 3], [0.5, 1000, -0.07],
                                                [0, 12, 150]])


@pytest.mark.parametrize(("body", "name"), [
    (b"1;2;3\n4;5;6\n", "';'"),
    (b"x;y;z\n1;2;3\n", "';'"),
    (b"1\t2\t3\n4\t5\t6\n", "tabs"),
    (b"1|2|3\n", "'|'"),
    (b"1,5;2,5;3,5\n", "';'"),  # decimal commas
])
def test_csv_with_another_separator_says_so(body: bytes, name: str) -> None:
    exc = refused(InvalidInput, 422, body, "text/csv")
    assert exc.detail == f"expected comma-separated values; this file seems to use {name}"


@pytest.mark.parametrize("body", [b"1,2,3\n\x00,2,3\n", b'1,2,3\n"4,5,6\n'])
def test_csv_malformed_is_refused(body: bytes) -> None:
    refused(InvalidInput, 422, body, "text/csv")


def test_csv_too_many_rows_is_refused_before_allocating() -> None:
    body = b"x,y,z\n" + b"0,0,0\n" * 1_001
    exc = refused(PayloadTooLarge, 413, body, "text/csv")
    assert_too_large(exc, SMALL, rows=1_001)
    limits = UploadLimits(max_rows=1_000, max_decoded_bytes=99 * 3 * 8)
    exc = refused(PayloadTooLarge, 413, b"0,0,0\n" * 100, "text/csv", limits=limits)
    assert_too_large(exc, limits, rows=100)


def test_csv_labels() -> None:
    parsed = parse(b"1,2,3,4.0\n5,6,7,8\n", "text/csv", labelled=True)
    assert parsed.labels is not None and parsed.labels.tolist() == [4, 8]
    np.testing.assert_array_equal(parsed.rows, [[1, 2, 3], [5, 6, 7]])
    parsed = parse(b"label,a,b,c\n4,1,2,3\n", "text/csv", labelled=True)
    assert parsed.labels is not None and parsed.labels.tolist() == [4]
    refused(InvalidInput, 422, b"1,2,3,4.5\n", "text/csv", "integers", labelled=True)
    refused(InvalidInput, 422, b"a,b,c\n1,2,3,4\n", "text/csv", "header has 3 fields")


# --- JSON -----------------------------------------------------------------------------


def rows_json(rows: Any, **extra: Any) -> bytes:
    return json.dumps({"rows": rows, **extra}).encode()


def test_json_nested_10000_deep_is_refused() -> None:
    deep = b'{"rows": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    refused(InvalidInput, 422, deep, "application/json", "nested more than 64")
    unbalanced = b'{"rows": ' + b"[" * 10_000
    refused(InvalidInput, 422, unbalanced, "application/json")


def test_json_duplicate_keys_are_refused() -> None:
    body = b'{"rows": [[1, 2, 3]], "rows": [[0.123456789012, 2, 3]]}'
    refused(InvalidInput, 422, body, "application/json", "duplicate key")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999", "-1E+400"])
def test_json_non_finite_numbers_are_refused(literal: str) -> None:
    body = f'{{"rows": [[{VALUE}, {VALUE}, {literal}]]}}'.encode()
    refused(InvalidInput, 422, body, "application/json", "NaN or infinite")


def test_json_too_many_rows_is_refused_before_building_the_array() -> None:
    exc = refused(PayloadTooLarge, 413, rows_json([[VALUE] * 3] * 1_001), "application/json")
    assert_too_large(exc, SMALL, rows=1_001)
    limits = UploadLimits(max_rows=1_000, max_decoded_bytes=99 * 3 * 8)
    exc = refused(PayloadTooLarge, 413, rows_json([[VALUE] * 3] * 100), "application/json",
                  limits=limits)
    assert_too_large(exc, limits, rows=100)


def test_json_unknown_fields_are_named_only_when_short_and_plain() -> None:
    body = json.dumps({"rows": [[1, 2, 3]], "x" * 100: 1, "\u00e9": 2, "extra": 3}).encode()
    exc = refused(InvalidInput, 422, body, "application/json", "unknown field")
    assert exc.detail == "unknown field(s): extra, (unprintable), (unprintable)"


def test_json_syntax_errors_name_the_position_not_the_value() -> None:
    exc = refused(InvalidInput, 422, b'{"rows": [[0.123456789012, oops]]}', "application/json",
                  "not valid JSON")
    assert "line 1, column" in exc.detail and "oops" not in exc.detail


# --- jsondoc --------------------------------------------------------------------------


def test_loads_strict_accepts_ordinary_documents() -> None:
    doc = {"a": [1, 2.5, -3e10, None, True, "x[{"], "b": {"c": "\"]}"}, "d": []}
    assert loads_strict(json.dumps(doc).encode()) == doc
    assert loads_strict(b"1e308") == 1e308
    assert loads_strict(b"[1.5e300, 1e-400, 1E+99]") == [1.5e300, 0.0, 1e99]
    assert loads_strict(b'["\\ud83d\\ude00", "\\\\ud800"]') == ["\U0001f600", "\\ud800"]
    assert loads_strict("\"caf\u00e9 \u2603\"".encode()) == "caf\u00e9 \u2603"


def nested(depth: int, opener: str = "[", closer: str = "]") -> bytes:
    return (opener * depth + closer * depth).encode()


def test_loads_strict_depth_limit() -> None:
    assert loads_strict(nested(MAX_DEPTH)) is not None
    mixed = ('{"a":[' * (MAX_DEPTH // 2) + "1" + "]}" * (MAX_DEPTH // 2)).encode()
    assert loads_strict(mixed) is not None
    for body in (nested(MAX_DEPTH + 1), nested(10_000), b"[" * 100_000,
                 ('{"a":[' * 40 + "1" + "]}" * 40).encode()):
        with pytest.raises(JSONDocumentError) as caught:
            loads_strict(body)
        assert caught.value.rule == "depth"
    brackets_in_strings = json.dumps({"s": "[" * 1_000, "t": ["]]]{{{"] * 100}).encode()
    assert loads_strict(brackets_in_strings)["s"] == "[" * 1_000
    assert loads_strict(nested(3), max_depth=3) == [[[]]]
    with pytest.raises(JSONDocumentError):
        loads_strict(nested(4), max_depth=3)


@pytest.mark.parametrize(("body", "rule"), [
    (b'{"budget": 1, "budget": 2}', "duplicate-key"),
    (b'[{"a": {"x": 1, "y": 2, "x": 3}}]', "duplicate-key"),
    (b"[NaN]", "non-finite"),
    (b"[Infinity]", "non-finite"),
    (b"-Infinity", "non-finite"),
    (b"[1e999]", "non-finite"),
    (b"[-" + b"9" * 400 + b".0]", "non-finite"),
    (b"[" + b"9" * 5_000 + b"]", "number"),
    (json.dumps({"a": 1}).encode("utf-16"), "encoding"),
    (b'{"a": "\xff"}', "encoding"),
    (b'{"name": "\\ud800"}', "encoding"),
    (b'["\\udc00\\ud800"]', "encoding"),
    (b"{'a': 1}", "syntax"),
    (b'{"a": 1,}', "syntax"),
    (b"", "syntax"),
    (b'\xef\xbb\xbf{"a": 1}', "syntax"),
])
def test_loads_strict_rules(body: bytes, rule: str) -> None:
    with pytest.raises(JSONDocumentError) as caught:
        loads_strict(body)
    assert caught.value.rule == rule
    assert isinstance(caught.value, ValueError)
    assert "budget" not in str(caught.value) and "999" not in str(caught.value)


def test_loads_strict_large_number_arrays_stay_fast() -> None:
    body = json.dumps({"rows": [[VALUE, -1.5, 2]] * 100_000}).encode()
    started = time.perf_counter()
    doc = loads_strict(body)
    assert len(doc["rows"]) == 100_000
    assert time.perf_counter() - started < 5.0
