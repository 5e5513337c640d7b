"""The build worker: safe to kill at any point.

- Claim: the oldest queued job, or a running one whose lease expired, in one
  transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; the SQLite write lock
  serialises claimers). The claim sets the lease and counts the attempt.
- Heartbeat: a thread renews the lease and records progress; if the renewal finds the
  job no longer ours, the build stops at the next chunk and its result is dropped.
- Store: the release, the structure's ``ready`` status and the job's ``succeeded``
  status are written in one transaction, conditional on still holding the lease, so a
  half-written structure is never served and only one worker's release is ever stored.
- Budget: charged once, at reservation, never by the worker. A job that fails for a
  reason that will not go away (bad data, purged rows, too many attempts) is marked
  failed and refunded in one transaction: nothing was released. A worker killed
  mid-build released nothing either (its noisy statistics never left its memory); the
  job is reclaimed when the lease expires and built again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.exc import DBAPIError

from app.crypto import RowCipher
from app.db.base import utcnow
from app.db.models import JobStatus, StructureBlobRow, StructureStatus
from app.db.uow import Transaction, UnitOfWork
from app.errors import AppError
from app.services import audit, budget
from app.services.rows import iter_chunks
from app.services.structures import data_spec
from app.settings import Settings
from core.errors import CoreError
from core.privacy.mechanisms import NoisePlan
from core.structures import build_release, dump_release, parse_spec
from core.structures.serialization import FORMAT_VERSION, payload_checksum
from gpu.backend import CPU, Backend

logger = logging.getLogger(__name__)


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


class Heartbeat(threading.Thread):
    def __init__(self, uow: UnitOfWork, job_id: UUID, owner: str, config: WorkerConfig) -> None:
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
            with self._uow(write=True) as tx:
                owned = tx.jobs.renew(self._job_id, self._owner, lease=self._config.lease,
                                      progress=self.progress)
                tx.commit()
        except DBAPIError:
            logger.warning("heartbeat failed; retrying", extra={"job_id": str(self._job_id)})
            return
        if not owned:
            self.lost.set()

    def stop(self) -> None:
        self._done.set()


def fail_and_refund(tx: Transaction, job_id: UUID, owner: str | None, reason: str) -> bool:
    """Mark the job and its structure failed and refund the spend: nothing was released."""
    job = tx.jobs.get(job_id)
    if job is None or not tx.jobs.finish(job_id, owner, JobStatus.FAILED, reason):
        return False
    structure = tx.structures.get(job.structure_id)
    if structure is None:
        return True
    structure.status = StructureStatus.FAILED
    budget.refund(tx, structure, reason)
    audit.record(tx, structure.dataset_id, None, "build_failed",
                 structure_id=str(structure.id), reason=reason, refunded=True)
    return True


class Worker:
    def __init__(self, uow: UnitOfWork, cipher: RowCipher, config: WorkerConfig, *,
                 backend: Backend = CPU, name: str | None = None) -> None:
        self._uow = uow
        self._cipher = cipher
        self._config = config
        self._backend = backend
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:8]}"
        self.stop_event = threading.Event()

    # -- claiming -------------------------------------------------------------------
    def claim(self) -> UUID | None:
        with self._uow(write=True) as tx:
            while True:
                now = utcnow()
                job = tx.jobs.claimable(now)
                if job is None:
                    tx.commit()
                    return None
                if job.attempts >= self._config.max_attempts:
                    fail_and_refund(tx, job.id, None,
                                    f"gave up after {job.attempts} attempts")
                    tx.flush()
                    continue
                job.status = JobStatus.RUNNING
                job.lease_owner = self.name
                job.lease_expires_at = now + self._config.lease
                job.attempts += 1
                job.updated_at = now
                tx.commit()
                return job.id

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
        with self._uow() as tx:
            job = tx.jobs.get(job_id)
            structure = tx.structures.get(job.structure_id) if job else None
            dataset = tx.datasets.get(structure.dataset_id) if structure else None
            if job is None or structure is None:
                return  # the dataset was deleted in the meantime
            if dataset is None:
                reason = "the dataset was deleted"
            else:
                data = data_spec(dataset)
                kind, params, seed = structure.kind, dict(structure.params), structure.seed
                plan = NoisePlan.from_dict(structure.noise_plan)
                dataset_id, seqs = dataset.id, tx.chunks.seqs(dataset.id)
                reason = "" if seqs else "the dataset has no rows (purged?)"
        if reason:
            self._fail(job_id, reason)
            return
        extra = {"job_id": str(job_id), "structure_id": str(structure.id), "kind": kind}
        logger.info("build started", extra=extra)
        heartbeat = Heartbeat(self._uow, job_id, self.name, self._config)
        heartbeat.start()
        try:
            spec = parse_spec(kind, params, data)

            def chunks() -> Iterator[NDArray[np.float64]]:
                for rows in iter_chunks(self._uow, dataset_id, self._cipher, seqs):
                    if heartbeat.lost.is_set():
                        raise LeaseLost
                    if self.stop_event.is_set():
                        raise Stopping
                    yield rows

            def progress(done: int) -> None:
                heartbeat.progress = 0.95 * done / len(seqs)

            release = build_release(spec, seed=int(seed, 16), plan=plan, chunks=chunks(),
                                    to_backend=self._backend.to_device, progress=progress)
            blob = dump_release(release)
            error_model = release.error_model()
        except LeaseLost:
            logger.warning("lease lost; build dropped", extra=extra)
            return
        except Stopping:
            self._release(job_id)
            logger.info("worker stopping; job requeued", extra=extra)
            return
        except (CoreError, AppError) as exc:
            logger.warning("build failed: %s", exc, extra=extra)
            self._fail(job_id, str(exc))
            return
        except DBAPIError:
            logger.warning("database error during build; job will be retried", extra=extra)
            self._release(job_id)
            return
        except Exception:
            logger.exception("unexpected build error", extra=extra)
            self._fail(job_id, "internal error during the build")
            return
        finally:
            heartbeat.stop()
        self._store(job_id, structure.id, blob, error_model, extra)

    def _store(self, job_id: UUID, structure_id: UUID, blob: bytes,
               error_model: dict[str, float], extra: dict[str, str]) -> None:
        with self._uow(write=True) as tx:
            if not tx.jobs.finish(job_id, self.name, JobStatus.SUCCEEDED):
                logger.warning("lease lost before storing; build dropped", extra=extra)
                return
            structure = tx.structures.get(structure_id)
            if structure is None:
                return
            tx.structures.add_blob(StructureBlobRow(
                structure_id=structure_id, format_version=FORMAT_VERSION,
                sha256=payload_checksum(blob), data=blob))
            structure.status = StructureStatus.READY
            structure.error_model = error_model
            structure.size_bytes = len(blob)
            structure.ready_at = utcnow()
            audit.record(tx, structure.dataset_id, None, "build_ready",
                         structure_id=str(structure_id), size_bytes=len(blob))
            tx.commit()
        logger.info("build stored", extra=extra | {"size_bytes": len(blob)})

    def _fail(self, job_id: UUID, reason: str) -> None:
        with self._uow(write=True) as tx:
            if fail_and_refund(tx, job_id, self.name, reason):
                tx.commit()

    def _release(self, job_id: UUID) -> None:
        try:
            with self._uow(write=True) as tx:
                tx.jobs.release(job_id, self.name)
                tx.commit()
        except DBAPIError:
            pass  # the lease will expire and the job will be reclaimed
