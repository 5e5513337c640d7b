"""The audit journal (app.db.audit_journal): read-path events written in batches, none
lost when a process is killed, none written twice when a journal is replayed."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.bootstrap import Database, open_database
from app.db.audit_journal import AuditEvent, AuditJournal, write_events
from app.db.migrate import upgrade
from app.db.uow import UnitOfWork
from app.main import create_app
from app.settings import Settings
from tests.conftest import make_settings
from tests.helpers import Api


@pytest.fixture
def dataset(client: TestClient) -> UUID:
    api = Api(client)
    _, owner = api.key("owner")
    return UUID(api.dataset(owner))


@pytest.fixture
def database(settings: Settings, dataset: UUID) -> Database:
    return open_database(settings, pool="tool")


def stored(uow: UnitOfWork, dataset: UUID) -> list[tuple[str, str | None]]:
    """(action, event_id) of the dataset's read-path events, in id order."""
    with uow() as tx:
        return [(row.action, row.event_id) for row in tx.audit.for_dataset(dataset)
                if row.action.startswith("q")]


def events(dataset: UUID, n: int) -> list[AuditEvent]:
    """Query events; every second one by a key (its id need not exist)."""
    return [AuditEvent(dataset, UUID(int=i) if i % 2 else None, "query", {"points": i})
            for i in range(n)]


def test_events_are_written_by_a_flush_with_their_time_and_id(
        database: Database, dataset: UUID, tmp_path: Path) -> None:
    journal = AuditJournal(tmp_path / "audit", database.uow, flush_seconds=3600)
    journal.start()
    sent = events(dataset, 3)
    for event in sent:
        journal.append(event)
    assert stored(database.uow, dataset) == []  # not yet: the writer runs hourly here
    journal.flush()
    assert stored(database.uow, dataset) == [("query", e.event_id) for e in sent]
    with database.uow() as tx:
        rows = [r for r in tx.audit.for_dataset(dataset) if r.action == "query"]
    assert [r.created_at for r in rows] == [e.at for e in sent]
    assert [r.details for r in rows] == [{"points": i} for i in range(3)]
    assert [r.key_id for r in rows] == [e.key_id for e in sent]
    journal.close()
    assert list((tmp_path / "audit").iterdir()) == []  # nothing left behind


def test_close_writes_what_is_pending(database: Database, dataset: UUID,
                                     tmp_path: Path) -> None:
    journal = AuditJournal(tmp_path / "audit", database.uow, flush_seconds=3600)
    journal.start()
    for event in events(dataset, 5):
        journal.append(event)
    journal.close()
    assert len(stored(database.uow, dataset)) == 5
    with pytest.raises(RuntimeError, match="closed"):
        journal.append(events(dataset, 1)[0])


def test_the_writer_thread_flushes_on_its_own(database: Database, dataset: UUID,
                                              tmp_path: Path) -> None:
    journal = AuditJournal(tmp_path / "audit", database.uow, flush_seconds=0.01)
    journal.start()
    journal.append(events(dataset, 1)[0])
    try:
        for _ in range(500):
            if stored(database.uow, dataset):
                break
            time.sleep(0.01)
        assert len(stored(database.uow, dataset)) == 1
    finally:
        journal.close()


KILLED = """
import os, signal, sys
from uuid import UUID
from app.db.audit_journal import AuditEvent, AuditJournal
from app.bootstrap import open_database
from app.settings import Settings
settings = Settings(database_url=sys.argv[1], var_dir=sys.argv[2], environment="test",
                    data_key=sys.argv[4])
journal = AuditJournal(settings.var_dir / "audit", open_database(settings, pool="tool").uow,
                       flush_seconds=3600)
journal.start()
for i in range(int(sys.argv[5])):
    journal.append(AuditEvent(UUID(sys.argv[3]), None, "query", {"points": i}))
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_process_loses_nothing(database: Database, dataset: UUID,
                                        settings: Settings) -> None:
    """A process killed outright with 40 events journalled and none written: the next
    journal to start in the same directory writes all 40, once."""
    key = settings.data_key.get_secret_value() if settings.data_key else ""
    directory = settings.var_dir / "audit"
    before = set(directory.glob("audit-*.journal"))  # the app's own, alive
    result = subprocess.run(
        [sys.executable, "-c", KILLED, settings.resolved_database_url, str(settings.var_dir),
         str(dataset), key, "40"], capture_output=True, text=True, timeout=60)
    assert result.returncode == -9, result.stderr
    assert stored(database.uow, dataset) == []
    [left] = set(directory.glob("audit-*.journal")) - before
    journal = AuditJournal(directory, database.uow, flush_seconds=3600)
    journal.start()  # replays it
    try:
        assert not left.exists()
        rows = stored(database.uow, dataset)
        assert len(rows) == 40 and len({event_id for _, event_id in rows}) == 40
        assert journal.recover() == 0  # nothing twice
    finally:
        journal.close()
    assert len(stored(database.uow, dataset)) == 40


def test_a_journal_replayed_after_its_batch_was_written_writes_nothing_twice(
        database: Database, dataset: UUID, tmp_path: Path) -> None:
    """A crash between a batch's commit and its file's removal: replaying the file
    writes only what is missing."""
    directory = tmp_path / "audit"
    directory.mkdir()
    sent = events(dataset, 6)
    assert write_events(database.uow, sent[:4]) == 4
    (directory / "audit-1-dead.journal").write_bytes(b"".join(e.line() for e in sent))
    journal = AuditJournal(directory, database.uow, flush_seconds=3600)
    journal.start()
    journal.close()
    assert stored(database.uow, dataset) == [("query", e.event_id) for e in sent]


def test_a_line_cut_short_by_the_kill_is_dropped(database: Database, dataset: UUID,
                                                 tmp_path: Path) -> None:
    directory = tmp_path / "audit"
    directory.mkdir()
    sent = events(dataset, 3)
    torn = sent[2].line()[:20]  # its request never got an answer
    (directory / "audit-1-dead.journal").write_bytes(sent[0].line() + sent[1].line() + torn)
    journal = AuditJournal(directory, database.uow, flush_seconds=3600)
    journal.start()
    journal.close()
    assert stored(database.uow, dataset) == [("query", e.event_id) for e in sent[:2]]


def test_a_live_process_journal_is_left_alone(database: Database, dataset: UUID,
                                              tmp_path: Path) -> None:
    directory = tmp_path / "audit"
    first = AuditJournal(directory, database.uow, flush_seconds=3600)
    first.start()
    first.append(events(dataset, 1)[0])
    second = AuditJournal(directory, database.uow, flush_seconds=3600)
    second.start()  # first holds its file's lock: not replayed
    assert second.recover() == 0
    assert stored(database.uow, dataset) == []
    second.close()
    first.close()
    assert len(stored(database.uow, dataset)) == 1


def test_a_failed_write_is_tried_again(database: Database, dataset: UUID,
                                       tmp_path: Path) -> None:
    down = True

    def writer(uow: UnitOfWork, batch: list[AuditEvent]) -> int:
        if down:
            raise ConnectionError("the database is down")
        return write_events(uow, batch)

    journal = AuditJournal(tmp_path / "audit", database.uow, flush_seconds=3600,
                           writer=writer)
    journal.start()
    sent = events(dataset, 4)
    journal.append(sent[0])
    journal.append(sent[1])
    with pytest.raises(ConnectionError):
        journal.flush()
    journal.append(sent[2])
    with pytest.raises(ConnectionError):
        journal.flush()
    journal.append(sent[3])
    down = False
    journal.flush()
    assert stored(database.uow, dataset) == [("query", e.event_id) for e in sent]
    journal.close()


def test_a_database_down_at_shutdown_keeps_the_events_for_the_next_start(
        database: Database, dataset: UUID, tmp_path: Path) -> None:
    def broken(uow: UnitOfWork, batch: list[AuditEvent]) -> int:
        raise ConnectionError("the database is down")

    journal = AuditJournal(tmp_path / "audit", database.uow, flush_seconds=3600,
                           writer=broken)
    journal.start()
    sent = events(dataset, 2)
    for event in sent:
        journal.append(event)
    journal.close()  # logs, keeps the file
    assert stored(database.uow, dataset) == []
    again = AuditJournal(tmp_path / "audit", database.uow, flush_seconds=3600)
    again.start()
    again.close()
    assert stored(database.uow, dataset) == [("query", e.event_id) for e in sent]


def test_the_api_journals_queries_and_its_log_reads_see_them(client: TestClient,
                                                             settings: Settings) -> None:
    """Through the app: a query's event is journalled (the file grows), and the audit
    log read through the same process flushes it first."""
    api = Api(client)
    _, owner = api.key("owner")
    dataset = api.dataset(owner, dim=2)
    api.upload(owner, dataset, np.array([[0.1, 0.2], [0.3, 0.1]]))
    structure = api.built(owner, dataset, kind="inner_product", params={}, epsilon=0.5)
    r = client.post(f"/v1/structures/{structure}/query", headers=owner,
                    json={"points": [[0.0, 0.1]]})
    assert r.status_code == 200, r.text
    log = client.get(f"/v1/datasets/{dataset}/audit", headers=owner).json()["events"]
    assert [e["action"] for e in log][-1] == "query"


@pytest.mark.integration
def test_events_are_written_once_on_postgres(pg_url: str, tmp_path: Path) -> None:
    """The bulk insert and the replay check on PostgreSQL's types (UUID, JSON,
    timestamptz)."""
    settings = make_settings(pg_url, tmp_path / "var")
    upgrade(pg_url)
    with TestClient(create_app(settings)) as client:
        api = Api(client)
        _, owner = api.key("owner")
        dataset = UUID(api.dataset(owner))
    database = open_database(settings, pool="tool")
    sent = events(dataset, 3)
    assert write_events(database.uow, sent) == 3
    assert write_events(database.uow, sent) == 0  # a replay writes nothing twice
    assert stored(database.uow, dataset) == [("query", e.event_id) for e in sent]
    with database.uow() as tx:
        rows = [r for r in tx.audit.for_dataset(dataset) if r.action == "query"]
    assert [r.created_at for r in rows] == [e.at for e in sent]
    assert [r.details for r in rows] == [{"points": i} for i in range(3)]
    assert [r.key_id for r in rows] == [e.key_id for e in sent]
    database.dispose()
