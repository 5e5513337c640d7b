"""Schemathesis hooks for tests/e2e/test_fuzz.py, loaded by the Schemathesis CLI (a
separate process) through the ``hooks`` option of the config file that test writes.

- Each non-JSON media type of the API gets a strategy from ``tests.e2e.bodies``
  (``schemathesis.openapi.media_type``), instead of random bytes that stop at the
  parsers' first magic-number check.
- ``FUZZ_MEDIA_TYPE`` narrows the document, so that each run fuzzes one media type.
- ``FUZZ_HOSTILE_JSON=1`` swaps the JSON bodies of the upload and query operations for
  hostile raw bodies that no schema can describe (nested 10,000 deep, a key given twice,
  ``true`` in place of a number); the JSON serializer sends ``bytes`` as they are.
- Every response is tallied, one JSON line per call, into the file named by
  ``FUZZ_TALLY_FILE``: operation, media type, status (None for a dropped connection),
  whether the body came from tests.e2e.bodies, and for those bodies and for 5xx a
  description of the body. The test reads it
  to prove that each media type was sent, and to name the inputs that got a 5xx.
"""

from __future__ import annotations

import json
import os
from typing import Any

import schemathesis
from hypothesis import strategies as st

from tests.e2e.bodies import (
    HOSTILE_JSON_ENV,
    JSON_KEYS,
    MEDIA_TYPE_ENV,
    STRATEGIES,
    TALLY_ENV,
    describe,
    hostile_json,
)

for _media_type, _strategy in STRATEGIES.items():
    schemathesis.openapi.media_type(_media_type, _strategy())


@schemathesis.hook
def flatmap_body(context: schemathesis.HookContext, body: Any) -> st.SearchStrategy[Any]:
    """With FUZZ_HOSTILE_JSON=1, JSON_KEYS' operations get hostile raw JSON only (the
    run offers them JSON only): mixed into the schema's bodies, a share of them is
    drowned by Schemathesis steering towards the bodies the API accepts."""
    key = JSON_KEYS.get(context.operation.path) if context.operation is not None else None
    if key is None or os.environ.get(HOSTILE_JSON_ENV) != "1":
        return st.just(body)
    return hostile_json(key)


@schemathesis.hook
def before_load_schema(context: schemathesis.HookContext, raw_schema: dict[str, Any]) -> None:
    """With FUZZ_MEDIA_TYPE set, an operation that accepts that media type is offered
    only it. Left to choose, Hypothesis draws an operation's media types unevenly, as
    Schemathesis steers each operation towards the inputs it accepts: one run sent 146
    CSV bodies and 10 Parquet. So the test runs Schemathesis once per media type."""
    pinned = os.environ.get(MEDIA_TYPE_ENV)
    for methods in raw_schema.get("paths", {}).values() if pinned else []:
        for operation in methods.values():
            content = operation.get("requestBody", {}).get("content", {}) \
                if isinstance(operation, dict) else {}
            if pinned in content:
                for media_type in [m for m in content if m != pinned]:
                    del content[media_type]


@schemathesis.hook
def after_call(context: schemathesis.HookContext, case: Any, response: Any) -> None:
    _write(_record(case, response.status_code, response.elapsed))


@schemathesis.hook
def after_network_error(context: schemathesis.HookContext, case: Any, request: Any) -> None:
    _write(_record(case, None, None))


def _record(case: Any, status: int | None, seconds: float | None) -> dict[str, Any]:
    """``ours``: the body came from tests.e2e.bodies (not from Schemathesis, which also
    sends raw bytes of its own as malformed JSON)."""
    ours = isinstance(case.body, bytes) and describe(case.body) is not None
    record: dict[str, Any] = {
        "operation": f"{case.method.upper()} {case.operation.path}",
        "media_type": case.media_type, "status": status, "ours": ours,
        "seconds": None if seconds is None else round(seconds, 3)}
    if ours or status is None or status >= 500:
        record["body"] = _describe(case.body) if case.media_type else None
    if status is None or status >= 500:
        record["query"] = json.loads(json.dumps(case.query, default=repr)) or None
    return record


def _write(record: dict[str, Any]) -> None:
    path = os.environ.get(TALLY_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as tally:
            tally.write(json.dumps(record) + "\n")


def _describe(body: Any) -> str:
    if isinstance(body, bytes):
        return describe(body) or f"{len(body):,} bytes: {body[:80]!r}"
    text = json.dumps(body, default=repr)
    return f"json {text[:160]}{'...' if len(text) > 160 else ''}"
