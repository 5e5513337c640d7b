"""Parameter declarations several kinds share (``param`` fields, see core.kinds.registry).

Each returns a fresh dataclass field; a kind's ``params.py`` lists its fields in the
order its spec reads them, so that the first error a request meets stays the same."""

from __future__ import annotations

from typing import Any

from core.kinds.registry import param
from core.structures.params import MAX_ALPHA, MAX_BANDWIDTH, MIN_ALPHA, MIN_BANDWIDTH

__all__ = ["alpha", "bandwidth", "mechanism", "precision"]


def bandwidth() -> Any:
    return param("number", "kernel bandwidth sigma, in the units of the rows", required=True,
                 minimum=MIN_BANDWIDTH, maximum=MAX_BANDWIDTH)


def alpha(sizes: str) -> Any:
    """``sizes``: what alpha sizes when it is given (and the size is not)."""
    return param("number", "target accuracy (relative to a typical answer): " + sizes,
                 minimum=MIN_ALPHA, maximum=MAX_ALPHA,
                 derived="none: without alpha every size takes its fixed default")


def mechanism(choices: tuple[str, ...] = ("laplace", "gaussian")) -> Any:
    return param("string", "noise mechanism: laplace (pure epsilon-DP) or gaussian "
                 "(zCDP, reported as epsilon-delta)" if len(choices) > 1
                 else "noise mechanism (this kind offers laplace only)",
                 default="laplace", choices=choices)


def precision() -> Any:
    return param("string", "arithmetic of the feature angles and their cos/sin in builds "
                 "and queries (sums are float64); float32 is about ten times faster and "
                 "its rounding is bounded and reported", default="float32",
                 choices=("float32", "float64"))
