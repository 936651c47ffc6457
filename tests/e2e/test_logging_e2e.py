"""Logging through the real `navbot run` process and the fake Bot API over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.e2e.botprocess import BotProcess
from tests.e2e.helpers import count, find_button, message_id_of, onboard
from tests.fakebotapi import ApiCall, FakeBotApi

NAV = 5100001
OTHER = 5100002


def _edited_to(expected: str) -> Callable[[ApiCall], bool]:
    return lambda c: c.method.lower() == "editmessagetext" and expected in (c.text or "")


def _ready(start_bot: Callable[..., BotProcess], api: FakeBotApi) -> BotProcess:
    bot = start_bot()
    api.wait_until_polling(timeout=60)
    return bot


def test_quick_text_card_save_then_client_shows_redacted_note(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path, start_bot: Callable[..., BotProcess]
) -> None:
    bot = _ready(start_bot, api)
    onboard(api, env, tmp_path, NAV)
    mark = api.mark()
    api.push_message(
        NAV, "C123 seen in ED after assault, mum on 07700 900123, referred to CGL, follow up friday"
    )
    card = api.wait_for_message(NAV, contains="Check this log", since=mark)
    assert "[phone]" in (card.text or "")
    assert "07700" not in (card.text or "")
    save = find_button(card, "card:save:")

    mark = api.mark()
    # A double tap: two presses of the same Save, back to back.
    api.push_callback(NAV, save, message_id=message_id_of(card))
    api.push_callback(NAV, save, message_id=message_id_of(card))
    api.wait_for(
        lambda c: c.method.lower() == "editmessagetext" and "Saved" in (c.text or ""), since=mark
    )
    api.wait_for(
        lambda c: (
            c.method.lower() == "answercallbackquery"
            and "already saved" in (c.params.get("text") or "")
        ),
        since=mark,
    )
    assert count(tmp_path, "SELECT count(*) FROM contacts") == 1

    # A forged press on the same card by someone else changes nothing.
    onboard(api, env, tmp_path, OTHER)
    mark = api.mark()
    api.push_callback(OTHER, save.replace("card:save", "card:cancel"), message_id=1)
    api.wait_for(
        lambda c: (
            c.method.lower() == "answercallbackquery"
            and "not yours" in (c.params.get("text") or "")
        ),
        since=mark,
    )

    mark = api.mark()
    api.push_message(NAV, "/client C123")
    summary = api.wait_for_message(NAV, contains="Last contacts", since=mark)
    assert "[phone]" in (summary.text or "")
    assert "07700" not in (summary.text or "")
    bot.stop()
    assert "07700" not in bot.log_text()
    assert count(tmp_path, "SELECT count(*) FROM contacts WHERE note LIKE '%07700%'") == 0


def test_guided_flow_end_to_end(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path, start_bot: Callable[..., BotProcess]
) -> None:
    _ready(start_bot, api)
    onboard(api, env, tmp_path, NAV)
    steps = [
        ("/log", "Which client?"),
        ("RLH-042", "where was the contact?"),
    ]
    for text, expected in steps:
        mark = api.mark()
        api.push_message(NAV, text)
        last = api.wait_for_message(NAV, contains=expected, since=mark)
    presses = [
        ("g:setting:phone", "What happened?"),
        ("g:outcome:attempted", "Services:"),
        ("g:svc:done", "Any risks?"),
        ("g:risk:done", "Follow-up?"),
        ("g:fu:3d", "Add a short note"),
    ]
    for data, expected in presses:
        mark = api.mark()
        api.push_callback(NAV, data, message_id=message_id_of(last))
        last = api.wait_for(_edited_to(expected), since=mark)
    mark = api.mark()
    api.push_callback(NAV, "g:note:skip", message_id=message_id_of(last))
    card = api.wait_for_message(NAV, contains="Check this log", since=mark)
    mark = api.mark()
    api.push_callback(NAV, find_button(card, "card:save:"), message_id=message_id_of(card))
    api.wait_for(
        lambda c: c.method.lower() == "editmessagetext" and "Saved" in (c.text or ""), since=mark
    )
    assert count(tmp_path, "SELECT count(*) FROM contacts WHERE outcome = 'attempted'") == 1
    assert count(tmp_path, "SELECT count(*) FROM followups WHERE status = 'open'") == 1


def test_guided_flow_continues_after_the_bot_is_killed_and_started_again(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path, start_bot: Callable[..., BotProcess]
) -> None:
    """Half-way through a guided /log the process dies (SIGKILL, as in a crash or a
    hard deploy); the next process continues the flow from the database, and the contact
    is saved once."""
    first = _ready(start_bot, api)
    onboard(api, env, tmp_path, NAV)
    mark = api.mark()
    api.push_message(NAV, "/log")
    api.wait_for_message(NAV, contains="Which client?", since=mark)
    mark = api.mark()
    api.push_message(NAV, "RLH-042")
    last = api.wait_for_message(NAV, contains="where was the contact?", since=mark)
    mark = api.mark()
    api.push_callback(NAV, "g:setting:community", message_id=message_id_of(last))
    last = api.wait_for(
        lambda c: c.method.lower() == "editmessagetext" and "What happened?" in (c.text or ""),
        since=mark,
    )
    first.kill()
    assert count(tmp_path, "SELECT count(*) FROM conversations") == 1

    start_bot(name="again")
    api.wait_until_polling(timeout=60)
    presses = [
        ("g:outcome:made", "Services:"),
        ("g:svc:ete", "Services:"),
        ("g:svc:done", "Any risks?"),
        ("g:risk:done", "Follow-up?"),
    ]
    for data, expected in presses:
        mark = api.mark()
        api.push_callback(NAV, data, message_id=message_id_of(last))
        last = api.wait_for(_edited_to(expected), since=mark)
    mark = api.mark()
    api.push_message(NAV, "in 2 weeks")
    api.wait_for_message(NAV, contains="Add a short note", since=mark)
    mark = api.mark()
    api.push_message(NAV, "talked about college")
    card = api.wait_for_message(NAV, contains="Check this log", since=mark)
    assert "RLH-042" in (card.text or "")
    mark = api.mark()
    api.push_callback(NAV, find_button(card, "card:save:"), message_id=message_id_of(card))
    api.wait_for(
        lambda c: c.method.lower() == "editmessagetext" and "Saved" in (c.text or ""), since=mark
    )
    assert count(tmp_path, "SELECT count(*) FROM contacts") == 1
    assert count(tmp_path, "SELECT count(*) FROM contacts WHERE setting = 'community'") == 1
    assert count(tmp_path, "SELECT count(*) FROM conversations") == 0
