"""Solve jobs: a solver problem too large for the request runs in a worker.

The request prepares the problem (``app.services.solvers.prepare_*``: checks, and reads
from released structures under the caller's access rule), so a bad request is still a
422 and the job holds public arrays only. ``submit`` queues it; a worker claims it like
a build (lease, heartbeat, progress; ``app.workers.worker``), solves it and stores the
answer, or the failure's message. Nothing is spent and no private row is read, so a
failed or retried solve has no privacy consequence: a job whose worker died is solved
again from its stored problem.

Who sees a solve job: the key that submitted it, and admins; to anyone else it does
not exist (404). The problem is dropped when the job ends; the result is kept.

Stored forms: the problem as a compressed ``.npz`` (its arrays, and its other fields as
JSON in ``__fields__``; read back with ``allow_pickle=False``); the result as the
answer's JSON, zlib-compressed.
"""

from __future__ import annotations

import dataclasses
import io
import json
import zlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import numpy as np

from app.db.models import JobRow, SolveDataRow
from app.domain import JobStatus
from app.errors import NotFound, NotReady
from app.services.access import Principal
from app.services.ports import TransactionPort, UnitOfWorkPort
from app.services.solvers import (
    DesignProblem,
    KernelRegressionProblem,
    OtProblem,
    Problem,
    QualityDiversityProblem,
    View,
)

__all__ = ["KIND_OF", "SOLVE_KINDS", "SolveTask", "decode_problem", "encode_problem", "fail",
           "open_solve", "result", "store", "submit", "visible_solve"]

SOLVE_KINDS: dict[str, type[Problem]] = {
    "solve_ot": OtProblem,
    "solve_kernel_regression": KernelRegressionProblem,
    "solve_design": DesignProblem,
    "solve_quality_diversity": QualityDiversityProblem,
}
KIND_OF = {cls: kind for kind, cls in SOLVE_KINDS.items()}
_FIELDS = "__fields__"


def encode_problem(problem: Problem) -> bytes:
    """The problem as a compressed npz: arrays as arrays, the rest as JSON."""
    arrays: dict[str, Any] = {}
    rest: dict[str, Any] = {}
    for f in dataclasses.fields(problem):
        value = getattr(problem, f.name)
        if isinstance(value, np.ndarray):
            arrays[f.name] = value
        else:
            rest[f.name] = list(value) if isinstance(value, tuple) else value
    arrays[_FIELDS] = np.frombuffer(json.dumps(rest, allow_nan=False).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def decode_problem(kind: str, data: bytes) -> Problem:
    """The problem ``encode_problem`` stored for a job of ``kind``."""
    cls = SOLVE_KINDS[kind]
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        values: dict[str, Any] = json.loads(archive[_FIELDS].tobytes().decode())
        for name in archive.files:
            if name != _FIELDS:
                values[name] = archive[name]
    for f in dataclasses.fields(cls):
        values.setdefault(f.name, None)  # an array field that was None
    if isinstance(values.get("student_t"), list):
        values["student_t"] = tuple(values["student_t"])
    return cls(**values)


def submit(uow: UnitOfWorkPort, principal: Principal, problem: Problem) -> UUID:
    """Queue a prepared problem; the job's id."""
    job_id = uuid4()
    data = encode_problem(problem)
    with uow(write=True) as tx:
        tx.jobs.add(JobRow(id=job_id, kind=KIND_OF[type(problem)], structure_id=None,
                           dataset_id=None, status=JobStatus.QUEUED, progress=0.0,
                           attempts=0, requested_by=principal.key_id))
        tx.flush()
        tx.solve_data.add(SolveDataRow(job_id=job_id, problem=data, result=None))
        tx.commit()
    return job_id


def visible_solve(tx: TransactionPort, principal: Principal, job: JobRow) -> None:
    """A solve job is seen by the key that submitted it and by admins; 404 otherwise."""
    if not (principal.is_admin or job.requested_by == principal.key_id):
        raise NotFound(f"job {job.id} not found")


@dataclass(frozen=True, slots=True)
class SolveTask:
    job_id: UUID
    kind: str
    problem: Problem | None  # None: the stored problem is gone (the job cannot run)


def open_solve(uow: UnitOfWorkPort, job_id: UUID) -> SolveTask | None:
    """The claimed job's problem, or None if the job is not a solve."""
    with uow() as tx:
        job = tx.jobs.get(job_id)
        if job is None or job.kind not in SOLVE_KINDS:
            return None
        data = tx.solve_data.get(job_id)
        stored = None if data is None else data.problem
    problem = None if stored is None else decode_problem(job.kind, stored)
    return SolveTask(job_id, job.kind, problem)


def _encode_result(view: View) -> bytes:
    return zlib.compress(json.dumps(dataclasses.asdict(view)).encode(), 6)


def store(uow: UnitOfWorkPort, job_id: UUID, owner: str, *, lease: timedelta,
          view: View) -> bool:
    """Store the answer and mark the job succeeded if ``owner`` still holds it."""
    blob = _encode_result(view)
    with uow(write=True) as tx:
        if not tx.jobs.renew(job_id, owner, lease=lease, progress=0.99):
            return False
        if not tx.jobs.finish(job_id, owner, JobStatus.SUCCEEDED):
            return False
        data = tx.solve_data.get(job_id)
        if data is None:
            return False
        data.result, data.problem = blob, None
        tx.commit()
    return True


def fail(uow: UnitOfWorkPort, job_id: UUID, owner: str, reason: str) -> None:
    """Mark ``owner``'s solve job failed with ``reason``; its problem is dropped."""
    with uow(write=True) as tx:
        if tx.jobs.finish(job_id, owner, JobStatus.FAILED, reason):
            data = tx.solve_data.get(job_id)
            if data is not None:
                data.problem = None
            tx.commit()


def result(uow: UnitOfWorkPort, principal: Principal, job_id: UUID) -> tuple[str, Any]:
    """A succeeded solve job's kind and answer (the JSON stored); 404 for a job that is
    not a solve or not the caller's, 409 while it runs or if it failed."""
    with uow() as tx:
        job = tx.jobs.get(job_id)
        if job is None or job.kind not in SOLVE_KINDS:
            raise NotFound(f"job {job_id} has no result: only solve jobs have one")
        visible_solve(tx, principal, job)
        if job.status == JobStatus.FAILED:
            raise NotReady(f"job {job_id} failed: {job.error}")
        if job.status != JobStatus.SUCCEEDED:
            raise NotReady(f"job {job_id} is {job.status}; its result is not ready")
        data = tx.solve_data.get(job_id)
        if data is None or data.result is None:
            raise NotFound(f"job {job_id}'s result is gone")
        blob = data.result
    return job.kind, json.loads(zlib.decompress(blob))
