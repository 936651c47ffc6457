"""OneTripConnection against real SQLite files: same results as aiosqlite, one thread trip per
statement, no trip for a COMMIT/ROLLBACK with nothing open, and lock waits stay off the loop."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine, create_read_session_factory, create_session_factory
from storage.sqlite_connection import OneTripConnection, one_trip_connector


@pytest.fixture
async def connection(tmp_path: Path) -> AsyncIterator[OneTripConnection]:
    create = one_trip_connector([str(tmp_path / "one.db")], {"check_same_thread": False})
    conn = await create()
    cursor = await conn.cursor()
    await cursor.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)")
    try:
        yield conn
    finally:
        await conn.close()


def _count_trips(conn: OneTripConnection, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    trips: list[str] = []
    original = conn._execute

    async def counting(fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append(getattr(fn, "__name__", repr(fn)))
        return await original(fn, *args, **kwargs)

    monkeypatch.setattr(conn, "_execute", counting)
    return trips


async def test_statements_give_what_sqlite3_gives(connection: OneTripConnection) -> None:
    cursor = await connection.cursor()
    await cursor.executemany("INSERT INTO t (name) VALUES (?)", [("a",), ("b",), ("c",)])
    assert cursor.rowcount == 3
    assert cursor.description is None
    await cursor.execute("INSERT INTO t (name) VALUES (?)", ("d",))
    assert cursor.lastrowid == 4
    assert cursor.rowcount == 1
    await cursor.execute("INSERT INTO t (name) VALUES (?) RETURNING id, name", ("e",))
    assert [d[0] for d in cursor.description] == ["id", "name"]
    assert await cursor.fetchall() == [(5, "e")]
    await cursor.execute("SELECT id, name FROM t ORDER BY id")
    assert await cursor.fetchone() == (1, "a")
    assert await cursor.fetchmany(2) == [(2, "b"), (3, "c")]
    assert await cursor.fetchall() == [(4, "d"), (5, "e")]
    assert await cursor.fetchone() is None
    await cursor.execute("UPDATE t SET name = name || '!' WHERE id > 3")
    assert cursor.rowcount == 2


async def test_one_trip_per_statement(
    connection: OneTripConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    trips = _count_trips(connection, monkeypatch)
    cursor = await connection.cursor()
    await cursor.execute("SELECT 1")
    await cursor.fetchall()
    await cursor.close()
    assert trips == ["_run"]


async def test_commit_and_rollback_cost_no_trip_without_a_transaction(
    connection: OneTripConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    trips = _count_trips(connection, monkeypatch)
    await connection.commit()
    await connection.rollback()
    assert trips == []
    cursor = await connection.cursor()
    await cursor.execute("BEGIN IMMEDIATE")
    await cursor.execute("INSERT INTO t (name) VALUES ('kept')")
    await connection.commit()
    await cursor.execute("BEGIN IMMEDIATE")
    await cursor.execute("INSERT INTO t (name) VALUES ('dropped')")
    await connection.rollback()
    assert trips.count("commit") == 1
    assert trips.count("rollback") == 1
    await cursor.execute("SELECT name FROM t")
    assert await cursor.fetchall() == [("kept",)]


async def test_errors_reach_the_caller_and_the_connection_stays_usable(
    connection: OneTripConnection,
) -> None:
    cursor = await connection.cursor()
    await cursor.execute("INSERT INTO t (name) VALUES ('x')")
    with pytest.raises(sqlite3.IntegrityError):
        await cursor.execute("INSERT INTO t (name) VALUES ('x')")
    with pytest.raises(sqlite3.OperationalError):
        await cursor.execute("SELECT nope FROM t")
    await cursor.execute("SELECT count(*) FROM t")
    assert await cursor.fetchall() == [(1,)]


# Through the engine, as the bot uses it ----------------------------------------------------
@pytest.fixture
async def file_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'engine.db'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
        await conn.execute(
            text("CREATE TABLE c (id INTEGER PRIMARY KEY, t_id INTEGER NOT NULL REFERENCES t(id))")
        )
    try:
        yield engine
    finally:
        await engine.dispose()


async def test_engine_uses_it_with_the_connection_settings(file_engine: AsyncEngine) -> None:
    async with file_engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.driver_connection, OneTripConnection)
        pragmas = {
            name: (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
        }
    assert pragmas == {
        "journal_mode": "wal",
        "busy_timeout": 10_000,
        "foreign_keys": 1,
        "synchronous": 1,
    }


async def test_in_memory_databases_keep_plain_aiosqlite() -> None:
    engine = create_engine("sqlite+aiosqlite://")
    try:
        async with engine.connect() as conn:
            raw = await conn.get_raw_connection()
            assert not isinstance(raw.driver_connection, OneTripConnection)
    finally:
        await engine.dispose()


async def test_a_failed_save_leaves_nothing(file_engine: AsyncEngine) -> None:
    sessions = create_session_factory(file_engine)

    async def save() -> None:
        async with sessions.begin() as session:
            await session.execute(text("INSERT INTO t (id, name) VALUES (1, 'a')"))
            await session.execute(text("INSERT INTO c (t_id) VALUES (99)"))  # FK: no t 99

    with pytest.raises(IntegrityError):
        await save()
    async with sessions() as session:
        assert (await session.execute(text("SELECT count(*) FROM t"))).scalar() == 0


async def test_reads_take_no_lock_and_writes_wait_off_the_loop(file_engine: AsyncEngine) -> None:
    """A writer holding the lock does not block reads; a second writer's BEGIN IMMEDIATE waits
    on its connection's thread, so the loop (and the first writer) keep going."""
    sessions = create_session_factory(file_engine)
    reads = create_read_session_factory(file_engine)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    tick_task = asyncio.create_task(ticker())
    try:
        async with sessions.begin() as first:
            await first.execute(text("INSERT INTO t (name) VALUES ('first')"))
            async with reads() as read:
                started = time.perf_counter()
                assert (await read.execute(text("SELECT count(*) FROM t"))).scalar() == 0
                assert time.perf_counter() - started < 1

            async def second_writer() -> None:
                async with sessions.begin() as second:
                    await second.execute(text("INSERT INTO t (name) VALUES ('second')"))

            second = asyncio.create_task(second_writer())
            before = ticks
            await asyncio.sleep(0.3)  # the second writer is waiting for the lock meanwhile
            assert not second.done()
            assert ticks - before >= 10  # the loop kept running
        await asyncio.wait_for(second, timeout=5)
    finally:
        tick_task.cancel()
    async with reads() as read:
        names = (await read.execute(text("SELECT name FROM t ORDER BY id"))).scalars().all()
    assert names == ["first", "second"]


async def test_a_rollback_after_a_cancelled_begin_is_not_skipped(tmp_path: Path) -> None:
    """A task cancelled while its BEGIN IMMEDIATE waits for the lock: the BEGIN still runs
    when the lock frees, so the ROLLBACK that follows must run after it, not be skipped
    (a pooled connection must never keep the write lock)."""
    path = tmp_path / "cancel.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    conn = await one_trip_connector([str(path)], {"check_same_thread": False, "timeout": 5})()
    try:
        conn._conn.isolation_level = None  # as storage.db does: we issue BEGIN ourselves
        holder.execute("BEGIN IMMEDIATE")
        cursor = await conn.cursor()
        waiting = asyncio.create_task(cursor.execute("BEGIN IMMEDIATE"))
        await asyncio.sleep(0.2)  # it is waiting for the lock on the worker thread
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        # The session's ROLLBACK comes while the BEGIN still waits on the thread ...
        rolling_back = asyncio.create_task(conn.rollback())
        await asyncio.sleep(0)
        holder.execute("COMMIT")  # ... then the lock frees and that BEGIN succeeds
        await rolling_back  # queued behind the BEGIN, so it ends that transaction
        await asyncio.sleep(0.3)
        assert not conn._conn.in_transaction
        holder.execute("BEGIN IMMEDIATE")  # and nobody holds the write lock
        holder.execute("COMMIT")
    finally:
        await conn.close()
        holder.close()
