"""Checks of the solvers' progress-callback contract (core/solvers/*.py): told fractions
in [0, 1], never decreasing, ending at 1.0, at least one report per step; an exception
raised by the callback ends the solve unchanged."""

from __future__ import annotations

import itertools
from collections.abc import Callable


class Cancelled(Exception):
    """What a worker's progress callback raises to stop a solve."""


def recorder() -> tuple[list[float], Callable[[float], None]]:
    """A list and a callback that appends to it."""
    told: list[float] = []
    return told, told.append


def cancel_on_call(number: int) -> Callable[[float], None]:
    """A callback that raises ``Cancelled`` on its ``number``-th call."""
    calls = itertools.count(1)

    def progress(_: float) -> None:
        if next(calls) == number:
            raise Cancelled

    return progress


def assert_progress(told: list[float], steps: int) -> None:
    """In [0, 1], never decreasing, ending at 1.0, at least one call per step."""
    assert len(told) >= steps
    assert all(0.0 <= f <= 1.0 for f in told)
    assert all(b >= a for a, b in itertools.pairwise(told))
    assert told[-1] == 1.0
