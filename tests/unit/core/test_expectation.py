"""DP expectations by kernel quadrature (core/models/expectation.py, docs/expectation.md).

Exactness against brute force for g in the kernel's span, the closed form
E[cos X1 + cos X2] = 2 e^{-1/2} under N(0, I_2) from a real gaussian_kde build, the ridge
growing with the noise and the reported std matching the spread over noise draws, and
the refusals."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from core.domain import Box, L2Ball
from core.errors import IncompatibleArrays, InvalidParameter
from core.kinds import kind_def
from core.kinds.cauchy_kde.release import CauchyKDERelease
from core.kinds.vmf_kde.release import to_sphere
from core.models.expectation import (
    MAX_NODES,
    kernel_expectation,
    kernel_quadrature,
    qualifies,
)
from core.privacy.budget import PrivacyBudget
from core.privacy.mechanisms import NoisePlan
from core.structures import DataSpec, QueryResult, Release, build_release, noise_plan, parse_spec
from core.structures.base import Spec
from core.structures.feature_maps import FeatureMap
from core.structures.feature_sums import RandomFeatureRelease
from core.structures.relu_features import ReluFeatureRelease
from tests.helpers import unit_ball_rows

DIM = 2
BALL = DataSpec(DIM, L2Ball(1.0), "add_remove")
ROWS = unit_ball_rows(400, DIM, seed=3)
NODES = np.array([[0.8 * math.cos(t), 0.8 * math.sin(t)]
                  for t in np.linspace(0, 2 * math.pi, 9)[:-1]] + [[0.0, 0.0]])


def _g(Y: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(np.cos(Y[:, 0]) + np.cos(Y[:, 1]))


def _noiseless(spec: Spec, rows: NDArray[np.float64], seed: int = 1) -> Release:
    """The release with its exact sums (no noise): its mean answers are the exact
    embedding of the rows under the release's own kernel."""
    builder = spec.builder(seed)
    totals = builder.accumulate(spec.data.domain.clip(rows))
    release: Release = builder.finish({k: np.asarray(v) for k, v in totals.items()},
                                      noise_plan(spec, PrivacyBudget(1.0)))
    return release


def _fourier_kernel(fmap: FeatureMap, X: NDArray[np.float64],
                    Y: NDArray[np.float64]) -> NDArray[np.float64]:
    """c <phi(x), phi(y)> from the frequencies alone: paired features sum
    cos(w.(x - y)) over the frequencies, phased ones 2 cos(w.x + b) cos(w.y + b)."""
    P = np.eye(X.shape[1]) if fmap.projection is None else fmap.projection
    AX, AY = X @ P.T @ fmap.frequencies.T, Y @ P.T @ fmap.frequencies.T
    if fmap.style == "paired":
        return np.asarray(fmap.scale * np.cos(AX[:, None, :] - AY[None, :, :]).sum(axis=-1))
    assert fmap.phases is not None
    CX, CY = np.cos(AX + fmap.phases), np.cos(AY + fmap.phases)
    return np.asarray(fmap.scale * 2.0 * (CX @ CY.T))


def _release_kernel(release: Release, X: NDArray[np.float64],
                    Y: NDArray[np.float64]) -> NDArray[np.float64]:
    """The release's kernel k^(x, y) between rows X (as the build saw them) and nodes Y,
    computed independently of core.models.expectation."""
    if isinstance(release, CauchyKDERelease):
        return np.asarray(sum(a * _fourier_kernel(fmap, X, Y) for a, fmap in zip(
            release.quadrature.coefficients, release.feature_maps, strict=True)))
    if isinstance(release, ReluFeatureRelease):
        W = release.fmap.weights
        FX = np.asarray(release.fmap.clipped(X, release.clip))  # the build clips rows
        FY = np.maximum(Y @ W.T, 0.0) / math.sqrt(W.shape[0])
        if release.fmap.tangent_values is not None and release.fmap.tangent_gates is not None:
            U, V = release.fmap.tangent_values, release.fmap.tangent_gates
            FY = np.concatenate([FY, np.where(Y @ V.T > 0, Y @ U.T, 0.0)
                                 / math.sqrt(U.shape[0])], axis=1)
        return np.asarray(FX @ FY.T)
    assert isinstance(release, RandomFeatureRelease)
    if release.kind == "vmf_kde":
        X, Y = np.asarray(to_sphere(X)), np.asarray(to_sphere(Y))
    return _fourier_kernel(release.fmap, X, Y)


KERNEL_PARAMS: dict[str, dict[str, Any]] = {
    "gaussian_kde": {"bandwidth": 0.8, "features": 64, "projection_dim": 2,
                     "precision": "float64"},
    "rff_baseline": {"bandwidth": 0.8, "features": 64},
    "exponential_kde": {"bandwidth": 0.8, "features": 64, "precision": "float64"},
    "laplace_kde": {"bandwidth": 0.8, "features": 64, "precision": "float64"},
    "cauchy_kde": {"bandwidth": 0.8, "features": 32, "terms": 3, "precision": "float64"},
    "vmf_kde": {"kappa": 4.0, "features": 64, "precision": "float64"},
    "relu_nngp": {"features": 64},
    "relu_ntk": {"features": 32, "tangent_features": 32},
}


# --- (1) exactness ---------------------------------------------------------------------

def test_exact_kernel_quadrature_is_exact_in_the_span() -> None:
    """g = K c with K the exact Gaussian kernel at the nodes and z the exact embedding
    (brute force over the rows): g^T K^-1 z is the rows' mean of sum_i c_i k(x, y_i)."""
    spec = parse_spec("gaussian_kde", {"bandwidth": 0.8}, BALL)
    reference = kind_def("gaussian_kde").reference
    K = np.column_stack([reference(spec, NODES[j:j + 1], NODES) for j in range(len(NODES))])
    c = np.random.default_rng(0).normal(size=len(NODES))
    z = reference(spec, ROWS, NODES) / len(ROWS)
    truth = np.mean(np.column_stack([reference(spec, NODES[i:i + 1], ROWS)
                                     for i in range(len(NODES))]) @ c)
    q = kernel_quadrature(K, z, K @ c, ridge=1e-15)
    assert q.value == pytest.approx(truth, rel=1e-8, abs=1e-10)
    assert q.std == 0.0
    # a ridge biases it, towards zero
    assert abs(kernel_quadrature(K, z, K @ c, ridge=1e-2).value - truth) > 1e-3


@pytest.mark.parametrize("kind", sorted(KERNEL_PARAMS))
def test_release_kernel_quadrature_is_exact_in_its_span(kind: str) -> None:
    """With the release's exact sums, g = K^ c (K^ the release's kernel at the nodes,
    computed here from the frequencies) gives the rows' mean of sum_i c_i k^(x, y_i) to
    1e-8; and the float64 embedding the module forms equals the release's own mean
    answers."""
    if not qualifies(kind):
        pytest.skip(f"{kind} is not registered")
    spec = parse_spec(kind, KERNEL_PARAMS[kind], BALL)
    release = _noiseless(spec, ROWS)
    rows = spec.data.domain.clip(ROWS)
    Khat = _release_kernel(release, NODES, NODES)
    c = np.random.default_rng(1).normal(size=len(NODES))
    truth = float(np.mean(_release_kernel(release, rows, NODES) @ c))
    result = kernel_expectation(release, spec, NODES, Khat @ c, ridge=1e-15)
    assert result.kernel == "release" and result.std_exact
    assert result.value == pytest.approx(truth, rel=1e-8, abs=1e-10)
    # z: with c = K^-1 e_j the estimate is z_j, the release's mean answer at y_j
    j = 3
    e_j = kernel_expectation(release, spec, NODES, Khat[:, j], ridge=1e-15).value
    answer = release.query(NODES[j:j + 1], reduce="mean")
    assert e_j == pytest.approx(answer.values[0], abs=1e-9 + answer.approximation_std[0]
                                if kind in ("relu_nngp", "relu_ntk") else 1e-9)


# --- (2) the closed form ---------------------------------------------------------------

CLOSED_FORM = 2 * math.exp(-0.5)  # E[cos X1 + cos X2], X ~ N(0, I_2)


@pytest.mark.slow
def test_closed_form_from_a_dp_gaussian_kde() -> None:
    """20,000 rows from N(0, I_2); a gaussian_kde (bandwidth 1, 1024 features, Laplace)
    built at epsilon 1, four times; nodes on a uniform 13 x 13 grid over [-3, 3]^2,
    nothing like the data. The exact mean of g over the rows is within 4 sd(g)/sqrt(n)
    = 0.018 of 2 e^{-1/2}. Each DP estimate is within 5 reported stds (a miss about once
    in a million draws: the estimate sums 2048 independent noise terms, near normal)
    plus 1e-3 of it: 1e-3 bounds the quadrature error, measured on the noiseless
    release (1.2e-4 here); the naive average of g over the nodes misses by 1.28."""
    rng = np.random.default_rng(0)
    n = 20_000
    X = rng.normal(size=(n, DIM))
    exact = float(np.mean(_g(X)))
    assert abs(exact - CLOSED_FORM) < 4 * math.sqrt((1 + math.exp(-2)) - 2 * math.exp(-1)
                                                    ) / math.sqrt(n)
    data = DataSpec(DIM, Box.uniform(-6.0, 6.0, DIM), "add_remove")
    spec = parse_spec("gaussian_kde", {"bandwidth": 1.0, "features": 1024}, data)
    grid = np.linspace(-3.0, 3.0, 13)
    Y = np.array([[a, b] for a in grid for b in grid])
    naive = float(np.mean(_g(Y)))
    assert abs(naive - exact) > 1.0
    noiseless = kernel_expectation(_noiseless(spec, X), spec, Y, _g(Y))
    assert abs(noiseless.value - exact) < 1e-3
    plan = noise_plan(spec, PrivacyBudget(1.0))
    for _ in range(4):
        release = build_release(spec, seed=1, plan=plan, chunks=[X])
        result = kernel_expectation(release, spec, Y, _g(Y))
        assert 0.005 < result.std < 0.05  # the Laplace noise at epsilon 1: about 0.015
        assert abs(result.value - exact) < 5 * result.std + 1e-3
        assert abs(result.value - CLOSED_FORM) < abs(naive - CLOSED_FORM) / 10


def test_release_kernel_beats_the_exact_kernel_on_random_features() -> None:
    """The exact kernel with the release's answers carries the random-feature error
    (about 1/sqrt(m) per node, outside K's span), which the weights amplify; the
    release's own kernel has none. Noiseless, 64 features: the release kernel's error
    is below 0.02, the exact kernel's several times larger, and its reported
    approximation bound covers it."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(2000, DIM)) * 0.5
    data = DataSpec(DIM, Box.uniform(-3.0, 3.0, DIM), "add_remove")
    spec = parse_spec("gaussian_kde", {"bandwidth": 0.8, "features": 64,
                                       "precision": "float64"}, data)
    grid = np.linspace(-1.5, 1.5, 7)
    Y = np.array([[a, b] for a in grid for b in grid])
    release = _noiseless(spec, X)
    exact = float(np.mean(_g(X)))
    own = kernel_expectation(release, spec, Y, _g(Y))
    other = kernel_expectation(release, spec, Y, _g(Y), kernel="exact")
    assert own.kernel == "release" and other.kernel == "exact"
    assert abs(own.value - exact) < 0.02
    assert abs(other.value - exact) > 2 * abs(own.value - exact)
    assert abs(other.value - exact) < other.approximation_std + 4 * other.std
    assert other.std_exact and other.ridge > own.ridge


# --- (3) the ridge and the std ---------------------------------------------------------

def _draws(spec: Spec, rows: NDArray[np.float64], plan: NoisePlan, count: int,
           seed: int = 2) -> list[Release]:
    """``count`` releases of the same rows and public randomness, differing only in
    their noise (build_release's steps, the exact sums formed once)."""
    builder = spec.builder(seed)
    totals = {k: np.asarray(v) for k, v in
              builder.accumulate(spec.data.domain.clip(rows)).items()}
    return [builder.finish(plan.apply(totals), plan) for _ in range(count)]


def test_ridge_grows_with_the_noise_variance() -> None:
    """lambda M = l0 + mean Var(z_j) / max k(y, y). Under replace-one n is public (no
    count noise) and the features' noise scale is proportional to 1/epsilon (Laplace),
    so a tenth of the epsilon is exactly a hundred times the ridge, up to the numerical
    floor l0 = 1e-12 kappa_max (1e-8 of it here). Under add/remove the noisy count adds
    its own draw (1/n~^2 and the z_j^2 Var n~ term) to the same proportion."""
    data = DataSpec(DIM, L2Ball(1.0), "replace_one")
    spec = parse_spec("gaussian_kde", {"bandwidth": 0.8, "features": 128}, data)
    ridges = []
    for epsilon in (10.0, 1.0, 0.1):
        release = _draws(spec, ROWS, noise_plan(spec, PrivacyBudget(epsilon)), 1)[0]
        ridges.append(kernel_expectation(release, spec, NODES, _g(NODES)).ridge)
    assert ridges[1] / ridges[0] == pytest.approx(100, rel=1e-6)
    assert ridges[2] / ridges[1] == pytest.approx(100, rel=1e-6)
    spec = parse_spec("gaussian_kde", {"bandwidth": 0.8, "features": 128}, BALL)
    rows = unit_ball_rows(4000, DIM, seed=4)
    noisy = [kernel_expectation(_draws(spec, rows, noise_plan(spec, PrivacyBudget(e)), 1)[0],
                                spec, NODES, _g(NODES)).ridge for e in (10.0, 1.0, 0.1)]
    # n~ at epsilon 0.1 is 4000 +- 85 (one std): within 4.5 stds (4000 / n~)^2 lies in
    # 0.83..1.22, and the z_j^2 Var n~ term is below 1% of Var z_j
    assert noisy[0] < noisy[1] < noisy[2]
    assert 70 < noisy[1] / noisy[0] < 145 and 70 < noisy[2] / noisy[1] < 145


def test_reported_std_matches_the_spread_over_noise_draws() -> None:
    """150 releases differing only in their Laplace noise: the sample std of the
    estimates has a relative standard error of about 1/sqrt(2 * 149) = 6% (the estimate
    sums 256 independent Laplace terms: close to normal), so it lies within a factor
    1.33 of the reported std (more than 4 standard errors). The reported std
    uses the noise's full covariance: treating the nodes' noise as independent would
    be off by more than that here."""
    spec = parse_spec("gaussian_kde", {"bandwidth": 0.8, "features": 256}, BALL)
    plan = noise_plan(spec, PrivacyBudget(1.0))
    results = [kernel_expectation(r, spec, NODES, _g(NODES))
               for r in _draws(spec, ROWS, plan, 150)]
    spread = float(np.std([r.value for r in results], ddof=1))
    reported = float(np.mean([r.std for r in results]))
    assert 1 / 1.33 < spread / reported < 1.33
    # the same weights with the nodes' noise taken as independent
    release = _draws(spec, ROWS, plan, 1)[0]
    answers = release.query(NODES, reduce="mean")
    spec_k = _release_kernel(release, NODES, NODES)
    q = kernel_quadrature(spec_k, answers.values, _g(NODES), ridge=results[0].ridge)
    independent = float(np.sqrt(np.sum(q.weights**2 * answers.std**2)))
    assert not 1 / 1.33 < independent / reported < 1.33


class _Opaque:
    """A kernel release this module does not know: the gaussian_kde release's answers
    only (its noise's correlations unknown)."""

    def __init__(self, inner: RandomFeatureRelease) -> None:
        self.inner = inner
        self.kind, self.dim = inner.kind, inner.dim
        self.count, self.plan = inner.count, inner.plan

    def query(self, points: NDArray[np.float64], reduce: Any = "sum") -> QueryResult:
        return self.inner.query(points, reduce)


def test_unknown_kernel_release_gets_the_exact_kernel_and_a_std_bound() -> None:
    """Where the release's kernel is unknown the exact kernel serves, and the std is
    the worst case over the noise's correlations, sum_j |w_j| s_j: at least the exact
    std of the same estimate."""
    spec = parse_spec("gaussian_kde", {"bandwidth": 0.8, "features": 128}, BALL)
    release = _draws(spec, ROWS, noise_plan(spec, PrivacyBudget(1.0)), 1)[0]
    assert isinstance(release, RandomFeatureRelease)
    known = kernel_expectation(release, spec, NODES, _g(NODES), kernel="exact")
    opaque = kernel_expectation(_Opaque(release), spec, NODES,  # type: ignore[arg-type]
                                _g(NODES))
    assert opaque.kernel == "exact" and not opaque.std_exact and known.std_exact
    assert opaque.value == pytest.approx(known.value, rel=1e-6)
    assert opaque.std >= known.std * (1 - 1e-9)
    with pytest.raises(InvalidParameter, match="kernel"):
        kernel_expectation(_Opaque(release), spec, NODES, _g(NODES),  # type: ignore[arg-type]
                           kernel="release")


# --- (4) bad input ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def gaussian() -> tuple[Spec, Release]:
    spec = parse_spec("gaussian_kde", {"bandwidth": 0.8, "features": 64}, BALL)
    return spec, _noiseless(spec, ROWS)


@pytest.mark.parametrize("kind", ["l1_distance", "sq_l2_distance", "inner_product",
                                  "l2_distance"])
def test_distance_and_moment_kinds_are_refused(kind: str) -> None:
    definition = kind_def(kind)
    spec = definition.spec.parse(definition.example_params, BALL)
    release = _noiseless(spec, ROWS)
    with pytest.raises(InvalidParameter, match="not a positive-definite kernel"):
        kernel_expectation(release, spec, NODES, _g(NODES))


@pytest.mark.parametrize(("nodes", "values", "error"), [
    (NODES, _g(NODES)[:-1], IncompatibleArrays),  # one value short
    (NODES[:, :1], _g(NODES), IncompatibleArrays),  # the wrong dimension
    (NODES[0], _g(NODES)[:1], IncompatibleArrays),  # not a matrix
    (np.zeros((0, DIM)), np.zeros(0), IncompatibleArrays),  # no nodes
    (np.where(np.arange(NODES.size).reshape(NODES.shape) == 3, np.nan, NODES), _g(NODES),
     IncompatibleArrays),
    (NODES, np.where(np.arange(len(NODES)) == 2, np.inf, _g(NODES)), IncompatibleArrays),
    (NODES * 1e16, _g(NODES), IncompatibleArrays),  # beyond MAX_QUERY_MAGNITUDE
    (np.zeros((MAX_NODES + 1, DIM)), np.zeros(MAX_NODES + 1), InvalidParameter),
])
def test_bad_nodes_and_values(gaussian: tuple[Spec, Release], nodes: Any, values: Any,
                              error: type[Exception]) -> None:
    spec, release = gaussian
    with pytest.raises(error):
        kernel_expectation(release, spec, nodes, values)


@pytest.mark.parametrize("ridge", [0.0, -1.0, math.nan, math.inf, 1e7, True])
def test_bad_ridge(gaussian: tuple[Spec, Release], ridge: Any) -> None:
    spec, release = gaussian
    with pytest.raises(InvalidParameter, match="ridge"):
        kernel_expectation(release, spec, NODES, _g(NODES), ridge=ridge)


def test_exact_kernel_needs_the_matching_spec(gaussian: tuple[Spec, Release]) -> None:
    spec, release = gaussian
    with pytest.raises(InvalidParameter, match="spec"):
        kernel_expectation(release, None, NODES, _g(NODES), kernel="exact")
    other = parse_spec("laplace_kde", {"bandwidth": 0.8, "features": 64}, BALL)
    with pytest.raises(InvalidParameter, match="spec"):
        kernel_expectation(release, other, NODES, _g(NODES), kernel="exact")
    with pytest.raises(InvalidParameter, match="kernel"):
        kernel_expectation(release, spec, NODES, _g(NODES),
                           kernel="approximate")  # type: ignore[arg-type]
