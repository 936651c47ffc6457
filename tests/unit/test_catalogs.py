"""The message catalogs: the template matches the code, and Bengali translates all of it
without breaking placeholders, HTML, commands or example codes (PRODUCT §9)."""

from __future__ import annotations

import ast
import re
import string
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from bot.contacts.parsing import parse_follow_up_phrase
from bot.core.access import commands_for
from bot.core.domain import Role
from bot.core.i18n import Translator, _catalog
from bot.core.labels import local_date, local_datetime
from bot.core.texts import help_text

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "bot" / "locale"
TEMPLATE = LOCALE / "navbot.pot"
BENGALI = LOCALE / "bn" / "LC_MESSAGES" / "navbot.po"
SOURCE_DIRS = ("bot", "handlers")
# As in `make messages`: pybabel extract -F babel.cfg -k N_ -k t -k plural:1,2
EXTRA_KEYWORDS = ("N_", "t", "plural:1,2")
LONDON = ZoneInfo("Europe/London")
ASCII_DIGITS = re.compile(r"[0-9]")

MsgKey = str | tuple[str, ...]


def _load(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _key(message: Message) -> MsgKey:
    return tuple(message.id) if isinstance(message.id, list | tuple) else message.id


def _messages(catalog: Catalog) -> dict[MsgKey, Message]:
    return {_key(message): message for message in catalog if message.id}


TEMPLATE_MESSAGES = _messages(_load(TEMPLATE))
BENGALI_CATALOG = _load(BENGALI, "bn")
BENGALI_MESSAGES = _messages(BENGALI_CATALOG)


def _pairs() -> list[tuple[str, str]]:
    """(English source, Bengali translation) for every form of every message."""
    pairs = []
    for key, message in BENGALI_MESSAGES.items():
        if isinstance(key, tuple):
            singular, plural = key
            forms = message.string
            assert isinstance(forms, list | tuple)
            pairs += [(singular, forms[0]), *((plural, form) for form in forms[1:])]
        else:
            assert isinstance(message.string, str)
            pairs.append((key, message.string))
    return pairs


PAIRS = _pairs()
IDS = [source[:40] for source, _ in PAIRS]


# (a) complete -------------------------------------------------------------------------------
def test_every_template_message_has_a_bengali_translation() -> None:
    missing = []
    for key in TEMPLATE_MESSAGES:
        message = BENGALI_MESSAGES.get(key)
        string = None if message is None else message.string
        forms = [string] if isinstance(string, str) else list(string or ())
        if message is None or message.fuzzy or not forms or not all(f.strip() for f in forms):
            missing.append(key)
    assert missing == [], f"untranslated in bn: {missing} (run `make messages`, then translate)"


def test_the_bengali_catalog_has_no_messages_the_template_lacks() -> None:
    assert set(BENGALI_MESSAGES) - set(TEMPLATE_MESSAGES) == set()


def test_bengali_plural_forms_header() -> None:
    assert BENGALI_CATALOG.num_plurals == 2
    assert BENGALI_CATALOG.plural_expr.replace(" ", "") == "(n!=1)"
    plural = _catalog("bn").plural
    assert [plural(n) for n in (0, 1, 2, 5, 21)] == [1, 0, 1, 1, 1]
    for key, message in BENGALI_MESSAGES.items():
        if isinstance(key, tuple):
            assert isinstance(message.string, (list, tuple)), key
            assert len(message.string) == 2, key


# (b) nothing lost in translation --------------------------------------------------------------
def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _tags(text: str) -> Counter[str]:
    return Counter(re.findall(r"</?[a-zA-Z][^>]*>", text))


def _commands(text: str) -> Counter[str]:
    return Counter(re.findall(r"(?<![\w/])/[a-z_]+\b", text))


def _codes(text: str) -> Counter[str]:
    """Client codes in examples (C123, RLH-042): typed by staff, never translated."""
    return Counter(re.findall(r"\b[A-Z][A-Z-]*\d+\b", text))


@pytest.mark.parametrize(("source", "translation"), PAIRS, ids=IDS)
def test_translation_keeps_placeholders_tags_commands_and_codes(
    source: str, translation: str
) -> None:
    assert _fields(translation) == _fields(source)
    assert _tags(translation) == _tags(source)
    assert _commands(translation) == _commands(source)
    assert _codes(translation) == _codes(source)
    values = dict.fromkeys(_fields(source), "x")
    translation.format(**values)  # no stray or unbalanced braces


# (c) the template is what the code says -----------------------------------------------------
def _extract() -> set[MsgKey]:
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)  # type: ignore[no-untyped-call]
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(EXTRA_KEYWORDS)}
    found: set[MsgKey] = set()
    for directory in SOURCE_DIRS:
        for _, _, message, _, _ in extract_from_dir(
            ROOT / directory, method_map, options_map, keywords=keywords
        ):
            found.add(tuple(message) if isinstance(message, tuple | list) else message)
    return found


def test_the_template_is_up_to_date_with_the_code() -> None:
    extracted = _extract()
    committed = set(TEMPLATE_MESSAGES)
    new = sorted(map(str, extracted - committed))
    gone = sorted(map(str, committed - extracted))
    assert (new, gone) == ([], []), "the template is stale: run `make messages` and translate"


_CALL_NAMES = {"t", "N_", "plural", "raw"}


def _literal_msgids() -> dict[str, str]:
    """String literals passed straight to t(), t.raw(), t.plural() or N_() in the code."""
    found = {}
    for directory in SOURCE_DIRS:
        for path in sorted((ROOT / directory).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                first = node.args[0]
                if (
                    name in _CALL_NAMES
                    and isinstance(first, ast.Constant)
                    and isinstance(first.value, str)
                ):
                    found[first.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def test_every_literal_given_to_the_translator_is_in_the_template() -> None:
    """Babel does not extract a t() nested in another t()'s arguments, nor `t.raw("…")`:
    such a string would stay English in every language without this check."""
    singulars = {key[0] if isinstance(key, tuple) else key for key in TEMPLATE_MESSAGES}
    plurals = {key[1] for key in TEMPLATE_MESSAGES if isinstance(key, tuple)}
    missing = {
        text: where for text, where in _literal_msgids().items() if text not in singulars | plurals
    }
    assert missing == {}


def _plural_literals() -> dict[tuple[str, str], str]:
    """(singular, plural) literal pairs passed to t.plural() in the code."""
    found = {}
    for directory in SOURCE_DIRS:
        for path in sorted((ROOT / directory).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "plural"
                    and len(node.args) >= 2
                ):
                    continue
                first, second = node.args[:2]
                if (
                    isinstance(first, ast.Constant)
                    and isinstance(first.value, str)
                    and isinstance(second, ast.Constant)
                    and isinstance(second.value, str)
                ):
                    found[first.value, second.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def test_every_plural_given_to_the_translator_is_a_plural_in_the_template() -> None:
    """Babel extracts only the singular of a t.plural() call that has another call among its
    arguments (`len(items)`, `team_label(t, team)`): ngettext then finds no plural entry and
    the reply falls back to English. Compute such values before the call."""
    pairs = _plural_literals()
    assert pairs, "no t.plural() calls found: the check is looking in the wrong place"
    missing = {pair: where for pair, where in pairs.items() if pair not in TEMPLATE_MESSAGES}
    assert missing == {}


# The Translator in Bengali -------------------------------------------------------------------
def test_translator_answers_in_bengali() -> None:
    t = Translator("bn")
    assert t("Saved.") == "সংরক্ষণ করা হয়েছে।"
    assert t("Client: <b>{code}</b>", code="C123") == "ক্লায়েন্ট: <b>C123</b>"
    assert t.raw("drug treatment") == "মাদকের চিকিৎসা"
    assert t("Welcome, {name}.", name="<Sam>") == "স্বাগতম, &lt;Sam&gt;।"
    assert Translator("bn-BD").language == "en"  # only exact supported codes; guard maps them


def test_help_is_bengali_for_every_role() -> None:
    t = Translator("bn")
    for role in Role:
        text = help_text(t, role)
        for command in commands_for(role):
            line = next(line for line in text.splitlines() if line.startswith(f"/{command.name} "))
            assert t(command.description) in line
            assert t(command.description) != command.description
    assert "আপনার কমান্ডগুলো (সুপারভাইজার)" in help_text(t, Role.SUPERVISOR)


def test_plural_picks_the_form_by_count() -> None:
    t = Translator("bn")
    singular, plural = "{count} open follow-up cancelled.", "{count} open follow-ups cancelled."
    forms = BENGALI_MESSAGES[(singular, plural)].string
    assert isinstance(forms, (list, tuple))
    one, other = forms
    assert t.plural(singular, plural, 1) == one.format(count="১")
    assert t.plural(singular, plural, 5) == other.format(count="৫")
    assert t.plural(singular, plural, 5) == "৫টি বাকি ফলো আপ বাতিল করা হয়েছে।"
    assert Translator("en").plural(singular, plural, 1) == "1 open follow-up cancelled."
    assert Translator("en").plural(singular, plural, 5) == "5 open follow-ups cancelled."


def test_bengali_numbers_use_bengali_digits_and_keep_format_specs() -> None:
    t = Translator("bn")
    assert t("<b>Your open caseload ({count})</b>", count=12) == "<b>আপনার চলমান কেস (১২)</b>"
    assert t("{rate:.0%} of {n:,}", rate=0.425, n=12345) == "৪২% of ১২,৩৪৫"
    assert t("{code}", code="C123") == "C123"  # text values are data: untouched
    assert t.digits("07/04/2026 09:30") == "০৭/০৪/২০২৬ ০৯:৩০"
    assert Translator("en")("{n:,}", n=12345) == "12,345"
    assert Translator("en").digits("09:30") == "09:30"


def test_bengali_dates_have_bengali_names_and_digits() -> None:
    t = Translator("bn")
    friday = datetime(2026, 3, 27, 9, 5, tzinfo=UTC)
    assert local_datetime(t, friday, LONDON) == "শুক্র ২৭ মার্চ ০৯:০৫"
    assert local_date(t, friday, LONDON) == "শুক্র ২৭ মার্চ"
    # British Summer Time, a long month name, a two-digit day
    summer = datetime(2026, 9, 15, 13, 30, tzinfo=UTC)
    assert local_datetime(t, summer, LONDON) == "মঙ্গল ১৫ সেপ্টেম্বর ১৪:৩০"
    for month in range(1, 13):
        shown = local_datetime(t, datetime(2026, month, 28, 23, 59, tzinfo=UTC), LONDON)
        assert not ASCII_DIGITS.search(shown), shown
    assert local_datetime(Translator("en"), friday, LONDON) == "Fri 27 Mar 09:05"


def test_a_bengali_date_as_shown_can_be_typed_back() -> None:
    t = Translator("bn")
    now = datetime(2026, 3, 23, 10, 0, tzinfo=UTC)
    for due in (datetime(2026, 3, 27, 9, 5, tzinfo=UTC), datetime(2026, 9, 15, 13, 30, tzinfo=UTC)):
        shown = local_datetime(t, due, LONDON)
        assert parse_follow_up_phrase(shown, now=now, tz=LONDON) == due, shown
