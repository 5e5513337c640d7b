"""Models: a classifier, regressor or vMF fit built like a structure (one spend, one
job, one release; ``app.services.structures`` does the reservation and the reads) and
answered by ``predict``, post-processing of its release.

A model is stored as a structure of a model kind (``core.models.MODEL_KINDS``): the
budget, ledger, job lease, refund and storage rules of a build hold for it unchanged.
It is read, predicted and exported only through /v1/models; the structure endpoints
answer 404 for it, and the model endpoints 404 for a structure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import numpy as np
from numpy.typing import NDArray

from app.errors import InvalidInput, PayloadTooLarge
from app.services import audit, structures
from app.services.access import Principal
from app.services.ports import UnitOfWorkPort
from app.services.structures import BuildLimits, BuildRequest, ReleaseCache
from app.services.views import BuildAcceptedView, ExportView, StructureView

_LARGEST = 1e300  # a std the noise leaves unbounded is reported as this (JSON has no inf)


@dataclass(frozen=True, slots=True)
class ModelRequest:
    kind: str  # classifier, regressor, vmf
    dataset_id: UUID
    params: dict[str, Any]  # {rule?, structure?} (classifier, regressor) or {mechanism?} (vmf)
    epsilon: float
    delta: float


@dataclass(frozen=True, slots=True)
class PredictionView:
    """A classifier's ``labels`` and ``scores``; a regressor's (or a vMF fit's log
    density) ``values`` and ``std``."""

    labels: list[int] | None = None
    scores: NDArray[np.float64] | None = None
    classes: list[int] | None = None
    values: NDArray[np.float64] | None = None
    std: NDArray[np.float64] | None = None
    kind: str = ""  # classifier, regressor or vmf


def request_model(uow: UnitOfWorkPort, principal: Principal, request: ModelRequest, *,
                  limits: BuildLimits, idempotency_key: str | None = None) -> BuildAcceptedView:
    """Reserve the budget and queue the model's build, exactly as a structure's."""
    build = BuildRequest(kind=request.kind, params=request.params, epsilon=request.epsilon,
                         delta=request.delta)
    return structures.request_build(uow, principal, request.dataset_id, build, limits=limits,
                                    idempotency_key=idempotency_key)


def get_model(uow: UnitOfWorkPort, principal: Principal, model_id: UUID) -> StructureView:
    return structures.get_structure(uow, principal, model_id, model=True)


def predict(uow: UnitOfWorkPort, principal: Principal, model_id: UUID,
            points: NDArray[np.float64], *, cache: ReleaseCache, max_points: int,
            max_seconds: float) -> PredictionView:
    """Predict a batch, refused (413) before any work if it has more points than
    ``max_points`` or would cost more than ``max_seconds`` of estimated CPU time."""
    if points.shape[0] > max_points:
        raise PayloadTooLarge(f"at most {max_points} points per request "
                              "(PRIVSIM_MAX_QUERY_POINTS)", max_points=max_points)
    row, loaded = structures.load_for_query(uow, principal, model_id, cache, model=True)
    structures.check_query_cost(points.shape[0], loaded, max_seconds)
    release: Any = loaded.release
    if points.ndim != 2 or points.shape[1] != release.dim:
        raise InvalidInput(f"points must have shape (q, {release.dim})")
    if row.kind == "classifier":
        labels, scores = release.predict(points)
        view = PredictionView(labels=[int(v) for v in labels], scores=scores,
                              classes=[int(c) for c in release.classes], kind=row.kind)
    elif row.kind == "regressor":
        values, std = release.predict(points)
        view = PredictionView(values=values, std=std, kind=row.kind)
    else:  # the vMF fit: the log density of its fitted distribution (finite at any d)
        view = PredictionView(values=release.log_pdf(points),
                              std=np.minimum(release.log_pdf_std(points), _LARGEST),
                              kind=row.kind)
    audit.record_later(uow, row.dataset_id, principal.key_id, "predict",
                     model_id=str(model_id), points=int(points.shape[0]))
    return view


def export(uow: UnitOfWorkPort, principal: Principal, model_id: UUID) -> ExportView:
    return structures.export(uow, principal, model_id, model=True)
