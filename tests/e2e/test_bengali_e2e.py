"""Bengali end to end (issue 6): the real `navbot run` process and the fake Bot API over HTTP.

(a) A navigator on `auto` with a Telegram app in English writes in Bengali script: the card,
the save, a later due reminder (which the bot starts itself, so it follows the language of
the navigator's last message with words) and a bare `/due` all come back in Bengali.
(b) A supervisor who chose `/language bn` gets `/stats` and `/chart` in Bengali.

Nothing sleeps: every step waits for the Bot API call it expects.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.contacts.saving import hours_of, reminder_settings, reset_followup_timing
from storage.db import create_engine, create_session_factory
from storage.models import FollowUp, Staff
from tests.conftest import make_settings
from tests.e2e.botprocess import BotProcess
from tests.e2e.helpers import count, find_button, message_id_of, onboard
from tests.fakebotapi import ApiCall, FakeBotApi

NAV = 5600001
SUP = 5600002
FAST = {"SWEEP_INTERVAL_SECONDS": "0.5", "DELIVERY_LEASE_SECONDS": "1"}
LOG = "C123 আজ হাসপাতালে দেখা হয়েছে, মাদকের চিকিৎসায় রেফার করা হয়েছে, আগামীকাল ফলো আপ"
BENGALI_DIGIT = re.compile(r"[০-৯]")


def _latin_left(text: str, *data: str) -> list[str]:
    """Latin words and ASCII digits once tags, client codes, /commands and data are out."""
    text = re.sub(r"<[^>]+>", "", text)
    for value in data:
        text = text.replace(value, " ")
    return re.findall(r"[A-Za-z]+|[0-9]+", re.sub(r"\bC\d+\b|/[a-z]+", " ", text))


def _make_due_now(url: str) -> None:
    """Move the navigator's open follow-up to a minute ago, as a snooze would, while the bot
    runs: its next sweep owes the due reminder."""

    async def move() -> None:
        engine = create_engine(url)
        try:
            async with create_session_factory(engine).begin() as session:
                followup = await session.scalar(select(FollowUp).where(FollowUp.status == "open"))
                assert followup is not None
                owner = await session.get(Staff, followup.staff_id)
                assert owner is not None
                settings = reminder_settings(make_settings(url))
                now = datetime.now(UTC)
                reset_followup_timing(
                    followup,
                    due_at=now - timedelta(minutes=1),
                    hours=hours_of(owner.working_hours, settings.default_hours),
                    settings=settings,
                    now=now,
                )
        finally:
            await engine.dispose()

    asyncio.run(move())


def _is_bengali_nudge(call: ApiCall) -> bool:
    return (
        call.method == "sendMessage"
        and call.fault is None
        and call.params.get("chat_id") in (NAV, str(NAV))
        and (call.text or "").startswith("⏰ ফলো আপের সময় হয়েছে: <b>C123</b>")
    )


def test_auto_navigator_writing_bengali_gets_card_reminder_and_due_in_bengali(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path, start_bot: Callable[..., BotProcess]
) -> None:
    start_bot(**FAST)
    api.wait_until_polling(timeout=60)
    onboard(api, env, tmp_path, NAV, language_code="en")
    assert count(tmp_path, f"SELECT count(*) FROM staff WHERE telegram_id = {NAV}") == 1

    # Working hours round the clock, typed in Bengali (reminders then go out whenever the
    # suite runs); the reply shows the days and times as they can be typed back.
    mark = api.mark()
    api.push_message(NAV, "/hours সোম-রবি ০০:০০-২৩:৫৯", language_code="en")
    hours = api.wait_for_message(NAV, since=mark, timeout=30)
    assert (hours.text or "").startswith("কাজের সময় ঠিক করা হয়েছে: সোম–রবি ০০:০০–২৩:৫৯ (")

    mark = api.mark()
    api.push_message(NAV, LOG, language_code="en")
    card = api.wait_for_message(NAV, contains="লগটি যাচাই করুন", since=mark, timeout=30)
    text = card.text or ""
    assert "ক্লায়েন্ট: <b>C123</b>" in text
    assert "মাদকের চিকিৎসা (রেফার হয়েছে)" in text
    follow_up = next(line for line in text.splitlines() if line.startswith("ফলো আপ: "))
    assert BENGALI_DIGIT.search(follow_up), follow_up
    assert not re.search(r"[0-9]", follow_up), follow_up
    labels = [b["text"] for row in card.params["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["✅ সংরক্ষণ", "✏️ বদলান", "✖️ বাতিল"]

    mark = api.mark()
    api.push_callback(
        NAV, find_button(card, "card:save:"), message_id=message_id_of(card), language_code="en"
    )
    saved = api.wait_for(
        lambda c: c.method.lower() == "editmessagetext" and "সংরক্ষিত" in (c.text or ""),
        since=mark,
        timeout=30,
    )
    assert "সংরক্ষিত: C123" in re.sub(r"<[^>]+>", "", saved.text or "")
    assert count(tmp_path, "SELECT count(*) FROM contacts WHERE language = 'bn'") == 1
    assert count(tmp_path, "SELECT count(*) FROM followups WHERE status = 'open'") == 1

    # The reminder is the bot's own message: it follows the last language the navigator
    # wrote in, although their Telegram app is in English.
    mark = api.mark()
    _make_due_now(env["DATABASE_URL"])
    nudge = api.wait_for(_is_bengali_nudge, since=mark, timeout=60)
    nudge_text = nudge.text or ""
    assert "শেষ যোগাযোগ: " in nudge_text
    assert "মাদকের চিকিৎসা (রেফার হয়েছে)" in nudge_text
    assert BENGALI_DIGIT.search(nudge_text)
    assert _latin_left(nudge_text) == [], nudge_text
    labels = [b["text"] for row in nudge.params["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == [
        "যোগাযোগ লগ করুন",
        "সাড়া পাওয়া যায়নি",
        "১ ঘণ্টা পরে",
        "আগামীকাল",
        "৩ দিন পরে",
        "নতুন তারিখ",
        "কেস বন্ধ করুন",
    ]

    # /due says nothing about language: the last language holds.
    mark = api.mark()
    api.push_message(NAV, "/due", language_code="en")
    due = api.wait_for_message(NAV, since=mark, timeout=30)
    due_text = due.text or ""
    assert due_text.startswith("<b>আজকের ও দেরি হওয়া ১টি ফলো আপ:</b>\n• <b>C123</b>: ")
    assert _latin_left(due_text) == [], due_text

    # A press on the reminder is answered in Bengali too.
    mark = api.mark()
    api.push_callback(
        NAV,
        find_button(nudge, "fu:snooze:1h:"),
        message_id=message_id_of(nudge),
        language_code="en",
    )
    moved = api.wait_for_message(NAV, contains="ফলো আপ সরানো হয়েছে", since=mark, timeout=30)
    assert (moved.text or "").startswith("<b>C123</b>-এর ফলো আপ সরানো হয়েছে: ")
    assert _latin_left(moved.text or "") == [], moved.text


def test_supervisor_with_bengali_gets_stats_and_chart_in_bengali(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path, start_bot: Callable[..., BotProcess]
) -> None:
    start_bot()
    api.wait_until_polling(timeout=60)
    onboard(api, env, tmp_path, NAV)
    onboard(api, env, tmp_path, SUP, role="supervisor")

    mark = api.mark()
    api.push_message(NAV, "C123 seen in ED, referred to drug treatment, no follow up")
    card = api.wait_for_message(NAV, contains="Check this log", since=mark, timeout=30)
    api.push_callback(NAV, find_button(card, "card:save:"), message_id=message_id_of(card))
    api.wait_for(
        lambda c: c.method.lower() == "editmessagetext" and "Saved" in (c.text or ""),
        since=mark,
        timeout=30,
    )

    mark = api.mark()
    api.push_message(SUP, "/language bn")
    api.wait_for_message(SUP, contains="উত্তরের ভাষা: বাংলা", since=mark, timeout=30)

    mark = api.mark()
    api.push_message(SUP, "/stats")
    stats = api.wait_for_message(SUP, contains="পরিসংখ্যান: hospital", since=mark, timeout=60)
    stats_text = stats.text or ""
    assert "মাদকের চিকিৎসা" in stats_text
    assert "যোগাযোগ: ১" in re.sub(r"<[^>]+>", "", stats_text)
    # The period label (2026-11) is what one would type as an argument, the team and names
    # are data, ETE is kept beside its Bengali name; the rest is Bengali, in Bengali digits.
    label = re.search(r"hospital — ([^<]+)</b>", stats_text)
    assert label is not None, stats_text
    assert _latin_left(stats_text, label.group(1), "hospital", "Test", "(ETE)") == [], stats_text

    mark = api.mark()
    api.push_message(SUP, "/chart")
    photo = api.wait_for(lambda c: c.method == "sendPhoto", since=mark, timeout=90)
    caption = photo.params.get("caption") or ""
    assert caption.startswith("সাপ্তাহিক যোগাযোগ ও যুক্ত থাকার হার"), caption
    assert BENGALI_DIGIT.search(caption), caption
    assert not re.search(r"[0-9]", caption), caption
    assert photo.files["photo"].data[:8] == b"\x89PNG\r\n\x1a\n"
