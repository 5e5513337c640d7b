"""The strict JSON parser's orjson path gives exactly what its ``json`` path gives: the
same document (types included), or an error on both, for any body."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.services import jsondoc
from app.services.jsondoc import JSONDocumentError, loads_strict

numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=8))
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5),
                            st.dictionaries(st.text(max_size=4), inner, max_size=4)),
    max_leaves=30,
)


def outcome(parse: Any, body: bytes) -> tuple[str, Any]:
    try:
        doc = parse(body)
    except JSONDocumentError as exc:
        return "error", exc.rule
    return "doc", json.dumps(doc, sort_keys=True)  # ints stay ints, floats floats


def same(body: bytes) -> None:
    fast = outcome(loads_strict, body)
    slow = outcome(jsondoc._with_json, body)  # the reference path
    assert fast == slow
    if fast[0] == "doc":  # and types match exactly (an int is not read as a float)
        assert repr(loads_strict(body)) == repr(jsondoc._with_json(body))


@settings(max_examples=300, deadline=None)
@given(documents, st.booleans())
def test_both_paths_agree_on_documents(doc: Any, spaced: bool) -> None:
    text = json.dumps(doc, indent=1 if spaced else None)
    same(text.encode())


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40))
@example(b'{"points": [[1, 2]], "points": [[3]]}')
@example(b'{"a": {"b": 1, "b": 2}}')
@example(b'{"a": "{", "a": 1}')
@example(b'{"a": ":", "b": 1}')
@example(b'[123456789012345678901234567890]')
@example(b'12345678901234567890')  # long integers after each character a number follows
@example(b' 12345678901234567890')
@example(b'{"a":-12345678901234567890}')
@example(b'{"a":\t12345678901234567890}')
@example(b'[0.5,\r\n12345678901234567890]')
@example(b'[0.1234567890123456789012, 1e+1234567890123456789]')
@example(b'{"a": 1e999}')
@example(b'{"a": NaN}')
@example(b'["\\ud800"]')
@example(b'\xef\xbb\xbf{}')
def test_both_paths_agree_on_any_bytes(body: bytes) -> None:
    same(body)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["points", "reduce", "x", ":", "{"]),
                          st.one_of(st.integers(), st.text(max_size=3))),
                max_size=5))
def test_both_paths_agree_on_objects_with_repeated_keys(pairs: list[tuple[str, Any]]) -> None:
    body = "{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in pairs) + "}"
    same(body.encode())
