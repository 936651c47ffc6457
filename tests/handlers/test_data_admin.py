"""/audit, /client_export and /client_erase (issue 16) through a real Application."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select

from bot.contacts.saving import ContactInput, reminder_settings, save_contact
from bot.context import StaffMember
from bot.core.domain import Outcome, Service, ServiceStatus, Setting
from storage.audit import list_audit_entries
from storage.models import Client, Contact, Staff
from tests.handlers.harness import Harness

NAV, SUP, ADMIN = 7001, 7002, 7004


@pytest.fixture(autouse=True)
def _midday() -> Any:
    with time_machine.travel(datetime(2026, 3, 25, 12, tzinfo=UTC), tick=True):
        yield


async def _setup(h: Harness, contacts: int = 1) -> dict[int, Staff]:
    staff = {
        NAV: await h.add_staff(NAV, display_name="Aisha", username="aisha"),
        SUP: await h.add_staff(SUP, role="supervisor", display_name="Sue"),
        ADMIN: await h.add_staff(ADMIN, role="admin", team="office", display_name="Ada"),
    }
    for _ in range(contacts):
        async with h.session() as session:
            await save_contact(
                session,
                staff=StaffMember.from_row(staff[NAV]),
                contact=ContactInput(
                    client_code="C123",
                    setting=Setting.HOSPITAL,
                    outcome=Outcome.MADE,
                    services=((Service.ETE, ServiceStatus.REFERRED),),
                    note="seen [phone]",
                ),
                now=datetime.now(UTC),
                settings=reminder_settings(h.app.bot_data.settings),
            )
    return staff


def _buttons(h: Harness, chat_id: int) -> list[str]:
    calls = [
        c
        for c in h.transport.calls
        if c.params.get("chat_id") == chat_id and c.params.get("reply_markup")
    ]
    markup = calls[-1].params["reply_markup"]
    return [b["callback_data"] for row in markup["inline_keyboard"] for b in row]


@pytest.mark.parametrize("text", ["/audit C123", "/client_export C123", "/client_erase C123"])
async def test_not_for_supervisors_or_navigators(h: Harness, text: str) -> None:
    await _setup(h)
    for who in (NAV, SUP):
        await h.send(who, text)
        assert h.last_text_to(who) == "Sorry, only admins can do that."
    async with h.session() as session:
        assert await session.scalar(select(func.count()).select_from(Client)) == 1


async def test_audit_of_a_client_is_newest_first_and_paged(h: Harness) -> None:
    await _setup(h, contacts=12)
    await h.send(ADMIN, "/audit C123")
    text = h.last_text_to(ADMIN)
    assert "<b>Audit log: C123</b> (1–10 of 13, newest first)" in text
    assert "view · Ada · audit" in text.splitlines()[1]  # this very look is the newest
    assert "seen" not in text  # no free text, ever
    (older,) = _buttons(h, ADMIN)
    assert older == "au:c:C123:10"
    await h.press(ADMIN, older)
    page = h.transport.sent("editMessageText")[-1].params
    assert "(11–13 of 13, newest first)" in page["text"]
    assert [b["callback_data"] for b in page["reply_markup"]["inline_keyboard"][0]] == [
        "au:c:C123:0"
    ]


async def test_audit_of_a_colleague(h: Harness) -> None:
    await _setup(h, contacts=2)
    await h.send(ADMIN, "/audit @aisha")
    text = h.last_text_to(ADMIN)
    assert "<b>Audit log: Aisha</b> (1–2 of 2, newest first)" in text
    assert "create · Aisha · C123 · contact" in text


async def test_client_export_sends_the_json_as_a_document(h: Harness) -> None:
    await _setup(h)
    await h.send(ADMIN, "/client_export C123")
    (call,) = h.transport.sent("sendDocument")
    (name, data) = next(iter(call.files.values()))
    assert name == "client-C123.json"
    exported = json.loads(data)
    assert exported["client"]["code"] == "C123"
    async with h.session() as session:
        (entry,) = await list_audit_entries(session, action="export")
    assert (entry.client_code, entry.detail) == ("C123", "chat")
    await h.send(ADMIN, "/client_export C999")
    assert h.last_text_to(ADMIN) == "No client C999."


async def test_client_erase_asks_twice_naming_the_record_count(h: Harness) -> None:
    await _setup(h, contacts=2)
    await h.send(ADMIN, "/client_erase C123")
    assert "Erase everything held about C123?" in h.last_text_to(ADMIN)
    first, cancel = _buttons(h, ADMIN)
    assert cancel == "er:x"
    await h.press(ADMIN, first)
    # the client, 2 contacts, 2 service events
    assert "Really erase C123? 5 records go for good." in h.last_text_to(ADMIN)
    second, _ = _buttons(h, ADMIN)
    assert second == "er:2:C123:5"
    async with h.session() as session:
        assert await session.scalar(select(func.count()).select_from(Contact)) == 2
    await h.press(ADMIN, second)
    assert "C123 is erased" in h.last_text_to(ADMIN)
    async with h.session() as session:
        assert await session.scalar(select(func.count()).select_from(Client)) == 0
        (entry,) = await list_audit_entries(session, action="erase")
    assert entry.client_code == "C123"


async def test_an_erase_whose_count_changed_asks_again(h: Harness) -> None:
    await _setup(h)  # the client, a contact, a service event
    await h.press(ADMIN, "er:2:C123:2")  # confirmed when fewer records were held
    assert "Really erase C123? 3 records go for good." in h.last_text_to(ADMIN)
    async with h.session() as session:
        assert await session.scalar(select(func.count()).select_from(Client)) == 1
