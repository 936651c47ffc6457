"""The schema on a real database: SQLite file always, PostgreSQL when configured."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.audit import create_audit_entry, list_audit_entries
from storage.models import Client, FollowUp
from storage.staff import (
    create_invite,
    create_or_reactivate_staff,
    get_staff_by_telegram_id,
    mark_invite_used,
    mark_staff_reachable,
)

Factory = async_sessionmaker[AsyncSession]


async def _navigator(session: AsyncSession, telegram_id: int = 1) -> int:
    staff = await create_or_reactivate_staff(
        session,
        telegram_id=telegram_id,
        role="navigator",
        team="hospital",
        display_name="N",
        telegram_language="en",
    )
    return staff.id


async def test_timestamps_come_back_aware_utc(session_factory: Factory) -> None:
    moment = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    async with session_factory.begin() as session:
        await create_audit_entry(session, action="create", client_code="C1", at=moment)
    async with session_factory() as session:
        (entry,) = await list_audit_entries(session)
    assert entry.at == moment
    assert entry.at.tzinfo is not None
    assert entry.at.utcoffset() == timedelta(0)


async def test_naive_datetimes_are_refused(session_factory: Factory) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        async with session_factory.begin() as session:
            await create_audit_entry(session, action="create", at=datetime(2026, 1, 1))  # noqa: DTZ001


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"]
)
async def test_audit_log_is_append_only(session_factory: Factory, statement: str) -> None:
    async with session_factory.begin() as session:
        await create_audit_entry(session, action="create", client_code="C1")
    with pytest.raises(DBAPIError, match="append-only"):
        async with session_factory.begin() as session:
            await session.execute(text(statement))
    async with session_factory() as session:
        assert [e.action for e in await list_audit_entries(session)] == ["create"]


async def test_an_invite_is_claimed_once(session_factory: Factory) -> None:
    now = datetime.now(UTC)
    async with session_factory.begin() as session:
        staff_id = await _navigator(session)
        invite = await create_invite(
            session,
            code_hash="h" * 64,
            role="navigator",
            team="hospital",
            display_name=None,
            expires_at=now + timedelta(days=7),
            created_by_id=None,
        )
    async with session_factory.begin() as session:
        assert await mark_invite_used(session, invite_id=invite.id, staff_id=staff_id, at=now)
    async with session_factory.begin() as session:
        assert not await mark_invite_used(session, invite_id=invite.id, staff_id=staff_id, at=now)


async def test_one_open_follow_up_per_client_and_navigator(session_factory: Factory) -> None:
    due = datetime(2026, 4, 1, 8, tzinfo=UTC)
    async with session_factory.begin() as session:
        staff_id = await _navigator(session)
        client = Client(code="C123", team="hospital", owner_id=staff_id, status="open")
        session.add(client)
        await session.flush()
        session.add(FollowUp(client_id=client.id, staff_id=staff_id, due_at=due, status="done"))
        session.add(FollowUp(client_id=client.id, staff_id=staff_id, due_at=due, status="open"))
    with pytest.raises(IntegrityError):
        async with session_factory.begin() as session:
            session.add(FollowUp(client_id=client.id, staff_id=staff_id, due_at=due, status="open"))


async def test_staff_telegram_ids_are_unique_and_64_bit(session_factory: Factory) -> None:
    big_id = 7_000_000_000  # Telegram ids exceed 32 bits
    async with session_factory.begin() as session:
        await _navigator(session, telegram_id=big_id)
    async with session_factory() as session:
        staff = await get_staff_by_telegram_id(session, telegram_id=big_id)
    assert staff is not None


async def test_reachability_changes_are_reported_once(session_factory: Factory) -> None:
    now = datetime.now(UTC)
    async with session_factory.begin() as session:
        staff_id = await _navigator(session)
    async with session_factory.begin() as session:
        assert await mark_staff_reachable(session, staff_id=staff_id, reachable=False, at=now)
    async with session_factory.begin() as session:
        assert not await mark_staff_reachable(session, staff_id=staff_id, reachable=False, at=now)
