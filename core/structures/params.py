"""Reading a structure's ``params`` mapping strictly: unknown keys and wrong types fail."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from core.errors import InvalidParameter

__all__ = ["MAX_ALPHA", "MAX_BANDWIDTH", "MIN_ALPHA", "MIN_BANDWIDTH", "ParamReader"]

# ``alpha`` is a target relative accuracy: above 1 it asks for nothing, and far below
# 1e-4 every size it drives is already at its cap (features 65,536 >= 1/alpha^2, grid
# levels 20 >= log2(2/alpha), projection_dim 8,192); 1/alpha^2 overflowed for alpha
# 1e300 and divided by zero for alpha 1e-200
MIN_ALPHA = 1e-6
MAX_ALPHA = 1.0
# kernel bandwidths: within a factor 1e6 of the domain range (core.domain, 1e-12 to
# 1e12); beyond it a kernel is a constant (too wide) or a point mass (too narrow) on
# every dataset the service accepts
MIN_BANDWIDTH = 1e-18
MAX_BANDWIDTH = 1e18


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

    def float_in(self, name: str, low: float, high: float,
                 default: float | None = None) -> float:
        """A number in [low, high] (``low`` > 0)."""
        value = self.positive_float(name, default)
        if not low <= value <= high:
            raise InvalidParameter(f"params.{name}", f"must be between {low:g} and {high:g}")
        return value

    def optional_float_in(self, name: str, low: float, high: float) -> float | None:
        if self._params.get(name) is None:
            self._seen.add(name)
            return None
        return self.float_in(name, low, high)

    def bandwidth(self) -> float:
        """``bandwidth``, required, in [MIN_BANDWIDTH, MAX_BANDWIDTH]."""
        return self.float_in("bandwidth", MIN_BANDWIDTH, MAX_BANDWIDTH)

    def alpha(self) -> float | None:
        """``alpha``, optional, in [MIN_ALPHA, MAX_ALPHA]."""
        return self.optional_float_in("alpha", MIN_ALPHA, MAX_ALPHA)

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
