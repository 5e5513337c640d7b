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
                  bandwidth: float = 0.5, metric_input: str = "sq_l2") -> np.ndarray:
    """Brute-force F(y) = sum_x f(x, y) in float64 (``metric_input``: cauchy_kde only)."""
    if kind in ("gaussian_kde", "rff_baseline"):
        sq = ((points[:, None, :] - rows[None, :, :]) ** 2).sum(axis=-1)
        return np.asarray(np.exp(-sq / bandwidth**2).sum(axis=1))
    if kind == "exponential_kde":
        l2 = np.sqrt(((points[:, None, :] - rows[None, :, :]) ** 2).sum(axis=-1))
        return np.asarray(np.exp(-l2 / bandwidth).sum(axis=1))
    if kind == "laplace_kde":
        l1 = np.abs(points[:, None, :] - rows[None, :, :]).sum(axis=-1)
        return np.asarray(np.exp(-l1 / bandwidth).sum(axis=1))
    if kind == "cauchy_kde":
        diff = points[:, None, :] - rows[None, :, :]
        h = {"sq_l2": (diff**2).sum(axis=-1) / bandwidth**2,
             "l2": np.sqrt((diff**2).sum(axis=-1)) / bandwidth,
             "l1": np.abs(diff).sum(axis=-1) / bandwidth}[metric_input]
        return np.asarray((1.0 / (1.0 + h)).sum(axis=1))
    if kind == "sq_l2_distance":
        return np.asarray(((points[:, None, :] - rows[None, :, :]) ** 2).sum(axis=(1, 2)))
    if kind == "inner_product":
        return np.asarray(points @ rows.sum(axis=0))
    if kind == "l1_distance":
        return np.asarray(np.abs(points[:, None, :] - rows[None, :, :]).sum(axis=(1, 2)))
    if kind == "l2_distance":
        return np.asarray(np.sqrt(((points[:, None, :] - rows[None, :, :]) ** 2)
                                  .sum(axis=-1)).sum(axis=1))
    raise ValueError(kind)
