"""Conversation state on both databases: one row per staff member, upserted, expired rows
purged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.conversations import (
    delete_conversation,
    delete_expired_conversations,
    get_conversation,
    save_conversation,
)
from storage.staff import create_or_reactivate_staff

Factory = async_sessionmaker[AsyncSession]
NOW = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


async def _staff(session: AsyncSession, telegram_id: int) -> int:
    staff = await create_or_reactivate_staff(
        session,
        telegram_id=telegram_id,
        role="navigator",
        team="hospital",
        display_name=None,
        telegram_language="en",
    )
    return staff.id


async def test_one_conversation_per_staff_member(session_factory: Factory) -> None:
    async with session_factory.begin() as session:
        first, second = await _staff(session, 1), await _staff(session, 2)
        await save_conversation(
            session,
            staff_id=first,
            flow="guided_log",
            step="client",
            data={},
            now=NOW,
            expires_at=NOW + timedelta(minutes=30),
        )
    async with session_factory.begin() as session:  # the next answer replaces the row
        await save_conversation(
            session,
            staff_id=first,
            flow="guided_log",
            step="setting",
            data={"code": "C123", "risks": ["weapon"]},
            now=NOW + timedelta(minutes=5),
            expires_at=NOW + timedelta(minutes=35),
        )
        await save_conversation(
            session,
            staff_id=second,
            flow="reschedule",
            step="date",
            data={"followup_id": 7},
            now=NOW,
            expires_at=NOW + timedelta(minutes=1),
        )
    async with session_factory() as session:
        row = await get_conversation(session, staff_id=first)
        assert row is not None
        assert (row.flow, row.step, row.data) == (
            "guided_log",
            "setting",
            {"code": "C123", "risks": ["weapon"]},
        )
        assert row.expires_at == NOW + timedelta(minutes=35)
    async with session_factory.begin() as session:
        assert await delete_expired_conversations(session, now=NOW + timedelta(minutes=10)) == 1
        assert await get_conversation(session, staff_id=second) is None
        assert await delete_conversation(session, staff_id=first) == "guided_log"
        assert await delete_conversation(session, staff_id=first) is None
