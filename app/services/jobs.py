"""Jobs as clients see them; the lifecycle itself lives in ``app.services.job_lifecycle``
(builds) and ``app.services.solve_jobs`` (solves)."""

from __future__ import annotations

from uuid import UUID

from app.errors import NotFound
from app.services.access import Principal, managed_dataset
from app.services.ports import UnitOfWorkPort
from app.services.solve_jobs import visible_solve
from app.services.views import JobView


def get_job(uow: UnitOfWorkPort, principal: Principal, job_id: UUID) -> JobView:
    with uow() as tx:
        job = tx.jobs.get(job_id)
        if job is None:
            raise NotFound(f"job {job_id} not found")
        if job.dataset_id is None:  # a solve on public inputs: its sender's (and admins')
            visible_solve(tx, principal, job)
        else:
            # progress advances one stored chunk at a time, which reveals n coarsely,
            # and n is private under add/remove: only those who may see n read jobs
            managed_dataset(tx, principal, job.dataset_id)
        return JobView.of(job)
