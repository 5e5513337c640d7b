"""Solvers on public inputs (core/solvers): entropic optimal transport, kernel ridge /
GP regression and least-squares and quality-diversity designs.

Each solve has two steps. ``prepare_*`` checks the request (422 naming the field) and
reads what it needs from released structures or models, giving a problem of public
arrays; ``solve_*`` (or ``solve``) solves it, reporting progress to an optional
callback. A small problem is prepared and solved in the request; a large one is
prepared in the request and solved by a worker as a job (``app.services.solve_jobs``).

Inputs are public data, DP-synthetic data or weights read from a released structure.
Reading a structure goes through ``app.services.structures.query``: the same access
rule as ``POST /v1/structures/{id}/query`` (a structure the key cannot read, or a model,
is 404), the same price cap (413) and the same audit record. It answers from the noisy
release only, so everything here is post-processing: nothing is spent.

- OT marginal ``{structure_id, points}``: weights w_j = max(answer(points_j), 0), refused
  when all are 0; the points are that side's support. A structure marginal has no mass
  of its own: it is rescaled to the other marginal's mass when that one is a plain list,
  and both are rescaled to mass 1 when both come from structures. Two plain lists must
  already have the same mass (core refuses otherwise).
- Quality-diversity qualities: q_i = sqrt(max(answer(pool_i), 0)).

Core's ``InvalidParameter`` names are renamed to the request's fields (``X`` -> ``x``,
``Phi`` -> ``features``...) so that a 422 names what the caller sent. Every iterative
solve runs under the caller's ``max_iter`` and ``time_limit`` and reports
non-convergence in its result.
"""

from __future__ import annotations

import dataclasses
import math
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar
from uuid import UUID

import numpy as np
from array_api_compat import array_namespace
from numpy.typing import NDArray

from app.errors import InvalidInput
from app.services import models, structures
from app.services.access import Principal
from app.services.ports import UnitOfWorkPort
from app.services.structures import ReleaseCache
from core._array import to_host
from core.errors import IncompatibleArrays, InvalidParameter
from core.solvers import design as dsg
from core.solvers import kernel_regression as krr
from core.solvers.ot import MASS_RTOL, cost_matrix, sinkhorn_newton_sparse

__all__ = ["DesignProblem", "DesignView", "KernelRegressionProblem", "KernelRegressionView",
           "ModelTargets", "OtProblem", "OtView", "Problem", "Progress",
           "QualityDiversityProblem", "QueryLimits", "SolveView", "StructureWeights", "ToDevice",
           "View",
           "prepare_design", "prepare_kernel_regression", "prepare_ot",
           "prepare_quality_diversity", "solve", "solve_design", "solve_kernel_regression",
           "solve_ot", "solve_quality_diversity"]

T = TypeVar("T")
Rows = Any  # nested lists (n x d) or an array; checked by _matrix
Progress = Callable[[float], None]  # told the fraction done; may raise to stop the solve
ToDevice = Callable[[NDArray[np.float64]], Any]  # a host array onto a device (gpu.backend)


@dataclass(frozen=True, slots=True)
class QueryLimits:
    """What reading a structure may cost, as for the query route."""

    cache: ReleaseCache
    max_points: int
    max_seconds: float


@dataclass(frozen=True, slots=True)
class ModelTargets:
    """Targets from a released model at the training points: a regressor's values, or
    a classifier's probability of ``label``."""

    model_id: UUID
    label: int | None = None


@dataclass(frozen=True, slots=True)
class StructureWeights:
    """Weights proportional to a structure's clipped DP answers at ``points``."""

    structure_id: UUID
    points: Rows


Marginal = list[float] | StructureWeights


@dataclass(frozen=True, slots=True)
class OtView:
    cost_value: float
    iterations: int
    sinkhorn_iterations: int
    newton_iterations: int
    marginal_error: float
    converged: bool
    seconds: float
    a: list[float]
    b: list[float]
    plan: list[list[float]] | None


@dataclass(frozen=True, slots=True)
class SolveView:
    stage: Literal["fit", "variance", "loo"]
    method: str
    iterations: int
    residual_norm: float
    converged: bool
    stopped: str
    seconds: float

    @classmethod
    def of(cls, stage: Literal["fit", "variance", "loo"], info: krr.SolveInfo) -> SolveView:
        return cls(stage, info.method, info.iterations, info.residual, info.converged,
                   info.stopped, info.seconds)


@dataclass(frozen=True, slots=True)
class KernelRegressionView:
    mean: list[float]
    variance: list[float] | None
    scale: list[float] | None
    dof: float | None
    loo_residuals: list[float] | None
    loo_method: str | None
    iterations: int
    converged: bool
    residual_norm: float
    solves: list[SolveView]


@dataclass(frozen=True, slots=True)
class DesignView:
    mode: Literal["least_squares", "quality_diversity"]
    method: str
    seed: int
    indices: list[int]
    weights: list[float] | None
    coefficients: list[float] | None
    gram_condition: float | None
    full_rank: bool | None
    log_det: float | None
    complete: bool | None


# --- helpers -----------------------------------------------------------------------------

def _renamed(call: Callable[[], T], names: Mapping[str, str]) -> T:
    """call(), with a core InvalidParameter's name translated to the request's field
    (an exact name, or a prefix before a dot: ``params.bandwidth`` ->
    ``kernel.params.bandwidth``)."""
    try:
        return call()
    except InvalidParameter as exc:
        head, _, tail = exc.name.partition(".")
        if exc.name in names:
            name = names[exc.name]
        elif head in names:
            name = f"{names[head]}.{tail}"
        else:
            raise
        raise InvalidParameter(name, exc.rule) from exc


def _matrix(value: Rows, name: str) -> NDArray[np.float64]:
    """Rows of equal length as a finite float64 (n, d) array."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidParameter(name, "rows must all have the same length") from exc
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise InvalidParameter(name, "must be a non-empty list of non-empty rows")
    if not np.all(np.isfinite(arr)):
        raise InvalidParameter(name, "must be finite (no NaN or infinity)")
    return arr


def _vector(value: list[float], name: str) -> NDArray[np.float64]:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
        raise InvalidParameter(name, "must be a non-empty list of finite numbers")
    return arr


def _answers(uow: UnitOfWorkPort, principal: Principal, structure_id: UUID,
             points: NDArray[np.float64], field: str,
             limits: QueryLimits) -> NDArray[np.float64]:
    """The structure's DP sum answers at the points (the request's ``field``), clipped
    at 0: the query route's access rule, price cap and audit record (post-processing:
    nothing is spent)."""
    try:
        result = _renamed(lambda: structures.query(
            uow, principal, structure_id, points, "sum", cache=limits.cache,
            max_points=limits.max_points, max_seconds=limits.max_seconds),
            {"points": field, "y": field, "X": field})
    except IncompatibleArrays as exc:  # the points' dimension is not the structure's
        raise InvalidParameter(field, f"must have the structure's dimension ({exc})") from exc
    values = np.asarray(result.values, dtype=np.float64)
    return np.maximum(np.where(np.isfinite(values), values, 0.0), 0.0)


def _seed(seed: int | None) -> int:
    return secrets.randbits(63) if seed is None else seed


def _span(progress: Progress | None, low: float, high: float) -> Progress | None:
    """``progress`` told [low, high] for a step's [0, 1]."""
    if progress is None:
        return None
    report = progress
    return lambda done: report(low + (high - low) * done)


def _floats(values: Any) -> list[float]:
    return [float(v) for v in to_host(values).ravel()]


def _ints(values: Any) -> list[int]:
    return [int(i) for i in to_host(values).ravel()]


def _on(to_device: ToDevice | None, value: NDArray[np.float64] | None) -> Any:
    """``value`` on the device (itself without one, or when None)."""
    return value if to_device is None or value is None else to_device(value)


# --- optimal transport -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class OtProblem:
    """An OT problem on public arrays: the cost, or the supports and metric (the cost is
    computed when solved), and the marginals after structure answers were read."""

    cost: NDArray[np.float64] | None
    x: NDArray[np.float64] | None
    y: NDArray[np.float64] | None
    metric: str
    a: NDArray[np.float64]
    b: NDArray[np.float64]
    reg: float
    tol: float
    sparsity: float | None
    max_iter: int
    time_limit: float
    return_plan: bool


def _side(marginal: Marginal, support: Rows | None, *, weights: str, points: str,
          cost_size: int | None) -> NDArray[np.float64] | None:
    """The support of one side (None when the cost is given), checked to be given once
    and to agree with the marginal's length (or the cost's side)."""
    ref = marginal if isinstance(marginal, StructureWeights) else None
    size = len(marginal) if isinstance(marginal, list) else None
    if cost_size is not None:
        if support is not None:
            raise InvalidParameter(points, "is not used with cost: give cost, or the "
                                   "supports and metric, not both")
        side = "row" if points == "x" else "column"
        if ref is not None:
            if _matrix(ref.points, f"{weights}.points").shape[0] != cost_size:
                raise InvalidParameter(f"{weights}.points", f"must have one point per {side} "
                                       "of cost")
        elif size != cost_size:
            raise InvalidParameter(weights, f"must have one weight per {side} of cost")
        return None
    if ref is not None:
        if support is not None:
            raise InvalidParameter(points, f"give the support either as {points} or as "
                                   f"{weights}.points, not both")
        return _matrix(ref.points, f"{weights}.points")
    if support is None:
        raise InvalidParameter(points, f"is required without cost (or give {weights} as "
                               "{structure_id, points})")
    arr = _matrix(support, points)
    if size != arr.shape[0]:
        raise InvalidParameter(weights, f"must have one weight per row of {points}")
    return arr


def prepare_ot(uow: UnitOfWorkPort, principal: Principal, *, cost: Rows | None,
               x: Rows | None, y: Rows | None, metric: str, a: Marginal, b: Marginal,
               reg: float, tol: float, sparsity: float | None, max_iter: int,
               time_limit: float, return_plan: bool, limits: QueryLimits) -> OtProblem:
    """The problem checked, with structure marginals read and rescaled as in the module
    docstring (422 for what can be told before solving)."""
    C = None if cost is None else _matrix(cost, "cost")
    xs = _side(a, x, weights="a", points="x", cost_size=None if C is None else C.shape[0])
    ys = _side(b, y, weights="b", points="y", cost_size=None if C is None else C.shape[1])
    if xs is not None and ys is not None and xs.shape[1] != ys.shape[1]:
        raise InvalidParameter("y", "must have as many columns as x")
    plain = {name: _vector(m, name) for name, m in (("a", a), ("b", b))
             if not isinstance(m, StructureWeights)}
    totals: dict[str, float] = {}
    for name, arr in plain.items():
        if np.any(arr < 0.0):
            raise InvalidParameter(name, "must be non-negative")
        with np.errstate(over="ignore"):
            totals[name] = float(np.sum(arr))
        if not math.isfinite(totals[name]):
            raise InvalidParameter(name, "must have a finite sum (rescale the weights)")
    if len(totals) == 2 and abs(totals["a"] - totals["b"]) > MASS_RTOL * max(totals.values()):
        # core's own rule, told here so that a job is never queued to fail on it
        raise InvalidParameter("b", "marginals that do not sum to the same mass "
                               f"(to {MASS_RTOL:g} relative) cannot be transported")
    weights: dict[str, NDArray[np.float64]] = {}
    for name, m in (("a", a), ("b", b)):
        if isinstance(m, StructureWeights):
            field = f"{name}.points"
            w = _answers(uow, principal, m.structure_id, _matrix(m.points, field), field,
                         limits)
            if not np.any(w > 0.0):
                raise InvalidParameter(name, "the structure's answers at these points are "
                                       "all <= 0: there is no mass to transport")
            weights[name] = w
        else:
            weights[name] = plain[name]
    if "a" not in plain and "b" not in plain:
        weights = {name: w / float(np.sum(w)) for name, w in weights.items()}
    elif "a" not in plain:
        weights["a"] = weights["a"] * (float(np.sum(plain["b"])) / float(np.sum(weights["a"])))
    elif "b" not in plain:
        weights["b"] = weights["b"] * (float(np.sum(plain["a"])) / float(np.sum(weights["b"])))
    return OtProblem(C, xs, ys, metric, weights["a"], weights["b"], reg, tol, sparsity,
                     max_iter, time_limit, return_plan)


def solve_ot(problem: OtProblem, progress: Progress | None = None,
             to_device: ToDevice | None = None) -> OtView:
    """Entropic OT by Sinkhorn-Newton-Sparse (core.solvers.ot), on the device if given
    (the core is Array-API generic)."""
    C = _on(to_device, problem.cost)
    if C is None:
        x, y = _on(to_device, problem.x), _on(to_device, problem.y)
        C = _renamed(lambda: cost_matrix(x, y, problem.metric), {"x": "x", "y": "y"})
    result = sinkhorn_newton_sparse(
        C, _on(to_device, problem.a), _on(to_device, problem.b), reg=problem.reg,
        tol=problem.tol, sparsity=problem.sparsity, max_iter=problem.max_iter,
        time_limit=problem.time_limit, return_plan=problem.return_plan, progress=progress)
    plan = None if result.plan is None else to_host(result.plan).tolist()
    return OtView(result.cost_value, result.iterations, result.sinkhorn_iterations,
                  result.newton_iterations, result.marginal_error, result.converged,
                  result.seconds, _floats(problem.a), _floats(problem.b), plan)


# --- kernel regression -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class KernelRegressionProblem:
    """A kernel regression on public arrays (targets read from a model already)."""

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    points: NDArray[np.float64] | None
    kind: str
    params: dict[str, Any]
    ridge: float
    method: krr.Method
    preconditioner: krr.Preconditioner
    rank: int
    tol: float
    max_iter: int
    time_limit: float
    student_t: tuple[float, float] | None
    loo: bool
    variance: bool
    seed: int


def _kernel_kind(kind: str) -> None:
    if kind not in krr.KERNEL_KINDS and kind not in krr.DISTANCE_KINDS:
        raise InvalidParameter("kernel.kind", "must be one of "
                               + ", ".join(krr.KERNEL_KINDS))


_KERNEL_NAMES = {"kind": "kernel.kind", "params": "kernel.params"}


def _model_targets(uow: UnitOfWorkPort, principal: Principal, targets: ModelTargets,
                   X: NDArray[np.float64], limits: QueryLimits) -> NDArray[np.float64]:
    """The model's predictions at the training points, through the predict route's
    service (its access rule, price cap and audit record): post-processing."""
    try:
        view = models.predict(uow, principal, targets.model_id, X, cache=limits.cache,
                              max_points=limits.max_points, max_seconds=limits.max_seconds)
    except InvalidInput as exc:  # the points' width is not the model's
        raise InvalidParameter("x", "must have the model's dimension") from exc
    if view.classes is not None:
        if targets.label is None or targets.label not in view.classes:
            raise InvalidParameter("y.label", "must be one of the classifier's classes")
        scores = np.asarray(view.scores, dtype=np.float64)
        return scores[:, view.classes.index(targets.label)]
    if targets.label is not None:
        raise InvalidParameter("y.label", "is for a classifier only")
    if view.kind != "regressor" or view.values is None:
        raise InvalidParameter("y.model_id", "must be a classifier or a regressor")
    return np.asarray(view.values, dtype=np.float64)


def prepare_kernel_regression(
        uow: UnitOfWorkPort | None = None, principal: Principal | None = None, *, x: Rows,
        y: list[float] | ModelTargets, kind: str, params: Mapping[str, Any], ridge: float,
        method: krr.Method, preconditioner: krr.Preconditioner, rank: int, tol: float,
        max_iter: int, time_limit: float, student_t: tuple[float, float] | None, loo: bool,
        points: Rows | None, variance: bool, seed: int,
        limits: QueryLimits | None = None) -> KernelRegressionProblem:
    """The problem checked (the kernel's params included), with a model's targets read."""
    _kernel_kind(kind)
    X = _matrix(x, "x")
    Q = None if points is None else _matrix(points, "points")
    if Q is not None and Q.shape[1] != X.shape[1]:
        raise InvalidParameter("points", "must have as many columns as x")
    _renamed(lambda: krr.make_kernel(kind, params, X.shape[1]), _KERNEL_NAMES)
    if isinstance(y, ModelTargets):
        if uow is None or principal is None or limits is None:
            raise TypeError("targets from a model need the unit of work and the limits")
        targets = _model_targets(uow, principal, y, X, limits)
    else:
        targets = _vector(y, "y")
    return KernelRegressionProblem(X, targets, Q, kind, dict(params), ridge, method,
                                   preconditioner, rank, tol, max_iter, time_limit,
                                   student_t, loo, variance, seed)


def solve_kernel_regression(problem: KernelRegressionProblem,
                            progress: Progress | None = None,
                            to_device: ToDevice | None = None) -> KernelRegressionView:
    """Fit (core.solvers.kernel_regression.fit) and predict at the points, on the device
    if given (the core is Array-API generic). The fit and the LOO probes run under
    ``time_limit`` each; the variance solves under what the fit left of it (at least
    1 ms). Progress: the fit, then the variance solves."""
    start = time.perf_counter()
    p = dataclasses.replace(problem, x=_on(to_device, problem.x),
                            y=_on(to_device, problem.y))
    Q = _on(to_device, p.points)
    later = Q is not None and p.variance
    student_t = None if p.student_t is None else (float(p.student_t[0]),
                                                   float(p.student_t[1]))
    model = _renamed(lambda: krr.fit(
        p.kind, p.params, p.x, p.y, ridge=p.ridge, method=p.method,
        preconditioner=p.preconditioner, rank=p.rank, tol=p.tol, max_iter=p.max_iter,
        time_limit=p.time_limit, student_t=student_t, loo=p.loo, seed=p.seed,
        progress=_span(progress, 0.0, 0.5 if later else 1.0)),
        _KERNEL_NAMES | {"X": "x", "student_t": "student_t"})
    solves = [SolveView.of("fit", model.info)]
    if model.loo_info is not None:
        solves.append(SolveView.of("loo", model.loo_info))
    mean: list[float] = []
    var = scale = None
    dof = model.dof
    if Q is not None:
        left = max(p.time_limit - (time.perf_counter() - start), 1e-3)
        timed = dataclasses.replace(model, time_limit=left)
        post = _renamed(lambda: timed.posterior(Q, variance=p.variance,
                                                progress=_span(progress, 0.5, 1.0)),
                        {"X": "points"})
        mean = _floats(post.mean)
        if p.variance:
            var = _floats(post.variance)
            scale = _floats(post.scale) if model.student_t is not None else None
        if post.info is not None:
            solves.append(SolveView.of("variance", post.info))
    loo_res = None if model.loo_residuals is None else _floats(model.loo_residuals)
    return KernelRegressionView(
        mean=mean, variance=var, scale=scale, dof=dof, loo_residuals=loo_res,
        loo_method=model.loo_method, iterations=model.info.iterations,
        converged=all(s.converged for s in solves), residual_norm=model.info.residual,
        solves=solves)


# --- designs -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DesignProblem:
    """A least-squares design: the features, or a pool and basis (the features are
    computed when solved); the seed is fixed (drawn if the caller gave none)."""

    pool: NDArray[np.float64] | None
    basis: Literal["legendre", "polynomial"] | None
    degree: int | None
    features: NDArray[np.float64] | None
    method: dsg.Method
    n: int | None
    seed: int
    y: NDArray[np.float64] | None


@dataclass(frozen=True, slots=True)
class QualityDiversityProblem:
    """A quality-diversity selection: the pool and the qualities read from a structure."""

    pool: NDArray[np.float64]
    quality: NDArray[np.float64]
    kind: str
    params: dict[str, Any]
    k: int
    method: Literal["sample", "greedy"]
    seed: int


_DESIGN_NAMES = {"Phi": "features", "n": "n", "y": "y"}


def _flat(pool: Any) -> bool:
    return isinstance(pool, list | tuple) and len(pool) > 0 \
        and not isinstance(pool[0], list | tuple)


def _features(pool: NDArray[np.float64], basis: str, degree: int) -> NDArray[np.float64]:
    if basis == "legendre":
        return _renamed(lambda: dsg.legendre_features(pool, degree), {"x": "pool"})
    return _renamed(lambda: dsg.polynomial_features(pool, degree), {"x": "pool"})


def prepare_design(*, pool: list[float] | Rows | None,
                   basis: Literal["legendre", "polynomial"] | None, degree: int | None,
                   features: Rows | None, method: dsg.Method, n: int | None,
                   seed: int | None, y: list[float] | None) -> DesignProblem:
    """The least-squares design checked: the features, or the pool for the basis (its
    range checked by the basis of degree 0, O(N))."""
    arr: NDArray[np.float64] | None = None
    Phi: NDArray[np.float64] | None = None
    if features is not None:
        if pool is not None or basis is not None:
            raise InvalidParameter("features", "give features, or pool and basis, not both")
        Phi = _matrix(features, "features")
        size = Phi.shape[0]
    else:
        if pool is None or basis is None or degree is None:
            raise InvalidParameter("pool" if pool is None else "basis",
                                   "is required without features")
        arr = np.asarray(pool, dtype=np.float64) if _flat(pool) else _matrix(pool, "pool")
        if basis == "legendre" and arr.ndim != 1:
            raise InvalidParameter("pool", "must be a list of numbers for the legendre basis")
        _features(arr, basis, 0)
        size = arr.shape[0]
    values = None if y is None else _vector(y, "y")
    if values is not None and values.size != size:
        raise InvalidParameter("y", "must have one value per pool point")
    return DesignProblem(arr, basis if Phi is None else None, degree if Phi is None else None,
                         Phi, method, n, _seed(seed), values)


def solve_design(problem: DesignProblem, progress: Progress | None = None,
                 to_device: ToDevice | None = None) -> DesignView:
    """A least-squares design on a public pool (core.solvers.design.solve_design), on
    the device if given (the randomness stays on the host); the fit when ``y`` was
    given."""
    names = dict(_DESIGN_NAMES)
    if problem.features is not None:
        Phi = _on(to_device, problem.features)
    else:
        if problem.pool is None or problem.basis is None or problem.degree is None:
            raise TypeError("a design problem needs features, or pool, basis and degree")
        Phi = _features(_on(to_device, problem.pool), problem.basis, problem.degree)
        names["Phi"] = "pool"
    rng = dsg.public_rng(problem.seed)
    y = problem.y
    values: Any = (lambda idx: np.zeros(idx.size)) if y is None else _on(to_device, y)
    result = _renamed(lambda: dsg.solve_design(Phi, values, rng, method=problem.method,
                                               n=problem.n, progress=progress), names)
    return DesignView(
        mode="least_squares", method=result.method, seed=problem.seed,
        indices=_ints(result.indices), weights=_floats(result.weights),
        coefficients=None if y is None else _floats(result.coefficients),
        gram_condition=result.gram_condition, full_rank=result.full_rank, log_det=None,
        complete=None)


def prepare_quality_diversity(
        uow: UnitOfWorkPort, principal: Principal, *, structure_id: UUID,
        pool: list[float] | Rows, kind: str, params: Mapping[str, Any], k: int,
        method: Literal["sample", "greedy"], seed: int | None,
        limits: QueryLimits) -> QualityDiversityProblem:
    """The selection checked, with q_i = sqrt(max(answer_i, 0)) read from the
    structure's DP answers at the pool points."""
    _kernel_kind(kind)
    P = np.asarray(pool, dtype=np.float64).reshape(-1, 1) if _flat(pool) \
        else _matrix(pool, "pool")
    if not np.all(np.isfinite(P)):
        raise InvalidParameter("pool", "must be finite (no NaN or infinity)")
    if k > P.shape[0]:
        raise InvalidParameter("k", "must be at most the number of pool points")
    _renamed(lambda: krr.make_kernel(kind, params, P.shape[1]), _KERNEL_NAMES)
    q = np.sqrt(_answers(uow, principal, structure_id, P, "pool", limits))
    if int(np.count_nonzero(q)) < k:
        raise InvalidParameter("k", "is more than the pool points with a positive answer "
                               "(a zero-quality point is never chosen)")
    return QualityDiversityProblem(P, q, kind, dict(params), k, method, _seed(seed))


def solve_quality_diversity(problem: QualityDiversityProblem,
                            progress: Progress | None = None,
                            to_device: ToDevice | None = None) -> DesignView:
    """k pool points from L = diag(q) K diag(q), K the kernel on the pool, on the device
    if given (the randomness stays on the host)."""
    P = _on(to_device, problem.pool)
    K = _renamed(lambda: krr.kernel_matrix(problem.kind, problem.params, P, P),
                 _KERNEL_NAMES | {"X": "pool", "Y": "pool"})
    xp = array_namespace(K)
    K = (K + xp.matrix_transpose(K)) / 2.0
    rng = dsg.public_rng(problem.seed)
    result = _renamed(lambda: dsg.quality_diversity(K, _on(to_device, problem.quality),
                                                    problem.k, rng, method=problem.method,
                                                    progress=progress),
                      {"K": "kernel", "q": "quality", "k": "k"})
    log_det = result.log_det if math.isfinite(result.log_det) else None
    return DesignView(
        mode="quality_diversity", method=result.method, seed=problem.seed,
        indices=_ints(result.indices), weights=None, coefficients=None,
        gram_condition=None, full_rank=None, log_det=log_det, complete=result.complete)


# --- dispatch ------------------------------------------------------------------------------

Problem = OtProblem | KernelRegressionProblem | DesignProblem | QualityDiversityProblem
View = OtView | KernelRegressionView | DesignView


def solve(problem: Problem, progress: Progress | None = None,
          to_device: ToDevice | None = None) -> View:
    """Solve any prepared problem, on the device if given (every core solver is
    Array-API generic; the designs' public randomness stays on the host)."""
    if isinstance(problem, OtProblem):
        return solve_ot(problem, progress, to_device)
    if isinstance(problem, KernelRegressionProblem):
        return solve_kernel_regression(problem, progress, to_device)
    if isinstance(problem, DesignProblem):
        return solve_design(problem, progress, to_device)
    return solve_quality_diversity(problem, progress, to_device)
