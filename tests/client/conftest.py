"""The client against the real application, in process: an httpx transport that hands
each request to starlette's TestClient (the app's own ASGI stack, its lifespan, a
SQLite database and in-process build workers). Nothing is faked."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from privsim_client import Client

from app.settings import Settings
from tests.conftest import ADMIN_KEY, make_settings, migrate

BASE = "http://testserver"
# hop-by-hop and framing headers: each side computes its own
_FRAMING = {"content-length", "transfer-encoding", "host", "content-encoding", "connection"}


class AppTransport(httpx.BaseTransport):
    """Sends httpx requests to an app through a TestClient; records every answer's
    status in ``statuses``."""

    def __init__(self, app_client: TestClient) -> None:
        self.app_client = app_client
        self.statuses: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        headers = [(k, v) for k, v in request.headers.multi_items()
                   if k.lower() not in _FRAMING]
        answer = self.app_client.request(request.method, str(request.url), headers=headers,
                                         content=body)
        self.statuses.append(answer.status_code)
        return httpx.Response(answer.status_code, content=answer.content,
                              headers=[(k, v) for k, v in answer.headers.multi_items()
                                       if k.lower() not in _FRAMING])


class InProcess:
    """One running app, and clients of it for any key."""

    def __init__(self, app_client: TestClient) -> None:
        self.app_client = app_client
        self.transport = AppTransport(app_client)
        self.http = httpx.Client(transport=self.transport)
        self.admin = self.client(ADMIN_KEY)

    def client(self, key: str, **options: Any) -> Client:
        return Client(BASE, key, http=self.http, **options)


AppFactory = Callable[..., InProcess]


@pytest.fixture
def start_app(tmp_path: Path, migrated_sqlite: Path) -> Iterator[AppFactory]:
    """Start the app with settings overrides (in-process build workers by default)."""
    stack: list[tuple[TestClient, InProcess]] = []

    def start(database_url: str | None = None, **overrides: Any) -> InProcess:
        settings: Settings = make_settings(
            database_url or f"sqlite:///{tmp_path / 'privsim.db'}", tmp_path / "var",
            **({"inprocess_workers": 1} | overrides))
        migrate(settings.resolved_database_url, migrated_sqlite)
        from app.main import create_app

        app_client = TestClient(create_app(settings), raise_server_exceptions=False)
        app_client.__enter__()
        running = InProcess(app_client)
        stack.append((app_client, running))
        return running

    yield start
    for app_client, running in reversed(stack):
        running.http.close()
        app_client.__exit__(None, None, None)


@pytest.fixture
def app(start_app: AppFactory) -> InProcess:
    return start_app()
