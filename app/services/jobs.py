"""Jobs as clients see them; the lifecycle itself lives in ``app.workers``."""

from __future__ import annotations

from uuid import UUID

from app.db.models import JobRow
from app.db.uow import UnitOfWork
from app.errors import NotFound
from app.services.access import Principal, managed_dataset


def get_job(uow: UnitOfWork, principal: Principal, job_id: UUID) -> JobRow:
    with uow() as tx:
        job = tx.jobs.get(job_id)
        if job is None:
            raise NotFound(f"job {job_id} not found")
        # progress advances one stored chunk at a time, which reveals n coarsely, and n
        # is private under add/remove: only those who may see n read jobs
        managed_dataset(tx, principal, job.dataset_id)
        return job
