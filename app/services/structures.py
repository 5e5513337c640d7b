"""Structures: reserve budget and enqueue a build in one transaction; read, query, export.

The noise plan (mechanism, sensitivities, noise scales) depends only on public
parameters, so it is fixed here, written to the ledger with the spend, and the worker
builds with exactly that plan.
"""

from __future__ import annotations

import math
import secrets
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import numpy as np
from numpy.typing import NDArray

from app.db.models import (
    DatasetRow,
    JobRow,
    JobStatus,
    Role,
    StructureRow,
    StructureStatus,
)
from app.db.uow import Transaction, UnitOfWork
from app.errors import Conflict, NotFound, NotReady, PayloadTooLarge, StructureTooLarge
from app.services import audit, budget
from app.services.access import Principal, managed_dataset, readable_dataset, require_role
from core.domain import domain_from_dict
from core.errors import CorruptRelease
from core.privacy.accounting import Spent
from core.privacy.budget import PrivacyBudget, Units
from core.privacy.mechanisms import NoisePlan
from core.structures import DataSpec, QueryResult, Release, load_release, noise_plan, parse_spec
from core.structures.base import ErrorEstimate, Reduce, Spec
from core.structures.serialization import payload_checksum

BUILD_JOB = "build_structure"
LARGE_EPSILON = 5.0  # a single build above this gets a warning in the response


def data_spec(dataset: DatasetRow) -> DataSpec:
    neighbouring = dataset.neighbouring
    if neighbouring == "replace_one" and dataset.on_out_of_domain == "reject":
        # Only datasets created before this combination was refused (app/services/
        # datasets.py) have it. Rejecting out-of-domain rows makes which rows enter a
        # build depend on their values: replacing an in-domain row by an outside one
        # removes a row, so n is not public. Build them as add_remove (n private, a noisy
        # count, add/remove sensitivities): a row's presence, and so its rejection, is
        # protected at the charged (epsilon, delta); a change of its value within the
        # domain is a removal plus an addition, protected at (2 epsilon, (1 + e^epsilon)
        # delta) by group privacy (docs/privacy.md#neighbouring-relations).
        neighbouring = "add_remove"
    return DataSpec(dataset.dim, domain_from_dict(dataset.domain, dataset.dim),
                    neighbouring)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class BuildRequest:
    kind: str
    params: dict[str, Any]
    epsilon: float
    delta: float


@dataclass(frozen=True, slots=True)
class BuildAccepted:
    structure: StructureRow
    job: JobRow
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class BuildPlan:
    """Everything a build request fixes before any row is read: the validated spec,
    the noise plan, the charge in ledger units and the spend it adds to the accounting."""

    spec: Spec
    plan: NoisePlan
    charge: Units
    spend: Spent
    estimate: ErrorEstimate
    warnings: list[str]


def plan_build(dataset: DatasetRow, request: BuildRequest, *, max_bytes: int) -> BuildPlan:
    """Validate a request against a dataset and fix its plan; reads no row (the row
    count is the owner's own public fact) and spends nothing."""
    spec = parse_spec(request.kind, request.params, data_spec(dataset))  # 422 if bad
    size = spec.release_bytes()
    if size > max_bytes:
        raise StructureTooLarge(
            f"this structure would take {size:,} bytes, above the limit of {max_bytes:,}: "
            "lower features, terms, projection_dim or grid_levels (or raise alpha)",
            size_bytes=size, limit_bytes=max_bytes)
    warnings: list[str] = []
    delta = request.delta
    if spec.mechanism == "laplace" and delta > 0:
        warnings.append("the laplace mechanism is pure epsilon-DP: delta is not spent")
        delta = 0.0
    charge = Units.spend(request.epsilon, delta)  # rounded up to the ledger's unit
    ceiling = charge.budget()  # the charge as floats, rounded down
    plan = noise_plan(spec, PrivacyBudget(min(request.epsilon, ceiling.epsilon),
                                          min(delta, ceiling.delta)))
    if request.epsilon > LARGE_EPSILON:
        warnings.append(f"epsilon = {request.epsilon:g} is above {LARGE_EPSILON:g}: a "
                        "single structure this large protects individual rows weakly")
    spend = (Spent.laplace(charge) if spec.mechanism == "laplace"
             else Spent.gaussian(charge, plan.rho))
    estimate = spec.estimate(plan, max(dataset.row_count, 1))
    warning = accuracy_warning(estimate, dataset.row_count)
    if warning:
        warnings.append(warning)
    return BuildPlan(spec, plan, charge, spend, estimate, warnings)


DEFAULT_TARGET = 0.1  # without alpha: the noise should stay below 10% of a typical answer


def _target(estimate: ErrorEstimate) -> tuple[float, str]:
    if estimate.target_mean is not None:
        return estimate.target_mean, "the requested alpha"
    return DEFAULT_TARGET * estimate.typical_mean, f"{DEFAULT_TARGET:g} of a typical answer"


def minimum_rows(estimate: ErrorEstimate, rows: int) -> int:
    """The row count at which the privacy noise of a mean answer meets the target, as
    the paper's n >= L(epsilon, alpha): the noise of a mean falls as 1/n. (alpha sizes
    the approximation when sizes are not given; the noise must meet it on its own.)"""
    target, _ = _target(estimate)
    return max(1, math.ceil(max(rows, 1) * estimate.noise_std_mean / target))


def accuracy_warning(estimate: ErrorEstimate, rows: int) -> str | None:
    target, what = _target(estimate)
    if estimate.noise_std_mean > target:
        return (f"too few rows for {what} at this epsilon: the privacy noise of a mean "
                f"answer has std {estimate.noise_std_mean:.3g} (target {target:.3g}); about "
                f"{minimum_rows(estimate, rows):,} rows would meet it")
    if estimate.approximation_mean > target * (1 + 1e-9):
        return (f"the approximation error ({estimate.approximation_mean:.3g}) exceeds "
                f"{what} ({target:.3g}): use more features, terms, levels or dimensions")
    return None


def request_build(uow: UnitOfWork, principal: Principal, dataset_id: UUID,
                  request: BuildRequest, *, max_bytes: int) -> BuildAccepted:
    require_role(principal, Role.ADMIN, Role.OWNER)
    with uow(write=True) as tx:
        dataset = managed_dataset(tx, principal, dataset_id)
        fixed = plan_build(dataset, request, max_bytes=max_bytes)
        # data-independent: fixed, and recorded, before any row is read
        if dataset.row_count == 0:
            raise Conflict("the dataset has no rows to build from")
        spec, plan = fixed.spec, fixed.plan
        structure = StructureRow(
            id=uuid4(), dataset_id=dataset_id, kind=spec.kind, params=spec.public_params(),
            seed=f"{secrets.randbits(128):032x}", epsilon=fixed.charge.epsilon,
            delta=fixed.charge.delta, noise_plan=plan.to_dict(),
            status=StructureStatus.PENDING, created_by=principal.key_id)
        job = JobRow(id=uuid4(), kind=BUILD_JOB, structure_id=structure.id,
                     dataset_id=dataset_id, status=JobStatus.QUEUED, progress=0.0, attempts=0)
        budget.charge(tx, dataset_id, fixed.spend, structure_id=structure.id,
                      key_id=principal.key_id,
                      mechanism=ledger_event(spec.kind, spec.data.neighbouring,
                                              plan.to_dict()))
        tx.structures.add(structure)
        tx.flush()
        tx.jobs.add(job)
        audit.record(tx, dataset_id, principal.key_id, "build", structure_id=str(structure.id),
                     kind=spec.kind, mechanism=spec.mechanism, epsilon=request.epsilon,
                     delta=plan.budget.delta)
        tx.commit()
    return BuildAccepted(structure, job, fixed.warnings)


@dataclass(frozen=True, slots=True)
class BuildEstimate:
    fixed: BuildPlan
    affordable: bool
    remaining: dict[str, float]
    minimum_rows: int


def estimate_build(uow: UnitOfWork, principal: Principal, dataset_id: UUID,
                   request: BuildRequest, *, max_bytes: int) -> BuildEstimate:
    """What a build would cost and deliver; nothing is written or spent."""
    require_role(principal, Role.ADMIN, Role.OWNER)
    with uow() as tx:
        dataset = managed_dataset(tx, principal, dataset_id)
        fixed = plan_build(dataset, request, max_bytes=max_bytes)
        fits, remaining = budget.would_fit(dataset, fixed.spend)
        rows = dataset.row_count
    return BuildEstimate(fixed, fits, remaining, minimum_rows(fixed.estimate, rows))


def ledger_event(kind: str, neighbouring: str, plan: dict[str, Any]) -> dict[str, Any]:
    """The DpEvent-like record of a spend: enough to recompute the accounting."""
    return {"structure_kind": kind, "neighbouring": neighbouring, **plan}


def visible_dataset_ids(uow: UnitOfWork, principal: Principal) -> set[UUID] | None:
    if principal.is_admin:
        return None
    with uow() as tx:
        owned = {d.id for d in tx.datasets.list_visible(owner=principal.key_id, granted=set())}
        return owned | tx.keys.granted_dataset_ids(principal.key_id)


def list_structures(uow: UnitOfWork, principal: Principal) -> Sequence[StructureRow]:
    ids = visible_dataset_ids(uow, principal)
    with uow() as tx:
        return tx.structures.list_for(ids)


def get_structure(uow: UnitOfWork, principal: Principal,
                  structure_id: UUID) -> tuple[StructureRow, JobRow | None]:
    with uow() as tx:
        structure = tx.structures.get(structure_id)
        if structure is None:
            raise NotFound(f"structure {structure_id} not found")
        readable_dataset(tx, principal, structure.dataset_id)
        job = tx.jobs.for_structure(structure_id)
        return structure, job


class ReleaseCache:
    """Deserialised releases, least recently used first out; shared by request threads."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._items: OrderedDict[UUID, Release] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: UUID) -> Release | None:
        with self._lock:
            release = self._items.get(key)
            if release is not None:
                self._items.move_to_end(key)
            return release

    def put(self, key: UUID, release: Release) -> None:
        if self._capacity == 0:
            return
        with self._lock:
            self._items[key] = release
            self._items.move_to_end(key)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)


def _ready_structure(tx: Transaction, principal: Principal,
                     structure_id: UUID) -> StructureRow:
    structure = tx.structures.get(structure_id)
    if structure is None:
        raise NotFound(f"structure {structure_id} not found")
    readable_dataset(tx, principal, structure.dataset_id)
    if structure.status != StructureStatus.READY:
        raise NotReady(f"structure {structure_id} is {structure.status}, not ready")
    return structure


def _verified_blob(tx: Transaction, structure_id: UUID) -> bytes:
    blob = tx.structures.get_blob(structure_id)
    if blob is None:
        raise CorruptRelease("a ready structure has no stored release")
    if payload_checksum(blob.data) != blob.sha256:
        raise CorruptRelease("stored release fails its checksum")
    return blob.data


def load_for_query(uow: UnitOfWork, principal: Principal, structure_id: UUID,
                   cache: ReleaseCache) -> tuple[StructureRow, Release]:
    """Access is checked on every call; only the deserialised release is cached."""
    with uow() as tx:
        structure = _ready_structure(tx, principal, structure_id)
        release = cache.get(structure_id)
        if release is None:
            release = load_release(_verified_blob(tx, structure_id))
            cache.put(structure_id, release)
    return structure, release


def query(uow: UnitOfWork, principal: Principal, structure_id: UUID,
          points: NDArray[np.float64], reduce: Reduce, *, cache: ReleaseCache,
          max_points: int) -> QueryResult:
    if points.shape[0] > max_points:
        raise PayloadTooLarge(f"at most {max_points} query points per request")
    structure, release = load_for_query(uow, principal, structure_id, cache)
    result = release.query(points, reduce)
    audit.record_now(uow, structure.dataset_id, principal.key_id, "query",
                     structure_id=str(structure_id), points=int(points.shape[0]),
                     reduce=reduce)
    return result


def export(uow: UnitOfWork, principal: Principal,
           structure_id: UUID) -> tuple[StructureRow, bytes]:
    with uow() as tx:
        structure = _ready_structure(tx, principal, structure_id)
        blob = _verified_blob(tx, structure_id)
    audit.record_now(uow, structure.dataset_id, principal.key_id, "export",
                     structure_id=str(structure_id), size_bytes=len(blob))
    return structure, blob
