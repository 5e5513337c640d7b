"""The parameters of ``sq_l2_distance``."""

from __future__ import annotations

from dataclasses import dataclass

from core.kinds import common

__all__ = ["Params"]


@dataclass(frozen=True, slots=True)
class Params:
    mechanism: str = common.mechanism()
