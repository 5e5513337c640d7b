"""Least-squares designs on a public pool: optimal (leverage) sampling, projection DPPs,
generalised volume-rescaled sampling (Nouy and Michel, "Weighted least-squares
approximation with determinantal point processes and generalized volume sampling"), and
quality-diversity selection from an L-ensemble.

The setting. A public pool of N candidate points x_1..x_N carries the uniform measure
mu (mass 1/N each); the caller gives the pool's feature matrix Phi (N, m), column j the
j-th basis function at the pool points (``legendre_features`` and ``polynomial_features``
build one). The best approximation of a target f in span(Phi) is the least-squares fit
on the whole pool, error ||f - Phi c*||_mu. The task: choose n << N points, ask for f
only there, and fit a weighted least squares close to the best.

Leverage and optimal weights. Let U (N, m) be an orthonormal basis of col(Phi) (thin
SVD; Phi must have full column rank on the pool). The functions phi_j = sqrt(N) U[:, j]
are orthonormal in L2(mu), and their Christoffel function is k_m(x_i) = N l_i with the
leverage l_i = ||U_i||^2 (sum_i l_i = m; l_i is the diagonal of the projection U U'
onto col(Phi)). The optimal sampling measure has density k_m / m with respect to mu, so
as probabilities on the pool

    rho_i = mu_i k_m(x_i) / m = l_i / m,

and the weight that makes the empirical Gram matrix unbiased is w = m / k_m, that is

    w_i = m / (N l_i) = 1 / (N rho_i):

for x ~ rho, E[w(x) phi(x) phi(x)'] = sum_i rho_i / (N rho_i) phi_i phi_i' = I.

Samplers (each returns pool indices and the weights w at them):

- ``iid_optimal``: n i.i.d. draws from rho (with replacement). Needs n ~ m log m for a
  well-conditioned Gram matrix with high probability; at n = m it is often unstable.
- ``projection_dpp``: the projection DPP with kernel K = U U' (exactly m points,
  P(S) = det(K_S)). Its one-point marginals are P(i in S) = K_ii = l_i, i.e. a point drawn
  from the sample at random is rho-distributed, and E[sum_{i in S} w_i phi_i phi_i'] =
  m I. Sampled by the chain rule (Gram-Schmidt on the rows of U; the sampler of DPPy's
  ``mode='GS'``): at step t pick i with probability d_i / (m - t), where d_i is the
  squared norm of K's row i after projecting out the points already chosen, then update
  d. O(N m^2) time, O(N m) memory.
- ``volume_rescaled``: n >= m points, a projection DPP(K) sample together with n - m
  i.i.d. draws from rho. This is the volume-rescaled distribution of the weighted
  features sqrt(w) phi under rho^n, density proportional to
  det(sum_k w(x_k) phi(x_k) phi(x_k)') prod_k rho(x_k) (Derezinski, Warmuth and Hsu's
  decomposition: a random permutation of DPP(m) union iid(n - m); the order does not
  matter to least squares). Rewritten with respect to mu the DPP part's density is
  det(phi(x_i)' phi(x_j)), the projection DPP with kernel U U' above.

Weighted least squares. With sample S (a multiset) and weights w, the estimator
minimises sum_{i in S} w_i (f(x_i) - Phi_i c)^2: the minimum-norm least squares of the
rows scaled by sqrt(w_i), through their thin SVD (the Array API has no lstsq); singular
values at most eps max(n, m) times the largest count as zero, numpy.linalg.lstsq's rule.
``solve_design`` also reports the condition number of the sample's Gram matrix in the
orthonormal basis, G = (1/n) sum_{i in S} w_i phi_i phi_i' (its expectation is I: a
condition number near 1 means the sample is as good as the whole pool).

Quality-diversity. Given a PSD similarity K (N, N) between public points and qualities
q >= 0, the L-ensemble L = diag(q) K diag(q) favours sets of high-quality, dissimilar
points, det(L_S) = prod_{i in S} q_i^2 det(K_S). ``quality_diversity`` either samples the
k-DPP P(S) proportional to det(L_S), |S| = k, exactly (eigendecomposition of L, then the
k eigenvectors chosen through the elementary symmetric polynomials of the eigenvalues,
computed in log space, then the projection DPP on them: Kulesza and Taskar, Alg. 8), or
takes the greedy MAP (Chen, Zhang and Zhou 2018: incremental Cholesky, O(N k^2)),
which is deterministic. Qualities taken from a released DP structure make this
post-processing: it spends no budget. A zero-quality point is never chosen.

Every loop here is bounded by m, k or N steps; sizes are capped (``MAX_POOL``,
``MAX_FEATURES``, ``MAX_ENTRIES``, ``MAX_KERNEL_POOL``, ``MAX_SAMPLE``) at what a solve
job may take on one machine; the service's own limits are lower and configurable.
The code is array-generic (``array_api_compat``): each function computes, in float64,
in the namespace and on the device of its leading array (Phi, Phi_sample, x or K):
NumPy, array-api-strict, or CuPy through the same code. Its arrays come back there
(indices as int64, weights, coefficients, features); scalars come back as Python floats
and bools. The other arrays (y, weights, q, and what a ``y`` callable returns) are moved
to that namespace, through the host if they come from another library; lists are taken
as NumPy. The samplers are sequential: each chain-rule step reads a few scalars back (the
running total, the chosen index), one synchronisation per point on a GPU, and the k-DPP
chooses its eigenvectors on the host from the N eigenvalues (O(N k)).
Randomness is public (it chooses public points), so it comes from the caller's
``numpy.random.Generator``, on the host: its uniforms are used as Python floats (or
copied to the device as one array for the i.i.d. draws), never a device generator, so
a seed chooses the same points on every namespace up to rounding.
Derivations and measured figures: docs/solvers/design.md.

Progress: the samplers, ``solve_design`` and ``quality_diversity`` take an optional
callback told how far they are, a fraction in [0, 1] that never decreases: 0 before the
main work, 0.5 once the basis is found (the SVD of Phi, or the eigendecomposition of L
for the k-DPP), then 0.5 + 0.5 t / r after the DPP chain rule's t-th point (t = 0..r-1),
or t / k after the greedy MAP's t-th point, and 1.0 at a normal finish. It is a worker's
hook: an exception it raises ends the call and propagates unchanged; it never changes
the result (it draws nothing from ``rng``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations_with_replacement
from typing import Any, Literal

import numpy as np
from array_api_compat import array_namespace, device, is_array_api_obj
from numpy.typing import NDArray

from core._array import Array, to_host
from core.errors import InvalidParameter

__all__ = [
    "MAX_ENTRIES",
    "MAX_FEATURES",
    "MAX_KERNEL_POOL",
    "MAX_POOL",
    "MAX_SAMPLE",
    "Design",
    "Sample",
    "Selection",
    "iid_optimal",
    "legendre_features",
    "leverage",
    "polynomial_features",
    "projection_dpp",
    "public_rng",
    "quality_diversity",
    "solve_design",
    "volume_rescaled",
    "weighted_least_squares",
]

MAX_POOL = 4_000_000  # candidate points
MAX_FEATURES = 1_000  # basis functions (columns of Phi)
MAX_ENTRIES = 400_000_000  # N * m: 3.2 GB of float64 for Phi, as much again for U
MAX_KERNEL_POOL = 20_000  # N for an (N, N) kernel: 3.2 GB, eigendecomposition ~1 h
MAX_SAMPLE = 1_000_000  # n, points drawn with replacement
_RANK_TOL = 1e-10  # singular values below this times the largest count as zero
_EPS = float(np.finfo(np.float64).eps)  # least squares: numpy.linalg.lstsq's rcond=None


def public_rng(seed: int) -> np.random.Generator:
    """The generator of a design's public randomness: which public points are chosen.
    It draws no privacy noise (that is core.privacy.noise's alone, through OpenDP), so
    NumPy's PCG64 is right here, and a caller who keeps the seed reproduces the choice."""
    return np.random.Generator(np.random.PCG64(seed))
_SYMMETRY_TOL = 1e-8  # |K - K'| allowed, relative to max |K|
_PSD_TOL = 1e-8  # eigenvalues of L above -this times the largest are rounding

Method = Literal["iid", "dpp", "volume"]


@dataclass(frozen=True, slots=True)
class Sample:
    """Pool ``indices`` (n,) chosen by ``method`` and the optimal ``weights`` (n,) at
    them, w_i = 1 / (N rho_i). For ``volume`` the first m indices are the DPP's. Both
    are arrays of Phi's namespace (int64 and float64)."""

    method: str
    indices: Array
    weights: Array


@dataclass(frozen=True, slots=True)
class Design:
    """A sample and its weighted least-squares fit: ``coefficients`` (m,) in the
    caller's basis (predict with Phi @ coefficients); ``gram_condition``, the condition
    number of G = (1/n) sum w_i phi_i phi_i' in the pool-orthonormal basis (inf where
    the sample does not determine the fit, which then is the minimum-norm solution);
    ``gram_deviation`` = ||G - I||_2. Arrays are of Phi's namespace."""

    method: str
    indices: Array
    weights: Array
    coefficients: Array
    gram_condition: float
    gram_deviation: float
    full_rank: bool


@dataclass(frozen=True, slots=True)
class Selection:
    """Indices chosen from an L-ensemble, in the order chosen (an int64 array of K's
    namespace), and log det(L_S). ``complete`` is False when the greedy MAP stopped
    early because no remaining point adds volume (then fewer than k indices)."""

    method: str
    indices: Array
    log_det: float
    complete: bool


# --- progress and validation ----------------------------------------------------------

def _tell(progress: Callable[[float], None] | None, fraction: float) -> None:
    if progress is not None:
        progress(fraction)


def _float_array(value: Any, name: str, rule: str) -> Array:
    """value as a float64 array of its own namespace (lists, scalars: NumPy)."""
    if isinstance(value, np.ndarray | np.generic) or not is_array_api_obj(value):
        try:
            return np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InvalidParameter(name, rule) from exc
    xp = array_namespace(value)
    if not xp.isdtype(value.dtype, ("real floating", "integral", "bool")):
        raise InvalidParameter(name, rule)
    return xp.astype(value, xp.float64, copy=False)


def _into(xp: Any, like: Array, value: Any, name: str, rule: str) -> Array:
    """value as a float64 array of xp on like's device; an array of another library
    goes through the host."""
    arr = _float_array(value, name, rule)
    if array_namespace(arr) is not xp:
        arr = xp.asarray(to_host(arr), device=device(like))
    return arr


def _host_indices(indices: Array) -> NDArray[np.intp]:
    """A fresh NumPy intp copy of an index array of any namespace."""
    if isinstance(indices, np.ndarray):
        host = indices
    elif hasattr(indices, "get"):  # CuPy
        host = indices.get()
    else:
        host = np.from_dlpack(indices)
    return np.array(host, dtype=np.intp)


def _matrix(value: Any, name: str) -> tuple[Any, Array]:
    """The namespace of value and value as a checked float64 matrix of it."""
    arr = _float_array(value, name, "must be a 2-D array of numbers")
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise InvalidParameter(name, "must be a non-empty 2-D array")
    xp = array_namespace(arr)
    if not bool(xp.all(xp.isfinite(arr))):
        raise InvalidParameter(name, "must be finite (no NaN or infinity)")
    return xp, arr


def _pool(Phi: Any) -> tuple[Any, Array]:
    xp, arr = _matrix(Phi, "Phi")
    N, m = arr.shape
    if N > MAX_POOL or m > MAX_FEATURES or N * m > MAX_ENTRIES:
        raise InvalidParameter("Phi", f"takes at most {MAX_POOL} rows, {MAX_FEATURES} "
                               f"columns and {MAX_ENTRIES} entries")
    if m > N:
        raise InvalidParameter("Phi", "needs at least as many pool points (rows) as "
                               "basis functions (columns)")
    return xp, arr


def _generator(rng: Any) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise InvalidParameter("rng", "must be a numpy.random.Generator")
    return rng


def _count(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InvalidParameter(name, "must be an integer")
    if not low <= int(value) <= high:
        raise InvalidParameter(name, f"must be between {low} and {high}")
    return int(value)


def _orthonormal(xp: Any, Phi: Array) -> Array:
    """U (N, m) with orthonormal columns spanning col(Phi); refuses rank < m."""
    U, singular, _ = xp.linalg.svd(Phi, full_matrices=False)
    if not float(singular[-1]) > _RANK_TOL * float(singular[0]):
        raise InvalidParameter("Phi", "columns must be linearly independent on the pool "
                               "(numerical rank below the number of columns)")
    return U


# --- features -------------------------------------------------------------------------

def _legendre(xp: Any, x: Array, degree: int) -> Array:
    """sqrt(2j + 1) P_j(x), j = 0..degree, by the three-term recurrence."""
    out = xp.empty((x.shape[0], degree + 1), dtype=x.dtype, device=device(x))
    prev, cur = xp.zeros_like(x), xp.ones_like(x)
    out[:, 0] = cur
    for j in range(1, degree + 1):  # j P_j = (2j - 1) x P_{j-1} - (j - 1) P_{j-2}
        prev, cur = cur, ((2 * j - 1) * x * cur - (j - 1) * prev) / j
        out[:, j] = cur
    out *= xp.sqrt(2.0 * xp.arange(degree + 1, dtype=x.dtype, device=device(x)) + 1.0)
    return out


def _points(x: Any, name: str) -> tuple[Any, Array]:
    arr = _float_array(x, name, "must be an array of numbers")
    xp = array_namespace(arr)
    if math.prod(arr.shape) == 0 or not bool(xp.all(xp.isfinite(arr))):
        raise InvalidParameter(name, "must be a non-empty array of finite numbers")
    if bool(xp.any(xp.abs(arr) > 1.0)):
        raise InvalidParameter(name, "must lie in [-1, 1]")
    if arr.ndim > 0 and arr.shape[0] > MAX_POOL:
        raise InvalidParameter(name, f"takes at most {MAX_POOL} points")
    return xp, arr


def legendre_features(x: Any, degree: int) -> Array:
    """Phi (N, degree + 1): the Legendre polynomials sqrt(2j + 1) P_j at the points
    x (N,) in [-1, 1], orthonormal for the uniform probability measure dx / 2; in x's
    namespace."""
    xp, arr = _points(x, "x")
    if arr.ndim != 1:
        raise InvalidParameter("x", "must be 1-D (use polynomial_features for d > 1)")
    degree = _count(degree, "degree", 0, MAX_FEATURES - 1)
    return _legendre(xp, arr, degree)


def polynomial_features(x: Any, degree: int) -> Array:
    """Phi (N, C(d + degree, d)): products of the orthonormal Legendre polynomials of
    total degree <= ``degree`` at points x (N, d) in [-1, 1]^d (orthonormal for the
    uniform measure on the cube), ordered by total degree; in x's namespace. 1-D x is
    taken as d = 1."""
    xp, arr = _points(x, "x")
    if arr.ndim == 1:
        arr = xp.expand_dims(arr, axis=1)
    if arr.ndim != 2:
        raise InvalidParameter("x", "must be (N,) or (N, d)")
    degree = _count(degree, "degree", 0, MAX_FEATURES - 1)
    N, d = arr.shape
    if math.comb(d + degree, d) > MAX_FEATURES:
        raise InvalidParameter("degree", f"gives more than {MAX_FEATURES} features in "
                               "this dimension")
    tables = [_legendre(xp, arr[:, k], degree) for k in range(d)]
    ones = xp.ones(N, dtype=arr.dtype, device=device(arr))
    columns = [ones]
    for total in range(1, degree + 1):
        for combo in combinations_with_replacement(range(d), total):
            col = ones
            for k, power in sorted(Counter(combo).items()):
                col = col * tables[k][:, power]
            columns.append(col)
    return xp.stack(columns, axis=1)


# --- leverage and samplers -------------------------------------------------------------

def leverage(Phi: Any) -> Array:
    """Leverage scores l (N,) of the pool, l_i = ||U_i||^2 = (U U')_ii with U an
    orthonormal basis of col(Phi); they sum to m. Optimal sampling probabilities are
    l / m and the optimal weights m / (N l). In Phi's namespace."""
    xp, pool = _pool(Phi)
    U = _orthonormal(xp, pool)
    return xp.sum(U * U, axis=1)


def _weights(xp: Any, scores: Array, indices: Array) -> Array:
    N, m = scores.shape[0], float(xp.sum(scores))
    return m / (N * xp.take(scores, indices, axis=0))


def _iid(xp: Any, scores: Array, n: int, rng: np.random.Generator) -> Array:
    """n indices drawn with probabilities proportional to scores; the n uniforms come
    from rng on the host, in one array."""
    cumulative = xp.cumulative_sum(scores)
    draws = rng.random(n) * float(cumulative[-1])
    found = xp.searchsorted(cumulative, xp.asarray(draws, device=device(scores)),
                            side="right")
    last = xp.asarray(scores.shape[0] - 1, dtype=found.dtype, device=device(scores))
    return xp.minimum(found, last)


def _projection_dpp(U: Array, rng: np.random.Generator,
                    progress: Callable[[float], None] | None = None) -> Array:
    """Chain-rule sampler of the projection DPP with kernel U U' (U orthonormal
    columns, (N, r), any namespace): r distinct indices (int64, U's namespace),
    O(N r^2). Each step draws one uniform from rng on the host and reads back the
    running total and the chosen index. ``progress`` is told 0.5 + 0.5 t / r after the
    t-th point (the second half of a call that found U)."""
    xp = array_namespace(U)
    where = device(U)
    N, r = U.shape
    residual = xp.sum(U * U, axis=1)  # d_i: squared norm of K's row i, nothing chosen yet
    C = xp.zeros((N, r), dtype=U.dtype, device=where)  # Cholesky-like columns of K
    alive = xp.ones(N, dtype=U.dtype, device=where)  # 0 at the points already chosen
    zero = xp.zeros((), dtype=U.dtype, device=where)
    chosen: list[int] = []
    for t in range(r):
        cumulative = xp.cumulative_sum(residual)
        draw = xp.asarray([rng.random() * float(cumulative[-1])], dtype=U.dtype,
                          device=where)
        i = min(int(xp.searchsorted(cumulative, draw, side="right")[0]), N - 1)
        if not float(residual[i]) > 0.0:  # rounding at a boundary: take the largest
            i = int(xp.argmax(residual))
        column = (U @ U[i, :] - C[:, :t] @ C[i, :t]) / math.sqrt(float(residual[i]))
        C[:, t] = column
        alive[i] = 0.0
        residual = xp.maximum(residual - column * column, zero) * alive
        chosen.append(i)
        _tell(progress, 0.5 + 0.5 * t / r)
    return xp.asarray(chosen, dtype=xp.int64, device=where)


def _basis(Phi: Any, rng: np.random.Generator, progress: Callable[[float], None] | None,
           ) -> tuple[np.random.Generator, Any, Array, Array]:
    """The samplers' first steps: the generator checked, the pool's namespace, the pool
    and its orthonormal basis U, with progress 0 before and 0.5 after."""
    rng = _generator(rng)
    xp, pool = _pool(Phi)
    _tell(progress, 0.0)
    U = _orthonormal(xp, pool)
    _tell(progress, 0.5)
    return rng, xp, pool, U


def iid_optimal(Phi: Any, n: int, rng: np.random.Generator, *,
                progress: Callable[[float], None] | None = None) -> Sample:
    """n i.i.d. pool indices from rho = leverage / m (with replacement), and weights.

    ``progress``: 0, 0.5 once the basis is found (the draws come at once), 1.0 at the
    end (the contract: module docstring)."""
    rng, xp, _, U = _basis(Phi, rng, progress)
    n = _count(n, "n", 1, MAX_SAMPLE)
    scores = xp.sum(U * U, axis=1)
    indices = _iid(xp, scores, n, rng)
    sample = Sample("iid", indices, _weights(xp, scores, indices))
    _tell(progress, 1.0)
    return sample


def projection_dpp(Phi: Any, rng: np.random.Generator, *,
                   progress: Callable[[float], None] | None = None) -> Sample:
    """Exactly m distinct pool indices from the projection DPP with kernel U U' (the
    orthogonal projection onto col(Phi)), and weights.

    ``progress``: 0, 0.5 once the basis is found, then after each DPP point, 1.0 at the
    end (the contract: module docstring)."""
    rng, xp, _, U = _basis(Phi, rng, progress)
    indices = _projection_dpp(U, rng, progress)
    sample = Sample("dpp", indices, _weights(xp, xp.sum(U * U, axis=1), indices))
    _tell(progress, 1.0)
    return sample


def volume_rescaled(Phi: Any, n: int, rng: np.random.Generator, *,
                    progress: Callable[[float], None] | None = None) -> Sample:
    """n >= m pool indices from the generalised volume-rescaled distribution: a
    projection DPP sample (the first m) and n - m i.i.d. draws from rho; and weights.

    ``progress``: 0, 0.5 once the basis is found, then after each DPP point, 1.0 at the
    end (the contract: module docstring)."""
    rng, xp, _, U = _basis(Phi, rng, progress)
    m = U.shape[1]
    if isinstance(n, int | np.integer) and not isinstance(n, bool) and int(n) < m:
        raise InvalidParameter("n", "must be at least the number of basis functions m "
                               "for volume sampling")
    n = _count(n, "n", m, MAX_SAMPLE)
    scores = xp.sum(U * U, axis=1)
    indices = xp.concat([_projection_dpp(U, rng, progress), _iid(xp, scores, n - m, rng)])
    sample = Sample("volume", indices, _weights(xp, scores, indices))
    _tell(progress, 1.0)
    return sample


# --- least squares ----------------------------------------------------------------------

def _scaled_lstsq(xp: Any, A: Array, b: Array) -> tuple[Array, Array]:
    """The minimum-norm least-squares solution of A c = b and A's singular values
    (decreasing), by the thin SVD of A; singular values at most eps max(n, m) times the
    largest count as zero (numpy.linalg.lstsq with rcond=None)."""
    left, singular, right = xp.linalg.svd(A, full_matrices=False)
    kept = singular > _EPS * max(A.shape) * float(singular[0])
    ones, zeros = xp.ones_like(singular), xp.zeros_like(singular)
    inverse = xp.where(kept, 1.0 / xp.where(kept, singular, ones), zeros)
    projected = xp.permute_dims(left, (1, 0)) @ b
    return xp.permute_dims(right, (1, 0)) @ (inverse * projected), singular


def _full_rank(singular: Array, columns: int) -> bool:
    return singular.shape[0] == columns and float(singular[-1]) > _RANK_TOL * float(
        singular[0])


def _values(xp: Any, like: Array, y: Any, name: str, n: int) -> Array:
    """y as a finite (n,) float64 vector of xp on like's device."""
    arr = _into(xp, like, y, name, "must be an array of numbers")
    if tuple(arr.shape) != (n,):
        raise InvalidParameter(name, "must have one value per row")
    if not bool(xp.all(xp.isfinite(arr))):
        raise InvalidParameter(name, "must be finite (no NaN or infinity)")
    return arr


def weighted_least_squares(Phi_sample: Any, y: Any, weights: Any) -> Array:
    """argmin_c sum_i w_i (y_i - Phi_sample_i c)^2, by the SVD of the rows scaled by
    sqrt(w_i), in Phi_sample's namespace. Refuses a sample whose weighted rows do not
    have full column rank."""
    xp, A = _matrix(Phi_sample, "Phi_sample")
    n, m = A.shape
    values = _values(xp, A, y, "y", n)
    w = _values(xp, A, weights, "weights", n)
    if bool(xp.any(w < 0.0)):
        raise InvalidParameter("weights", "must be >= 0")
    root = xp.sqrt(w)
    coefficients, singular = _scaled_lstsq(xp, A * xp.expand_dims(root, axis=1),
                                           values * root)
    if not _full_rank(singular, m):
        raise InvalidParameter("Phi_sample", "weighted sample rows must have full column "
                               "rank (at least m points with positive weight, linearly "
                               "independent)")
    return coefficients


def solve_design(Phi: Any, y: Any, rng: np.random.Generator, *,
                 method: Method = "volume", n: int | None = None,
                 progress: Callable[[float], None] | None = None) -> Design:
    """Sample by ``method`` (``iid``: n draws from rho; ``dpp``: the projection DPP, m
    points, n must be None or m; ``volume``: n >= m, default 2m) and fit the weighted
    least squares. ``y`` is either the (N,) values at every pool point (only the
    sampled ones are read) or a callable taking the sampled indices (n,), as a NumPy
    intp array on the host, and returning their (n,) values (e.g. labels asked for on
    demand). A draw that does not determine the fit (possible for ``iid`` with n near m)
    is reported (full_rank False, condition inf, minimum-norm coefficients), not raised.

    ``progress``, if given, is called with a fraction in [0, 1], never decreasing: before
    the main work, once the basis is found (0.5), after each DPP point (0.5 + 0.5 t / m;
    the i.i.d. draws come at once), and with 1.0 at a normal finish. An exception it
    raises propagates unchanged (a caller's way to cancel); it never changes the
    result."""
    rng, xp, pool, U = _basis(Phi, rng, progress)
    N, m = U.shape
    scores = xp.sum(U * U, axis=1)
    if method == "iid":
        size = _count(2 * m if n is None else n, "n", 1, MAX_SAMPLE)
        indices = _iid(xp, scores, size, rng)
    elif method == "dpp":
        if n is not None and n != m:
            raise InvalidParameter("n", "must be m (the number of basis functions) or "
                                   "omitted for the projection DPP")
        indices = _projection_dpp(U, rng, progress)
    elif method == "volume":
        size = _count(2 * m if n is None else n, "n", m, MAX_SAMPLE)
        indices = xp.concat([_projection_dpp(U, rng, progress),
                             _iid(xp, scores, size - m, rng)])
    else:
        raise InvalidParameter("method", "must be one of iid, dpp, volume")
    count = indices.shape[0]
    weights = _weights(xp, scores, indices)
    if callable(y):
        reader: Callable[[NDArray[np.intp]], Any] = y
        values = _values(xp, pool, reader(_host_indices(indices)), "y", count)
    else:
        values = xp.take(_values(xp, pool, y, "y", N), indices, axis=0)
    root = xp.sqrt(weights)
    rows = xp.expand_dims(root, axis=1)
    coefficients, singular = _scaled_lstsq(xp, xp.take(pool, indices, axis=0) * rows,
                                           values * root)
    # Gram matrix in the orthonormal basis phi = sqrt(N) U: (N / n) sum w_i U_i U_i'
    B = xp.take(U, indices, axis=0) * rows * math.sqrt(N / count)
    found = xp.linalg.svdvals(B) ** 2  # eigenvalues of G, decreasing (min(n, m) of them)
    top = float(found[0])
    bottom = float(found[-1]) if found.shape[0] == m else 0.0  # zeros where n < m
    full = _full_rank(singular, m) and bottom > _RANK_TOL**2 * top  # sv ratio
    condition = top / bottom if full else math.inf
    deviation = max(abs(top - 1.0), abs(bottom - 1.0))
    design = Design(method, indices, weights, coefficients, condition, deviation, full)
    _tell(progress, 1.0)
    return design


# --- quality-diversity ----------------------------------------------------------------

def _ensemble(K: Any, q: Any) -> tuple[Any, Array]:
    xp, kernel = _matrix(K, "K")
    N = kernel.shape[0]
    if tuple(kernel.shape) != (N, N):
        raise InvalidParameter("K", "must be square")
    if N > MAX_KERNEL_POOL:
        raise InvalidParameter("K", f"takes at most {MAX_KERNEL_POOL} points")
    scale = float(xp.max(xp.abs(kernel)))
    asymmetry = float(xp.max(xp.abs(kernel - xp.permute_dims(kernel, (1, 0)))))
    if asymmetry > _SYMMETRY_TOL * max(scale, 1e-300):
        raise InvalidParameter("K", "must be symmetric")
    if bool(xp.any(xp.linalg.diagonal(kernel) < 0.0)):
        raise InvalidParameter("K", "must be positive semi-definite (negative diagonal)")
    quality = _values(xp, kernel, q, "q", N)
    if bool(xp.any(quality < 0.0)):
        raise InvalidParameter("q", "must be >= 0")
    L = xp.expand_dims(quality, axis=1) * kernel * xp.expand_dims(quality, axis=0)
    return xp, (L + xp.permute_dims(L, (1, 0))) / 2.0


def _log_elementary(log_lam: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    """log e_l(lambda_1..lambda_n) for l = 0..k and n = 0..N, as (k + 1, N + 1), by
    e_l(.., n) = e_l(.., n - 1) + lambda_n e_{l-1}(.., n - 1) in log space."""
    N = log_lam.size
    E = np.full((k + 1, N + 1), -np.inf)
    E[0, :] = 0.0
    for j in range(1, N + 1):
        E[1:, j] = np.logaddexp(E[1:, j - 1], log_lam[j - 1] + E[:-1, j - 1])
    return E


def _k_dpp(xp: Any, L: Array, k: int, rng: np.random.Generator,
           progress: Callable[[float], None] | None = None) -> Array:
    """Kulesza and Taskar's k-DPP sampler: the eigendecomposition and the projection DPP
    in L's namespace, the choice of eigenvectors on the host from the eigenvalues.
    ``progress`` is told 0.5 after the eigendecomposition, then the projection DPP's
    points."""
    eigenvalues, V = xp.linalg.eigh(L)
    lam = to_host(eigenvalues)
    top = float(max(lam[-1], 0.0))
    if lam[0] < -_PSD_TOL * max(top, 1e-300):
        raise InvalidParameter("K", "must be positive semi-definite")
    positive = np.flatnonzero(lam > _RANK_TOL * top)
    if positive.size < k:
        raise InvalidParameter("k", "must not exceed the rank of L (points with positive "
                               "quality that K tells apart)")
    lam = lam[positive]
    _tell(progress, 0.5)
    with np.errstate(divide="ignore"):
        log_lam = np.log(lam)
    E = _log_elementary(log_lam, k)
    keep = np.zeros(lam.size, dtype=bool)
    remaining = k
    for j in range(lam.size, 0, -1):  # Kulesza and Taskar, Algorithm 8
        if remaining == 0:
            break
        if j == remaining:  # every eigenvector left is needed
            keep[:j] = True
            break
        p = math.exp(log_lam[j - 1] + E[remaining - 1, j - 1] - E[remaining, j])
        if rng.random() < p:
            keep[j - 1] = True
            remaining -= 1
    columns = xp.asarray(positive[keep], dtype=xp.int64, device=device(L))
    return _projection_dpp(xp.take(V, columns, axis=1), rng, progress)


def _greedy_map(xp: Any, L: Array, k: int,
                progress: Callable[[float], None] | None = None) -> tuple[list[int], bool]:
    """Chen, Zhang and Zhou (2018): greedy argmax of det(L_S) by incremental Cholesky,
    in L's namespace; ``progress`` is told t / k after the t-th point."""
    N = L.shape[0]
    where = device(L)
    C = xp.zeros((k, N), dtype=L.dtype, device=where)
    gains = xp.linalg.diagonal(L)
    floor = _RANK_TOL * max(float(xp.max(gains)), 1e-300)
    taken = xp.zeros(N, dtype=xp.bool, device=where)
    excluded = xp.full(N, -math.inf, dtype=L.dtype, device=where)
    chosen: list[int] = []
    for t in range(k):
        i = int(xp.argmax(gains))
        gain = float(gains[i])
        if not gain > floor:
            return chosen, False
        chosen.append(i)
        row = (L[i, :] - C[:t, i] @ C[:t, :]) / math.sqrt(gain)
        C[t, :] = row
        taken[i] = True
        gains = xp.where(taken, excluded, gains - row * row)
        _tell(progress, t / k)
    return chosen, True


def quality_diversity(K: Any, q: Any, k: int, rng: np.random.Generator | None = None, *,
                      method: Literal["sample", "greedy"] = "sample",
                      progress: Callable[[float], None] | None = None) -> Selection:
    """k points from the L-ensemble L = diag(q) K diag(q) (K (N, N) PSD similarity of
    the public points, q (N,) >= 0 qualities): ``sample`` draws the k-DPP exactly
    (P(S) proportional to det(L_S); needs ``rng``), ``greedy`` takes the greedy MAP
    (deterministic; may stop short of k where no point adds volume). The indices are an
    int64 array of K's namespace.

    ``progress``, if given, is called with a fraction in [0, 1], never decreasing: before
    the main work, then for ``sample`` 0.5 after the eigendecomposition and
    0.5 + 0.5 t / k after each point, for ``greedy`` t / k after each point, and with 1.0
    at a normal finish. An exception it raises propagates unchanged (a caller's way to
    cancel); it never changes the result."""
    xp, L = _ensemble(K, q)
    N = L.shape[0]
    k = _count(k, "k", 1, N)
    if method == "sample":
        generator = _generator(rng)
        _tell(progress, 0.0)
        indices = _k_dpp(xp, L, k, generator, progress)
        complete = True
    elif method == "greedy":
        _tell(progress, 0.0)
        chosen, complete = _greedy_map(xp, L, k, progress)
        indices = xp.asarray(chosen, dtype=xp.int64, device=device(L))
    else:
        raise InvalidParameter("method", "must be sample or greedy")
    log_det = -math.inf
    if indices.shape[0]:
        sign, value = xp.linalg.slogdet(xp.take(xp.take(L, indices, axis=0), indices,
                                                axis=1))
        log_det = float(value) if float(sign) > 0 else -math.inf
    selection = Selection(method, indices, log_det, complete)
    _tell(progress, 1.0)
    return selection
