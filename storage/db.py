"""Engine and session factory. Built by the composition root, never at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 10_000
# The application_name of every navbot connection to PostgreSQL.
POSTGRES_APPLICATION_NAME = "navbot"
# Execution option of SQLite read sessions: no BEGIN, so each statement runs in autocommit.
# Not SQLAlchemy's isolation_level="AUTOCOMMIT": on sqlite that switches the driver's
# isolation level at every checkout and back at check-in, extra work for every read.
SQLITE_NO_BEGIN = "navbot_sqlite_no_begin"
# Execution option of snapshot sessions: a deferred BEGIN, a read transaction that never
# takes the write lock (see create_snapshot_session_factory).
SQLITE_READ_SNAPSHOT = "navbot_sqlite_read_snapshot"


def sqlite_path(database_url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other backends and in-memory databases."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def create_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    path = sqlite_path(database_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    if make_url(database_url).get_backend_name() == "postgresql":
        # Named, so that `navbot restore` can see a bot still connected (pg_stat_activity).
        connect_args = {
            "application_name": POSTGRES_APPLICATION_NAME,
            **kwargs.pop("connect_args", {}),
        }
        kwargs["connect_args"] = connect_args
    engine = create_async_engine(database_url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so that BEGIN IMMEDIATE below is ours:
        # a write transaction then waits for the lock up front instead of failing half-way.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Read-only sessions run in autocommit: a single SELECT needs no transaction, so
        # there is no BEGIN/COMMIT to send and no lock to hold.
        options = connection.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT" or options.get(SQLITE_NO_BEGIN):
            return
        if options.get(SQLITE_READ_SNAPSHOT):
            connection.exec_driver_sql("BEGIN")  # deferred: reads only, no write lock
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def create_read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for reads that need no snapshot across statements (one query each)."""
    if engine.dialect.name == "sqlite":
        return async_sessionmaker(
            engine.execution_options(**{SQLITE_NO_BEGIN: True}), expire_on_commit=False
        )
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
    )


def create_snapshot_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for reports: many reads that must agree with each other, and no writes.

    Every statement sees the database as of the first one, and writers are never held up:
    on SQLite a deferred BEGIN reads from one WAL snapshot without taking the write lock (a
    long report must not hold up every saved log); on PostgreSQL a REPEATABLE READ, READ
    ONLY transaction. A write in such a session is a mistake: PostgreSQL refuses it, SQLite
    may fail it as busy.
    """
    if engine.dialect.name == "sqlite":
        return async_sessionmaker(
            engine.execution_options(**{SQLITE_READ_SNAPSHOT: True}), expire_on_commit=False
        )
    return async_sessionmaker(
        engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True),
        expire_on_commit=False,
    )
