"""Structures: reserve budget and enqueue a build in one transaction; read, query, export.

The noise plan (mechanism, sensitivities, noise scales) depends only on public
parameters, so it is fixed here, written to the ledger with the spend, and the worker
builds with exactly that plan.
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import numpy as np
from cachetools import TTLCache
from numpy.typing import NDArray
from sqlalchemy.exc import IntegrityError

from app.db.models import DatasetRow, JobRow, StructureRow
from app.domain import JobStatus, Role, StructureStatus
from app.errors import (
    BuildTooCostly,
    Conflict,
    IdempotencyKeyReused,
    NotFound,
    NotReady,
    PayloadTooLarge,
    StructureTooLarge,
)
from app.services import audit, budget
from app.services.access import (
    Principal,
    managed_dataset,
    manages,
    readable_dataset,
    require_role,
)
from app.services.paging import check_limit, decode_cursor, encode_cursor, split_page
from app.services.ports import TransactionPort, UnitOfWorkPort
from app.services.views import BuildAcceptedView, ExportView, Page, StructureView
from core.diagnostics import spec_warning
from core.domain import domain_from_dict
from core.errors import CorruptRelease, InvalidParameter
from core.models import MODEL_KINDS, ClassifierSpec, LabelSet, RegressorSpec, parse_model
from core.privacy.accounting import Spent
from core.privacy.budget import PrivacyBudget, Units
from core.privacy.mechanisms import NoisePlan
from core.structures import DataSpec, QueryResult, Release, load_release, noise_plan, parse_spec
from core.structures.base import Cost, ErrorEstimate, Reduce, Spec
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
class BuildPlan:
    """Everything a build request fixes before any row is read: the validated spec,
    the noise plan, the charge in ledger units, the spend it adds to the accounting and
    the build's estimated cost."""

    spec: Spec
    plan: NoisePlan
    charge: Units
    spend: Spent
    estimate: ErrorEstimate
    warnings: list[str]
    cost: Cost


@dataclass(frozen=True, slots=True)
class BuildLimits:
    """What one build may cost (settings): its release size, its estimated CPU seconds
    and peak memory; ``chunk_rows`` is how many rows it reads at a time."""

    max_bytes: int
    max_seconds: float
    max_memory_bytes: int
    chunk_rows: int


def parse_request(dataset: DatasetRow, kind: str, params: dict[str, Any]) -> Spec:
    """The spec of a structure, or of a model (core.models: its structures, on the
    dataset's declared labels), of ``kind`` on ``dataset``; 422 if the params are bad."""
    if kind in MODEL_KINDS:
        labels = LabelSet.declared(dataset.classes, dataset.label_range)
        model: Spec = parse_model(kind, params, data_spec(dataset), labels)
        return model
    return parse_spec(kind, params, data_spec(dataset))


def plan_build(dataset: DatasetRow, request: BuildRequest, *, limits: BuildLimits) -> BuildPlan:
    """Validate a request against a dataset and fix its plan; reads no row (the row
    count is the owner's own public fact) and spends nothing. A build whose release,
    estimated CPU time or memory exceeds ``limits`` is refused (422) here."""
    spec = parse_request(dataset, request.kind, request.params)  # 422 if bad
    cost = spec.cost(rows=max(dataset.row_count, 1), chunk_rows=limits.chunk_rows)
    size = cost.release_bytes
    if size > limits.max_bytes:
        raise StructureTooLarge(
            f"this structure would take {size:,} bytes, above the limit of "
            f"{limits.max_bytes:,}: lower features, terms, projection_dim or grid_levels "
            "(or raise alpha)", size_bytes=size, limit_bytes=limits.max_bytes)
    if cost.build_seconds > limits.max_seconds or \
            cost.build_memory_bytes > limits.max_memory_bytes:
        raise BuildTooCostly(
            f"this build is estimated at {cost.build_seconds:.3g} s of CPU and "
            f"{cost.build_memory_bytes:,} bytes of memory, above the limits of "
            f"{limits.max_seconds:g} s and {limits.max_memory_bytes:,} bytes: lower "
            "features, terms, projection_dim or grid_levels (or raise alpha)",
            estimated_seconds=cost.build_seconds, limit_seconds=limits.max_seconds,
            memory_bytes=cost.build_memory_bytes,
            limit_memory_bytes=limits.max_memory_bytes, noise_values=cost.noise_values)
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
    regime = regime_warning(spec, dataset.row_count)  # an extreme-value Gaussian bandwidth
    if regime:
        warnings.append(regime)
    if plan.budget.delta > 0 and dataset.row_count and plan.budget.delta > 1 / dataset.row_count:
        warnings.append(f"delta = {plan.budget.delta:g} is above 1/n for this dataset's "
                        f"{dataset.row_count:,} rows: a build may then reveal some row "
                        "outright with non-negligible probability; use delta well below 1/n")
    return BuildPlan(spec, plan, charge, spend, estimate, warnings, cost)


def regime_warning(spec: Spec, rows: int) -> str | None:
    """The bandwidth advisor's warning for a Gaussian kernel in the extreme-value regime:
    of a structure over the dataset's rows, of a regressor's kernel, or of a
    classifier's per-class kernel over an equal share of the rows (the classes' sizes
    are private; the owner's row count is not)."""
    if isinstance(spec, ClassifierSpec):
        warning = spec_warning(spec.base, rows // spec.parts)
        return None if warning is None else (
            warning + f" (each class taken as 1/{spec.parts} of the rows)")
    if isinstance(spec, RegressorSpec):
        return spec_warning(spec.base, rows)
    return spec_warning(spec, rows)


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


def request_fingerprint(dataset_id: UUID, request: BuildRequest) -> str:
    """SHA-256 of a build request's canonical form: what an idempotent retry must repeat."""
    canonical = json.dumps({"dataset_id": str(dataset_id), "kind": request.kind,
                            "params": request.params, "epsilon": request.epsilon,
                            "delta": request.delta},
                           sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(tx: TransactionPort, principal: Principal, key: str,
            fingerprint: str) -> BuildAcceptedView | None:
    """The first answer to a request sent before with this ``Idempotency-Key``, or None
    if the key is new; 409 if the key came with another request."""
    job = tx.jobs.by_idempotency_key(principal.key_id, key)
    if job is None:
        return None
    if job.request_sha256 != fingerprint:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was already used with a different request; use a new "
            "key for a new request")
    structure = None if job.structure_id is None else tx.structures.get(job.structure_id)
    if structure is None:  # structures are never deleted while their job exists
        raise NotFound(f"structure {job.structure_id} not found")
    answer = job.response or {}
    return BuildAcceptedView(structure.id, job.id, structure.kind,
                             list(answer.get("warnings", [])), replayed=True)


def request_build(uow: UnitOfWorkPort, principal: Principal, dataset_id: UUID,
                  request: BuildRequest, *, limits: BuildLimits,
                  idempotency_key: str | None = None) -> BuildAcceptedView:
    """Reserve the budget and enqueue the build in one transaction. With an
    ``idempotency_key``, a request repeated by the same key (same body) returns the
    first answer and spends nothing, whether the first got its answer or not."""
    require_role(principal, Role.ADMIN, Role.OWNER)
    fingerprint = request_fingerprint(dataset_id, request)
    try:
        return _request_build(uow, principal, dataset_id, request, limits=limits,
                              idempotency_key=idempotency_key, fingerprint=fingerprint)
    except IntegrityError:
        if idempotency_key is None:
            raise
        # the same key raced in from another request that committed first: its answer
        with uow() as tx:
            replayed = _replay(tx, principal, idempotency_key, fingerprint)
        if replayed is None:
            raise
        return replayed


def _request_build(uow: UnitOfWorkPort, principal: Principal, dataset_id: UUID,
                   request: BuildRequest, *, limits: BuildLimits, idempotency_key: str | None,
                   fingerprint: str) -> BuildAcceptedView:
    with uow(write=True) as tx:
        if idempotency_key is not None:
            replayed = _replay(tx, principal, idempotency_key, fingerprint)
            if replayed is not None:
                return replayed
        dataset = managed_dataset(tx, principal, dataset_id)
        fixed = plan_build(dataset, request, limits=limits)
        # data-independent: fixed, and recorded, before any row is read
        if dataset.row_count == 0:
            raise Conflict("the dataset has no rows to build from")
        spec, plan = fixed.spec, fixed.plan
        structure = StructureRow(
            id=uuid4(), dataset_id=dataset_id, kind=spec.kind, params=spec.public_params(),
            seed=f"{secrets.randbits(128):032x}", epsilon=fixed.charge.epsilon,
            delta=fixed.charge.delta, noise_plan=plan.to_dict(),
            status=StructureStatus.PENDING, created_by=principal.key_id)
        job_id = uuid4()
        job = JobRow(id=job_id, kind=BUILD_JOB, structure_id=structure.id,
                     dataset_id=dataset_id, status=JobStatus.QUEUED, progress=0.0, attempts=0,
                     requested_by=principal.key_id)
        if idempotency_key is not None:
            job.idempotency_key, job.request_sha256 = idempotency_key, fingerprint
            job.response = {"structure_id": str(structure.id), "job_id": str(job_id),
                            "warnings": fixed.warnings}
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
    return BuildAcceptedView(structure.id, job.id, structure.kind, fixed.warnings)


@dataclass(frozen=True, slots=True)
class BuildEstimate:
    fixed: BuildPlan
    affordable: bool
    remaining: dict[str, float]
    minimum_rows: int


def estimate_build(uow: UnitOfWorkPort, principal: Principal, dataset_id: UUID,
                   request: BuildRequest, *, limits: BuildLimits) -> BuildEstimate:
    """What a build would cost and deliver; nothing is written or spent."""
    require_role(principal, Role.ADMIN, Role.OWNER)
    with uow() as tx:
        dataset = managed_dataset(tx, principal, dataset_id)
        fixed = plan_build(dataset, request, limits=limits)
        fits, remaining = budget.would_fit(dataset, fixed.spend)
        rows = dataset.row_count
    return BuildEstimate(fixed, fits, remaining, minimum_rows(fixed.estimate, rows))


def ledger_event(kind: str, neighbouring: str, plan: dict[str, Any]) -> dict[str, Any]:
    """The DpEvent-like record of a spend: enough to recompute the accounting."""
    return {"structure_kind": kind, "neighbouring": neighbouring, **plan}


def list_structures(uow: UnitOfWorkPort, principal: Principal, *, after: str | None = None,
                    limit: int = 1000) -> Page[StructureView]:
    """The structures of the datasets the principal may read, oldest first, one page at a
    time. Build times are exact only for those who manage the dataset (its owner,
    admins); an analyst, or another owner's key granted the dataset, sees them to the
    minute."""
    cursor, limit = decode_cursor(after), check_limit(limit)
    with uow() as tx:
        if principal.is_admin:
            owner, granted = None, None
        else:
            owner, granted = principal.key_id, tx.keys.granted_dataset_ids(principal.key_id)
        rows = tx.structures.page_visible(owner=owner, granted=granted, after=cursor,
                                          limit=limit + 1)
        page, next_after = split_page(rows, limit,
                                      lambda pair: encode_cursor(pair[0].created_at, pair[0].id))
        return Page([StructureView.of(row, None, managed=principal.is_admin
                                      or owner_id == principal.key_id)
                     for row, owner_id in page], next_after)


def _found(structure: StructureRow | None, structure_id: UUID, *,
           model: bool) -> StructureRow:
    """The structure, or the model (a structure of a model kind), asked for; 404 for
    the other (a model is read, predicted and exported through /v1/models only)."""
    if structure is None or (structure.kind in MODEL_KINDS) != model:
        raise NotFound(f"{'model' if model else 'structure'} {structure_id} not found")
    return structure


def get_structure(uow: UnitOfWorkPort, principal: Principal,
                  structure_id: UUID, *, model: bool = False) -> StructureView:
    with uow() as tx:
        structure = _found(tx.structures.get(structure_id), structure_id, model=model)
        dataset = readable_dataset(tx, principal, structure.dataset_id)
        job = tx.jobs.for_structure(structure_id)
        return StructureView.of(structure, job, managed=manages(principal, dataset))


@dataclass(frozen=True, slots=True)
class Loaded:
    """A deserialised release and what one query point costs on it (seconds, estimated
    from the structure's public parameters)."""

    release: Release
    seconds_per_point: float


class ReleaseCache:
    """Deserialised releases, least recently used first out; shared by request threads.

    With ``access_seconds`` > 0 it also keeps, for that long, which key was let read
    which ready structure (the structure's row and its release), so that a repeated
    query needs no database read at all. Readability only changes when a dataset is
    deleted (a structure never leaves ``ready`` otherwise; a revoked key is refused
    before this, by ``KeyCache``): the process that deletes forgets every entry at once
    (``forget_access``), others within ``access_seconds`` (PRIVSIM_KEY_CACHE_SECONDS,
    the same delay as a key revoked elsewhere)."""

    def __init__(self, capacity: int, *, access_seconds: float = 0.0,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self._capacity = capacity
        self._items: OrderedDict[UUID, Loaded] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[UUID, tuple[threading.Lock, int]] = {}  # key -> (lock, users)
        # (key, structure, model) -> the structure's row; never the release, which
        # stays bounded by ``capacity``
        self._access: TTLCache[tuple[UUID, UUID, bool], StructureRow] | None = (
            TTLCache(maxsize=10_000, ttl=access_seconds, timer=timer)
            if access_seconds > 0 and capacity > 0 else None)

    def admitted(self, key_id: UUID, structure_id: UUID,
                 model: bool) -> tuple[StructureRow, Loaded] | None:
        """The structure ``key_id`` was let read within ``access_seconds``, with its
        release, if that is still in memory."""
        if self._access is None:
            return None
        with self._lock:
            structure = self._access.get((key_id, structure_id, model))
            loaded = None if structure is None else self._items.get(structure_id)
        return None if structure is None or loaded is None else (structure, loaded)

    def admit(self, key_id: UUID, structure_id: UUID, model: bool,
              structure: StructureRow) -> None:
        if self._access is not None:
            with self._lock:
                self._access[(key_id, structure_id, model)] = structure

    def forget_access(self) -> None:
        """Forget who may read what (a dataset was deleted through this process)."""
        if self._access is not None:
            with self._lock:
                self._access.clear()

    @contextmanager
    def loading(self, key: UUID) -> Iterator[None]:
        """Held while one thread loads ``key``'s release: the requests that arrive
        meanwhile wait for it and find it cached, rather than each reading, verifying
        and decoding the same (possibly large) release."""
        with self._lock:
            lock, waiting = self._loading.get(key, (threading.Lock(), 0))
            self._loading[key] = (lock, waiting + 1)
        try:
            with lock:
                yield
        finally:
            with self._lock:
                lock, waiting = self._loading[key]
                if waiting == 1:
                    del self._loading[key]
                else:
                    self._loading[key] = (lock, waiting - 1)

    def get(self, key: UUID) -> Loaded | None:
        with self._lock:
            loaded = self._items.get(key)
            if loaded is not None:
                self._items.move_to_end(key)
            return loaded

    def put(self, key: UUID, loaded: Loaded) -> None:
        if self._capacity == 0:
            return
        with self._lock:
            self._items[key] = loaded
            self._items.move_to_end(key)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)


def _ready_structure(tx: TransactionPort, principal: Principal,
                     structure_id: UUID, *, model: bool = False) -> StructureRow:
    structure = _found(tx.structures.get(structure_id), structure_id, model=model)
    readable_dataset(tx, principal, structure.dataset_id)
    if structure.status != StructureStatus.READY:
        what = "model" if model else "structure"
        raise NotReady(f"{what} {structure_id} is {structure.status}, not ready")
    return structure


def _verified_blob(tx: TransactionPort, structure_id: UUID) -> bytes:
    blob = tx.structures.get_blob(structure_id)
    if blob is None:
        raise CorruptRelease("a ready structure has no stored release")
    if payload_checksum(blob.data) != blob.sha256:
        raise CorruptRelease("stored release fails its checksum")
    return blob.data


SCAN_BYTES_PER_SECOND = 1e9


def _seconds_per_point(structure: StructureRow, dataset: DatasetRow, release: Release) -> float:
    """The kind's own estimate from the structure's parameters; for a structure built
    under older parameter ranges that no longer parse, reading the whole release once
    per point (an upper bound for every kind's query)."""
    try:
        spec = parse_request(dataset, structure.kind, structure.params)
    except InvalidParameter:
        stored = sum(int(a.nbytes) for a in release.arrays().values())
        return stored / SCAN_BYTES_PER_SECOND
    return spec.cost(rows=1, chunk_rows=1).query_seconds_per_point


def load_for_query(uow: UnitOfWorkPort, principal: Principal, structure_id: UUID,
                   cache: ReleaseCache, *, model: bool = False) -> tuple[StructureRow, Loaded]:
    """Access is checked against the database unless this key was let read this
    structure within the cache's ``access_seconds`` (``ReleaseCache``)."""
    admitted = cache.admitted(principal.key_id, structure_id, model)
    if admitted is not None:
        return admitted
    with uow() as tx:
        structure = _ready_structure(tx, principal, structure_id, model=model)
        loaded = cache.get(structure_id)
        if loaded is None:
            with cache.loading(structure_id):  # one load however many ask at once
                loaded = cache.get(structure_id)
                if loaded is None:
                    release = load_release(_verified_blob(tx, structure_id))
                    dataset = readable_dataset(tx, principal, structure.dataset_id)
                    loaded = Loaded(release, _seconds_per_point(structure, dataset, release))
                    cache.put(structure_id, loaded)
    cache.admit(principal.key_id, structure_id, model, structure)
    return structure, loaded


def query(uow: UnitOfWorkPort, principal: Principal, structure_id: UUID,
          points: NDArray[np.float64], reduce: Reduce, *, cache: ReleaseCache,
          max_points: int, max_seconds: float) -> QueryResult:
    """Answer a batch, refused (413) before any work if it has more points than
    ``max_points`` or would cost more than ``max_seconds`` of estimated CPU time."""
    if points.shape[0] > max_points:
        raise PayloadTooLarge(f"at most {max_points} query points per request "
                              "(PRIVSIM_MAX_QUERY_POINTS)", max_points=max_points)
    structure, loaded = load_for_query(uow, principal, structure_id, cache)
    check_query_cost(points.shape[0], loaded, max_seconds)
    result = loaded.release.query(points, reduce)
    audit.record_later(uow, structure.dataset_id, principal.key_id, "query",
                     structure_id=str(structure_id), points=int(points.shape[0]),
                     reduce=reduce)
    return result


def check_query_cost(points: int, loaded: Loaded, max_seconds: float) -> None:
    """413 for a batch of ``points`` estimated above ``max_seconds`` of CPU."""
    cost = points * loaded.seconds_per_point
    if cost > max_seconds:
        allowed = max(1, int(max_seconds / loaded.seconds_per_point))
        raise PayloadTooLarge(
            f"this query would cost about {cost:.3g} s of CPU, above the limit of "
            f"{max_seconds:g} s (PRIVSIM_MAX_QUERY_SECONDS): send at most {allowed} points "
            "per request to this structure", estimated_seconds=cost,
            limit_seconds=max_seconds, max_points=allowed)


def export(uow: UnitOfWorkPort, principal: Principal, structure_id: UUID, *,
           model: bool = False) -> ExportView:
    with uow() as tx:
        structure = _ready_structure(tx, principal, structure_id, model=model)
        blob = _verified_blob(tx, structure_id)
    audit.record_later(uow, structure.dataset_id, principal.key_id, "export",
                     structure_id=str(structure_id), size_bytes=len(blob))
    return ExportView(structure.id, structure.kind, blob)
