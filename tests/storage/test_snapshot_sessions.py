"""Report sessions (create_snapshot_session_factory) on both backends: every read sees one
moment, and a navigator's save never waits for a report."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import SQLITE_BUSY_TIMEOUT_MS, create_snapshot_session_factory
from storage.models import AppState
from storage.staff import set_app_state

COUNT = select(func.count()).select_from(AppState)


async def test_a_save_goes_through_while_a_report_reads_and_the_report_keeps_its_moment(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory.begin() as session:
        await set_app_state(session, key="before", value="1")
    snapshots = create_snapshot_session_factory(engine)
    async with snapshots() as report:
        assert await report.scalar(COUNT) == 1  # the report has started reading
        # A save in the middle of the report. Under a write lock held by the report it would
        # wait SQLITE_BUSY_TIMEOUT_MS and fail; the bound fails the test well before that.
        async with asyncio.timeout(SQLITE_BUSY_TIMEOUT_MS / 1000 / 2):
            async with session_factory.begin() as writer:
                await set_app_state(writer, key="during", value="2")
        assert await report.scalar(COUNT) == 1  # still the moment the report began
    async with snapshots() as next_report:
        assert await next_report.scalar(COUNT) == 2


async def test_a_report_session_refuses_writes_on_postgresql(engine: AsyncEngine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no read-only transactions; report sessions only read there")
    async with create_snapshot_session_factory(engine)() as report:
        await set_app_state(report, key="k", value="v")
        with pytest.raises(DBAPIError, match="read-only"):
            await report.flush()
