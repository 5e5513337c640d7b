"""PRIVSIM_GPU_MEMORY_BYTES reaches CuPy's memory pool (no device needed: CuPy is
replaced by a stand-in that records what it is told)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import app.bootstrap as bootstrap
import gpu.backend as backend
from gpu.device import load_cupy
from tests.conftest import make_settings


class _Pool:
    def __init__(self) -> None:
        self.limits: list[int] = []

    def set_limit(self, size: int) -> None:
        self.limits.append(size)


def _fake_cupy(pool: _Pool) -> Any:
    device = SimpleNamespace(use=lambda: None)
    return SimpleNamespace(
        cuda=SimpleNamespace(Device=lambda _id: device,
                             runtime=SimpleNamespace(getDeviceCount=lambda: 1)),
        get_default_memory_pool=lambda: pool, asarray=np.asarray)


def test_the_limit_is_set_on_the_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    pool = _Pool()
    monkeypatch.setitem(sys.modules, "cupy", _fake_cupy(pool))
    assert load_cupy(memory_limit_bytes=2**30) is sys.modules["cupy"]
    assert pool.limits == [2**30]
    load_cupy()
    assert pool.limits == [2**30]  # no limit asked: the pool is left alone
    chosen = backend.select_backend("gpu", 2**28)
    assert chosen.name == "gpu" and pool.limits == [2**30, 2**28]
    assert backend.select_backend("cpu", 2**28).name == "cpu" and len(pool.limits) == 2


def test_workers_pass_the_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: list[tuple[str, int | None]] = []

    def spy(requested: str, memory_limit_bytes: int | None = None) -> backend.Backend:
        seen.append((requested, memory_limit_bytes))
        return backend.CPU

    monkeypatch.setattr(bootstrap, "select_backend", spy)
    settings = make_settings(f"sqlite:///{tmp_path}/db.sqlite", tmp_path,
                             backend="auto", gpu_memory_bytes=3 * 2**30)
    bootstrap.build_worker(settings, None, None)  # type: ignore[arg-type]
    assert seen == [("auto", 3 * 2**30)]
