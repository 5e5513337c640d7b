"""Upload parsing: every format to the same (rows, labels), every bad input to a 4xx
that names the problem."""

from __future__ import annotations

import io
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from app.errors import InvalidInput, UnsupportedMediaType
from app.services.ingest import UploadLimits, parse_rows
from tests.helpers import npy_bytes

ROWS = np.array([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]])
LABELS = [3, 1]
LIMITS = UploadLimits(max_rows=1_000, max_decoded_bytes=1 << 20)


def parquet(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def test_json() -> None:
    parsed = parse_rows(json.dumps({"rows": ROWS.tolist(), "labels": LABELS}).encode(),
                        "application/json; charset=utf-8", dim=3, labelled=True, limits=LIMITS)
    np.testing.assert_array_equal(parsed.rows, ROWS)
    assert parsed.labels is not None and parsed.labels.tolist() == LABELS


def test_npy() -> None:
    parsed = parse_rows(npy_bytes(ROWS.astype(np.float32)), "application/x-npy", dim=3,
                        labelled=False, limits=LIMITS)
    np.testing.assert_allclose(parsed.rows, ROWS, rtol=1e-6)
    assert parsed.labels is None


def test_parquet_columns_and_list_column() -> None:
    columns = pa.table({"a": ROWS[:, 0], "b": ROWS[:, 1], "c": ROWS[:, 2], "label": LABELS})
    parsed = parse_rows(parquet(columns), "application/vnd.apache.parquet", dim=3,
                        labelled=True, limits=LIMITS)
    np.testing.assert_array_equal(parsed.rows, ROWS)
    assert parsed.labels is not None and parsed.labels.tolist() == LABELS
    listed = pa.table({"vector": pa.array(ROWS.tolist(), type=pa.list_(pa.float64()))})
    parsed = parse_rows(parquet(listed), "application/x-parquet", dim=3, labelled=False,
                        limits=LIMITS)
    np.testing.assert_array_equal(parsed.rows, ROWS)


def test_csv_with_and_without_header() -> None:
    with_header = b"x,y,z,label\n0.1,-0.2,0.3,3\n0.4,0.5,-0.6,1\n"
    parsed = parse_rows(with_header, "text/csv", dim=3, labelled=True, limits=LIMITS)
    np.testing.assert_array_equal(parsed.rows, ROWS)
    assert parsed.labels is not None and parsed.labels.tolist() == LABELS
    bare = b"0.1,-0.2,0.3,3\r\n0.4,0.5,-0.6,1\r\n"
    parsed = parse_rows(bare, "text/csv", dim=3, labelled=True, limits=LIMITS)
    np.testing.assert_array_equal(parsed.rows, ROWS)
    parsed = parse_rows(b"0.1,-0.2,0.3\n", "text/csv", dim=3, labelled=False, limits=LIMITS)
    assert parsed.rows.shape == (1, 3)


BAD = [
    (b'{"rows": [[0.1, 0.2, NaN]]}', "application/json", "NaN"),
    (b'{"rows": [[0.1, 0.2, Infinity]]}', "application/json", "NaN or infinite"),
    (b'{"rows": [[0.1, 0.2]]}', "application/json", "dim = 3"),
    (b'{"rows": [[0.1, 0.2, 0.3], [0.1]]}', "application/json", "ragged"),
    (b'{"rows": []}', "application/json", "two-dimensional"),
    (b'{"rows": [[0.1, 0.2, "x"]]}', "application/json", "only numbers"),
    (b'{"rows": [[0.1, 0.2, true]]}', "application/json", "only numbers"),
    (b'{"rows": [[0.1, 0.2, null]]}', "application/json", "non-numbers"),
    (b'{"rows": [0.1, 0.2, 0.3]}', "application/json", "list of lists"),
    (b'{"rows": [[0.1, 0.2, 0.3]], "label": [1]}', "application/json", "unknown field"),
    (b'{"rows": [[0.1, 0.2, 0.3]], "labels": [1]}', "application/json", "not labelled"),
    (b'{"rows": "abc"}', "application/json", "list of rows"),
    (b"[[1, 2, 3]]", "application/json", "must be an object"),
    (b"{oops", "application/json", "not valid JSON"),
    (b"", "application/json", "empty"),
    (b"\x93NUMPY garbage", "application/x-npy", "not a valid .npy"),
    (b"PAR1 garbage", "application/vnd.apache.parquet", "not a valid Parquet"),
    (b"1,2,3\n4,5\n", "text/csv", "fields"),
    (b"1,2,oops\n", "text/csv", "not a number"),
    (b"a,b,c\n", "text/csv", "no rows"),
    (b"\xff\xfe", "text/csv", "UTF-8"),
]


@pytest.mark.parametrize(("body", "content_type", "message"), BAD)
def test_bad_uploads_are_refused_clearly(body: bytes, content_type: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_rows(body, content_type, dim=3, labelled=False, limits=LIMITS)


def test_pickled_npy_is_refused() -> None:
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(InvalidInput, match="pickles"):
        parse_rows(buffer.getvalue(), "application/x-npy", dim=3, labelled=False, limits=LIMITS)


@pytest.mark.parametrize(("body", "message"), [
    (json.dumps({"rows": ROWS.tolist()}).encode(), "needs a label"),
    (json.dumps({"rows": ROWS.tolist(), "labels": [1]}).encode(), "1 labels for 2 rows"),
    (json.dumps({"rows": ROWS.tolist(), "labels": [1.5, 2]}).encode(), "integers"),
    (json.dumps({"rows": ROWS.tolist(), "labels": ["a", "b"]}).encode(), "integers"),
])
def test_labels_missing_or_extra(body: bytes, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_rows(body, "application/json", dim=3, labelled=True, limits=LIMITS)


def test_unknown_media_type() -> None:
    with pytest.raises(UnsupportedMediaType):
        parse_rows(b"abc", "application/xml", dim=3, labelled=False, limits=LIMITS)
    with pytest.raises(UnsupportedMediaType):
        parse_rows(b"abc", None, dim=3, labelled=False, limits=LIMITS)


def test_messages_never_echo_values() -> None:
    secret = 0.123456789012
    for body in (json.dumps({"rows": [[secret, secret]]}).encode(),
                 json.dumps({"rows": [[secret, secret, float("nan")]]}).encode(),
                 f"{secret},{secret},zzz\n".encode()):
        for content_type in ("application/json", "text/csv"):
            with pytest.raises((InvalidInput, UnsupportedMediaType)) as caught:
                parse_rows(body, content_type, dim=3, labelled=False, limits=LIMITS)
            assert "123456789" not in str(caught.value)
