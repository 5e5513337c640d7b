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
minimises sum_{i in S} w_i (f(x_i) - Phi_i c)^2: lstsq on the rows scaled by sqrt(w_i).
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
These are host functions (NumPy, float64): the pool is public and the samplers are
sequential; an array of another namespace (CuPy) is copied to the host.
Randomness is public (it chooses public points), so it comes from the caller's
``numpy.random.Generator``. Derivations and measured figures: docs/solvers/design.md.

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
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations_with_replacement
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from core._array import to_host
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
    them, w_i = 1 / (N rho_i). For ``volume`` the first m indices are the DPP's."""

    method: str
    indices: NDArray[np.intp]
    weights: NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Design:
    """A sample and its weighted least-squares fit: ``coefficients`` (m,) in the
    caller's basis (predict with Phi @ coefficients); ``gram_condition``, the condition
    number of G = (1/n) sum w_i phi_i phi_i' in the pool-orthonormal basis (inf where
    the sample does not determine the fit, which then is the minimum-norm solution);
    ``gram_deviation`` = ||G - I||_2."""

    method: str
    indices: NDArray[np.intp]
    weights: NDArray[np.float64]
    coefficients: NDArray[np.float64]
    gram_condition: float
    gram_deviation: float
    full_rank: bool


@dataclass(frozen=True, slots=True)
class Selection:
    """Indices chosen from an L-ensemble, in the order chosen, and log det(L_S).
    ``complete`` is False when the greedy MAP stopped early because no remaining point
    adds volume (then fewer than k indices)."""

    method: str
    indices: NDArray[np.intp]
    log_det: float
    complete: bool


# --- progress and validation ----------------------------------------------------------

def _tell(progress: Callable[[float], None] | None, fraction: float) -> None:
    if progress is not None:
        progress(fraction)


def _matrix(value: Any, name: str) -> NDArray[np.float64]:
    try:
        arr = to_host(value)
    except (TypeError, ValueError) as exc:
        raise InvalidParameter(name, "must be a 2-D array of numbers") from exc
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise InvalidParameter(name, "must be a non-empty 2-D array")
    if not np.all(np.isfinite(arr)):
        raise InvalidParameter(name, "must be finite (no NaN or infinity)")
    return arr


def _pool(Phi: Any) -> NDArray[np.float64]:
    arr = _matrix(Phi, "Phi")
    N, m = arr.shape
    if N > MAX_POOL or m > MAX_FEATURES or N * m > MAX_ENTRIES:
        raise InvalidParameter("Phi", f"takes at most {MAX_POOL} rows, {MAX_FEATURES} "
                               f"columns and {MAX_ENTRIES} entries")
    if m > N:
        raise InvalidParameter("Phi", "needs at least as many pool points (rows) as "
                               "basis functions (columns)")
    return arr


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


def _orthonormal(Phi: NDArray[np.float64]) -> NDArray[np.float64]:
    """U (N, m) with orthonormal columns spanning col(Phi); refuses rank < m."""
    U, singular, _ = np.linalg.svd(Phi, full_matrices=False)
    if not singular[-1] > _RANK_TOL * singular[0]:
        raise InvalidParameter("Phi", "columns must be linearly independent on the pool "
                               "(numerical rank below the number of columns)")
    return U


# --- features -------------------------------------------------------------------------

def _legendre(x: NDArray[np.float64], degree: int) -> NDArray[np.float64]:
    """sqrt(2j + 1) P_j(x), j = 0..degree, by the three-term recurrence."""
    out = np.empty((x.size, degree + 1))
    prev, cur = np.zeros_like(x), np.ones_like(x)
    out[:, 0] = cur
    for j in range(1, degree + 1):  # j P_j = (2j - 1) x P_{j-1} - (j - 1) P_{j-2}
        prev, cur = cur, ((2 * j - 1) * x * cur - (j - 1) * prev) / j
        out[:, j] = cur
    out *= np.sqrt(2.0 * np.arange(degree + 1) + 1.0)
    return out


def _points(x: Any, name: str) -> NDArray[np.float64]:
    try:
        arr = to_host(x)
    except (TypeError, ValueError) as exc:
        raise InvalidParameter(name, "must be an array of numbers") from exc
    if arr.size == 0 or not np.all(np.isfinite(arr)):
        raise InvalidParameter(name, "must be a non-empty array of finite numbers")
    if np.any(np.abs(arr) > 1.0):
        raise InvalidParameter(name, "must lie in [-1, 1]")
    if arr.shape[0] > MAX_POOL:
        raise InvalidParameter(name, f"takes at most {MAX_POOL} points")
    return arr


def legendre_features(x: Any, degree: int) -> NDArray[np.float64]:
    """Phi (N, degree + 1): the Legendre polynomials sqrt(2j + 1) P_j at the points
    x (N,) in [-1, 1], orthonormal for the uniform probability measure dx / 2."""
    arr = _points(x, "x")
    if arr.ndim != 1:
        raise InvalidParameter("x", "must be 1-D (use polynomial_features for d > 1)")
    degree = _count(degree, "degree", 0, MAX_FEATURES - 1)
    return _legendre(arr, degree)


def polynomial_features(x: Any, degree: int) -> NDArray[np.float64]:
    """Phi (N, C(d + degree, d)): products of the orthonormal Legendre polynomials of
    total degree <= ``degree`` at points x (N, d) in [-1, 1]^d (orthonormal for the
    uniform measure on the cube), ordered by total degree. 1-D x is taken as d = 1."""
    arr = _points(x, "x")
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise InvalidParameter("x", "must be (N,) or (N, d)")
    degree = _count(degree, "degree", 0, MAX_FEATURES - 1)
    N, d = arr.shape
    if math.comb(d + degree, d) > MAX_FEATURES:
        raise InvalidParameter("degree", f"gives more than {MAX_FEATURES} features in "
                               "this dimension")
    tables = [_legendre(arr[:, k], degree) for k in range(d)]
    columns = [np.ones(N)]
    for total in range(1, degree + 1):
        for combo in combinations_with_replacement(range(d), total):
            powers = np.bincount(np.asarray(combo), minlength=d)
            col = np.ones(N)
            for k in np.flatnonzero(powers):
                col = col * tables[k][:, powers[k]]
            columns.append(col)
    return np.stack(columns, axis=1)


# --- leverage and samplers -------------------------------------------------------------

def leverage(Phi: Any) -> NDArray[np.float64]:
    """Leverage scores l (N,) of the pool, l_i = ||U_i||^2 = (U U')_ii with U an
    orthonormal basis of col(Phi); they sum to m. Optimal sampling probabilities are
    l / m and the optimal weights m / (N l)."""
    U = _orthonormal(_pool(Phi))
    scores: NDArray[np.float64] = np.sum(U * U, axis=1)
    return scores


def _weights(scores: NDArray[np.float64], indices: NDArray[np.intp]) -> NDArray[np.float64]:
    N, m = scores.size, float(np.sum(scores))
    return m / (N * scores[indices])


def _iid(scores: NDArray[np.float64], n: int, rng: np.random.Generator) -> NDArray[np.intp]:
    cumulative = np.cumsum(scores)
    draws = rng.random(n) * cumulative[-1]
    picked: NDArray[np.intp] = np.minimum(
        np.searchsorted(cumulative, draws, side="right"), scores.size - 1).astype(np.intp)
    return picked


def _projection_dpp(U: NDArray[np.float64], rng: np.random.Generator,
                    progress: Callable[[float], None] | None = None) -> NDArray[np.intp]:
    """Chain-rule sampler of the projection DPP with kernel U U' (U orthonormal
    columns, (N, r)): r distinct indices, O(N r^2). ``progress`` is told
    0.5 + 0.5 t / r after the t-th point (the second half of a call that found U)."""
    N, r = U.shape
    residual = np.sum(U * U, axis=1)  # d_i: squared norm of K's row i, nothing chosen yet
    C = np.zeros((N, r))  # Cholesky-like columns of K on the chosen points
    chosen = np.empty(r, dtype=np.intp)
    for t in range(r):
        cumulative = np.cumsum(residual)
        i = int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))
        i = min(i, N - 1)
        if not residual[i] > 0.0:  # rounding at a boundary: take the largest instead
            i = int(np.argmax(residual))
        column = (U @ U[i] - C[:, :t] @ C[i, :t]) / math.sqrt(residual[i])
        C[:, t] = column
        residual = np.maximum(residual - column * column, 0.0)
        residual[chosen[:t]] = 0.0
        residual[i] = 0.0
        chosen[t] = i
        _tell(progress, 0.5 + 0.5 * t / r)
    return chosen


def iid_optimal(Phi: Any, n: int, rng: np.random.Generator, *,
                progress: Callable[[float], None] | None = None) -> Sample:
    """n i.i.d. pool indices from rho = leverage / m (with replacement), and weights.

    ``progress``, if given, is called with a fraction in [0, 1], never decreasing: before
    the main work, once the basis is found (0.5; the draws come at once), and with 1.0 at
    a normal finish. An exception it raises propagates unchanged (a
    caller's way to cancel); it never changes the result."""
    rng = _generator(rng)
    pool = _pool(Phi)
    _tell(progress, 0.0)
    U = _orthonormal(pool)
    _tell(progress, 0.5)
    n = _count(n, "n", 1, MAX_SAMPLE)
    scores = np.sum(U * U, axis=1)
    indices = _iid(scores, n, rng)
    sample = Sample("iid", indices, _weights(scores, indices))
    _tell(progress, 1.0)
    return sample


def projection_dpp(Phi: Any, rng: np.random.Generator, *,
                   progress: Callable[[float], None] | None = None) -> Sample:
    """Exactly m distinct pool indices from the projection DPP with kernel U U' (the
    orthogonal projection onto col(Phi)), and weights.

    ``progress``, if given, is called with a fraction in [0, 1], never decreasing: before
    the main work, once the basis is found (0.5), after each DPP point, and with 1.0 at a
    normal finish (module docstring). An exception it raises propagates unchanged (a
    caller's way to cancel); it never changes the result."""
    rng = _generator(rng)
    pool = _pool(Phi)
    _tell(progress, 0.0)
    U = _orthonormal(pool)
    _tell(progress, 0.5)
    indices = _projection_dpp(U, rng, progress)
    sample = Sample("dpp", indices, _weights(np.sum(U * U, axis=1), indices))
    _tell(progress, 1.0)
    return sample


def volume_rescaled(Phi: Any, n: int, rng: np.random.Generator, *,
                    progress: Callable[[float], None] | None = None) -> Sample:
    """n >= m pool indices from the generalised volume-rescaled distribution: a
    projection DPP sample (the first m) and n - m i.i.d. draws from rho; and weights.

    ``progress``, if given, is called with a fraction in [0, 1], never decreasing: before
    the main work, once the basis is found (0.5), after each DPP point, and with 1.0 at a
    normal finish (module docstring). An exception it raises propagates unchanged (a
    caller's way to cancel); it never changes the result."""
    rng = _generator(rng)
    pool = _pool(Phi)
    _tell(progress, 0.0)
    U = _orthonormal(pool)
    _tell(progress, 0.5)
    m = U.shape[1]
    if isinstance(n, int | np.integer) and not isinstance(n, bool) and int(n) < m:
        raise InvalidParameter("n", "must be at least the number of basis functions m "
                               "for volume sampling")
    n = _count(n, "n", m, MAX_SAMPLE)
    scores = np.sum(U * U, axis=1)
    indices = np.concatenate([_projection_dpp(U, rng, progress), _iid(scores, n - m, rng)])
    sample = Sample("volume", indices, _weights(scores, indices))
    _tell(progress, 1.0)
    return sample


# --- least squares ----------------------------------------------------------------------

def _scaled_lstsq(A: NDArray[np.float64], b: NDArray[np.float64],
                  ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    coefficients, _, _, singular = np.linalg.lstsq(A, b, rcond=None)
    return coefficients.astype(np.float64), singular.astype(np.float64)


def _full_rank(singular: NDArray[np.float64], columns: int) -> bool:
    return singular.size == columns and bool(singular[-1] > _RANK_TOL * singular[0])


def _values(y: Any, name: str, n: int) -> NDArray[np.float64]:
    try:
        arr = to_host(y)
    except (TypeError, ValueError) as exc:
        raise InvalidParameter(name, "must be an array of numbers") from exc
    if arr.shape != (n,):
        raise InvalidParameter(name, "must have one value per row")
    if not np.all(np.isfinite(arr)):
        raise InvalidParameter(name, "must be finite (no NaN or infinity)")
    return arr


def weighted_least_squares(Phi_sample: Any, y: Any, weights: Any) -> NDArray[np.float64]:
    """argmin_c sum_i w_i (y_i - Phi_sample_i c)^2, by lstsq on the rows scaled by
    sqrt(w_i). Refuses a sample whose weighted rows do not have full column rank."""
    A = _matrix(Phi_sample, "Phi_sample")
    n, m = A.shape
    values = _values(y, "y", n)
    w = _values(weights, "weights", n)
    if np.any(w < 0.0):
        raise InvalidParameter("weights", "must be >= 0")
    root = np.sqrt(w)
    coefficients, singular = _scaled_lstsq(A * root[:, None], values * root)
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
    sampled ones are read) or a callable taking the sampled indices (n,) and returning
    their (n,) values (e.g. labels asked for on demand). A draw that does not determine
    the fit (possible for ``iid`` with n near m) is reported (full_rank False, condition
    inf, minimum-norm coefficients), not raised.

    ``progress``, if given, is called with a fraction in [0, 1], never decreasing: before
    the main work, once the basis is found (0.5), after each DPP point (0.5 + 0.5 t / m;
    the i.i.d. draws come at once), and with 1.0 at a normal finish. An exception it
    raises propagates unchanged (a caller's way to cancel); it never changes the
    result."""
    rng = _generator(rng)
    pool = _pool(Phi)
    _tell(progress, 0.0)
    U = _orthonormal(pool)
    _tell(progress, 0.5)
    N, m = U.shape
    scores = np.sum(U * U, axis=1)
    if method == "iid":
        size = _count(2 * m if n is None else n, "n", 1, MAX_SAMPLE)
        indices = _iid(scores, size, rng)
    elif method == "dpp":
        if n is not None and n != m:
            raise InvalidParameter("n", "must be m (the number of basis functions) or "
                                   "omitted for the projection DPP")
        indices = _projection_dpp(U, rng, progress)
    elif method == "volume":
        size = _count(2 * m if n is None else n, "n", m, MAX_SAMPLE)
        indices = np.concatenate([_projection_dpp(U, rng, progress),
                                  _iid(scores, size - m, rng)])
    else:
        raise InvalidParameter("method", "must be one of iid, dpp, volume")
    weights = _weights(scores, indices)
    if callable(y):
        reader: Callable[[NDArray[np.intp]], Any] = y
        values = _values(reader(indices.copy()), "y", indices.size)
    else:
        values = _values(y, "y", N)[indices]
    root = np.sqrt(weights)
    coefficients, singular = _scaled_lstsq(pool[indices] * root[:, None], values * root)
    # Gram matrix in the orthonormal basis phi = sqrt(N) U: (N / n) sum w_i U_i U_i'
    B = U[indices] * root[:, None] * math.sqrt(N / indices.size)
    gram = np.zeros(m)  # eigenvalues of G, decreasing (zeros where n < m)
    found = np.linalg.svd(B, compute_uv=False) ** 2
    gram[:found.size] = found
    full = _full_rank(singular, m) and bool(gram[-1] > _RANK_TOL**2 * gram[0])  # sv ratio
    condition = float(gram[0] / gram[-1]) if full else math.inf
    deviation = float(max(abs(gram[0] - 1.0), abs(gram[-1] - 1.0)))
    design = Design(method, indices, weights, coefficients, condition, deviation, full)
    _tell(progress, 1.0)
    return design


# --- quality-diversity ----------------------------------------------------------------

def _ensemble(K: Any, q: Any) -> NDArray[np.float64]:
    kernel = _matrix(K, "K")
    N = kernel.shape[0]
    if kernel.shape != (N, N):
        raise InvalidParameter("K", "must be square")
    if N > MAX_KERNEL_POOL:
        raise InvalidParameter("K", f"takes at most {MAX_KERNEL_POOL} points")
    scale = float(np.max(np.abs(kernel)))
    if float(np.max(np.abs(kernel - kernel.T))) > _SYMMETRY_TOL * max(scale, 1e-300):
        raise InvalidParameter("K", "must be symmetric")
    if np.any(np.diag(kernel) < 0.0):
        raise InvalidParameter("K", "must be positive semi-definite (negative diagonal)")
    quality = _values(q, "q", N)
    if np.any(quality < 0.0):
        raise InvalidParameter("q", "must be >= 0")
    L = quality[:, None] * kernel * quality[None, :]
    return (L + L.T) / 2.0


def _log_elementary(log_lam: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    """log e_l(lambda_1..lambda_n) for l = 0..k and n = 0..N, as (k + 1, N + 1), by
    e_l(.., n) = e_l(.., n - 1) + lambda_n e_{l-1}(.., n - 1) in log space."""
    N = log_lam.size
    E = np.full((k + 1, N + 1), -np.inf)
    E[0, :] = 0.0
    for j in range(1, N + 1):
        E[1:, j] = np.logaddexp(E[1:, j - 1], log_lam[j - 1] + E[:-1, j - 1])
    return E


def _k_dpp(L: NDArray[np.float64], k: int, rng: np.random.Generator,
           progress: Callable[[float], None] | None = None) -> NDArray[np.intp]:
    """Kulesza and Taskar's k-DPP sampler; ``progress`` is told 0.5 after the
    eigendecomposition, then the projection DPP's points."""
    lam, V = np.linalg.eigh(L)
    top = float(max(lam[-1], 0.0))
    if lam[0] < -_PSD_TOL * max(top, 1e-300):
        raise InvalidParameter("K", "must be positive semi-definite")
    positive = lam > _RANK_TOL * top
    if int(np.sum(positive)) < k:
        raise InvalidParameter("k", "must not exceed the rank of L (points with positive "
                               "quality that K tells apart)")
    lam, V = lam[positive], V[:, positive]
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
    return _projection_dpp(V[:, keep], rng, progress)


def _greedy_map(L: NDArray[np.float64], k: int,
                progress: Callable[[float], None] | None = None,
                ) -> tuple[NDArray[np.intp], bool]:
    """Chen, Zhang and Zhou (2018): greedy argmax of det(L_S) by incremental Cholesky;
    ``progress`` is told t / k after the t-th point."""
    N = L.shape[0]
    C = np.zeros((k, N))
    gains = np.diag(L).copy()
    floor = _RANK_TOL * max(float(np.max(gains)), 1e-300)
    chosen: list[int] = []
    for t in range(k):
        i = int(np.argmax(gains))
        if not gains[i] > floor:
            return np.asarray(chosen, dtype=np.intp), False
        chosen.append(i)
        row = (L[i] - C[:t, i] @ C[:t]) / math.sqrt(gains[i])
        C[t] = row
        gains = gains - row * row
        gains[chosen] = -np.inf
        _tell(progress, t / k)
    return np.asarray(chosen, dtype=np.intp), True


def quality_diversity(K: Any, q: Any, k: int, rng: np.random.Generator | None = None, *,
                      method: Literal["sample", "greedy"] = "sample",
                      progress: Callable[[float], None] | None = None) -> Selection:
    """k points from the L-ensemble L = diag(q) K diag(q) (K (N, N) PSD similarity of
    the public points, q (N,) >= 0 qualities): ``sample`` draws the k-DPP exactly
    (P(S) proportional to det(L_S); needs ``rng``), ``greedy`` takes the greedy MAP
    (deterministic; may stop short of k where no point adds volume).

    ``progress``, if given, is called with a fraction in [0, 1], never decreasing: before
    the main work, then for ``sample`` 0.5 after the eigendecomposition and
    0.5 + 0.5 t / k after each point, for ``greedy`` t / k after each point, and with 1.0
    at a normal finish. An exception it raises propagates unchanged (a caller's way to
    cancel); it never changes the result."""
    L = _ensemble(K, q)
    N = L.shape[0]
    k = _count(k, "k", 1, N)
    if method == "sample":
        generator = _generator(rng)
        _tell(progress, 0.0)
        indices = _k_dpp(L, k, generator, progress)
        complete = True
    elif method == "greedy":
        _tell(progress, 0.0)
        indices, complete = _greedy_map(L, k, progress)
    else:
        raise InvalidParameter("method", "must be sample or greedy")
    log_det = -math.inf
    if indices.size:
        sign, value = np.linalg.slogdet(L[np.ix_(indices, indices)])
        log_det = float(value) if sign > 0 else -math.inf
    selection = Selection(method, indices, log_det, complete)
    _tell(progress, 1.0)
    return selection
