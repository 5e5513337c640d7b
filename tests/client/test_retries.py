"""Retries of 429 and 503: the backoff and Retry-After mechanics on an httpx
MockTransport, and a real 503 from the app when its PostgreSQL database goes away."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psycopg
import pytest
from privsim_client import Client, ProblemError
from sqlalchemy import make_url

from tests.client.conftest import AppFactory
from tests.conftest import ADMIN_KEY, _pg_admin_conninfo

OK = {"datasets": [], "next_after": None}
Handler = Callable[[httpx.Request], httpx.Response]


def problem(status: int, code: str, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers={"Content-Type": "application/problem+json",
                                           **headers},
                          json={"type": f"urn:privsim:problem:{code}", "title": code,
                                "status": status, "detail": "try again"})


def scripted(*answers: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    """A handler giving ``answers`` in order (an exception is raised), and the requests."""
    queue, seen = list(answers), []

    def handle(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handle, seen


def client_of(handle: Handler, sleeps: list[float], **options: Any) -> Client:
    http = httpx.Client(transport=httpx.MockTransport(handle))
    return Client("http://privsim", "psk_test", http=http, sleep=sleeps.append,
                  **options)


def test_429_waits_what_retry_after_asks() -> None:
    handle, seen = scripted(problem(429, "rate-limited", **{"Retry-After": "3"}),
                            httpx.Response(200, json=OK))
    sleeps: list[float] = []
    assert client_of(handle, sleeps, backoff=0.1).list_datasets() == []
    assert len(seen) == 2 and seen[0].headers["Authorization"] == "Bearer psk_test"
    assert len(sleeps) == 1 and 3 <= sleeps[0] <= 3.1


def test_503_backs_off_exponentially_then_raises() -> None:
    handle, seen = scripted(*[problem(503, "service-unavailable")] * 4)
    sleeps: list[float] = []
    with pytest.raises(ProblemError) as caught:
        client_of(handle, sleeps, max_retries=3, backoff=1.0).list_datasets()
    assert caught.value.status == 503 and caught.value.code == "service-unavailable"
    assert len(seen) == 4  # the first try and three retries
    assert [int(s) for s in sleeps] == [1, 2, 4]  # 1, 2, 4 seconds plus under 1 of jitter


def test_retry_after_as_a_date_and_the_cap() -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    handle, _ = scripted(problem(503, "service-unavailable", **{"Retry-After": later}),
                         problem(429, "rate-limited", **{"Retry-After": "3600"}),
                         httpx.Response(200, json=OK))
    sleeps: list[float] = []
    client_of(handle, sleeps, backoff=0.01, max_backoff=60).list_datasets()
    assert 17 < sleeps[0] <= 20.1 and 60 <= sleeps[1] <= 60.1


def test_other_errors_are_not_retried() -> None:
    handle, seen = scripted(problem(500, "internal"))
    sleeps: list[float] = []
    with pytest.raises(ProblemError):
        client_of(handle, sleeps).list_datasets()
    assert len(seen) == 1 and sleeps == []


def test_a_refused_connection_is_retried() -> None:
    handle, seen = scripted(httpx.ConnectError("refused"), httpx.Response(200, json=OK))
    sleeps: list[float] = []
    assert client_of(handle, sleeps).list_datasets() == []
    assert len(seen) == 2 and len(sleeps) == 1


def test_a_retried_upload_sends_the_whole_file_again(tmp_path: Path) -> None:
    rows = np.random.default_rng(0).normal(size=(50_000, 4))  # 1.6 MB: two chunks
    path = tmp_path / "rows.npy"
    np.save(path, rows)
    accepted = {"accepted": 50_000, "clipped": 0, "rejected": 0}
    handle, seen = scripted(problem(503, "service-unavailable"),
                            httpx.Response(200, json=accepted))
    sleeps: list[float] = []
    progress: list[tuple[int, int]] = []
    answer = client_of(handle, sleeps).upload_file(
        "3f1c", path, progress=lambda sent, total: progress.append((sent, total)))
    assert answer.accepted == 50_000
    size = path.stat().st_size
    assert [r.content for r in seen] == [path.read_bytes()] * 2
    assert seen[1].headers["Content-Type"] == "application/x-npy"
    assert seen[1].headers["Content-Length"] == str(size)  # streamed, yet not chunked
    assert "Transfer-Encoding" not in seen[1].headers
    assert progress[-1] == (size, size) and len(progress) == 4  # two chunks, twice


@pytest.fixture
def blockable_pg(pg_url: str) -> Iterator[tuple[str, Callable[[bool], None]]]:
    """A PostgreSQL database, and a switch that refuses (and cuts) its connections."""
    name = make_url(pg_url).database

    def refuse(on: bool) -> None:
        with psycopg.connect(_pg_admin_conninfo(), autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {not on}')
            if on:
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))

    yield pg_url, refuse
    refuse(False)


@pytest.mark.integration
def test_a_real_503_while_the_database_is_down_is_retried(
        start_app: AppFactory, blockable_pg: tuple[str, Callable[[bool], None]]) -> None:
    url, refuse = blockable_pg
    app = start_app(database_url=url, inprocess_workers=0, inprocess_solver_workers=0)
    admin = app.admin
    dataset = admin.create_dataset("d", 2, {"type": "l2_ball", "radius": 1}, {"epsilon": 1})

    sleeps: list[float] = []

    def sleep(seconds: float) -> None:  # the database comes back while the client waits
        sleeps.append(seconds)
        refuse(False)

    patient = app.client(ADMIN_KEY, sleep=sleep, backoff=0.01)
    refuse(True)
    assert str(patient.get_dataset(dataset.id).id) == str(dataset.id)
    assert app.transport.statuses[-2:] == [503, 200]
    assert len(sleeps) == 1 and sleeps[0] >= 5  # the app's Retry-After: 5

    refuse(True)
    impatient = app.client(ADMIN_KEY, max_retries=0)
    with pytest.raises(ProblemError) as caught:
        impatient.get_dataset(dataset.id)
    assert (caught.value.status, caught.value.code) == (503, "service-unavailable")



def test_an_upload_never_holds_the_file_in_memory(tmp_path: Path) -> None:
    """A 48 MiB file goes out in 1 MiB pieces: the client's allocations peak far below
    the file's size (a transport that drops each piece as it comes, as a socket would)."""
    path = tmp_path / "rows.npy"
    np.save(path, np.zeros((1_572_864, 4)))  # 48 MiB of float64
    size = path.stat().st_size
    pieces: list[int] = []

    class Socket(httpx.BaseTransport):  # MockTransport would read the whole body first
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            assert isinstance(request.stream, httpx.SyncByteStream)
            pieces.extend(len(piece) for piece in request.stream)
            return httpx.Response(200, json={"accepted": 1_572_864, "clipped": 0,
                                             "rejected": 0})

    api = Client("http://privsim", "psk_test", http=httpx.Client(transport=Socket()))
    tracemalloc.start()
    try:
        api.upload_file("3f1c", path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sum(pieces) == size
    assert max(pieces) <= 1 << 20
    assert peak < 8 << 20, f"the upload held {peak} bytes at once"
