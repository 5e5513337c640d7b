"""Query bodies read by pydantic's JSON parser (``app.api.points._validated_json``) are
only ever what the strict path (``loads_strict``, then the model) reads: for any body,
the fast path gives nothing (and the strict path answers) or the same model, floats bit
for bit."""

from __future__ import annotations

import json
import struct
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from app.api.points import _validated_json
from app.api.schemas.models import PredictIn
from app.api.schemas.structures import QueryIn
from app.services.jsondoc import JSONDocumentError, loads_strict

numbers = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.integers(min_value=-(10**30), max_value=10**30),
)
# what a point may hold: numbers mostly, and what the model must refuse
values = st.one_of(numbers, numbers, numbers, st.booleans(), st.none(), st.text(max_size=3))
points = st.lists(st.lists(values, min_size=1, max_size=4), max_size=3)
keys = st.sampled_from(["points", "reduce", "x", "po\\u0069nts"])
good_points = st.lists(st.lists(numbers, min_size=1, max_size=3), min_size=1, max_size=2)
fields = st.one_of(good_points, good_points, points,
                   st.sampled_from(["sum", "mean", "me\\u0061n", "max"]), values,
                   st.dictionaries(st.sampled_from(["a", "points"]), values, max_size=2))


def strict(schema: Any, body: bytes) -> Any:
    try:
        return schema.model_validate(loads_strict(body))
    except (JSONDocumentError, ValidationError):
        return None


def agree(body: bytes) -> None:
    schemas: tuple[type[QueryIn] | type[PredictIn], ...] = (QueryIn, PredictIn)
    for schema in schemas:
        fast: Any = _validated_json(schema, body)
        if fast is None:
            continue
        reference = strict(schema, body)
        assert reference is not None, body
        assert fast.model_fields_set == reference.model_fields_set
        assert fast.model_dump(exclude={"points"}) == reference.model_dump(exclude={"points"})
        bits = [[struct.pack("<d", v) for v in p] for p in fast.points]
        assert bits == [[struct.pack("<d", v) for v in p] for p in reference.points], body


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(keys, fields), max_size=4), st.booleans())
@example([("points", [[1]]), ("points", [[2]])], False)
@example([("points", [[1]]), ("po\\u0069nts", [[2]])], True)
def test_fast_reads_agree_with_the_strict_path(pairs: list[tuple[str, Any]],
                                               spaced: bool) -> None:
    """Bodies written pair by pair, so keys can repeat (and escape to a field name)."""
    sep = ", " if spaced else ","
    items = [f'"{key}":{json.dumps(value)}' for key, value in pairs]
    agree(("{" + sep.join(items) + "}").encode())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(numbers, min_size=1, max_size=6), min_size=1, max_size=4))
def test_numbers_are_read_to_the_same_floats(rows: list[list[Any]]) -> None:
    body = json.dumps({"points": rows, "reduce": "mean"}).encode()
    assert _validated_json(QueryIn, body) is not None or any(
        abs(v) > 1.7e308 for row in rows for v in row)
    agree(body)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40))
@example(b'{"points": [[1]], "points": [[2]]}')
@example(b'{"points": [[1]], "reduce": "mean", "reduce": "sum"}')
@example(b'{"points": [[1e999]]}')
@example(b'{"points": [[NaN]]}')
@example(b'\xef\xbb\xbf{"points": [[1]]}')
@example(b'{"points": [[1]]} x')
@example(b'{"points": [[12345678901234567890123]]}')
@example(b'{"points": [[1]], "x": {}}')
@example(b'{"points": [[' + b"[" * 300 + b"]" * 300 + b"]]}")
def test_any_bytes(body: bytes) -> None:
    agree(body)


def test_a_repeated_key_is_left_to_the_strict_path() -> None:
    """Which the fast path would read as the last value, and the strict path refuses."""
    body = b'{"points": [[1]], "points": [[2]]}'
    assert QueryIn.model_validate_json(body).points == [[2.0]]  # what pydantic does
    assert _validated_json(QueryIn, body) is None
    assert strict(QueryIn, body) is None
