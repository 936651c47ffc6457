"""Reminder buttons, /due, /hours and block/unblock through a real Application."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select

from bot.contacts.saving import ContactInput, reminder_settings, save_contact
from bot.core.domain import Outcome, Risk, Setting, StaffMember
from bot.followups.sweep import produce_all
from bot.jobs.delivery import DeliveryReport
from bot.jobs.schedule import get_sender, run_sweep
from storage.audit import list_audit_entries
from storage.models import Client, Contact, FollowUp, OutboxMessage, SafeguardingAlert, Staff
from tests.handlers.harness import Harness, message_update

NAV, SUP, OTHER, ADMIN, FOREIGN_SUP = 7001, 7002, 7003, 7004, 7005
ALWAYS = "mon-sun 00:00-23:59"


@pytest.fixture(autouse=True)
def _midday() -> Any:
    """A Wednesday noon in London, with the clock running: nothing depends on when the
    suite happens to run (a nudge due an hour ago must not be yesterday's)."""
    with time_machine.travel(datetime(2026, 3, 25, 12, tzinfo=UTC), tick=True):
        yield


async def _team(h: Harness) -> dict[int, Staff]:
    return {
        NAV: await h.add_staff(NAV, working_hours=ALWAYS, display_name="Aisha"),
        SUP: await h.add_staff(SUP, role="supervisor", working_hours=ALWAYS, display_name="Sue"),
        OTHER: await h.add_staff(OTHER, working_hours=ALWAYS, display_name="Omar"),
        ADMIN: await h.add_staff(ADMIN, role="admin", team="office", display_name="Ada"),
        FOREIGN_SUP: await h.add_staff(FOREIGN_SUP, role="supervisor", team="community"),
    }


async def _followup(
    h: Harness, owner: Staff, *, due: datetime | None = None, risks: tuple[Risk, ...] = ()
) -> int:
    now = datetime.now(UTC)
    async with h.session() as session:
        saved = await save_contact(
            session,
            staff=StaffMember.from_row(owner),
            contact=ContactInput(
                client_code="C123",
                setting=Setting.HOSPITAL,
                outcome=Outcome.MADE,
                risks=risks,
                follow_up_at=due or now - timedelta(hours=1),
            ),
            now=now - timedelta(hours=2),
            settings=reminder_settings(h.app.bot_data.settings),
        )
    assert saved.followup_id is not None
    return saved.followup_id


async def _get(h: Harness, model: Any, row_id: int) -> Any:
    async with h.session() as session:
        return await session.get(model, row_id)


async def _count(h: Harness, model: Any, *where: Any) -> int:
    async with h.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


def _alerts(h: Harness) -> list[str]:
    return [
        call.params.get("text", "")
        for call in h.transport.sent("answerCallbackQuery")
        if call.params.get("show_alert")
    ]


def _buttons(h: Harness, chat_id: int) -> list[str]:
    calls = [
        c for c in h.transport.sent("sendMessage", chat_id=chat_id) if c.params.get("reply_markup")
    ]
    markup = calls[-1].params["reply_markup"] if calls else {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


async def test_the_sweep_nudges_with_the_client_last_contact_and_buttons(h: Harness) -> None:
    staff = await _team(h)
    fid = await _followup(h, staff[NAV])
    report = await run_sweep(h.app)
    assert report.sent >= 1
    text = h.texts_to(NAV)[0]
    assert "Follow-up due: <b>C123</b>" in text
    assert "Last contact:" in text
    assert "hospital" in text
    assert _buttons(h, NAV) == [
        f"fu:log:{fid}",
        f"fu:noanswer:{fid}",
        f"fu:snooze:1h:{fid}",
        f"fu:snooze:tomorrow:{fid}",
        f"fu:snooze:3d:{fid}",
        f"fu:resched:{fid}",
        f"fu:close:{fid}",
    ]
    await run_sweep(h.app)
    assert sum("Follow-up due" in t for t in h.texts_to(NAV)) == 1
    agenda = [t for t in h.texts_to(NAV) if "Your agenda" in t]
    assert len(agenda) == 1
    assert "<b>C123</b>" in agenda[0]


async def test_a_nudge_claimed_then_closed_before_the_send_is_not_sent(h: Harness) -> None:
    """The follow-up is done between the claim and the send (the navigator logged the
    contact): the nudge is dropped, not sent."""
    staff = await _team(h)
    fid = await _followup(h, staff[NAV])
    settings = reminder_settings(h.app.bot_data.settings)
    await produce_all(h.app.bot_data.session_factory, now=datetime.now(UTC), settings=settings)
    sender = get_sender(h.app)
    nudges = [job for job in await sender.claim() if job.nudge is not None]
    assert [(job.id, job.kind) for job in nudges] == [(fid, "due")]
    async with h.session() as session:
        await save_contact(
            session,
            staff=StaffMember.from_row(staff[NAV]),
            contact=ContactInput(
                client_code="C123", setting=Setting.HOSPITAL, outcome=Outcome.MADE
            ),
            now=datetime.now(UTC),
            settings=settings,
        )
    report = DeliveryReport()
    await sender._deliver(nudges[0], report)
    assert (report.sent, report.skipped) == (0, 1)
    await run_sweep(h.app)  # and no later sweep sends it either
    assert not any("Follow-up due" in text for text in h.texts_to(NAV))


async def test_no_answer_logs_an_attempt_and_moves_to_the_next_working_day(h: Harness) -> None:
    staff = await _team(h)
    fid = await _followup(h, staff[NAV])
    await h.press(NAV, f"fu:noanswer:{fid}")
    assert "Logged an attempt with <b>C123</b>" in h.last_text_to(NAV)
    assert (await _get(h, FollowUp, fid)).status == "done"
    attempts = await _count(
        h, Contact, Contact.outcome == "attempted", Contact.source == "reminder"
    )
    assert attempts == 1
    open_ = await _count(h, FollowUp, FollowUp.status == "open")
    assert open_ == 1
    # a double tap changes nothing twice
    await h.press(NAV, f"fu:noanswer:{fid}")
    assert _alerts(h) == ["That follow-up is already done or closed."]
    assert await _count(h, Contact, Contact.outcome == "attempted") == 1


async def test_snooze_moves_the_due_time_once_even_on_a_double_tap(h: Harness) -> None:
    staff = await _team(h)
    fid = await _followup(h, staff[NAV])
    before = (await _get(h, FollowUp, fid)).due_at
    await h.press(NAV, f"fu:snooze:1h:{fid}")
    await h.press(NAV, f"fu:snooze:1h:{fid}")
    followup = await _get(h, FollowUp, fid)
    assert followup.due_at > before
    assert not followup.reminder.due_nudge_sent
    assert "moved to" in h.last_text_to(NAV)
    async with h.session() as session:
        edits = await list_audit_entries(session, action="edit")
    assert len(edits) <= 2  # the second tap lands on the same minute: at most one more
    assert len({e.detail for e in edits}) == 1


async def test_close_case_closes_the_client_and_a_second_tap_is_stale(h: Harness) -> None:
    staff = await _team(h)
    fid = await _followup(h, staff[NAV])
    await h.press(NAV, f"fu:close:{fid}")
    assert "Case <b>C123</b> closed" in h.last_text_to(NAV)
    assert (await _get(h, FollowUp, fid)).status == "cancelled"
    assert await _count(h, Client, Client.status == "closed") == 1
    await h.press(NAV, f"fu:close:{fid}")
    assert _alerts(h) == ["That follow-up is already done or closed."]


async def test_forged_and_malformed_ids_are_refused(h: Harness) -> None:
    staff = await _team(h)
    fid = await _followup(h, staff[NAV])
    for data in (
        "fu:noanswer:999999",
        "fu:close:abc",
        f"fu:snooze:1y:{fid}",
        "fu:snooze:1h:" + "9" * 40,
        "esc:to:1",
        f"esc:ack:{fid}:extra",
        "sg:ack:424242",
        "fu:resched:777777",
    ):
        await h.press(NAV, data)
    alerts = _alerts(h)
    assert len(alerts) == 8
    assert (await _get(h, FollowUp, fid)).status == "open"
    assert h.texts_to(NAV) == []


async def test_someone_elses_buttons_change_nothing(h: Harness) -> None:
    staff = await _team(h)
    fid = await _followup(h, staff[NAV])
    for user in (OTHER, FOREIGN_SUP):
        await h.press(user, f"fu:close:{fid}")
        await h.press(user, f"fu:snooze:3d:{fid}")
        await h.press(user, f"esc:ack:{fid}")
    assert _alerts(h) == ["That is not yours to change."] * 6
    followup = await _get(h, FollowUp, fid)
    assert followup.status == "open"
    assert followup.escalation_acknowledged_at is None
    # the owner's supervisor may act
    await h.press(SUP, f"fu:snooze:3d:{fid}")
    assert "moved to" in h.last_text_to(SUP)


async def test_escalation_acknowledge_first_wins_and_navigators_cannot(h: Harness) -> None:
    staff = await _team(h)
    fid = await _followup(h, staff[NAV])
    await h.press(NAV, f"esc:ack:{fid}")
    assert _alerts(h) == ["That is not yours to change."]
    await h.press(SUP, f"esc:ack:{fid}")
    assert "acknowledged" in h.last_text_to(SUP)
    await h.press(ADMIN, f"esc:ack:{fid}")
    assert _alerts(h)[-1] == "Already acknowledged by Sue."
    followup = await _get(h, FollowUp, fid)
    assert followup.escalation_acknowledged_by_id == staff[SUP].id
    async with h.session() as session:
        assert len(await list_audit_entries(session, action="acknowledge")) == 1


async def test_reassign_lists_the_team_moves_the_follow_up_and_tells_the_new_owner(
    h: Harness,
) -> None:
    staff = await _team(h)
    fid = await _followup(h, staff[NAV])
    await h.press(SUP, f"esc:reassign:{fid}")
    choices = _buttons(h, SUP)
    assert f"esc:to:{fid}:{staff[OTHER].id}" in choices
    assert f"esc:to:{fid}:{staff[NAV].id}" not in choices
    assert all(f":{staff[FOREIGN_SUP].id}" not in c for c in choices)
    await h.press(SUP, f"esc:to:{fid}:{staff[OTHER].id}")
    assert "now with Omar" in h.last_text_to(SUP)
    followup = await _get(h, FollowUp, fid)
    assert followup.staff_id == staff[OTHER].id
    assert await _count(h, Client, Client.owner_id == staff[OTHER].id) == 1
    await h.press(SUP, f"esc:to:{fid}:{staff[OTHER].id}")
    assert _alerts(h)[-1] == "Already with Omar."
    # to someone in another team, or a forged staff id: refused
    await h.press(SUP, f"esc:to:{fid}:{staff[FOREIGN_SUP].id}")
    await h.press(SUP, f"esc:to:{fid}:99999")
    assert _alerts(h)[-2:] == ["That follow-up no longer exists."] * 2
    async with h.session() as session:
        assert len(await list_audit_entries(session, action="reassign")) == 1
    await run_sweep(h.app)
    assert any("has passed client <b>C123</b> to you" in t for t in h.texts_to(OTHER))


async def test_safeguarding_alert_acknowledge_first_wins(h: Harness) -> None:
    staff = await _team(h)
    await _followup(h, staff[NAV], risks=(Risk.WEAPON,))
    await run_sweep(h.app)
    alert_text = next(t for t in h.texts_to(SUP) if "Safeguarding alert" in t)
    assert "<b>C123</b>" in alert_text
    assert "weapon" in alert_text
    assert "Aisha" in alert_text
    async with h.session() as session:
        alert = await session.scalar(select(SafeguardingAlert))
    assert alert is not None
    assert f"sg:ack:{alert.id}" in [
        b["callback_data"]
        for c in h.transport.sent("sendMessage", chat_id=SUP)
        for row in (c.params.get("reply_markup") or {}).get("inline_keyboard", [])
        for b in row
    ]
    await h.press(NAV, f"sg:ack:{alert.id}")
    await h.press(FOREIGN_SUP, f"sg:ack:{alert.id}")
    assert _alerts(h) == ["Only supervisors of that team and admins can acknowledge."] * 2
    await h.press(SUP, f"sg:ack:{alert.id}")
    assert "acknowledged" in h.last_text_to(SUP)
    await h.press(ADMIN, f"sg:ack:{alert.id}")
    assert _alerts(h)[-1] == "Already acknowledged by Sue."
    alert = await _get(h, SafeguardingAlert, alert.id)
    assert alert.acknowledged_by_id == staff[SUP].id
    assert alert.repeat_at is None


async def test_reschedule_asks_for_a_date_and_explains_bad_ones(h: Harness) -> None:
    staff = await _team(h)
    fid = await _followup(h, staff[NAV])
    await h.press(NAV, f"fu:resched:{fid}")
    assert "New follow-up date for <b>C123</b>" in h.last_text_to(NAV)
    await h.send(NAV, "31/02")
    assert "does not exist" in h.last_text_to(NAV)
    await h.send(NAV, "the day after the thing")
    assert "/cancel" in h.last_text_to(NAV)
    await h.send(NAV, "in 3 days")
    assert "moved to" in h.last_text_to(NAV)
    followup = await _get(h, FollowUp, fid)
    assert followup.due_at > datetime.now(UTC) + timedelta(days=2)
    # the conversation is over: text is no longer taken as a date
    await h.send(NAV, "tomorrow")
    assert "moved to" not in h.last_text_to(NAV)


async def test_reschedule_cancel_keeps_the_follow_up(h: Harness) -> None:
    staff = await _team(h)
    fid = await _followup(h, staff[NAV])
    due = (await _get(h, FollowUp, fid)).due_at
    await h.press(NAV, f"fu:resched:{fid}")
    await h.send(NAV, "/cancel")
    assert "Kept the follow-up" in h.last_text_to(NAV)
    assert (await _get(h, FollowUp, fid)).due_at == due
    await h.press(OTHER, f"fu:resched:{fid}")
    assert _alerts(h) == ["That is not yours to change."]


async def test_hours_shows_sets_and_explains_bad_input(h: Harness) -> None:
    staff = await _team(h)
    fid = await _followup(h, staff[NAV], due=datetime.now(UTC) + timedelta(days=2))
    await h.send(NAV, "/hours")
    assert "Mon–Sun 00:00–23:59 (Europe/London)" in h.last_text_to(NAV)
    await h.send(NAV, "/hours mon-fri 25:00-18:00")
    assert "could not read the times" in h.last_text_to(NAV)
    await h.send(NAV, "/hours someday 09:00-18:00")
    assert "could not read the days" in h.last_text_to(NAV)
    await h.send(NAV, "/hours mon-fri 18:00-18:00")
    assert "start and end times must differ" in h.last_text_to(NAV)
    await h.send(NAV, "/hours sun-mon 09:00-17:00")
    assert "sun-mon runs backwards through the week" in h.last_text_to(NAV)
    assert "(sun,mon)" in h.last_text_to(NAV)
    await h.send(NAV, "/hours <b>fri</b>-mon 09:00-17:00")
    assert "<b>" not in h.last_text_to(NAV)  # what is echoed is escaped
    assert (await _get(h, Staff, staff[NAV].id)).working_hours == "mon-sun 00:00-23:59"
    before = (await _get(h, FollowUp, fid)).reminder.next_reminder_at
    await h.send(NAV, "/hours sat 10:00-11:00")
    assert "Working hours set: Sat 10:00–11:00" in h.last_text_to(NAV)
    member = await _get(h, Staff, staff[NAV].id)
    assert member.working_hours == "sat 10:00-11:00"
    after = (await _get(h, FollowUp, fid)).reminder.next_reminder_at
    assert after != before
    assert after.astimezone(h.app.bot_data.settings.tz).weekday() == 5


async def test_hours_takes_a_night_shift_that_crosses_midnight(h: Harness) -> None:
    staff = await _team(h)
    fid = await _followup(h, staff[NAV], due=datetime.now(UTC) + timedelta(days=2))
    await h.send(NAV, "/hours mon-fri 20:00-08:00")
    reply = h.last_text_to(NAV)
    assert "Working hours set: Mon–Fri 20:00–08:00" in reply
    assert "belongs to the day it starts" in reply
    assert (await _get(h, Staff, staff[NAV].id)).working_hours == "mon-fri 20:00-08:00"
    moment = (await _get(h, FollowUp, fid)).reminder.next_reminder_at
    local = moment.astimezone(h.app.bot_data.settings.tz)
    # a reminder waits for a shift: in the evening from 20:00 or in the small hours
    assert local.hour >= 20 or local.hour < 8


async def test_due_lists_today_and_overdue(h: Harness) -> None:
    staff = await _team(h)
    await h.send(NAV, "/due")
    assert "Nothing due today" in h.last_text_to(NAV)
    await _followup(h, staff[NAV], due=datetime.now(UTC) - timedelta(days=8))
    await h.send(NAV, "/due")
    text = h.last_text_to(NAV)
    assert "<b>C123</b>" in text
    assert "working days overdue" in text


async def test_blocking_and_unblocking_the_bot(h: Harness) -> None:
    staff = await _team(h)
    await h.process(_my_chat_member(NAV, "kicked"))
    assert not (await _get(h, Staff, staff[NAV].id)).reachable
    notices = await _count(h, OutboxMessage, OutboxMessage.kind == "unreachable")
    assert notices == 2  # the team supervisor and the admin
    await h.process(_my_chat_member(NAV, "kicked"))
    assert await _count(h, OutboxMessage, OutboxMessage.kind == "unreachable") == 2
    await run_sweep(h.app)
    assert any("Aisha has blocked the bot" in t for t in h.texts_to(SUP))
    assert any("Aisha has blocked the bot" in t for t in h.texts_to(ADMIN))
    await h.process(_my_chat_member(NAV, "member"))
    assert (await _get(h, Staff, staff[NAV].id)).reachable


def _my_chat_member(user_id: int, status: str) -> dict[str, Any]:
    raw = message_update(user_id, "x")
    message = raw["message"]
    bot_user = {"id": 123456, "is_bot": True, "first_name": "NavBot"}
    return {
        "update_id": raw["update_id"],
        "my_chat_member": {
            "chat": message["chat"],
            "from": message["from"],
            "date": message["date"],
            "old_chat_member": {"status": "member", "user": bot_user},
            "new_chat_member": (
                {"status": "kicked", "user": bot_user, "until_date": 0}
                if status == "kicked"
                else {"status": "member", "user": bot_user}
            ),
        },
    }
