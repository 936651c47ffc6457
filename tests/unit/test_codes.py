from __future__ import annotations

import contextlib
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.contacts.codes import (
    CodeError,
    InvalidClientCode,
    find_client_codes,
    first_token_code_error,
    normalise_code_input,
    parse_client_code,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("C123", "C123"),
        ("RLH-042", "RLH-042"),
        ("TH2024-17", "TH2024-17"),
        ("c123", "C123"),
        ("  #c123 ", "C123"),
        ("Ｃ１２３", "C123"),  # full-width
        ("C১২৩", "C123"),  # Bengali digits
        ("C\u200b123", "C123"),  # zero-width space
        ("\u202aC123\u202c", "C123"),  # bidi embedding
        ("\u2067C123\u2069", "C123"),  # bidi isolate
        ("\ufeffC123", "C123"),
        ("c-123", "C-123"),
        ("C\u2011123", "C-123"),  # non-breaking hyphen
        ("C\u2013123", "C-123"),  # en dash
        ("C\u2212123", "C-123"),  # minus sign
        ("C\uff0d123", "C-123"),  # full-width hyphen-minus
        ("AB", None),
        ("A1", "A1"),
        ("A123456789012345", "A123456789012345"),  # 16 chars
    ],
)
def test_parse_valid_and_equivalent_forms(raw: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(InvalidClientCode):
            parse_client_code(raw)
    else:
        assert parse_client_code(raw) == expected


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("", CodeError.EMPTY),
        ("   ", CodeError.EMPTY),
        ("#", CodeError.EMPTY),
        ("\u200b", CodeError.EMPTY),
        ("Ahmed", CodeError.NAME_NOT_CODE),
        ("ahmed khan", CodeError.NAME_NOT_CODE),
        ("O'Neil", CodeError.NAME_NOT_CODE),
        ("রহিম", CodeError.NAME_NOT_CODE),
        ("\u0421123", CodeError.LOOKALIKE),  # Cyrillic Es
        ("\u0391123", CodeError.LOOKALIKE),  # Greek Alpha
        ("C\u0415123", CodeError.LOOKALIKE),  # Cyrillic Ie in the middle
        ("123", CodeError.BAD_FORMAT),
        ("1C23", CodeError.BAD_FORMAT),
        ("-C123", CodeError.BAD_FORMAT),
        ("C_123", CodeError.BAD_FORMAT),
        ("C 123", CodeError.BAD_FORMAT),
        ("C123!", CodeError.BAD_FORMAT),
        ("A1234567890123456", CodeError.BAD_FORMAT),  # 17 chars
    ],
)
def test_parse_invalid(raw: str, error: CodeError) -> None:
    with pytest.raises(InvalidClientCode) as exc_info:
        parse_client_code(raw)
    assert exc_info.value.error is error
    assert isinstance(exc_info.value, ValueError)


def test_invalid_code_message_does_not_echo_input() -> None:
    with pytest.raises(InvalidClientCode) as exc_info:
        parse_client_code("Ahmed")
    assert "Ahmed" not in str(exc_info.value)


def test_normalise_strips_hash_after_trim() -> None:
    assert normalise_code_input("  #rlh-042  ") == "RLH-042"


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("C123 seen in ED after assault, referred to drug treatment", ["C123"]),
        ("#c123 seen", ["C123"]),
        ("Saw (RLH-042): fine.", ["RLH-042"]),
        ("TH2024-17, follow up friday", ["TH2024-17"]),
        ("C123 and C124 together", ["C123", "C124"]),
        ("C123 again c123 #C123", ["C123"]),
        ("C123's mum called", ["C123"]),
        ("C123কে হাসপাতালে দেখা হয়েছে", ["C123"]),
        ("Ｃ１２３ seen", ["C123"]),
        ("C১২৩ দেখা হয়েছে", ["C123"]),
        ("seen at 2pm, 14:00 and 9.30am", []),
        ("lives near E1 6AN", []),
        ("address SW1A 1AA, other sw1a 1aa", []),
        ("postcode SW1A1AA", []),
        ("C123 moved to E1 6AN", ["C123"]),
        ("went to A&E 24h ago, FU in 1w, DNA, OD, IOM, NHS", []),
        ("3rd visit on 3/4 at 10:30", []),
        ("call 07700 900123 or +44 7700 900123", []),
        ("mail c123@example.org", []),
        ("called x3 no answer, covid-19 isolation", []),
        ("C123 - seen", ["C123"]),
        ("", []),
        # Places and things shaped like codes are not a second client (issue 13).
        ("C104 robbed at knifepoint on the A13 last night", ["C104"]),
        ("C133 seen near the M25 services by outreach", ["C133"]),
        ("C5 stuck at M25 junction 27", ["C5"]),
        ("C134 seen in room B2 resus, then bay C4", ["C134"]),
        ("C135 outreach in E14, lives in N1", ["C135"]),
        ("C136 started L2 plumbing, Y11 at school", ["C136"]),
        ("C137 brought in on s136", ["C137"]),
        ("C122 Catch22 referral, F2F session", ["C122"]),
        # Alone, the same shapes are still read as codes: a team may use them.
        ("L2 seen in ED", ["L2"]),
        ("A13 texted", ["A13"]),
        # Two real codes stay two.
        ("C431 and C432 seen together", ["C431", "C432"]),
    ],
)
def test_find_client_codes(text: str, codes: list[str]) -> None:
    assert find_client_codes(text) == codes


def test_lookalike_is_not_found() -> None:
    assert find_client_codes("\u0421123 seen in ED") == []


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("C123 seen", None),
        ("Ahmed seen in ED", CodeError.NAME_NOT_CODE),
        ("\u0421123 seen in ED", CodeError.LOOKALIKE),
        ("seen \u0421123 in ED", CodeError.LOOKALIKE),
        ("", CodeError.EMPTY),
        ("   ", CodeError.EMPTY),
        ("123 seen", CodeError.BAD_FORMAT),
        ("রহিম হাসপাতালে", CodeError.NAME_NOT_CODE),
    ],
)
def test_first_token_code_error(text: str, error: CodeError | None) -> None:
    assert first_token_code_error(text) is error


# "X3" (as in "called x3") and "Q3" are deliberately not codes; nor are course levels, MHA
# sections, school years and the like when another code is present; everything else of
# this shape is.
_codes = st.from_regex(r"[A-Z][A-Z]{0,3}[0-9]{1,6}(-[0-9]{1,3})?", fullmatch=True).filter(
    lambda c: (
        re.fullmatch(
            r"X[0-9]{1,2}|Q[1-4]|L[1-8]|S(?:2|3|4|5|7|35|36|37|38|41|47|117|135|136)"
            r"|Y(?:[1-9]|1[0-3])|U(?:1[0-9]|2[0-5])|F2F|B4|O2|PS[345]",
            c,
        )
        is None
    )
)
_PLACE_WORDS = {
    *[
        "the",
        "on",
        "off",
        "near",
        "along",
        "via",
        "onto",
        "up",
        "down",
        "by",
        "junction",
        "jct",
        "j",
        "room",
        "rm",
        "bay",
        "bed",
        "cubicle",
        "cube",
    ],
    *[
        "ward",
        "cell",
        "floor",
        "block",
        "flat",
        "unit",
        "level",
        "resus",
        "majors",
        "minors",
        "gate",
        "platform",
        "bus",
        "route",
    ],
    *[
        "no",
        "no.",
        "number",
        "clinic",
        "area",
        "zone",
        "pod",
        "booth",
        "in",
        "at",
        "around",
        "from",
        "to",
        "outreach",
        "round",
        "of",
    ],
    *["postcode", "borough", "across"],
}
_words = st.lists(
    st.text(
        alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "S", "M"]),
        min_size=1,
        max_size=8,
    )
    .filter(lambda w: w.strip() != "")
    # "AB1 2CD" is a postcode by design, so an inward-code-shaped word right after the code
    # would (correctly) hide it; keep such words out of the generated filler.
    .filter(lambda w: re.fullmatch(r"\s*[0-9০-৯０-９][^\W\d_]{2}\s*", w) is None)
    # A place word right before a code-shaped word ("room B2", "in E14") makes it a place.
    .filter(lambda w: w.strip().lower() not in _PLACE_WORDS),
    max_size=6,
)


@given(_codes)
def test_valid_codes_round_trip(code: str) -> None:
    assert parse_client_code(code) == code
    assert parse_client_code(code.lower()) == code


@given(before=_words, code=_codes, after=_words)
def test_code_is_found_among_arbitrary_words(
    before: list[str], code: str, after: list[str]
) -> None:
    text = " ".join([*before, code, *after])
    # A word glued on with no space could legitimately change the token, so words are
    # separated by spaces; the code must always be found.
    assert code in find_client_codes(text)


@given(st.text())
def test_find_and_classify_never_raise(text: str) -> None:
    find_client_codes(text)
    first_token_code_error(text)
    with contextlib.suppress(InvalidClientCode):
        parse_client_code(text)
