"""Migrations run forwards, backwards and forwards again on SQLite and PostgreSQL, and
leave a schema identical to the models (``alembic check``)."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from app.db.base import Base
from app.db.migrate import alembic_config, downgrade, head_revision, upgrade
from app.db.session import create_db_engine

TABLES = {"api_keys", "datasets", "dataset_grants", "row_chunks", "structures",
          "structure_blobs", "jobs", "ledger_entries"}


def _tables(url: str) -> set[str]:
    engine = create_db_engine(url, pooled=False)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(db_url: str) -> None:
    upgrade(db_url)
    assert _tables(db_url) == TABLES
    downgrade(db_url, "base")
    assert _tables(db_url) == set()
    upgrade(db_url)
    assert _tables(db_url) == TABLES
    engine = create_db_engine(db_url, pooled=False)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert context.get_current_revision() == head_revision()
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_alembic_check_command(db_url: str) -> None:
    upgrade(db_url)
    command.check(alembic_config(db_url))  # raises if models and migrations disagree


def test_the_app_refuses_an_unmigrated_database(sqlite_url: str, tmp_path) -> None:
    from fastapi.testclient import TestClient

    from app.main import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(sqlite_url, tmp_path / "var"))
    with pytest.raises(RuntimeError, match="privsim migrate"), TestClient(app):
        pass
