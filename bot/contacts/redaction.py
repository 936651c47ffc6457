"""Redaction of free text before it is stored (PRODUCT §8).

Navigators type fast and sometimes paste a phone number, an address or a name into a note.
Nothing identifiable may reach the database, so this errs on the side of redacting: any long
digit run goes, even if it was harmless. The one thing that must survive is the client code,
because the note is the navigator's own record of that contact.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import phonenumbers

from bot.contacts.codes import clean_text, code_spans
from bot.contacts.redaction_words import (
    BENGALI_NOT_NAMES,
    BENGALI_POSSESSIVES,
    BENGALI_RELATIONS,
    NOT_NAMES,
    RELATIONS,
    words,
)

MAX_NOTE_CHARS = 2000

PHONE = "[phone]"
EMAIL = "[email]"
POSTCODE = "[postcode]"
NHS = "[nhs]"
NAME = "[name]"
DOB = "[dob]"
ADDRESS = "[address]"
MAX_NAME_CANDIDATES = 3

# Codes are swapped for private-use placeholders while redacting, so no rule below can eat
# their digits (TH2024-17 looks like a short phone number to libphonenumber). The placeholder
# holds no digits, so the digit rules cannot see it either.
_HOLD_START = "\ue000"
_HOLD_END = "\ue001"
_HOLD_RE = re.compile(f"{_HOLD_START}([\ue100-\ue8ff]){_HOLD_END}")

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)+")

# "name: Jo Bloggs", "Name = Jo", "নাম: রহিম". The label stays so the note still reads.
_NAME_LABEL_RE = re.compile(
    r"(?i)(?<![^\W_])(?:(?:sur|fore|first\s|last\s|full\s)?name|নাম)\s*[:=ঃ]\s*"
)
_NAME_TITLES = {"mr", "mrs", "ms", "miss", "dr", "mx"}

# Ten digits, possibly grouped 3-3-4 the way NHS numbers are printed.
_TEN_DIGITS_RE = re.compile(r"(?<![\d+])(?<![\d+][ .\-])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\d])")
_NHS_CONTEXT_RE = re.compile(r"(?i)\bnhs\b[^\n\d]{0,20}$")

# Any remaining run of 10+ digits with single separators between them: the backstop for
# whatever the phone library does not recognise (odd groupings, foreign formats).
_LONG_DIGITS_RE = re.compile(r"(?<![\d+(])[+(]?\d(?:[ .\-/()]{0,2}\d){9,}\)?(?!\d)")
# Numbers the phone library likes that are really dates ("12.04.2026") or too short to
# identify anyone.
_DATE_LIKE_RE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
_MIN_PHONE_DIGITS = 7

_POSTCODE_RE = re.compile(
    r"(?i)(?<![A-Za-z0-9])[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}(?![A-Za-z0-9])"
)


# E-mail written out to dodge filters or because the keyboard is awkward: "kid dot b at gmail
# dot com", "name at hotmail dot co dot uk", "jo (at) mail (dot) com". A "." only counts
# without spaces around it, so "seen at Reset. Co-ordinated…" is not an address.
# (Each \s* is followed by something it cannot match, so whitespace runs never backtrack.)
_DOT = r"(?:\s*(?:[(\[]\s*)?\bdot\b(?:\s*[)\]])?\s*|\.)"
_AT = r"(?:\s*(?:[(\[]\s*)?\bat\b(?:\s*[)\]])?\s*|\s*@\s*)"
_SPELLED_EMAIL_RE = re.compile(
    rf"(?i)(?<![\w@.])[\w+-]+(?:{_DOT}[\w+-]+){{0,3}}{_AT}(?P<domain>[\w-]+(?:{_DOT}[\w-]+){{1,3}})"
)
_EMAIL_PROVIDERS = words(
    "gmail googlemail hotmail outlook live yahoo icloud me aol btinternet sky virginmedia "
    "protonmail proton mail msn ymail talktalk"
)
_TLDS = words("com co uk org net gov nhs ac edu info io biz me bd in")

# Dates of birth: a marker ("dob", "d.o.b.", "DOB:", "born", "date of birth", জন্ম) and
# then a date in any form: 12/03/2004, 12.3.04, 12-03-2004, 2004-03-12, 12 March 2004,
# 12th of March 04, March 12 2004, 12/3 (day and month), or a bare year.
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = (
    rf"(?:\d{{1,2}}\s*[./\-]\s*\d{{1,2}}\s*[./\-]\s*\d{{2,4}}"
    rf"|\d{{4}}\s*[./\-]\s*\d{{1,2}}\s*[./\-]\s*\d{{1,2}}"
    rf"|{_DAY}\s*(?:of\s+)?{_MONTHS},?\s*'?\d{{2,4}}"
    rf"|{_MONTHS}\s*{_DAY},?\s*'?\d{{2,4}}"
    rf"|{_DAY}\s*(?:of\s+)?{_MONTHS}"
    rf"|\d{{1,2}}\s*[./\-]\s*\d{{1,2}}"
    rf"|(?:19|20)\d{{2}})"
)
_DOB_RE = re.compile(
    rf"(?i)(?P<marker>(?<![^\W_])(?:d\s*(?:\.\s*)?o\s*(?:\.\s*)?b\b\.?|date\s+of\s+birth|birth\s*date"
    rf"|birthday|born(?:\s+(?:on|in))?|b\.(?=\s*\d)|জন্ম(?:\s*তারিখ)?(?:\s*দিন)?)"
    rf"\s*(?:(?:is|was|[:=\-])\s*)?)(?P<date>{_DATE})(?!\d)"
)
# A full date with a year at least this many years back is a birth date, marker or not: no
# contact or follow-up in a note is that old.
_OLD_DATE_RE = re.compile(
    r"(?<![\d/.\-])(?:\d{1,2}[./\-]\d{1,2}[./\-](?P<y1>(?:19|20)\d{2})"
    r"|(?P<y2>(?:19|20)\d{2})-\d{1,2}-\d{1,2})(?![\d/.\-])"
)
_BIRTH_YEARS_BACK = 10

# Street addresses: a house number, one to three words and a street suffix ("14 Whitechapel
# Road", "33 Commercial St", "2b Ocean Estate"); flat/apartment and block numbers; whatever
# follows "address:". Words like "days" or "at" between a number and a suffix mean it is
# not an address ("3 days at court").
_STREET_SUFFIX = (
    r"(?:road|rd|street|st|lane|ln|avenue|ave|close|cl|court|ct|estate|est|house|gardens"
    r"|gdns|way|place|pl|square|sq|mews|terrace|terr|drive|dr|crescent|cres|grove|walk|row"
    r"|hill|parade|yard|wharf|buildings|building|tower|towers|lodge|mansions|park|green"
    r"|highway|passage|rise|villas|cottages|quay|point)"
)
_NOT_STREET_WORDS = (
    r"(?!(?:days?|weeks?|months?|years?|hours?|mins?|minutes?|times?|at|on|in|to|of|for|the"
    r"|and|with|from|by|a|an|pm|am|people|men|boys|girls|of|officers?|staff|calls?|missed)\b)"
)
_STREET_RE = re.compile(
    rf"(?i)(?<![\w/.:])\d{{1,4}}[a-z]?,?\s+(?:{_NOT_STREET_WORDS}[a-z][\w'’\-]*\s+){{1,3}}"
    rf"{_STREET_SUFFIX}\b\.?"
)
_FLAT_RE = re.compile(
    r"(?i)(?<![^\W_])(?:flat|flt|apartment|apt|maisonette|block)\s*(?:no\.?\s*|number\s*|#\s*)?"
    r"(?:\d{1,4}[a-z]?|(?-i:[A-Z])\b)"  # "Block C", not "block a call"
)
_ADDRESS_LABEL_RE = re.compile(r"(?i)(?<![^\W_])(?:address|addr|ঠিকানা)\s*[:=ঃ]\s*")
_ADDRESS_RUN_RE = re.compile(r"\[address\](?:[\s,]*\[address\])+")

# Names without a "name:" marker, redacted outright where the sentence says it is a person:
# "Mohammed Ali's brother", "his mum Shirin", "her bf Jay", "a friend called Sami".
_RELATION_ALT = "|".join(sorted((re.escape(r) for r in RELATIONS), key=len, reverse=True))
_CAP_WORD = r"[A-Z][a-z]+(?:[\-'’][A-Z]?[a-z]+)?"
_POSSESSOR_RE = re.compile(
    rf"(?<![\w\[])(?P<name>{_CAP_WORD}(?:\s+{_CAP_WORD}){{0,2}})['’]s?\s+(?:{_RELATION_ALT})\b"
)
_RELATIVE_NAMED_RE = re.compile(
    rf"(?i:\b(?:his|her|their|my|your|client'?s|the|a|their)\s+(?:{_RELATION_ALT})\b)"
    rf"(?:\s*,\s*|\s+)(?:(?i:called|named|aka|is)\s+)?(?P<name>{_CAP_WORD}(?:\s+{_CAP_WORD})?)"
)
# "her bf jay": typed in lower case it may still be a name, so it is offered, not redacted.
_RELATIVE_LOWER_RE = re.compile(
    rf"(?i:\b(?:his|her|their|my|your|the|a)\s+(?:{_RELATION_ALT})\b)\s+(?P<name>[a-z]{{2,}})\b"
)
_CALLED_RE = re.compile(
    r"(?i:\b(?:named|nicknamed|aka|goes\s+by))\s+(?P<name>[A-Za-z][a-z]+(?:\s+[A-Z][a-z]+)?)"
)
_WORD_PREFIXES = words("co re ex pre non anti self post mid")  # Co-ordinated, Re-referred
_CAP_TOKEN_RE = re.compile(rf"(?<![\w\[\]'’\-]){_CAP_WORD}(?![\w\]\-])")
_BENGALI_RELATION_RE = re.compile(
    rf"(?:{'|'.join(BENGALI_POSSESSIVES)})\s+(?:{'|'.join(BENGALI_RELATIONS)})\s+(?P<name>[\u0980-\u09ff]+)"
)
_BENGALI_NAME_WORD_RE = re.compile(r"(?<![\u0980-\u09ff])নাম\s+(?P<name>[\u0980-\u09ff]+)")
_BENGALI_VERB_END_RE = re.compile(r"(?:ছে|ছি|ছিল|ছিলো|লো|লেন|বে|বো|বেন|তে|কে|য়|য়ে|চ্ছে|েছে|ে)$")


def nhs_checksum_ok(digits: str) -> bool:
    """The NHS number mod-11 check (the tenth digit is the check digit)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _hold_codes(text: str) -> tuple[str, list[str]]:
    held: list[str] = []
    parts: list[str] = []
    pos = 0
    for start, end in code_spans(text):
        if len(held) >= 0x800:  # placeholder alphabet exhausted; redact the rest as text
            break
        parts.append(text[pos:start])
        parts.append(f"{_HOLD_START}{chr(0xE100 + len(held))}{_HOLD_END}")
        held.append(text[start:end])
        pos = end
    parts.append(text[pos:])
    return "".join(parts), held


def _release_codes(text: str, held: list[str]) -> str:
    return _HOLD_RE.sub(lambda m: held[ord(m.group(1)) - 0xE100], text)


def _name_end(text: str, start: int) -> int:
    """Where a name that starts at `start` ends: end of line or of the sentence.

    A full stop after an initial or a title ("J. Smith", "Mr. Khan") is not a sentence end,
    otherwise the surname would leak. A held client code also ends it: the code must survive.
    """
    i = start
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in "\n\r!?;।" or ch == _HOLD_START:
            break
        if ch == "." and (i + 1 == n or text[i + 1].isspace()):
            word = re.search(r"(\w+)$", text[start:i])
            if word is None or (
                len(word.group(1)) > 1 and word.group(1).lower() not in _NAME_TITLES
            ):
                break
        i += 1
    while i > start and text[i - 1] in " \t,":
        i -= 1
    return i


def _redact_names(text: str) -> str:
    out: list[str] = []
    pos = 0
    for m in _NAME_LABEL_RE.finditer(text):
        if m.start() < pos:
            continue
        end = _name_end(text, m.end())
        out.append(text[pos : m.end()])
        if end > m.end():
            out.append(NAME)
        pos = max(end, m.end())
    out.append(text[pos:])
    return "".join(out)


def _name_words(phrase: str) -> str | None:
    """The part of a capitalised phrase that can be a name: leading ordinary words dropped
    ("Saw Mohammed Ali" -> "Mohammed Ali"), None when nothing is left."""
    words = phrase.split()
    while words and words[0].lower().strip("'’") in NOT_NAMES:
        words.pop(0)
    if not words or any(w.lower() in NOT_NAMES for w in words):
        return None
    return " ".join(words)


def _redact_span(text: str, start: int, end: int, phrase: str) -> tuple[str, int]:
    kept = _name_words(phrase)
    if kept is None:
        return text, end
    offset = start + phrase.rindex(kept) if kept in phrase else start
    return text[:offset] + NAME + text[offset + len(kept) :], offset + len(NAME)


def _redact_related_names(text: str) -> str:
    for pattern in (_POSSESSOR_RE, _RELATIVE_NAMED_RE):
        pos = 0
        while (m := pattern.search(text, pos)) is not None:
            text, pos = _redact_span(text, m.start("name"), m.end("name"), m.group("name"))
    pos = 0
    while (m := _CALLED_RE.search(text, pos)) is not None:
        name = m.group("name")
        if name.split()[0].lower() in NOT_NAMES:
            pos = m.end()
            continue
        text = text[: m.start("name")] + NAME + text[m.end("name") :]
        pos = m.start("name") + len(NAME)
    return _BENGALI_NAME_WORD_RE.sub(
        lambda m: m.group(0) if m.group("name") in BENGALI_NOT_NAMES else "নাম " + NAME, text
    )


def _redact_emails(text: str) -> str:
    text = _EMAIL_RE.sub(EMAIL, text)

    def spelled(m: re.Match[str]) -> str:
        parts = [p.lower() for p in re.split(_DOT, m.group("domain")) if p]
        if parts and (parts[-1] in _TLDS or parts[0] in _EMAIL_PROVIDERS):
            return EMAIL
        return m.group(0)

    return _SPELLED_EMAIL_RE.sub(spelled, text)


def _redact_dates_of_birth(text: str, *, this_year: int) -> str:
    text = _DOB_RE.sub(lambda m: m.group("marker") + DOB, text)

    def old(m: re.Match[str]) -> str:
        year = int(m.group("y1") or m.group("y2"))
        return DOB if year <= this_year - _BIRTH_YEARS_BACK else m.group(0)

    return _OLD_DATE_RE.sub(old, text)


def _redact_addresses(text: str) -> str:
    out: list[str] = []
    pos = 0
    for m in _ADDRESS_LABEL_RE.finditer(text):
        if m.start() < pos:
            continue
        end = _name_end(text, m.end())
        out.append(text[pos : m.end()])
        if end > m.end():
            out.append(ADDRESS)
        pos = max(end, m.end())
    out.append(text[pos:])
    text = "".join(out)
    text = _STREET_RE.sub(ADDRESS, text)
    text = _FLAT_RE.sub(ADDRESS, text)
    return _ADDRESS_RUN_RE.sub(ADDRESS, text)


def _label_for(raw: str, text: str, start: int) -> str:
    """[nhs] or [phone] for a number found at `start`.

    NHS numbers are ten digits, never start with 0 and carry a mod-11 check digit; UK phone
    numbers start with 0 and international ones with + or 00. "NHS" just before it settles it.
    """
    digits = re.sub(r"\D", "", raw)
    if len(digits) != 10 or raw.lstrip().startswith(("+", "00")):
        return PHONE
    if _NHS_CONTEXT_RE.search(text, 0, start):
        return NHS
    if digits[0] != "0" and nhs_checksum_ok(digits):
        return NHS
    return PHONE


def _redact_numbers(text: str) -> str:
    # Plain digit runs first: cheap, and it leaves libphonenumber (slow on long runs of
    # digits and separators) only the shorter, formatted numbers.
    text = _TEN_DIGITS_RE.sub(lambda m: _label_for(m.group(), text, m.start()), text)
    text = _LONG_DIGITS_RE.sub(PHONE, text)
    found: list[tuple[int, int, str]] = []
    matcher = phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE)
    for match in matcher:
        raw = match.raw_string
        if sum(c.isdigit() for c in raw) < _MIN_PHONE_DIGITS or _DATE_LIKE_RE.fullmatch(raw):
            continue
        found.append((match.start, match.end, _label_for(raw, text, match.start)))
    for start, end, label in reversed(found):
        text = text[:start] + label + text[end:]
    return text


def redact(text: str, *, now: datetime | None = None) -> str:
    """The note as it may be stored: identifiers replaced by [phone], [email] and so on.

    `now` only dates the "old full date is a birth date" rule; it defaults to the clock.
    """
    this_year = (now or datetime.now(UTC)).year
    # Private-use characters carry nothing a navigator meant to write; dropping ours keeps
    # the placeholders unambiguous.
    text = clean_text(text).replace(_HOLD_START, "").replace(_HOLD_END, "")
    text, held = _hold_codes(text)
    text = _redact_names(text)
    text = _redact_emails(text)
    text = _redact_dates_of_birth(text, this_year=this_year)
    text = _redact_addresses(text)
    text = _redact_related_names(text)
    text = _POSTCODE_RE.sub(POSTCODE, text)
    text = _redact_numbers(text)
    return _release_codes(text, held)


def name_candidates(note: str) -> tuple[str, ...]:
    """Words in an already redacted note that may be a person's name, to offer on the card.

    Capitalised words that are not ordinary words, vocabulary, places, services, weekdays or
    months; all-capitals abbreviations and code-shaped words never are. In Bengali script,
    which has no capitals, the word after a relation ("ওর ভাই রহিম") unless it reads as a
    verb or a common word. At most MAX_NAME_CANDIDATES, in the order they appear.
    """
    found: list[str] = []
    for m in _CAP_TOKEN_RE.finditer(note):
        word = re.sub(r"['’]s$", "", m.group(0))
        first = re.split(r"[\-'’]", word.lower())[0]
        if first not in NOT_NAMES and first not in _WORD_PREFIXES and word not in found:
            found.append(word)
    for m in _RELATIVE_LOWER_RE.finditer(note):
        word = m.group("name")
        if word not in NOT_NAMES and word not in found:
            found.append(word)
    for m in _BENGALI_RELATION_RE.finditer(note):
        word = m.group("name")
        if (
            word not in BENGALI_NOT_NAMES
            and not _BENGALI_VERB_END_RE.search(word)
            and word not in found
        ):
            found.append(word)
    return tuple(found[:MAX_NAME_CANDIDATES])


def redact_word(note: str, word: str) -> str:
    """The note with every whole-word occurrence of `word` replaced by [name]."""
    if not word:
        return note
    return re.sub(rf"(?<![\w]){re.escape(word)}(?![\w])", NAME, note)


def truncate_note(text: str) -> str:
    """At most MAX_NOTE_CHARS characters, with an ellipsis when something was cut."""
    if len(text) <= MAX_NOTE_CHARS:
        return text
    return text[: MAX_NOTE_CHARS - 1] + "…"
