"""Bodies of /v1/solvers: entropic optimal transport (core/solvers/ot.py), kernel ridge /
GP regression (core/solvers/kernel_regression.py) and least-squares and quality-diversity
designs (core/solvers/design.py), on public inputs, DP-synthetic inputs or weights read
from a released structure (post-processing: nothing is spent).

Sizes (``sizes_*``) are measured before any work and compared with base limits scaled
by the settings (``SolveLimits.route``): up to ``sync_scale`` times the base the problem
is answered in the request; up to ``job_scale`` times it runs as a job (202); above,
413. A ``time_limit`` above ``sync_seconds`` also makes a job, and one above
``job_seconds`` is refused (422). The rules between fields (which of ``cost`` / ``x`` /
``a.points`` gives the support, shapes, masses) are checked by the service and
answered with a 422 naming the field. Derivations: docs/solvers/*.md; jobs:
docs/solvers/jobs.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field

from app.api.schemas.common import Id, Out, Strict
from app.errors import InvalidInput, PayloadTooLarge
from core.solvers.design import MAX_SAMPLE

__all__ = [
    "DESIGN_MAX_ENTRIES", "DESIGN_MAX_FEATURES", "DESIGN_MAX_KERNEL_ENTRIES", "DESIGN_MAX_POOL",
    "DESIGN_MAX_SAMPLE", "KRR_MAX_CROSS", "KRR_MAX_ENTRIES", "KRR_MAX_POINTS", "KRR_MAX_RANK",
    "KRR_MAX_VARIANCE_WORK", "KRR_MAX_WORK", "MAX_ITER", "MAX_SECONDS", "OT_MAX_ENTRIES",
    "OT_MAX_WORK", "Basis", "DesignIn", "DesignOut", "KernelIn", "KernelRegressionIn",
    "KernelRegressionOut", "OtIn", "OtOut", "QualityIn", "Size", "SolveAccepted",
    "SolveLimits", "SolveRead", "StructureWeights", "StudentT", "check_plan", "sizes_design",
    "sizes_kernel_regression", "sizes_ot",
]

# --- base limits: scaled by the settings' sync and job scales -----------------------------
OT_MAX_ENTRIES = 1_000_000  # n * m entries of the cost matrix (and of the plan)
OT_MAX_WORK = 200_000_000  # n * m * d differences when the cost is computed from x, y
KRR_MAX_ENTRIES = 25_000_000  # n^2 entries of K (n = 5,000: 200 MB)
KRR_MAX_POINTS = 20_000  # q prediction points
KRR_MAX_CROSS = 20_000_000  # n * q entries of k(X, X*)
KRR_MAX_VARIANCE_WORK = 50_000_000_000  # n^2 * q: the variance solves' flops per sweep
KRR_MAX_WORK = 2_000_000_000  # (n^2 + n q) d: the kernel matrices' cost
DESIGN_MAX_POOL = 200_000  # N candidate points
DESIGN_MAX_ENTRIES = 20_000_000  # N * m entries of the feature matrix
DESIGN_MAX_SAMPLE = 100_000  # n points drawn
DESIGN_MAX_KERNEL_ENTRIES = 25_000_000  # N^2 for quality-diversity (an N x N kernel)
# --- fixed limits ----------------------------------------------------------------------
DESIGN_MAX_FEATURES = 1_000  # m basis functions
KRR_MAX_RANK = 5_000  # the preconditioner's rank
MAX_SECONDS = 86_400.0  # time_limit of any solve; the settings cap it lower
MAX_ITER = 1_000_000  # max_iter of any iterative solve

Row = list[float]
Matrix = Annotated[list[Row], Field(min_length=1)]
Seconds = Annotated[float, Field(gt=0, le=MAX_SECONDS, description=(
    "wall-time cap of the solve in seconds; above the server's synchronous cap (30 s by "
    "default) the solve runs as a job, up to its job cap (3,600 s by default); hitting it "
    "gives converged false, not an error"))]
Iterations = Annotated[int, Field(ge=1, le=MAX_ITER, description=(
    f"iteration cap, at most {MAX_ITER:,}; hitting it gives converged false"))]


@dataclass(frozen=True, slots=True)
class Size:
    """One measured size of a problem and its base limit."""

    what: str
    size: int
    base: int


@dataclass(frozen=True, slots=True)
class SolveLimits:
    """The settings' scales: where a problem is solved, or why it is not."""

    sync_scale: float
    job_scale: float
    sync_seconds: float
    job_seconds: float

    def route(self, sizes: list[Size], time_limit: float | None, *,
              prefer_job: bool) -> Literal["sync", "job"]:
        """"sync" or "job" for a problem of these sizes; 413 above the job limits, 422
        for a time_limit above the job cap."""
        for s in sizes:
            limit = int(s.base * self.job_scale)
            if s.size > limit:
                raise PayloadTooLarge(
                    f"{s.what} is {s.size:,}, above the limit of {limit:,} for a solve "
                    "(even as a job): send a smaller problem", size=s.size, limit=limit)
        if time_limit is not None and time_limit > self.job_seconds:
            raise InvalidInput(f"time_limit: must be at most {self.job_seconds:g} seconds")
        large = any(s.size > s.base * self.sync_scale for s in sizes)
        slow = time_limit is not None and time_limit > self.sync_seconds
        return "job" if prefer_job or large or slow else "sync"

    def plan_limit(self) -> int:
        """The largest plan an OT answer may carry (n * m), job or not."""
        return int(OT_MAX_ENTRIES * self.sync_scale)


class SolveAccepted(Out):
    """A solve queued as a job: follow ``job_url``, then read ``result_url``."""

    job_id: UUID
    kind: str = Field(description="solve_ot, solve_kernel_regression, solve_design or "
                      "solve_quality_diversity")
    job_url: str = Field(description="GET it for status and progress")
    result_url: str = Field(description="GET it once the job succeeded: the answer, as the "
                            "synchronous route's")


# --- optimal transport ----------------------------------------------------------------

class StructureWeights(Strict):
    """Weights proportional to a released structure's DP answers at public points,
    clipped at 0 (post-processing: nothing is spent). The points are also the support
    of that side of the transport."""

    structure_id: Id = Field(description="a ready structure the key may query")
    points: Matrix = Field(description="the support points (q x dim of the structure)")


Marginal = list[float] | StructureWeights


class OtIn(Strict):
    """Entropic OT between two discrete measures: min <P, C> + reg sum P (log P - 1)
    over plans with marginals a and b (POT's ``ot.sinkhorn(a, b, C, reg)``), solved by
    Sinkhorn-Newton-Sparse. The cost is ``cost`` or computed from the supports by
    ``metric``; a support is ``x`` (``y``) or the points of a structure marginal."""

    cost: Matrix | None = Field(default=None, description=(
        "the cost matrix C (n x m); without it, C is computed from x and y by metric"))
    x: Matrix | None = Field(default=None, description=(
        "the source support (n x d); omitted when a is {structure_id, points} (its points "
        "are the support); giving both is refused"))
    y: Matrix | None = Field(default=None, description="the target support (m x d), as x")
    metric: Literal["sqeuclidean", "euclidean", "cityblock"] = Field(
        default="sqeuclidean", description="the cost between support points, without cost")
    a: Marginal = Field(description=(
        "source weights: n non-negative numbers, or {structure_id, points} (weights "
        "proportional to the structure's clipped DP answers at the points)"))
    b: Marginal = Field(description="target weights (m), as a")
    reg: float = Field(gt=0, description="entropic regularisation (1 / eta); > 0")
    tol: float = Field(default=1e-9, gt=0, le=1, description=(
        "stop when ||a - P 1||_1 + ||b - P' 1||_1 < tol * mass"))
    sparsity: float | None = Field(default=None, gt=0, le=1, description=(
        "kept fraction of the Newton Hessian's off-diagonal block (default 5 / min(n, m))"))
    max_iter: Iterations = 5000
    time_limit: Seconds = 10.0
    return_plan: bool = Field(default=False, description="return the plan P (n x m)")


class OtOut(Out):
    """The entropic plan's transport cost and how the solve went."""

    cost_value: float = Field(description="<P, C>, the transport cost of the entropic "
                              "plan (without the entropy term)")
    iterations: int = Field(description="Sinkhorn sweeps and Newton steps together")
    sinkhorn_iterations: int
    newton_iterations: int
    marginal_error: float = Field(description="||a - P 1||_1 + ||b - P' 1||_1")
    converged: bool = Field(description="the marginal error fell below tol * mass before "
                            "max_iter or time_limit")
    seconds: float
    a: list[float] = Field(description="the source marginal solved for (after clipping and "
                           "rescaling of a structure's answers)")
    b: list[float] = Field(description="the target marginal solved for")
    plan: list[list[float]] | None = Field(description="P (n x m) when return_plan, else "
                                           "null")


def _rows(value: Matrix | None) -> int:
    return 0 if value is None else len(value)


def _cols(value: Matrix | None) -> int:
    return 0 if value is None else len(value[0])


def _support(marginal: Marginal, points: Matrix | None) -> Matrix | None:
    return marginal.points if isinstance(marginal, StructureWeights) else points


def sizes_ot(body: OtIn) -> list[Size]:
    """The cost matrix's n m entries and, computed from supports, its n m d work."""
    if body.cost is not None:
        n, m, d = len(body.cost), len(body.cost[0]), 0
    else:
        xs, ys = _support(body.a, body.x), _support(body.b, body.y)
        n = _rows(xs) or (len(body.a) if isinstance(body.a, list) else 0)
        m = _rows(ys) or (len(body.b) if isinstance(body.b, list) else 0)
        d = max(_cols(xs), _cols(ys))
    return [Size("the cost matrix's n * m", n * m, OT_MAX_ENTRIES),
            Size("the cost's n * m * d", n * m * d, OT_MAX_WORK)]


def check_plan(body: OtIn, limits: SolveLimits) -> None:
    """413 for a plan too large to return (a solve without return_plan is not capped by
    it)."""
    sizes = sizes_ot(body)
    entries, limit = sizes[0].size, limits.plan_limit()
    if body.return_plan and entries > limit:
        raise PayloadTooLarge(
            f"the plan's n * m is {entries:,}, above the limit of {limit:,} for a returned "
            "plan: ask without return_plan", size=entries, limit=limit)


# --- kernel regression ----------------------------------------------------------------

class KernelIn(Strict):
    """A positive-definite kernel kind of the catalog (``GET /v1/kernels``) with its
    params; the exact kernel, not a random-feature estimate. Distance kinds are refused."""

    kind: str = Field(description="gaussian_kde, exponential_kde, laplace_kde, cauchy_kde, "
                      "vmf_kde, rff_baseline (the Gaussian), relu_nngp, relu_ntk or "
                      "inner_product")
    params: dict[str, Any] = Field(default_factory=dict, description=(
        "the kind's params as for a build (bandwidth, kappa, ...); feature-size params are "
        "checked and ignored"))


class StudentT(Strict):
    """An inverse-gamma(a, b) prior on the output scale: a Student-t predictive."""

    a: float = Field(gt=0, description="shape a > 0")
    b: float = Field(gt=0, description="scale b > 0")


class ModelTargets(Strict):
    """Training targets read from a released DP model at the training points x (the
    model's predict route: its access rule and audit record; post-processing, nothing
    is spent): a regressor's values, or a classifier's probability of ``label``."""

    model_id: Id = Field(description="a ready classifier or regressor the key may use")
    label: int | None = Field(default=None, description=(
        "classifier only: the class whose probability is the target"))


class KernelRegressionIn(Strict):
    """Kernel ridge / GP regression of y on x: alpha = (K + ridge I)^-1 y by
    preconditioned conjugate gradients (or Cholesky), predictions K*' alpha at ``points``
    with the GP (or Student-t) variance. Training data must be public or DP-synthetic (or
    public points labelled by a released DP model, ``y: {model_id}``), never private
    rows."""

    x: Matrix = Field(description="training points (n x d)")
    y: list[float] | ModelTargets = Field(description=(
        "training targets (n), or {model_id, label?}: the predictions of a released DP "
        "model at x (public points labelled by a DP model)"))
    kernel: KernelIn
    ridge: float = Field(gt=0, description="s^2 > 0: the GP noise variance, KernelRidge's "
                         "alpha; at least 1e-14 times the largest K_ii")
    method: Literal["pcg", "cholesky"] = Field(default="pcg", description=(
        "pcg (conjugate gradients, capped) or cholesky (dense, direct)"))
    preconditioner: Literal["nystrom", "pivoted_cholesky", "none"] = "nystrom"
    rank: int = Field(default=256, ge=1, le=KRR_MAX_RANK, description=(
        "the preconditioner's rank (capped at n)"))
    tol: float = Field(default=1e-10, gt=0, lt=1, description="relative residual to stop "
                       "at")
    max_iter: Iterations = 5000
    time_limit: Seconds = 10.0
    student_t: StudentT | None = None
    loo: bool = Field(default=False, description="also return leave-one-out residuals")
    points: Matrix | None = Field(default=None, description="where to predict (q x d)")
    variance: bool = Field(default=True, description="also compute the predictive "
                           "variance at points (n^2 q work)")
    seed: int = Field(default=0, ge=0, le=2**63 - 1, description=(
        "public seed of the Nystrom landmarks and the Hutchinson probes"))


class SolveRead(Out):
    """One linear solve (the fit, the variance solves, the LOO probes)."""

    stage: Literal["fit", "variance", "loo"]
    method: str
    iterations: int
    residual_norm: float = Field(description="the true relative residual")
    converged: bool
    stopped: str = Field(description="converged, max_iter, time_limit, breakdown or direct")
    seconds: float


class KernelRegressionOut(Out):
    """Predictions at the points and how the solves went."""

    mean: list[float] = Field(description="the posterior mean K*' alpha (the kernel ridge "
                              "prediction) at each point")
    variance: list[float | None] | None = Field(description=(
        "the predictive variance of the latent f (Student-t: scale nu / (nu - 2); an "
        "entry is null where it is infinite, nu <= 2); null when variance is false"))
    scale: list[float] | None = Field(description="Student-t scale diag Sigma* (null for "
                                      "the GP)")
    dof: float | None = Field(description="Student-t degrees of freedom 2a + n (null for "
                              "the GP)")
    loo_residuals: list[float] | None = Field(description=(
        "(y_i - yhat_i) / (1 - H_ii) when loo, else null"))
    loo_method: Literal["exact", "hutchinson"] | None
    iterations: int = Field(description="the fit's iterations (0 for a direct solve)")
    converged: bool = Field(description="every solve converged")
    residual_norm: float = Field(description="the fit's true relative residual "
                                 "|y - (K + ridge I) alpha| / |y|")
    solves: list[SolveRead]


def sizes_kernel_regression(body: KernelRegressionIn) -> list[Size]:
    """n^2, q, n q, n^2 q (with the variance) and (n^2 + n q) d."""
    n, d = len(body.x), len(body.x[0])
    q = _rows(body.points)
    sizes = [Size("the kernel matrix's n^2", n * n, KRR_MAX_ENTRIES),
             Size("the number of points", q, KRR_MAX_POINTS),
             Size("n * q (training points times points)", n * q, KRR_MAX_CROSS),
             Size("the kernel matrices' (n^2 + n q) d", (n * n + n * q) * d, KRR_MAX_WORK)]
    if body.variance:
        sizes.append(Size("the variance's n^2 * q", n * n * q, KRR_MAX_VARIANCE_WORK))
    return sizes


# --- designs --------------------------------------------------------------------------

class Basis(Strict):
    """Orthonormal polynomials on [-1, 1] (``legendre``: 1-D pool, degree + 1 functions)
    or on [-1, 1]^d (``polynomial``: products of total degree <= degree, C(d + degree, d)
    functions, d the pool's columns)."""

    kind: Literal["legendre", "polynomial"]
    degree: int = Field(ge=0, le=DESIGN_MAX_FEATURES - 1, description="the largest degree")


class QualityIn(Strict):
    """Qualities q_i = sqrt(max(answer_i, 0)) from a released structure's DP answers at
    the pool points (post-processing: nothing is spent)."""

    structure_id: Id = Field(description="a ready structure the key may query")


class DesignIn(Strict):
    """Choose points of a public pool. Least squares (no ``quality``): a pool with a
    ``basis``, or a ``features`` matrix; ``method`` iid, dpp or volume; weights w_i =
    1 / (N rho_i); with ``y``, the weighted least-squares fit. Quality-diversity (with
    ``quality``): ``pool`` points, a diversity ``kernel``, k points from L = diag(q) K
    diag(q) by ``method`` sample (the k-DPP) or greedy (the MAP)."""

    pool: list[float] | list[Row] | None = Field(default=None, description=(
        "candidate points: 1-D numbers in [-1, 1] for legendre, rows (N x d) for "
        "polynomial and quality-diversity"))
    basis: Basis | None = Field(default=None, description="the basis on the pool")
    features: Matrix | None = Field(default=None, description=(
        "the feature matrix Phi (N x m) itself, instead of pool and basis"))
    method: Literal["iid", "dpp", "volume", "sample", "greedy"] | None = Field(
        default=None, description=("iid, dpp or volume (default) for least squares; sample "
                                   "or greedy (default) for quality-diversity"))
    n: int | None = Field(default=None, ge=1, le=MAX_SAMPLE, description=(
        "points to draw: iid and volume (>= m), default 2m; dpp draws exactly m"))
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1, description=(
        "public randomness; omitted, one is drawn and returned so the choice can be "
        "reproduced"))
    y: list[float] | None = Field(default=None, description=(
        "the target at every pool point (N); with it the weighted least-squares "
        "coefficients are returned"))
    quality: QualityIn | None = Field(default=None, description=(
        "quality-diversity mode: the structure whose answers give the qualities"))
    kernel: KernelIn | None = Field(default=None, description=(
        "quality-diversity: the diversity kernel on the pool points"))
    k: int | None = Field(default=None, ge=1, le=DESIGN_MAX_POOL, description=(
        "quality-diversity: the number of points"))


class DesignOut(Out):
    """The chosen pool indices and, for least squares, the weights and the fit."""

    mode: Literal["least_squares", "quality_diversity"]
    method: str
    seed: int = Field(description="the public seed used (send it back to reproduce)")
    indices: list[int] = Field(description="chosen pool indices (volume: the DPP's m "
                               "first; quality-diversity: in the order chosen)")
    weights: list[float] | None = Field(description="least squares: w_i = 1 / (N rho_i) at "
                                        "the indices")
    coefficients: list[float] | None = Field(description="the weighted least-squares "
                                             "coefficients (when y is given)")
    gram_condition: float | None = Field(description=(
        "least squares: condition number of the sample's Gram matrix in the "
        "pool-orthonormal basis (1 is ideal); null for quality-diversity and where the "
        "sample does not determine the fit (full_rank false)"))
    full_rank: bool | None = Field(description="least squares: the sample determines the "
                                   "fit")
    log_det: float | None = Field(description="quality-diversity: log det L_S (null for "
                                  "least squares, or where L_S is singular)")
    complete: bool | None = Field(description="quality-diversity: k points were chosen "
                                  "(greedy may stop early)")


def _feature_count(basis: Basis, dim: int) -> int:
    return basis.degree + 1 if basis.kind == "legendre" else comb(dim + basis.degree, dim)


def sizes_design(body: DesignIn) -> list[Size]:
    """The pool, N m and n (least squares) or N^2 (quality-diversity); 413 for more
    basis functions than the fixed limit."""
    pool = body.features if body.features is not None else body.pool
    size = 0 if pool is None else len(pool)
    if body.quality is not None:
        return [Size("the quality-diversity pool's N^2", size * size,
                     DESIGN_MAX_KERNEL_ENTRIES)]
    sizes = [Size("the pool", size, DESIGN_MAX_POOL),
             Size("the number of points drawn", body.n or 0, DESIGN_MAX_SAMPLE)]
    if body.features is not None:
        m = len(body.features[0])
    elif body.basis is not None and body.pool:
        first = body.pool[0]
        m = _feature_count(body.basis, len(first) if isinstance(first, list) else 1)
    else:
        return sizes
    if m > DESIGN_MAX_FEATURES:
        raise PayloadTooLarge(
            f"the number of basis functions is {m:,}, above the limit of "
            f"{DESIGN_MAX_FEATURES:,}: send a smaller basis", size=m,
            limit=DESIGN_MAX_FEATURES)
    return [*sizes, Size("the feature matrix's N * m", size * m, DESIGN_MAX_ENTRIES)]
