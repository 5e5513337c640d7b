from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from app.api.deps import PrincipalDep, UoWDep
from app.api.routes import V1
from app.api.schemas.common import PROBLEM
from app.api.schemas.structures import JobRead
from app.api.strict_json import StrictJSONRoute
from app.services import jobs

router = APIRouter(prefix=f"{V1}/jobs", tags=["jobs"], route_class=StrictJSONRoute,
                   responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM})


@router.get("/{job_id}", response_model=JobRead)
def get_job(job_id: UUID, uow: UoWDep, principal: PrincipalDep) -> JobRead:
    return JobRead.of(jobs.get_job(uow, principal, job_id))
