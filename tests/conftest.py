"""Shared fixtures: settings on a fresh SQLite file or a fresh PostgreSQL database,
an app with its TestClient, keys of every role, and a way to run queued builds."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url

from app.crypto import new_data_key
from app.db.migrate import upgrade
from app.main import create_app
from app.settings import Settings

ADMIN_KEY = "psk_test_Vq3xN8rT2mLw9ZkYb4HcJd7FgPs1Ue6Ao5Ri"
PG_ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_admin_conninfo() -> str:
    url = make_url(PG_ADMIN_URL).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _ensure_postgres() -> None:
    """The suite uses the machine's real PostgreSQL; start it if it is down."""
    try:
        psycopg.connect(_pg_admin_conninfo(), connect_timeout=3).close()
        return
    except psycopg.OperationalError:
        pass
    versions = sorted(Path("/etc/postgresql").iterdir()) if Path("/etc/postgresql").exists() else []
    if versions:
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1].name,
                        "main", "start"], check=False)
    psycopg.connect(_pg_admin_conninfo(), connect_timeout=10).close()  # fails loudly


@pytest.fixture(scope="session")
def postgres_available() -> None:
    _ensure_postgres()


@pytest.fixture
def pg_url(postgres_available: None) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"privsim_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(PG_ADMIN_URL).set(database=name, drivername="postgresql+psycopg")
    yield url.render_as_string(hide_password=False)
    with psycopg.connect(_pg_admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'privsim.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.integration)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Runs a test on both databases."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))


def make_settings(database_url: str, var_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test", "database_url": database_url, "var_dir": var_dir,
        "data_key": new_data_key(), "bootstrap_admin_key": ADMIN_KEY,
        "inprocess_workers": 0, "inprocess_solver_workers": 0, "log_format": "text",
        "log_level": "WARNING", "gc_freeze": False,
        "job_poll_seconds": 0.05, "job_lease_seconds": 5.0, "job_heartbeat_seconds": 1.0,
        "backend": "cpu",
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Settings:
    return make_settings(sqlite_url, tmp_path / "var")


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to head once per session; tests start from a copy
    (migrating takes seconds, copying milliseconds)."""
    path = tmp_path_factory.mktemp("template") / "privsim.db"
    upgrade(f"sqlite:///{path}")
    return path


def migrate(database_url: str, template: Path) -> None:
    """Bring a fresh database to head: a copy of the template for a new SQLite file."""
    target = make_url(database_url).database
    if database_url.startswith("sqlite") and target and not Path(target).exists():
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, target)
    else:
        upgrade(database_url)


@pytest.fixture
def client(settings: Settings, migrated_sqlite: Path) -> Iterator[TestClient]:
    migrate(settings.resolved_database_url, migrated_sqlite)
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
