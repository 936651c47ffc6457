"""The SQLite engine as the bot uses it (stock aiosqlite): connection settings, atomic saves,
reads that take no lock, and writers that wait for the lock off the event loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine, create_read_session_factory, create_session_factory


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
