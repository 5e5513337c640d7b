"""A small client for the API in tests: keys of each role, datasets, builds, jobs."""

from __future__ import annotations

import io
import time
from typing import Any

import numpy as np
from fastapi.testclient import TestClient

from app.api.deps import AppState
from app.workers.worker import Worker, WorkerConfig
from tests.conftest import ADMIN_KEY


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


ADMIN = bearer(ADMIN_KEY)


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


class Api:
    def __init__(self, client: TestClient) -> None:
        self.c = client

    @property
    def state(self) -> AppState:
        state: AppState = self.c.app.state.privsim  # type: ignore[attr-defined]
        return state

    def key(self, role: str,
            dataset_ids: list[str] | None = None) -> tuple[str, dict[str, str]]:
        r = self.c.post("/v1/keys", headers=ADMIN, json={
            "role": role, "name": f"{role} key", "dataset_ids": dataset_ids or []})
        assert r.status_code == 201, r.text
        return r.json()["id"], bearer(r.json()["key"])

    def dataset(self, headers: dict[str, str], dim: int = 3, epsilon: float = 10.0,
                delta: float = 1e-5, **fields: Any) -> str:
        body = {"name": "test", "dim": dim, "domain": {"type": "l2_ball", "radius": 1.0},
                "budget": {"epsilon": epsilon, "delta": delta}} | fields
        r = self.c.post("/v1/datasets", headers=headers, json=body)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def upload(self, headers: dict[str, str], dataset_id: str, rows: np.ndarray,
               labels: list[int] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"rows": rows.tolist()}
        if labels is not None:
            body["labels"] = labels
        r = self.c.post(f"/v1/datasets/{dataset_id}/rows", headers=headers, json=body)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def build(self, headers: dict[str, str], dataset_id: str, kind: str = "gaussian_kde",
              params: dict[str, Any] | None = None, epsilon: float = 1.0,
              delta: float = 0.0) -> dict[str, Any]:
        params = {"bandwidth": 0.5, "features": 256} if params is None else params
        r = self.c.post(f"/v1/datasets/{dataset_id}/structures", headers=headers,
                        json={"kind": kind, "params": params,
                              "privacy": {"epsilon": epsilon, "delta": delta}})
        assert r.status_code == 202, r.text
        return dict(r.json())

    def worker(self, **config: Any) -> Worker:
        settings = self.state.settings
        base = WorkerConfig.from_settings(settings)
        cfg = WorkerConfig(config.get("lease", base.lease),
                           config.get("heartbeat_seconds", base.heartbeat_seconds),
                           base.poll_seconds, config.get("max_attempts", base.max_attempts))
        return Worker(self.state.uow, self.state.cipher, cfg, name=config.get("name"))

    def run_jobs(self) -> int:
        """Run queued builds to completion in this thread; how many ran."""
        worker = self.worker()
        count = 0
        while worker.run_once():
            count += 1
        return count

    def built(self, headers: dict[str, str], dataset_id: str, **build: Any) -> str:
        """Build a structure and wait for it to be ready; its id."""
        accepted = self.build(headers, dataset_id, **build)
        self.run_jobs()
        job = self.c.get(f"/v1/jobs/{accepted['job_id']}", headers=headers).json()
        assert job["status"] == "succeeded", job
        return str(accepted["structure_id"])

    def wait_job(self, headers: dict[str, str], job_id: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.c.get(f"/v1/jobs/{job_id}", headers=headers).json()
            if job["status"] in ("succeeded", "failed"):
                return dict(job)
            time.sleep(0.05)
        raise AssertionError(f"job {job_id} did not finish")


def unit_ball_rows(n: int, dim: int, seed: int = 0, radius: float = 0.9) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows = rng.normal(size=(n, dim))
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / norms * radius * rng.uniform(0.1, 1.0, size=(n, 1))


def exact_answers(kind: str, rows: np.ndarray, points: np.ndarray,
                  bandwidth: float = 0.5, metric_input: str = "sq_l2",
                  kappa: float = 2.0) -> np.ndarray:
    """Brute-force F(y) = sum_x f(x, y) in float64: the registered kind's ``reference``
    (``bandwidth`` for the kernel kinds, ``metric_input`` for cauchy_kde, ``kappa`` for
    vmf_kde)."""
    from core.domain import L2Ball
    from core.kinds import kind_def
    from core.structures import DataSpec

    definition = kind_def(kind)
    names = {p.name for p in definition.param_defs}
    params = {name: value for name, value in (("bandwidth", bandwidth),
                                              ("metric_input", metric_input),
                                              ("kappa", kappa))
              if name in names}
    radius = max(1.0, float(np.max(np.linalg.norm(rows, axis=1), initial=0.0)))
    spec = definition.spec.parse(params, DataSpec(rows.shape[1], L2Ball(radius), "add_remove"))
    return np.asarray(definition.reference(spec, rows, points))

