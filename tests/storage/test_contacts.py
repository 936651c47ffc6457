"""Saving a contact is one atomic step on a real database (SQLite, and PostgreSQL if set)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts.saving import (
    ContactInput,
    close_client,
    reminder_settings,
    save_contact,
    undo_last_contact,
)
from bot.core.domain import Outcome, Risk, Role, Service, ServiceStatus, Setting, StaffMember
from storage.audit import list_audit_entries
from storage.models import (
    AuditEntry,
    Client,
    Contact,
    ContactRisk,
    FollowUp,
    OutboxMessage,
    SafeguardingAlert,
    ServiceEvent,
)
from storage.staff import create_or_reactivate_staff
from tests.conftest import make_settings

Factory = async_sessionmaker[AsyncSession]
NOW = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)  # a Wednesday
SETTINGS = reminder_settings(make_settings("sqlite+aiosqlite://"))


async def _member(factory: Factory, telegram_id: int, role: Role = Role.NAVIGATOR) -> StaffMember:
    async with factory.begin() as session:
        row = await create_or_reactivate_staff(
            session,
            telegram_id=telegram_id,
            role=role.value,
            team="hospital",
            display_name=f"S{telegram_id}",
            telegram_language="en",
        )
        return StaffMember.from_row(row)


async def _count(factory: Factory, model: type) -> int:
    async with factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def _input(**overrides: object) -> ContactInput:
    values: dict[str, object] = {
        "client_code": "C123",
        "setting": Setting.HOSPITAL,
        "outcome": Outcome.MADE,
        "services": ((Service.DRUG_TREATMENT, ServiceStatus.REFERRED),),
        "risks": (Risk.VIOLENCE,),
        "follow_up_at": datetime(2026, 3, 27, 9, tzinfo=UTC),
        "language": "en",
        "note": "C123 seen in ED after assault",
    }
    values.update(overrides)
    return ContactInput(**values)  # type: ignore[arg-type]


async def test_save_creates_everything_in_one_go(session_factory: Factory) -> None:
    navigator = await _member(session_factory, 1)
    async with session_factory.begin() as session:
        saved = await save_contact(
            session, staff=navigator, contact=_input(), now=NOW, settings=SETTINGS
        )
    assert saved.client_created
    assert saved.followup_id is not None
    async with session_factory() as session:
        client = await session.scalar(select(Client))
        followup = await session.get(FollowUp, saved.followup_id)
        event = await session.scalar(select(ServiceEvent))
        risk = await session.scalar(select(ContactRisk))
        audit = await list_audit_entries(session, action="create")
    assert client is not None
    assert (client.code, client.owner_id, client.team) == ("C123", navigator.id, "hospital")
    assert followup is not None
    assert followup.status == "open"
    # Friday 09:00 London is inside default hours, so the nudge is due then.
    assert followup.reminder.next_reminder_at == datetime(2026, 3, 27, 9, tzinfo=UTC)
    assert event is not None
    assert (event.service, event.status) == ("drug_treatment", "referred")
    assert risk is not None
    assert risk.risk == "violence"
    assert [a.client_code for a in audit] == ["C123"]


async def test_a_new_contact_completes_and_replaces_the_follow_up(session_factory: Factory) -> None:
    navigator = await _member(session_factory, 1)
    async with session_factory.begin() as session:
        first = await save_contact(
            session, staff=navigator, contact=_input(), now=NOW, settings=SETTINGS
        )
    later = NOW + timedelta(days=1)
    async with session_factory.begin() as session:
        second = await save_contact(
            session,
            staff=navigator,
            contact=_input(follow_up_at=None, risks=(), services=()),
            now=later,
            settings=SETTINGS,
        )
    assert second.completed_followups == 1
    assert second.followup_id is None
    async with session_factory() as session:
        old = await session.get(FollowUp, first.followup_id)
    assert old is not None
    assert (old.status, old.completed_on_time, old.reminder.next_reminder_at) == (
        "done",
        True,
        None,
    )


async def test_safeguarding_risks_raise_an_alert_for_the_team_supervisors(
    session_factory: Factory,
) -> None:
    navigator = await _member(session_factory, 1)
    supervisor = await _member(session_factory, 2, Role.SUPERVISOR)
    async with session_factory.begin() as session:
        saved = await save_contact(
            session,
            staff=navigator,
            contact=_input(risks=(Risk.WEAPON, Risk.VIOLENCE)),
            now=NOW,
            settings=SETTINGS,
        )
    assert saved.alert_risks == ("weapon",)
    async with session_factory() as session:
        alert = await session.scalar(select(SafeguardingAlert))
        outbox = (await session.scalars(select(OutboxMessage))).all()
    assert alert is not None
    assert alert.repeat_at == NOW + timedelta(minutes=30)
    assert [(m.kind, m.recipient_id, m.payload["code"]) for m in outbox] == [
        ("safeguarding", supervisor.id, "C123")
    ]


async def test_a_failure_part_way_leaves_nothing_behind(session_factory: Factory) -> None:
    navigator = await _member(session_factory, 1)

    async def save_then_fail() -> None:
        async with session_factory.begin() as session:
            await save_contact(
                session, staff=navigator, contact=_input(), now=NOW, settings=SETTINGS
            )
            raise RuntimeError("the reply failed after saving")

    with pytest.raises(RuntimeError):
        await save_then_fail()
    for model in (Client, Contact, ServiceEvent, FollowUp, ContactRisk):
        assert await _count(session_factory, model) == 0
    assert await _count(session_factory, AuditEntry) == 0


async def test_undo_puts_everything_back(session_factory: Factory) -> None:
    navigator = await _member(session_factory, 1)
    async with session_factory.begin() as session:
        first = await save_contact(
            session, staff=navigator, contact=_input(), now=NOW, settings=SETTINGS
        )
    async with session_factory.begin() as session:
        await save_contact(
            session,
            staff=navigator,
            contact=_input(follow_up_at=NOW + timedelta(days=14)),
            now=NOW + timedelta(minutes=5),
            settings=SETTINGS,
        )
    async with session_factory.begin() as session:
        undone = await undo_last_contact(
            session,
            staff=navigator,
            now=NOW + timedelta(minutes=10),
            window=timedelta(minutes=15),
            settings=SETTINGS,
        )
    assert undone is not None
    assert not undone.client_removed
    async with session_factory() as session:
        followups = (await session.scalars(select(FollowUp))).all()
        audit = await list_audit_entries(session, action="undo")
    assert [(f.id, f.status) for f in followups] == [(first.followup_id, "open")]
    assert await _count(session_factory, Contact) == 1
    assert [a.client_code for a in audit] == ["C123"]


async def test_undo_outside_the_window_does_nothing(session_factory: Factory) -> None:
    navigator = await _member(session_factory, 1)
    async with session_factory.begin() as session:
        await save_contact(session, staff=navigator, contact=_input(), now=NOW, settings=SETTINGS)
    async with session_factory.begin() as session:
        assert (
            await undo_last_contact(
                session,
                staff=navigator,
                now=NOW + timedelta(minutes=16),
                window=timedelta(minutes=15),
                settings=SETTINGS,
            )
            is None
        )
    assert await _count(session_factory, Contact) == 1


async def test_undo_of_the_first_contact_removes_the_new_client(session_factory: Factory) -> None:
    navigator = await _member(session_factory, 1)
    async with session_factory.begin() as session:
        await save_contact(session, staff=navigator, contact=_input(), now=NOW, settings=SETTINGS)
    async with session_factory.begin() as session:
        undone = await undo_last_contact(
            session, staff=navigator, now=NOW, window=timedelta(minutes=15), settings=SETTINGS
        )
    assert undone is not None
    assert undone.client_removed
    assert await _count(session_factory, Client) == 0


async def test_close_cancels_open_follow_ups(session_factory: Factory) -> None:
    navigator = await _member(session_factory, 1)
    async with session_factory.begin() as session:
        await save_contact(session, staff=navigator, contact=_input(), now=NOW, settings=SETTINGS)
    async with session_factory.begin() as session:
        client = await session.scalar(select(Client))
        assert client is not None
        assert (
            await close_client(
                session, staff=navigator, client=client, reason="moved away", now=NOW
            )
            == 1
        )
    async with session_factory() as session:
        followup = await session.scalar(select(FollowUp))
        client = await session.scalar(select(Client))
    assert followup is not None
    assert (followup.status, followup.reminder.next_reminder_at) == ("cancelled", None)
    assert client is not None
    assert client.status == "closed"
