"""Real processes for integration and end-to-end tests: a uvicorn server (``privsim
serve``) and build workers (``privsim worker``), configured through the environment
exactly as an operator would."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from app.crypto import new_data_key
from tests.conftest import ADMIN_KEY

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIVSIM_")}
    env.update({
        "PRIVSIM_DATABASE_URL": database_url, "PRIVSIM_VAR_DIR": str(var_dir),
        "PRIVSIM_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY, "PRIVSIM_DATA_KEY": new_data_key(),
        "PRIVSIM_LOG_FORMAT": "json", "PRIVSIM_LOG_LEVEL": "INFO",
        "PRIVSIM_BACKEND": "cpu", "PRIVSIM_INPROCESS_WORKERS": "0",
    })
    env.update(extra)
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "app.cli", *args]


@contextmanager
def server(env: dict[str, str], log: Path) -> Iterator[str]:
    """``privsim serve`` on a free port; yields its base URL once /readyz answers."""
    with server_process(env, log) as (base, _):
        yield base


@contextmanager
def server_process(env: dict[str, str],
                   log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """As ``server``, also yielding the process (to kill it without warning)."""
    port = free_port()
    with log.open("ab") as out:
        proc = subprocess.Popen(_cli("serve", "--host", "127.0.0.1", "--port", str(port)),
                                env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        yield base, proc
    finally:
        stop(proc)


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(_cli("worker"), env=env, cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
