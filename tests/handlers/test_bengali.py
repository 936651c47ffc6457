"""Bengali through the real Application: command menus, /help, the confirmation card, and
`auto` switching to Bengali when a navigator writes in Bengali script (PRODUCT §9)."""

from __future__ import annotations

import re
from typing import Any

from bot.app import publish_command_menus
from bot.core.access import commands_for
from bot.core.domain import Role
from bot.core.i18n import Translator
from tests.handlers.harness import Harness
from tests.handlers.logging_helpers import button, strip_tags

NAV = 7101
SUPERVISOR = 7102
ADMIN = 7103
BENGALI_LETTER = re.compile(r"[\u0980-\u09ff]")


def _menus(h: Harness) -> list[dict[str, Any]]:
    return [call.params for call in h.transport.sent("setMyCommands")]


def _menu(h: Harness, scope: dict[str, Any], language: str | None) -> dict[str, str]:
    matches = [
        {c["command"]: c["description"] for c in params["commands"]}
        for params in _menus(h)
        if params.get("scope") == scope and params.get("language_code") == language
    ]
    assert len(matches) == 1, f"{len(matches)} menus for {scope} {language}: {_menus(h)}"
    return matches[0]


def _expected(role: Role, language: str) -> dict[str, str]:
    t = Translator(language)
    return {command.name: t(command.description) for command in commands_for(role)}


async def test_command_menus_are_published_in_english_and_bengali(h: Harness) -> None:
    await h.add_staff(NAV)
    await h.add_staff(SUPERVISOR, role="supervisor")
    await h.add_staff(ADMIN, role="admin")
    await publish_command_menus(h.app)  # post_init does this; the harness does not run it

    default = {"type": "default"}
    assert _menu(h, default, None) == _expected(Role.NAVIGATOR, "en")
    bengali = _menu(h, default, "bn")
    assert bengali == _expected(Role.NAVIGATOR, "bn")
    assert bengali["undo"] == "আপনার শেষ লগ ফিরিয়ে নিন (১৫ মিনিটের মধ্যে)"
    assert all(BENGALI_LETTER.search(text) for text in bengali.values())

    for chat_id, role in ((SUPERVISOR, Role.SUPERVISOR), (ADMIN, Role.ADMIN)):
        scope = {"type": "chat", "chat_id": chat_id}
        assert _menu(h, scope, None) == _expected(role, "en")
        assert _menu(h, scope, "bn") == _expected(role, "bn")
        assert _menu(h, scope, "bn")["invite"].startswith("সহকর্মীকে আমন্ত্রণ")
    assert not [p for p in _menus(h) if p.get("scope") == {"type": "chat", "chat_id": NAV}]


async def test_help_is_in_bengali_for_a_bengali_user(h: Harness) -> None:
    await h.add_staff(NAV, ui_language="bn")
    await h.send(NAV, "/help")
    text = h.last_text_to(NAV)
    assert text.startswith("<b>আপনার কমান্ডগুলো (নেভিগেটর)</b>")
    assert "/log — ধাপে ধাপে যোগাযোগ লগ করুন (অথবা: /log C123 জরুরি বিভাগে দেখা…)" in text
    assert "/invite" not in text


async def test_the_card_is_in_bengali_for_a_bengali_user(h: Harness) -> None:
    await h.add_staff(NAV, ui_language="bn")
    await h.send(NAV, "C123 seen in ED, referred to drug treatment, follow up friday")
    card = h.last_text_to(NAV)
    assert card.startswith("<b>লগটি যাচাই করুন</b>\nক্লায়েন্ট: <b>C123</b> (নতুন ক্লায়েন্ট)")
    lines = strip_tags(card).splitlines()
    assert "কোথায়: হাসপাতাল" in lines
    assert "ফলাফল: যোগাযোগ হয়েছে" in lines
    assert "সেবা: মাদকের চিকিৎসা (রেফার হয়েছে)" in lines
    follow_up = next(line for line in lines if line.startswith("ফলো আপ: "))
    assert follow_up.startswith("ফলো আপ: শুক্র ")
    assert not re.search(r"[0-9]", follow_up), follow_up  # Bengali digits in dates
    keyboard = h.transport.sent("sendMessage", NAV)[-1].params["reply_markup"]
    labels = [b["text"] for row in keyboard["inline_keyboard"] for b in row]
    assert labels == ["✅ সংরক্ষণ", "✏️ বদলান", "✖️ বাতিল"]

    await h.press(NAV, button(h, NAV, "card:save:"))
    reply = strip_tags(h.last_text_to(NAV))
    assert reply.startswith("সংরক্ষিত: C123 — যোগাযোগ হয়েছে, হাসপাতাল।")
    assert "নতুন ক্লায়েন্ট C123, আপনার কেসের তালিকায় যোগ হয়েছে।" in reply


async def test_auto_answers_bengali_script_in_bengali(h: Harness) -> None:
    await h.add_staff(NAV)  # ui_language "auto", Telegram app in English
    await h.send(NAV, "C123 আজ হাসপাতালে দেখা হয়েছে, আগামীকাল ফলো আপ")
    card = strip_tags(h.last_text_to(NAV))
    assert card.startswith("লগটি যাচাই করুন\nক্লায়েন্ট: C123")
    assert "কোথায়: হাসপাতাল" in card.splitlines()
    assert "ভাষা: বাংলা" in card.splitlines()

    await h.send(NAV, "C124 seen in ED, follow up tomorrow")
    assert strip_tags(h.last_text_to(NAV)).startswith("Check this log\nClient: C124")


async def test_auto_follows_a_bengali_telegram_app(h: Harness) -> None:
    await h.add_staff(NAV)
    await h.send(NAV, "/help", language_code="bn")
    assert h.last_text_to(NAV).startswith("<b>আপনার কমান্ডগুলো (নেভিগেটর)</b>")
