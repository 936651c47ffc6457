"""/users, /revoke, /role, /team (issue 16) through a real Application, and `navbot revoke`
with an open caseload."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from bot.cli import main
from bot.contacts.saving import ContactInput, reminder_settings, save_contact
from bot.context import StaffMember
from bot.core.domain import Outcome, Setting
from storage.audit import list_audit_entries
from storage.db import create_engine, create_session_factory
from storage.migrate import migrate
from storage.models import Client, Staff
from storage.staff import create_or_reactivate_staff
from tests.conftest import make_settings
from tests.handlers.harness import Harness

NAV, SUP, OTHER, ADMIN, FOREIGN_SUP, FOREIGN_NAV = 7001, 7002, 7003, 7004, 7005, 7006


@pytest.fixture(autouse=True)
def _midday() -> Any:
    with time_machine.travel(datetime(2026, 3, 25, 12, tzinfo=UTC), tick=True):
        yield


async def _team(h: Harness) -> dict[int, Staff]:
    return {
        NAV: await h.add_staff(NAV, display_name="Aisha", username="aisha"),
        SUP: await h.add_staff(SUP, role="supervisor", display_name="Sue", username="sue"),
        OTHER: await h.add_staff(OTHER, display_name="Omar", username="omar"),
        ADMIN: await h.add_staff(ADMIN, role="admin", team="office", display_name="Ada"),
        FOREIGN_SUP: await h.add_staff(FOREIGN_SUP, role="supervisor", team="community"),
        FOREIGN_NAV: await h.add_staff(FOREIGN_NAV, team="community", display_name="Farid"),
    }


async def _log(h: Harness, who: Staff, code: str) -> None:
    now = datetime.now(UTC)
    async with h.session() as session:
        await save_contact(
            session,
            staff=StaffMember.from_row(who),
            contact=ContactInput(
                client_code=code,
                setting=Setting.HOSPITAL,
                outcome=Outcome.MADE,
                follow_up_at=now + timedelta(days=2),
            ),
            now=now,
            settings=reminder_settings(h.app.bot_data.settings),
        )


async def _member(h: Harness, telegram_id: int) -> Staff:
    async with h.session() as session:
        found = await session.scalar(select(Staff).where(Staff.telegram_id == telegram_id))
    assert found is not None
    return found


def _buttons(h: Harness, chat_id: int) -> list[str]:
    calls = [
        c for c in h.transport.sent("sendMessage", chat_id=chat_id) if c.params.get("reply_markup")
    ]
    markup = calls[-1].params["reply_markup"]
    return [b["callback_data"] for row in markup["inline_keyboard"] for b in row]


def _menus_for(h: Harness, telegram_id: int) -> list[Any]:
    return [
        c
        for c in h.transport.calls
        if c.method.lower() in ("setmycommands", "deletemycommands")
        and c.params.get("scope", {}).get("chat_id") == telegram_id
    ]


async def test_users_lists_the_team_with_open_caseloads(h: Harness) -> None:
    staff = await _team(h)
    await _log(h, staff[NAV], "C1")
    await h.send(SUP, "/users")
    text = h.last_text_to(SUP)
    assert "Aisha (@aisha): navigator, hospital, 1 open clients" in text
    assert "Farid" not in text
    await h.send(SUP, "/users community")
    assert "Sorry, that is for admins" in h.last_text_to(SUP)
    await h.send(ADMIN, "/users community")
    assert "Farid" in h.last_text_to(ADMIN)
    await h.send(NAV, "/users")
    assert "Sorry, that is for admins" in h.last_text_to(NAV)


async def test_revoke_without_a_caseload_confirms_audits_and_clears_the_menu(h: Harness) -> None:
    await _team(h)
    await h.send(SUP, "/revoke @omar")
    assert "Revoke the access of Omar?" in h.last_text_to(SUP)
    assert (await _member(h, OTHER)).active
    await h.press(SUP, _buttons(h, SUP)[0])
    assert "Omar is revoked." in h.last_text_to(SUP)
    assert not (await _member(h, OTHER)).active
    assert _menus_for(h, OTHER)
    async with h.session() as session:
        assert [e.detail for e in await list_audit_entries(session, action="revoke")] == [
            f"telegram_id={OTHER}"
        ]
    await h.send(OTHER, "/help")
    assert "only for invited staff" in h.last_text_to(OTHER)


async def test_revoke_with_a_caseload_hands_it_to_the_supervisor_first(h: Harness) -> None:
    staff = await _team(h)
    await _log(h, staff[NAV], "C1")
    await h.send(SUP, "/revoke @aisha")
    assert "Aisha has 1 open client. Hand it over" in h.last_text_to(SUP)
    await h.press(SUP, _buttons(h, SUP)[0])
    assert "Their open clients are now with Sue." in h.last_text_to(SUP)
    async with h.session() as session:
        owner = await session.scalar(select(Client.owner_id).where(Client.code == "C1"))
    assert owner == staff[SUP].id
    assert not (await _member(h, NAV)).active


@pytest.mark.parametrize(
    ("who", "text", "reply"),
    [
        (NAV, "/revoke @omar", "Sorry, that is for admins"),
        (FOREIGN_SUP, "/revoke @omar", "Sorry, that is for admins"),
        (SUP, "/revoke Sue", "cannot do that to yourself"),
        (SUP, "/role @omar admin", "Sorry, that is for admins"),
        (SUP, "/team @omar community", "Sorry, that is for admins"),
        (ADMIN, "/role @omar wizard", "Usage: /role"),
    ],
)
async def test_refusals(h: Harness, who: int, text: str, reply: str) -> None:
    await _team(h)
    await h.send(who, text)
    assert reply in h.last_text_to(who)
    other = await _member(h, OTHER)
    assert (other.active, other.role, other.team) == (True, "navigator", "hospital")


async def test_role_change_updates_the_menu_at_once(h: Harness) -> None:
    await _team(h)
    await h.send(SUP, "/role @omar supervisor")
    assert "Make Omar a supervisor?" in h.last_text_to(SUP)
    await h.press(SUP, _buttons(h, SUP)[0])
    assert "Omar is now a supervisor." in h.last_text_to(SUP)
    assert (await _member(h, OTHER)).role == "supervisor"
    menus = _menus_for(h, OTHER)
    assert menus
    names = [c["command"] for c in menus[0].params["commands"]]
    assert "overdue" in names
    assert "team" not in names


async def test_team_move_asks_about_the_caseload(h: Harness) -> None:
    staff = await _team(h)
    await _log(h, staff[NAV], "C1")
    await h.send(ADMIN, "/team @aisha community")
    assert "They have 1 open client: what happens to it?" in h.last_text_to(ADMIN)
    take, leave, cancel = _buttons(h, ADMIN)
    assert cancel == "ta:x"
    await h.press(ADMIN, leave)
    assert "Aisha is now in team community." in h.last_text_to(ADMIN)
    async with h.session() as session:
        client = await session.scalar(select(Client).where(Client.code == "C1"))
    assert client is not None
    assert (client.owner_id, client.team) == (staff[SUP].id, "hospital")
    assert (await _member(h, NAV)).team == "community"
    assert take.endswith(":take")


def test_cli_revoke_asks_for_a_handover_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'navbot.db'}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)

    async def prepare() -> None:
        await migrate(url)
        engine = create_engine(url)
        factory = create_session_factory(engine)
        async with factory.begin() as session:
            navigator = await create_or_reactivate_staff(
                session,
                telegram_id=11,
                role="navigator",
                team="t",
                display_name="N",
                telegram_language="en",
            )
            await create_or_reactivate_staff(
                session,
                telegram_id=12,
                role="supervisor",
                team="t",
                display_name="S",
                telegram_language="en",
            )
            await save_contact(
                session,
                staff=StaffMember.from_row(navigator),
                contact=ContactInput(client_code="C1", setting=None, outcome=Outcome.MADE),
                now=datetime.now(UTC),
                settings=reminder_settings(make_settings(url)),
            )
        await engine.dispose()

    asyncio.run(prepare())
    assert main(["revoke", "11"]) == 2
    assert "has 1 open clients: hand them over first" in capsys.readouterr().err
    assert main(["revoke", "11", "--hand-over"]) == 0
    out = capsys.readouterr().out
    assert "handed 1 open clients to 12" in out
    assert "revoked 11" in out
