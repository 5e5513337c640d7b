"""Jobs: a build's or a solve's status and progress, and a solve's answer."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from app.api import examples as ex
from app.api.deps import PrincipalDep, UoWDep
from app.api.responses import AUTHENTICATED, example, problems
from app.api.routes import V1
from app.api.schemas.solvers import DesignOut, KernelRegressionOut, OtOut
from app.api.schemas.structures import JobRead
from app.api.strict_json import StrictJSONRoute
from app.errors import Forbidden, InvalidInput, NotFound, NotReady
from app.services import jobs, solve_jobs

router = APIRouter(prefix=f"{V1}/jobs", tags=["jobs"], route_class=StrictJSONRoute,
                   responses=problems(*AUTHENTICATED))

# a solve job's kind -> the body its synchronous route answers with
_ANSWERS: dict[str, type[OtOut] | type[KernelRegressionOut] | type[DesignOut]] = {
    "solve_ot": OtOut, "solve_kernel_regression": KernelRegressionOut,
    "solve_design": DesignOut, "solve_quality_diversity": DesignOut}


@router.get("/{job_id}", response_model=JobRead,
            responses=example(ex.JOB) | problems(Forbidden, NotFound, InvalidInput))
def get_job(job_id: UUID, uow: UoWDep, principal: PrincipalDep) -> JobRead:
    """A job's status and progress. A build's (admin, the dataset's owner): progress
    advances one stored chunk at a time, which reveals the row count coarsely, so
    analysts follow the structure's ``status`` instead. A solve's (the key that
    submitted it, admins): progress toward its tolerance or caps, and ``result_url``."""
    view = jobs.get_job(uow, principal, job_id)
    read = JobRead.from_view(view)
    if view.kind in solve_jobs.SOLVE_KINDS:
        read.result_url = f"{V1}/jobs/{job_id}/result"
    return read


@router.get("/{job_id}/result",
            response_model=OtOut | KernelRegressionOut | DesignOut,
            responses=example(ex.SOLVER_OT_OUT) | problems(NotFound, NotReady, InvalidInput))
def get_result(job_id: UUID, uow: UoWDep, principal: PrincipalDep) -> Any:
    """A solve job's answer, the body its synchronous route would have given (OtOut,
    KernelRegressionOut or DesignOut, by the job's ``kind``); 409 while it is queued or
    running, or if it failed (the problem says why); 404 for a build job, or a solve
    job of another key (admins see all)."""
    kind, answer = solve_jobs.result(uow, principal, job_id)
    return _ANSWERS[kind].model_validate(answer)
