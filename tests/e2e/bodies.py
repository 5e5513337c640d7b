"""Hypothesis strategies for request bodies well-formed enough to pass the first check of
each parser (a magic number, a header, a separator) and hostile after it: odd dtypes
and lying shapes in ``.npy``, ragged and oddly spelled CSV, Parquet of odd column types
or claiming millions of rows, JSON nested 10,000 deep. A share of each is valid, so
that the whole upload path runs too.

Every choice comes from a NumPy generator seeded by one Hypothesis draw. Schemathesis
steers Hypothesis towards the inputs an operation accepts (it maximises each
operation's 2xx rate): with the choices visible to Hypothesis, 74 of 120 ``.npy``
bodies sent were the valid kind. Behind one seed, the mix stays as weighted here. The
price is that Hypothesis cannot shrink a body; instead each body is remembered with a
one-line description (``describe``), so that a failure reads "npy v2.0 <f4 claims
shape (100000000000000000000, 3), ..." rather than as bytes.

Most bodies are a few kilobytes; a few CSV bodies carry one field over 128 KiB.
"""

from __future__ import annotations

import decimal
import hashlib
import io
import random
import struct
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import strategies as st

JSON = "application/json"
NPY = "application/x-npy"
PARQUET = "application/vnd.apache.parquet"
CSV = "text/csv"
DIM = 3  # the fuzzed dataset's dim: most tables have this many feature columns
# The operations that get hostile raw JSON, and the key of their rows or points
JSON_KEYS = {"/v1/datasets/{dataset_id}/rows": "rows",
             "/v1/structures/{structure_id}/query": "points"}
# How test_fuzz.py talks to fuzz_hooks.py, which runs in the Schemathesis process
TALLY_ENV = "FUZZ_TALLY_FILE"  # where the hooks append one JSON line per response
MEDIA_TYPE_ENV = "FUZZ_MEDIA_TYPE"  # the one media type offered where it is accepted
HOSTILE_JSON_ENV = "FUZZ_HOSTILE_JSON"  # "1": JSON_KEYS' JSON bodies all hostile raw JSON

T = TypeVar("T")
Rng = np.random.Generator
_DESCRIPTIONS: dict[bytes, str] = {}


def _key(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=16).digest()


def _remember(body: bytes, description: str) -> bytes:
    _DESCRIPTIONS[_key(body)] = f"{description} [{len(body):,} B]"
    return body


def describe(body: bytes) -> str | None:
    """The description of a body these strategies generated, or None."""
    return _DESCRIPTIONS.get(_key(body))


def _seeded(build: Callable[[Rng], tuple[bytes, str]]) -> st.SearchStrategy[bytes]:
    return st.integers(0, 2**63 - 1).map(
        lambda seed: _remember(*build(np.random.default_rng(seed))))


def _pick(rng: Rng, options: Sequence[T]) -> T:
    return options[int(rng.integers(len(options)))]


def _weighted(rng: Rng, *pairs: tuple[int, str]) -> str:
    weights = np.array([weight for weight, _ in pairs], dtype=np.float64)
    return pairs[int(rng.choice(len(pairs), p=weights / weights.sum()))][1]


def _chance(rng: Rng, p: float) -> bool:
    return bool(rng.random() < p)


_SPECIAL = np.array([np.nan, np.inf, -np.inf, 1e308, -1e308, 5e-324, -5e-324, 2.2e-308,
                     0.0, -0.0, 65504.0, 3.4e38, 1.0, -1.0])
_VALUE_MODES = ((5, "ball"), (1, "normal"), (1, "huge"), (1, "denormal"), (1, "integers"),
                (2, "special"))
_VALID_MODES = ("ball", "normal", "integers")


def _floats(rng: Rng, n: int, mode: str) -> np.ndarray:
    """n float64 values: inside the unit ball, normal, huge, denormal or special."""
    if mode == "ball":
        return rng.uniform(-0.5, 0.5, n)
    if mode == "normal":
        return rng.normal(0, 3, n)
    if mode == "huge":
        return rng.choice([-1, 1], n) * 10.0 ** rng.uniform(30, 308, n)
    if mode == "denormal":
        return rng.choice([-1, 1], n) * 10.0 ** rng.uniform(-323, -308, n)
    if mode == "integers":
        return rng.integers(-3, 4, n).astype(np.float64)
    values = rng.uniform(-0.5, 0.5, n)  # "special": a few specials among ordinary values
    picks = rng.random(n) < 0.3
    values[picks] = rng.choice(_SPECIAL, int(picks.sum()))
    return values


def _random_bytes(rng: Rng, magic: bytes, what: str) -> tuple[bytes, str]:
    body = rng.bytes(int(rng.integers(0, 301)))
    if _chance(rng, 0.5):
        return magic + body, f"{what}: {magic!r} then random bytes"
    return body, f"{what}: random bytes"


# --- .npy --------------------------------------------------------------------------------

_NPY_DTYPES: list[Any] = [
    "<f8", "<f8", "<f8", "<f4", "<f4", ">f8", ">f4", "<f2", ">f2", "<f16",
    "|i1", "<i2", ">i4", "<i8", ">i8", "|u1", "<u2", ">u4", "<u8", "|b1",
    "<c8", ">c16", "|O", "<U5", "|S8", "<M8[s]", "<m8[ns]", "|V4",
    [("x", "<f8"), ("y", "<f8"), ("z", "<f8")], [("a", "<i4"), ("b", "|S3")],
    [("r", "<f8", (3,))],
]
_ABSURD_SHAPES = [(3_000_000_000, 3), (10**12, 3), (10**20, 3), (2**63, 3), (2**64, 3),
                  (3, 2**62), (2**31, 2**31), (-1, 3), (3, -3), (0, 10**12)]


def _npy_header(header: str, version: int) -> bytes:
    encoded = header.encode("utf-8" if version == 3 else "latin-1", "replace")
    size_bytes = 2 if version == 1 else 4
    padding = -(6 + 2 + size_bytes + len(encoded) + 1) % 64
    encoded += b" " * padding + b"\n"
    size = struct.pack("<H" if version == 1 else "<I", len(encoded) % 65536)
    return b"\x93NUMPY" + bytes([version, 0]) + size + encoded


def _header_text(descr: Any, fortran: Any, shape: Any) -> str:
    return f"{{'descr': {descr!r}, 'fortran_order': {fortran!r}, 'shape': {shape!r}, }}"


def _npy_data(rng: Rng, descr: Any, shape: tuple[int, ...], fortran: bool, mode: str) -> bytes:
    dtype = np.dtype(descr)
    count = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if dtype.kind in "fc":
        with np.errstate(all="ignore"):
            return np.asarray(_floats(rng, count, mode)).astype(dtype).reshape(shape).tobytes(
                order="F" if fortran else "C")
    if dtype.kind in "iub":
        info = np.iinfo(dtype) if dtype.kind != "b" else None
        low, high = (0, 2) if info is None else (int(info.min), int(info.max) + 1)
        values = rng.integers(max(low, -(2**62)), min(high, 2**62), count, dtype=np.int64)
        return values.astype(dtype).tobytes()
    return rng.bytes(count * dtype.itemsize)


def _npy(rng: Rng) -> tuple[bytes, str]:
    kind = _weighted(rng, (10, "array"), (2, "absurd"), (2, "header"), (1, "random"),
                     (1, "truncated"), (3, "valid"))
    version = _pick(rng, [1, 1, 2, 3])
    fortran = _chance(rng, 0.5)
    if kind == "random":
        return _random_bytes(rng, b"\x93NUMPY", "npy")
    if kind == "header":
        return _bad_npy_header(rng, version)
    if kind == "absurd":
        shape = _pick(rng, _ABSURD_SHAPES)
        descr = _pick(rng, ["<f8", "<f4", "|u1", "<f2"])
        body = _npy_header(_header_text(descr, fortran, shape), version)
        return (body + rng.bytes(int(rng.integers(0, 97))),
                f"npy v{version}.0 {descr} claims shape {shape}, fortran={fortran}, "
                "a few bytes of data")
    if kind == "valid":
        descr = _pick(rng, ["<f8", "<f8", "<f4", ">f8", "<f2", "<i8", "|u1"])
        shape, mode = (int(rng.integers(1, 51)), DIM), _pick(rng, _VALID_MODES)
        body = _npy_header(_header_text(descr, fortran, shape), version)
        return (body + _npy_data(rng, descr, shape, fortran, mode),
                f"npy v{version}.0 {descr} shape {shape}, fortran={fortran}, {mode} values "
                "(valid)")
    descr = _pick(rng, _NPY_DTYPES)
    shape = _pick(rng, [
        (int(rng.integers(0, 51)), _pick(rng, [DIM] * 6 + list(range(9)))),
        (int(rng.integers(0, 51)), DIM),
        (),
        (int(rng.integers(0, 61)),),
        (int(rng.integers(0, 7)), int(rng.integers(0, 7)), int(rng.integers(0, 5))),
    ])
    mode = _weighted(rng, *_VALUE_MODES)
    data = _npy_data(rng, descr, shape, fortran, mode)
    length = _weighted(rng, (6, "exact"), (1, "short"), (1, "long"))
    if length == "short" and data:
        data = data[: int(rng.integers(0, len(data)))]
    elif length == "long":
        data += rng.bytes(int(rng.integers(1, 65)))
    header = _npy_header(_header_text(descr, fortran, shape), version)
    if kind == "truncated":
        return ((header + data)[: int(rng.integers(0, len(header)))],
                f"npy v{version}.0 {descr} {shape}: truncated in the header")
    return (header + data, f"npy v{version}.0 {descr} shape {shape}, fortran={fortran}, "
                           f"{mode} values, data {length}")


def _bad_npy_header(rng: Rng, version: int) -> tuple[bytes, str]:
    shape = (4, DIM)
    texts = {
        "no shape key": "{'descr': '<f8', 'fortran_order': False, }",
        "extra key": "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 3), 'x': 1, }",
        "a list, not a dict": "[1, 2, 3]",
        "unknown descr": _header_text("<f9", False, shape),
        "descr 'float64'": _header_text("float64", False, shape),
        "descr is an int": _header_text(123, False, shape),
        "shape is a list": _header_text("<f8", False, [4, 3]),
        "shape has a float": _header_text("<f8", False, (2.5, 3)),
        "shape has a bool": _header_text("<f8", False, (True, 3)),
        "shape is a string": _header_text("<f8", False, "4,3"),
        "fortran_order is a string": _header_text("<f8", "yes", shape),
        "a function call": "{'descr': __import__('os').getcwd(), 'fortran_order': False, "
                           "'shape': (4, 3), }",
        "header over 10,000 chars": _header_text("<f8", False, shape)[:-1] + " " * 12_000 + "}",
        "not Python": "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 3), ",
        "non-ASCII key": "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 3), 'é': 1, }",
        "nested dtype of objects": _header_text([("a", "|O")], False, (4,)),
    }
    name = _pick(rng, sorted(texts))
    body = _npy_header(texts[name], version) + np.zeros(shape).tobytes()
    lie = _pick(rng, ["", "", "length", "version"])
    if lie == "length":  # the header length field claims more than there is
        size = struct.pack("<H" if version == 1 else "<I", 60_000)
        body = body[:8] + size + body[8 + len(size):]
    elif lie == "version":
        body = body[:6] + bytes([_pick(rng, [0, 4, 9, 255]), 0]) + body[8:]
    return body, f"npy v{version}.0 header: {name}" + (f", lying {lie}" if lie else "")


# --- CSV ---------------------------------------------------------------------------------

_ODD_NUMBERS = ["1_0", "1e400", "-1e400", "nan", "NaN", "inf", "-Infinity", "\u0663",
                "0x10", "+.5", "-0", "1e-320", "", " ", " 1 ", "1,5", "1.5.5", "--1",
                "1e", "9" * 400, "0" * 50 + "1", "\u0661\u066b\u0665", "\u00bd",
                "\uff11", "\u00a01", "True", "null", "'1'", "1\x00", "\u2212" + "1"]
_FIELD_LIMIT = 131_072  # csv.field_size_limit()'s default


def _csv_field(rng: Rng, value: float, odd_rate: float) -> str:
    if _chance(rng, odd_rate):
        return _pick(rng, _ODD_NUMBERS)
    if np.isfinite(value) and _chance(rng, 0.1):
        return str(int(value))
    return f"{value:.6g}"


def _csv(rng: Rng) -> tuple[bytes, str]:
    kind = _weighted(rng, (12, "table"), (1, "long field"), (1, "random"), (1, "encoding"),
                     (3, "valid"))
    if kind == "random":
        return _random_bytes(rng, b"x0,x1,x2\n", "csv")
    valid = kind == "valid"
    sep = "," if valid else _pick(rng, [",", ",", ";", "\t"])
    eol = _pick(rng, ["\n", "\r\n"] if valid else ["\n", "\n", "\r\n", "\r"])
    header, bom = _chance(rng, 0.5), _chance(rng, 0.5)
    label = "none" if valid else _weighted(rng, (3, "none"), (1, "label"), (1, "label last"))
    cols = DIM if valid else _pick(rng, [DIM] * 6 + list(range(9)))
    nrows = int(rng.integers(1 if valid else 0, 51))
    mode = _pick(rng, _VALID_MODES) if valid else _weighted(rng, *_VALUE_MODES)
    odd_rate = 0.0 if valid else _pick(rng, [0.0, 0.0, 0.02, 0.2])
    ragged = 0.0 if valid else _pick(rng, [0.0, 0.0, 0.0, 0.1])
    quote_rate = _pick(rng, [0.0, 0.0, 0.3, 1.0])
    blank_rate = _pick(rng, [0.0, 0.0, 0.2])
    names = [f"x{i}" for i in range(cols)]
    if label != "none":
        names.insert(cols if label == "label last" else int(rng.integers(0, cols + 1)), "label")
    lines = [sep.join(names)] if header else []
    for row in _floats(rng, nrows * len(names), mode).reshape(nrows, len(names)):
        fields = [_csv_field(rng, v, odd_rate) for v in row]
        if label != "none":
            fields[names.index("label")] = str(int(rng.integers(-2, 5)))
        if _chance(rng, ragged):
            fields = fields[: int(rng.integers(0, len(fields) + 1))] if _chance(rng, 0.5) \
                else [*fields, "0"]
        lines.append(sep.join(f'"{f}"' if _chance(rng, quote_rate) else f for f in fields))
        if _chance(rng, blank_rate):
            lines.append(_pick(rng, ["", sep * len(names), " "]))
    if kind == "long field":
        field = _pick(rng, ["0" * (_FIELD_LIMIT + 10), '"' + "1" * _FIELD_LIMIT + '"',
                            "0." + "1" * (_FIELD_LIMIT + 1)])
        lines.insert(int(rng.integers(0, len(lines) + 1)), sep.join([field] + ["0"] * (DIM - 1)))
    text = eol.join(lines) + (eol if _chance(rng, 0.5) else "")
    body = ("\ufeff" if bom else "").encode() + text.encode()
    encoding = "utf-8"
    if kind == "encoding":
        encoding = _pick(rng, ["latin-1 é in a header", "utf-16", "a stray 0xff",
                               "a lone surrogate"])
        if encoding == "utf-16":
            body = text.encode("utf-16")
        elif encoding == "latin-1 é in a header":
            body = ("caf\u00e9" + sep).encode("latin-1") + body
        elif encoding == "a stray 0xff":
            at = int(rng.integers(0, len(body) + 1))
            body = body[:at] + b"\xff\xfe" + body[at:]
        else:
            body = b"1,2,\xed\xa0\x80" + eol.encode() + body
    flags = [f for f, on in [("header", header), ("BOM", bom), (f"{ragged:.0%} ragged", ragged),
                             (f"{odd_rate:.0%} odd numbers", odd_rate),
                             (f"{quote_rate:.0%} quoted", quote_rate),
                             ("blank lines", blank_rate)] if on]
    return body, (f"csv {nrows}x{cols} sep={sep!r} eol={eol!r} label={label} {mode} values "
                  f"{' '.join(flags)}, {kind}, {encoding}")


# --- Parquet -----------------------------------------------------------------------------

_COLUMN_TYPES = ["float64"] * 6 + ["float32", "float16", "int8", "int16", "int32", "int64",
                                   "uint8", "uint64", "bool", "string", "binary",
                                   "decimal", "date", "timestamp", "null", "dictionary"]
_LIST_LAYOUTS = ["list", "list", "large list", "fixed-size list", "list of strings",
                 "list with inner nulls", "nested lists"]


def _column(rng: Rng, type_name: str, n: int, mode: str, null_rate: float) -> pa.Array:
    mask = rng.random(n) < null_rate if null_rate else None
    values = _floats(rng, n, mode)
    with np.errstate(all="ignore"):
        if type_name.startswith("float"):
            return pa.array(values.astype(type_name), mask=mask)
        if type_name.startswith(("int", "uint")):
            info = np.iinfo(type_name)
            ints = rng.integers(max(int(info.min), -(2**62)), min(int(info.max), 2**62), n)
            return pa.array(ints.astype(type_name), mask=mask)
    if type_name == "bool":
        return pa.array(rng.random(n) < 0.5, mask=mask)
    if type_name in ("string", "dictionary"):
        strings = pa.array([f"{v:.3g}" for v in values], pa.string(), mask=mask)
        return strings.dictionary_encode() if type_name == "dictionary" else strings
    if type_name == "binary":
        return pa.array([rng.bytes(3) for _ in range(n)], pa.binary(), mask=mask)
    if type_name == "decimal":
        clipped = np.clip(np.nan_to_num(values), -1e30, 1e30)  # 38 digits, 3 of them decimals
        return pa.array([decimal.Decimal(f"{v:.3f}") for v in clipped], pa.decimal128(38, 3),
                        mask=mask)
    if type_name == "date":
        return pa.array(rng.integers(0, 20_000, n).astype(np.int32), pa.date32(), mask=mask)
    if type_name == "timestamp":
        return pa.array(rng.integers(0, 2**40, n), pa.timestamp("ms"), mask=mask)
    return pa.nulls(n)


def _list_column(rng: Rng, layout: str, n: int, mode: str, null_rate: float,
                 ragged: bool) -> pa.Array:
    lengths = rng.integers(0, 6, n) if ragged else np.full(n, DIM)
    rows: list[Any] = [list(_floats(rng, int(k), mode)) for k in lengths]
    if null_rate:
        rows = [None if _chance(rng, null_rate) else r for r in rows]
    if layout == "list of strings":
        return pa.array([None if r is None else [f"{v:.3g}" for v in r] for r in rows],
                        pa.list_(pa.string()))
    if layout == "list with inner nulls":
        return pa.array([None if r is None else [None, *r[1:]] for r in rows],
                        pa.list_(pa.float64()))
    if layout == "nested lists":
        return pa.array([None if r is None else [r] for r in rows],
                        pa.list_(pa.list_(pa.float64())))
    if layout == "fixed-size list":
        fixed = [None if r is None else (list(r) + [0.0] * DIM)[:DIM] for r in rows]
        return pa.array(fixed, pa.list_(pa.float64(), DIM))
    if layout == "large list":
        return pa.array(rows, pa.large_list(pa.float64()))
    return pa.array(rows, pa.list_(pa.float64()))


def _write_parquet(rng: Rng, table: pa.Table) -> tuple[bytes, str]:
    row_group_size = _pick(rng, [None, 1, 3])
    buffer = io.BytesIO()
    pq.write_table(table, buffer, row_group_size=row_group_size,
                   use_dictionary=_chance(rng, 0.5),
                   compression=_pick(rng, ["none", "snappy", "zstd", "gzip"]),
                   data_page_version=_pick(rng, ["1.0", "2.0"]))
    return buffer.getvalue(), f"row groups of {row_group_size or 'all'}"


@cache
def _parquet_bomb(columns: int) -> bytes:
    """2,000,000 rows of zeros, dictionary-encoded and compressed: about 25 KB. The last
    value is NaN, so that the upload is refused, but only once it is decoded: accepted,
    the dataset would grow by millions of rows, at a second or so a time."""
    values = np.zeros(2_000_000)
    values[-1] = np.nan
    buffer = io.BytesIO()
    pq.write_table(pa.table({f"x{i}": values for i in range(columns)}), buffer,
                   use_dictionary=True, compression="zstd", row_group_size=2_000_000)
    return buffer.getvalue()


def _parquet(rng: Rng) -> tuple[bytes, str]:
    kind = _weighted(rng, (12, "table"), (1, "bomb"), (1, "random"), (1, "truncated"),
                     (3, "valid"))
    if kind == "random":
        return _random_bytes(rng, b"PAR1", "parquet")
    if kind == "bomb":
        columns = _pick(rng, [DIM, 1])
        return (_parquet_bomb(columns), f"parquet: 2,000,000 rows x {columns} float64 zeros, "
                                        "then a NaN; dictionary-encoded")
    if kind == "valid":
        nrows, mode = int(rng.integers(1, 51)), _pick(rng, _VALID_MODES)
        layout = _pick(rng, ["float64", "float32", "int64", "list", "large list",
                             "fixed-size list"])
        table = pa.table({"xs": _list_column(rng, layout, nrows, mode, 0.0, ragged=False)}
                         if "list" in layout else
                         {f"x{i}": _column(rng, layout, nrows, mode, 0.0) for i in range(DIM)})
        body, groups = _write_parquet(rng, table)
        return body, f"parquet {nrows} rows, {layout} x {DIM}, {mode} values, {groups} (valid)"
    nrows = _pick(rng, [0, 1, 2, 5, 17, 50])
    mode = _weighted(rng, *_VALUE_MODES)
    null_rate = _pick(rng, [0.0, 0.0, 0.0, 0.1, 1.0])
    layout = _pick(rng, ["columns"] * 3 + _LIST_LAYOUTS)
    label = _weighted(rng, (4, "none"), (1, "int64"), (1, "float64"), (1, "string"),
                      (1, "int64 with nulls"))
    if layout == "columns":
        types = [_pick(rng, _COLUMN_TYPES) for _ in range(int(rng.integers(0, 9)))] \
            if _chance(rng, 0.7) else ["float64"] * DIM
        names = [f"x{i}" for i in range(len(types))]
        arrays = [_column(rng, t, nrows, mode, null_rate) for t in types]
        what = f"columns {types}"
    else:
        ragged = _chance(rng, 0.5)
        names, arrays = ["xs"], [_list_column(rng, layout, nrows, mode, null_rate, ragged)]
        what = layout + (" (ragged)" if ragged else "")
    if names and _chance(rng, 0.1):  # Arrow tables allow duplicate names
        names[-1] = names[0]
        what += ", a duplicated column name"
    if label != "none":
        label_type = label.split()[0]
        at = int(rng.integers(0, len(names) + 1))
        names.insert(at, "label")
        arrays.insert(at, _column(rng, label_type, nrows,
                                  "integers" if label_type == "int64" else mode,
                                  0.3 if "nulls" in label else 0.0))
    body, groups = _write_parquet(rng, pa.Table.from_arrays(arrays, names=names))
    description = (f"parquet {nrows} rows, {what}, label={label}, {mode} values, "
                   f"nulls={null_rate:.0%}, {groups}")
    if kind == "truncated":
        cut = _pick(rng, ["head", "tail", "middle"])
        at = int(rng.integers(1, max(2, len(body) - 1)))
        body = {"head": body[:at], "tail": body[at:],
                "middle": body[:at] + body[at + min(16, len(body) - at):]}[cut]
        description += f", truncated ({cut})"
    return body, description


# --- raw JSON ------------------------------------------------------------------------------

def _json_cases(key: str) -> list[tuple[bytes, str]]:
    k = key.encode()
    deep = 10_000
    good = b"[0.1, 0.2, 0.3]"
    return [
        (b'{"%s": ' % k + b"[" * deep + b"]" * deep + b"}", f"{key} nested 10,000 deep"),
        (b'{"%s": [' % k + b"[" * deep + b"0" + b"]" * deep + b"]}",
         f"{key}: a number nested 10,000 deep"),
        (b'{"a": ' * deep + b"0" + b"}" * deep, "objects nested 10,000 deep"),
        (b'{"%s": [%s], "%s": [%s]}' % (k, good, k, good), f"{key} given twice"),
        (b'{"%s": [[true, 0, 0]]}' % k, f"{key}: true in place of a number"),
        (b'{"%s": [[true, false, true]]}' % k, f"{key}: booleans in place of numbers"),
        (b'{"%s": [["0", "0", "0"]]}' % k, f'{key}: "0" in place of numbers'),
        (b'{"%s": [[0, "1", 0]]}' % k, f'{key}: one "1" among numbers'),
        (b'{"%s": [[NaN, Infinity, -Infinity]]}' % k, f"{key}: NaN and Infinity literals"),
        (b'{"%s": [[1e400, 0, 0]]}' % k, f"{key}: 1e400"),
        (b'{"%s": [[1%s, 0, 0]]}' % (k, b"0" * 5000), f"{key}: a 5,000-digit integer"),
        (b'{"%s": [[0, 0, 0]], "labels": [true]}' % k, "labels: true"),
        (b'{"%s": [[0, 0, 0]], "labels": ["1"]}' % k, 'labels: "1"'),
        (b'{"%s": [[0, 0, 0]], "labels": [1e400]}' % k, "labels: 1e400"),
        (b'{"%s": [[0, 0, 0]], "labels": [%s]}' % (k, b"9" * 30), "labels: a 30-digit integer"),
        (b'{"%s": [[0, 0, 0]], "reduce": "mean", "reduce": "sum"}' % k, "reduce given twice"),
        (b'{"%s": [[0, 0, 0], [0, 0]]}' % k, f"{key}: ragged"),
        (b'{"%s": [[], []]}' % k, f"{key}: empty rows"),
        (b'{"%s": [0.1, 0.2, 0.3]}' % k, f"{key}: flat"),
        (b"\xef\xbb\xbf" + b'{"%s": [%s]}' % (k, good), "a UTF-8 BOM"),
        (f'{{"{key}": [{good.decode()}]}}'.encode("utf-16"), "UTF-16"),
        (b'{"%s": [[0, 0, 0]], "\xff": 1}' % k, "a non-UTF-8 key"),
        (b'{"%s": [[0, 0, 0]]} trailing' % k, "trailing garbage"),
        (b"null", "null"),
        (b"[]", "[]"),
        (b'"%s"' % k, "a string"),
        (b"", "empty"),
    ]


@cache
def hostile_json(key: str) -> st.SearchStrategy[bytes]:
    """Raw JSON bodies that a schema cannot describe; ``key`` is "rows" or "points".
    Picked by a Random seeded from the draw: ``sampled_from`` favours the first few."""
    bodies = [_remember(body, f"raw json: {what}") for body, what in _json_cases(key)]
    return st.integers(0, 2**32 - 1).map(
        lambda seed: bodies[random.Random(seed).randrange(len(bodies))])


def npy_bodies() -> st.SearchStrategy[bytes]:
    """.npy: versions 1.0, 2.0 and 3.0; dtypes of every kind, both byte orders; shapes
    0-d to 3-d and absurd claims; C or Fortran order; data exact, short or long; bad
    headers; random bytes; headers cut short; valid (n, 3) arrays."""
    return _seeded(_npy)


def csv_bodies() -> st.SearchStrategy[bytes]:
    """CSV: header or not, a label column or not, three separators, three line endings,
    ragged rows, quotes, blank lines, a BOM, odd numbers, fields over the csv module's
    limit, non-UTF-8 bytes, random bytes; valid tables."""
    return _seeded(_csv)


def parquet_bodies() -> st.SearchStrategy[bytes]:
    """Parquet: numeric, string, binary, decimal, date and null columns; one list column
    of several layouts; a label column of several types; nulls; zero rows; one row per
    row group; 2,000,000 rows in 25 KB; random bytes; truncated files; valid tables."""
    return _seeded(_parquet)


STRATEGIES: dict[str, Callable[[], st.SearchStrategy[bytes]]] = {
    NPY: npy_bodies, PARQUET: parquet_bodies, CSV: csv_bodies}
