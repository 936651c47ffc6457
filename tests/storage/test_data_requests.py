"""Export, erase and the retention purge on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts.saving import ContactInput, close_client, reminder_settings, save_contact
from bot.core.domain import Outcome, Risk, Service, ServiceStatus, Setting, StaffMember
from bot.people.data_requests import erase_client, export_client, purge_expired
from storage.audit import list_audit_entries
from storage.clients import get_client_by_code
from storage.models import Client, Contact, FollowUp, SafeguardingAlert, ServiceEvent
from storage.staff import create_or_reactivate_staff
from tests.conftest import make_settings

Factory = async_sessionmaker[AsyncSession]
NOW = datetime(2026, 5, 6, 10, tzinfo=UTC)
SETTINGS = reminder_settings(make_settings("sqlite+aiosqlite://"))


async def _logged(factory: Factory, code: str, at: datetime = NOW) -> StaffMember:
    async with factory.begin() as session:
        row = await create_or_reactivate_staff(
            session,
            telegram_id=1,
            role="navigator",
            team="hospital",
            display_name="N",
            telegram_language="en",
        )
        staff = StaffMember.from_row(row)
        await save_contact(
            session,
            staff=staff,
            contact=ContactInput(
                client_code=code,
                setting=Setting.HOSPITAL,
                outcome=Outcome.MADE,
                services=((Service.ETE, ServiceStatus.ENGAGED),),
                risks=(Risk.WEAPON,),
                follow_up_at=at + timedelta(days=3),
                note=f"{code} seen, [phone]",
            ),
            now=at,
            settings=SETTINGS,
        )
    return staff


async def _count(factory: Factory, model: type) -> int:
    async with factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_export_holds_everything_about_one_code(session_factory: Factory) -> None:
    await _logged(session_factory, "C1")
    await _logged(session_factory, "C2")
    async with session_factory.begin() as session:
        data = await export_client(session, code="C1", now=NOW)
    assert data is not None
    assert data["client"]["code"] == "C1"
    assert [c["note"] for c in data["contacts"]] == ["C1 seen, [phone]"]
    assert data["contacts"][0]["risks"] == ["weapon"]
    assert data["service_events"][0]["status"] == "engaged"
    assert len(data["follow_ups"]) == 1
    assert data["safeguarding_alerts"][0]["risks"] == ["weapon"]
    assert "C2" not in str(data)
    async with session_factory() as session:
        assert [a.action for a in await list_audit_entries(session, client_code="C1")] == [
            "create",
            "export",
        ]


async def test_erase_removes_the_client_and_keeps_only_the_audit_trail(
    session_factory: Factory,
) -> None:
    await _logged(session_factory, "C1")
    await _logged(session_factory, "C2")
    async with session_factory.begin() as session:
        assert await erase_client(session, code="C1", now=NOW) == 1
    async with session_factory() as session:
        assert await get_client_by_code(session, code="C1") is None
        assert await get_client_by_code(session, code="C2") is not None
        actions = [a.action for a in await list_audit_entries(session, client_code="C1")]
    assert actions == ["create", "erase"]
    for model in (Contact, FollowUp, ServiceEvent, SafeguardingAlert):
        assert await _count(session_factory, model) == 1  # C2's rows only
    async with session_factory.begin() as session:
        assert await erase_client(session, code="C1", now=NOW) is None


async def test_purge_removes_only_cases_closed_beyond_retention(session_factory: Factory) -> None:
    old = NOW - timedelta(days=800)
    staff = await _logged(session_factory, "OLD1", at=old)
    await _logged(session_factory, "NEW1")
    await _logged(session_factory, "OPEN1", at=old)
    async with session_factory.begin() as session:
        for code, closed_at in (("OLD1", old), ("NEW1", NOW - timedelta(days=10))):
            client = await get_client_by_code(session, code=code)
            assert client is not None
            await close_client(session, staff=staff, client=client, reason="", now=closed_at)
    async with session_factory.begin() as session:
        assert await purge_expired(session, now=NOW, retention_days=730) == 1
    async with session_factory() as session:
        codes = set((await session.scalars(select(Client.code))).all())
        purged = await list_audit_entries(session, action="purge")
    assert codes == {"NEW1", "OPEN1"}
    assert [p.client_code for p in purged] == ["OLD1"]
