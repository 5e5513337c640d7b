"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.db.migrate import upgrade
from app.main import create_app
from tests.conftest import make_settings


@pytest.fixture
def pg_client(pg_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """The app on the real PostgreSQL, migrated to head."""
    upgrade(pg_url)
    with TestClient(create_app(make_settings(pg_url, tmp_path / "var")),
                    raise_server_exceptions=False) as client:
        yield client
