"""/away, /back and cover (issue 16) through a real Application and the reminder sweep."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select

from bot.contacts.saving import ContactInput, reminder_settings, save_contact
from bot.context import StaffMember
from bot.core.domain import Outcome, Setting
from bot.jobs.schedule import run_sweep
from storage.models import Absence, OutboxMessage, Staff
from tests.handlers.harness import Harness, message_update

NAV, SUP, OTHER, ADMIN, FOREIGN_SUP, FOREIGN_NAV, NAMESAKE = (
    7001,
    7002,
    7003,
    7004,
    7005,
    7006,
    7007,
)
ALWAYS = "mon-sun 00:00-23:59"
WEDNESDAY_NOON = datetime(2026, 3, 25, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _midday() -> Any:
    with time_machine.travel(WEDNESDAY_NOON, tick=True):
        yield


async def _team(h: Harness) -> dict[int, Staff]:
    return {
        NAV: await h.add_staff(NAV, working_hours=ALWAYS, display_name="Aisha", username="aisha"),
        SUP: await h.add_staff(SUP, role="supervisor", working_hours=ALWAYS, display_name="Sue"),
        OTHER: await h.add_staff(OTHER, working_hours=ALWAYS, display_name="Omar", username="omar"),
        ADMIN: await h.add_staff(ADMIN, role="admin", team="office", display_name="Ada"),
        FOREIGN_SUP: await h.add_staff(FOREIGN_SUP, role="supervisor", team="community"),
        FOREIGN_NAV: await h.add_staff(
            FOREIGN_NAV, team="community", display_name="Farid", username="farid"
        ),
    }


async def _absences(h: Harness) -> list[Absence]:
    async with h.session() as session:
        return list((await session.scalars(select(Absence).order_by(Absence.id))).all())


async def _followup(h: Harness, owner: Staff, due: datetime, code: str = "C123") -> int:
    now = datetime.now(UTC)
    async with h.session() as session:
        saved = await save_contact(
            session,
            staff=StaffMember.from_row(owner),
            contact=ContactInput(
                client_code=code, setting=Setting.HOSPITAL, outcome=Outcome.MADE, follow_up_at=due
            ),
            now=now - timedelta(hours=2),
            settings=reminder_settings(h.app.bot_data.settings),
        )
    assert saved.followup_id is not None
    return saved.followup_id


async def test_a_navigator_records_leave_with_a_cover_named_by_username(h: Harness) -> None:
    await _team(h)
    await h.send(NAV, "/away 30/03/2026..03/04/2026 @omar")
    assert "Leave recorded for Aisha: 30/03/2026–03/04/2026. Cover: Omar" in h.last_text_to(NAV)
    (absence,) = await _absences(h)
    assert (absence.starts_on, absence.ends_on) == (date(2026, 3, 30), date(2026, 4, 3))
    await run_sweep(h.app)
    assert any("You cover for Aisha" in text for text in h.texts_to(OTHER))
    await h.send(NAV, "/away")
    assert "Aisha: 30/03/2026–03/04/2026, cover: Omar" in h.last_text_to(NAV)


async def test_cover_by_telegram_id_and_by_name_and_iso_dates(h: Harness) -> None:
    await _team(h)
    await h.send(NAV, f"/away 2026-03-30..2026-04-01 {OTHER}")
    await h.send(NAV, "/away 2026-04-10..2026-04-12 omar")
    absences = await _absences(h)
    assert [a.cover_id for a in absences] == [absences[0].cover_id] * 2
    assert absences[0].cover_id is not None


async def test_no_cover_named_means_the_team_supervisors(h: Harness) -> None:
    await _team(h)
    await h.send(NAV, "/away 30/03..03/04")
    assert "Cover: the team's supervisors" in h.last_text_to(NAV)
    (absence,) = await _absences(h)
    assert absence.cover_id is None
    assert absence.starts_on == date(2026, 3, 30)


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("/away 30/03/2026..03/04/2026 @farid", "The cover must be an active colleague"),
        ("/away 01/03/2026..03/03/2026", "entirely in the past"),
        ("/away 31/02/2027", "That date does not exist"),
        ("/away 05/04/2026..01/04/2026", "ends before it starts"),
        ("/away @omar 30/03/2026..03/04/2026", "you can record leave for yourself"),
        ("/away 30/03/2026..03/04/2026 @nobody", "I know no active colleague called @nobody"),
        (f"/away 30/03/2026..03/04/2026 {NAV}", "cannot cover for themselves"),
    ],
)
async def test_refusals(h: Harness, text: str, reply: str) -> None:
    await _team(h)
    await h.send(NAV, text)
    assert reply in h.last_text_to(NAV)
    assert await _absences(h) == []


async def test_overlapping_leave_is_refused(h: Harness) -> None:
    await _team(h)
    await h.send(NAV, "/away 30/03/2026..03/04/2026")
    await h.send(NAV, "/away 02/04/2026..08/04/2026")
    assert "overlaps leave already recorded" in h.last_text_to(NAV)
    assert len(await _absences(h)) == 1


async def test_a_supervisor_records_leave_for_their_team_only(h: Harness) -> None:
    await _team(h)
    await h.send(SUP, "/away @aisha 30/03/2026..03/04/2026 @omar")
    assert "Leave recorded for Aisha" in h.last_text_to(SUP)
    await h.send(FOREIGN_SUP, "/away @omar 30/03/2026..03/04/2026")
    assert "supervisors for their own team" in h.last_text_to(FOREIGN_SUP)
    assert len(await _absences(h)) == 1
    await run_sweep(h.app)
    assert any("Leave recorded for you" in text for text in h.texts_to(NAV))


async def test_a_shared_name_is_asked_about_with_buttons(h: Harness) -> None:
    await _team(h)
    await h.add_staff(NAMESAKE, working_hours=ALWAYS, display_name="omar")
    await h.send(NAV, "/away 30/03/2026..03/04/2026 Omar")
    assert "Several colleagues are called Omar" in h.last_text_to(NAV)
    markup = h.transport.sent("sendMessage", chat_id=NAV)[-1].params["reply_markup"]
    data = [b["callback_data"] for row in markup["inline_keyboard"] for b in row]
    assert data == [
        f"who:away:30/03/2026..03/04/2026 #{OTHER}",
        f"who:away:30/03/2026..03/04/2026 #{NAMESAKE}",
    ]
    assert await _absences(h) == []
    await h.press(NAV, data[1])
    (absence,) = await _absences(h)
    async with h.session() as session:
        cover = await session.get(Staff, absence.cover_id)
    assert cover is not None
    assert cover.telegram_id == NAMESAKE


async def test_the_guard_keeps_the_username_fresh(h: Harness) -> None:
    await _team(h)
    raw = message_update(OTHER, "/away")
    raw["message"]["from"]["username"] = "Omar_New"
    await h.process(raw)
    async with h.session() as session:
        found = await session.scalar(select(Staff.username).where(Staff.telegram_id == OTHER))
    assert found == "omar_new"


async def test_while_away_the_due_nudge_goes_to_the_cover_who_may_press(h: Harness) -> None:
    staff = await _team(h)
    await h.send(NAV, "/away 25/03/2026..27/03/2026 @omar")
    fid = await _followup(h, staff[NAV], datetime.now(UTC) - timedelta(minutes=30))
    await run_sweep(h.app)
    assert not any("Follow-up due" in text for text in h.texts_to(NAV))
    nudges = [text for text in h.texts_to(OTHER) if "Follow-up due" in text]
    assert len(nudges) == 1
    assert nudges[0].startswith("🤝 Covering for Aisha:")
    # the agenda too goes to the cover, and the absent member gets none
    assert any("Covering for Aisha" in t and "agenda" in t for t in h.texts_to(OTHER))
    assert not any("Your agenda" in text for text in h.texts_to(NAV))
    # a colleague who is not covering is refused; the cover may act
    await h.add_staff(NAMESAKE, working_hours=ALWAYS, display_name="Zed")
    await h.press(NAMESAKE, f"fu:noanswer:{fid}")
    assert not any("Logged an attempt" in t for t in h.texts_to(NAMESAKE))
    await h.press(OTHER, f"fu:noanswer:{fid}")
    assert "Logged an attempt with <b>C123</b>" in h.last_text_to(OTHER)


async def test_no_escalation_for_days_away_and_one_summary_on_return(h: Harness) -> None:
    staff = await _team(h)
    # due Wednesday; away Thursday to the next Wednesday; escalation after 3 working days
    await _followup(h, staff[NAV], datetime.now(UTC) - timedelta(minutes=30))
    await h.send(NAV, "/away 26/03/2026..01/04/2026")

    async def escalations() -> int:
        async with h.session() as session:
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.kind == "escalation")
                )
            )

    day = WEDNESDAY_NOON
    for _ in range(8):  # Wednesday .. the Thursday after
        day += timedelta(days=1)
        with time_machine.travel(day.replace(hour=9), tick=False):
            await run_sweep(h.app)
    assert await escalations() == 0
    summaries = [text for text in h.texts_to(NAV) if "Welcome back" in text]
    assert len(summaries) == 1
    assert "26/03/2026–01/04/2026" in summaries[0]
    # three working days after the return, with no contact, it escalates after all
    for _ in range(4):
        day += timedelta(days=1)
        with time_machine.travel(day.replace(hour=9), tick=False):
            await run_sweep(h.app)
    assert await escalations() >= 1


async def test_back_ends_leave_early_and_the_summary_names_what_the_cover_did(h: Harness) -> None:
    staff = await _team(h)
    await h.send(NAV, "/away 24/03/2026..31/03/2026 @omar")
    await _followup(h, staff[NAV], datetime.now(UTC) + timedelta(days=3), code="C77")
    async with h.session() as session:
        await save_contact(
            session,
            staff=StaffMember.from_row(staff[OTHER]),
            contact=ContactInput(client_code="C77", setting=Setting.PHONE, outcome=Outcome.MADE),
            now=datetime.now(UTC),
            settings=reminder_settings(h.app.bot_data.settings),
        )
    await h.send(NAV, "/back")
    assert "Welcome back" in h.last_text_to(NAV)
    await run_sweep(h.app)
    await run_sweep(h.app)
    summaries = [text for text in h.texts_to(NAV) if "While you were away" in text]
    assert len(summaries) == 1
    assert "<b>C77</b>: 1 contact, last: contact made" in summaries[0]
    await h.send(NAV, "/back")
    assert "No leave in force today" in h.last_text_to(NAV)


async def test_the_covers_agenda_counts_no_working_days_spent_away(h: Harness) -> None:
    staff = await _team(h)
    await _followup(h, staff[NAV], datetime.now(UTC) - timedelta(minutes=30))  # due Wednesday
    await h.send(NAV, "/away 26/03/2026..01/04/2026 @omar")
    with time_machine.travel(datetime(2026, 3, 30, 9, tzinfo=UTC), tick=False):  # Monday
        await run_sweep(h.app)
    (agenda,) = [t for t in h.texts_to(OTHER) if "Covering for Aisha" in t and "agenda" in t]
    assert "<b>C123</b>: overdue" in agenda
    assert "working days overdue" not in agenda
