from __future__ import annotations

import logging

import pytest

from bot.core.i18n import Html, Translator, choose_reply_language, has_bengali_script
from bot.logging_setup import SecretRedactingFilter
from bot.people.invites import (
    ALPHABET,
    CODE_LENGTH,
    deep_link,
    hash_invite_code,
    looks_like_invite_code,
    new_invite_code,
    parse_duration_days,
)


def test_codes_are_long_random_and_unambiguous() -> None:
    codes = {new_invite_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == CODE_LENGTH
        assert set(code) <= set(ALPHABET)
        assert not set(code) & set("0O1IL")


def test_hash_ignores_case_and_spacing_but_not_content() -> None:
    code = new_invite_code()
    assert hash_invite_code(code) == hash_invite_code(f" {code.lower()} ")
    assert hash_invite_code(code) != hash_invite_code(new_invite_code())
    assert code not in hash_invite_code(code)


@pytest.mark.parametrize("raw", ["", "short", "0" * 12, "<script>", "A" * 40])
def test_things_that_are_not_codes(raw: str) -> None:
    assert not looks_like_invite_code(raw)


@pytest.mark.parametrize(("raw", "days"), [("7d", 7), ("2w", 14), ("30", 30), ("１４d", 14)])
def test_durations(raw: str, days: int) -> None:
    assert parse_duration_days(raw) == days


@pytest.mark.parametrize("raw", ["0d", "91d", "soon", "-3d", "13w"])
def test_bad_durations(raw: str) -> None:
    with pytest.raises(ValueError, match=r"expected|expire"):
        parse_duration_days(raw)


def test_deep_link() -> None:
    assert deep_link("navbot", "ABC") == "https://t.me/navbot?start=ABC"


def test_interpolated_values_are_escaped_unless_marked() -> None:
    t = Translator("en")
    assert t("Hi {name}", name="<b>x</b> & y") == "Hi &lt;b&gt;x&lt;/b&gt; &amp; y"
    assert t("Hi {name}", name=Html("<b>x</b>")) == "Hi <b>x</b>"


def test_unsupported_languages_fall_back_to_english() -> None:
    assert Translator("fr").language == "en"


@pytest.mark.parametrize(
    ("preference", "telegram", "text", "expected"),
    [
        ("en", "bn", "আমি", "en"),
        ("bn", "en", "hello", "bn"),
        ("auto", "en", "C123 আজ দেখা হয়েছে", "bn"),
        ("auto", "bn-BD", "hello", "bn"),
        ("auto", "fr", "bonjour", "en"),
        ("auto", None, None, "en"),
    ],
)
def test_reply_language(
    preference: str, telegram: str | None, text: str | None, expected: str
) -> None:
    assert choose_reply_language(preference, telegram, text) == expected


@pytest.mark.parametrize(
    ("telegram", "text", "last", "expected"),
    [
        ("en", "C123 আজ দেখা হয়েছে", "en", "bn"),  # Bengali words win
        ("en", "C123 seen in ED", "bn", "en"),  # English words: the Telegram language
        ("en", "/due", "bn", "bn"),  # a bare command says nothing: the remembered language
        ("en", "/hours mon-fri 09:00-18:00", "bn", "bn"),  # English arguments by convention
        ("en", "/hours সোম-শুক্র ৯-১৭", "en", "bn"),  # Bengali arguments do count
        ("en", "3/4", "bn", "bn"),  # digits alone
        ("en", None, "bn", "bn"),  # a reminder, a button press
        ("en", None, None, "en"),
        ("bn", None, None, "bn"),
        ("en", None, "fr", "en"),
    ],
)
def test_auto_remembers_the_language_of_the_last_message_with_words(
    telegram: str, text: str | None, last: str | None, expected: str
) -> None:
    assert choose_reply_language("auto", telegram, text, last_language=last) == expected
    assert choose_reply_language("en", telegram, text, last_language=last) == "en"


def test_bengali_script_needs_a_real_share_of_letters() -> None:
    assert has_bengali_script("আগামীকাল দেখা")
    assert not has_bengali_script("C123 seen in ED today, follow up friday ক")


def test_secret_filter_scrubs_messages_and_tracebacks() -> None:
    secret = "123:SECRET"
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "POST /bot%s/getMe", (secret,), None
    )
    try:
        raise RuntimeError(f"failed at /bot{secret}/sendMessage")
    except RuntimeError as error:
        record.exc_info = (RuntimeError, error, error.__traceback__)
    SecretRedactingFilter([secret]).filter(record)
    assert secret not in record.getMessage()
    assert secret not in (record.exc_text or "")
    assert "[token]" in record.getMessage()
