"""The build worker: safe to kill at any point.

- Claim: the oldest queued job, or a running one whose lease expired, in one
  transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; the SQLite write lock
  serialises claimers). The claim sets the lease and counts the attempt.
- Heartbeat: a thread renews the lease and records progress; if the renewal finds the
  job no longer ours, the build stops at the next chunk and its result is dropped.
- Verify: before the first chunk is read, the stored noise plan is checked against the
  spec (``core.structures.base.check_plan``) and against what the structure was
  charged; a plan that fails is a failure before any row was read.
- Store: the release, the structure's ``ready`` status and the job's ``succeeded``
  status are written in one transaction, conditional on still holding the lease and on
  every chunk the build read still being stored (checked under the dataset's row lock),
  so a half-written structure is never served, only one worker's release is ever
  stored, and no release is stored from rows purged before it.
- Budget: charged once, at reservation, never by the worker. A failed build released
  nothing, but whether it failed may depend on the rows, and the structure's status
  shows it; so a refund depends on when the failure was decided:

  * before any row was read (the dataset deleted, no rows, parameters that do not
    parse, a stored noise plan that fails verification, anything raised before the
    first chunk arrives): the failure does not depend on the rows, and the job and
    structure are marked failed and the charge refunded, in one transaction;
  * after a row was read (rows_read is set when the first chunk arrives), or when an
    earlier attempt of the job may have read rows (it was claimed before: a worker
    died or stopped mid-build, or the job was given up after too many attempts), or
    when the rows were purged after the build read them: marked failed, the charge is
    kept (no refund entry), so that a probe whose failure depends on row values is
    never free. ``job.error`` then says only that; the detail is logged at warning
    level, without data values.

  The audit event ``build_failed`` records ``refunded`` and ``rows_read``. A worker
  killed mid-build released nothing (its noisy statistics never left its memory); the
  job is reclaimed when the lease expires and built again, under the same charge.

- Solves (``app.services.solve_jobs``): the same claim, lease, heartbeat and store
  rules, on a problem of public arrays. Nothing was charged and no row is read, so a
  failure stores the error's message (our own errors' messages; "internal error"
  for any other) and a killed solve is simply solved again. Progress is the solver's
  own estimate; the solver checks for a lost lease or a stop at each iteration. On a
  GPU backend the solve runs on the device (the core solvers are Array-API generic).

A worker takes every kind of job, or only builds or only solves (``JobKinds``), so that
an API process can keep a long solve from delaying a build.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.exc import DBAPIError

from app.crypto import RowCipher
from app.errors import AppError
from app.services import job_lifecycle, solve_jobs, solvers
from app.services.job_lifecycle import (
    PURGED_AFTER_ROWS,
    BuildTask,
    LeaseTerms,
    Stored,
    Unbuildable,
)
from app.services.ports import UnitOfWorkPort
from app.services.rows import RowsPurged, iter_labelled_chunks
from app.services.structures import BUILD_JOB
from app.settings import Settings
from app.workers.distributed import ClusterUnavailable, DaskBuilds
from core.errors import CoreError, PlanMismatch
from core.models import LABELLED_MODELS, MODEL_KINDS, build_model, parse_model
from core.privacy.budget import Units
from core.privacy.mechanisms import NoisePlan
from core.structures import build_release, dump_release, parse_spec
from core.structures.base import check_plan, release_from_totals
from gpu.backend import CPU, Backend

logger = logging.getLogger(__name__)

# job.error (and the audit reason) of a failure after rows were read: never the
# exception's text, which might depend on row values
FAILED_AFTER_ROWS = "the build failed after reading rows; the charge is kept"
__all__ = ["BUILD_KINDS", "FAILED_AFTER_ROWS", "PURGED_AFTER_ROWS", "SOLVE_KINDS", "Heartbeat",
           "JobKinds", "Worker", "WorkerConfig"]

BUILD_KINDS = frozenset({BUILD_JOB})
SOLVE_KINDS = frozenset(solve_jobs.SOLVE_KINDS)
JobKinds = frozenset[str] | None  # the job kinds a worker claims (None: every kind)
_ROUNDING = 1e-12  # relative slack for the float rounding of a charge's value


class LeaseLost(Exception):
    """Another worker owns the job now."""


class Stopping(Exception):
    """The worker was asked to stop; the job goes back to the queue."""


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    lease: timedelta
    heartbeat_seconds: float
    poll_seconds: float
    max_attempts: int

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkerConfig:
        return cls(timedelta(seconds=settings.job_lease_seconds),
                   settings.job_heartbeat_seconds, settings.job_poll_seconds,
                   settings.job_max_attempts)

    @property
    def terms(self) -> LeaseTerms:
        return LeaseTerms(self.lease, self.max_attempts)


class Heartbeat(threading.Thread):
    def __init__(self, uow: UnitOfWorkPort, job_id: UUID, owner: str,
                 config: WorkerConfig) -> None:
        super().__init__(name=f"heartbeat-{job_id}", daemon=True)
        self._uow, self._job_id, self._owner, self._config = uow, job_id, owner, config
        self.progress = 0.0
        self.lost = threading.Event()
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(self._config.heartbeat_seconds):
            self.beat()
            if self.lost.is_set():
                return

    def beat(self) -> None:
        try:
            owned = job_lifecycle.renew(self._uow, self._job_id, self._owner,
                                        lease=self._config.lease, progress=self.progress)
        except DBAPIError:
            logger.warning("heartbeat failed; retrying", extra={"job_id": str(self._job_id)})
            return
        if not owned:
            self.lost.set()

    def stop(self) -> None:
        self._done.set()


def check_charge(plan: NoisePlan, charged: Units) -> None:
    """Refuse a stored plan calibrated to more than its structure was charged (the plan's
    budget is the charge's value rounded down; anything above it beyond float rounding
    is a mismatch)."""
    if plan.budget.epsilon > float(charged.epsilon_value) * (1 + _ROUNDING):
        raise PlanMismatch("the noise plan's epsilon exceeds the structure's charge")
    if plan.budget.delta > float(charged.delta_value) * (1 + _ROUNDING):
        raise PlanMismatch("the noise plan's delta exceeds the structure's charge")


class Worker:
    def __init__(self, uow: UnitOfWorkPort, cipher: RowCipher, config: WorkerConfig, *,
                 backend: Backend = CPU, name: str | None = None,
                 kinds: JobKinds = None, cluster: DaskBuilds | None = None) -> None:
        self._uow = uow
        self._cipher = cipher
        self._config = config
        self._backend = backend
        self._cluster = cluster  # builds of unlabelled kinds run on it (distributed.py)
        self.kinds = kinds
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:8]}"
        self.stop_event = threading.Event()

    # -- claiming -------------------------------------------------------------------
    def claim(self) -> UUID | None:
        return job_lifecycle.claim(self._uow, self.name, self._config.terms, self.kinds)

    # -- running --------------------------------------------------------------------
    def run_once(self) -> bool:
        """Claim and run one job; False if there was none."""
        job_id = self.claim()
        if job_id is None:
            return False
        self.execute(job_id)
        return True

    def run(self) -> None:
        logger.info("worker started", extra={"worker": self.name,
                                              "backend": self._backend.name})
        while not self.stop_event.is_set():
            try:
                busy = self.run_once()
            except DBAPIError:
                logger.warning("database unavailable; worker waits")
                busy = False
            except Exception:  # a worker thread must outlive any one job's surprise
                logger.exception("worker error; the job's lease will expire and be retried")
                busy = False
            if not busy:
                self.stop_event.wait(self._config.poll_seconds)
        logger.info("worker stopped", extra={"worker": self.name})

    def execute(self, job_id: UUID) -> None:
        solve = solve_jobs.open_solve(self._uow, job_id)
        if solve is not None:
            self.solve(solve)
            return
        task = job_lifecycle.open_build(self._uow, job_id)
        if task is None:
            return  # the dataset was deleted in the meantime
        extra = {"job_id": str(job_id), "structure_id": str(task.structure_id)}
        if isinstance(task, Unbuildable):
            logger.warning("build failed before reading rows: %s", task.reason, extra=extra)
            self._fail(job_id, task.reason, rows_read=task.read_before)
            return
        extra["kind"] = task.kind
        logger.info("build started", extra=extra)
        rows_read = task.read_before
        seqs = task.seqs
        heartbeat = Heartbeat(self._uow, job_id, self.name, self._config)
        heartbeat.start()
        try:
            labelled = task.kind in LABELLED_MODELS
            spec = (parse_model(task.kind, task.params, task.data, task.labels)
                    if task.kind in MODEL_KINDS else parse_spec(task.kind, task.params, task.data))
            plan = NoisePlan.from_dict(task.noise_plan)
            check_plan(spec, plan)  # PlanMismatch: decided before any row is read
            check_charge(plan, task.charged)

            def check() -> None:
                if heartbeat.lost.is_set():
                    raise LeaseLost
                if self.stop_event.is_set():
                    raise Stopping

            def chunks() -> Iterator[tuple[NDArray[np.float64], Any]]:
                nonlocal rows_read
                for part in iter_labelled_chunks(self._uow, task.dataset_id, self._cipher,
                                                 seqs):
                    rows_read = True  # from here on, a failure may depend on the rows
                    check()
                    yield part

            def progress(done: int) -> None:
                heartbeat.progress = 0.95 * done / len(seqs)

            def started() -> None:
                nonlocal rows_read
                rows_read = True  # the cluster's tasks read rows from here on

            seed = int(task.seed, 16)
            if self._cluster is not None and not labelled:
                build = self._cluster.new_build(task.dataset_id, spec, seed)
                totals = self._cluster.totals(build, seqs, check=check, started=started,
                                              progress=progress)
                release = release_from_totals(spec.builder(seed), plan, totals)
            elif labelled:  # a classifier or regressor reads each row's label too
                release = build_model(spec, seed=seed, plan=plan,  # type: ignore[arg-type]
                                      chunks=chunks(),
                                      to_backend=self._backend.to_device, progress=progress)
            else:
                release = build_release(spec, seed=seed, plan=plan,
                                        chunks=(rows for rows, _ in chunks()),
                                        to_backend=self._backend.to_device, progress=progress)
            blob = dump_release(release)
            error_model = release.error_model(spec.data).to_dict()
        except LeaseLost:
            logger.warning("lease lost; build dropped", extra=extra)
            return
        except Stopping:
            self._release(job_id)
            logger.info("worker stopping; job requeued", extra=extra)
            return
        except DBAPIError:
            logger.warning("database error during build; job will be retried", extra=extra)
            self._release(job_id)
            return
        except ClusterUnavailable as exc:  # says nothing about the rows: built again later
            logger.warning("Dask cluster unavailable (%s); job will be retried", exc,
                           extra=extra)
            self._release(job_id)
            return
        except Exception as exc:  # every other failure ends the job, refunded or not
            self._failed(job_id, exc, rows_read=rows_read, extra=extra)
            return
        finally:
            heartbeat.stop()
        self._store(task, blob, error_model, extra)

    def solve(self, task: solve_jobs.SolveTask) -> None:
        """Solve a claimed solve job and store its answer (module docstring)."""
        extra = {"job_id": str(task.job_id), "kind": task.kind}
        if task.problem is None:
            solve_jobs.fail(self._uow, task.job_id, self.name, "the job's problem is gone")
            return
        logger.info("solve started", extra=extra)
        heartbeat = Heartbeat(self._uow, task.job_id, self.name, self._config)
        heartbeat.start()

        def progress(done: float) -> None:
            if heartbeat.lost.is_set():
                raise LeaseLost
            if self.stop_event.is_set():
                raise Stopping
            heartbeat.progress = 0.99 * min(max(done, 0.0), 1.0)

        try:
            device = None if self._backend.name == "cpu" else self._backend.to_device
            view = solvers.solve(task.problem, progress, device)
        except LeaseLost:
            logger.warning("lease lost; solve dropped", extra=extra)
            return
        except Stopping:
            self._release(task.job_id)
            logger.info("worker stopping; job requeued", extra=extra)
            return
        except DBAPIError:
            logger.warning("database error during a solve; job will be retried", extra=extra)
            self._release(task.job_id)
            return
        except (CoreError, AppError) as exc:  # our messages carry no data values
            logger.warning("solve failed: %s", exc, extra=extra)
            solve_jobs.fail(self._uow, task.job_id, self.name, str(exc))
            return
        except Exception:
            logger.exception("unexpected solve error", extra=extra)
            solve_jobs.fail(self._uow, task.job_id, self.name, "internal error during the "
                            "solve")
            return
        finally:
            heartbeat.stop()
        if solve_jobs.store(self._uow, task.job_id, self.name, lease=self._config.lease,
                            view=view):
            logger.info("solve stored", extra=extra)
        else:
            logger.warning("lease lost before storing; solve dropped", extra=extra)

    def _failed(self, job_id: UUID, exc: Exception, *, rows_read: bool,
                extra: dict[str, str]) -> None:
        """Fail a build that raised. Before any row was read, the error's own message is
        data independent: it is stored and the charge refunded. After, only a generic
        message is stored, the charge is kept, and the log names the error's type (and,
        for our own errors, whose messages never carry data values, its message)."""
        if not rows_read:
            if isinstance(exc, CoreError | AppError):
                logger.warning("build failed before reading rows: %s", exc, extra=extra)
                reason = str(exc)
            else:
                logger.exception("unexpected build error before reading rows", extra=extra)
                reason = "internal error during the build"
            self._fail(job_id, reason, rows_read=False)
            return
        if isinstance(exc, RowsPurged):
            logger.warning("rows purged during the build; the charge is kept", extra=extra)
            self._fail(job_id, PURGED_AFTER_ROWS, rows_read=True)
            return
        if isinstance(exc, CoreError | AppError):
            logger.warning("build failed after reading rows (%s: %s); the charge is kept",
                           type(exc).__name__, exc, extra=extra)
        else:  # a foreign exception's message may quote values: its type and frames only
            logger.warning("unexpected build error after reading rows (%s); the charge is "
                           "kept\n%s", type(exc).__name__,
                           "".join(traceback.format_tb(exc.__traceback__)), extra=extra)
        self._fail(job_id, FAILED_AFTER_ROWS, rows_read=True)

    def _store(self, task: BuildTask, blob: bytes, error_model: dict[str, Any],
               extra: dict[str, str]) -> None:
        outcome = job_lifecycle.store(self._uow, task, self.name, lease=self._config.lease,
                                      blob=blob, error_model=error_model)
        if outcome is Stored.LEASE_LOST:
            logger.warning("lease lost before storing; build dropped", extra=extra)
        elif outcome is Stored.PURGED:
            logger.warning("rows purged before the build stored; nothing stored, "
                           "the charge is kept", extra=extra)
        elif outcome is Stored.STORED:
            logger.info("build stored", extra=extra | {"size_bytes": len(blob)})

    def _fail(self, job_id: UUID, reason: str, *, rows_read: bool) -> None:
        job_lifecycle.fail(self._uow, job_id, self.name, reason, rows_read=rows_read)

    def _release(self, job_id: UUID) -> None:
        job_lifecycle.give_back(self._uow, job_id, self.name)
