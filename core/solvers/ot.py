"""Entropic optimal transport by Sinkhorn-Newton-Sparse (SNS; Tang, Shavlovsky,
Rahmanian, Tardini, Thekumparampil, Xiao and Ying, "Accelerating Sinkhorn Algorithm with
Sparse Newton Iterations", ICLR 2024).

The problem, with POT's convention (``ot.sinkhorn(a, b, M, reg)``): for a cost M (n, m)
and marginals a (n,), b (m,) of equal mass,

    min_P  <P, M> + reg * sum_ij P_ij (log P_ij - 1)   over P >= 0, P 1 = a, P' 1 = b,

whose unique solution has the form P = diag(e^u) exp(-M / reg) diag(e^v), i.e.
P_ij = exp((f_i + g_j - M_ij) / reg) with the dual potentials f = reg u, g = reg v. The
concave dual (Lyapunov) function of the scaled potentials is

    F(u, v) = reg * (a'u + b'v - sum_ij P_ij(u, v)),
    grad F  = reg * (a - P 1, b - P' 1),
    hess F  = -reg * [[diag(P 1), P], [P', diag(P' 1)]],

and at the optimum F equals the primal value above (strong duality: reg sum P log P =
a'f + b'g - <P, M> once the marginals hold). MODELS.md writes the same plan as
P = exp(eta(-C + x 1' + 1 y') - 1) with eta = 1 / reg: that is f = x - reg, g = y, a
shift of the potentials, the same P and the same cost.

The solver works on the normalised problem (mass 1, b rescaled to a's mass, the cost
shifted by its minimum so that exp(-M / reg) <= 1 at the start: neither changes the
plan) and has two stages:

1. ``warmup`` Sinkhorn sweeps, u = log a - LSE_j(v_j - M_ij / reg), then
   v = log b - LSE_i(u_i - M_ij / reg) (one sweep = both halves, as one POT iteration).
   Each half maximises F exactly over one block, so F never decreases.
2. Newton steps. The Hessian's off-diagonal block P is sparsified to its largest
   ceil(sparsity n m) entries (the diagonal keeps the full row and column sums, so the
   matrix stays diagonally dominant, hence positive semi-definite), and
   [[diag(P 1), P~], [P~', diag(P' 1)]] (du, dv) = (a - P 1, b - P' 1) is solved by
   Jacobi-preconditioned conjugate gradients (capped iterations, relative tolerance).
   Where the plan is close to a permutation the system is too ill-conditioned for CG
   (condition ~2e9 on random assignment at n = 100, eta = 1200): with
   ``linear_solver="auto"`` a CG that hits its cap is replaced, for the rest of the run,
   by a direct solve of the same system through its Schur complement on the shorter
   side (dense LU, min(n, m) <= ``DIRECT_MAX_SIDE``).
   The system is singular (without sparsification) along (1, -1), the direction that
   leaves P unchanged; the right-hand side is orthogonal to it (both blocks sum to
   1 - sum P) and it is projected out of the right-hand side and the solution to keep
   rounding from feeding it. The direction is an ascent direction
   (grad'd = d' H~ d > 0) and a backtracking line search accepts the step size s only
   when F rises by at least 1e-4 * s * grad'd (Armijo). The rise is computed without
   cancellation: F(z + s d) - F(z) = reg * (s grad'd - sum_ij P_ij phi(s (du_i + dv_j)))
   with phi(t) = e^t - 1 - t >= 0 (a series near 0). Where no step size rises (or the
   direction is not an ascent one, or a marginal has vanished), the step is a Sinkhorn
   sweep instead, so the solver never stalls.
3. Newton when it pays. A sparsified Newton step costs many sweeps (a selection of the
   largest entries, a linear solve, line-search trials over the whole plan), and where
   the plan is far from sparse (a point cloud at a moderate reg: each row spreads over
   more entries than are kept) its steps cut the error no faster than sweeps do: at
   n = m = 2,000 points in the unit square, reg 0.01, SNS took 580 Newton steps (112 s)
   where plain Sinkhorn converged in 330 sweeps (1 s). So full Newton steps (step size
   1: the local regime; damped steps, Newton's global phase, are not judged) are judged
   in pairs (a single one may raise the marginal error on its way): together they must
   cut log(marginal error) by at least ``NEWTON_WORTH`` times the cut per sweep over the
   last ``RATE_SWEEPS`` sweeps made, each; otherwise the next ``FIRST_SWEEP_BLOCK``
   steps are sweeps, and the block doubles (up to ``MAX_SWEEP_BLOCK``) each time the
   Newton steps tried after it do not pay either. The rule counts steps and errors, not
   time, so a solve is reproducible. On random assignment (a plan close to a
   permutation) full Newton steps cut the error by 3x to 10x each against a few percent
   per sweep, and the rule never fires. With the schedule and the sweep below, the
   dense case above takes 353 sweeps and 10 Newton steps (7.7 s).

A sweep is computed from the current plan: LSE_j(v_j - M_ij / reg) = log(rows_i) - u_i,
so u moves by log(a / P 1), and the column sums after that half are (a / P 1)' P, one
matrix-vector product, against two log-sum-exps over the whole matrix; where a row or
column sum has underflowed to 0 the log-domain formulas are used.

It stops when ||a - P 1||_1 + ||b - P' 1||_1 < tol * mass (the marginal error; ``tol`` is
relative to the total mass, i.e. absolute for probability vectors), or after
``max_iter`` steps (Sinkhorn sweeps and Newton steps together), or after
``time_limit`` seconds: then ``converged`` is False and the result is the last iterate.

Progress: an optional callback is told, after every step, how far the solve is toward
stopping: the largest of steps / ``max_iter``, elapsed / ``time_limit`` and
log(e0 / e) / log(e0 / tol) (e the marginal error, e0 the first one), clipped to [0, 1]
and never below an earlier value. It is a worker's hook: an exception it raises ends the
solve and propagates unchanged; it never changes the result.

Zero entries of a or b are supported: their rows or columns carry no mass, so they are
dropped before solving and restored as zero rows/columns of the plan, with potential
-inf (P_ij = exp((f_i + g_j - M_ij) / reg) = 0 there).

The code is array-generic (``array_api_compat``): a CuPy array goes through the same
code, with dense masked products for the sparsified Hessian (n m flops per CG
iteration, as many as a Sinkhorn sweep). On NumPy the sparsified block is a SciPy CSR
matrix (O(k) per CG iteration) and the top-k selection uses ``np.argpartition``. Not
private: the inputs are public data, DP-synthetic data or released DP weights.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from array_api_compat import array_namespace, is_array_api_obj, is_numpy_namespace
from array_api_compat import device as _device
from scipy import sparse  # type: ignore[import-untyped]
from scipy.sparse.linalg import cg  # type: ignore[import-untyped]
from scipy.spatial.distance import cdist  # type: ignore[import-untyped]

from core._array import Array
from core.errors import InvalidParameter

__all__ = [
    "DEFAULT_ENTRIES_PER_LINE", "DIRECT_MAX_SIDE", "LINEAR_SOLVERS", "METRICS", "OtResult",
    "OtStep", "cost_matrix",
    "default_sparsity", "sinkhorn_newton_sparse",
]

METRICS = ("sqeuclidean", "euclidean", "cityblock")
DEFAULT_ENTRIES_PER_LINE = 5  # kept Hessian entries per row of the longer side (5/n)
MASS_RTOL = 1e-9  # a and b must have the same total mass to this relative tolerance
_ARMIJO = 1e-4  # a step must rise by this fraction of its first-order prediction
_MAX_HALVINGS = 30  # the line search tries step sizes 1, 1/2, ..., 2^-30
_MAX_LOG_ENTRY = 30.0  # a trial step whose plan has an entry above e^30 is too long
_PHI_SERIES_BELOW = 0.1  # |t| below this: phi(t) by its series (else expm1(t) - t)
_PHI_COEFFICIENTS = tuple(1.0 / math.factorial(k) for k in range(2, 13))  # t^2/2!..t^12/12!
_BLOCK_ELEMENTS = 1 << 22  # cost_matrix: at most this many differences at once
_SCHUR_SHIFT = 1e-14  # relative diagonal shift of the direct solve's Schur complement
DIRECT_MAX_SIDE = 4096  # "auto" falls back to the direct solve up to this shorter side
LINEAR_SOLVERS = ("auto", "cg", "direct")
NEWTON_WORTH = 3.0  # full Newton steps must cut log(error) as much as this many sweeps, each
FIRST_SWEEP_BLOCK = 20  # sweeps after a Newton step that did not pay; doubles, up to
MAX_SWEEP_BLOCK = 1280
RATE_SWEEPS = 5  # the sweeps' pace is measured over the last this many of them
JUDGED_STEPS = 2  # full Newton steps judged together (one may raise the marginal error)


@dataclass(frozen=True, slots=True)
class OtStep:
    """One step of the solver. ``objective`` is the dual value F of the normalised
    problem (mass 1, cost shifted by its minimum) after the step; ``increase`` is the
    rise of F the step made, computed without cancellation (>= 0 up to rounding);
    ``step_size`` is the line search's step (1 for a Sinkhorn sweep); ``solver`` the
    linear solve that gave a Newton direction (``cg``, or ``direct`` when CG hit its cap
    under ``linear_solver="auto"``)."""

    kind: Literal["sinkhorn", "newton"]
    objective: float
    increase: float
    marginal_error: float
    step_size: float
    cg_iterations: int
    solver: Literal["", "cg", "direct"]


@dataclass(frozen=True, slots=True)
class OtResult:
    """The solution: ``cost_value`` = <P, M> (POT's ``sum(P * M)``, without the entropy);
    ``marginal_error`` = ||a - P 1||_1 + ||b' - P' 1||_1 with b' = b rescaled to a's
    mass; ``f`` (n,), ``g`` (m,) the dual potentials, P_ij = exp((f_i + g_j - M_ij) / reg)
    (-inf where a marginal entry is zero), in the namespace of the inputs; ``plan`` (n,
    m) only when asked for. ``history`` holds one ``OtStep`` per step."""

    cost_value: float
    iterations: int
    sinkhorn_iterations: int
    newton_iterations: int
    marginal_error: float
    converged: bool
    seconds: float
    f: Array
    g: Array
    plan: Array | None
    history: tuple[OtStep, ...]


# --- input checks -------------------------------------------------------------------

def _namespace(*values: Any) -> tuple[Any, list[Array]]:
    """The common namespace of the inputs (lists and scalars become NumPy arrays) and the
    inputs as arrays of it."""
    arrays: list[Array] = []
    for name, value in values:
        if is_array_api_obj(value):
            arrays.append(value)
            continue
        try:
            arrays.append(np.asarray(value, dtype=np.float64))
        except (TypeError, ValueError) as exc:
            raise InvalidParameter(name, "must be an array of real numbers") from exc
    try:
        xp = array_namespace(*arrays)
    except TypeError as exc:
        raise InvalidParameter(values[0][0], "all arrays must come from one array library"
                               ) from exc
    return xp, arrays


def _real(xp: Any, x: Array, name: str, ndim: int) -> Array:
    """x as float64, checked to be real, finite and of the given number of dimensions."""
    if not xp.isdtype(x.dtype, ("real floating", "integral")):
        raise InvalidParameter(name, "must hold real numbers")
    if x.ndim != ndim:
        raise InvalidParameter(name, f"must be a {ndim}-D array")
    if any(side == 0 for side in x.shape):
        raise InvalidParameter(name, "must not be empty")
    out = xp.astype(x, xp.float64)
    if not bool(xp.all(xp.isfinite(out))):
        raise InvalidParameter(name, "must be finite (no NaN or infinity)")
    return out


def _positive(value: Any, name: str, *, allow_zero: bool = False) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidParameter(name, "must be a number") from exc
    if not math.isfinite(out) or out < 0.0 or (out == 0.0 and not allow_zero):
        rule = "must be finite and >= 0" if allow_zero else "must be finite and > 0"
        raise InvalidParameter(name, rule)
    return out


def _count(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise InvalidParameter(name, f"must be an integer >= {minimum}")
    return int(value)


# --- cost matrices ------------------------------------------------------------------

def cost_matrix(x: Any, y: Any, metric: str = "sqeuclidean") -> Array:
    """The (n, m) cost between the rows of x (n, d) and y (m, d): ``sqeuclidean``
    ||x_i - y_j||^2, ``euclidean`` ||x_i - y_j|| or ``cityblock`` ||x_i - y_j||_1,
    computed from the differences (no cancellation: an expansion ||x||^2 + ||y||^2 - 2x.y
    loses every digit of a distance small next to the norms). 1-D inputs are points on a
    line. In the namespace of the inputs (NumPy: ``scipy.spatial.distance.cdist``)."""
    if metric not in METRICS:
        raise InvalidParameter("metric", f"must be one of {', '.join(METRICS)}")
    xp, (xa, ya) = _namespace(("x", x), ("y", y))
    xa = xp.reshape(xa, (-1, 1)) if xa.ndim == 1 else xa
    ya = xp.reshape(ya, (-1, 1)) if ya.ndim == 1 else ya
    xa, ya = _real(xp, xa, "x", 2), _real(xp, ya, "y", 2)
    if xa.shape[1] != ya.shape[1]:
        raise InvalidParameter("y", "must have as many columns as x")
    if is_numpy_namespace(xp):
        return np.asarray(cdist(xa, ya, metric=metric), dtype=np.float64)
    n, m, d = xa.shape[0], ya.shape[0], xa.shape[1]
    rows = max(1, _BLOCK_ELEMENTS // (m * d))
    yb = xp.expand_dims(ya, axis=0)  # (1, m, d)
    blocks = []
    for start in range(0, n, rows):
        stop = min(start + rows, n)  # out-of-bounds slice stops are not portable
        diff = xp.expand_dims(xa[start:stop, ...], axis=1) - yb  # (rows, m, d)
        if metric == "cityblock":
            blocks.append(xp.sum(xp.abs(diff), axis=-1))
        else:
            squared = xp.sum(diff * diff, axis=-1)
            blocks.append(xp.sqrt(squared) if metric == "euclidean" else squared)
    return xp.concat(blocks, axis=0) if len(blocks) > 1 else blocks[0]


# --- the solver's pieces ------------------------------------------------------------

def default_sparsity(n: int, m: int) -> float:
    """``DEFAULT_ENTRIES_PER_LINE`` kept entries per row of the longer side: 5 / min(n, m),
    capped at 1 (MODELS.md: 2/n converged only linearly, 5/n quadratically)."""
    return min(1.0, DEFAULT_ENTRIES_PER_LINE / min(n, m))


def _logsumexp(xp: Any, x: Array, axis: int) -> Array:
    top = xp.max(x, axis=axis, keepdims=True)
    return xp.squeeze(top, axis=axis) + xp.log(xp.sum(xp.exp(x - top), axis=axis))


def _phi_series(xp: Any, t: Array) -> Array:
    """sum_{k=2}^{12} t^k / k! for |t| < 0.1 (the first term left out is below 3e-21 of
    the sum)."""
    acc = xp.full_like(t, _PHI_COEFFICIENTS[-1])
    for coefficient in reversed(_PHI_COEFFICIENTS[:-1]):
        acc = acc * t + coefficient
    return acc * t * t


def _phi(xp: Any, t: Array) -> Array:
    """phi(t) = e^t - 1 - t >= 0 to full relative precision (t capped at 700)."""
    small = xp.abs(t) < _PHI_SERIES_BELOW
    big = xp.where(small, xp.ones_like(t), xp.minimum(t, 700.0))
    return xp.where(small, _phi_series(xp, xp.where(small, t, xp.zeros_like(t))),
                    xp.expm1(big) - big)


def _weighted_phi_sum(xp: Any, P: Array, logP: Array, t: Array) -> float:
    """sum_ij P_ij phi(t_ij), for a trial step whose entries log P + t are at most 30:
    the series near 0, else e^(log P + t) - P - P t (finite for any t)."""
    small = xp.abs(t) < _PHI_SERIES_BELOW
    zeros = xp.zeros_like(t)
    near = P * _phi_series(xp, xp.where(small, t, zeros))
    far = xp.exp(logP + xp.where(small, zeros, t)) - P - P * t
    return float(xp.sum(xp.where(small, near, far)))


def _dot(xp: Any, x: Array, y: Array) -> float:
    return float(xp.sum(x * y))


def _fraction(done: int, max_iter: int, elapsed: float, time_limit: float, error: float,
              first: float, tol: float) -> float:
    """How far the solve is toward stopping, in [0, 1]: the largest of the ratios toward
    the step cap, the time cap and the tolerance (on a log scale from the first marginal
    error ``first`` to ``tol``)."""
    if error < tol:  # converged (also error == 0)
        return 1.0
    ratio = max(done / max_iter, elapsed / time_limit if time_limit > 0.0 else 1.0)
    if first > tol and 0.0 < error < first:
        ratio = max(ratio, math.log(first / error) / math.log(first / tol))
    return min(ratio, 1.0)


def _pcg(xp: Any, matvec: Callable[[Array, Array], tuple[Array, Array]],
         rhs: tuple[Array, Array], diag: tuple[Array, Array], rtol: float, max_iter: int,
         deadline: float) -> tuple[Array, Array, int, bool]:
    """Jacobi-preconditioned CG on a symmetric positive semi-definite system in two
    blocks; stops at ||residual|| <= rtol ||rhs||, at max_iter or at the deadline."""
    xf, xg = xp.zeros_like(rhs[0]), xp.zeros_like(rhs[1])
    rf, rg = rhs
    bound = rtol * math.sqrt(_dot(xp, rf, rf) + _dot(xp, rg, rg))
    zf, zg = rf / diag[0], rg / diag[1]
    pf, pg = zf, zg
    rz = _dot(xp, rf, zf) + _dot(xp, rg, zg)
    done, converged = 0, bound == 0.0
    while not converged and done < max_iter and rz > 0.0 and time.perf_counter() < deadline:
        qf, qg = matvec(pf, pg)
        curvature = _dot(xp, pf, qf) + _dot(xp, pg, qg)
        if not curvature > 0.0:
            break
        alpha = rz / curvature
        xf, xg = xf + alpha * pf, xg + alpha * pg
        rf, rg = rf - alpha * qf, rg - alpha * qg
        done += 1
        converged = math.sqrt(_dot(xp, rf, rf) + _dot(xp, rg, rg)) <= bound
        if converged:
            break
        zf, zg = rf / diag[0], rg / diag[1]
        rz_next = _dot(xp, rf, zf) + _dot(xp, rg, zg)
        pf, pg = zf + (rz_next / rz) * pf, zg + (rz_next / rz) * pg
        rz = rz_next
    return xf, xg, done, converged


class _OffDiagonal:
    """P~, the plan restricted to its ``kept`` largest entries: products with it and its
    transpose, and the Gram matrix of the Schur complement. A SciPy CSR matrix on NumPy
    when it is sparse enough, else a dense masked copy (any namespace)."""

    def __init__(self, xp: Any, plan: Array, kept: int) -> None:
        n, m = plan.shape
        self.xp = xp
        self.csr: Any = None
        self.dense: Array = plan
        if is_numpy_namespace(xp) and kept * 4 < n * m:
            flat = np.asarray(plan).reshape(-1)
            top = np.argpartition(flat, n * m - kept)[n * m - kept:]
            self.csr = sparse.csr_array((flat[top], (top // m, top % m)), shape=(n, m))
            self.csr_t = self.csr.T.tocsr()
            return
        if kept < n * m:
            threshold = xp.sort(xp.reshape(plan, (-1,)))[n * m - kept]
            self.dense = xp.where(plan >= threshold, plan, xp.zeros_like(plan))
        self.dense_t = xp.permute_dims(self.dense, (1, 0))

    def apply(self, x: Array, y: Array) -> tuple[Array, Array]:
        """(P~ y, P~' x)."""
        if self.csr is not None:
            return self.csr @ y, self.csr_t @ x
        return self.dense @ y, self.dense_t @ x

    def gram(self, weights: Array, rows_side: bool) -> Array:
        """P~' diag(weights) P~ (rows_side) or P~ diag(weights) P~', dense."""
        xp = self.xp
        if self.csr is not None:
            left, right = (self.csr_t, self.csr) if rows_side else (self.csr, self.csr_t)
            return np.asarray((left @ (sparse.diags_array(weights) @ right)).toarray())
        left, right = (self.dense_t, self.dense) if rows_side else (self.dense, self.dense_t)
        return left @ (xp.expand_dims(weights, axis=1) * right)


def _scipy_cg(block: _OffDiagonal, rows: Array, cols: Array, grad_a: Array, grad_b: Array,
              rtol: float, max_iter: int) -> tuple[Array, Array, int, bool]:
    """The same Jacobi-preconditioned CG as ``_pcg``, by ``scipy.sparse.linalg.cg`` on
    the assembled CSR matrix (NumPy only)."""
    n = rows.shape[0]
    matrix = sparse.block_array([[sparse.diags_array(rows), block.csr],
                                 [block.csr_t, sparse.diags_array(cols)]], format="csr")
    inverse = sparse.diags_array(1.0 / np.concatenate([rows, cols]))
    count = [0]

    def tick(_: Any) -> None:
        count[0] += 1

    solution, info = cg(matrix, np.concatenate([grad_a, grad_b]), rtol=rtol, atol=0.0,
                        maxiter=max_iter, M=inverse, callback=tick)
    return solution[:n], solution[n:], count[0], info == 0


def _direct(xp: Any, block: _OffDiagonal, rows: Array, cols: Array, grad_a: Array,
            grad_b: Array) -> tuple[Array, Array] | None:
    """The sparsified Newton system solved through its Schur complement on the shorter
    side (dense, LU): for m <= n, (diag(c) - P~' diag(1/r) P~) dv = g_b - P~' (g_a / r),
    then du = (g_a - P~ dv) / r. A relative shift of 1e-14 on the diagonal keeps the
    complement, singular along 1 when nothing is dropped, invertible; the shift's
    component along (1, -1) is projected out by the caller."""
    n, m = rows.shape[0], cols.shape[0]
    rows_side = m <= n  # eliminate the longer side's potentials
    inner, outer = (rows, cols) if rows_side else (cols, rows)
    g_in, g_out = (grad_a, grad_b) if rows_side else (grad_b, grad_a)
    schur = -block.gram(1.0 / inner, rows_side)
    size = outer.shape[0]
    eye = xp.eye(size, dtype=schur.dtype, device=_device(schur))
    schur = schur + eye * (outer * (1.0 + _SCHUR_SHIFT))
    fold = block.apply(g_in / inner, xp.zeros_like(g_out))[1] if rows_side else \
        block.apply(xp.zeros_like(g_out), g_in / inner)[0]
    try:
        d_out = xp.linalg.solve(schur, xp.expand_dims(g_out - fold, axis=1))[:, 0]
    except (ValueError, ArithmeticError):  # numpy's LinAlgError is a ValueError
        return None
    back = block.apply(xp.zeros_like(g_in), d_out)[0] if rows_side else \
        block.apply(d_out, xp.zeros_like(g_in))[1]
    d_in = (g_in - back) / inner
    if not (bool(xp.all(xp.isfinite(d_out))) and bool(xp.all(xp.isfinite(d_in)))):
        return None
    return (d_in, d_out) if rows_side else (d_out, d_in)


def _restore(xp: Any, values: Array, mask: Array | None, fill: float, axis: int) -> Array:
    """Put the entries solved on the support back at their places along ``axis``, with
    ``fill`` where the marginal is zero (no scatter: a gather through the cumulative
    count of the support)."""
    if mask is None:
        return values
    where = xp.cumulative_sum(xp.astype(mask, xp.int64)) - 1
    gathered = xp.take(values, xp.clip(where, 0, None), axis=axis)
    shape = [1] * values.ndim
    shape[axis] = mask.shape[0]
    return xp.where(xp.reshape(mask, tuple(shape)), gathered, xp.full_like(gathered, fill))


def _support(xp: Any, cost: Array, weights: Array, axis: int) -> tuple[Array, Array, Array | None]:
    """Drop the zero entries of ``weights`` and the matching lines of the cost."""
    mask = weights > 0.0
    if bool(xp.all(mask)):
        return cost, weights, None
    keep = xp.nonzero(mask)[0]
    return xp.take(cost, keep, axis=axis), xp.take(weights, keep, axis=0), mask


# --- the solver ---------------------------------------------------------------------

def sinkhorn_newton_sparse(
    cost: Any, a: Any, b: Any, *, reg: float, tol: float = 1e-9,
    sparsity: float | None = None, max_iter: int = 5000, warmup: int = 20,
    time_limit: float = 60.0, linear_solver: str = "auto", cg_tol: float = 1e-10,
    cg_max_iter: int = 1000, return_plan: bool = False,
    progress: Callable[[float], None] | None = None,
) -> OtResult:
    """Entropic OT between a (n,) and b (m,) for the cost (n, m) at regularisation
    ``reg`` (POT's ``ot.sinkhorn(a, b, cost, reg)``), by ``warmup`` Sinkhorn sweeps then
    sparse Newton steps (module docstring). ``sparsity`` is the kept fraction of the
    Hessian's off-diagonal block, in (0, 1] (default ``default_sparsity(n, m)``). Caps:
    ``max_iter`` steps, ``time_limit`` seconds, ``cg_max_iter`` CG iterations per Newton
    step (relative residual ``cg_tol``); hitting a cap gives ``converged=False``.

    ``progress``, if given, is called with a fraction in [0, 1], never decreasing: once
    the problem is set up, after every Sinkhorn sweep and Newton step, and with 1.0 at a
    normal finish. The fraction is max(steps / max_iter, elapsed / time_limit,
    log(e0 / e) / log(e0 / tol)), e the marginal error and e0 the first one. An exception
    it raises propagates unchanged (a caller's way to cancel); it never changes the
    result."""
    start = time.perf_counter()
    xp, (M, a_in, b_in) = _namespace(("cost", cost), ("a", a), ("b", b))
    M = _real(xp, M, "cost", 2)
    a_in, b_in = _real(xp, a_in, "a", 1), _real(xp, b_in, "b", 1)
    if a_in.shape[0] != M.shape[0] or b_in.shape[0] != M.shape[1]:
        raise InvalidParameter("cost", "must have shape (len(a), len(b))")
    if bool(xp.any(a_in < 0.0)):
        raise InvalidParameter("a", "must be non-negative")
    if bool(xp.any(b_in < 0.0)):
        raise InvalidParameter("b", "must be non-negative")
    mass, mass_b = float(xp.sum(a_in)), float(xp.sum(b_in))
    if not mass > 0.0 or not mass_b > 0.0:
        raise InvalidParameter("a" if not mass > 0.0 else "b", "must have a positive sum")
    if abs(mass - mass_b) > MASS_RTOL * max(mass, mass_b):
        raise InvalidParameter("b", "marginals that do not sum to the same mass "
                               f"(to {MASS_RTOL:g} relative) cannot be transported")
    reg = _positive(reg, "reg")
    tol = _positive(tol, "tol")
    time_limit = _positive(time_limit, "time_limit", allow_zero=True)
    cg_tol = _positive(cg_tol, "cg_tol")
    max_iter = _count(max_iter, "max_iter", 1)
    warmup = _count(warmup, "warmup", 0)
    cg_max_iter = _count(cg_max_iter, "cg_max_iter", 1)
    if linear_solver not in LINEAR_SOLVERS:
        raise InvalidParameter("linear_solver", f"must be one of {', '.join(LINEAR_SOLVERS)}")
    if sparsity is not None:
        sparsity = _positive(sparsity, "sparsity")
        if sparsity > 1.0:
            raise InvalidParameter("sparsity", "must be in (0, 1]")
    deadline = start + time_limit

    # the normalised problem on the support: mass 1, cost >= 0
    M_s, a_s, mask_a = _support(xp, M, a_in / mass, axis=0)
    M_s, b_s, mask_b = _support(xp, M_s, b_in / mass_b, axis=1)
    n, m = M_s.shape
    shift = float(xp.min(M_s))
    Mr = (M_s - shift) / reg
    log_a, log_b = xp.log(a_s), xp.log(b_s)
    kept = min(n * m, max(1, math.ceil((sparsity or default_sparsity(n, m)) * n * m)))

    u, v = xp.zeros_like(a_s), xp.zeros_like(b_s)
    logP = -Mr
    P = xp.exp(logP)
    history: list[OtStep] = []
    sweeps = newtons = 0

    def state(P: Array) -> tuple[Array, Array, float, float]:
        rows, cols = xp.sum(P, axis=1), xp.sum(P, axis=0)
        error = float(xp.sum(xp.abs(a_s - rows))) + float(xp.sum(xp.abs(b_s - cols)))
        objective = _dot(xp, a_s, u) + _dot(xp, b_s, v) - float(xp.sum(rows))
        return rows, cols, error, objective

    rows, cols, error, objective = state(P)
    first, told = error, 0.0  # the first marginal error; the largest fraction told
    if progress is not None:
        told = _fraction(0, max_iter, time.perf_counter() - start, time_limit, error, first,
                         tol)
        progress(told)
    solver_now = linear_solver  # "auto" turns "direct" for good once CG hits its cap
    schedule = _Schedule()
    while error >= tol and sweeps + newtons < max_iter and time.perf_counter() < deadline:
        kind: Literal["sinkhorn", "newton"] = "sinkhorn"
        step, cg_done, rise = 1.0, 0, 0.0
        used: Literal["", "cg", "direct"] = ""
        before = error
        if sweeps >= warmup and schedule.due == 0 and float(xp.min(rows)) > 0.0 \
                and float(xp.min(cols)) > 0.0:
            newton = _newton_step(xp, P, logP, rows, cols, a_s, b_s, kept, solver_now,
                                  cg_tol, cg_max_iter, deadline)
            if newton is not None:
                du, dv, step, cg_done, solver, rise = newton
                used = "direct" if solver == "direct" else "cg"
                solver_now = "direct" if used == "direct" else solver_now
                u, v = u + step * du, v + step * dv
                kind = "newton"
                newtons += 1
        if kind == "sinkhorn":
            u_next, v_next = _sweep(xp, P, rows, u, v, log_a, log_b, Mr)
            # each half rises by sum a phi(-du) (resp. b phi(-dv)): a KL divergence
            rise = (float(xp.sum(a_s * _phi(xp, u - u_next)))
                    + float(xp.sum(b_s * _phi(xp, v - v_next))))
            u, v = u_next, v_next
            sweeps += 1
        logP = xp.expand_dims(u, axis=1) + xp.expand_dims(v, axis=0) - Mr
        P = xp.exp(logP)
        rows, cols, error, objective = state(P)
        if kind == "newton":
            schedule.newton(before, error, full_step=step == 1.0)
        else:
            schedule.swept(before, error)
        history.append(OtStep(kind, reg * objective + shift, reg * rise, error, step, cg_done,
                              used))
        if progress is not None:
            told = max(told, _fraction(sweeps + newtons, max_iter, time.perf_counter() - start,
                                       time_limit, error, first, tol))
            progress(told)

    log_mass = math.log(mass)
    f = _restore(xp, reg * (u + log_mass) + shift, mask_a, -math.inf, axis=0)
    g = _restore(xp, reg * v, mask_b, -math.inf, axis=0)
    plan = None
    if return_plan:
        plan = _restore(xp, _restore(xp, mass * P, mask_a, 0.0, axis=0), mask_b, 0.0, axis=1)
    result = OtResult(
        cost_value=mass * float(xp.sum(P * M_s)),
        iterations=sweeps + newtons, sinkhorn_iterations=sweeps, newton_iterations=newtons,
        marginal_error=mass * error, converged=error < tol,
        seconds=time.perf_counter() - start, f=f, g=g, plan=plan, history=tuple(history),
    )
    if progress is not None:
        progress(1.0)
    return result


def _sweep(xp: Any, P: Array, rows: Array, u: Array, v: Array, log_a: Array, log_b: Array,
           Mr: Array) -> tuple[Array, Array]:
    """One Sinkhorn sweep, u = log a - LSE_j(v_j - M_ij / reg) then v = log b -
    LSE_i(u_i - M_ij / reg), from the current plan P = exp(u_i + v_j - M_ij / reg) and
    its row sums: LSE_j(v_j - M_ij / reg) = log(rows_i) - u_i, so u moves by
    log(a / rows), and the column sums after that half are (a / rows)' P, one
    matrix-vector product (a third of the log-domain sweep's cost). Where a row or column
    sum has underflowed to 0 the sums say nothing, and the log-domain formulas are used."""
    if float(xp.min(rows)) > 0.0:
        scale = xp.exp(log_a) / rows
        cols = xp.matmul(scale, P)
        if float(xp.min(cols)) > 0.0 and bool(xp.all(xp.isfinite(cols))):
            return u + (log_a - xp.log(rows)), v + (log_b - xp.log(cols))
    u_next = log_a - _logsumexp(xp, xp.expand_dims(v, axis=0) - Mr, axis=1)
    v_next = log_b - _logsumexp(xp, xp.expand_dims(u_next, axis=1) - Mr, axis=0)
    return u_next, v_next


@dataclass
class _Schedule:
    """When the next Newton step may be tried (module docstring: "Newton when it
    pays"). ``rate`` is the cut of log(marginal error) per sweep over the last
    ``RATE_SWEEPS`` sweeps (fewer, at least two, in a shorter run) of the latest run of
    sweeps: Sinkhorn slows down as it goes, so its current pace, not its average.
    ``gains`` are the cuts of the full Newton steps of the current run of Newton steps;
    ``due`` is the number of sweeps to make before the next Newton step."""

    block: int = FIRST_SWEEP_BLOCK
    due: int = 0
    rate: float | None = None
    run: list[float] = field(default_factory=list)  # errors along the current sweeps
    gains: list[float] = field(default_factory=list)

    def swept(self, before: float, after: float) -> None:
        self.gains.clear()
        if not self.run:
            self.run.append(before)
        self.run.append(after)
        del self.run[:-RATE_SWEEPS - 1]
        self.due = max(self.due - 1, 0)
        sweeps, start = len(self.run) - 1, self.run[0]
        if sweeps >= 2 and 0.0 < after < start:
            self.rate = math.log(start / after) / sweeps

    def newton(self, before: float, after: float, *, full_step: bool) -> None:
        """Judge the run's last ``JUDGED_STEPS`` full Newton steps (the local regime;
        damped steps, Newton's global phase, are not judged): together they must cut
        log(marginal error) by ``NEWTON_WORTH`` sweeps' worth each, or the next
        ``block`` steps are sweeps (the block doubles while Newton keeps losing)."""
        self.run.clear()
        if not full_step or self.rate is None:
            return
        self.gains.append(math.inf if after <= 0.0 else math.log(before / after))
        if len(self.gains) < JUDGED_STEPS:
            return
        if sum(self.gains[-JUDGED_STEPS:]) < JUDGED_STEPS * NEWTON_WORTH * self.rate:
            self.due, self.block = self.block, min(2 * self.block, MAX_SWEEP_BLOCK)
            self.gains.clear()
        else:
            self.block = FIRST_SWEEP_BLOCK


def _newton_step(xp: Any, P: Array, logP: Array, rows: Array, cols: Array, a: Array,
                 b: Array, kept: int, solver: str, cg_tol: float, cg_max_iter: int,
                 deadline: float) -> tuple[Array, Array, float, int, str, float] | None:
    """A sparse Newton direction and a step size along it that raises F (Armijo), or None
    where there is none (the caller then makes a Sinkhorn sweep). Returns (du, dv, step,
    CG iterations, the solver that gave the direction, rise of F / reg)."""
    n, m = P.shape
    grad_a, grad_b = a - rows, b - cols
    drift = (float(xp.sum(grad_a)) - float(xp.sum(grad_b))) / (n + m)  # along (1, -1)
    grad_a, grad_b = grad_a - drift, grad_b + drift
    block = _OffDiagonal(xp, P, kept)
    cg_done, used = 0, solver
    direction: tuple[Array, Array] | None = None
    if solver in ("auto", "cg"):
        def matvec(x: Array, y: Array) -> tuple[Array, Array]:
            top, bottom = block.apply(x, y)
            return rows * x + top, cols * y + bottom

        if block.csr is not None:  # NumPy: SciPy's CG on the CSR matrix (less overhead)
            du, dv, cg_done, solved = _scipy_cg(block, rows, cols, grad_a, grad_b, cg_tol,
                                                cg_max_iter)
        else:
            du, dv, cg_done, solved = _pcg(xp, matvec, (grad_a, grad_b), (rows, cols), cg_tol,
                                           cg_max_iter, deadline)
        direction, used = (du, dv), "cg"
        if not solved and solver == "auto" and min(n, m) <= DIRECT_MAX_SIDE \
                and time.perf_counter() < deadline:
            direction, used = _direct(xp, block, rows, cols, grad_a, grad_b) or direction, \
                "direct"
    else:
        direction = _direct(xp, block, rows, cols, grad_a, grad_b)
    if direction is None:
        return None
    du, dv = direction
    drift = (float(xp.sum(du)) - float(xp.sum(dv))) / (n + m)
    du, dv = du - drift, dv + drift
    slope = _dot(xp, grad_a, du) + _dot(xp, grad_b, dv)  # grad'd = d' H~ d > 0
    if not (math.isfinite(slope) and slope > 0.0):
        return None
    spread = xp.expand_dims(du, axis=1) + xp.expand_dims(dv, axis=0)
    step = 1.0
    for _ in range(_MAX_HALVINGS + 1):
        if time.perf_counter() >= deadline:
            return None
        t = step * spread
        if float(xp.max(logP + t)) <= _MAX_LOG_ENTRY:
            rise = step * slope - _weighted_phi_sum(xp, P, logP, t)
            if rise >= _ARMIJO * step * slope:
                return du, dv, step, cg_done, used, rise
        step *= 0.5
    return None
