"""The parameters of ``inner_product``."""

from __future__ import annotations

from dataclasses import dataclass

from core.kinds import common

__all__ = ["Params"]


@dataclass(frozen=True, slots=True)
class Params:
    mechanism: str = common.mechanism()
