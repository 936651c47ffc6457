"""Parser corrections on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts.corrections import parser_misses_report, record_corrections
from bot.contacts.drafts import DraftState
from bot.contacts.parsing import parse_contact
from bot.contacts.saving import reminder_settings, save_contact
from bot.context import StaffMember
from bot.core.domain import Outcome, Risk, Role, Setting
from storage.audit import list_audit_entries
from storage.corrections import NewCorrection, count_parser_corrections, create_parser_corrections
from storage.models import Contact, ParserCorrection
from storage.staff import create_or_reactivate_staff
from tests.conftest import make_settings

Factory = async_sessionmaker[AsyncSession]
NOW = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)
TZ = ZoneInfo("Europe/London")
SETTINGS = reminder_settings(make_settings("sqlite+aiosqlite://"))


async def _member(factory: Factory) -> StaffMember:
    async with factory.begin() as session:
        row = await create_or_reactivate_staff(
            session,
            telegram_id=1,
            role=Role.NAVIGATOR.value,
            team="hospital",
            display_name="S1",
            telegram_language="en",
        )
        return StaffMember.from_row(row)


def _state(text: str) -> DraftState:
    draft = parse_contact(text, now=NOW, tz=TZ)
    return DraftState.from_parse(draft, client_code=draft.client_codes[0], source="text")


async def _save(
    factory: Factory, staff: StaffMember, state: DraftState, *, draft_id: int, at: datetime
) -> tuple[int, int]:
    async with factory.begin() as session:
        saved = await save_contact(
            session, staff=staff, contact=state.to_contact_input(), now=at, settings=SETTINGS
        )
        stored = await record_corrections(
            session,
            state=state,
            actor=staff,
            draft_id=draft_id,
            draft_created_at=at,
            contact_id=saved.contact_id,
            now=at,
            tz=TZ,
        )
    return saved.contact_id, stored


async def test_corrections_are_recorded_counted_and_never_hold_text(
    session_factory: Factory,
) -> None:
    staff = await _member(session_factory)
    # The parser reads "stopped going to CGL" as engaged and misses the knife; the navigator
    # fixes both, twice, on different clients; a third log is saved untouched.
    ids = []
    for n, code in enumerate(("C1", "C2")):
        read = _state(f"{code} seen in ED, stopped going to CGL, had a blade on him")
        fixed = read.with_service_cycled(read.services[0][0]) if read.services else read
        fixed = fixed.with_setting(Setting.COMMUNITY).with_risk_toggled(Risk.WEAPON)
        contact_id, stored = await _save(
            session_factory, staff, fixed, draft_id=10 + n, at=NOW + timedelta(minutes=n)
        )
        assert stored >= 2
        ids.append(contact_id)
    _, untouched = await _save(
        session_factory, staff, _state("C3 seen at home"), draft_id=20, at=NOW
    )
    assert untouched == 0

    async with session_factory() as session:
        rows = (await session.scalars(select(ParserCorrection))).all()
        counted = await count_parser_corrections(session, since=NOW - timedelta(days=1))
        audit = await list_audit_entries(session, action="edit")
        lines = await parser_misses_report(session, since=NOW - timedelta(days=1))
    setting = next(c for c in counted if c.field == "setting")
    assert (setting.read_value, setting.chosen_value, setting.count) == (
        "hospital",
        "community",
        2,
    )
    assert set(setting.contact_ids) == set(ids)
    assert counted[0].count == 2
    # nothing of the note: only category values
    for row in rows:
        for value in (row.field, row.read_value, row.chosen_value):
            assert "CGL" not in value
            assert "blade" not in value
        assert row.staff_id == staff.id
    assert len(audit) == 2
    assert all("corrected on card" in (entry.detail or "") for entry in audit)
    assert lines[0].split()[:2] == ["count", "field"]
    assert any("hospital → community" in line for line in lines)


async def test_an_old_correction_is_outside_the_window(session_factory: Factory) -> None:
    async with session_factory.begin() as session:
        await create_parser_corrections(
            session,
            corrections=[NewCorrection("outcome", "made", "attempted")],
            staff_id=1,
            draft_id=None,
            contact_id=None,
            language="en",
            at=NOW - timedelta(days=40),
        )
    async with session_factory() as session:
        assert await count_parser_corrections(session, since=NOW - timedelta(days=30)) == []
        assert len(await count_parser_corrections(session, since=NOW - timedelta(days=50))) == 1
        assert (await parser_misses_report(session, since=NOW - timedelta(days=30)))[0].startswith(
            "no corrections"
        )


async def test_erasing_a_contact_keeps_the_correction_without_the_link(
    session_factory: Factory,
) -> None:
    staff = await _member(session_factory)
    read = _state("C9 seen in ED")
    contact_id, stored = await _save(
        session_factory, staff, read.with_outcome(Outcome.DECLINED), draft_id=1, at=NOW
    )
    assert stored == 1
    async with session_factory.begin() as session:
        await session.execute(delete(Contact).where(Contact.id == contact_id))
    async with session_factory() as session:
        (row,) = (await session.scalars(select(ParserCorrection))).all()
    assert (row.field, row.read_value, row.chosen_value, row.contact_id) == (
        "outcome",
        "made",
        "declined",
        None,
    )


async def test_a_guided_draft_records_nothing(session_factory: Factory) -> None:
    staff = await _member(session_factory)
    guided = replace(_state("C8 seen in ED"), read_fields=None, source="guided")
    _, stored = await _save(
        session_factory, staff, guided.with_setting(Setting.PHONE), draft_id=2, at=NOW
    )
    assert stored == 0
