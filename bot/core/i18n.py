"""Every user-facing string goes through here: gettext catalogs under `bot/locale/`.

Catalogs are `.po` files compiled in memory on first use, so there is no build step and no
binary in the repository. Replies are sent as HTML: interpolated values are escaped by
default, and only values wrapped in `Html` (built by our own formatting code) are not.

Digits: CLDR's default numbering system for Bengali is the Bengali one (০-৯), and Bengali
text in Bangladesh writes numbers that way, so a Bengali reply shows counts, minutes and
dates in Bengali digits. Numbers passed to a Translator as `int`/`float` are converted (format
specs such as `{rate:.0%}` still work); dates from `bot.core.labels` are converted there; text
that is data (client codes, notes, commands, examples like C123) is never touched. Anything
else that builds numbers into a string itself should pass it through `t.digits()`.
"""

from __future__ import annotations

import html
import io
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Final, Protocol

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR: Final = Path(__file__).resolve().parents[1] / "locale"  # bot/locale
DOMAIN: Final = "navbot"
SUPPORTED_LANGUAGES: Final = ("en", "bn")
DEFAULT_LANGUAGE: Final = "en"
# Languages whose replies use their own digits rather than 0-9.
NATIVE_DIGITS: Final[dict[str, str]] = {"bn": "০১২৩৪৫৬৭৮৯"}


class Html(str):
    """A fragment we built ourselves and already escaped: interpolated as is."""

    __slots__ = ()


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined; translate it where it is used."""
    return message


@lru_cache(maxsize=len(SUPPORTED_LANGUAGES))
def _catalog(language: str) -> Translations:
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        return Translations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


class _LocalNumber:
    """A number that formats like itself, then swaps in the reply language's digits."""

    __slots__ = ("_digits", "_value")

    def __init__(self, value: int | float, digits: dict[int, int]) -> None:
        self._value = value
        self._digits = digits

    def __format__(self, spec: str) -> str:
        return format(self._value, spec).translate(self._digits)

    def __str__(self) -> str:
        return format(self, "")


def _escape_all(values: dict[str, object], digits: dict[int, int] | None) -> dict[str, object]:
    escaped: dict[str, object] = {}
    for key, value in values.items():
        if isinstance(value, bool | Html):
            escaped[key] = value
        elif isinstance(value, int | float):
            escaped[key] = _LocalNumber(value, digits) if digits else value
        else:
            escaped[key] = html.escape(str(value), quote=False)
    return escaped


class Translator:
    """Translation for one reply language: `t("Saved {code}.", code=code)`."""

    def __init__(self, language: str) -> None:
        self.language = language if language in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE
        self._translations = _catalog(self.language)
        native = NATIVE_DIGITS.get(self.language)
        self._digits = str.maketrans("0123456789", native) if native else None

    def __call__(self, message: str, /, **values: object) -> str:
        text = self._translations.gettext(message)
        return text.format(**_escape_all(values, self._digits)) if values else text

    def plural(self, singular: str, plural: str, count: int, /, **values: object) -> str:
        text = self._translations.ngettext(singular, plural, count)
        return text.format(**_escape_all({**values, "count": count}, self._digits))

    def digits(self, text: str) -> str:
        """`text` with 0-9 written in the reply language's digits (Bengali: ০-৯)."""
        return text.translate(self._digits) if self._digits else text

    def raw(self, message: str, /) -> str:
        """The translated text without interpolation (for button labels and the like)."""
        return self._translations.gettext(message)


def has_bengali_script(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    bengali = sum(1 for ch in letters if "\u0980" <= ch <= "\u09ff")
    return bengali * 3 >= len(letters)  # a third of the letters is a clear signal


def written_language(text: str | None, telegram_language: str | None) -> str | None:
    """The reply language a user's own words ask for under `auto`, or None when they say
    nothing about it.

    Bengali script means Bengali. Other words mean the Telegram app language (if supported,
    else English). A command with its arguments (`/due`, `/hours mon-fri 09:00-18:00`,
    `/client C123`) is written in English by convention whatever the user reads, so it
    counts only when its arguments are in Bengali script; digits, codes and emoji alone say
    nothing either.
    """
    if not text:
        return None
    text = unicodedata.normalize("NFC", text).strip()
    if has_bengali_script(text):
        return "bn"
    if text.startswith("/") or not any(ch.isalpha() for ch in text):
        return None
    base = (telegram_language or "").split("-")[0].lower()
    return base if base in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


def choose_reply_language(
    preference: str,
    telegram_language: str | None,
    text: str | None = None,
    *,
    last_language: str | None = None,
) -> str:
    """PRODUCT §9: an explicit preference wins; with `auto`, Bengali script in the message
    switches to Bengali, else the Telegram app language if we support it, else English.

    A message whose words say nothing (a bare command, a date typed as digits, a button
    press) and anything the bot starts itself (reminders, notices, digests) use
    `last_language`, the language the user's last message with words asked for (stored on
    the staff row), so a navigator who writes in Bengali gets Bengali reminders and a
    Bengali `/due`; without one, the Telegram app language."""
    if preference in SUPPORTED_LANGUAGES:
        return preference
    written = written_language(text, telegram_language)
    if written is not None:
        return written
    if last_language in SUPPORTED_LANGUAGES:
        return last_language
    base = (telegram_language or "").split("-")[0].lower()
    return base if base in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


class LanguagePreferences(Protocol):
    """What the bot knows of a staff member's languages (a staff row has these)."""

    @property
    def ui_language(self) -> str: ...
    @property
    def telegram_language(self) -> str | None: ...
    @property
    def last_language(self) -> str | None: ...


def translator_for(member: LanguagePreferences) -> Translator:
    """The language a message the bot starts itself is written in, for this member."""
    return Translator(
        choose_reply_language(
            member.ui_language, member.telegram_language, last_language=member.last_language
        )
    )
