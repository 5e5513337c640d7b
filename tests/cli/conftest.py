"""A real ``privsim serve`` for the command-line tests (one per module), and a way to
run the installed ``privsim`` command against it as a user would."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.db.migrate import upgrade
from tests.cli.running import PRIVSIM, Run, cli_env
from tests.conftest import ADMIN_KEY
from tests.live import server, service_env


@dataclass(frozen=True)
class Service:
    url: str
    home: Path  # a scratch directory for the module's files
    env: dict[str, str]  # the server's own environment (its database, its data key)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    home = tmp_path_factory.mktemp("cli")
    database_url = f"sqlite:///{home / 'privsim.db'}"
    upgrade(database_url)
    env = service_env(database_url, home / "var", PRIVSIM_INPROCESS_WORKERS="1")
    with server(env, home / "server.log") as base:
        yield Service(base, home, env)


@pytest.fixture
def privsim(service: Service, tmp_path: Path) -> Run:
    """``privsim(*args, key=...)`` runs the command in ``tmp_path`` with the server's URL
    and the key in the environment; ``env=`` replaces that environment."""
    def run(*args: str, key: str | None = ADMIN_KEY, env: dict[str, str] | None = None,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        environment = env if env is not None else cli_env(
            service.url, key, tmp_path / "config.toml")
        return subprocess.run([str(PRIVSIM), *args], cwd=tmp_path, env=environment,
                              input=stdin, capture_output=True, text=True, timeout=120,
                              check=False)
    return run
