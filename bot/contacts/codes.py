"""Client codes (PRODUCT §3): the only way a client is named anywhere in the bot.

Navigators type codes on phones with mixed keyboards (English, Bengali, autocorrect that
swaps '-' for '‑', copy-paste that drags in invisible bidi marks). All of those must land on
the same canonical code, otherwise one client silently becomes two. Look-alike letters
(Cyrillic 'С', Greek 'Α') are refused instead of mapped: guessing would risk attaching a
contact to the wrong person.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from functools import lru_cache

# Characters that render as nothing but make two equal-looking strings different.
_INVISIBLE = dict.fromkeys(
    [
        *(0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD),
        *(0x200E, 0x200F, 0x061C),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ],
    None,
)

# Every dash a phone keyboard or word processor may produce. Applied after NFKC, which
# already folds some of them (U+FE63, U+FF0D) to '-' and others (U+2011) to U+2010.
_DASHES = dict.fromkeys(
    [*range(0x2010, 0x2016), 0x2212, 0xFE58, 0xFE63, 0xFF0D, 0x2E3A, 0x2E3B, 0x00AD], "-"
)


def _digit_table() -> dict[int, str]:
    # Every Unicode decimal digit (Bengali ০-৯, Arabic-Indic, Devanagari, ...) to ASCII.
    # Digits are unambiguous, so mapping them is safe, unlike letters.
    table: dict[int, str] = {}
    for cp in range(0x80, 0x1FBFA):
        ch = chr(cp)
        if unicodedata.category(ch) == "Nd":
            table[cp] = str(unicodedata.decimal(ch))
    return table


_DIGITS = _digit_table()


def clean_text(text: str) -> str:
    """NFKC, drop invisible/bidi controls, fold dashes and non-ASCII digits.

    Shared by codes, redaction and the parser so all three see the same characters.
    Case is left alone: notes are stored as written.
    """
    text = unicodedata.normalize("NFKC", text)
    return text.translate(_INVISIBLE).translate(_DASHES).translate(_DIGITS)


def normalise_code_input(raw: str) -> str:
    """Canonical spelling of something typed where a code is expected (not yet validated)."""
    text = clean_text(raw).strip()
    if text.startswith("#"):
        text = text[1:].strip()
    return text.upper()


class CodeError(StrEnum):
    EMPTY = "empty"
    NAME_NOT_CODE = "name_not_code"
    LOOKALIKE = "lookalike"
    BAD_FORMAT = "bad_format"


class InvalidClientCode(ValueError):
    def __init__(self, raw: str, error: CodeError) -> None:
        # The raw input may be a real name: keep it out of the message so it never reaches
        # a log line through str(exc).
        super().__init__(f"invalid client code ({error})")
        self.error = error


_CODE_RE = re.compile(r"[A-Z][A-Z0-9-]{1,15}")


def _looks_like_name(text: str) -> bool:
    # Letters of any script (with Bengali vowel signs, which are combining marks), plus the
    # punctuation names carry. No digit: a digit makes it a malformed code instead.
    return any(c.isalpha() for c in text) and all(
        c.isalpha() or unicodedata.category(c).startswith("M") or c in " '’-" for c in text
    )


def _is_valid(code: str) -> bool:
    return _CODE_RE.fullmatch(code) is not None and any(c.isdigit() for c in code)


def classify_code(raw: str) -> CodeError | None:
    """Why `raw` is not a code, or None when it is one."""
    code = normalise_code_input(raw)
    if not code:
        return CodeError.EMPTY
    if _is_valid(code):
        return None
    if _looks_like_name(code):
        # Letters only (any script): a name, or a word, typed where a code belongs.
        return CodeError.NAME_NOT_CODE
    if any(c.isalpha() and not c.isascii() for c in code):
        return CodeError.LOOKALIKE
    return CodeError.BAD_FORMAT


def parse_client_code(raw: str) -> str:
    """The canonical code for `raw`, or InvalidClientCode saying why not."""
    error = classify_code(raw)
    if error is not None:
        raise InvalidClientCode(raw, error)
    return normalise_code_input(raw)


# A candidate token: starts with an ASCII letter, not glued to other ASCII word characters.
# Not preceded by '@' or "x." (e-mail local parts, domains) and not followed by '@'.
# Bengali suffixes ("C123কে") and punctuation end a token; so does an apostrophe ("C123's").
_CANDIDATE_RE = re.compile(
    r"(?<![A-Za-z0-9\-@])(?<![A-Za-z0-9]\.)#?([A-Za-z][A-Za-z0-9-]*)(?![A-Za-z0-9\-@])"
)
_POSTCODE_OUTWARD_RE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")
_POSTCODE_INWARD_AFTER_RE = re.compile(r"\s+[0-9][A-Za-z]{2}(?![A-Za-z0-9])")
_POSTCODE_FULL_RE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}")
# Code-shaped words that navigators write for other reasons: "called x3", "COVID-19", "Q3".
_NOT_CODES_RE = re.compile(r"X[0-9]{1,2}|COVID-?19|Q[1-4]")

# Code-shaped words that name something else (issue 13): course levels (L2 plumbing),
# Mental Health Act sections (s136), school years (Y11), under-18s (U18), face to face (F2F)
# and organisations (Catch22). Always these, whatever is around them.
_OTHER_THINGS_RE = re.compile(
    r"L[1-8]|S(?:2|3|4|5|7|35|36|37|38|41|47|117|135|136)|Y(?:[1-9]|1[0-3])|U(?:1[0-9]|2[0-5])"
    r"|F2F|CATCH-?22|B4|O2|PS[345]"
)
# Roads (A13, M25, B1122) after "the/on/near..." or before "services/junction...".
_ROAD_RE = re.compile(r"[AMB][0-9]{1,4}")
_ROAD_BEFORE_RE = re.compile(
    r"(?<![A-Za-z])(?:the|on|off|near|along|via|onto|up|down|by|junction|jct|j)\s*$", re.IGNORECASE
)
_ROAD_AFTER_RE = re.compile(
    r"\s*(?:road|rd|services|junction|jct|j[0-9]+|slip|flyover|underpass|roundabout|"
    r"northbound|southbound|eastbound|westbound)(?![A-Za-z])",
    re.IGNORECASE,
)
# Rooms, bays, beds and wards ("room B2", "bay C4", "bed A12"): any code shape after them.
_ROOM_BEFORE_RE = re.compile(
    r"(?<![A-Za-z])(?:room|rm|bay|bed|cubicle|cube|ward|cell|floor|block|flat|unit|level|"
    r"resus|majors|minors|gate|platform|bus|route|no\.?|number|clinic|area|zone|pod|booth)"
    r"\s*$",
    re.IGNORECASE,
)
# Postcode districts ("outreach in E14", "lives in N1") after a place preposition.
_DISTRICT_RE = re.compile(
    r"(?:E|N|W|SE|SW|NW|EC|WC|IG|RM|DA|BR|CR|HA|UB|TW|KT|SM|EN)[0-9]{1,2}[A-Z]?"
)
_DISTRICT_BEFORE_RE = re.compile(
    r"(?<![A-Za-z])(?:in|at|near|around|from|to|outreach|round|the|of|postcode|area|"
    r"borough|across)\s*$",
    re.IGNORECASE,
)


def _names_something_else(cleaned: str, start: int, end: int, code: str) -> bool:
    """Whether a code-shaped word is a road, room, postcode district, course, section or
    organisation rather than a client, judged from the word and its neighbours."""
    if _OTHER_THINGS_RE.fullmatch(code):
        return True
    before = cleaned[max(0, start - 24) : start]
    if _ROOM_BEFORE_RE.search(before):
        return True
    if _ROAD_RE.fullmatch(code) and (
        _ROAD_BEFORE_RE.search(before) or _ROAD_AFTER_RE.match(cleaned, end)
    ):
        return True
    return bool(_DISTRICT_RE.fullmatch(code) and _DISTRICT_BEFORE_RE.search(before))


@lru_cache(maxsize=256)
def _iter_codes(cleaned: str) -> tuple[tuple[int, int, str], ...]:
    """Client codes in order. A code-shaped word that names a place or a thing (see
    `_names_something_else`) is left out when the message has another code: "C123 found on
    the A13" is one client. Alone, it is still read as a code, so "L2 seen in ED" from a
    team whose codes look like that is logged rather than refused."""
    found: list[tuple[int, int, str]] = []
    other: list[tuple[int, int, str]] = []
    for m in _CANDIDATE_RE.finditer(cleaned):
        token = m.group(1).rstrip("-")
        code = token.upper()
        if not _is_valid(code) or _NOT_CODES_RE.fullmatch(code):
            continue
        if _POSTCODE_FULL_RE.fullmatch(code):
            continue
        if _POSTCODE_OUTWARD_RE.fullmatch(code) and _POSTCODE_INWARD_AFTER_RE.match(
            cleaned, m.end(1)
        ):
            continue
        start, end = m.start(1), m.start(1) + len(token)
        if _names_something_else(cleaned, start, end, code):
            other.append((start, end, code))
        else:
            found.append((start, end, code))
    # Cached and immutable: parsing one message asks for the same text's codes several
    # times (the code itself, redaction, the note), each scan a dozen regexes per word.
    return tuple(found if found else other)


def code_spans(cleaned: str) -> list[tuple[int, int]]:
    """Where codes sit in text already passed through clean_text (for redaction to protect)."""
    return [(start, end) for start, end, _ in _iter_codes(cleaned)]


def find_client_codes(text: str) -> list[str]:
    """Every distinct code in free text, in order of first appearance."""
    seen: dict[str, None] = {}
    for _, _, code in _iter_codes(clean_text(text)):
        seen.setdefault(code, None)
    return list(seen)


_TOKEN_STRIP = "#.,:;!?()[]{}\"'“”‘’«»"
# A token that would be a code if its non-ASCII letters were Latin: letters and digits mixed.
_LOOKALIKE_TOKEN_RE = re.compile(r"(?=\w*\d)(?=\w*[^\W\d_])[\w-]{2,16}")


def first_token_code_error(text: str) -> CodeError | None:
    """Why a message cannot be logged for lack of a code; None when it has one.

    Look-alike codes anywhere win over the first-word check, because "С123 seen in ED" with a
    Cyrillic С is a code typed on the wrong keyboard, and the reply should say so.
    """
    cleaned = clean_text(text)
    if find_client_codes(cleaned):
        return None
    tokens = [t.strip(_TOKEN_STRIP) for t in cleaned.split()]
    tokens = [t for t in tokens if t]
    if not tokens:
        return CodeError.EMPTY
    for token in tokens:
        if _LOOKALIKE_TOKEN_RE.fullmatch(token) and classify_code(token) is CodeError.LOOKALIKE:
            return CodeError.LOOKALIKE
    return classify_code(tokens[0]) or CodeError.BAD_FORMAT
