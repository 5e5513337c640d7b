"""The API freezes what exists at start-up out of the cyclic GC (``app.main``), and
only when ``gc_freeze`` is on (the tests' settings turn it off, so that hundreds of
apps in one test process do not each freeze the process's objects)."""

from __future__ import annotations

import gc
from pathlib import Path

from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import make_settings, migrate


def _frozen_after_start(tmp_path: Path, migrated_sqlite: Path, on: bool) -> int:
    settings = make_settings(f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path / "var",
                             gc_freeze=on)
    migrate(settings.resolved_database_url, migrated_sqlite)
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            assert client.get("/readyz").status_code == 200
            return gc.get_freeze_count()
    finally:
        gc.unfreeze()  # give this test process its objects back


def test_start_up_freezes_the_live_objects(tmp_path: Path, migrated_sqlite: Path) -> None:
    gc.unfreeze()
    frozen = _frozen_after_start(tmp_path, migrated_sqlite, True)
    assert frozen > 10_000  # modules, the app, its caches: every live tracked object
    assert gc.get_freeze_count() == 0


def test_no_freeze_when_turned_off(tmp_path: Path, migrated_sqlite: Path) -> None:
    gc.unfreeze()
    assert _frozen_after_start(tmp_path, migrated_sqlite, False) == 0
