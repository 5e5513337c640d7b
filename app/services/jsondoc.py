"""Strict JSON documents: ``json.loads`` with the rules every request body follows.

- UTF-8 only (``json.loads`` on bytes would also guess UTF-16 and UTF-32), and no
  string with an unpaired surrogate escape (``"\\ud800"``, which no UTF-8 can encode);
- no duplicate keys in an object (``json`` silently keeps the last one);
- containers nested at most ``MAX_DEPTH`` deep (a deep enough document exhausts the
  parser's recursion instead);
- no ``NaN``, ``Infinity`` or ``-Infinity`` literals, nor numbers so large they become
  infinite (``1e999``).

Breaking a rule raises ``JSONDocumentError``, whose message names the rule (and, for a
syntax error, the line and column) and never the offending value or key. The checks cost
little on large arrays of numbers: the depth and overflow checks are byte scans at C
speed. A document most request bodies are (at most one object, no integer of 19 digits
or more) is parsed by orjson, several times faster than ``json`` on arrays of numbers,
which refuses what the rules refuse (invalid UTF-8, unpaired surrogates, NaN and
Infinity, numbers that overflow) and parses floats identically (both round correctly);
it keeps the last of duplicate keys, so the one object's keys are counted against the
document's colons outside strings. Anything else, and every document orjson refuses,
goes through ``json`` with the rules as hooks, whose errors are the ones reported.
"""

from __future__ import annotations

import json
import re
from array import array
from itertools import accumulate
from typing import Any, Final, Literal, NoReturn

import orjson

__all__ = ["MAX_DEPTH", "JSONDocumentError", "JSONRule", "loads_strict"]

MAX_DEPTH: Final = 64

JSONRule = Literal["encoding", "syntax", "duplicate-key", "depth", "non-finite", "number"]


class JSONDocumentError(ValueError):
    """A body that is not strict JSON. ``rule`` says which rule it broke; the message is
    safe to show to the client (it never contains a value or key from the document)."""

    def __init__(self, rule: JSONRule, message: str) -> None:
        super().__init__(message)
        self.rule: JSONRule = rule


# A JSON string, escapes included; in valid JSON every '"' outside a string starts one.
# Possessive, and the closing quote optional, so that a match never fails and the scan
# stays linear: an unterminated string runs to the end (the parser then reports it).
_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"?', re.DOTALL)
_INNERMOST = re.compile(rb"\[\]|\{\}")
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_AS_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 and -1 as signed bytes
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
# Every digit becomes "0", "E" becomes "e" and "+" goes: a float64 overflows only with a
# 3-digit exponent or 100+ digits before the point (an exponent under 100 needs 210).
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789E", b"000000000e")
_HUGE_SHAPES = (b"e000", b"0" * 100)
# orjson reads an integer beyond 64 bits as a float, ``json`` as an int: a body with a
# number that starts with 19 digits or more (an integer, or a float's integer part)
# takes the ``json`` path. In the digits-as-zero shape such a number is 19 zeros after
# one of the characters a JSON number can follow (a fraction's digits follow a point,
# an exponent's an "e"): a few substring searches at C speed.
# The shape used for that maps those characters to "[" as well, so one search finds them.
_LONG_RUN = b"0" * 19
_LONG_NUMBER = b"[" + _LONG_RUN
_NUMBER_SHAPES = bytes.maketrans(b"123456789E,:- \n\t\r+", b"000000000e[[[[[[[+")
_SLOW: Final = object()


def loads_strict(body: bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``body`` (UTF-8 JSON) under the module's rules, or raise JSONDocumentError."""
    if _too_deep(body, max_depth):
        raise _depth_error(max_depth)
    doc = _fast(body)
    return _with_json(body, max_depth) if doc is _SLOW else doc


def _with_json(body: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """The rules as ``json`` hooks and checks: every document, every error message."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JSONDocumentError("encoding", "the JSON body is not valid UTF-8") from exc
    parse_float = _finite_float if _maybe_huge(body) else float
    try:
        doc = json.loads(text, object_pairs_hook=_unique_keys,
                         parse_constant=_no_constant, parse_float=parse_float)
    except JSONDocumentError:
        raise
    except json.JSONDecodeError as exc:  # exc.msg is the parser's fixed text, never data
        raise JSONDocumentError(
            "syntax", f"the body is not valid JSON: {exc.msg} (line {exc.lineno}, "
            f"column {exc.colno})") from None
    except RecursionError:  # nesting the bracket scan could not measure (unbalanced)
        raise _depth_error(max_depth) from None
    except ValueError:  # an integer beyond Python's digit limit (sys.get_int_max_str_digits)
        raise JSONDocumentError("number", "the JSON body has a number with too many "
                                "digits") from None
    if b"\\u" in body and _SURROGATE_ESCAPE.search(body):  # rare: check the strings
        try:
            json.dumps(doc, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise JSONDocumentError("encoding", "the JSON body has a string with an "
                                    "unpaired surrogate escape") from None
    return doc


def _fast(body: bytes) -> Any:
    """The document parsed by orjson where that is sure to be what the rules and
    ``json`` give (module docstring), else ``_SLOW``."""
    shapes = body.translate(_NUMBER_SHAPES, b"+")
    if shapes.startswith(_LONG_RUN) or _LONG_NUMBER in shapes:
        return _SLOW
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return _SLOW
    objects = body.count(b"{")  # braces inside strings too: conservative
    if objects == 0:
        return doc
    if objects == 1 and isinstance(doc, dict) and (
            _STRING.sub(b'"', body).count(b":") == len(doc)):
        return doc  # every colon outside strings is one of its keys: none repeated
    return _SLOW


def _too_deep(body: bytes, limit: int) -> bool:
    """Whether containers nest more than ``limit`` deep, at C speed: strings are cut out
    and only the brackets kept; passes that each remove every empty pair (one level a
    pass, at most) collapse an ordinary document quickly, and while they still halve it
    they go on. The depth of what is left is the largest running sum of +1 per opening
    and -1 per closing bracket (about 50 ns a bracket, for deeply nested bodies only)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    passes = 0
    while brackets and passes < limit:
        reduced = _INNERMOST.sub(b"", brackets)
        if len(reduced) == len(brackets):
            break  # unbalanced: no empty pair left
        halved = 2 * len(reduced) <= len(brackets)
        brackets, passes = reduced, passes + 1
        if not halved:
            break
    steps = array("b", brackets.translate(_AS_STEPS))
    return max(accumulate(steps), default=0) > limit - passes


def _maybe_huge(body: bytes) -> bool:
    """Whether a number might overflow to infinity (a cheap, conservative byte scan)."""
    shapes = body.translate(_DIGITS_AS_ZERO, b"+")
    return any(shape in shapes for shape in _HUGE_SHAPES)


def _depth_error(limit: int) -> JSONDocumentError:
    return JSONDocumentError("depth", f"the JSON body is nested more than {limit} levels "
                             "deep")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise JSONDocumentError("duplicate-key", "the JSON body has an object with a "
                                "duplicate key")
    return obj


def _no_constant(_: str) -> NoReturn:
    raise JSONDocumentError("non-finite", "the JSON body has NaN or infinite numbers "
                            "(NaN and Infinity are not JSON)")


def _finite_float(text: str) -> float:
    value = float(text)
    if value - value != 0.0:  # inf - inf is NaN
        _no_constant(text)
    return value
