"""Conversation state lives in the database: every step of the guided /log, Reschedule and a
card waiting for a typed date is answered by a freshly built Application on the same
database (a restart, or another process); stale flows expire with a clear message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select

from storage.models import Contact, Conversation, FollowUp, PendingDraft
from tests.conftest import make_settings
from tests.handlers.harness import Harness, running_harness
from tests.handlers.logging_helpers import alerts, button, strip_tags

NAV = 8101
START = datetime(2026, 3, 25, 12, tzinfo=UTC)  # a Wednesday noon in London


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


@asynccontextmanager
async def process(sqlite_url: str) -> AsyncIterator[Harness]:
    """One bot process: a new Application, engine and transport on the same database."""
    async with running_harness(make_settings(sqlite_url)) as h:
        yield h


async def _count(h: Harness, model: Any) -> int:
    async with h.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_every_step_of_the_guided_log_survives_a_restart(sqlite_url: str) -> None:
    async with process(sqlite_url) as h:
        await h.add_staff(NAV)
        await h.send(NAV, "/log")
        assert "Which client?" in h.last_text_to(NAV)
    steps: list[tuple[str, str, str]] = [
        ("send", "C123", "where was the contact?"),
        ("press", "g:setting:phone", "What happened?"),
        ("press", "g:outcome:made", "Services:"),
        ("press", "g:svc:drug_treatment", "Drug treatment: referred"),
        ("press", "g:svc:done", "Any risks?"),
        ("press", "g:risk:weapon", "• Weapon"),
        ("press", "g:risk:done", "Follow-up?"),
        ("send", "friday", "Add a short note"),
        ("send", "talked about his course", "Client: C123"),
    ]
    for how, what, expected in steps:
        async with process(sqlite_url) as h:
            if how == "send":
                await h.send(NAV, what)
            else:
                await h.press(NAV, what)
            assert alerts(h) in ([], [""]), (what, alerts(h))
            said = strip_tags(h.last_text_to(NAV))
            keyboard = str(h.transport.calls[-1].params.get("reply_markup", ""))
            assert expected.lower() in (said + keyboard).lower(), (what, said)
            save = button(h, NAV, "card:save:") if what.startswith("talked") else ""
    async with process(sqlite_url) as h:
        assert await _count(h, Conversation) == 0  # the flow ended with the card
        await h.press(NAV, save)
        assert "Saved." in alerts(h)
        async with h.session() as session:
            (contact,) = (await session.scalars(select(Contact))).all()
        assert contact.source == "guided"
        assert contact.setting == "phone"


async def test_reschedule_waits_for_its_date_across_a_restart(sqlite_url: str) -> None:
    async with process(sqlite_url) as h:
        await h.add_staff(NAV, confirm_cards=False)
        await h.send(NAV, "C123 seen in ED, follow up tomorrow")
        async with h.session() as session:
            followup = await session.scalar(select(FollowUp))
        assert followup is not None
        await h.press(NAV, f"fu:resched:{followup.id}")
        assert "New follow-up date for <b>C123</b>" in h.last_text_to(NAV)
    async with process(sqlite_url) as h:
        await h.send(NAV, "31/02")
        assert "does not exist" in h.last_text_to(NAV)
    async with process(sqlite_url) as h:
        await h.send(NAV, "in 3 days")
        assert "moved to" in h.last_text_to(NAV)
        async with h.session() as session:
            moved = await session.get(FollowUp, followup.id)
        assert moved is not None
        assert moved.due_at > START + timedelta(days=2)
        assert await _count(h, Conversation) == 0
        assert await _count(h, Contact) == 1  # the date was not taken for a new log


async def test_a_card_waiting_for_a_typed_date_survives_a_restart(sqlite_url: str) -> None:
    async with process(sqlite_url) as h:
        await h.add_staff(NAV)
        await h.send(NAV, "C123 seen in ED")
        await h.press(NAV, button(h, NAV, "card:edit:"))
        await h.press(NAV, button(h, NAV, "card:field:").rsplit(":", 1)[0] + ":follow_up")
        await h.press(NAV, button(h, NAV, "card:type:"))
        assert "Type the follow-up date" in h.last_text_to(NAV)
    async with process(sqlite_url) as h:
        await h.send(NAV, "friday")
        card = strip_tags(h.last_text_to(NAV))
        assert "Fri 27 Mar" in card
        save = button(h, NAV, "card:save:")
    async with process(sqlite_url) as h:
        await h.press(NAV, save)
        assert await _count(h, Contact) == 1
        async with h.session() as session:
            draft = await session.scalar(select(PendingDraft))
        assert draft is not None
        assert draft.status == "saved"


async def test_a_stale_guided_log_expires_with_a_message(
    sqlite_url: str, clock: time_machine.Traveller
) -> None:
    async with process(sqlite_url) as h:
        await h.add_staff(NAV)
        await h.send(NAV, "/log")
        await h.send(NAV, "C123")
        clock.shift(timedelta(minutes=29))
        await h.press(NAV, "g:setting:phone")  # in time: the clock starts again
        assert "What happened?" in h.last_text_to(NAV)
        clock.shift(timedelta(minutes=31))
        await h.press(NAV, "g:outcome:made")
        assert "expired after 30 minutes" in alerts(h)[-1]
        assert await _count(h, Conversation) == 0
        await h.press(NAV, "g:outcome:made")  # and after that the button is just stale
        assert alerts(h)[-1] == "This button has expired. Nothing was changed."
        await h.send(NAV, "C123 seen in ED")  # text is an ordinary log again
        assert "Client: C123" in strip_tags(h.last_text_to(NAV))


async def test_stale_flows_speak_the_users_language(
    sqlite_url: str, clock: time_machine.Traveller
) -> None:
    async with process(sqlite_url) as h:
        await h.add_staff(NAV, ui_language="bn", confirm_cards=False)
        await h.send(NAV, "/log")
        await h.send(NAV, "C123")
        clock.shift(timedelta(minutes=31))
        await h.send(NAV, "hello")
        assert "ধাপে ধাপে লগ করার সময় শেষ" in h.last_text_to(NAV)
        await h.send(NAV, "C123 seen in ED, follow up tomorrow")
        async with h.session() as session:
            followup = await session.scalar(select(FollowUp))
        assert followup is not None
        await h.press(NAV, f"fu:resched:{followup.id}")
        clock.shift(timedelta(minutes=31))
        await h.send(NAV, "friday")
        assert "নতুন তারিখ দেওয়ার সময় শেষ" in h.last_text_to(NAV)
        async with h.session() as session:
            unchanged = await session.get(FollowUp, followup.id)
        assert unchanged is not None
        assert unchanged.due_at == followup.due_at


async def test_cancel_ends_whichever_flow_is_open(sqlite_url: str) -> None:
    async with process(sqlite_url) as h:
        await h.add_staff(NAV, confirm_cards=False)
        await h.send(NAV, "/log")
    async with process(sqlite_url) as h:
        await h.send(NAV, "/cancel")
        assert h.last_text_to(NAV) == "OK, cancelled. Nothing was saved."
        assert await _count(h, Conversation) == 0
        await h.send(NAV, "C77")  # no flow: a code alone is a quick log
        assert await _count(h, Contact) == 1


async def test_a_second_process_continues_while_the_first_still_runs(sqlite_url: str) -> None:
    async with process(sqlite_url) as first, process(sqlite_url) as second:
        await first.add_staff(NAV)
        await first.send(NAV, "/log")
        await second.send(NAV, "C123")
        assert "where was the contact?" in second.last_text_to(NAV)
        await first.press(NAV, "g:setting:home")
        assert "What happened?" in first.last_text_to(NAV)
        await second.press(NAV, "g:setting:home")  # the first process moved the flow on
        assert alerts(second)[-1] == "This button has expired. Nothing was changed."


async def test_a_card_stops_waiting_for_a_typed_date(
    sqlite_url: str, clock: time_machine.Traveller
) -> None:
    async with process(sqlite_url) as h:
        await h.add_staff(NAV)
        await h.send(NAV, "C123 seen in ED")
        await h.press(NAV, button(h, NAV, "card:edit:"))
        await h.press(NAV, button(h, NAV, "card:field:").rsplit(":", 1)[0] + ":follow_up")
        await h.press(NAV, button(h, NAV, "card:type:"))
        clock.shift(timedelta(minutes=31))
        await h.send(NAV, "friday")
        assert "stopped waiting for a date" in h.last_text_to(NAV)
        async with h.session() as session:
            draft = await session.scalar(select(PendingDraft))
        assert draft is not None
        assert draft.editing is None
        assert draft.status == "pending"  # the card itself is still there to use
        await h.send(NAV, "friday")  # no longer an answer: an ordinary message now
        assert "could not find a client code" in h.last_text_to(NAV)
