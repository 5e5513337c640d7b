"""Cursors for paged lists. Lists of UUID-keyed rows (datasets, structures, keys) are
ordered by (created_at, id) and page with an opaque string cursor; lists of
integer-keyed, append-only rows (the ledger, the audit log) page with the last id.

A page asks for one row more than it returns, so ``next_after`` is None exactly on the
last page.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar
from uuid import UUID

from app.errors import InvalidInput
from app.services.ports import Cursor

MAX_PAGE = 1000  # the largest ``limit``, and the default
MAX_ID = 2**63 - 1  # ledger and audit ids are signed 64-bit integers in every database

R = TypeVar("R")
C = TypeVar("C", str, int)


def encode_cursor(created_at: datetime, row_id: UUID) -> str:
    raw = f"{created_at.astimezone(UTC).isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Cursor | None:
    """The (created_at, id) a cursor names; 422 for anything ``encode_cursor`` did not
    make (a cursor says nothing the caller cannot see in the page it came from)."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, row_id = raw.partition("|")
        created_at = datetime.fromisoformat(moment)
        if created_at.tzinfo is None:
            raise ValueError("naive")
        return created_at.astimezone(UTC), UUID(row_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput("after: not a cursor this list returned") from None


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit: must be between 1 and {MAX_PAGE}")
    return limit


def split_page(rows: Sequence[R], limit: int,
               cursor_of: Callable[[R], C]) -> tuple[list[R], C | None]:
    """``rows`` fetched with ``limit + 1``: the page and the next page's cursor."""
    page = list(rows[:limit])
    more = len(rows) > limit
    return page, (cursor_of(page[-1]) if more and page else None)
