from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.codes import clean_text, code_spans
from bot.redaction import MAX_NOTE_CHARS, nhs_checksum_ok, redact, truncate_note


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # phones
        ("C123 call 07700 900123 now", "C123 call [phone] now"),
        ("C123 mob 07700900123", "C123 mob [phone]"),
        ("C123 mob 07700-900-123", "C123 mob [phone]"),
        ("C123 mob 07700.900.123", "C123 mob [phone]"),
        ("C123 mob +44 7700 900123", "C123 mob [phone]"),
        ("C123 mob +447700900123", "C123 mob [phone]"),
        ("C123 mob 0044 7700 900 123", "C123 mob [phone]"),
        ("C123 landline +44 (0) 20 7946 0958", "C123 landline [phone]"),
        ("C123 landline (020) 7946 0958", "C123 landline [phone]"),
        ("C123 mum on +880 1712-345678", "C123 mum on [phone]"),
        ("C123 US cousin +1 415 555 2671", "C123 US cousin [phone]"),
        ("C123 ফোন ০৭৭০০ ৯০০১২৩", "C123 ফোন [phone]"),
        ("C123 tel ０７７００ ９００１２３", "C123 tel [phone]"),
        ("C123 ৮৮০১৭১২৩৪৫৬৭৮", "C123 [phone]"),
        # e-mail
        ("C123 email jo.bloggs+x@example.co.uk ok", "C123 email [email] ok"),
        ("C123 email c123@example.org", "C123 email [email]"),
        # postcodes
        ("C123 lives E1 6AN.", "C123 lives [postcode]."),
        ("C123 at SW1A 1AA, and sw1a1aa", "C123 at [postcode], and [postcode]"),
        ("C123 moved to e14 2bq", "C123 moved to [postcode]"),
        # NHS numbers
        ("C123 NHS 943 476 5919", "C123 NHS [nhs]"),
        ("C123 nhs no: 123 456 7890", "C123 nhs no: [nhs]"),
        ("C123 9434765919", "C123 [nhs]"),
        ("C123 ৯৪৩ ৪৭৬ ৫৯১৯", "C123 [nhs]"),
        # names
        ("C123 name: Jo Bloggs. Seen in ED", "C123 name: [name]. Seen in ED"),
        ("C123 Name = J. Smith, came with mum\nreferred", "C123 Name = [name]\nreferred"),
        ("C123 NAME:Mr. Khan; seen", "C123 NAME:[name]; seen"),
        ("C123 surname: Khan", "C123 surname: [name]"),
        ("নাম: রহিম। C124 দেখা", "নাম: [name]। C124 দেখা"),
        ("name: Jo Bloggs C123 seen", "name: [name] C123 seen"),
        ("C123 name:", "C123 name:"),
        # invisible characters
        ("C1\u200b23 seen\u202e", "C123 seen"),
        # codes and ordinary numbers survive
        (
            "TH2024-17 seen at 14:00 on 12/04/2026, 3 times",
            "TH2024-17 seen at 14:00 on 12/04/2026, 3 times",
        ),
        ("RLH-042 FU 3/4 2pm, A&E 24h", "RLH-042 FU 3/4 2pm, A&E 24h"),
        ("C1234567 seen", "C1234567 seen"),
        ("", ""),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("digits", "ok"),
    [("9434765919", True), ("9434765918", False), ("4010232137", True), ("123", False)],
)
def test_nhs_checksum(digits: str, ok: bool) -> None:
    assert nhs_checksum_ok(digits) is ok


def test_truncate_note() -> None:
    assert truncate_note("short") == "short"
    exact = "x" * MAX_NOTE_CHARS
    assert truncate_note(exact) == exact
    cut = truncate_note("y" * (MAX_NOTE_CHARS + 50))
    assert len(cut) == MAX_NOTE_CHARS
    assert cut.endswith("…")


_LONG_RUN = re.compile(r"[0-9](?:[ \-]?[0-9]){9,}")


def assert_no_long_digit_run(redacted: str) -> None:
    """The §8 guarantee, checked on the output: codes are blanked first because a code may
    legitimately hold many digits (C123456789012345) and must survive."""
    cleaned = clean_text(redacted)
    for start, end in reversed(code_spans(cleaned)):
        cleaned = cleaned[:start] + "#" + cleaned[end:]
    assert _LONG_RUN.search(cleaned) is None, redacted


_digitish = st.sampled_from(list("0123456789০১২৩৪৫৬৭৮৯０１２３４５６７８９ -.+()"))
_noise = st.text(min_size=0, max_size=60)


@given(st.lists(st.one_of(_digitish, _noise), max_size=40).map("".join))
def test_no_long_digit_run_survives(text: str) -> None:
    assert_no_long_digit_run(redact(text))


@given(st.text())
def test_redact_never_raises_and_strips_invisibles(text: str) -> None:
    out = redact(text)
    assert not any(c in out for c in "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202e\u2066")
