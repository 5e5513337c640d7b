"""The JSON log formatter: one JSON object per record, whatever the record carries."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from app.logging import JsonFormatter


def _record(**extra: object) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "app.access", "msg": "POST %s %s",
                                    "args": ("/v1/x", 200), "levelname": "INFO",
                                    "levelno": logging.INFO, **extra})
    record.created = 1_700_000_000.25
    return record


def test_fields_and_extras() -> None:
    record = _record(method="POST", status=200, duration_ms=0.53)
    record.request_id = "abc"
    entry = json.loads(JsonFormatter().format(record))
    assert entry == {"time": "2023-11-14T22:13:20.250000+00:00", "level": "INFO",
                     "logger": "app.access", "message": "POST /v1/x 200",
                     "request_id": "abc", "method": "POST", "status": 200,
                     "duration_ms": 0.53}
    assert datetime.fromisoformat(entry["time"]) == datetime.fromtimestamp(
        record.created, UTC)


def test_what_orjson_refuses_still_gives_one_json_line() -> None:
    """Integers past 64 bits, keys that are not strings, objects of any type, datetimes
    and text beyond ASCII: the same fields, one line."""
    when = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    entries = []
    for extra in ({"big": 2**70}, {"table": {1: object()}}, {"text": "h\u00e9llo \u2603"}):
        line = JsonFormatter().format(_record(when=when, **extra))
        assert "\n" not in line
        entries.append(json.loads(line))
    for entry in entries:
        assert entry["message"] == "POST /v1/x 200"
        assert entry["when"] == "2020-01-02T03:04:05+00:00"
    assert entries[0]["big"] == 2**70
    assert list(entries[1]["table"]) == ["1"]
    assert entries[2]["text"] == "h\u00e9llo \u2603"


def test_exceptions_are_formatted() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = _record(exc_info=sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in entry["exc_info"]
