"""Seeded workloads shared by every benchmark (BENCH.md, "Workloads").

Every workload lies in the declared domain ``DOMAIN``, the unit l2 ball, and carries a
bandwidth fixed by a public rule, never tuned on the rows:

- ``synthetic(n, d, seed)``: an equal-weight mixture of ``COMPONENTS`` Gaussians in d
  dimensions. The centres are drawn uniformly on the sphere of radius ``CENTRE_RADIUS``
  and each component is N(centre, (SPREAD^2 / d) I), so a point lies at distance about
  ``SPREAD`` from its centre whatever d is; with the values below a row's norm
  concentrates around sqrt(0.6^2 + 0.3^2) ~ 0.67, so the mixture lies inside the unit
  ball by construction (the domain's clip only guards the far tail). The 1,000 queries
  are a fresh sample of the same mixture. ``SeedSequence(seed)`` is split into three
  independent streams (centres, rows, queries), so the queries do not depend on n.
  Bandwidth: the distribution is public, so sigma is the typical distance between two
  points of one component, sqrt(2) * SPREAD ~ 0.424: a neighbour in the same cluster
  has kernel value about exp(-1), a point of another cluster about exp(-5).
- ``digits()``: scikit-learn's ``load_digits`` (1,797 rows of 8x8 pixels in [0, 16]).
  The declared domain of a row is the pixel box [0, 16]^64; ``(x - 8) / 64`` maps that
  box into the unit ball (its corners onto the sphere), a map fixed by the box alone.
  The queries are the rows themselves. Bandwidth: a quarter of the ball's diameter,
  sigma = 0.5, a rule that depends on the declared domain only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.datasets import load_digits

from core.domain import L2Ball

__all__ = [
    "COMPONENTS", "DATA_SEED", "DOMAIN", "N_QUERIES", "PUBLIC_SAMPLE_SEED", "Workload",
    "digits", "digits_bandwidth", "synthetic", "synthetic_bandwidth",
    "synthetic_median_bandwidth",
]

DOMAIN = L2Ball(1.0)
DATA_SEED = 20_240_311  # the default seed of every generated workload
N_QUERIES = 1_000
COMPONENTS = 10
CENTRE_RADIUS = 0.6
SPREAD = 0.3  # root mean squared distance of a point from its component's centre
DIGITS_PIXEL_MAX = 16.0
DIGITS_BANDWIDTH_FRACTION = 0.25  # of the domain's diameter


@dataclass(frozen=True, slots=True)
class Workload:
    """Rows (inside ``DOMAIN``), query points and the public bandwidth for them."""

    name: str
    rows: NDArray[np.float64]
    queries: NDArray[np.float64]
    bandwidth: float
    bandwidth_rule: str

    @property
    def n(self) -> int:
        return int(self.rows.shape[0])

    @property
    def dim(self) -> int:
        return int(self.rows.shape[1])

    @property
    def label(self) -> str:
        return f"{self.name} n={self.n:,} d={self.dim}"


def synthetic_bandwidth() -> float:
    """sqrt(2) * SPREAD: the root mean squared distance between two points drawn from
    the same component, a parameter of the public generator, not of its sample."""
    return math.sqrt(2.0) * SPREAD


PUBLIC_SAMPLE_SEED = 7  # a sample of the public generator, never the private rows


def synthetic_median_bandwidth(d: int, sample: int = 2_000) -> float:
    """Half the median pairwise distance of ``sample`` points drawn from the public
    generator with a seed of their own (``PUBLIC_SAMPLE_SEED``): the median heuristic
    applied to public information, never to the private rows."""
    rows = synthetic(sample, d, seed=PUBLIC_SAMPLE_SEED).rows
    sq = np.einsum("ij,ij->i", rows, rows)
    distances = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2.0 * rows @ rows.T, 0.0))
    upper = distances[np.triu_indices(sample, k=1)]
    return 0.5 * float(np.median(upper))


def digits_bandwidth() -> float:
    """A fixed fraction of the declared domain's diameter (0.25 * 2 = 0.5)."""
    return DIGITS_BANDWIDTH_FRACTION * 2.0 * DOMAIN.radius


def synthetic(n: int, d: int, seed: int = DATA_SEED) -> Workload:
    """n rows and ``N_QUERIES`` queries of the 10-Gaussian mixture in d dimensions."""
    centre_rng, row_rng, query_rng = (
        np.random.Generator(np.random.PCG64(s)) for s in np.random.SeedSequence(seed).spawn(3)
    )
    directions = centre_rng.standard_normal((COMPONENTS, d))
    centres = CENTRE_RADIUS * directions / np.linalg.norm(directions, axis=1, keepdims=True)

    def sample(rng: np.random.Generator, count: int) -> NDArray[np.float64]:
        labels = rng.integers(COMPONENTS, size=count)
        offsets = rng.standard_normal((count, d)) * (SPREAD / math.sqrt(d))
        return DOMAIN.clip(centres[labels] + offsets)

    return Workload(
        name="synthetic", rows=sample(row_rng, n), queries=sample(query_rng, N_QUERIES),
        bandwidth=synthetic_bandwidth(),
        bandwidth_rule=f"sqrt(2) * component spread {SPREAD} (generator parameter)",
    )


def digits() -> Workload:
    """scikit-learn's digits, mapped from the pixel box [0, 16]^64 into the unit ball;
    the queries are the rows themselves."""
    pixels = np.asarray(load_digits().data, dtype=np.float64)
    half = DIGITS_PIXEL_MAX / 2.0
    rows = DOMAIN.clip((pixels - half) / (half * math.sqrt(pixels.shape[1])))
    return Workload(
        name="digits", rows=rows, queries=rows, bandwidth=digits_bandwidth(),
        bandwidth_rule=f"{DIGITS_BANDWIDTH_FRACTION} * diameter of the unit ball (domain)",
    )
