"""Reminders in Bengali through a real Application: the nudge, the agenda, escalation and
safeguarding notices, the buttons and their replies, /due and /hours, for a navigator with
`/language bn` and for one on `auto` who writes in Bengali script (PRODUCT §6, §9)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from bot.contacts.saving import ContactInput, reminder_settings, save_contact
from bot.core.domain import Outcome, Risk, Setting, StaffMember
from bot.core.working_hours import WorkingHours
from bot.jobs.schedule import run_sweep
from storage.models import FollowUp, SafeguardingAlert, Staff
from tests.handlers.harness import Harness
from tests.handlers.logging_helpers import strip_tags

NAV, SUP, AUTO = 7201, 7202, 7203
ALWAYS = "mon-sun 00:00-23:59"
BENGALI_LETTER = re.compile(r"[\u0980-\u09ff]")
# Wednesday 25 March 2026, 12:00 in London (GMT; summer time starts on the 29th).
NOON = datetime(2026, 3, 25, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _midday() -> Any:
    with time_machine.travel(NOON, tick=True):
        yield


def english_left(text: str, *data: str) -> list[str]:
    """Latin words and ASCII digits left once tags, client codes, /commands and the given
    data (names, the time zone) are taken out: a Bengali message should have none."""
    text = strip_tags(text)
    for value in data:
        text = text.replace(value, " ")
    text = re.sub(r"\bC\d+\b|/[a-z]+", " ", text)
    return re.findall(r"[A-Za-z]+|[0-9]+", text)


def assert_bengali(text: str, *data: str) -> None:
    assert BENGALI_LETTER.search(text), text
    assert english_left(text, *data) == [], text


async def _team(h: Harness, *, navigator_language: str = "bn") -> dict[int, Staff]:
    return {
        NAV: await h.add_staff(
            NAV, working_hours=ALWAYS, display_name="Aisha", ui_language=navigator_language
        ),
        SUP: await h.add_staff(
            SUP, role="supervisor", working_hours=ALWAYS, display_name="Sue", ui_language="bn"
        ),
    }


async def _followup(
    h: Harness,
    owner: Staff,
    *,
    code: str = "C123",
    due: datetime | None = None,
    risks: tuple[Risk, ...] = (),
) -> int:
    now = datetime.now(UTC)
    async with h.session() as session:
        saved = await save_contact(
            session,
            staff=StaffMember.from_row(owner),
            contact=ContactInput(
                client_code=code,
                setting=Setting.HOSPITAL,
                outcome=Outcome.MADE,
                risks=risks,
                follow_up_at=due or now - timedelta(hours=1),
            ),
            now=now - timedelta(hours=2),
            settings=reminder_settings(h.app.bot_data.settings),
        )
    assert saved.followup_id is not None
    return saved.followup_id


def _keyboard(h: Harness, chat_id: int, text_part: str) -> list[tuple[str, str]]:
    call = next(
        c
        for c in h.transport.sent("sendMessage", chat_id=chat_id)
        if text_part in c.params.get("text", "")
    )
    markup = call.params.get("reply_markup") or {}
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


def _alerts(h: Harness) -> list[str]:
    return [
        call.params.get("text", "")
        for call in h.transport.sent("answerCallbackQuery")
        if call.params.get("show_alert")
    ]


async def test_the_due_nudge_and_agenda_are_in_bengali_with_bengali_digits(h: Harness) -> None:
    staff = await _team(h)
    fid = await _followup(h, staff[NAV])
    await run_sweep(h.app)
    nudge = next(t for t in h.texts_to(NAV) if t.startswith("⏰"))
    assert nudge == (
        "⏰ ফলো আপের সময় হয়েছে: <b>C123</b> (বুধ ২৫ মার্চ ১১:০০)।\n"
        "শেষ যোগাযোগ: বুধ ২৫ মার্চ ১০:০০, যোগাযোগ হয়েছে, হাসপাতাল।"
    )
    assert _keyboard(h, NAV, "⏰") == [
        ("যোগাযোগ লগ করুন", f"fu:log:{fid}"),
        ("সাড়া পাওয়া যায়নি", f"fu:noanswer:{fid}"),
        ("১ ঘণ্টা পরে", f"fu:snooze:1h:{fid}"),
        ("আগামীকাল", f"fu:snooze:tomorrow:{fid}"),
        ("৩ দিন পরে", f"fu:snooze:3d:{fid}"),
        ("নতুন তারিখ", f"fu:resched:{fid}"),
        ("কেস বন্ধ করুন", f"fu:close:{fid}"),
    ]
    agenda = next(t for t in h.texts_to(NAV) if t.startswith("☀️"))
    assert agenda == (
        "☀️ শুভ সকাল। আজ আপনার ফলো আপের তালিকা:\n"
        "<b>আজকের ও দেরি হওয়া ১টি ফলো আপ:</b>\n"
        "• <b>C123</b>: ফলো আপের সময় আজ ১১:০০"
    )
    for text in h.texts_to(NAV):
        assert_bengali(text)


async def test_overdue_nudge_escalation_and_safeguarding_in_bengali(h: Harness) -> None:
    staff = await _team(h)
    await _followup(h, staff[NAV], code="C200", due=NOON - timedelta(days=8))
    await _followup(h, staff[NAV], code="C300", risks=(Risk.WEAPON,))
    await run_sweep(h.app)
    overdue = next(t for t in h.texts_to(NAV) if t.startswith("⚠️"))
    assert overdue.startswith("⚠️ ফলো আপে দেরি: <b>C200</b>, ")
    assert re.search(r", [০-৯]+ কাজের দিন দেরি \(তারিখ ছিল মঙ্গল ১৭ মার্চ ১২:০০\)।", overdue)
    assert_bengali(overdue)

    to_supervisor = h.texts_to(SUP)
    escalation = next(t for t in to_supervisor if t.startswith("🔺"))
    assert re.fullmatch(
        r"🔺 সুপারভাইজারের নজরে: <b>C200</b>-এর ফলো আপে দেরি, [০-৯]+ কাজের দিন দেরি "
        r"\(তারিখ ছিল মঙ্গল ১৭ মার্চ ১২:০০; নেভিগেটর: Aisha\)।",
        escalation,
    ), escalation
    assert [label for label, _ in _keyboard(h, SUP, "🔺")] == ["দেখেছি", "অন্যকে দিন"]
    alert_text = next(t for t in to_supervisor if t.startswith("🚨"))
    assert alert_text == ("🚨 সেফগার্ডিং সতর্কবার্তা: <b>C300</b> (ঝুঁকি: অস্ত্র), লগ করেছেন: Aisha।")
    async with h.session() as session:
        alert = await session.scalar(select(SafeguardingAlert))
    assert alert is not None
    assert _keyboard(h, SUP, "🚨") == [("দেখেছি", f"sg:ack:{alert.id}")]

    await h.press(NAV, f"sg:ack:{alert.id}")
    assert _alerts(h) == ["শুধু ওই টিমের সুপারভাইজার ও অ্যাডমিনরা “দেখেছি” চাপতে পারেন।"]
    await h.press(SUP, f"sg:ack:{alert.id}")
    assert h.last_text_to(SUP) == ("<b>C300</b>: সেফগার্ডিং সতর্কবার্তাটি দেখা হয়েছে।")
    for text in h.texts_to(SUP):
        assert_bengali(text, "Aisha")


async def test_button_replies_are_in_bengali(h: Harness) -> None:
    staff = await _team(h)
    fid = await _followup(h, staff[NAV])
    await h.press(NAV, f"fu:snooze:1h:{fid}")
    reply = h.last_text_to(NAV)
    assert reply.startswith("<b>C123</b>-এর ফলো আপ সরানো হয়েছে: আজ ১৩:")
    assert_bengali(reply)
    # a second button on a follow-up that has moved on: a Bengali refusal
    await h.press(NAV, f"fu:noanswer:{fid}")
    assert h.last_text_to(NAV) == (
        "<b>C123</b>-এর সাথে যোগাযোগের চেষ্টা লগ করা হয়েছে (সাড়া পাওয়া যায়নি)। "
        "পরের ফলো আপ: বৃহস্পতি ২৬ মার্চ ০০:০০।"
    )
    await h.press(NAV, f"fu:noanswer:{fid}")
    assert _alerts(h) == ["এই ফলো আপ আগেই সম্পন্ন বা বন্ধ হয়েছে।"]


async def test_reschedule_in_bengali_reads_a_bengali_date(h: Harness) -> None:
    staff = await _team(h)
    fid = await _followup(h, staff[NAV])
    await h.press(NAV, f"fu:resched:{fid}")
    assert h.last_text_to(NAV).startswith("<b>C123</b>-এর ফলো আপের নতুন তারিখ কবে?")
    await h.send(NAV, "৩১/০২")
    assert h.last_text_to(NAV) == "এই তারিখটি ক্যালেন্ডারে নেই। অন্য তারিখ লিখুন, অথবা /cancel দিন।"
    await h.send(NAV, "শুক্রবার")
    assert h.last_text_to(NAV) == "<b>C123</b>-এর ফলো আপ সরানো হয়েছে: শুক্র ২৭ মার্চ ০৯:০০।"
    async with h.session() as session:
        followup = await session.get(FollowUp, fid)
    assert followup is not None
    assert followup.due_at == datetime(2026, 3, 27, 9, tzinfo=UTC)


async def test_due_in_bengali(h: Harness) -> None:
    staff = await _team(h)
    await h.send(NAV, "/due")
    assert h.last_text_to(NAV) == "আজ কোনো ফলো আপ নেই, দেরি হওয়া ফলো আপও নেই।"
    await _followup(h, staff[NAV], code="C200", due=NOON - timedelta(days=8))
    await _followup(h, staff[NAV], code="C201", due=NOON + timedelta(hours=3))
    await h.send(NAV, "/due")
    text = h.last_text_to(NAV)
    lines = text.splitlines()
    assert lines[0] == "<b>আজকের ও দেরি হওয়া ২টি ফলো আপ:</b>"
    assert any(
        re.fullmatch(r"• <b>C200</b>: [০-৯]+ কাজের দিন দেরি \(তারিখ ছিল মঙ্গল ১৭ মার্চ ১২:০০\)", line)
        for line in lines
    ), text
    assert "• <b>C201</b>: ফলো আপের সময় আজ ১৫:০০" in lines
    assert_bengali(text)


async def test_hours_in_bengali_and_english_unchanged(h: Harness) -> None:
    await _team(h)
    await h.add_staff(AUTO, working_hours=ALWAYS)  # auto, Telegram app in English
    await h.send(NAV, "/hours")
    assert h.last_text_to(NAV) == (
        "রিমাইন্ডারের জন্য আপনার কাজের সময়: সোম–রবি ০০:০০–২৩:৫৯ (Europe/London)। "
        "বদলাতে লিখুন, যেমন /hours সোম-রবি ০৭:০০-২২:০০"
    )
    await h.send(NAV, "/hours সোম-শুক্র ৯-১৭")
    shown = h.last_text_to(NAV)
    assert shown == (
        "কাজের সময় ঠিক করা হয়েছে: সোম–শুক্র ০৯:০০–১৭:০০ (Europe/London)। "
        "রিমাইন্ডার শুধু এই সময়ের মধ্যেই আসবে।"
    )
    # what the bot shows can be typed back
    assert WorkingHours.parse("সোম–শুক্র ০৯:০০–১৭:০০").to_storage() == "mon-fri 09:00-17:00"
    await h.send(NAV, "/hours mon,wed,fri 8-16")
    assert "সোম, বুধ, শুক্র ০৮:০০–১৬:০০ (Europe/London)" in h.last_text_to(NAV)
    await h.send(NAV, "/hours সোম")
    assert h.last_text_to(NAV) == (
        "সময়গুলো বুঝতে পারিনি। প্রথমে দিন, তারপর সময় লিখুন, যেমন /hours সোম-শুক্র ০৯:০০-১৮:০০"
    )
    for text in h.texts_to(NAV):
        assert_bengali(text, "Europe/London")

    await h.send(AUTO, "/hours mon,wed,fri 8-16")
    assert h.last_text_to(AUTO) == (
        "Working hours set: Mon, Wed, Fri 08:00–16:00 (Europe/London). "
        "Reminders wait for these hours."
    )


async def test_auto_writing_bengali_gets_bengali_reminders_and_due(h: Harness) -> None:
    staff = await _team(h, navigator_language="auto")  # Telegram app in English
    await h.send(NAV, "C125 আজ হাসপাতালে দেখা হয়েছে, মাদকের চিকিৎসায় রেফার করা হয়েছে")
    assert strip_tags(h.last_text_to(NAV)).startswith("লগটি যাচাই করুন")
    async with h.session() as session:
        member = await session.get(Staff, staff[NAV].id)
        assert member is not None
        assert member.last_language == "bn"

    await _followup(h, staff[NAV])
    await run_sweep(h.app)
    nudge = next(t for t in h.texts_to(NAV) if t.startswith("⏰"))
    assert nudge.startswith("⏰ ফলো আপের সময় হয়েছে: <b>C123</b> (বুধ ২৫ মার্চ ১১:০০)।")
    await h.send(NAV, "/due")  # a bare command says nothing: the last language holds
    due = h.last_text_to(NAV)
    assert due.startswith("<b>আজকের ও দেরি হওয়া ১টি ফলো আপ:</b>")
    assert_bengali(due)

    # English words switch back, for replies and for what the bot sends later
    await h.send(NAV, "C126 seen in ED, no follow up")
    assert strip_tags(h.last_text_to(NAV)).startswith("Check this log")
    await h.send(NAV, "/due")
    assert h.last_text_to(NAV).startswith("<b>1 follow-up due today or overdue:</b>")


async def test_auto_without_any_words_yet_follows_the_telegram_app(h: Harness) -> None:
    staff = await _team(h, navigator_language="auto")
    await _followup(h, staff[NAV])
    await run_sweep(h.app)
    nudge = next(t for t in h.texts_to(NAV) if t.startswith("⏰"))
    assert nudge.startswith("⏰ Follow-up due: <b>C123</b> (Wed 25 Mar 11:00).")
