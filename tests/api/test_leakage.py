"""No endpoint, log line or error message ever contains raw rows or exact statistics.

One full session runs against the service as admin, owner and analyst: keys, a
labelled and an unlabelled dataset, uploads in JSON, .npy, CSV and Parquet (clipped and
rejected rows included), uploads refused for bad values, builds of every kind, queries
in JSON and .npy (bad ones too), exports, ledgers, audit logs, jobs, grants, a purge, a
deletion, and the 401/403/404/405/406/409/413/415/422 paths. Every response (status,
headers, body) and every log record of every logger, at DEBUG, is kept. The scan then
looks for:

- every raw row value the client ever sent (stored, clipped, rejected or refused): as a
  number in any text, printed to any precision of 8 or more significant digits, as
  float64 or as float32; and as packed little-endian float64 bytes (or pairs of
  neighbouring float32 values) in the binary bodies (.npy answers, exported releases);
- the exact, un-noised statistics recomputed here from the stored rows with the
  structure's published seed: the feature sums of the random-feature kinds, S1 and S2
  of the moment kinds, their means, and the exact and the noiseless answers at every
  query point (as text and as float64 bytes);
- the query points in the logs (docs/operations.md: they are never logged);
- the row count n (distinctive: 1237 and 1093 rows) and any ``row_count`` in everything
  an analyst or an anonymous client can see.

Numbers are compared as numbers, not as strings: every number token of a text is parsed
and matches a secret if it agrees with it to the precision it was printed with (one
unit in its last digit, at least 8 significant digits), or within 1e-12 relative.
A second test, and a planted value in the real session, show that the scan can fail.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from numpy.typing import NDArray

from app.logging import JsonFormatter
from app.settings import Settings
from core.domain import domain_from_dict
from core.kinds import KINDS, kind_def
from core.privacy.budget import PrivacyBudget
from core.structures import DataSpec, noise_plan, parse_spec
from core.structures.serialization import read_header
from tests.conftest import make_settings
from tests.helpers import ADMIN, Api, bearer, exact_answers, npy_bytes

N_A = 1237  # rows stored in the labelled dataset: a distinctive n
N_B = 1093  # rows stored in the unlabelled dataset
DIM_A, DIM_B = 3, 2
MAX_BODY = 64_000
MAX_POINTS = 500
NPY = "application/x-npy"
CSV = "text/csv"
PARQUET = "application/vnd.apache.parquet"
LOGGERS = ("app", "app.access", "uvicorn", "uvicorn.error", "sqlalchemy", "sqlalchemy.engine",
           "sqlalchemy.pool", "httpx", "httpx2", "httpcore", "alembic", "fastapi", "starlette",
           "opendp", "asyncio")
MISSING_KEY = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Settings:
    """The shared settings with small limits (413 paths) and DEBUG logs."""
    return make_settings(sqlite_url, tmp_path / "var", max_body_bytes=MAX_BODY,
                         max_query_points=MAX_POINTS, log_level="DEBUG")


# --------------------------------------------------------------------------- scanner

# a number not glued to a name, an id, a version or a time of day (12:34:56.789012)
_NUMBER = re.compile(
    r"(?<![\w.-])(?<!\d:)-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w:-]|\.\w)")
MIN_DIGITS = 8  # a number printed with fewer significant digits is not distinctive
REL_TOL = 1e-12  # the same sum computed in another order differs by less


def significant_digits(token: str) -> int:
    mantissa = re.split("[eE]", token)[0].lstrip("-").replace(".", "").lstrip("0")
    return len(mantissa)


def distinctive(value: float) -> bool:
    """Not 0, not an integer, and printed with at least 8 significant digits."""
    return (math.isfinite(value) and value != round(value)
            and significant_digits(repr(value)) >= MIN_DIGITS)


def number_tokens(text: str) -> Iterator[tuple[str, int]]:
    """(token, start) for every number in the text (not inside names, ids or times)."""
    for match in _NUMBER.finditer(text):
        yield match.group(0), match.start()


@dataclass
class Secrets:
    """Values that must never come back, with what each one is."""

    values: list[float] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    patterns: list[int] = field(default_factory=list)
    pattern_labels: list[str] = field(default_factory=list)
    _sorted: NDArray[np.float64] | None = None
    _order: NDArray[np.int64] | None = None
    _packed: NDArray[np.uint64] | None = None

    def add(self, label: str, values: Any, *, as_float32: bool = False,
            packed: bool = True) -> None:
        """Numbers (any shape). Raw rows also as float32 values and float32 pairs."""
        arr = np.asarray(values, dtype=np.float64)
        flat = [float(v) for v in arr.ravel() if distinctive(float(v))]
        self.values += flat
        self.labels += [label] * len(flat)
        if as_float32:
            f32 = [float(np.float32(v)) for v in flat]
            self.values += f32
            self.labels += [f"{label} (as float32)"] * len(f32)
        if packed and flat:
            bits = np.asarray(flat, dtype="<f8").view("<u8")
            self.patterns += [int(b) for b in bits]
            self.pattern_labels += [f"{label} (float64 bytes)"] * len(flat)
        if as_float32 and arr.ndim == 2 and arr.shape[0] > 1:
            rows32 = arr.astype("<f4")
            pairs = [np.ascontiguousarray(rows32[:, j:j + 2]) for j in range(arr.shape[1] - 1)]
            pairs += [np.ascontiguousarray(np.stack([rows32[:-1, j], rows32[1:, j]], axis=1))
                      for j in range(arr.shape[1])]
            for pair in pairs:
                bits = pair.view("<u8").ravel()
                self.patterns += [int(b) for b in bits]
                self.pattern_labels += [f"{label} (float32 pair bytes)"] * bits.size
        self._sorted = None

    def _freeze(self) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.uint64]]:
        if self._sorted is None or self._order is None or self._packed is None:
            vals = np.asarray(self.values, dtype=np.float64)
            self._order = np.argsort(vals, kind="stable")
            self._sorted = vals[self._order]
            self._packed = np.asarray(self.patterns, dtype=np.uint64)
        return self._sorted, self._order, self._packed

    def in_text(self, text: str) -> list[str]:
        """Every number token that agrees with a secret to its printed precision."""
        sorted_vals, order, _ = self._freeze()
        found: list[str] = []
        candidates = [(t, s) for t, s in number_tokens(text)
                      if significant_digits(t) >= MIN_DIGITS and 0 < abs(float(t)) < math.inf]
        if not candidates or sorted_vals.size == 0:
            return found
        tokens = np.asarray([float(t) for t, _ in candidates])
        digits = np.asarray([significant_digits(t) for t, _ in candidates])
        unit = 10.0 ** (np.floor(np.log10(np.abs(tokens))) - digits + 1)  # of the last digit
        tol = np.maximum(unit, REL_TOL * np.abs(tokens))
        lo = np.searchsorted(sorted_vals, tokens - tol, side="left")
        hi = np.searchsorted(sorted_vals, tokens + tol, side="right")
        for i in np.flatnonzero(hi > lo):
            token, start = candidates[i]
            label = self.labels[int(order[lo[i]])]
            found.append(f"{token!r} is {label}: ...{text[max(0, start - 80):start + 60]!r}...")
        return found

    def in_bytes(self, data: bytes) -> list[str]:
        """Every secret's 8-byte pattern in a binary body, at any offset."""
        _, _, packed = self._freeze()
        found: list[str] = []
        for offset in range(8):
            count = (len(data) - offset) // 8
            if count <= 0 or packed.size == 0:
                continue
            words = np.frombuffer(data, dtype="<u8", count=count, offset=offset)
            for i in np.flatnonzero(np.isin(words, packed)):
                label = self.pattern_labels[self.patterns.index(int(words[i]))]
                found.append(f"{label} at byte {offset + 8 * int(i)}")
        return found


def count_in_text(text: str, counts: Iterable[int]) -> list[str]:
    wanted = {float(n) for n in counts}
    return [f"{token!r}: ...{text[max(0, start - 80):start + 40]!r}..."
            for token, start in number_tokens(text) if float(token) in wanted]


def count_in_json(doc: Any, counts: Iterable[int], path: str = "") -> list[str]:
    """n as a number or inside a string, and any row_count, in an analyst-visible JSON."""
    wanted = {float(n) for n in counts}
    found: list[str] = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key == "row_count" and value is not None:
                found.append(f"{path}.row_count = {value!r}")
            if key == "size_bytes":  # the size of a release file, not a count of rows
                continue
            found += count_in_json(value, counts, f"{path}.{key}")
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            found += count_in_json(value, counts, f"{path}[{i}]")
    elif isinstance(doc, bool):
        pass
    elif isinstance(doc, int | float):
        if float(doc) in wanted:
            found.append(f"{path} = {doc!r}")
    elif isinstance(doc, str):
        found += [f"{path}: {hit}" for hit in count_in_text(doc, counts)]
    return found


# --------------------------------------------------------------------------- capture


@dataclass
class Seen:
    where: str
    role: str
    status: int
    headers: str
    content_type: str
    body: bytes


class Recorder:
    """A TestClient that keeps every response, tagged with who asked."""

    def __init__(self, client: TestClient) -> None:
        self.c = client
        self.seen: list[Seen] = []
        self.auth: dict[str, dict[str, str]] = {"admin": ADMIN, "anonymous": {}}

    def __call__(self, role: str, method: str, url: str, *, expect: int | None = None,
                 headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        r = self.c.request(method, url, headers=self.auth[role] | (headers or {}), **kwargs)
        header_text = "\n".join(f"{k}: {v}" for k, v in r.headers.items()
                                if k.lower() != "content-length")
        self.seen.append(Seen(f"{role} {method} {url} -> {r.status_code}", role, r.status_code,
                              header_text, r.headers.get("content-type", ""), r.content))
        if expect is not None:
            assert r.status_code == expect, (method, url, r.status_code, r.text[:500])
        return r


def json_body(rows: NDArray[np.float64], labels: list[int] | None = None) -> bytes:
    doc: dict[str, Any] = {"rows": rows.tolist()}
    if labels is not None:
        doc["labels"] = labels
    return json.dumps(doc).encode()  # NaN and Infinity are written as such


def csv_body(rows: NDArray[np.float64], labels: list[int] | None = None,
             header: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    if header is not None:
        writer.writerow(header)
    for i, row in enumerate(rows.tolist()):
        writer.writerow([repr(v) for v in row] + ([] if labels is None else [labels[i]]))
    return out.getvalue().encode()


def parquet_body(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def in_ball(rng: np.random.Generator, n: int, dim: int) -> NDArray[np.float64]:
    rows = rng.normal(size=(n, dim))
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return np.asarray(rows * rng.uniform(0.05, 0.95, size=(n, 1)))


def outside_ball(rng: np.random.Generator, n: int, dim: int) -> NDArray[np.float64]:
    rows = rng.normal(size=(n, dim))
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return np.asarray(rows * rng.uniform(1.5, 4.0, size=(n, 1)))


@dataclass
class Structure:
    id: str
    dataset: str
    job: str


# --------------------------------------------------------------------------- the session


@dataclass
class Session:
    rec: Recorder
    api: Api
    secrets: Secrets
    rng: np.random.Generator
    chunks: dict[str, list[NDArray[np.float64]]] = field(default_factory=dict)
    ready: list[Structure] = field(default_factory=list)
    points: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    log_only: Secrets = field(default_factory=Secrets)

    def raw(self, label: str, rows: NDArray[np.float64]) -> NDArray[np.float64]:
        self.secrets.add(label, rows, as_float32=True)
        return rows

    def upload(self, role: str, dataset: str, body: bytes, content_type: str, *,
               expect: int = 200, stored: NDArray[np.float64] | None = None,
               counts: tuple[int, int, int] | None = None, **kwargs: Any) -> Any:
        kwargs.setdefault("content", body)
        r = self.rec(role, "POST", f"/v1/datasets/{dataset}/rows",
                     headers={"content-type": content_type}, expect=expect, **kwargs)
        if counts is not None:
            assert (r.json()["accepted"], r.json()["clipped"], r.json()["rejected"]) == counts
        if stored is not None:
            self.chunks.setdefault(dataset, []).append(stored)
        return r


def create_keys(s: Session) -> dict[str, str]:
    rec = s.rec
    ids = {}
    for role, name in (("owner", "owner"), ("analyst", "analyst"), ("analyst2", "analyst")):
        r = rec("admin", "POST", "/v1/keys", json={"role": name, "name": f"{role} key"},
                expect=201)
        ids[role] = r.json()["id"]
        rec.auth[role] = bearer(r.json()["key"])
    rec("admin", "GET", "/v1/keys", expect=200)
    rec("owner", "GET", "/v1/keys", expect=403)
    rec("admin", "POST", "/v1/keys", json={"role": "emperor", "name": "x"}, expect=422)
    rec("admin", "POST", "/v1/keys", json={"role": "analyst", "name": "x",
                                           "dataset_ids": [MISSING_KEY]}, expect=422)
    rec("anonymous", "GET", "/v1/keys", expect=401)
    rec("admin", "DELETE", f"/v1/keys/{MISSING_KEY}", expect=404)
    return ids


def create_datasets(s: Session) -> tuple[str, str]:
    rec = s.rec
    a = rec("owner", "POST", "/v1/datasets", expect=201, json={
        "name": "labelled", "dim": DIM_A, "domain": {"type": "l2_ball", "radius": 1.0},
        "neighbouring": "add_remove", "on_out_of_domain": "clip", "labelled": True,
        "classes": [0, 1, 2, 3, 4],
        "budget": {"epsilon": 20.0, "delta": 1e-5}}).json()["id"]
    b = rec("owner", "POST", "/v1/datasets", expect=201, json={
        "name": "unlabelled", "dim": DIM_B, "domain": {"type": "box", "low": -1.0, "high": 3.0},
        "neighbouring": "add_remove", "on_out_of_domain": "reject",
        "budget": {"epsilon": 10.0, "delta": 1e-5}}).json()["id"]
    rec("owner", "POST", "/v1/datasets", expect=422, json={
        "name": "bad", "dim": 3, "domain": {"type": "l2_ball", "radius": -1.0},
        "budget": {"epsilon": 1.0}})
    rec("analyst", "POST", "/v1/datasets", expect=403, json={
        "name": "x", "dim": 3, "domain": {"type": "l2_ball", "radius": 1.0},
        "budget": {"epsilon": 1.0}})
    return a, b


def upload_rows(s: Session, a: str, b: str) -> None:
    rng, raw = s.rng, s.raw
    dom_a = domain_from_dict({"type": "l2_ball", "radius": 1.0}, DIM_A)
    dom_b = domain_from_dict({"type": "box", "low": -1.0, "high": 3.0}, DIM_B)

    # A, labelled, clipped: JSON (40 rows outside the ball), CSV with a header, Parquet
    rows = np.vstack([in_ball(rng, 460, DIM_A), outside_ball(rng, 40, DIM_A)])
    rng.shuffle(rows)
    raw("a raw row (JSON)", rows)
    labels = [int(v) for v in rng.integers(0, 5, size=500)]
    clipped = dom_a.clip(rows)
    s.secrets.add("a clipped row", clipped, as_float32=True)
    s.upload("owner", a, json_body(rows, labels), "application/json", stored=clipped,
             counts=(500, 40, 0))
    rows = raw("a raw row (CSV)", in_ball(rng, 400, DIM_A))
    labels = [int(v) for v in rng.integers(0, 5, size=400)]
    s.upload("owner", a, csv_body(rows, labels, ["x0", "x1", "x2", "label"]), CSV,
             stored=dom_a.clip(rows), counts=(400, 0, 0))
    rows = raw("a raw row (Parquet)", in_ball(rng, N_A - 900, DIM_A))
    table = pa.table({f"x{j}": rows[:, j] for j in range(DIM_A)}
                     | {"label": rng.integers(0, 5, size=rows.shape[0])})
    s.upload("admin", a, parquet_body(table), PARQUET, stored=dom_a.clip(rows),
             counts=(N_A - 900, 0, 0))

    # B, unlabelled, rejecting: .npy, JSON, CSV without a header, Parquet list column
    def box_rows(n: int, out: int, label: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        inside = rng.uniform(-1.0, 3.0, size=(n, DIM_B))
        outside = rng.uniform(-1.0, 3.0, size=(out, DIM_B))
        outside[:, 0] = rng.uniform(3.5, 6.0, size=out)
        rows = np.vstack([inside, outside])
        rng.shuffle(rows)
        raw(label, rows)
        return rows, rows[~dom_b.outside(rows)]

    rows, kept = box_rows(600, 37, "b raw row (.npy)")
    s.upload("owner", b, npy_bytes(rows), NPY, stored=kept, counts=(600, 0, 37))
    rows, kept = box_rows(350, 13, "b raw row (JSON)")
    s.upload("owner", b, json_body(rows), "application/json", stored=kept, counts=(350, 0, 13))
    rows, kept = box_rows(100, 0, "b raw row (CSV)")
    s.upload("admin", b, csv_body(rows), "application/csv", stored=kept, counts=(100, 0, 0))
    rows, kept = box_rows(N_B - 1050, 0, "b raw row (Parquet list)")
    table = pa.table({"v": pa.array(rows.tolist(), type=pa.list_(pa.float64()))})
    s.upload("owner", b, parquet_body(table), "application/x-parquet", stored=kept,
             counts=(N_B - 1050, 0, 0))
    rows, _ = box_rows(0, 5, "b raw row (all rejected)")
    s.upload("owner", b, json_body(rows), "application/json", counts=(0, 0, 5))


def refused_uploads(s: Session, a: str, b: str) -> None:
    rng, raw = s.rng, s.raw

    def bad(label: str, shape: tuple[int, int]) -> NDArray[np.float64]:
        return raw(f"a refused upload's value ({label})", in_ball(rng, shape[0], shape[1]))

    rows = bad("NaN", (6, DIM_A))
    nan_rows = rows.copy()
    nan_rows[4, 1] = math.nan
    s.upload("owner", a, json_body(nan_rows, [0] * 6), "application/json", expect=422)
    inf_rows = rows.copy()
    inf_rows[2, 0] = math.inf
    s.upload("owner", a, json_body(inf_rows, [0] * 6), "application/json", expect=422)
    s.upload("owner", a, json_body(bad("wrong dim", (5, DIM_A + 1)), [0] * 5),
             "application/json", expect=422)
    r1, r2 = bad("ragged", (2, DIM_A)).tolist()
    s.upload("owner", a, json.dumps({"rows": [r1, r2[:2]], "labels": [0, 1]}).encode(),
             "application/json", expect=422)
    r1 = bad("strings", (1, DIM_A)).tolist()[0]
    s.upload("owner", a, json.dumps({"rows": [[r1[0], repr(r1[1]), r1[2]]],
                                     "labels": [0]}).encode(), "application/json", expect=422)
    s.upload("owner", a, json_body(bad("no labels", (4, DIM_A))), "application/json",
             expect=422)
    s.upload("owner", a, json.dumps({"rows": bad("bad labels", (2, DIM_A)).tolist(),
                                     "labels": [0.5, 1.5]}).encode(), "application/json",
             expect=422)
    s.upload("owner", a, json.dumps({"rows": bad("extra field", (2, DIM_A)).tolist(),
                                     "labels": [0, 1], "secret": r1}).encode(),
             "application/json", expect=422)
    s.upload("owner", a, npy_bytes(bad(".npy on a labelled dataset", (4, DIM_A))), NPY,
             expect=422)
    s.upload("owner", a, b"{\"rows\": [[" + repr(bad("broken JSON", (1, 1))[0, 0]).encode(),
             "application/json", expect=422)
    # someone else's or nobody's upload
    s.upload("analyst", a, json_body(bad("analyst upload", (3, DIM_A)), [0] * 3),
             "application/json", expect=403)
    s.upload("anonymous", a, json_body(bad("anonymous upload", (3, DIM_A)), [0] * 3),
             "application/json", expect=401)
    s.upload("owner", MISSING_KEY, json_body(bad("unknown dataset", (3, DIM_A))),
             "application/json", expect=404)

    def bad_b(label: str, shape: tuple[int, int]) -> NDArray[np.float64]:
        return raw(f"b refused upload's value ({label})", rng.uniform(-1.0, 3.0, size=shape))

    s.upload("owner", b, npy_bytes(bad_b("wrong dim", (5, DIM_B + 1))), NPY, expect=422)
    nan_rows = bad_b("NaN", (5, DIM_B))
    nan_rows[3, 0] = math.nan
    s.upload("owner", b, npy_bytes(nan_rows), NPY, expect=422)
    pickled = io.BytesIO()
    np.save(pickled, bad_b("pickle", (3, DIM_B)).astype(object), allow_pickle=True)
    s.upload("owner", b, pickled.getvalue(), NPY, expect=422)
    s.upload("owner", b, npy_bytes(bad_b("3-d .npy", (3, DIM_B))[:, :, None]), NPY,
             expect=422)
    rows = bad_b("ragged CSV", (3, DIM_B))
    text = csv_body(rows).decode() + repr(rows[0, 0]) + "\n"
    s.upload("owner", b, text.encode(), CSV, expect=422)
    rows = bad_b("non-number CSV", (3, DIM_B))
    text = csv_body(rows).decode() + f"[{rows[1, 0]!r}],{rows[1, 1]!r}\n"
    s.upload("owner", b, text.encode(), CSV, expect=422)
    rows = bad_b("string Parquet", (4, DIM_B))
    table = pa.table({"x0": rows[:, 0], "x1": [repr(v) for v in rows[:, 1]]})
    s.upload("owner", b, parquet_body(table), PARQUET, expect=422)
    rows = bad_b("null Parquet", (4, DIM_B))
    table = pa.table({"x0": pa.array([*rows[:3, 0].tolist(), None]), "x1": rows[:, 1]})
    s.upload("owner", b, parquet_body(table), PARQUET, expect=422)
    rows = bad_b("broken Parquet", (4, DIM_B))
    s.upload("owner", b, b"PAR1" + npy_bytes(rows) + csv_body(rows), PARQUET,
             expect=422)
    rows = bad_b("text/plain", (4, DIM_B))
    s.upload("owner", b, csv_body(rows), "text/plain", expect=415)
    s.upload("owner", b, npy_bytes(bad_b("no content type", (4, DIM_B))), "", expect=415)
    rows = bad_b("too large", (2000, DIM_B))
    big = json_body(rows)
    assert len(big) > MAX_BODY
    s.upload("owner", b, big, "application/json", expect=413)
    s.upload("owner", b, b"", "application/json", expect=413,
             content=iter([big[i:i + 50_000] for i in range(0, len(big), 50_000)]))


def build_all(s: Session, a: str, b: str) -> Structure:
    """Every kind on A, three on B; bad builds; a pending structure; then run them all."""
    rec = s.rec
    builds = [
        ("owner", a, "gaussian_kde", {"bandwidth": 0.5, "features": 256}, 1.0, 0.0),
        ("owner", a, "gaussian_kde", {"bandwidth": 0.7, "features": 192, "projection_dim": 2,
                                      "mechanism": "gaussian"}, 1.0, 1e-6),
        ("owner", a, "rff_baseline", {"bandwidth": 0.5, "features": 200}, 1.0, 0.0),
        ("owner", a, "sq_l2_distance", {}, 1.0, 0.0),
        ("owner", a, "inner_product", {"mechanism": "gaussian"}, 1.0, 1e-6),
        ("admin", b, "gaussian_kde", {"bandwidth": 1.0, "features": 128}, 1.0, 0.5e-6),
        ("owner", b, "sq_l2_distance", {"mechanism": "gaussian"}, 1.0, 1e-6),
        ("owner", b, "inner_product", {}, 0.5, 0.0),
        # the kinds of the second issue, on A, after B's (s.ready[5] is B's first)
        ("owner", a, "exponential_kde", {"bandwidth": 0.5, "features": 128}, 1.0, 0.0),
        ("owner", a, "laplace_kde", {"bandwidth": 0.5, "features": 128,
                                     "mechanism": "gaussian"}, 1.0, 1e-6),
        ("owner", a, "cauchy_kde", {"bandwidth": 0.5, "features": 64, "terms": 3,
                                    "metric_input": "l2"}, 1.0, 0.0),
        ("owner", a, "l1_distance", {"grid_levels": 4}, 1.0, 0.0),
        ("owner", a, "l2_distance", {"grid_levels": 4, "projection_dim": 8,
                                     "mechanism": "gaussian"}, 1.0, 1e-6),
    ]
    # every registered kind not listed above, on A, from its example
    listed = {kind for _, _, kind, _, _, _ in builds}
    builds += [("owner", a, kind, dict(kind_def(kind).example_params), 0.5, 0.0)
               for kind in KINDS if kind not in listed]
    accepted = []
    for role, dataset, kind, params, eps, delta in builds:
        r = rec(role, "POST", f"/v1/datasets/{dataset}/structures", expect=202, json={
            "kind": kind, "params": params, "privacy": {"epsilon": eps, "delta": delta}})
        accepted.append(Structure(r.json()["structure_id"], dataset, r.json()["job_id"]))
    for body in ({"kind": "nope", "params": {}, "privacy": {"epsilon": 1}},
                 {"kind": "gaussian_kde", "params": {"bandwidth": -0.5},
                  "privacy": {"epsilon": 1}},
                 {"kind": "gaussian_kde", "params": {"bandwidth": 0.5, "mechanism": "gaussian"},
                  "privacy": {"epsilon": 1}},
                 {"kind": "gaussian_kde", "params": {"bandwidth": 0.5, "bogus": 1},
                  "privacy": {"epsilon": 1}},
                 {"kind": "gaussian_kde", "params": {"bandwidth": 0.5},
                  "privacy": {"epsilon": math.inf}}):
        rec("owner", "POST", f"/v1/datasets/{a}/structures", expect=422,
            content=json.dumps(body).encode(), headers={"content-type": "application/json"})
    rec("owner", "POST", f"/v1/datasets/{a}/structures", expect=409, json={
        "kind": "sq_l2_distance", "params": {}, "privacy": {"epsilon": 19.5}})
    rec("analyst", "POST", f"/v1/datasets/{a}/structures", expect=403, json={
        "kind": "sq_l2_distance", "params": {}, "privacy": {"epsilon": 0.1}})
    for kind, params in (("gaussian_kde", {"bandwidth": 0.5, "alpha": 0.05}),
                         ("l1_distance", {"alpha": 0.1}), ("cauchy_kde", {"bandwidth": 0.5})):
        body = {"kind": kind, "params": params, "privacy": {"epsilon": 0.5}}
        rec("owner", "POST", f"/v1/datasets/{a}/structures:estimate", expect=200, json=body)
        rec("analyst", "POST", f"/v1/datasets/{a}/structures:estimate", expect=403, json=body)
    # a structure that is not built yet: 409 for its query and export, and its job
    pending = accepted[0]
    rec("owner", "GET", f"/v1/structures/{pending.id}", expect=200)
    rec("owner", "POST", f"/v1/structures/{pending.id}/query", expect=409,
        json={"points": [[0.1, 0.2, 0.3]]})
    rec("owner", "GET", f"/v1/structures/{pending.id}/export", expect=409)
    rec("owner", "GET", f"/v1/jobs/{pending.job}", expect=200)
    assert s.api.run_jobs() == len(builds)
    for st in accepted:
        job = rec("owner", "GET", f"/v1/jobs/{st.job}", expect=200).json()
        assert job["status"] == "succeeded", job
        rec("admin", "GET", f"/v1/jobs/{st.job}", expect=200)
        rec("analyst", "GET", f"/v1/jobs/{st.job}", expect=403)
    s.ready = accepted
    return accepted[0]


def exact_statistics(s: Session, datasets: dict[str, dict[str, Any]]) -> None:
    """The un-noised statistics of every ready structure, recomputed from the stored
    rows, chunk by chunk in upload order as the build does, with the published seed."""
    for st in s.ready:
        info = s.rec("owner", "GET", f"/v1/structures/{st.id}", expect=200).json()
        ds = datasets[st.dataset]
        domain = domain_from_dict(ds["domain"], ds["dim"])
        spec = parse_spec(info["kind"], info["params"],
                          DataSpec(ds["dim"], domain, ds["neighbouring"]))
        builder = spec.builder(int(info["seed"], 16))
        totals: dict[str, NDArray[np.float64]] = {}
        for chunk in s.chunks[st.dataset]:
            clipped = domain.clip(np.asarray(chunk, dtype=np.float64))
            for name, part in builder.accumulate(clipped).items():
                totals[name] = totals[name] + part if name in totals else part
        rows = np.vstack(s.chunks[st.dataset])
        n = rows.shape[0]
        if "count" in totals:
            assert float(totals["count"][0]) == n
        label = f"{info['kind']} {st.id[:8]}"
        for name, value in totals.items():
            if name != "count":
                s.secrets.add(f"exact {name} of {label}", value)
                s.secrets.add(f"exact mean {name} of {label}", value / n)
        budget = PrivacyBudget(1.0, 1e-6 if spec.mechanism == "gaussian" else 0.0)
        noiseless = builder.finish(totals, noise_plan(spec, budget))
        points = s.points[st.dataset]
        for reduce in ("sum", "mean"):
            values = noiseless.query(points, reduce=reduce).values  # type: ignore[arg-type]
            s.secrets.add(f"noiseless {reduce} answer of {label}", values)
        bandwidth = float(info["params"].get("bandwidth", 1.0))
        extra = {name: info["params"][name] for name in ("metric_input", "kappa")
                 if name in info["params"]}
        exact = exact_answers(info["kind"], rows, points, bandwidth=bandwidth, **extra)
        s.secrets.add(f"exact sum answer of {label}", exact)
        s.secrets.add(f"exact mean answer of {label}", exact / n)


def query_all(s: Session) -> None:
    rec = s.rec
    for st in s.ready:
        points = s.points[st.dataset]
        url = f"/v1/structures/{st.id}/query"
        for role in ("owner", "analyst" if st.dataset == s.ready[0].dataset else "analyst2"):
            rec(role, "POST", url, json={"points": points.tolist()}, expect=200)
            rec(role, "POST", url, json={"points": points.tolist(), "reduce": "mean"},
                expect=200)
            rec(role, "POST", url + "?reduce=mean", json={"points": points[:3].tolist()},
                expect=200)
            rec(role, "POST", url + "?reduce=mean", content=npy_bytes(points),
                headers={"content-type": NPY}, expect=200)
            rec(role, "POST", url, json={"points": points.tolist()},
                headers={"accept": NPY}, expect=200)
            rec(role, "POST", url + "?reduce=mean", content=npy_bytes(points),
                headers={"content-type": NPY, "accept": NPY}, expect=200)
            rec(role, "GET", f"/v1/structures/{st.id}", expect=200)
            rec(role, "GET", f"/v1/structures/{st.id}/export", expect=200)


def bad_queries(s: Session, kde: Structure) -> None:
    rec, rng = s.rec, s.rng
    url = f"/v1/structures/{kde.id}/query"
    q = rng.uniform(-0.9, 0.9, size=(4, DIM_A))
    s.log_only.add("a bad query's coordinate", q)

    def post(expect: int, body: bytes, content_type: str = "application/json",
             **headers: str) -> None:
        rec("analyst", "POST", url, content=body, expect=expect,
            headers={"content-type": content_type} | headers)

    post(422, json.dumps({"points": q[:, :2].tolist()}).encode())
    nan_q = q.copy()
    nan_q[1, 1] = math.nan
    post(422, json.dumps({"points": nan_q.tolist()}).encode())
    post(422, json.dumps({"points": [[q[0, 0], repr(q[0, 1]), "x"]]}).encode())
    post(422, json.dumps({"points": [q[0].tolist(), q[1, :2].tolist()]}).encode())
    post(422, json.dumps({"points": (q * 1e200).tolist()}).encode())
    post(422, json.dumps({"points": []}).encode())
    post(422, json.dumps({"points": q.tolist(), "reduce": "median"}).encode())
    post(422, json.dumps({"points": q.tolist(), "extra": q[0].tolist()}).encode())
    rec("analyst", "POST", url + "?reduce=sum", json={"points": q.tolist(), "reduce": "mean"},
        expect=422)
    post(422, npy_bytes(q[:, :2]), NPY)
    post(422, npy_bytes(q[None]), NPY)
    post(422, npy_bytes(nan_q), NPY)
    pickled = io.BytesIO()
    np.save(pickled, q.astype(object), allow_pickle=True)
    post(422, pickled.getvalue(), NPY)
    post(422, b"\x93NUMPY" + q.tobytes(), NPY)
    post(422, repr(q.tolist()).encode() + b"}")
    post(415, csv_body(q), CSV)
    post(406, json.dumps({"points": q.tolist()}).encode(), accept="text/html")
    many = rng.uniform(-0.9, 0.9, size=(MAX_POINTS + 1, DIM_A))
    s.log_only.add("a refused query's coordinate", many)
    post(413, json.dumps({"points": many.tolist()}).encode())
    post(413, npy_bytes(many), NPY)
    rec("analyst2", "POST", url, json={"points": q.tolist()}, expect=403)
    rec("anonymous", "POST", url, json={"points": q.tolist()}, expect=401)
    rec("analyst", "POST", f"/v1/structures/{MISSING_KEY}/query",
        json={"points": q.tolist()}, expect=404)
    rec("analyst", "GET", f"/v1/structures/{MISSING_KEY}/export", expect=404)
    rec("analyst", "POST", "/v1/structures/not-a-uuid/query", json={"points": q.tolist()},
        expect=422)


def read_everything(s: Session, a: str, b: str, ids: dict[str, str]) -> None:
    rec = s.rec
    for role in ("admin", "owner", "analyst", "analyst2"):
        rec(role, "GET", "/v1/datasets", expect=200)
        rec(role, "GET", "/v1/structures", expect=200)
    for dataset, granted in ((a, "analyst"), (b, "analyst2")):
        for role in ("admin", "owner", granted):
            rec(role, "GET", f"/v1/datasets/{dataset}", expect=200)
        for role in ("admin", "owner"):
            rec(role, "GET", f"/v1/datasets/{dataset}/ledger", expect=200)
            rec(role, "GET", f"/v1/datasets/{dataset}/audit")
        rec(granted, "GET", f"/v1/datasets/{dataset}/ledger", expect=403)
        rec(granted, "GET", f"/v1/datasets/{dataset}/audit")
        rec(granted, "DELETE", f"/v1/datasets/{dataset}/rows", expect=403)
        rec(granted, "DELETE", f"/v1/datasets/{dataset}", expect=403)
        rec(granted, "POST", f"/v1/datasets/{dataset}/grants", json={"key_id": ids[granted]},
            expect=403)
    rec("analyst", "GET", f"/v1/datasets/{b}", expect=403)
    rec("analyst2", "GET", f"/v1/datasets/{a}", expect=403)
    rec("owner", "POST", f"/v1/datasets/{a}/grants", json={"key_id": ids["analyst"]},
        expect=201)
    rec("owner", "POST", f"/v1/datasets/{a}/grants", json={"key_id": MISSING_KEY}, expect=404)
    rec("owner", "GET", f"/v1/datasets/{MISSING_KEY}", expect=404)
    rec("owner", "GET", f"/v1/structures/{MISSING_KEY}", expect=404)
    rec("owner", "GET", f"/v1/jobs/{MISSING_KEY}", expect=404)
    rec("owner", "GET", "/v1/nothing-here", expect=404)
    rec("owner", "PUT", "/v1/datasets", json={"rows": [[0.5, 0.25, 0.125]]}, expect=405)
    rec("owner", "DELETE", f"/v1/structures/{s.ready[0].id}", expect=405)
    rec("owner", "POST", f"/v1/jobs/{s.ready[0].job}", expect=405)
    rec("owner", "PATCH", f"/v1/datasets/{a}/rows", expect=405)
    rec("anonymous", "GET", f"/v1/datasets/{a}", expect=401)
    rec("anonymous", "GET", f"/v1/datasets/{a}", headers={"authorization": "Bearer psk_nope"},
        expect=401)
    rec("anonymous", "GET", f"/v1/datasets/{a}", headers={"authorization": "Basic eDp5"},
        expect=401)
    for path in ("/healthz", "/readyz", "/metrics"):
        rec("anonymous", "GET", path, expect=200)


def purge_and_delete(s: Session, b: str, ids: dict[str, str]) -> None:
    rec = s.rec
    # a build whose rows are purged before it runs: it fails and is refunded
    r = rec("owner", "POST", f"/v1/datasets/{b}/structures", expect=202, json={
        "kind": "gaussian_kde", "params": {"bandwidth": 1.0, "features": 64},
        "privacy": {"epsilon": 0.5}})
    purged = rec("owner", "DELETE", f"/v1/datasets/{b}/rows", expect=200).json()
    assert purged == {"purged": N_B}
    s.api.run_jobs()
    job = rec("owner", "GET", f"/v1/jobs/{r.json()['job_id']}", expect=200).json()
    assert job["status"] == "failed", job
    rec("analyst2", "GET", f"/v1/structures/{r.json()['structure_id']}", expect=200)
    rec("owner", "POST", f"/v1/datasets/{b}/structures", expect=409, json={
        "kind": "sq_l2_distance", "params": {}, "privacy": {"epsilon": 0.5}})
    rec("analyst2", "GET", f"/v1/datasets/{b}", expect=200)
    rec("owner", "GET", f"/v1/datasets/{b}/ledger", expect=200)
    rec("owner", "DELETE", f"/v1/datasets/{b}", expect=204)
    rec("owner", "GET", f"/v1/datasets/{b}", expect=404)
    rec("analyst2", "GET", f"/v1/structures/{s.ready[5].id}", expect=404)
    rec("owner", "GET", f"/v1/datasets/{b}/ledger", expect=200)
    rec("admin", "GET", f"/v1/datasets/{b}/ledger", expect=200)
    rec("owner", "GET", f"/v1/datasets/{b}/audit")
    rec("admin", "DELETE", f"/v1/keys/{ids['analyst2']}", expect=204)
    rec("analyst2", "GET", "/v1/datasets", expect=401)
    rec("admin", "DELETE", f"/v1/keys/{ids['analyst2']}", expect=404)
    rec("admin", "GET", "/v1/keys", expect=200)
    rec("anonymous", "GET", "/metrics", expect=200)


# --------------------------------------------------------------------------- the scan


def decoded(seen: Seen) -> tuple[list[str], list[bytes]]:
    """Texts and binaries to scan from one response."""
    texts = [seen.where, seen.headers]
    binaries: list[bytes] = []
    if seen.content_type.startswith(NPY):
        binaries.append(seen.body)
        array = np.load(io.BytesIO(seen.body), allow_pickle=False)
        texts.append(" ".join(repr(float(v)) for v in array.ravel()))
    elif seen.content_type.startswith("application/vnd.privsim.release"):
        binaries.append(seen.body)
        header, payload = read_header(seen.body)
        texts.append(json.dumps(header))
        with np.load(io.BytesIO(payload), allow_pickle=False) as archive:
            for name in archive.files:
                array = np.asarray(archive[name], dtype=np.float64)
                binaries.append(array.tobytes())
                texts.append(name + ": " + " ".join(repr(float(v)) for v in array.ravel()))
    else:
        texts.append(seen.body.decode("utf-8"))
    return texts, binaries


def format_records(records: Iterable[logging.LogRecord]) -> list[tuple[str, str]]:
    as_json, as_text = JsonFormatter(), logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s")
    out = []
    for record in records:
        where = f"log {record.name} {record.levelname} {record.pathname}:{record.lineno}"
        out.append((where, as_json.format(record) + "\n" + as_text.format(record)))
    return out


def scan(s: Session, logs: list[tuple[str, str]]) -> list[str]:
    """Every secret in every response and log record; n and row_count in what analysts
    and anonymous clients see."""
    findings: list[str] = []
    analyst_roles = {"analyst", "analyst2", "anonymous"}
    for seen in s.rec.seen:
        texts, binaries = decoded(seen)
        for text in texts:
            findings += [f"{seen.where}: {hit}" for hit in s.secrets.in_text(text)]
        for data in binaries:
            findings += [f"{seen.where}: {hit}" for hit in s.secrets.in_bytes(data)]
        if seen.role in analyst_roles:
            findings += [f"{seen.where}: n {hit}" for text in texts[1:]
                         for hit in _count_hits(seen, text)]
            findings += [f"{seen.where}: n as float64 bytes" for data in binaries
                         for n in (N_A, N_B) if struct.pack("<d", float(n)) in data]
    for where, text in logs:
        findings += [f"{where}: {hit}" for hit in s.secrets.in_text(text)]
        findings += [f"{where}: {hit}" for hit in s.log_only.in_text(text)]
    return findings


def _count_hits(seen: Seen, text: str) -> list[str]:
    if text.lstrip().startswith(("{", "[")):
        try:
            return count_in_json(json.loads(text), (N_A, N_B))
        except json.JSONDecodeError:
            pass
    return count_in_text(text, (N_A, N_B))


@pytest.fixture
def every_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog at DEBUG for every logger, including those that do not propagate. The
    other handlers on the root logger (the app's stderr, pytest's report) are kept at
    WARNING meanwhile: caplog has every record, and a failure stays readable."""
    caplog.set_level(logging.DEBUG)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    detached = [logger for logger in logging.root.manager.loggerDict.values()
                if isinstance(logger, logging.Logger) and not logger.propagate]
    for logger in detached:
        logger.addHandler(caplog.handler)
    others = [(h, h.level) for h in logging.getLogger().handlers if h is not caplog.handler]
    for handler, _ in others:
        handler.setLevel(logging.WARNING)
    try:
        yield caplog
    finally:
        for logger in detached:
            logger.removeHandler(caplog.handler)
        for handler, level in others:
            handler.setLevel(level)


@pytest.mark.slow
def test_a_full_session_leaks_no_row_and_no_exact_statistic(
        client: TestClient, every_log: pytest.LogCaptureFixture) -> None:
    api = Api(client)
    s = Session(Recorder(client), api, Secrets(), np.random.default_rng(20261127))
    ids = create_keys(s)
    a, b = create_datasets(s)
    s.rec("admin", "POST", f"/v1/datasets/{a}/grants", json={"key_id": ids["analyst"]},
          expect=201)
    s.rec("owner", "POST", f"/v1/datasets/{b}/grants", json={"key_id": ids["analyst2"]},
          expect=201)
    upload_rows(s, a, b)
    refused_uploads(s, a, b)
    datasets = {d: s.rec("owner", "GET", f"/v1/datasets/{d}", expect=200).json()
                for d in (a, b)}
    assert (datasets[a]["row_count"], datasets[b]["row_count"]) == (N_A, N_B)
    s.points = {a: s.rng.normal(scale=0.4, size=(12, DIM_A)),
                b: s.rng.uniform(-1.0, 3.0, size=(12, DIM_B))}
    for points in s.points.values():
        s.log_only.add("a query point", points)
    kde = build_all(s, a, b)
    exact_statistics(s, datasets)
    query_all(s)
    bad_queries(s, kde)
    read_everything(s, a, b, ids)
    purge_and_delete(s, b, ids)

    logs = format_records([*every_log.get_records("setup"), *every_log.get_records("call")])
    assert any(name.startswith("log sqlalchemy.engine") for name, _ in logs), \
        "the SQL log was not captured"
    assert any(name.startswith("log app.access") for name, _ in logs)
    assert any(name.startswith("log app.workers") for name, _ in logs)
    statuses = {seen.status for seen in s.rec.seen}
    assert {200, 201, 202, 204, 401, 403, 404, 405, 406, 409, 413, 415, 422} <= statuses
    assert 500 not in statuses, [x.where for x in s.rec.seen if x.status == 500]
    assert len(s.secrets.values) > 15_000

    findings = scan(s, logs)
    assert not findings, f"{len(findings)} leaks, e.g.:\n" + "\n".join(findings[:40])

    # the scan can fail: plant a raw value, an exact statistic and n where they are scanned
    raw_value = s.secrets.values[s.secrets.labels.index("a raw row (CSV)")]
    stat_index = next(i for i, label in enumerate(s.secrets.labels)
                      if label.startswith("exact features"))
    stat = s.secrets.values[stat_index]
    seen = next(x for x in s.rec.seen if x.role == "analyst" and x.status == 200
                and x.content_type == "application/json" and x.body.startswith(b"{"))
    export = next(x for x in s.rec.seen if x.content_type.startswith("application/vnd.privsim"))
    planted = [
        Seen(seen.where, "analyst", 200, seen.headers, seen.content_type,
             seen.body[:-1] + f',"x":{raw_value:#.10g}}}'.encode()),
        Seen(seen.where, "analyst", 200, seen.headers, seen.content_type,
             seen.body[:-1] + f', "x": "{stat!r}"}}'.encode()),
        Seen(seen.where, "analyst", 200, seen.headers, seen.content_type,
             seen.body[:-1] + f',"n":{N_A}}}'.encode()),
        Seen(export.where, "analyst", 200, export.headers, NPY,
             npy_bytes(np.array([[1.5, raw_value, 2.5]]))),
    ]
    s.rec.seen = planted
    found = scan(s, [("log app planted", f"rows sum to {stat:#.8g} here")])
    assert len(found) == 6, found  # the .npy answer: once as bytes, once as text


def test_the_scanner_finds_planted_values() -> None:
    secrets = Secrets()
    value = 0.7136452311893427
    rows = np.array([[value, -0.25390625123456, 1.5], [0.3, 0.1234567890123, -0.5]])
    secrets.add("raw", rows, as_float32=True)
    secrets.add("stat", [123.45678901234567])
    other = "prefix [0.123, 0.5, 7136452.311893427, 12:34:56.71364523, 0.71364525] suffix"
    assert secrets.in_text(other) == []
    for text in (repr(value), f"{value:.10g}", f"{value:.8g}", f"{value:.12f}",
                 f"{np.float32(value):.9g}", repr(float(np.float32(value))), f"{value:.8e}",
                 '{"x": -0.25390625123, "y": 2}', "row: 0.71364523 (truncated)",
                 f'{{"x":{value!r}}}', '{"y":[2,-0.253906251235]}', f"[{value:.9f},1]",
                 "stat=123.45678901", "123.456789012345680"):
        assert len(secrets.in_text(text)) == 1, text
    assert secrets.in_text(f"{value:.6g} and 1.5 and 0.3") == []  # too short to tell
    assert secrets.in_text("1e999 " + "7" * 400 + " 0.000000000 -0.0") == []
    assert secrets.in_bytes(b"junk" + struct.pack("<d", value) + b"junk")
    assert secrets.in_bytes(struct.pack("<d", 123.45678901234567))
    assert secrets.in_bytes(b"x" + rows.astype("<f4")[0, :2].tobytes())  # float32 row
    assert secrets.in_bytes(b"xyz" + rows.astype("<f4")[:, 1].tobytes())  # float32 column
    assert not secrets.in_bytes(struct.pack("<d", math.nextafter(value, 1.0)) * 4)
    assert count_in_json({"row_count": None, "size_bytes": N_A, "n": 5}, [N_A]) == []
    assert len(count_in_json({"a": [{"row_count": 3}], "b": f"n = {N_A}."}, [N_A])) == 2
    assert count_in_text(f"{N_A}.0", [N_A])
    assert count_in_text(f'{{"n":{N_A}}}', [N_A])
    assert not count_in_text(f"id 9f{N_A}-{N_A}ab t=12:{N_A}", [N_A])
