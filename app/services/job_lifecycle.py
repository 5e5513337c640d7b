"""A build job's lifecycle, as the worker drives it: claim, renew, open, store, fail
(refunded or not), give back. The rules (when a failure is refunded, what makes a
stored release valid) are explained in ``app.workers.worker``; this module is where
they touch the database, each step in its own transaction.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy.exc import DBAPIError

from app.db.base import utcnow
from app.db.models import StructureBlobRow
from app.domain import JobStatus, StructureStatus
from app.services import audit, budget
from app.services.ports import TransactionPort, UnitOfWorkPort
from app.services.rows import still_stored
from app.services.structures import data_spec
from core.models import LabelSet
from core.privacy.budget import Units
from core.structures import DataSpec
from core.structures.serialization import FORMAT_VERSION, payload_checksum

# job.error (and the audit reason) when the rows a build read were purged before it
# stored: says only that the owner removed them
PURGED_AFTER_ROWS = "the dataset's rows were purged during the build; the charge is kept"


@dataclass(frozen=True, slots=True)
class LeaseTerms:
    lease: timedelta
    max_attempts: int


def fail_build(tx: TransactionPort, job_id: UUID, owner: str | None, reason: str, *,
               rows_read: bool) -> bool:
    """Mark the job and its structure failed. Nothing was released; the spend is refunded
    only if no row was read (the failure cannot depend on the rows), else it is kept."""
    job = tx.jobs.get(job_id)
    if job is None or not tx.jobs.finish(job_id, owner, JobStatus.FAILED, reason):
        return False
    structure = None if job.structure_id is None else tx.structures.get(job.structure_id)
    if structure is None:  # a solve job, or the structure is gone
        return True
    structure.status = StructureStatus.FAILED
    if not rows_read:
        budget.refund(tx, structure, reason)
    audit.record(tx, structure.dataset_id, None, "build_failed",
                 structure_id=str(structure.id), reason=reason, refunded=not rows_read,
                 rows_read=rows_read)
    return True


def claim(uow: UnitOfWorkPort, owner: str, terms: LeaseTerms,
          kinds: Collection[str] | None = None) -> UUID | None:
    """Lease the oldest claimable job (of ``kinds``, if given) to ``owner`` and count the
    attempt; a job already tried ``max_attempts`` times fails instead (a build's charge
    is kept; a solve's problem is dropped)."""
    with uow(write=True) as tx:
        while True:
            now = utcnow()
            job = tx.jobs.claimable(now, kinds)
            if job is None:
                tx.commit()
                return None
            if job.attempts >= terms.max_attempts:
                gave_up = f"gave up after {job.attempts} attempts"
                if job.structure_id is None:  # a solve job: nothing was charged
                    tx.jobs.finish(job.id, None, JobStatus.FAILED, gave_up)
                    data = tx.solve_data.get(job.id)
                    if data is not None:
                        data.problem = None
                else:  # earlier attempts may have read rows: the charge is kept
                    fail_build(tx, job.id, None, f"{gave_up}; the charge is kept",
                               rows_read=True)
                tx.flush()
                continue
            job.status = JobStatus.RUNNING
            job.lease_owner = owner
            job.lease_expires_at = now + terms.lease
            job.attempts += 1
            job.updated_at = now
            tx.commit()
            return job.id


def renew(uow: UnitOfWorkPort, job_id: UUID, owner: str, *, lease: timedelta,
          progress: float) -> bool:
    """Extend ``owner``'s lease and record progress; False if the job is no longer its."""
    with uow(write=True) as tx:
        owned = tx.jobs.renew(job_id, owner, lease=lease, progress=progress)
        tx.commit()
    return owned


@dataclass(frozen=True, slots=True)
class BuildTask:
    """What a claimed build needs, read in one short transaction before any row."""

    job_id: UUID
    structure_id: UUID
    dataset_id: UUID
    kind: str
    params: dict[str, Any]
    seed: str
    noise_plan: dict[str, Any]
    charged: Units
    data: DataSpec
    seqs: list[int]
    read_before: bool  # an earlier attempt (a worker that died or stopped) may have read rows
    labels: LabelSet | None = None  # the dataset's declared labels (a model's build)


@dataclass(frozen=True, slots=True)
class Unbuildable:
    """A claimed build that fails before reading any row of this attempt."""

    job_id: UUID
    structure_id: UUID
    reason: str
    read_before: bool


def open_build(uow: UnitOfWorkPort, job_id: UUID) -> BuildTask | Unbuildable | None:
    """The build of a claimed job, or why it cannot start; None if the job or its
    structure is gone (the dataset was deleted in the meantime)."""
    with uow() as tx:
        job = tx.jobs.get(job_id)
        structure = tx.structures.get(job.structure_id) \
            if job is not None and job.structure_id is not None else None
        dataset = tx.datasets.get(structure.dataset_id) if structure else None
        if job is None or structure is None:
            return None
        read_before = job.attempts > 1
        if dataset is None:
            return Unbuildable(job_id, structure.id, "the dataset was deleted", read_before)
        data = data_spec(dataset)
        seqs = tx.chunks.seqs(dataset.id)
        if not seqs:
            return Unbuildable(job_id, structure.id, "the dataset has no rows (purged?)",
                               read_before)
        return BuildTask(job_id=job_id, structure_id=structure.id, dataset_id=dataset.id,
                         kind=structure.kind, params=dict(structure.params),
                         seed=structure.seed, noise_plan=dict(structure.noise_plan),
                         charged=Units(structure.epsilon, structure.delta), data=data,
                         seqs=seqs, read_before=read_before,
                         labels=LabelSet.declared(dataset.classes, dataset.label_range))


class Stored(enum.Enum):
    STORED = "stored"
    LEASE_LOST = "lease lost"  # another worker holds the job: nothing stored
    PURGED = "purged"  # rows the build read are gone: nothing stored, failed, charge kept
    GONE = "gone"  # the structure was deleted: nothing stored


def store(uow: UnitOfWorkPort, task: BuildTask, owner: str, *, lease: timedelta,
          blob: bytes, error_model: dict[str, Any]) -> Stored:
    """Store the release, mark the structure ready and the job succeeded, in one
    transaction, if ``owner`` still holds the job and every chunk the build read is
    still stored (checked under the dataset's row lock)."""
    with uow(write=True) as tx:
        # lock our job first (the order every writer uses: job, then dataset), and
        # check that it is still ours
        if not tx.jobs.renew(task.job_id, owner, lease=lease, progress=0.95):
            return Stored.LEASE_LOST
        if not still_stored(tx, task.dataset_id, task.seqs):
            # purged after the build read them: store nothing, keep the charge
            if fail_build(tx, task.job_id, owner, PURGED_AFTER_ROWS, rows_read=True):
                tx.commit()
            return Stored.PURGED
        if not tx.jobs.finish(task.job_id, owner, JobStatus.SUCCEEDED):
            return Stored.LEASE_LOST
        structure = tx.structures.get(task.structure_id)
        if structure is None:
            return Stored.GONE
        tx.structures.add_blob(StructureBlobRow(
            structure_id=task.structure_id, format_version=FORMAT_VERSION,
            sha256=payload_checksum(blob), data=blob))
        structure.status = StructureStatus.READY
        structure.error_model = error_model
        structure.size_bytes = len(blob)
        structure.ready_at = utcnow()
        audit.record(tx, structure.dataset_id, None, "build_ready",
                     structure_id=str(task.structure_id), size_bytes=len(blob))
        tx.commit()
    return Stored.STORED


def fail(uow: UnitOfWorkPort, job_id: UUID, owner: str, reason: str, *,
         rows_read: bool) -> None:
    """Fail ``owner``'s job: refunded if no row was read, else the charge is kept."""
    with uow(write=True) as tx:
        if fail_build(tx, job_id, owner, reason, rows_read=rows_read):
            tx.commit()


def give_back(uow: UnitOfWorkPort, job_id: UUID, owner: str) -> None:
    """Return ``owner``'s running job to the queue (a worker stopping, a transient
    database error); if even that fails, the lease expires and the job is reclaimed."""
    try:
        with uow(write=True) as tx:
            tx.jobs.release(job_id, owner)
            tx.commit()
    except DBAPIError:
        pass
