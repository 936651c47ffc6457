"""Issue 13: an uncertain field is asked about on the card, never silently saved; places
shaped like codes do not make a second client; `/client` takes one code at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from storage.models import Contact
from tests.handlers.harness import Harness
from tests.handlers.logging_helpers import alerts, button, buttons, strip_tags

NAV = 7101
NOW = datetime(2026, 12, 3, 10, 30, tzinfo=UTC)  # Thursday, 10:30 GMT


async def _contacts(h: Harness) -> list[Contact]:
    async with h.session() as session:
        return list((await session.scalars(select(Contact).order_by(Contact.id))).all())


async def test_a_follow_up_yesterday_is_asked_and_the_contact_stays_today(h: Harness) -> None:
    await h.add_staff(NAV)
    with time_machine.travel(NOW, tick=False):
        await h.send(NAV, "C138 seen in ED, follow up yesterday")
        card = strip_tags(h.last_text_to(NAV))
        assert "in the past" in card
        assert "When: Thu 3 Dec 10:30" in card
        assert not any(data.startswith("card:save:") for data in buttons(h, NAV))
        await h.press(NAV, button(h, NAV, "card:set:").rsplit(":", 1)[0] + ":tomorrow")
        await h.press(NAV, button(h, NAV, "card:save:"))
    (contact,) = await _contacts(h)
    assert contact.occurred_at.replace(tzinfo=UTC) == NOW


async def test_an_impossible_time_is_asked_about(h: Harness) -> None:
    await h.add_staff(NAV)
    with time_machine.travel(NOW, tick=False):
        await h.send(NAV, "C139 seen in ED, follow up tomorrow 25:00")
    assert "does not exist" in strip_tags(h.last_text_to(NAV))
    assert not any(data.startswith("card:save:") for data in buttons(h, NAV))


async def test_a_contact_in_the_future_is_asked_about_with_one_tap_answers(h: Harness) -> None:
    await h.add_staff(NAV, confirm_cards=False)  # a question shows the card even so
    with time_machine.travel(NOW, tick=False):
        await h.send(NAV, "C187 seen tomorrow in ED, follow up monday")
        card = strip_tags(h.last_text_to(NAV))
        assert "When: ❓ I could not tell when this contact happened" in card
        assert await _contacts(h) == []
        choices = buttons(h, NAV)
        assert not any(data.startswith("card:save:") for data in choices)
        yesterday = next(d for d in choices if d.endswith(":when:yesterday"))
        _, _, draft_id, token, *_ = yesterday.split(":")
        await h.press(NAV, f"card:save:{draft_id}:{token}")
        assert alerts(h)[-1] == "Please answer the question on the card first."
        await h.press(NAV, yesterday)
        assert "❓" not in h.last_text_to(NAV)
        await h.press(NAV, button(h, NAV, "card:save:"))
    (contact,) = await _contacts(h)
    assert contact.occurred_at.replace(tzinfo=UTC) == NOW - timedelta(days=1)


async def test_places_shaped_like_codes_are_not_a_second_client(h: Harness) -> None:
    await h.add_staff(NAV)
    with time_machine.travel(NOW, tick=False):
        await h.send(NAV, "C104 found on the A13, seen in room B2 resus, outreach in E14 before")
    card = strip_tags(h.last_text_to(NAV))
    assert "Client: C104" in card
    assert "more than one client" not in card


async def test_client_with_two_codes_asks_for_one(h: Harness) -> None:
    await h.add_staff(NAV, confirm_cards=False)
    await h.send(NAV, "C431 seen in ED")
    await h.send(NAV, "/client C431 C432")
    reply = h.last_text_to(NAV)
    assert "One client at a time" in reply
    assert "/client C431" in reply
    assert "Last contacts" not in reply
    await h.send(NAV, "/client Ahmed C432")
    assert "Ahmed" not in h.last_text_to(NAV)
