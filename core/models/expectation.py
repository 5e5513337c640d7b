"""DP expectations of a public function by kernel quadrature on a released structure.

Given public nodes y_1..y_M and the values g(y_j) of a public function, estimate the
private rows' mean E_P[g] = (1/n) sum_x g(x) from a kernel structure alone:

    z_j = F(y_j) / n~           the release's mean answer: the DP kernel mean embedding
    w   = (K + lambda M I)^-1 z
    E_P[g] ~ w . g(Y)

If g = sum_i c_i k(., y_i) lies in the span of the kernel at the nodes, then
E_P[g] = sum_i c_i mu_P(y_i) = g(Y)^T K^-1 mu_P(Y) exactly (mu_P the kernel mean
embedding); otherwise w . g(Y) is the mean over P of g's kernel interpolant. It is
post-processing of the release: it spends nothing.

Which kernel. Every kernel structure registered today releases noisy random-feature
sums, and answers F(y) = sum_t w_t <S_t, phi_t(y)>: the embedding of the rows under the
release's own kernel k^(x, y) = sum_t w_t <phi_t(x), phi_t(y)>, public like its
frequencies. ``kernel="release"`` (the default where the release is one of those) takes
K = [k^(y_i, y_j)] and recomputes z in float64 from the noisy sums: z then lies in K's
span, and its only error is the privacy noise, whose covariance is known exactly
(sum_t (w_t sigma_t)^2 Phi_t Phi_t^T, plus the noisy count's rank-one term).
``kernel="exact"`` takes the kind's exact f (``KindDef.reference``) with the release's
answers; their random-feature error (about 1/sqrt(m) per node) lies outside K's span
and the weights amplify it: on the closed-form case of docs/expectation.md the error is
0.05 to 0.1 where the release's kernel gives 1.2e-4 (noise aside). It serves kernel
releases this module does not know.

The ridge: l = lambda M = l0 + mean_j Var(z_j) / max_j k(y_j, y_j), the posterior mean
of the embedding under a Gaussian-process prior of variance max k (the largest the
embedding can have: ||mu||_H^2 = E k(X, X') <= sup k), observing z with that noise
variance: it grows in proportion to the noise variance. l0 = 1e-12 kappa_max is the
numerical floor. Derivation, what the std covers, and measurements: docs/expectation.md.

    result = kernel_expectation(release, spec, nodes, values)
    result.value, result.std, result.ridge
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

from core.errors import IncompatibleArrays, InvalidParameter
from core.kinds import REGISTRY, kind_def
from core.kinds.cauchy_kde.release import CauchyKDERelease, feature_statistic
from core.kinds.vmf_kde.release import VmfKDERelease, to_sphere
from core.structures.base import (
    MAX_QUERY_MAGNITUDE,
    SECONDS_PER_MAC,
    SECONDS_PER_PASS,
    Release,
    clamp_count,
)
from core.structures.feature_maps import FeatureMap
from core.structures.feature_sums import RandomFeatureRelease
from core.structures.relu_features import ReluFeatureMap, ReluFeatureRelease

if TYPE_CHECKING:
    from core.structures.base import Spec

__all__ = ["KERNEL_KINDS", "MAX_NODES", "MAX_RIDGE", "MIN_RIDGE", "Expectation",
           "KernelChoice", "Quadrature", "check_kind", "expectation_seconds",
           "kernel_expectation", "kernel_quadrature", "qualifies"]

KernelChoice = Literal["release", "exact"]

# kinds whose f(x, y) is a positive-definite kernel: translation-invariant ones with a
# nonnegative spectral density (Bochner: gaussian, exponential, laplace), the Cauchy
# family 1 / (1 + h) (a completely monotone function of the conditionally negative-
# definite h = ||.||_2^2, ||.||_2 or ||.||_1 over the bandwidth), the von Mises-Fisher
# kernel e^{kappa x.y} and the arc-cosine / NTK kernels (limits of inner products of
# features). Distance and moment kinds are refused: their f is no kernel.
KERNEL_KINDS = frozenset({"gaussian_kde", "rff_baseline", "exponential_kde", "laplace_kde",
                          "cauchy_kde", "vmf_kde", "relu_nngp", "relu_ntk"})
MAX_NODES = 1024  # one M x M eigendecomposition per request: about a second at 1024
MIN_RIDGE = 1e-15  # lambda, in K + lambda M I
MAX_RIDGE = 1e6

_FLOOR = 1e-12  # l0 / kappa_max: eigenvalues of K are accurate to about 1e-16 kappa_max
_BLOCK = 1024  # frequencies per block when forming features at the nodes (M x 2048)
# an M x M symmetric eigendecomposition and the products around it, CPU seconds per M^3
# on the reference core of core.structures.base: measured 0.8-1.1 ns (CPU time) at M = 1024
SECONDS_PER_EIGH_CUBE = 2e-9
_NOT_FINITE = ("the quadrature overflows at these nodes (a kernel too small or too large "
               "there, or a ridge too small for it)")
SECONDS_PER_COSINE = 30e-9  # float64 cos or sin (core.structures.base SECONDS_PER_TRIG)


@dataclass(frozen=True, slots=True)
class Expectation:
    """The estimate of E_P[g] and what it is worth.

    ``std``: the std of the privacy noise in ``value`` (first order in the noisy count);
    exact where ``std_exact``, else the worst case over the noise's unknown correlations
    (sum_j |v_j| s_j, v = (K + lambda M I)^-1 g(Y) the weights of the z_j, s_j their
    noise stds). ``approximation_std``: with ``kernel="exact"``, the worst-case rms
    error that the release's own approximation (random features, rounding) puts into
    ``value``; 0 with the release's kernel, which has none. Neither covers the
    quadrature error of g between the nodes. ``ridge``: lambda in K + lambda M I;
    ``condition``: that matrix's condition number."""

    value: float
    std: float
    approximation_std: float
    ridge: float
    condition: float
    nodes: int
    kernel: KernelChoice
    std_exact: bool


@dataclass(frozen=True, slots=True)
class Quadrature:
    """``kernel_quadrature``'s answer: value = weights . z, the noise's std in it, lambda
    and the condition number of K + lambda M I."""

    value: float
    weights: NDArray[np.float64]
    std: float
    ridge: float
    condition: float


def qualifies(kind: str) -> bool:
    """Whether a structure of ``kind`` can answer expectations (its f is a kernel)."""
    return kind in KERNEL_KINDS and kind in REGISTRY


def check_kind(kind: str) -> None:
    """Refuse a kind whose f is not a positive-definite kernel."""
    if not qualifies(kind):
        kernels = ", ".join(k for k in REGISTRY if k in KERNEL_KINDS)
        raise InvalidParameter("structure", f"expectations need a kernel structure "
                               f"({kernels}); the f of {kind} is not a positive-definite "
                               "kernel")


def check_nodes(nodes: NDArray[np.float64], values: NDArray[np.float64],
                dim: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Nodes (M, dim) and values (M,), 1 <= M <= ``MAX_NODES``, finite, at most
    ``MAX_QUERY_MAGNITUDE`` in magnitude."""
    Y = np.asarray(nodes, dtype=np.float64)
    g = np.asarray(values, dtype=np.float64)
    if Y.ndim != 2 or Y.shape[1] != dim or Y.shape[0] == 0:
        raise IncompatibleArrays(f"nodes must have shape (M, {dim}) with M >= 1")
    if Y.shape[0] > MAX_NODES:
        raise InvalidParameter("nodes", f"at most {MAX_NODES} nodes")
    if g.shape != (Y.shape[0],):
        raise IncompatibleArrays("values must have one entry per node")
    if not (np.all(np.isfinite(Y)) and np.all(np.isfinite(g))):
        raise IncompatibleArrays("nodes and values must be finite (no NaN or Inf)")
    if max(float(np.max(np.abs(Y))), float(np.max(np.abs(g)))) > MAX_QUERY_MAGNITUDE:
        raise IncompatibleArrays(f"nodes and values must be at most "
                                 f"{MAX_QUERY_MAGNITUDE:g} in magnitude")
    return Y, g


def check_ridge(ridge: float | None) -> float | None:
    """None (chosen from the noise) or a finite lambda in [MIN_RIDGE, MAX_RIDGE]."""
    if ridge is None:
        return None
    if isinstance(ridge, bool) or not isinstance(ridge, int | float) or not (
            math.isfinite(ridge) and MIN_RIDGE <= ridge <= MAX_RIDGE):
        raise InvalidParameter("ridge", f"must be null (chosen from the noise) or a number "
                               f"between {MIN_RIDGE:g} and {MAX_RIDGE:g}")
    return float(ridge)


def kernel_quadrature(K: NDArray[np.float64], z: NDArray[np.float64],
                      g: NDArray[np.float64], *, ridge: float | None = None,
                      noise: NDArray[np.float64] | None = None,
                      error: NDArray[np.float64] | None = None) -> Quadrature:
    """g^T (K + lambda M I)^-1 z: the linear algebra, for a positive semi-definite K.

    ``noise``: the covariance of the noise in z (M x M; None: no noise), whose std the
    answer reports; ``error``: the covariance of other errors in z (approximation) that
    the ridge should weigh but the std does not report; ``ridge=None``: l = lambda M =
    l0 + mean(diag(noise + error)) / max(diag(K)) (module docstring)."""
    M = K.shape[0]
    if not (np.all(np.isfinite(K)) and np.all(np.isfinite(z))):
        raise InvalidParameter("nodes", _NOT_FINITE)
    kappa, U = np.linalg.eigh(K)
    kappa = np.maximum(kappa, 0.0)  # K is positive semi-definite: below 0 is rounding
    top = float(kappa[-1])
    if not top > 0:
        raise InvalidParameter("nodes", "the kernel is zero at every node")
    if ridge is None:
        variance = 0.0 if noise is None else float(np.mean(np.diag(noise)))
        variance += 0.0 if error is None else float(np.mean(np.diag(error)))
        shift = _FLOOR * top + max(variance, 0.0) / float(np.max(np.diag(K)))
    else:
        shift = ridge * M
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        weights = U @ ((U.T @ g) / (kappa + shift))  # (K + l I)^-1 g: K is symmetric
        variance = 0.0 if noise is None else float(weights @ noise @ weights)
        q = Quadrature(float(weights @ z), weights, math.sqrt(max(variance, 0.0)),
                       shift / M, (top + shift) / (float(kappa[0]) + shift))
    if not all(math.isfinite(x) for x in (q.value, q.std, q.ridge, q.condition)):
        raise InvalidParameter("nodes", _NOT_FINITE)
    return q


# --- the release's own kernel ------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Term:
    """One noisy feature sum S of a release, whose sum answer is weight * <S, phi(y)>
    with independent noise of std ``sigma`` on each coordinate of S. ``blocks(Y)``
    yields (Phi, S') over blocks of coordinates: the features of the nodes on those
    coordinates, (M, b), and the same coordinates of S."""

    weight: float
    sigma: float
    size: int  # coordinates of S
    width: int  # multiply-adds per node and coordinate (the projected dimension)
    blocks: Callable[[NDArray[np.float64]], Iterator[tuple[NDArray[np.float64],
                                                          NDArray[np.float64]]]]


def _fourier_blocks(fmap: FeatureMap, sums: NDArray[np.float64]) -> Callable[
        [NDArray[np.float64]], Iterator[tuple[NDArray[np.float64], NDArray[np.float64]]]]:
    """Random Fourier features in float64, ``_BLOCK`` frequencies at a time (paired:
    the cosines of every frequency, then the sines)."""
    def blocks(Y: NDArray[np.float64]) -> Iterator[tuple[NDArray[np.float64],
                                                         NDArray[np.float64]]]:
        Z = np.asarray(fmap.project(Y), dtype=np.float64)
        rows = fmap.frequencies.shape[0]
        for start in range(0, rows, _BLOCK):
            stop = min(start + _BLOCK, rows)
            part = FeatureMap(fmap.style, fmap.frequencies[start:stop],
                              None if fmap.phases is None else fmap.phases[start:stop],
                              None, fmap.kernel, "float64")
            if fmap.style == "paired":
                block = np.concatenate([sums[start:stop], sums[rows + start:rows + stop]])
            else:
                block = sums[start:stop]
            yield np.asarray(part.features(Z), dtype=np.float64), block
    return blocks


def _relu_blocks(fmap: ReluFeatureMap, sums: NDArray[np.float64]) -> Callable[
        [NDArray[np.float64]], Iterator[tuple[NDArray[np.float64], NDArray[np.float64]]]]:
    """The ReLU features, ``_BLOCK`` rows of W (then of U and V) at a time: a map of
    some of the rows, rescaled from 1/sqrt(its rows) to 1/sqrt(all rows)."""
    def blocks(Y: NDArray[np.float64]) -> Iterator[tuple[NDArray[np.float64],
                                                         NDArray[np.float64]]]:
        m = fmap.features
        for start in range(0, m, _BLOCK):
            stop = min(start + _BLOCK, m)
            part = ReluFeatureMap(fmap.weights[start:stop])
            Phi = np.asarray(part.transform(Y), dtype=np.float64)
            yield Phi * math.sqrt((stop - start) / m), sums[start:stop]
        t = fmap.tangent_features
        if fmap.tangent_values is None or fmap.tangent_gates is None:
            return
        for start in range(0, t, _BLOCK):
            stop = min(start + _BLOCK, t)
            part = ReluFeatureMap(fmap.weights[:1], fmap.tangent_values[start:stop],
                                  fmap.tangent_gates[start:stop])
            Phi = np.asarray(part.transform(Y), dtype=np.float64)[:, 1:]
            yield Phi * math.sqrt((stop - start) / t), sums[m + start:m + stop]
    return blocks


def _fourier_width(fmap: FeatureMap) -> int:
    """Multiply-adds per node and coordinate: the angle, plus the projection's share."""
    k = int(fmap.frequencies.shape[1])
    return k if fmap.projection is None else k + int(fmap.projection.size) // max(fmap.size, 1)


def _terms(release: Release) -> list[_Term] | None:
    """The feature sums of a random-feature release (None: another kind of release)."""
    if type(release) is RandomFeatureRelease:  # subclasses may transform their queries
        fmap = release.fmap
        return [_Term(fmap.scale, release.plan.std("features"), fmap.size,
                      _fourier_width(fmap), _fourier_blocks(fmap, release.feature_sum))]
    if isinstance(release, VmfKDERelease):  # the same, on nodes put on the unit sphere
        fmap, blocks = release.fmap, _fourier_blocks(release.fmap, release.feature_sum)
        return [_Term(fmap.scale, release.plan.std("features"), fmap.size,
                      _fourier_width(fmap),
                      lambda Y: blocks(np.asarray(to_sphere(Y), dtype=np.float64)))]
    if isinstance(release, CauchyKDERelease):
        return [_Term(a * fmap.scale, release.plan.std(feature_statistic(j)), fmap.size,
                      _fourier_width(fmap), _fourier_blocks(fmap, sums))
                for j, (a, fmap, sums) in enumerate(zip(
                    release.quadrature.coefficients, release.feature_maps,
                    release.feature_sums, strict=True))]
    if isinstance(release, ReluFeatureRelease):
        return [_Term(1.0, release.plan.std("features"), release.fmap.size,
                      2 * release.dim, _relu_blocks(release.fmap, release.feature_sum))]
    return None


def _count(release: Release) -> tuple[float, float]:
    """(the noisy n as a denominator, the std of its noise)."""
    count = getattr(release, "count", None)
    plan = getattr(release, "plan", None)
    if not isinstance(count, float) or plan is None:
        raise InvalidParameter("structure", "this release has no noisy count")
    return clamp_count(count), float(plan.std("count"))


def _feature_system(terms: Sequence[_Term], Y: NDArray[np.float64]) -> tuple[
        NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """(K, C, F) at the nodes in float64: the release's kernel sum_t w_t Phi_t Phi_t^T,
    the covariance of the noise in its sum answers sum_t (w_t sigma_t)^2 Phi_t Phi_t^T,
    and the sum answers sum_t w_t Phi_t S_t, a block of features at a time."""
    M = Y.shape[0]
    K, C, F = np.zeros((M, M)), np.zeros((M, M)), np.zeros(M)
    for term in terms:
        for Phi, sums in term.blocks(Y):
            gram = Phi @ Phi.T
            K += term.weight * gram
            C += (term.weight * term.sigma) ** 2 * gram
            F += term.weight * (Phi @ sums)
    return (K + K.T) / 2, (C + C.T) / 2, F


def _exact_kernel(spec: Spec, Y: NDArray[np.float64]) -> NDArray[np.float64]:
    """[f(y_i, y_j)] from the kind's exact brute force, one column at a time."""
    reference = kind_def(spec.kind).reference
    K = np.empty((Y.shape[0], Y.shape[0]))
    for j in range(Y.shape[0]):
        K[:, j] = reference(spec, Y[j:j + 1], Y)
    return (K + K.T) / 2


def kernel_expectation(release: Release, spec: Spec | None, nodes: NDArray[np.float64],
                       values: NDArray[np.float64], ridge: float | None = None, *,
                       kernel: KernelChoice | None = None) -> Expectation:
    """E_P[g] from a kernel structure's release (module docstring).

    ``spec``: the structure's spec, for its exact kernel (needed with
    ``kernel="exact"`` only); ``nodes`` (M, d) and ``values`` = g(nodes) (M,), public;
    ``ridge``: lambda in K + lambda M I, or None to choose it from the noise;
    ``kernel``: "release" (the release's own kernel, the default where the release
    has one) or "exact" (the kind's f)."""
    check_kind(release.kind)
    Y, g = check_nodes(nodes, values, release.dim)
    lam = check_ridge(ridge)
    terms = _terms(release)
    choice = kernel or ("release" if terms is not None else "exact")
    if choice not in ("release", "exact"):
        raise InvalidParameter("kernel", "must be 'release' or 'exact'")
    n_hat, count_std = _count(release)
    if terms is None:
        if choice == "release":
            raise InvalidParameter("kernel", "this release has no random-feature kernel: "
                                   "use 'exact'")
        return _exact(release, spec, Y, g, lam, None)
    K, C, F = _feature_system(terms, Y)
    if choice == "exact":
        return _exact(release, spec, Y, g, lam, C / n_hat**2)
    z = F / n_hat
    noise = (C + count_std**2 * np.outer(z, z)) / n_hat**2  # delta method in n~
    q = kernel_quadrature(K, z, g, ridge=lam, noise=noise)
    return Expectation(q.value, q.std, 0.0, q.ridge, q.condition, Y.shape[0], "release",
                       True)


def _exact(release: Release, spec: Spec | None, Y: NDArray[np.float64],
           g: NDArray[np.float64], lam: float | None,
           sum_noise: NDArray[np.float64] | None) -> Expectation:
    """The kind's exact kernel with the release's mean answers. ``sum_noise``: the
    covariance of the sums' noise over n~^2 (None: unknown; the std is then the worst
    case over its correlations)."""
    if spec is None:
        raise InvalidParameter("spec", "the exact kernel needs the structure's spec")
    if spec.kind != release.kind:
        raise InvalidParameter("spec", "is not the release's kind")
    n_hat, count_std = _count(release)
    answers = release.query(Y, reduce="mean")
    z, approx = answers.values, answers.approximation_std
    K = _exact_kernel(spec, Y)
    error = np.diag(approx**2)  # treated as independent across nodes by the ridge
    if sum_noise is not None:
        noise = sum_noise + (count_std / n_hat) ** 2 * np.outer(z, z)
        q = kernel_quadrature(K, z, g, ridge=lam, noise=noise, error=error)
        std, exact_std = q.std, True
    else:
        q = kernel_quadrature(K, z, g, ridge=lam, noise=np.diag(answers.std**2),
                              error=error)
        std, exact_std = float(np.abs(q.weights) @ answers.std), False
    return Expectation(q.value, std, float(np.abs(q.weights) @ approx), q.ridge,
                       q.condition, Y.shape[0], "exact", exact_std)


def expectation_seconds(release: Release, nodes: int) -> float:
    """Estimated CPU seconds of ``kernel_expectation`` on ``nodes`` nodes, beyond the
    query at the nodes that the exact kernel also makes (the caller prices it): the
    features at the nodes and their Gram matrices, or the exact kernel; the
    eigendecomposition."""
    M = nodes
    terms = _terms(release)
    if terms is None:  # the exact kernel, column by column
        seconds = 8.0 * M * M * release.dim * SECONDS_PER_PASS
    else:
        seconds = math.fsum(
            M * t.size * ((t.width + 1 + 2 * M) * SECONDS_PER_MAC["float64"]
                          + SECONDS_PER_COSINE) for t in terms)
    return float(seconds + SECONDS_PER_EIGH_CUBE * M**3)
