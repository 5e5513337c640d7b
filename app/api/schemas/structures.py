from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union
from uuid import UUID

from pydantic import Field, create_model

from app.api.responses import body_examples
from app.api.schemas.common import Budget, Out, Strict
from app.api.schemas.kernels import kinds, model_name, params_model, sent_params


class StructureBuild(Strict):
    """A build request: a ``kind``, that kind's typed ``params`` (``GET /v1/kernels``)
    and the ``privacy`` budget to spend. Each kind has its own subclass
    (``GaussianKdeBuild``); ``StructureCreate`` is their union, discriminated by
    ``kind``."""

    kind: str
    params: Strict
    privacy: Budget

    def sent_params(self) -> dict[str, Any]:
        """The parameters as the client sent them, for core's parser."""
        return sent_params(self.params)


def _build_model(kind: str) -> type[StructureBuild]:
    definition = kinds()[kind]
    params = params_model(kind)
    required = any(p.required for p in definition.param_defs)
    tag: Any = Literal[kind]
    model: type[StructureBuild] = create_model(
        f"{model_name(kind)}Build", __base__=StructureBuild,
        __doc__=f"Build a {kind} ({definition.title}): f(x, y) = {definition.formula}.",
        kind=(tag, Field(description="the structure kind")),
        params=(params, Field(description=f"the parameters of {kind}") if required else
                Field(default_factory=params, description=f"the parameters of {kind} "
                      "(all optional)")))
    return model


BUILD_MODELS: tuple[type[StructureBuild], ...] = tuple(_build_model(kind) for kind in kinds())

if TYPE_CHECKING:
    StructureCreate = StructureBuild
else:
    StructureCreate = Annotated[Union[BUILD_MODELS],  # noqa: UP007 (built from a tuple)
                                Field(discriminator="kind")]


def structure_examples() -> dict[str, Any]:
    """``openapi_extra`` with an example build request of every kind: its registered
    example parameters (the Gaussian mechanism with a delta)."""
    examples = {}
    for name, kind in kinds().items():
        params = dict(kind.example_params)
        delta = 1e-6 if params.get("mechanism") == "gaussian" else 0.0
        examples[name] = {"kind": name, "params": params,
                          "privacy": {"epsilon": 0.5, "delta": delta}}
    return body_examples(examples, summaries={
        name: f"{kind.title}: f(x, y) = {kind.formula}" for name, kind in kinds().items()})


class StructureAccepted(Out):
    structure_id: UUID
    job_id: UUID
    status_url: str
    job_url: str
    warnings: list[str] = Field(default_factory=list)


class PrivacyRead(Out):
    epsilon: float
    delta: float
    mechanism: str
    statistics: list[dict[str, Any]]


class Spend(Out):
    """What a build charges (or would charge)."""

    epsilon: float
    delta: float
    rho: float | None = Field(
        default=None, exclude_if=lambda value: value is None,
        description="zCDP rho of a gaussian-mechanism build (absent for laplace)")


class Remaining(Out):
    """What is left of a dataset's budget, by its composition route."""

    epsilon: float
    delta: float


class EstimateError(Out):
    """The expected error of a build's answers, from public parameters and the row
    count only."""

    noise_std_sum: float = Field(description="std of the privacy noise in a sum answer "
                                 "at a typical query (the largest over the domain where "
                                 "it depends on the query)")
    noise_std_mean: float = Field(description="the same for a mean answer")
    approximation_mean: float = Field(description="bound on the approximation error of "
                                      "a mean answer (random features, projections, grids)")
    typical_mean: float = Field(description="a typical mean answer on the declared "
                                "domain (1 for kernels, the domain's radius for distances)")
    target_mean: float | None = Field(description="the accuracy asked for with alpha "
                                      "(null without alpha)")


class EstimateCost(Out):
    """A build's estimated cost, from its parameters and the row count."""

    release_bytes: int
    build_memory_bytes: int = Field(description="peak working memory of the build")
    build_seconds: float = Field(description="CPU seconds of the build, on one core")
    noise_values: int = Field(description="privacy noise values the build draws")
    query_seconds_per_point: float = Field(description="CPU seconds per query point")


class ErrorModel(Out):
    """A release's error, with the same keys for every kind."""

    noise_std_sum: float = Field(description="std of the privacy noise in a sum answer "
                                 "(the largest over the domain, or the average over "
                                 "queries, where it depends on the query)")
    count_noise_std: float = Field(description="std of the noise in the released count "
                                   "(0 where the count is exact, under replace_one)")
    approximation_std_mean: float = Field(description="bound on the std of the "
                                          "approximation error of a mean answer; 0 for "
                                          "exact identities")
    details: dict[str, float] = Field(default_factory=dict, description=(
        "the kind's own figures: per-statistic noise stds (sum_sq_noise_std, "
        "counts_noise_std, sums_noise_std), quadrature_error, leaf_width_l1, "
        "distortion_relative_std"))


class EstimateOut(Out):
    """What a build would cost and deliver; nothing was spent."""

    kind: str
    params: dict[str, Any] = Field(description="the parameters with every default filled in")
    privacy: PrivacyRead = Field(description="the noise plan the build would use")
    spend: Spend = Field(description="what the build would charge: epsilon, delta (and "
                         "zCDP rho for the gaussian mechanism)")
    affordable: bool = Field(description="whether that fits the remaining budget now")
    remaining: Remaining = Field(description="the dataset's remaining budget now")
    error: EstimateError = Field(description="the expected error of the answers")
    minimum_rows: int = Field(description=(
        "rows needed for the privacy noise of a mean answer to meet the target (alpha, "
        "or 10% of a typical answer without it)"))
    size_bytes: int
    cost: EstimateCost = Field(description="the build's estimated cost")
    warnings: list[str] = Field(default_factory=list)


class StructureRead(Out):
    id: UUID
    dataset_id: UUID
    kind: str
    params: dict[str, Any]
    seed: str = Field(description="seed of the public randomness (may be published)")
    privacy: PrivacyRead
    status: str
    error_model: ErrorModel | None = Field(description="once ready: the std of the "
                                           "privacy noise and the approximation bound")
    size_bytes: int | None
    job_id: UUID | None
    created_at: datetime = Field(description="to the microsecond for the dataset's owner "
                                 "and admins; rounded down to the minute for others")
    ready_at: datetime | None = Field(description="as created_at")


class StructurePage(Out):
    """One page of structures, oldest first."""

    structures: list[StructureRead]
    next_after: str | None = Field(description="pass as ?after= for the next page; null "
                                   "on the last page")


class QueryIn(Strict):
    points: list[list[float]] = Field(min_length=1)
    reduce: Literal["sum", "mean"] = "sum"


class QueryOut(Out):
    reduce: Literal["sum", "mean"]
    values: list[float]
    std: list[float] = Field(description="std of the privacy noise in each answer")
    approximation_std: list[float] = Field(
        description="bound on the std of the approximation error (random features, "
        "projections) in each answer; 0 for exact identities")


class JobRead(Out):
    """A build (``build_structure``) or a solve (``solve_*``) job."""

    id: UUID
    kind: str = Field(description="build_structure, or solve_ot, solve_kernel_regression, "
                      "solve_design, solve_quality_diversity")
    structure_id: UUID | None = Field(description="the structure a build makes (null for a "
                                      "solve)")
    dataset_id: UUID | None = Field(description="the dataset a build reads (null for a "
                                    "solve)")
    status: Literal["queued", "running", "succeeded", "failed"]
    progress: float = Field(description="fraction done, 0 to 1 (a solve: how far it is "
                            "toward its tolerance or its iteration or time cap)")
    error: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    result_url: str | None = Field(default=None, description=(
        "a solve's answer, once succeeded (null for a build)"))
