"""/reassign and /handover (issue 16) through a real Application."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from bot.contacts.saving import ContactInput, reminder_settings, save_contact
from bot.context import StaffMember
from bot.core.domain import Outcome, Setting
from bot.jobs.schedule import run_sweep
from storage.audit import list_audit_entries
from storage.models import Client, FollowUp, Staff
from tests.handlers.harness import Harness

NAV, SUP, OTHER, ADMIN, FOREIGN_SUP, FOREIGN_NAV = 7001, 7002, 7003, 7004, 7005, 7006
ALWAYS = "mon-sun 00:00-23:59"


@pytest.fixture(autouse=True)
def _midday() -> Any:
    with time_machine.travel(datetime(2026, 3, 25, 12, tzinfo=UTC), tick=True):
        yield


async def _team(h: Harness) -> dict[int, Staff]:
    return {
        NAV: await h.add_staff(NAV, working_hours=ALWAYS, display_name="Aisha", username="aisha"),
        SUP: await h.add_staff(SUP, role="supervisor", display_name="Sue"),
        OTHER: await h.add_staff(OTHER, working_hours=ALWAYS, display_name="Omar", username="omar"),
        ADMIN: await h.add_staff(ADMIN, role="admin", team="office", display_name="Ada"),
        FOREIGN_SUP: await h.add_staff(FOREIGN_SUP, role="supervisor", team="community"),
        FOREIGN_NAV: await h.add_staff(
            FOREIGN_NAV, team="community", display_name="Farid", username="farid"
        ),
    }


async def _log(h: Harness, who: Staff, code: str, days: int | None = 2) -> None:
    now = datetime.now(UTC)
    async with h.session() as session:
        await save_contact(
            session,
            staff=StaffMember.from_row(who),
            contact=ContactInput(
                client_code=code,
                setting=Setting.HOSPITAL,
                outcome=Outcome.MADE,
                follow_up_at=now + timedelta(days=days) if days else None,
            ),
            now=now,
            settings=reminder_settings(h.app.bot_data.settings),
        )


async def _owners(h: Harness) -> dict[str, int]:
    async with h.session() as session:
        return dict((await session.execute(select(Client.code, Client.owner_id))).tuples().all())


def _last_buttons(h: Harness, chat_id: int) -> list[str]:
    calls = [
        c for c in h.transport.sent("sendMessage", chat_id=chat_id) if c.params.get("reply_markup")
    ]
    markup = calls[-1].params["reply_markup"]
    return [b["callback_data"] for row in markup["inline_keyboard"] for b in row]


async def test_reassign_one_client_after_confirmation(h: Harness) -> None:
    staff = await _team(h)
    await _log(h, staff[NAV], "C1")
    await _log(h, staff[NAV], "C2")
    await h.send(SUP, "/reassign C1 @omar")
    card = h.last_text_to(SUP)
    assert "Hand over 1 client from Aisha to Omar?" in card
    assert "1 open follow-up" in card
    assert (await _owners(h))["C1"] == staff[NAV].id  # nothing moves before the press
    confirm, cancel = _last_buttons(h, SUP)
    assert cancel == "ho:x"
    await h.press(SUP, confirm)
    assert "Done: 1 client now with Omar (1 follow-up moved)." in h.last_text_to(SUP)
    assert await _owners(h) == {"C1": staff[OTHER].id, "C2": staff[NAV].id}
    async with h.session() as session:
        followup_owners = set((await session.scalars(select(FollowUp.staff_id))).all())
        audit = await list_audit_entries(session, action="reassign")
    assert followup_owners == {staff[NAV].id, staff[OTHER].id}
    assert [(e.client_code, e.actor_staff_id) for e in audit] == [("C1", staff[SUP].id)]
    await run_sweep(h.app)
    assert any("handed over to you from Aisha: C1" in t for t in h.texts_to(OTHER))
    assert any("handed over to Omar: C1" in t for t in h.texts_to(NAV))
    # a second press of the same card finds the client moved on
    await h.press(SUP, confirm)
    assert "nothing to hand over" in h.last_text_to(SUP)


async def test_handover_of_a_caseload_open_or_all(h: Harness) -> None:
    staff = await _team(h)
    await _log(h, staff[NAV], "C1")
    await _log(h, staff[NAV], "C2", days=None)
    await h.send(NAV, "/close C2")
    await _log(h, staff[NAV], "C3")
    await h.send(SUP, "/handover aisha @omar")  # her /close cleared her stored @username
    assert "Hand over 2 clients from Aisha to Omar?" in h.last_text_to(SUP)
    assert "C1, C3" in h.last_text_to(SUP)
    await h.press(SUP, _last_buttons(h, SUP)[0])
    assert await _owners(h) == {"C1": staff[OTHER].id, "C2": staff[NAV].id, "C3": staff[OTHER].id}
    await h.send(SUP, f"/handover {NAV} @omar all")
    assert "Hand over 1 client from Aisha to Omar?" in h.last_text_to(SUP)


async def test_cancel_changes_nothing(h: Harness) -> None:
    staff = await _team(h)
    await _log(h, staff[NAV], "C1")
    await h.send(SUP, "/handover @aisha @omar")
    await h.press(SUP, "ho:x")
    assert "Nothing was changed" in h.last_text_to(SUP)
    assert (await _owners(h))["C1"] == staff[NAV].id


@pytest.mark.parametrize(
    ("who", "text", "reply"),
    [
        (NAV, "/reassign C1 @omar", "only supervisors and admins"),
        (NAV, "/handover @aisha @omar", "only supervisors and admins"),
        (FOREIGN_SUP, "/reassign C1 @farid", "within their own team only"),
        (SUP, "/reassign C1 @farid", "within their own team only"),
        (SUP, "/handover @aisha @farid", "within their own team only"),
        (SUP, "/handover @aisha @aisha", "the same person"),
        (SUP, "/handover @omar @aisha", "no clients to hand over"),
        (SUP, "/reassign C999 @omar", "No such client"),
        (SUP, "/reassign Ahmed @omar", "never their name"),
    ],
)
async def test_refusals(h: Harness, who: int, text: str, reply: str) -> None:
    staff = await _team(h)
    await _log(h, staff[NAV], "C1")
    await h.send(who, text)
    assert reply in h.last_text_to(who)
    assert (await _owners(h))["C1"] == staff[NAV].id


async def test_a_forged_press_by_another_teams_supervisor_is_refused(h: Harness) -> None:
    staff = await _team(h)
    await _log(h, staff[NAV], "C1")
    await h.press(FOREIGN_SUP, f"ho:n:{staff[NAV].id}:{staff[FOREIGN_NAV].id}:open")
    assert "within their own team only" in h.last_text_to(FOREIGN_SUP)
    assert (await _owners(h))["C1"] == staff[NAV].id


async def test_an_admin_hands_over_across_teams(h: Harness) -> None:
    staff = await _team(h)
    await _log(h, staff[NAV], "C1")
    await h.send(ADMIN, "/reassign C1 @farid")
    await h.press(ADMIN, _last_buttons(h, ADMIN)[0])
    async with h.session() as session:
        client = await session.scalar(select(Client).where(Client.code == "C1"))
    assert client is not None
    assert (client.owner_id, client.team) == (staff[FOREIGN_NAV].id, "community")
