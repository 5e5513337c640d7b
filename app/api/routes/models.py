from __future__ import annotations

import io
from functools import partial
from typing import Annotated
from uuid import UUID

import anyio
import numpy as np
from fastapi import APIRouter, Header, Request, Response

from app.api import examples as ex
from app.api.deps import AppState, HeavyLimit, PrincipalDep, StateDep, UoWDep
from app.api.points import NPY, negotiate, read_points
from app.api.responses import AUTHENTICATED, body_examples, example, problems, success
from app.api.routes import V1
from app.api.routes.structures import RELEASE_MEDIA_TYPE, _limits
from app.api.schemas.models import (
    ModelAccepted,
    ModelCreate,
    ModelRead,
    PredictIn,
    PredictOut,
)
from app.api.schemas.structures import StructureRead
from app.api.strict_json import StrictJSONRoute
from app.errors import (
    BudgetExhausted,
    BuildTooCostly,
    Conflict,
    Forbidden,
    IdempotencyKeyReused,
    InvalidInput,
    NotAcceptable,
    NotFound,
    NotReady,
    PayloadTooLarge,
    StructureTooLarge,
    UnsupportedMediaType,
)
from app.services import models
from app.services.access import Principal

router = APIRouter(prefix=f"{V1}/models", tags=["models"], route_class=StrictJSONRoute,
                   responses=problems(*AUTHENTICATED))

@router.post("", status_code=202, response_model=ModelAccepted,
             dependencies=[HeavyLimit],
             openapi_extra=body_examples(
                 {"classifier": ex.MODEL_CREATE, "regressor": ex.REGRESSOR_CREATE},
                 summaries={"classifier": "a Gaussian-kernel classifier, rule mean",
                            "regressor": "Nadaraya-Watson on a Gaussian kernel"}),
             responses=example(ex.MODEL_ACCEPTED, status=202)
             | problems(Forbidden, NotFound, Conflict, BudgetExhausted, IdempotencyKeyReused,
                        PayloadTooLarge, InvalidInput, StructureTooLarge, BuildTooCostly))
def create_model(
    body: ModelCreate, uow: UoWDep, state: StateDep, principal: PrincipalDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(
        min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
        description="as for a structure build: a retry with the same key and body "
        "returns the first answer and spends nothing")] = None,
) -> ModelAccepted:
    """Build a model (admin, owner of the dataset), one spend in the ledger:
    a classifier (one structure per declared class plus the noisy class counts, in one
    job), a regressor (Nadaraya-Watson: a kernel's feature sum and its label-weighted
    sum) or a vMF fit (the noisy resultant and count). Follow ``job_url`` until the
    model is ready, then ``POST /v1/models/{id}/predict``."""
    accepted = models.request_model(
        uow, principal, models.ModelRequest(
            kind=body.kind, dataset_id=body.dataset_id, params=body.params(),
            epsilon=body.privacy.epsilon, delta=body.privacy.delta),
        limits=_limits(state), idempotency_key=idempotency_key)
    if accepted.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return ModelAccepted(model_id=accepted.structure_id, job_id=accepted.job_id,
                         status_url=f"/v1/models/{accepted.structure_id}",
                         job_url=f"/v1/jobs/{accepted.job_id}", warnings=accepted.warnings)


@router.get("/{model_id}", response_model=ModelRead,
            responses=example(ex.MODEL) | problems(Forbidden, NotFound, InvalidInput))
def get_model(model_id: UUID, uow: UoWDep, principal: PrincipalDep) -> ModelRead:
    """A model: its kind, rule and structure parameters (defaults filled in), the noise
    plan it was charged for, its status and, once ready, its error model."""
    view = StructureRead.from_view(models.get_model(uow, principal, model_id))
    return ModelRead.model_validate(view.model_dump())


_PREDICT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": PredictIn.model_json_schema(),
                                 "examples": {"two": {"summary": "two points",
                                                      "value": ex.PREDICT}}},
            NPY: {"schema": {"type": "string", "format": "binary",
                             "description": "a (q, dim) float array"}},
        },
    }
}


@router.post("/{model_id}/predict", response_model=PredictOut, openapi_extra=_PREDICT_BODY,
             responses=success({"application/json": {"examples": {
                 "classifier": {"summary": "labels and class probabilities",
                                "value": ex.PREDICTION},
                 "regressor": {"summary": "values and their std", "value": ex.REGRESSION}}},
                 NPY: {
                 "schema": {"type": "string", "format": "binary", "description": (
                     "classifier: a (q, 1 + classes) float64 array, the label then the "
                     "scores; regressor and vmf: a (q, 2) array, value and std")}}})
             | problems(Forbidden, NotFound, NotAcceptable, NotReady, PayloadTooLarge,
                        UnsupportedMediaType, InvalidInput))
async def predict(model_id: UUID, request: Request, state: StateDep,
                  principal: PrincipalDep) -> Response:
    """Predict a batch of points (any key that can read the dataset): post-processing
    of the model's release, no spend. JSON ``{points}`` or ``application/x-npy`` in;
    JSON or (``Accept: application/x-npy``) an array out. The same limits as a
    structure query (``PRIVSIM_MAX_QUERY_POINTS``, ``PRIVSIM_MAX_QUERY_SECONDS``)."""
    content_type, wants_npy = negotiate(request)
    body = await request.body()
    answer = partial(_predict, state, principal, model_id, body, content_type, wants_npy)
    return await anyio.to_thread.run_sync(answer, limiter=state.compute)


def _predict(state: AppState, principal: Principal, model_id: UUID, body: bytes,
             content_type: str, wants_npy: bool) -> Response:
    settings = state.settings
    _, points = read_points(body, content_type, PredictIn,
                            max_points=settings.max_query_points)
    view = models.predict(state.uow, principal, model_id, points, cache=state.cache,
                          max_points=settings.max_query_points,
                          max_seconds=settings.max_query_seconds)
    if wants_npy:
        if view.labels is not None and view.scores is not None:
            table = np.column_stack([np.asarray(view.labels, dtype=np.float64), view.scores])
        else:
            table = np.column_stack([np.asarray(view.values), np.asarray(view.std)])
        buffer = io.BytesIO()
        np.save(buffer, table)
        return Response(buffer.getvalue(), media_type=NPY)
    out = PredictOut(
        labels=view.labels, classes=view.classes,
        scores=None if view.scores is None else view.scores.tolist(),
        values=None if view.values is None else view.values.tolist(),
        std=None if view.std is None else view.std.tolist())
    return Response(out.model_dump_json(exclude_none=True), media_type="application/json")


@router.get("/{model_id}/export", response_class=Response,
            responses=success({RELEASE_MEDIA_TYPE: {"schema": {"type": "string",
                                                                "format": "binary"}}},
                              description="the model's release file")
            | problems(Forbidden, NotFound, NotReady, InvalidInput))
def export_model(model_id: UUID, uow: UoWDep, principal: PrincipalDep) -> Response:
    """The model's DP release as a file; ``core.structures.load_release`` loads it and
    its ``predict`` answers offline exactly as the service does."""
    release = models.export(uow, principal, model_id)
    filename = f"{release.kind}-{release.structure_id}.privsim"
    return Response(release.blob, media_type=RELEASE_MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})
