"""Solvers on public inputs: entropic optimal transport, kernel ridge / GP regression and
designs (app.services.solvers, core/solvers). Any valid key may call them; a structure
named in a body obeys that structure's own access rule (as its query route).

Each request is measured (app.api.schemas.solvers) and answered in one of three ways:
a small problem is solved in a worker thread under the app's compute limiter (200);
a large one, one with a long ``time_limit``, or one sent with ``Prefer: respond-async``
(RFC 7240) is checked and prepared here, then queued as a job (202, ``Location``: the
job; its answer at ``/v1/jobs/{id}/result``); one above the job limits gets 413. Every
solve has its own iteration and time caps."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse

from app.api import examples as ex
from app.api.deps import AppState, HeavyLimit, PrincipalDep, StateDep
from app.api.responses import AUTHENTICATED, Responses, body_examples, example, problems
from app.api.routes import V1
from app.api.schemas.solvers import (
    DesignIn,
    DesignOut,
    KernelRegressionIn,
    KernelRegressionOut,
    OtIn,
    OtOut,
    Size,
    SolveAccepted,
    SolveLimits,
    StructureWeights,
    check_plan,
    sizes_design,
    sizes_kernel_regression,
    sizes_ot,
)
from app.api.strict_json import StrictJSONRoute
from app.errors import Forbidden, InvalidInput, NotFound, NotReady, PayloadTooLarge
from app.services import solve_jobs, solvers
from app.services.access import Principal

router = APIRouter(prefix=f"{V1}/solvers", tags=["solvers"], route_class=StrictJSONRoute,
                   responses=problems(*AUTHENTICATED))

# a structure reference can answer as the query route does
_STRUCTURE_PROBLEMS = (Forbidden, NotFound, NotReady)


def _limits(state: AppState) -> solvers.QueryLimits:
    settings = state.settings
    return solvers.QueryLimits(state.cache, settings.max_query_points,
                               settings.max_query_seconds)


def _solve_limits(state: AppState) -> SolveLimits:
    settings = state.settings
    return SolveLimits(settings.solver_sync_scale, settings.solver_job_scale,
                       settings.solver_sync_seconds, settings.solver_job_seconds)


PreferHeader = Annotated[str | None, Header(
    alias="Prefer", description="respond-async: run the solve as a job whatever its size "
    "(RFC 7240)")]
# a job is answered 202 with SolveAccepted; its answer is this route's 200 body
_ACCEPTED: Responses = {202: {"model": SolveAccepted, "description": (
    "queued as a job (a large problem, a long time_limit, or Prefer: respond-async): "
    "follow job_url, then GET result_url"),
    "content": {"application/json": {"example": ex.SOLVE_ACCEPTED}}}}


def _prefers_job(prefer: str | None) -> bool:
    if prefer is None:
        return False
    return any(token.strip().lower() == "respond-async"
               for token in prefer.replace(";", ",").split(","))


async def _solve(state: AppState, principal: Principal, sizes: list[Size],
                 time_limit: float | None, prefer: str | None,
                 prepare: Callable[[], solvers.Problem]) -> solvers.View | JSONResponse:
    """Solve here, or prepare here and queue as a job (the module docstring)."""
    wants_job = _prefers_job(prefer)
    mode = _solve_limits(state).route(sizes, time_limit, prefer_job=wants_job)
    if mode == "sync":
        return await anyio.to_thread.run_sync(lambda: solvers.solve(prepare()),
                                              limiter=state.compute)
    problem = await anyio.to_thread.run_sync(prepare, limiter=state.compute)
    job_id = await anyio.to_thread.run_sync(
        partial(solve_jobs.submit, state.uow, principal, problem))
    job_url = f"{V1}/jobs/{job_id}"
    accepted = SolveAccepted(job_id=job_id, kind=solve_jobs.KIND_OF[type(problem)],
                             job_url=job_url, result_url=f"{job_url}/result")
    headers = {"Location": job_url}
    if wants_job:
        headers["Preference-Applied"] = "respond-async"
    return JSONResponse(accepted.model_dump(mode="json"), status_code=202, headers=headers)


def _answer(result: solvers.View | JSONResponse, out: Callable[[Any], Any]) -> Any:
    return result if isinstance(result, JSONResponse) else out(result)


def _marginal(value: list[float] | StructureWeights) -> solvers.Marginal:
    if isinstance(value, StructureWeights):
        return solvers.StructureWeights(value.structure_id, value.points)
    return value


@router.post("/ot", response_model=OtOut,
             dependencies=[HeavyLimit],
             openapi_extra=body_examples({"cost": ex.SOLVER_OT_COST,
                                          "points": ex.SOLVER_OT_POINTS,
                                          "structure": ex.SOLVER_OT_STRUCTURE}),
             responses=example(ex.SOLVER_OT_OUT) | _ACCEPTED
             | problems(*_STRUCTURE_PROBLEMS, PayloadTooLarge, InvalidInput))
async def solve_ot(body: OtIn, state: StateDep, principal: PrincipalDep,
                   prefer: PreferHeader = None) -> Any:
    """Entropic optimal transport, min <P, C> + reg sum P (log P - 1) over the plans with
    marginals a and b (POT's ``ot.sinkhorn``), by Sinkhorn-Newton-Sparse: 20 Sinkhorn
    sweeps then sparsified Newton steps. The cost is ``cost`` (n x m) or computed
    from the supports x (n x d) and y (m x d) by ``metric``. A marginal is a list of
    weights or ``{structure_id, points}``: weights proportional to that structure's DP
    answers at the points, clipped at 0 (the points are then that side's support;
    post-processing of the release, nothing is spent; the key must be allowed to query the
    structure). A structure marginal is rescaled to the other side's mass (both to 1 when
    both come from structures); two lists must have the same mass. Sizes (default
    settings): up to 1,000,000 cost entries answer here, up to 8,000,000 run as a job
    (202), 413 above; a returned plan is at most 1,000,000 entries. Hitting ``max_iter``
    or ``time_limit`` answers with ``converged`` false. Derivation: docs/solvers/ot.md;
    jobs: docs/solvers/jobs.md."""
    check_plan(body, _solve_limits(state))
    prepare = partial(solvers.prepare_ot, state.uow, principal, cost=body.cost, x=body.x,
                      y=body.y, metric=body.metric, a=_marginal(body.a), b=_marginal(body.b),
                      reg=body.reg, tol=body.tol, sparsity=body.sparsity,
                      max_iter=body.max_iter, time_limit=body.time_limit,
                      return_plan=body.return_plan, limits=_limits(state))
    result = await _solve(state, principal, sizes_ot(body), body.time_limit, prefer, prepare)
    return _answer(result, OtOut.from_view)


@router.post("/kernel-regression", response_model=KernelRegressionOut,
             dependencies=[HeavyLimit],
             openapi_extra=body_examples({"gaussian": ex.SOLVER_KRR_IN,
                                          "student_t": ex.SOLVER_KRR_STUDENT}),
             responses=example(ex.SOLVER_KRR_OUT) | _ACCEPTED
             | problems(*_STRUCTURE_PROBLEMS, PayloadTooLarge, InvalidInput))
async def solve_kernel_regression(body: KernelRegressionIn, state: StateDep,
                                  principal: PrincipalDep,
                                  prefer: PreferHeader = None) -> Any:
    """Kernel ridge / GP regression of y on x with a positive-definite kernel kind of the
    catalog (distance kinds: 422): alpha = (K + ridge I)^-1 y by conjugate gradients with a
    Nystrom or pivoted-Cholesky preconditioner (or a dense Cholesky), then at ``points``
    the mean K*' alpha and the GP variance (or, with ``student_t``, the Student-t scale
    and degrees of freedom), and with ``loo`` the leave-one-out residuals. The training
    data must be public or DP-synthetic, or public points labelled by a released DP
    model (``y: {model_id, label?}``: a regressor's values or a classifier's probability
    of ``label`` at x, read through the model's predict route, its access rule and audit
    record), never private rows: nothing is read from a dataset and nothing is spent.
    Sizes (default settings): up to 5,000 training and 20,000 prediction points answer
    here, up to about 14,000 and 160,000 run as a job (202), 413 above. Hitting
    ``max_iter`` or ``time_limit`` answers with ``converged`` false. Derivation:
    docs/solvers/kernel_regression.md; jobs: docs/solvers/jobs.md."""
    student_t = None if body.student_t is None else (body.student_t.a, body.student_t.b)
    y = body.y if isinstance(body.y, list) else solvers.ModelTargets(body.y.model_id,
                                                                     body.y.label)
    prepare = partial(solvers.prepare_kernel_regression, state.uow, principal, x=body.x, y=y,
                      kind=body.kernel.kind, limits=_limits(state),
                      params=body.kernel.params, ridge=body.ridge, method=body.method,
                      preconditioner=body.preconditioner, rank=body.rank, tol=body.tol,
                      max_iter=body.max_iter, time_limit=body.time_limit,
                      student_t=student_t, loo=body.loo, points=body.points,
                      variance=body.variance, seed=body.seed)
    result = await _solve(state, principal, sizes_kernel_regression(body), body.time_limit,
                          prefer, prepare)
    return _answer(result, KernelRegressionOut.from_view)


_LEAST_SQUARES_ONLY = ("basis", "features", "n", "y")
_QUALITY_ONLY = ("kernel", "k")


def _refuse(body: DesignIn, names: tuple[str, ...], why: str) -> None:
    for name in names:
        if getattr(body, name) is not None:
            raise InvalidInput(f"{name}: {why}")


def _design_prepare(body: DesignIn, state: AppState,
                    principal: Principal) -> Callable[[], solvers.Problem]:
    """The preparation the body asks for: least squares or quality-diversity."""
    if body.quality is None:
        _refuse(body, _QUALITY_ONLY, "is only used with quality (quality-diversity)")
        if body.method in ("sample", "greedy"):
            raise InvalidInput("method: must be iid, dpp or volume without quality")
        least: Literal["iid", "dpp", "volume"] = "iid" if body.method == "iid" else \
            "dpp" if body.method == "dpp" else "volume"
        basis = body.basis
        return partial(solvers.prepare_design, pool=body.pool,
                       basis=None if basis is None else basis.kind,
                       degree=None if basis is None else basis.degree,
                       features=body.features, method=least, n=body.n, seed=body.seed,
                       y=body.y)
    _refuse(body, _LEAST_SQUARES_ONLY, "is not used with quality (quality-diversity "
            "takes pool, kernel, k, method and seed)")
    if body.method in ("iid", "dpp", "volume"):
        raise InvalidInput("method: must be sample or greedy with quality")
    if body.pool is None or body.kernel is None or body.k is None:
        missing = "pool" if body.pool is None else "kernel" if body.kernel is None else "k"
        raise InvalidInput(f"{missing}: is required with quality")
    method: Literal["sample", "greedy"] = "sample" if body.method == "sample" else "greedy"
    return partial(solvers.prepare_quality_diversity, state.uow, principal,
                   structure_id=body.quality.structure_id, pool=body.pool,
                   kind=body.kernel.kind, params=body.kernel.params, k=body.k,
                   method=method, seed=body.seed, limits=_limits(state))


@router.post("/design", response_model=DesignOut,
             dependencies=[HeavyLimit],
             openapi_extra=body_examples({"legendre": ex.SOLVER_DESIGN_IN,
                                          "quality_diversity": ex.SOLVER_DESIGN_QUALITY}),
             responses=example(ex.SOLVER_DESIGN_OUT) | _ACCEPTED
             | problems(*_STRUCTURE_PROBLEMS, PayloadTooLarge, InvalidInput))
async def solve_design(body: DesignIn, state: StateDep, principal: PrincipalDep,
                       prefer: PreferHeader = None) -> Any:
    """Choose points of a public pool. Least squares: a ``pool`` with a ``basis``
    (legendre on [-1, 1], or polynomial on [-1, 1]^d) or a raw ``features`` matrix; with
    ``method`` iid (n draws from the leverage distribution), dpp (the projection DPP, m
    points) or volume (DPP plus n - m draws, the default) the indices and the optimal
    weights w_i = 1 / (N rho_i), the sample's Gram condition number, and with ``y`` (the
    pool's values) the weighted least-squares coefficients. Quality-diversity (with
    ``quality``): k pool points from L = diag(q) K diag(q), K the ``kernel`` on the pool,
    q_i = sqrt(max(answer_i, 0)) from the structure's DP answers at the pool points
    (post-processing, nothing is spent; the key must be allowed to query it), by
    ``method`` sample (the k-DPP) or greedy (the MAP, the default). ``seed`` is public
    randomness (omitted: drawn and returned). Sizes (default settings): a pool of
    200,000 points (5,000 for quality-diversity) answers here, 1,600,000 (about 14,000)
    as a job (202), 413 above; at most 1,000 basis functions. Derivation:
    docs/solvers/design.md; jobs: docs/solvers/jobs.md."""
    prepare = _design_prepare(body, state, principal)
    result = await _solve(state, principal, sizes_design(body), None, prefer, prepare)
    return _answer(result, DesignOut.from_view)
