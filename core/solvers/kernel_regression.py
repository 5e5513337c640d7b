"""Kernel ridge regression and GP regression, solved by preconditioned conjugate gradients.

Training data are public points, DP-synthetic points or public points labelled by a
released structure (post-processing), never private rows. The kernel is a positive-
definite kernel kind of privsim's registry, by its catalog name and params; the kernel
itself, exactly, not the random-feature estimate a structure releases.

The maths (derivations and measured figures: docs/solvers/kernel_regression.md):

- Fit: alpha = (K + s^2 I)^{-1} y, K = k(X, X) (n, n), s^2 = ``ridge`` > 0. The kernel
  ridge prediction and the GP posterior mean at X* are both K*' alpha, K* = k(X, X*).
- GP posterior variance of the latent f: diag(K** - K*' (K + s^2 I)^{-1} K*), the
  solves done the way the fit was (PCG on the block of right-hand sides K*, or the
  stored Cholesky factor).
- Solver: conjugate gradients on K + s^2 I, preconditioned by P = L L' + s^2 I with
  L (n, r) a rank-r factor of K: Nystrom (r landmarks drawn by a seeded public RNG,
  L = K[:, S] K[S, S]^{-1/2} on the eigenvalues of K[S, S] above 1e-12 of the largest)
  or the partial Cholesky with greedy diagonal pivoting. With L = U Sigma V' (thin SVD),
  P^{-1} = I / s^2 + U diag(1 / (Sigma^2 + s^2) - 1 / s^2) U' (Woodbury, applied in
  O(n r) per vector). Every solve stops at ``max_iter`` iterations or ``time_limit``
  seconds and reports whether it converged (recursive residual at most ``tol`` times
  |y|) and its true relative residual |y - (K + s^2 I) alpha| / |y|.
- Student-t predictive (inverse-gamma(a, b) prior on the output scale sigma^2, with
  f ~ GP(0, sigma^2 k) and noise N(0, sigma^2 s^2)): nu = 2a + n degrees of freedom,
  location K*' alpha, scale diag Sigma* = (2b + y' alpha) / (2a + n) times the GP
  variance; its variance is Sigma* nu / (nu - 2) (infinite for nu <= 2).
- Leave-one-out residuals e_i = (y_i - yhat_i) / (1 - H_ii), H = K (K + s^2 I)^{-1},
  which equal alpha_i / [(K + s^2 I)^{-1}]_ii. The diagonal of the inverse is exact
  (from the Cholesky factor) for n <= ``LOO_EXACT_MAX``; above it, it is the
  preconditioner's exact diagonal plus a Hutchinson estimate of the rest,
  diag(A^{-1} - P^{-1}) ~ mean_k z_k * (A^{-1} z_k - P^{-1} z_k) over Rademacher z_k,
  clamped to the bounds 1 / A_ii <= (A^{-1})_ii <= 1 / s^2 that hold for any SPD A.

Progress: ``fit`` and ``KernelRegression.posterior`` take an optional callback told how
far they are toward stopping, a fraction in [0, 1] that never decreases; a PCG solve
tells max(iterations / max_iter, elapsed / time_limit, log(r0 / r) / log(1 / tol)), r
the largest relative residual of the columns not yet converged (r0 its first value), at
every iteration. It is a worker's hook: an exception it raises ends the solve and
propagates unchanged; it never changes the result.

Array-generic: every computation takes the namespace of the inputs (NumPy, CuPy,
array-api-strict) and keeps their device; the dense Cholesky has a NumPy/SciPy fast
path. Memory: the fitted model keeps K (n^2 floats) for the variance solves.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
from array_api_compat import array_namespace, device, is_array_api_obj, is_numpy_namespace
from scipy import linalg as sla  # type: ignore[import-untyped]

from core._array import Array
from core.domain import L2Ball
from core.errors import InvalidParameter
from core.kinds import kind_def
from core.kinds.vmf_kde.release import to_sphere
from core.structures import DataSpec, parse_spec

__all__ = ["DISTANCE_KINDS", "KERNEL_KINDS", "LOO_EXACT_MAX", "MIN_RIDGE", "RIDGE_FLOOR", "Kernel",
           "KernelRegression", "Method", "Posterior", "Preconditioner", "SolveInfo", "fit",
           "kernel_matrix", "make_kernel"]

KERNEL_KINDS: tuple[str, ...] = (
    "gaussian_kde", "exponential_kde", "laplace_kde", "cauchy_kde", "vmf_kde",
    "rff_baseline", "relu_nngp", "relu_ntk", "inner_product")
DISTANCE_KINDS: tuple[str, ...] = ("l1_distance", "l2_distance", "sq_l2_distance")

Method = Literal["pcg", "cholesky"]
Preconditioner = Literal["nystrom", "pivoted_cholesky", "none"]
_METHODS = ("pcg", "cholesky")
_PRECONDITIONERS = ("nystrom", "pivoted_cholesky", "none")

LOO_EXACT_MAX = 4096  # exact diag((K + s^2 I)^{-1}) up to this n (an n^3 / 3 factorisation)
DEFAULT_RANK = 256
DEFAULT_MAX_ITER = 5_000
DEFAULT_TIME_LIMIT = 120.0
DEFAULT_LOO_PROBES = 64
RIDGE_FLOOR = 1e-14  # ridge / max K_ii below this: K + ridge I keeps under 2 digits of it
MIN_RIDGE = 1e-280  # keeps 1 / ridge and the preconditioner's weights finite
_BLOCK_ELEMENTS = 1 << 22  # bound (rows, cols, d) difference temporaries to ~32 MB
_NYSTROM_RCOND = 1e-12  # eigenvalues of K[S, S] below this times the largest are dropped
_PIVOT_STOP = 1e-14  # pivoted Cholesky stops when the residual diagonal is this small


# --- kernels ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Kernel:
    """A positive-definite kernel kind with its parsed params, on ``dim``-dimensional
    inputs. ``matrix(X, Y)`` is k(X_i, Y_j) (n_X, n_Y); ``diagonal(X)`` is k(X_i, X_i).
    Feature-structure params (features, projection_dim, alpha, mechanism, ...) are
    validated as the catalog does and do not change the kernel."""

    kind: str
    params: Mapping[str, Any]
    dim: int
    bandwidth: float | None  # sigma of the kde kinds, None for the others
    kappa: float | None  # vmf_kde's concentration
    metric_input: str | None  # cauchy_kde's h(x, y): sq_l2, l2 or l1

    def matrix(self, X: Array, Y: Array) -> Array:
        xp = array_namespace(X, Y)
        kind, h = self.kind, self.bandwidth or 1.0
        if kind in ("gaussian_kde", "rff_baseline"):
            return xp.exp(-_sq_dist(xp, X, Y) / h**2)
        if kind == "exponential_kde":
            return _blocked(xp, X, Y, lambda t: xp.exp(-_l2(xp, t) / h))
        if kind == "laplace_kde":
            return _blocked(xp, X, Y, lambda t: xp.exp(-_l1(xp, t) / h))
        if kind == "cauchy_kde":
            if self.metric_input == "sq_l2":
                return 1.0 / (1.0 + _sq_dist(xp, X, Y) / h**2)
            metric = _l2 if self.metric_input == "l2" else _l1
            return _blocked(xp, X, Y, lambda t: 1.0 / (1.0 + metric(xp, t) / h))
        if kind == "vmf_kde":
            kappa = self.kappa or 1.0
            return xp.exp(kappa * (to_sphere(X) @ xp.matrix_transpose(to_sphere(Y)) - 1.0))
        if kind == "inner_product":
            return X @ xp.matrix_transpose(Y)
        return _relu(xp, X, Y, tangent=kind == "relu_ntk")

    def diagonal(self, X: Array) -> Array:
        xp = array_namespace(X)
        if self.kind in ("relu_nngp", "relu_ntk", "inner_product"):
            sq = xp.sum(X * X, axis=1)
            if self.kind == "inner_product":
                return sq
            # theta = 0 on the diagonal: NNGP = |x|^2 / (2d), NTK = |x|^2 / d
            return sq / (2 * self.dim) if self.kind == "relu_nngp" else sq / self.dim
        return xp.ones(X.shape[0], dtype=X.dtype, device=device(X))


def make_kernel(kind: str, params: Mapping[str, Any], dim: int) -> Kernel:
    """The kernel of ``kind`` with ``params`` (parsed strictly, as the catalog does) on
    ``dim``-dimensional inputs. Distance kinds are refused: they are not positive-
    definite kernels. The params are parsed on the unit ball; the domain only enters the
    random-feature checks of a structure, never the kernel's value."""
    if kind in DISTANCE_KINDS:
        raise InvalidParameter("kind", "not a positive-definite kernel: choose one of "
                               + ", ".join(KERNEL_KINDS))
    kind_def(kind)  # unknown names: the registry's own refusal
    if kind not in KERNEL_KINDS:
        raise InvalidParameter("kind", "must be one of " + ", ".join(KERNEL_KINDS))
    if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
        raise InvalidParameter("X", "must have at least one column")
    if not isinstance(params, Mapping):
        raise InvalidParameter("params", "must be an object")
    spec = parse_spec(kind, params, DataSpec(dim, L2Ball(1.0), "add_remove"))
    bandwidth = None if kind in ("vmf_kde", "relu_nngp", "relu_ntk", "inner_product") \
        else float(getattr(spec, "bandwidth"))  # noqa: B009
    kappa = float(getattr(spec, "kappa")) if kind == "vmf_kde" else None  # noqa: B009
    metric = str(getattr(spec, "metric_input")) if kind == "cauchy_kde" else None  # noqa: B009
    return Kernel(kind, MappingProxyType(dict(params)), dim, bandwidth, kappa, metric)


def kernel_matrix(kind: str, params: Mapping[str, Any], X: Any, Y: Any) -> Array:
    """k(X_i, Y_j) for the kernel kind ``kind``: X (n, d) and Y (q, d) -> (n, q) float64,
    in the namespace and on the device of the inputs. Not private: public points only."""
    X, Y = _points(X, "X"), _points(Y, "Y")
    if Y.shape[1] != X.shape[1]:
        raise InvalidParameter("Y", "must have as many columns as X")
    return make_kernel(kind, params, int(X.shape[1])).matrix(X, Y)


def _sq_dist(xp: Any, X: Array, Y: Array) -> Array:
    """|x - y|^2 (n_X, n_Y) by the product expansion after centring both on X's mean
    (the distance is unchanged and the cancellation is relative to the spread, not to
    the norms), clamped at 0."""
    centre = xp.mean(X, axis=0)
    Xc, Yc = X - centre, Y - centre
    xx, yy = xp.sum(Xc * Xc, axis=1), xp.sum(Yc * Yc, axis=1)
    sq = xp.expand_dims(xx, axis=1) + xp.expand_dims(yy, axis=0) \
        - 2.0 * (Xc @ xp.matrix_transpose(Yc))
    return xp.maximum(sq, xp.zeros_like(sq))


def _l2(xp: Any, diff: Array) -> Array:
    return xp.sqrt(xp.sum(diff * diff, axis=-1))


def _l1(xp: Any, diff: Array) -> Array:
    return xp.sum(xp.abs(diff), axis=-1)


def _blocked(xp: Any, X: Array, Y: Array, f: Callable[[Array], Array]) -> Array:
    """f of the differences x_i - y_j (rows, n_Y, d), X a block of rows at a time."""
    n, q, d = X.shape[0], Y.shape[0], X.shape[1]
    block = max(1, _BLOCK_ELEMENTS // max(q * d, 1))
    y = xp.expand_dims(Y, axis=0)
    parts = [f(xp.expand_dims(X[start:min(start + block, n), ...], axis=1) - y)
             for start in range(0, n, block)]
    return parts[0] if len(parts) == 1 else xp.concat(parts, axis=0)


def _relu(xp: Any, X: Array, Y: Array, *, tangent: bool) -> Array:
    """The ReLU NNGP or NTK (core/structures/relu_features.relu_kernels' closed forms,
    with theta from Kahan's 2 atan2(|x' - y'|, |x' + y'|) on the unit vectors)."""
    d = X.shape[1]
    xn, yn = xp.sqrt(xp.sum(X * X, axis=1)), xp.sqrt(xp.sum(Y * Y, axis=1))
    Xu = X / xp.expand_dims(xp.where(xn > 0, xn, xp.ones_like(xn)), axis=1)
    Yu = Y / xp.expand_dims(xp.where(yn > 0, yn, xp.ones_like(yn)), axis=1)

    def angle(diff_minus: Array) -> Array:  # diff_minus = x' - y' (rows, n_Y, d)
        plus = diff_minus + 2.0 * xp.expand_dims(Yu, axis=0)  # x' + y'
        return 2.0 * xp.atan2(_l2(xp, diff_minus), _l2(xp, plus))

    theta = _blocked(xp, Xu, Yu, angle)
    scale = xp.expand_dims(xn, axis=1) * xp.expand_dims(yn, axis=0) / d
    cos = xp.cos(theta)
    nngp = scale * (xp.sin(theta) + (math.pi - theta) * cos) / (2 * math.pi)
    value = scale * cos * (math.pi - theta) / (2 * math.pi) + nngp if tangent else nngp
    return xp.where(scale > 0, value, xp.zeros_like(value))


# --- results ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SolveInfo:
    """How a solve went. ``iterations``: products with K + s^2 I (0 for a direct solve);
    ``residual``: the true relative residual max_j |b_j - A x_j| / |b_j|; ``converged``:
    the stopping rule held (``stopped`` == "converged", or a direct solve); ``stopped``:
    "converged", "max_iter", "time_limit", "breakdown" (a non-positive curvature: K +
    s^2 I is not numerically positive definite) or "direct"; ``rank``: the
    preconditioner's rank (0 without one)."""

    method: str
    preconditioner: str
    rank: int
    iterations: int
    residual: float
    converged: bool
    stopped: str
    seconds: float


@dataclass(frozen=True, slots=True)
class Posterior:
    """The predictive at q points: ``mean`` (q,); ``variance`` (q,) of the latent f (GP:
    the posterior variance; Student-t: ``scale`` nu / (nu - 2), inf for nu <= 2);
    ``scale`` (q,) the Student-t scale diag Sigma* (equal to ``variance`` for the GP);
    ``dof`` nu (None for the GP); ``info``: the variance solves (None when not asked)."""

    mean: Array
    variance: Array
    scale: Array
    dof: float | None
    info: SolveInfo | None


@dataclass(frozen=True, slots=True)
class _LowRank:
    """P^{-1} = I / s^2 + U diag(w) U', w = 1 / (sigma^2 + s^2) - 1 / s^2."""

    U: Array
    w: Array
    ridge: float

    def apply(self, V: Array) -> Array:
        xp = array_namespace(V)
        return V / self.ridge + self.U @ (xp.expand_dims(self.w, axis=1)
                                          * (xp.matrix_transpose(self.U) @ V))

    def diagonal(self) -> Array:
        xp = array_namespace(self.U)
        return 1.0 / self.ridge + xp.sum(self.U * self.U * xp.expand_dims(self.w, axis=0),
                                         axis=1)


@dataclass(frozen=True, slots=True)
class KernelRegression:
    """A fitted kernel ridge / GP regression. ``alpha`` = (K + ridge I)^{-1} y (n,);
    ``X`` (n, d) and ``y`` (n,) the training data; ``info`` the fit's solve;
    ``student_t`` the (a, b) of the inverse-gamma prior or None; ``loo_residuals`` (n,)
    or None, with ``loo_method`` "exact" or "hutchinson" (None when not asked) and
    ``loo_info`` the Hutchinson probes' solve. ``gram`` is K (kept for the variance
    solves); ``factor`` the Cholesky factor of K + ridge I when the fit was direct."""

    kernel: Kernel
    X: Array = field(repr=False)
    y: Array = field(repr=False)
    alpha: Array = field(repr=False)
    ridge: float
    info: SolveInfo
    student_t: tuple[float, float] | None
    loo_residuals: Array | None = field(repr=False)
    loo_method: str | None
    loo_info: SolveInfo | None
    tol: float
    max_iter: int
    time_limit: float
    gram: Array = field(repr=False)
    factor: Array | None = field(repr=False)
    preconditioner: _LowRank | None = field(repr=False)
    y_alpha: float

    @property
    def dof(self) -> float | None:
        """Student-t degrees of freedom 2a + n, or None for the GP."""
        if self.student_t is None:
            return None
        return 2.0 * self.student_t[0] + float(self.X.shape[0])

    def predict(self, X: Any) -> tuple[Array, Array]:
        """(mean, variance) at the rows of X (q, d): the posterior mean K*' alpha (the
        kernel ridge prediction) and the latent variance (``Posterior.variance``). The
        variance solves' convergence: ``posterior(X).info``."""
        post = self.posterior(X)
        return post.mean, post.variance

    def posterior(self, X: Any, *, variance: bool = True,
                  progress: Callable[[float], None] | None = None) -> Posterior:
        """The predictive at the rows of X (q, d); see ``Posterior``.

        ``progress``, if given, is called with a fraction in [0, 1], never decreasing:
        once the input is checked, at every iteration of the variance solve (which maps
        to [0, 1]: module docstring), and with 1.0 at a normal finish. An exception it
        raises propagates unchanged (a caller's way to cancel); it never changes the
        result."""
        report = _monotone(progress)
        post = self._posterior(X, variance, report)
        _tell(report, 1.0)
        return post

    def _posterior(self, X: Any, variance: bool,
                   progress: Callable[[float], None] | None) -> Posterior:
        """``posterior`` without its final 1.0."""
        Xs = _points(X, "X")
        xp = array_namespace(Xs, self.X)
        if Xs.shape[1] != self.kernel.dim:
            raise InvalidParameter("X", f"must have {self.kernel.dim} columns, as the "
                                   "training points")
        _tell(progress, 0.0)
        Ks = self.kernel.matrix(self.X, Xs)  # (n, q)
        mean = xp.matmul(xp.matrix_transpose(Ks), self.alpha)
        if not variance:
            nan = xp.full(mean.shape, math.nan, dtype=mean.dtype, device=device(mean))
            return Posterior(mean, nan, nan, self.dof, None)
        W, info = self._solve(Ks, progress=progress)
        latent = self.kernel.diagonal(Xs) - xp.sum(Ks * W, axis=0)
        latent = xp.maximum(latent, xp.zeros_like(latent))  # rounding below 0
        if self.student_t is None:
            return Posterior(mean, latent, latent, None, info)
        a, b = self.student_t
        n = self.X.shape[0]
        nu = 2.0 * a + n
        scale = latent * ((2.0 * b + self.y_alpha) / nu)
        var = scale * (nu / (nu - 2.0)) if nu > 2.0 else xp.full(
            scale.shape, math.inf, dtype=scale.dtype, device=device(scale))
        return Posterior(mean, var, scale, nu, info)

    def _solve(self, B: Array, *, progress: Callable[[float], None] | None = None,
               ) -> tuple[Array, SolveInfo]:
        """(K + ridge I)^{-1} B the way the fit solved, and how that went."""
        if self.factor is not None:
            start = time.perf_counter()
            W = _cho_solve(self.factor, B)
            res = _residual(self.gram, self.ridge, W, B)
            _tell(progress, 1.0)
            return W, SolveInfo("cholesky", "none", 0, 0, res, True, "direct",
                                time.perf_counter() - start)
        return _pcg(self.gram, self.ridge, B, self.preconditioner, tol=self.tol,
                    max_iter=self.max_iter, time_limit=self.time_limit,
                    label=self.info.preconditioner, progress=progress)


# --- fitting ---------------------------------------------------------------------------

def fit(kind: str, params: Mapping[str, Any], X: Any, y: Any, *, ridge: float,
        method: Method = "pcg", preconditioner: Preconditioner = "nystrom",
        rank: int = DEFAULT_RANK, tol: float = 1e-10, max_iter: int = DEFAULT_MAX_ITER,
        time_limit: float = DEFAULT_TIME_LIMIT, student_t: tuple[float, float] | None = None,
        loo: bool = False, loo_probes: int = DEFAULT_LOO_PROBES, seed: int = 0,
        progress: Callable[[float], None] | None = None) -> KernelRegression:
    """Kernel ridge / GP regression of y on X with the kernel kind ``kind``.

    ``ridge`` s^2 > 0 (the GP's noise variance, KernelRidge's alpha); ``method`` "pcg"
    (conjugate gradients, ``preconditioner`` of rank ``rank`` capped at n) or
    "cholesky" (dense); ``tol``: relative residual to stop at; ``max_iter`` and
    ``time_limit`` (seconds) cap each PCG solve; non-convergence is reported in
    ``info``, never raised. ``student_t`` = (a, b) > 0 for the Student-t predictive;
    ``loo`` for leave-one-out residuals (``loo_probes`` Hutchinson probes above
    ``LOO_EXACT_MAX`` points); ``seed``: the public seed of the Nystrom landmarks and
    the Hutchinson probes.

    ``progress``, if given, is called with a fraction in [0, 1], never decreasing: once
    the inputs are checked, after the preconditioner's setup, at every PCG iteration, and
    with 1.0 at a normal finish. The fit's solve maps to [0, 1], or to [0, 0.5] and the
    leave-one-out solve to [0.5, 1] when ``loo`` (PCG fractions: module docstring). An
    exception it raises propagates unchanged (a caller's way to cancel); it never changes
    the result."""
    report = _monotone(progress)
    Xa, ya = _points(X, "X"), _vector(y, "y")
    xp = array_namespace(Xa, ya)
    n = Xa.shape[0]
    if ya.shape[0] != n:
        raise InvalidParameter("y", "must have one value per row of X")
    ridge = _positive(ridge, "ridge")
    if method not in _METHODS:
        raise InvalidParameter("method", "must be one of " + ", ".join(_METHODS))
    if preconditioner not in _PRECONDITIONERS:
        raise InvalidParameter("preconditioner", "must be one of " + ", ".join(_PRECONDITIONERS))
    rank = _count(rank, "rank")
    loo_probes = _count(loo_probes, "loo_probes")
    max_iter = _count(max_iter, "max_iter")
    if not (isinstance(tol, int | float) and not isinstance(tol, bool) and 0 < tol < 1):
        raise InvalidParameter("tol", "must be a number in (0, 1)")
    time_limit = _positive(time_limit, "time_limit")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidParameter("seed", "must be a non-negative integer")
    prior = None
    if student_t is not None:
        if not (isinstance(student_t, tuple | list) and len(student_t) == 2):
            raise InvalidParameter("student_t", "must be a pair (a, b) or null")
        prior = (_positive(student_t[0], "student_t.a"), _positive(student_t[1], "student_t.b"))
    if not isinstance(loo, bool):
        raise InvalidParameter("loo", "must be true or false")

    kernel = make_kernel(kind, params, int(Xa.shape[1]))
    K = kernel.matrix(Xa, Xa)
    if not bool(xp.all(xp.isfinite(K))):
        raise InvalidParameter("X", "gives a kernel matrix that is not finite")
    if ridge < max(RIDGE_FLOOR * float(xp.max(xp.linalg.diagonal(K))), MIN_RIDGE):
        raise InvalidParameter("ridge", f"must be at least {RIDGE_FLOOR:g} times the largest "
                               "diagonal entry of K (and 1e-280): below it K + ridge I "
                               "rounds to K, which may be singular")
    _tell(report, 0.0)
    solve_part = _within(report, 0.0, 0.5 if loo else 1.0)
    B = xp.expand_dims(ya, axis=1)
    factor: Array | None = None
    pre: _LowRank | None = None
    if method == "cholesky":
        start = time.perf_counter()
        factor = _cholesky(K, ridge)
        alpha = _cho_solve(factor, B)
        info = SolveInfo("cholesky", "none", 0, 0, _residual(K, ridge, alpha, B), True,
                         "direct", time.perf_counter() - start)
        _tell(solve_part, 1.0)
    else:
        start = time.perf_counter()
        r = min(rank, n)
        if preconditioner == "nystrom":
            pre = _nystrom(K, ridge, r, seed)
        elif preconditioner == "pivoted_cholesky":
            pre = _pivoted_cholesky(K, ridge, r)
        setup = time.perf_counter() - start
        _tell(solve_part, 0.0)
        alpha, info = _pcg(K, ridge, B, pre, tol=tol, max_iter=max_iter,
                           time_limit=max(time_limit - setup, 0.0), label=preconditioner,
                           progress=solve_part)
        info = SolveInfo(info.method, info.preconditioner, info.rank, info.iterations,
                         info.residual, info.converged, info.stopped, info.seconds + setup)
    alpha1 = alpha[:, 0]
    y_alpha = float(xp.sum(ya * alpha1))

    loo_res, loo_method, loo_info = None, None, None
    if loo:
        loo_res, loo_method, loo_info = _loo(K, ridge, alpha1, factor, pre, n, loo_probes,
                                             seed, tol, max_iter, time_limit, preconditioner,
                                             progress=_within(report, 0.5, 1.0))
    model = KernelRegression(kernel, Xa, ya, alpha1, ridge, info, prior, loo_res, loo_method,
                             loo_info, float(tol), max_iter, time_limit, K, factor, pre,
                             y_alpha)
    _tell(report, 1.0)
    return model


def _loo(K: Array, ridge: float, alpha: Array, factor: Array | None, pre: _LowRank | None,
         n: int, probes: int, seed: int, tol: float, max_iter: int, time_limit: float,
         label: str, *, progress: Callable[[float], None] | None = None,
         ) -> tuple[Array, str, SolveInfo | None]:
    """alpha_i / [(K + s^2 I)^{-1}]_ii, exact or with a Hutchinson diagonal."""
    xp = array_namespace(K)
    if n <= LOO_EXACT_MAX:
        L = factor if factor is not None else _cholesky(K, ridge)
        loo = alpha / _inverse_diagonal(L)
        _tell(progress, 1.0)
        return loo, "exact", None
    rng = np.random.Generator(np.random.PCG64(seed + 1))
    Z = xp.asarray(rng.choice([-1.0, 1.0], size=(n, probes)), dtype=K.dtype, device=device(K))
    W, info = _pcg(K, ridge, Z, pre, tol=tol, max_iter=max_iter, time_limit=time_limit,
                   label=label, progress=progress)
    if pre is not None:  # control variate: P^{-1}'s diagonal is exact
        base, rest = pre.diagonal(), W - pre.apply(Z)
    else:
        base, rest = xp.zeros(n, dtype=K.dtype, device=device(K)), W
    diag = base + xp.mean(Z * rest, axis=1)
    # 1 / A_ii <= (A^{-1})_ii <= 1 / ridge for A = K + ridge I SPD: clamp the estimate
    low = 1.0 / (xp.linalg.diagonal(K) + ridge)
    diag = xp.minimum(xp.maximum(diag, low), xp.full_like(low, 1.0 / ridge))
    return alpha / diag, "hutchinson", info


# --- linear algebra --------------------------------------------------------------------

def _shifted(K: Array, ridge: float) -> Array:
    xp = array_namespace(K)
    return K + ridge * xp.eye(K.shape[0], dtype=K.dtype, device=device(K))


def _cholesky(K: Array, ridge: float) -> Array:
    """The lower Cholesky factor of K + ridge I; a clear refusal if it is not
    numerically positive definite (NumPy raises, CuPy returns NaNs)."""
    xp = array_namespace(K)
    try:
        if is_numpy_namespace(xp):  # SciPy's potrf: no gufunc copy, ~1.5x faster
            A = np.array(K, dtype=np.float64)
            A.flat[::A.shape[0] + 1] += ridge
            L = np.asarray(sla.cholesky(A, lower=True, overwrite_a=True, check_finite=False))
        else:
            L = xp.linalg.cholesky(_shifted(K, ridge))
    except np.linalg.LinAlgError as exc:
        raise InvalidParameter("ridge", "too small: K + ridge I is not numerically "
                               "positive definite") from exc
    if not bool(xp.all(xp.isfinite(L))):
        raise InvalidParameter("ridge", "too small: K + ridge I is not numerically "
                               "positive definite")
    return L


def _cho_solve(L: Array, B: Array) -> Array:
    xp = array_namespace(L, B)
    if is_numpy_namespace(xp):
        return np.asarray(sla.cho_solve((np.asarray(L), True), np.asarray(B)))
    # no triangular solve in the Array API: two general solves on the triangles
    return xp.linalg.solve(xp.matrix_transpose(L), xp.linalg.solve(L, B))


def _inverse_diagonal(L: Array) -> Array:
    """diag((L L')^{-1}) = column sums of (L^{-1})^2."""
    xp = array_namespace(L)
    n = L.shape[0]
    eye = xp.eye(n, dtype=L.dtype, device=device(L))
    if is_numpy_namespace(xp):
        Linv = np.asarray(sla.solve_triangular(np.asarray(L), np.asarray(eye), lower=True))
    else:
        Linv = xp.linalg.solve(L, eye)
    return xp.sum(Linv * Linv, axis=0)


def _residual(K: Array, ridge: float, X: Array, B: Array) -> float:
    """max_j |b_j - (K + ridge I) x_j| / |b_j| (columns with b_j = 0: |r_j|)."""
    xp = array_namespace(K, X, B)
    R = B - (K @ X + ridge * X)
    rn = xp.sqrt(xp.sum(R * R, axis=0))
    bn = xp.sqrt(xp.sum(B * B, axis=0))
    rel = rn / xp.where(bn > 0, bn, xp.ones_like(bn))
    return float(xp.max(rel))


def _low_rank(L: Array, ridge: float) -> _LowRank:
    xp = array_namespace(L)
    U, s, _ = xp.linalg.svd(L, full_matrices=False)
    return _LowRank(U, 1.0 / (s * s + ridge) - 1.0 / ridge, ridge)


def _nystrom(K: Array, ridge: float, rank: int, seed: int) -> _LowRank:
    """Nystrom on ``rank`` landmarks drawn without replacement by a seeded public RNG."""
    xp = array_namespace(K)
    n = K.shape[0]
    rng = np.random.Generator(np.random.PCG64(seed))
    idx = xp.asarray(np.sort(rng.choice(n, size=rank, replace=False)), device=device(K))
    C = xp.take(K, idx, axis=1)  # (n, r)
    W = xp.take(C, idx, axis=0)  # (r, r)
    lam, Q = xp.linalg.eigh((W + xp.matrix_transpose(W)) / 2.0)
    top = float(xp.max(lam))
    if top <= 0:
        return _LowRank(xp.zeros((n, 0), dtype=K.dtype, device=device(K)),
                        xp.zeros(0, dtype=K.dtype, device=device(K)), ridge)
    keep = lam > _NYSTROM_RCOND * top
    lam_safe = xp.where(keep, lam, xp.ones_like(lam))
    inv_sqrt = xp.where(keep, 1.0 / xp.sqrt(lam_safe), xp.zeros_like(lam))
    L = C @ (Q * xp.expand_dims(inv_sqrt, axis=0))
    return _low_rank(L, ridge)


def _pivoted_cholesky(K: Array, ridge: float, rank: int) -> _LowRank:
    """Partial Cholesky with greedy diagonal pivoting: rank steps, or fewer once the
    largest residual diagonal falls below 1e-14 of the largest diagonal. The factor is
    kept transposed (rank, n), so each step reads contiguous rows (K is symmetric)."""
    xp = array_namespace(K)
    n = K.shape[0]
    diag = xp.asarray(xp.linalg.diagonal(K), copy=True)
    Lt = xp.zeros((rank, n), dtype=K.dtype, device=device(K))
    stop = _PIVOT_STOP * float(xp.max(diag))
    k = 0
    while k < rank:
        i = int(xp.argmax(diag))
        pivot = float(diag[i])
        if not pivot > stop:
            break
        row = K[i, :] - Lt[:k, i] @ Lt[:k, :] if k else K[i, :]
        row = row / math.sqrt(pivot)
        Lt[k, :] = row
        diag = xp.maximum(diag - row * row, xp.zeros_like(diag))
        diag[i] = 0.0
        k += 1
    if not k:
        return _LowRank(xp.zeros((n, 0), dtype=K.dtype, device=device(K)),
                        xp.zeros(0, dtype=K.dtype, device=device(K)), ridge)
    return _low_rank(xp.matrix_transpose(Lt[:k, :]), ridge)


def _pcg(K: Array, ridge: float, B: Array, pre: _LowRank | None, *, tol: float,
         max_iter: int, time_limit: float, label: str,
         progress: Callable[[float], None] | None = None) -> tuple[Array, SolveInfo]:
    """Conjugate gradients on (K + ridge I) X = B, each column its own recurrence (one
    block product per iteration). Stops when every column's recursive residual is at
    most tol |b_j|, after ``max_iter`` iterations, past ``time_limit`` seconds, or on a
    non-positive curvature; reports which. ``progress`` is told ``_pcg_fraction`` before
    every iteration and 1.0 at the end."""
    xp = array_namespace(K, B)
    start = time.perf_counter()
    apply = pre.apply if pre is not None else (lambda V: V)
    X = xp.zeros(B.shape, dtype=B.dtype, device=device(B))
    R = B
    Z = apply(R)
    P = Z
    rz = xp.sum(R * Z, axis=0)
    b_norm = xp.sqrt(xp.sum(B * B, axis=0))
    target = tol * b_norm
    b_safe = xp.where(b_norm > 0, b_norm, xp.ones_like(b_norm))  # progress's denominators
    zero = xp.zeros(rz.shape, dtype=rz.dtype, device=device(rz))
    stopped, iterations = "max_iter", 0
    first = math.nan  # the first worst relative residual (progress only)
    while True:
        norms = xp.sqrt(xp.sum(R * R, axis=0))
        active = norms > target
        if progress is not None:  # the worst relative residual of the active columns
            worst = float(xp.max(xp.where(active, norms / b_safe, zero)))
            first = worst if iterations == 0 else first
            progress(_pcg_fraction(iterations, max_iter, time.perf_counter() - start,
                                   time_limit, worst, first, tol))
        if not bool(xp.any(active)):
            stopped = "converged"
            break
        if iterations >= max_iter:
            break
        if time.perf_counter() - start > time_limit:
            stopped = "time_limit"
            break
        AP = K @ P + ridge * P
        pap = xp.sum(P * AP, axis=0)
        if bool(xp.any(active & (pap <= 0))):
            stopped = "breakdown"
            break
        a = xp.where(active, rz / xp.where(active, pap, xp.ones_like(pap)), zero)
        X = X + P * a
        R = R - AP * a
        Z = apply(R)
        rz_new = xp.sum(R * Z, axis=0)
        beta = xp.where(active & (rz > 0), rz_new / xp.where(rz > 0, rz, xp.ones_like(rz)),
                        zero)
        P = Z + P * beta
        rz = rz_new
        iterations += 1
    rank = 0 if pre is None else int(pre.w.shape[0])
    info = SolveInfo("pcg", label, rank, iterations, _residual(K, ridge, X, B),
                     stopped == "converged", stopped, time.perf_counter() - start)
    _tell(progress, 1.0)
    return X, info


def _pcg_fraction(iterations: int, max_iter: int, elapsed: float, time_limit: float,
                  worst: float, first: float, tol: float) -> float:
    """How far a PCG solve is toward stopping, in [0, 1]: the largest of the ratios
    toward the iteration cap, the time cap and the tolerance (log(r0 / r) / log(1 / tol),
    r the worst relative residual of the active columns, r0 its first value)."""
    if not worst > 0.0:  # no active column: converged
        return 1.0
    ratio = max(iterations / max_iter, elapsed / time_limit if time_limit > 0.0 else 1.0)
    if first > worst and tol < 1.0:
        ratio = max(ratio, math.log(first / worst) / math.log(1.0 / tol))
    return min(ratio, 1.0)


# --- progress --------------------------------------------------------------------------

def _monotone(progress: Callable[[float], None] | None) -> Callable[[float], None] | None:
    """``progress`` told fractions clipped to [0, 1] and never below an earlier one (a
    running max), or None without a callback."""
    if progress is None:
        return None
    sink, told = progress, 0.0

    def report(fraction: float) -> None:
        nonlocal told
        told = min(max(told, fraction), 1.0)  # max(told, nan) is told
        sink(told)

    return report


def _within(progress: Callable[[float], None] | None, low: float, high: float,
            ) -> Callable[[float], None] | None:
    """``progress`` seen by a sub-solve: its fraction f is told as low + f (high - low)."""
    if progress is None:
        return None
    sink = progress
    return lambda fraction: sink(low + fraction * (high - low))


def _tell(progress: Callable[[float], None] | None, fraction: float) -> None:
    if progress is not None:
        progress(fraction)


# --- validation ------------------------------------------------------------------------

def _array(value: Any, name: str) -> Array:
    try:
        arr = value if is_array_api_obj(value) else np.asarray(value, dtype=np.float64)
        xp = array_namespace(arr)
        return xp.asarray(arr, dtype=xp.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidParameter(name, "must be an array of numbers") from exc


def _points(value: Any, name: str) -> Array:
    arr = _array(value, name)
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise InvalidParameter(name, "must be a 2-D array with at least one row and column")
    if not bool(array_namespace(arr).all(array_namespace(arr).isfinite(arr))):
        raise InvalidParameter(name, "must be finite (no NaN or infinity)")
    return arr


def _vector(value: Any, name: str) -> Array:
    arr = _array(value, name)
    if arr.ndim != 1 or arr.shape[0] < 1:
        raise InvalidParameter(name, "must be a 1-D array with at least one value")
    if not bool(array_namespace(arr).all(array_namespace(arr).isfinite(arr))):
        raise InvalidParameter(name, "must be finite (no NaN or infinity)")
    return arr


def _positive(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidParameter(name, "must be a number")
    number = float(value)
    if not (math.isfinite(number) and number > 0):
        raise InvalidParameter(name, "must be a finite number > 0")
    return number


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidParameter(name, "must be an integer >= 1")
    return int(value)
