from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from app.api import examples as ex
from app.api.deps import PrincipalDep, UoWDep
from app.api.responses import AUTHENTICATED, example, problems
from app.api.routes import V1
from app.api.schemas.structures import JobRead
from app.api.strict_json import StrictJSONRoute
from app.errors import Forbidden, InvalidInput, NotFound
from app.services import jobs

router = APIRouter(prefix=f"{V1}/jobs", tags=["jobs"], route_class=StrictJSONRoute,
                   responses=problems(*AUTHENTICATED))


@router.get("/{job_id}", response_model=JobRead,
            responses=example(ex.JOB) | problems(Forbidden, NotFound, InvalidInput))
def get_job(job_id: UUID, uow: UoWDep, principal: PrincipalDep) -> JobRead:
    """A build job's status and progress (admin, the dataset's owner): progress advances
    one stored chunk at a time, which reveals the row count coarsely, so analysts follow
    the structure's ``status`` instead."""
    return JobRead.from_view(jobs.get_job(uow, principal, job_id))
