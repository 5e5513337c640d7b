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
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from sklearn.datasets import load_breast_cancer, load_digits

from core.domain import L2Ball

__all__ = [
    "COMPONENTS", "DATA_SEED", "DOMAIN", "N_QUERIES", "PUBLIC_SAMPLE_SEED", "Labelled",
    "Workload", "breast_cancer", "digits", "digits_bandwidth", "labelled_digits",
    "sentence_embeddings", "split_labelled", "synthetic", "synthetic_bandwidth",
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


# --- labelled workloads (classification: ``python -m bench.models``) --------------------

TEST_FRACTION = 0.25  # of every class, held out for the accuracy figures
EMBEDDING_DIM = 384  # the width of small sentence encoders (MiniLM-class)
EMBEDDING_CLASSES = 12
EMBEDDING_CLASS_ROWS = (80, 120)  # each class's size, uniform in this range
EMBEDDING_SUBSPACE = 32  # the low effective dimension sentence embeddings have
EMBEDDING_SUBTOPICS = 3  # per class: classes are not one blob
EMBEDDING_PUBLIC_ROWS = 512  # the public reference sample (the cosine rule's reference)
# weights of a row's parts before normalisation: the shared common direction, the class
# direction, the row's sub-topic, noise inside the subspace, isotropic noise in all d
EMBEDDING_WEIGHTS = {"common": 0.6, "class": 0.22, "subtopic": 0.55, "noise": 0.8,
                     "isotropic": 0.3}


@dataclass(frozen=True, slots=True)
class Labelled:
    """A labelled workload in ``DOMAIN``: integer classes 0..C-1, a train/test split fixed
    by a seed, and the public per-coordinate bounds of the declared domain (what
    diffprivlib's GaussianNB takes as ``bounds``)."""

    name: str
    train_rows: NDArray[np.float64]
    train_labels: NDArray[np.int64]
    test_rows: NDArray[np.float64]
    test_labels: NDArray[np.int64]
    classes: tuple[int, ...]
    feature_bounds: tuple[float, float]
    domain_rule: str
    # public unlabelled rows like the private ones, for the cosine rule's reference:
    # a separate public sample where the generator can draw one, else (None) the
    # held-out rows without their labels (the points an analyst means to classify)
    public_rows: NDArray[np.float64] | None = None
    public_rule: str = "the held-out rows, unlabelled"

    @property
    def reference_rows(self) -> NDArray[np.float64]:
        return self.test_rows if self.public_rows is None else self.public_rows

    @property
    def dim(self) -> int:
        return int(self.train_rows.shape[1])

    @property
    def label(self) -> str:
        return (f"{self.name} d={self.dim} classes={len(self.classes)} "
                f"train={self.train_rows.shape[0]:,} test={self.test_rows.shape[0]:,}")


def split_labelled(name: str, rows: NDArray[np.float64], labels: NDArray[np.int64], *,
                   seed: int, feature_bounds: tuple[float, float], domain_rule: str,
                   test_fraction: float = TEST_FRACTION) -> Labelled:
    """A stratified split: ``round(test_fraction * n_c)`` rows of every class, drawn
    with ``seed``, are held out."""
    rng = np.random.default_rng(seed)
    held_out = np.zeros(labels.shape[0], dtype=bool)
    classes = tuple(int(c) for c in np.unique(labels))
    for c in classes:
        members = np.flatnonzero(labels == c)
        held_out[rng.choice(members, round(test_fraction * members.size), replace=False)] = True
    return Labelled(name, rows[~held_out], labels[~held_out], rows[held_out],
                    labels[held_out], classes, feature_bounds, domain_rule)


def labelled_digits(seed: int = DATA_SEED) -> Labelled:
    """``digits()``'s rows (the pixel box mapped into the unit ball) with their digit
    labels; every coordinate lies in [-1/8, 1/8], the image of [0, 16]."""
    rows = digits().rows
    bound = 1.0 / math.sqrt(load_digits().data.shape[1])
    return split_labelled("digits", rows, np.asarray(load_digits().target, dtype=np.int64),
                          seed=seed, feature_bounds=(-bound, bound),
                          domain_rule="pixel box [0, 16]^64 mapped by (x - 8) / 64")


def breast_cancer(seed: int = DATA_SEED) -> Labelled:
    """scikit-learn's breast cancer set (569 x 30, 2 classes), standardised (each feature
    to mean 0 and variance 1, with the set's own moments, as BENCH.md defines the
    workload: a deployment would take them from public knowledge of the features),
    divided by 2 sqrt(d), which puts a row of unit-variance features at norm about 1/2,
    and clipped into the unit ball (about 3% of rows are clipped)."""
    data = load_breast_cancer()
    X = np.asarray(data.data, dtype=np.float64)
    standard = (X - X.mean(axis=0)) / X.std(axis=0)
    rows = DOMAIN.clip(standard / (2.0 * math.sqrt(X.shape[1])))
    return split_labelled("breast_cancer", rows, np.asarray(data.target, dtype=np.int64),
                          seed=seed, feature_bounds=(-1.0, 1.0),
                          domain_rule="standardised, / (2 sqrt d), clipped to the unit ball")


def sentence_embeddings(seed: int = DATA_SEED, dim: int = EMBEDDING_DIM,
                        classes: int = EMBEDDING_CLASSES) -> Labelled:
    """A sentence-embedding-like labelled set: unit-norm rows in d = 384, 12 classes of
    80 to 120 rows, overlapping.

    Like the embeddings of a small sentence encoder, the rows share one common direction
    (two unrelated rows have cosine about 0.26, not 0) and vary mostly inside a
    low-dimensional subspace (``EMBEDDING_SUBSPACE``). A row is the normalised sum of
    the common direction, its class's direction, one of its class's
    ``EMBEDDING_SUBTOPICS`` sub-topic directions (all inside the subspace), Gaussian
    noise inside the subspace and a little isotropic noise in all d coordinates, with
    ``EMBEDDING_WEIGHTS``. The class directions are weak against the noise, so the
    classes overlap: at the default seed the non-private cosine-centroid classifier
    reaches 0.66 on the held-out rows and an exact Gaussian-kernel classifier
    (sigma = 0.5, sum rule) 0.80, because a class is several sub-topics, not one blob.
    ``SeedSequence(seed)`` gives the directions and the rows separate streams."""
    geometry_rng, row_rng, public_rng = (np.random.Generator(np.random.PCG64(s))
                                         for s in np.random.SeedSequence(seed).spawn(3))
    r, w = EMBEDDING_SUBSPACE, EMBEDDING_WEIGHTS

    def unit(z: NDArray[np.float64]) -> NDArray[np.float64]:
        normalised: NDArray[np.float64] = z / np.linalg.norm(z, axis=-1, keepdims=True)
        return normalised

    basis, _ = np.linalg.qr(geometry_rng.standard_normal((dim, r + 1)))
    common, subspace = basis[:, 0], basis[:, 1:]
    class_dirs = unit(geometry_rng.standard_normal((classes, r))) @ subspace.T
    subtopics = unit(geometry_rng.standard_normal((classes, EMBEDDING_SUBTOPICS, r))) @ subspace.T
    sizes = geometry_rng.integers(EMBEDDING_CLASS_ROWS[0], EMBEDDING_CLASS_ROWS[1] + 1,
                                  size=classes)
    def draw(rng: np.random.Generator, c: int, n: int) -> NDArray[np.float64]:
        topic = rng.integers(EMBEDDING_SUBTOPICS, size=n)
        z = (w["common"] * common + w["class"] * class_dirs[c] + w["subtopic"] * subtopics[c, topic]
             + w["noise"] * (rng.standard_normal((n, r)) / math.sqrt(r)) @ subspace.T
             + w["isotropic"] * rng.standard_normal((n, dim)) / math.sqrt(dim))
        return unit(z)

    blocks, labels = [], []
    for c, n in enumerate(sizes):
        blocks.append(draw(row_rng, c, n))
        labels.append(np.full(n, c, dtype=np.int64))
    # a public corpus through the same encoder: the same geometry, rows of its own
    public_classes = public_rng.integers(classes, size=EMBEDDING_PUBLIC_ROWS)
    public = np.vstack([draw(public_rng, c, int(np.sum(public_classes == c)))
                        for c in range(classes)])
    split = split_labelled("sentence_embeddings", np.vstack(blocks), np.concatenate(labels),
                           seed=seed, feature_bounds=(-1.0, 1.0),
                           domain_rule="unit-norm rows (the unit sphere inside the unit ball)")
    return replace(split, public_rows=public,
                   public_rule=f"{EMBEDDING_PUBLIC_ROWS} public rows of the same geometry "
                   "(a public corpus through the same encoder), unlabelled")
