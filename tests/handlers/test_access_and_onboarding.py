"""The access guard and onboarding, through a real Application and an offline transport."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.core.domain import Role
from bot.people.onboarding import issue_invite
from storage.audit import list_audit_entries
from storage.models import Invite, Staff
from storage.staff import get_staff_by_telegram_id
from tests.handlers.harness import Harness, callback_update

STRANGER = 5550001
NEWCOMER = 5550002


async def _invite(h: Harness, role: Role = Role.NAVIGATOR, *, days: int = 7, **kw: object) -> str:
    async with h.session() as session:
        code, _ = await issue_invite(
            session,
            role=role,
            team=str(kw.get("team", "hospital")),
            display_name=kw.get("display_name"),  # type: ignore[arg-type]
            now=datetime.now(UTC) - timedelta(days=8) if days < 0 else datetime.now(UTC),
            expires_in_days=abs(days),
        )
    return code


async def _staff_count(h: Harness) -> int:
    async with h.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Staff)) or 0)


async def test_unknown_user_is_refused_once_and_only_a_denied_row_is_kept(h: Harness) -> None:
    await h.send(STRANGER, "C123 seen in ED, phone 07700 900123")
    assert h.texts_to(STRANGER) == [
        "Sorry, this bot is only for invited staff of the navigator team."
    ]
    assert await _staff_count(h) == 0
    async with h.session() as session:
        rows = await list_audit_entries(session)
    assert [(r.action, r.actor_telegram_id, r.client_code) for r in rows] == [
        ("denied", STRANGER, None)
    ]
    assert "07700" not in (rows[0].detail or "")


async def test_unknown_user_button_press_is_refused_with_an_alert(h: Harness) -> None:
    await h.process(callback_update(STRANGER, "card:save:1"))
    answers = h.transport.sent("answerCallbackQuery")
    assert len(answers) == 1
    assert answers[0].params["show_alert"] is True
    assert "only for invited staff" in answers[0].params["text"]


async def test_invite_registers_the_sender_with_role_and_team(h: Harness) -> None:
    code = await _invite(h, Role.SUPERVISOR, team="community")
    await h.send(NEWCOMER, f"/start {code}", first_name="Rumi")
    reply = h.last_text_to(NEWCOMER)
    assert "Welcome, Rumi." in reply
    assert "supervisor in team community" in reply
    assert "/invite" in reply  # supervisors see their extra commands
    async with h.session() as session:
        staff = await get_staff_by_telegram_id(session, telegram_id=NEWCOMER)
        invite = await session.scalar(select(Invite))
    assert staff is not None
    assert (staff.role, staff.team, staff.active) == ("supervisor", "community", True)
    assert invite is not None
    assert invite.used_by_id == staff.id


async def test_code_is_case_and_space_tolerant(h: Harness) -> None:
    code = await _invite(h)
    await h.send(NEWCOMER, f"/start {code.lower()}")
    assert "Welcome" in h.last_text_to(NEWCOMER)


async def test_a_used_code_is_refused_for_someone_else(h: Harness) -> None:
    code = await _invite(h)
    await h.send(NEWCOMER, f"/start {code}")
    await h.send(STRANGER, f"/start {code}")
    assert "already been used" in h.last_text_to(STRANGER)
    async with h.session() as session:
        assert await get_staff_by_telegram_id(session, telegram_id=STRANGER) is None
        denied = await list_audit_entries(session, action="denied")
    assert [d.detail for d in denied] == ["invite used"]


async def test_an_expired_code_is_refused(h: Harness) -> None:
    code = await _invite(h, days=-1)
    await h.send(NEWCOMER, f"/start {code}")
    assert "expired" in h.last_text_to(NEWCOMER)
    assert await _staff_count(h) == 0


@pytest.mark.parametrize(
    "text", ["/start nonsense", "/start <b>x</b>", "/start " + "A" * 5000, "/start ＡＢＣ"]
)
async def test_invalid_codes_are_refused(h: Harness, text: str) -> None:
    await h.send(NEWCOMER, text)
    assert "not valid" in h.last_text_to(NEWCOMER)
    assert await _staff_count(h) == 0


async def test_start_without_a_code_from_a_stranger_is_refused(h: Harness) -> None:
    await h.send(STRANGER, "/start")
    assert "only for invited staff" in h.last_text_to(STRANGER)


async def test_a_revoked_user_is_refused_on_the_next_update(h: Harness) -> None:
    staff = await h.add_staff(NEWCOMER)
    await h.send(NEWCOMER, "/help")
    assert "/help" in h.last_text_to(NEWCOMER)
    async with h.session() as session:
        row = await session.get(Staff, staff.id)
        assert row is not None
        row.active = False
    await h.send(NEWCOMER, "/help")
    assert "only for invited staff" in h.last_text_to(NEWCOMER)


async def test_a_revoked_user_can_come_back_with_a_new_invite(h: Harness) -> None:
    await h.add_staff(NEWCOMER, active=False)
    code = await _invite(h, team="community")
    await h.send(NEWCOMER, f"/start {code}")
    assert "team community" in h.last_text_to(NEWCOMER)


async def test_group_messages_make_the_bot_leave_without_answering(h: Harness) -> None:
    await h.add_staff(NEWCOMER)
    await h.send(NEWCOMER, "/help", chat_id=-1001, chat_type="supergroup")
    assert [c.params["chat_id"] for c in h.transport.sent("leaveChat")] == [-1001]
    assert h.transport.sent("sendMessage") == []


async def test_being_added_to_a_group_makes_the_bot_leave(h: Harness) -> None:
    await h.process(
        {
            "update_id": 99,
            "my_chat_member": {
                "chat": {"id": -2002, "type": "group", "title": "Team chat"},
                "from": {"id": NEWCOMER, "is_bot": False, "first_name": "A"},
                "date": 0,
                "old_chat_member": {
                    "status": "left",
                    "user": {"id": 123456, "is_bot": True, "first_name": "NavBot"},
                },
                "new_chat_member": {
                    "status": "member",
                    "user": {"id": 123456, "is_bot": True, "first_name": "NavBot"},
                },
            },
        }
    )
    assert [c.params["chat_id"] for c in h.transport.sent("leaveChat")] == [-2002]


async def test_help_lists_only_what_the_role_may_use(h: Harness) -> None:
    await h.add_staff(NEWCOMER, role="navigator")
    await h.send(NEWCOMER, "/help")
    assert "/invite" not in h.last_text_to(NEWCOMER)


async def test_navigators_cannot_invite(h: Harness) -> None:
    await h.add_staff(NEWCOMER, role="navigator")
    await h.send(NEWCOMER, "/invite navigator hospital")
    assert "only supervisors and admins" in h.last_text_to(NEWCOMER)
    async with h.session() as session:
        assert await session.scalar(select(func.count()).select_from(Invite)) == 0


async def test_supervisor_invites_for_own_team_only(h: Harness) -> None:
    await h.add_staff(NEWCOMER, role="supervisor", team="hospital")
    await h.send(NEWCOMER, "/invite navigator community")
    assert "your own team only" in h.last_text_to(NEWCOMER)
    await h.send(NEWCOMER, "/invite navigator hospital")
    reply = h.last_text_to(NEWCOMER)
    assert "<code>/start " in reply
    assert "https://t.me/navbot_test_bot?start=" in reply
    code = reply.split("<code>/start ")[1].split("</code>")[0]
    await h.send(STRANGER, f"/start {code}")
    assert "navigator in team hospital" in h.last_text_to(STRANGER)


async def test_invite_rejects_bad_roles_and_teams(h: Harness) -> None:
    await h.add_staff(NEWCOMER, role="admin", team="hospital")
    await h.send(NEWCOMER, "/invite wizard hospital")
    assert "Usage:" in h.last_text_to(NEWCOMER)
    await h.send(NEWCOMER, "/invite navigator <b>evil</b>")
    assert "Team names use" in h.last_text_to(NEWCOMER)


async def test_names_are_escaped_in_replies(h: Harness) -> None:
    code = await _invite(h, display_name="<b>Bo</b> & co")
    await h.send(NEWCOMER, f"/start {code}")
    assert "Welcome, &lt;b&gt;Bo&lt;/b&gt; &amp; co." in h.last_text_to(NEWCOMER)


async def test_errors_are_reported_to_the_user_and_logged_without_text(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    from telegram.ext import CommandHandler

    async def explode(*_: object) -> None:
        raise RuntimeError("kaboom")

    h.app.add_handler(CommandHandler("help", explode), group=1)
    await h.add_staff(NEWCOMER)
    with caplog.at_level(logging.ERROR):
        await h.send(NEWCOMER, "/help secret-client-note")
    assert h.last_text_to(NEWCOMER) == "Sorry, something went wrong. Please try again."
    assert "RuntimeError" in caplog.text
    assert "secret-client-note" not in caplog.text
