"""Logging a contact through the real Application: card, edits, save once, undo, guided."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from storage.models import Client, Contact, FollowUp, PendingDraft, ServiceEvent
from tests.handlers.harness import Harness
from tests.handlers.logging_helpers import alerts, button, buttons, snapshot, strip_tags

NAV = 7001
OTHER = 7002
SUPERVISOR = 7003


async def _contacts(h: Harness) -> list[Contact]:
    async with h.session() as session:
        return list((await session.scalars(select(Contact).order_by(Contact.id))).all())


async def test_quick_text_shows_a_card_and_save_stores_it(h: Harness) -> None:
    await h.add_staff(NAV)
    await h.send(NAV, "C123 seen in ED after assault, referred to drug treatment, follow up friday")
    card = strip_tags(h.last_text_to(NAV))
    assert "Client: C123 (new client)" in card
    assert "Where: hospital" in card
    assert "drug treatment: referred" in card
    assert "violence" in card
    assert await _contacts(h) == []  # nothing saved before Save

    await h.press(NAV, button(h, NAV, "card:save:"))
    reply = strip_tags(h.last_text_to(NAV))
    assert reply.startswith("Saved: C123 — contact made, hospital.")
    assert "seen in ED" not in reply  # the note is never echoed after saving
    (contact,) = await _contacts(h)
    async with h.session() as session:
        event = await session.scalar(select(ServiceEvent))
        followup = await session.scalar(select(FollowUp))
    assert (contact.setting, contact.outcome) == ("hospital", "made")
    assert event is not None
    assert (event.service, event.status) == ("drug_treatment", "referred")
    assert followup is not None
    assert followup.due_at.astimezone(h.app.bot_data.settings.tz).hour == 9


async def test_a_double_tap_of_save_saves_once(h: Harness) -> None:
    await h.add_staff(NAV)
    await h.send(NAV, "C123 rang, no answer")
    save = button(h, NAV, "card:save:")
    await h.press(NAV, save)
    await h.press(NAV, save)
    assert len(await _contacts(h)) == 1
    assert alerts(h)[-1] == "This log was already saved."


async def test_someone_elses_card_and_forged_data_change_nothing(h: Harness) -> None:
    await h.add_staff(NAV)
    await h.add_staff(OTHER)
    await h.send(NAV, "C123 seen at home")
    save = button(h, NAV, "card:save:")
    before = await snapshot(h)
    _, _, draft_id, token = save.split(":")
    for data in (
        save,  # pressed by someone else
        f"card:save:{draft_id}:wrongtok",
        f"card:save:{int(draft_id) + 1}:{token}",
        "card:save:x:y",
        f"card:set:{draft_id}:{token}:setting:moon",
    ):
        await h.press(OTHER if data == save else NAV, data)
    assert await snapshot(h) == before
    assert all("Nothing was changed" in text for text in alerts(h))


async def test_a_cancelled_card_cannot_be_saved(h: Harness) -> None:
    await h.add_staff(NAV)
    await h.send(NAV, "C123 seen at home")
    save, cancel = button(h, NAV, "card:save:"), button(h, NAV, "card:cancel:")
    await h.press(NAV, cancel)
    assert h.last_text_to(NAV) == "Cancelled. Nothing was saved."
    await h.press(NAV, save)
    assert "cancelled" in alerts(h)[-1]
    assert await _contacts(h) == []


async def test_edit_changes_fields_with_buttons(h: Harness) -> None:
    await h.add_staff(NAV)
    await h.send(NAV, "C123 seen in ED")
    _, _, draft_id, token = button(h, NAV, "card:save:").split(":")
    await h.press(NAV, f"card:edit:{draft_id}:{token}")
    await h.press(NAV, f"card:field:{draft_id}:{token}:setting")
    await h.press(NAV, f"card:set:{draft_id}:{token}:setting:justice")
    await h.press(NAV, f"card:set:{draft_id}:{token}:services:ete")
    await h.press(NAV, f"card:set:{draft_id}:{token}:services:ete")  # referred → engaged
    await h.press(NAV, f"card:set:{draft_id}:{token}:risks:weapon")
    await h.press(NAV, f"card:set:{draft_id}:{token}:follow_up:none")
    card = strip_tags(h.last_text_to(NAV))
    assert "Where: custody/probation" in card
    assert "education, training, employment: engaged" in card
    assert "Risks: weapon" in card
    assert "Follow-up: none" in card
    await h.press(NAV, f"card:save:{draft_id}:{token}")
    (contact,) = await _contacts(h)
    assert contact.setting == "justice"
    async with h.session() as session:
        assert await session.scalar(select(FollowUp)) is None


async def test_an_impossible_date_is_asked_about_never_guessed(h: Harness) -> None:
    await h.add_staff(NAV)
    await h.send(NAV, "C123 seen in ED, follow up 31/02")
    card = h.last_text_to(NAV)
    assert "does not exist" in card
    assert not any(data.startswith("card:save:") for data in buttons(h, NAV))
    typed = button(h, NAV, "card:type:")
    _, _, draft_id, token, _ = typed.split(":")
    await h.press(NAV, f"card:save:{draft_id}:{token}")
    assert alerts(h)[-1] == "Please choose the follow-up first."
    await h.press(NAV, typed)
    await h.send(NAV, "31/02")
    assert "does not exist" in h.last_text_to(NAV)
    await h.send(NAV, "3/4")
    assert "Follow-up:" in h.last_text_to(NAV)
    await h.press(NAV, button(h, NAV, "card:save:"))
    assert len(await _contacts(h)) == 1


async def test_confirm_off_saves_at_once_with_undo(h: Harness) -> None:
    await h.add_staff(NAV)
    await h.send(NAV, "/confirm off")
    await h.send(NAV, "C123 texted, no reply")
    assert strip_tags(h.last_text_to(NAV)).startswith("Saved: C123 — tried, no answer")
    assert len(await _contacts(h)) == 1
    await h.press(NAV, button(h, NAV, "undo:"))
    assert "Undone" in h.last_text_to(NAV)
    assert await _contacts(h) == []
    async with h.session() as session:
        assert await session.scalar(select(Client)) is None


async def test_undo_only_within_the_window(h: Harness) -> None:
    await h.add_staff(NAV, confirm_cards=False)
    start = datetime(2026, 3, 25, 10, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        await h.send(NAV, "C123 seen in ED")
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        await h.send(NAV, "/undo")
    assert "Nothing to undo" in h.last_text_to(NAV)
    assert len(await _contacts(h)) == 1


async def test_guided_flow_builds_the_same_card(h: Harness) -> None:
    await h.add_staff(NAV)
    await h.send(NAV, "/log")
    assert "Which client?" in h.last_text_to(NAV)
    await h.send(NAV, "ahmed")
    assert "never their name" in h.last_text_to(NAV)
    await h.send(NAV, "c-77")
    await h.press(NAV, "g:setting:community")
    await h.press(NAV, "g:outcome:made")
    await h.press(NAV, "g:svc:housing")
    await h.press(NAV, "g:svc:done")
    await h.press(NAV, "g:risk:exploitation")
    await h.press(NAV, "g:risk:done")
    await h.press(NAV, "g:fu:1w")
    await h.send(NAV, "met at youth centre, mum's number 07700 900123")
    card = strip_tags(h.last_text_to(NAV))
    assert "Client: C-77" in card
    assert "housing: referred" in card
    assert "[phone]" in card
    assert "07700" not in card
    await h.press(NAV, button(h, NAV, "card:save:"))
    (contact,) = await _contacts(h)
    assert "07700" not in contact.note
    assert contact.source == "guided"


async def test_cancel_part_way_through_the_guided_flow_saves_nothing(h: Harness) -> None:
    await h.add_staff(NAV)
    before = await snapshot(h)
    await h.send(NAV, "/log")
    await h.send(NAV, "C123")
    await h.press(NAV, "g:setting:phone")
    await h.send(NAV, "/cancel")
    assert h.last_text_to(NAV) == "OK, cancelled. Nothing was saved."
    assert await snapshot(h) == before
    await h.press(NAV, "g:outcome:made")  # a button from the abandoned flow
    assert "expired" in alerts(h)[-1]


async def test_client_summary_shows_redacted_notes_and_respects_visibility(h: Harness) -> None:
    await h.add_staff(NAV, confirm_cards=False)
    await h.add_staff(OTHER)
    await h.add_staff(SUPERVISOR, role="supervisor")
    await h.send(NAV, "C123 seen in ED, email jo@example.com, follow up tomorrow")
    await h.send(NAV, "/client c123")
    summary = h.last_text_to(NAV)
    assert "[email]" in summary
    assert "example.com" not in summary
    assert "Next follow-up:" in summary
    await h.send(OTHER, "/client C123")
    assert "No client C123 in what you can see." in h.last_text_to(OTHER)
    await h.send(SUPERVISOR, "/client C123")
    assert "Last contacts" in h.last_text_to(SUPERVISOR)
    await h.send(NAV, "/clients")
    assert "C123" in h.last_text_to(NAV)


async def test_close_cancels_follow_ups_and_a_new_contact_reopens(h: Harness) -> None:
    await h.add_staff(NAV, confirm_cards=False)
    await h.send(NAV, "C123 seen in ED, follow up friday")
    await h.send(NAV, "/close C123 moved out of area, tel 07700900123")
    assert "Closed C123." in strip_tags(h.last_text_to(NAV))
    async with h.session() as session:
        client = await session.scalar(select(Client))
        followup = await session.scalar(select(FollowUp))
    assert client is not None
    assert client.status == "closed"
    assert "07700" not in (client.close_reason or "")
    assert followup is not None
    assert followup.status == "cancelled"
    await h.send(NAV, "/close C123")
    assert "already closed" in h.last_text_to(NAV)


async def test_cards_survive_in_the_database(h: Harness) -> None:
    await h.add_staff(NAV)
    await h.send(NAV, "C123 seen in ED")
    async with h.session() as session:
        draft = await session.scalar(select(PendingDraft))
    assert draft is not None
    assert draft.status == "pending"
    assert draft.message_id is not None


async def test_log_contact_button_from_a_reminder_starts_the_guided_flow(h: Harness) -> None:
    await h.add_staff(NAV, confirm_cards=False)
    await h.add_staff(OTHER)
    await h.send(NAV, "C123 seen in ED, follow up friday")
    async with h.session() as session:
        followup = await session.scalar(select(FollowUp))
    assert followup is not None
    await h.press(OTHER, f"fu:log:{followup.id}")
    assert "no longer yours" in alerts(h)[-1]
    await h.press(NAV, f"fu:log:{followup.id}")
    assert "C123" in h.last_text_to(NAV)
    assert "where was the contact?" in h.last_text_to(NAV)
    await h.press(NAV, "g:setting:phone")
    await h.press(NAV, "g:outcome:made")
    await h.press(NAV, "g:svc:done")
    await h.press(NAV, "g:risk:done")
    await h.press(NAV, "g:fu:none")
    await h.press(NAV, "g:note:skip")
    await h.press(NAV, button(h, NAV, "card:save:"))
    contacts = await _contacts(h)
    assert [c.source for c in contacts] == ["text", "reminder"]
    async with h.session() as session:
        done = await session.get(FollowUp, followup.id)
    assert done is not None
    assert done.status == "done"
