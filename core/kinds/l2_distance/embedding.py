"""The oblivious l2 -> l1 embedding of ``l2_distance``: z = s G (x - c), with k rows g_j
drawn uniformly on the sphere of radius sqrt(d) from the public seed and
s = 1 / (k c_d), c_d = sqrt(d) E|s_1|, so that E s ||G u||_1 = ||u||_2; every
|z_j| <= s sqrt(d) M2 whatever the draw, so the inner ``l1_distance`` over the box
[-s sqrt(d) M2, +]^k has seed-independent sensitivities.

Derivation: docs/privacy/distance.md, "6. l2_distance: the oblivious embedding".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.domain import Box
from core.errors import InvalidParameter

__all__ = ["EmbeddedBox", "distortion_std", "draw_projection", "embedding_constant"]


def embedding_constant(dim: int) -> float:
    """c_d = sqrt(d) E|s_1| for s uniform on the unit sphere of R^d, E|s_1| =
    Gamma(d/2) / (sqrt(pi) Gamma((d+1)/2)): E|<g, u>| = c_d ||u|| for g uniform on the
    sphere of radius sqrt(d). c_1 = 1; c_d decreases to sqrt(2/pi)."""
    return math.sqrt(dim / math.pi) * math.exp(math.lgamma(dim / 2) - math.lgamma((dim + 1) / 2))


def distortion_std(dim: int, k: int) -> float:
    """Relative std of s ||G u||_1 around ||u||_2: each |<g_j, u>| / (c_d ||u||) has mean
    1 and second moment E[d s_1^2] / c_d^2 = 1 / c_d^2, and the k rows are independent."""
    c = embedding_constant(dim)
    return math.sqrt(max(1.0 - c * c, 0.0) / (k * c * c))


def draw_projection(dim: int, k: int, seed: int) -> NDArray[np.float64]:
    """k rows uniform on the sphere of radius sqrt(d), from the public seed (PCG64)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    Z = rng.standard_normal((k, dim))
    norms = np.linalg.norm(Z, axis=1, keepdims=True)
    return np.asarray(Z / np.maximum(norms, np.finfo(np.float64).tiny) * math.sqrt(dim))


@dataclass(frozen=True, slots=True)
class EmbeddedBox(Box):
    """The box [-H, H]^k the embedded rows of ``l2_distance`` live in: derived from a
    declared domain, so its scale may leave the declared range (H = sqrt(d) M2 / (k c_d)
    spans 1e-16 to 1e17 over that range and projection_dim); every bound that the
    declared range gives the arithmetic still holds for it (docs: core.domain)."""

    def __post_init__(self) -> None:
        if len(self.low) != len(self.high) or not self.low or not all(
                -math.inf < lo < hi < math.inf
                for lo, hi in zip(self.low, self.high, strict=True)):
            raise InvalidParameter("domain", "embedded box needs finite low < high")
