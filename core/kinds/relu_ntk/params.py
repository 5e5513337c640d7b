"""The parameters of ``relu_ntk``."""

from __future__ import annotations

from dataclasses import dataclass

from core.kinds import common
from core.kinds.registry import param
from core.structures.feature_maps import MAX_FEATURES
from core.structures.relu_features import MAX_CLIP, MIN_CLIP

__all__ = ["Params"]


@dataclass(frozen=True, slots=True)
class Params:
    features: int = param(
        "integer", "number m of random ReLU features relu(w . x) / sqrt(m) (the NNGP "
        "term), w with iid N(0, 1/d) entries", default=512, minimum=1,
        maximum=MAX_FEATURES)
    tangent_features: int = param(
        "integer", "number m' of tangent features (u . x) step(v . x) / sqrt(m') (the "
        "term q_xy (pi - theta) / (2 pi)), u and v independent with iid N(0, 1/d) "
        "entries", default=512, minimum=1, maximum=MAX_FEATURES)
    clip: float | None = param(
        "number", "l2 norm C each row's feature vector (both terms together) is clipped "
        "to (public; it sets the sensitivity), in the units of the features, about "
        "||x|| / sqrt(d)", minimum=MIN_CLIP, maximum=MAX_CLIP,
        derived="2 R / sqrt(d), R the domain's largest ||x||: twice the rms feature norm "
        "of a row on the boundary")
    mechanism: str = common.mechanism()
