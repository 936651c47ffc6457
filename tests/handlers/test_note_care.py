"""Issue 13.9 through the real Application: every path that stores a note redacts it, and
the card offers one tap to hide a word that may be a name."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import Contact, PendingDraft
from tests.handlers.harness import Harness, message_update
from tests.handlers.logging_helpers import alerts, button, buttons, strip_tags

NAV = 7101
OTHER = 7102

SECRETS = (
    "dob 12/03/2004, lives 14 Whitechapel Road flat 3, email kid dot b at gmail dot com, "
    "saw Mohammed Ali's brother"
)
LEAKS = ("12/03/2004", "Whitechapel", "gmail", "Mohammed", "Ali's")


async def _contacts(h: Harness) -> list[Contact]:
    async with h.session() as session:
        return list((await session.scalars(select(Contact).order_by(Contact.id))).all())


async def _drafts(h: Harness) -> list[PendingDraft]:
    async with h.session() as session:
        return list((await session.scalars(select(PendingDraft))).all())


def _assert_clean(text: str) -> None:
    for leak in LEAKS:
        assert leak not in text, (leak, text)
    for tag in ("[dob]", "[address]", "[email]", "[name]"):
        assert tag in text, (tag, text)


async def _save_and_check(h: Harness) -> None:
    card = strip_tags(h.last_text_to(NAV))
    _assert_clean(card)
    for draft in await _drafts(h):
        _assert_clean(draft.payload["note"])
    await h.press(NAV, button(h, NAV, "card:save:"))
    (contact,) = await _contacts(h)
    _assert_clean(contact.note)


@pytest.mark.parametrize("how", ["text", "log", "caption"])
async def test_quick_text_log_and_caption_store_the_note_redacted(h: Harness, how: str) -> None:
    await h.add_staff(NAV)
    text = f"C123 seen in ED, {SECRETS}"
    if how == "text":
        await h.send(NAV, text)
    elif how == "log":
        await h.send(NAV, "/log " + text)
    else:
        photo = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
        await h.process(message_update(NAV, None, photo=photo, caption=text))
    await _save_and_check(h)


async def test_the_guided_note_is_stored_redacted(h: Harness) -> None:
    await h.add_staff(NAV)
    await h.send(NAV, "/log")
    await h.send(NAV, "C124")
    await h.press(NAV, "g:setting:community")
    await h.press(NAV, "g:outcome:made")
    await h.press(NAV, "g:svc:done")
    await h.press(NAV, "g:risk:done")
    await h.press(NAV, "g:fu:1w")
    await h.send(NAV, SECRETS)
    await _save_and_check(h)


async def test_with_cards_off_the_note_is_stored_redacted(h: Harness) -> None:
    await h.add_staff(NAV, confirm_cards=False)
    await h.send(NAV, f"C125 seen in ED, {SECRETS}")
    (contact,) = await _contacts(h)
    _assert_clean(contact.note)


async def test_a_possible_name_is_offered_and_one_tap_hides_it(h: Harness) -> None:
    await h.add_staff(NAV)
    await h.send(NAV, "C123 seen in ED with Ahmed and Bilal, St Giles worker present")
    card = strip_tags(h.last_text_to(NAV))
    assert "Is there a name in the note?" in card
    hide = [data for data in buttons(h, NAV) if data.startswith("card:name:")]
    assert len(hide) == 2  # Ahmed and Bilal; St Giles is a service, ED an abbreviation

    await h.press(NAV, hide[0])
    card = strip_tags(h.last_text_to(NAV))
    assert "with [name] and Bilal" in card
    assert len([d for d in buttons(h, NAV) if d.startswith("card:name:")]) == 1

    await h.press(NAV, hide[0])  # the same button again: that word is gone already
    assert alerts(h)[-1] == "This button is not valid. Nothing was changed."

    await h.press(NAV, button(h, NAV, "card:save:"))
    (contact,) = await _contacts(h)
    assert "Ahmed" not in contact.note
    assert "Bilal" in contact.note  # not tapped: the navigator decided it is not a name


async def test_a_name_button_on_someone_elses_card_changes_nothing(h: Harness) -> None:
    await h.add_staff(NAV)
    await h.add_staff(OTHER)
    await h.send(NAV, "C123 seen with Ahmed")
    hide = button(h, NAV, "card:name:")
    await h.press(OTHER, hide)
    (draft,) = await _drafts(h)
    assert "Ahmed" in draft.payload["note"]
    assert "not yours" in alerts(h)[-1]


async def test_no_name_buttons_on_a_plain_note(h: Harness) -> None:
    await h.add_staff(NAV)
    await h.send(NAV, "C123 Seen on ward. Mum present. Referred to CGL on Friday")
    assert not [d for d in buttons(h, NAV) if d.startswith("card:name:")]
    assert "Is there a name" not in h.last_text_to(NAV)
