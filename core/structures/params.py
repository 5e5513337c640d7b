"""Reading a structure's ``params`` mapping strictly: unknown keys and wrong types fail."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from core.errors import InvalidParameter

__all__ = ["ParamReader"]


class ParamReader:
    """Typed access to a params mapping; ``done()`` refuses keys nobody read."""

    def __init__(self, params: Mapping[str, Any]) -> None:
        if not isinstance(params, Mapping):
            raise InvalidParameter("params", "must be an object")
        self._params = dict(params)
        self._seen: set[str] = set()

    def _get(self, name: str) -> Any:
        self._seen.add(name)
        return self._params.get(name)

    def positive_float(self, name: str, default: float | None = None) -> float:
        value = self._get(name)
        if value is None:
            if default is None:
                raise InvalidParameter(f"params.{name}", "is required")
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidParameter(f"params.{name}", "must be a number")
        if not (math.isfinite(value) and value > 0):
            raise InvalidParameter(f"params.{name}", "must be a finite number > 0")
        return float(value)

    def optional_positive_float(self, name: str) -> float | None:
        if self._params.get(name) is None:
            self._seen.add(name)
            return None
        return self.positive_float(name)

    def int_in(self, name: str, low: int, high: int, default: int) -> int:
        value = self.optional_int_in(name, low, high)
        return default if value is None else value

    def optional_int_in(self, name: str, low: int, high: int) -> int | None:
        value = self._get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidParameter(f"params.{name}", "must be an integer")
        if not low <= value <= high:
            raise InvalidParameter(f"params.{name}", f"must be between {low} and {high}")
        return value

    def choice(self, name: str, options: tuple[str, ...], default: str) -> str:
        value = self._get(name)
        if value is None:
            return default
        if value not in options:
            raise InvalidParameter(f"params.{name}", "must be one of " + ", ".join(options))
        return str(value)

    def done(self) -> None:
        unknown = sorted(set(self._params) - self._seen)
        if unknown:
            raise InvalidParameter("params", "unknown parameter(s): " + ", ".join(unknown))
