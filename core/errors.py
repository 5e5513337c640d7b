"""Errors raised by the core. Plain exceptions, no HTTP; the service maps them.

    CoreError
    ├── InvalidParameter      a parameter is missing, of the wrong type or out of range
    ├── IncompatibleArrays    arrays whose shapes or dimensions do not fit together
    ├── CorruptRelease        a stored release fails its format or checksum check
    └── PlanMismatch          a stored noise plan disagrees with what its spec requires

Messages name the parameter and the rule, never a data value.
"""

from __future__ import annotations


class CoreError(Exception):
    """Base class of every error the core raises on purpose."""


class InvalidParameter(CoreError):
    def __init__(self, name: str, rule: str) -> None:
        super().__init__(f"{name}: {rule}")
        self.name = name
        self.rule = rule


class IncompatibleArrays(CoreError):
    pass


class CorruptRelease(CoreError):
    pass


class PlanMismatch(CoreError):
    """A noise plan does not meet the privacy map its structure's spec requires: a
    sensitivity or size differs from the one recomputed from the spec, or the scales
    spend more than the plan's budget. Decided before any row is read."""
