"""Redaction of free text before it is stored (PRODUCT §8).

Navigators type fast and sometimes paste a phone number, an address or a name into a note.
Nothing identifiable may reach the database, so this errs on the side of redacting: any long
digit run goes, even if it was harmless. The one thing that must survive is the client code,
because the note is the navigator's own record of that contact.
"""

from __future__ import annotations

import re

import phonenumbers

from bot.codes import clean_text, code_spans

MAX_NOTE_CHARS = 2000

PHONE = "[phone]"
EMAIL = "[email]"
POSTCODE = "[postcode]"
NHS = "[nhs]"
NAME = "[name]"

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


def redact(text: str) -> str:
    """The note as it may be stored: identifiers replaced by [phone], [email] and so on."""
    # Private-use characters carry nothing a navigator meant to write; dropping ours keeps
    # the placeholders unambiguous.
    text = clean_text(text).replace(_HOLD_START, "").replace(_HOLD_END, "")
    text, held = _hold_codes(text)
    text = _redact_names(text)
    text = _EMAIL_RE.sub(EMAIL, text)
    text = _POSTCODE_RE.sub(POSTCODE, text)
    text = _redact_numbers(text)
    return _release_codes(text, held)


def truncate_note(text: str) -> str:
    """At most MAX_NOTE_CHARS characters, with an ellipsis when something was cut."""
    if len(text) <= MAX_NOTE_CHARS:
        return text
    return text[: MAX_NOTE_CHARS - 1] + "…"
