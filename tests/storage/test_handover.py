"""Handing clients over (storage/handover.py) on a real database (SQLite, and PostgreSQL when
set): exactly the named clients' open follow-ups and owed nudges move, atomically."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts.saving import ContactInput, reminder_settings, save_contact
from bot.context import StaffMember
from bot.core.domain import Outcome, Role, Setting
from bot.followups.sweep import produce_all
from storage.handover import move_clients
from storage.models import Client, FollowUp, FollowUpReminder
from storage.staff import create_or_reactivate_staff
from tests.conftest import make_settings

Factory = async_sessionmaker[AsyncSession]
SETTINGS = reminder_settings(make_settings("sqlite+aiosqlite://"))
NOW = datetime(2026, 3, 25, 12, tzinfo=UTC)  # Wednesday noon, inside the default hours


async def _member(factory: Factory, telegram_id: int) -> StaffMember:
    async with factory.begin() as session:
        row = await create_or_reactivate_staff(
            session,
            telegram_id=telegram_id,
            role=Role.NAVIGATOR.value,
            team="hospital",
            display_name=f"S{telegram_id}",
            telegram_language="en",
        )
        return StaffMember.from_row(row)


async def _log(factory: Factory, who: StaffMember, code: str, due: datetime | None) -> None:
    async with factory.begin() as session:
        await save_contact(
            session,
            staff=who,
            contact=ContactInput(
                client_code=code, setting=Setting.HOSPITAL, outcome=Outcome.MADE, follow_up_at=due
            ),
            now=NOW - timedelta(hours=3),
            settings=SETTINGS,
        )


async def _state(factory: Factory) -> dict[str, list[tuple[int, str, str | None]]]:
    """Per client code: (follow-up owner, status, nudge owed) of each follow-up."""
    async with factory() as session:
        rows = (
            await session.execute(
                select(Client.code, FollowUp.staff_id, FollowUp.status, FollowUpReminder.nudge_kind)
                .join(FollowUp, FollowUp.client_id == Client.id)
                .join(FollowUpReminder, FollowUpReminder.followup_id == FollowUp.id)
                .order_by(Client.code, FollowUp.id)
            )
        ).all()
    result: dict[str, list[tuple[int, str, str | None]]] = {}
    for code, staff_id, status, nudge in rows:
        result.setdefault(code, []).append((staff_id, status, nudge))
    return result


async def _client_ids(factory: Factory, *codes: str) -> list[int]:
    async with factory() as session:
        return list((await session.scalars(select(Client.id).where(Client.code.in_(codes)))).all())


async def test_exactly_the_clients_open_followups_and_owed_nudges_move(
    session_factory: Factory,
) -> None:
    a, b = await _member(session_factory, 1), await _member(session_factory, 2)
    await _log(session_factory, a, "C1", NOW + timedelta(days=5))
    await _log(session_factory, a, "C1", NOW - timedelta(hours=1))  # completes the first: done
    await _log(session_factory, a, "C2", NOW - timedelta(hours=1))  # not named: stays
    await _log(session_factory, a, "C3", None)  # owned, no follow-up
    await produce_all(session_factory, now=NOW, settings=SETTINGS)  # C1, C2: due nudges owed
    before = await _state(session_factory)
    assert before["C1"] == [(a.id, "done", None), (a.id, "open", "due")]

    async with session_factory.begin() as session:
        moved = await move_clients(
            session,
            client_ids=await _client_ids(session_factory, "C1", "C3"),
            from_id=a.id,
            to_id=b.id,
            to_team="hospital",
            now=NOW,
        )
    assert sorted(moved.values()) == [0, 1]
    after = await _state(session_factory)
    # the open follow-up moved with its owed nudge; the done one stays in a's history
    assert after["C1"] == [(a.id, "done", None), (b.id, "open", "due")]
    assert after["C2"] == before["C2"]
    async with session_factory() as session:
        owners = dict((await session.execute(select(Client.code, Client.owner_id))).tuples().all())
        reminder = await session.scalar(
            select(FollowUpReminder)
            .join(FollowUp, FollowUp.id == FollowUpReminder.followup_id)
            .where(FollowUp.staff_id == b.id)
        )
    assert owners == {"C1": b.id, "C2": a.id, "C3": b.id}
    assert reminder is not None
    assert reminder.nudge_claimed_at is None


async def test_a_failed_handover_moves_nothing(session_factory: Factory) -> None:
    a, b = await _member(session_factory, 1), await _member(session_factory, 2)
    await _log(session_factory, a, "C1", NOW - timedelta(hours=1))
    await _log(session_factory, a, "C2", NOW + timedelta(days=1))
    before = await _state(session_factory)
    ids = await _client_ids(session_factory, "C1", "C2")

    async def interrupted() -> None:
        async with session_factory.begin() as session:
            await move_clients(
                session, client_ids=ids, from_id=a.id, to_id=b.id, to_team="hospital", now=NOW
            )
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        await interrupted()
    assert await _state(session_factory) == before
    async with session_factory() as session:
        owners = set((await session.scalars(select(Client.owner_id))).all())
    assert owners == {a.id}


async def test_the_new_owners_own_open_followup_wins(session_factory: Factory) -> None:
    a, b = await _member(session_factory, 1), await _member(session_factory, 2)
    await _log(session_factory, a, "C1", NOW + timedelta(days=1))
    (client_id,) = await _client_ids(session_factory, "C1")
    async with session_factory.begin() as session:
        session.add(FollowUp(client_id=client_id, staff_id=b.id, due_at=NOW + timedelta(days=3)))
    async with session_factory.begin() as session:
        await move_clients(
            session, client_ids=[client_id], from_id=a.id, to_id=b.id, to_team="hospital", now=NOW
        )
    states = await _state(session_factory)
    assert sorted(states["C1"]) == sorted([(a.id, "cancelled", None), (b.id, "open", None)])
