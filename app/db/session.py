"""Engines and session factories for SQLite (embedded default) and PostgreSQL.

SQLite: WAL, foreign keys on, a busy timeout, and transactions that we begin ourselves
so that a writing unit of work can take the write lock up front (``BEGIN IMMEDIATE``).
A transaction that reads and then writes under plain ``BEGIN`` can fail with "database
is locked" when another writer commits in between; taking the lock first makes
concurrent writers queue on the busy timeout instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

SQLITE_BEGIN = "privsim_sqlite_begin"


def normalise_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def create_db_engine(url: str, *, pool_size: int = 10, max_overflow: int = 40,
                     pooled: bool = True) -> Engine:
    """``pooled=False`` opens a connection per use (migrations, short-lived tools)."""
    url = normalise_url(url)
    pooling: dict[str, Any] = (
        {"pool_size": pool_size, "max_overflow": max_overflow} if pooled
        else {"poolclass": NullPool})
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, hide_parameters=True, **pooling,
                               connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine)
        return engine
    # bounded waits on a database that stops answering (not just refusing): TCP
    # keepalives and a user timeout make a silent partition an error within seconds
    return create_engine(url, hide_parameters=True, pool_pre_ping=True, **pooling,
                         connect_args={"connect_timeout": 5, "keepalives": 1,
                                       "keepalives_idle": 5, "keepalives_interval": 2,
                                       "keepalives_count": 3, "tcp_user_timeout": 10_000})


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the driver must not BEGIN behind our back
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(SQLITE_BEGIN) == "IMMEDIATE"
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)
