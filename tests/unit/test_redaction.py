from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.contacts.codes import clean_text, code_spans
from bot.contacts.redaction import (
    MAX_NOTE_CHARS,
    name_candidates,
    nhs_checksum_ok,
    redact,
    redact_word,
    truncate_note,
)


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


# Issue 13.9: what navigators also write -------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # dates of birth, any form, with any marker
        ("C123 dob 12/03/2004", "C123 dob [dob]"),
        ("C123 DOB: 12.3.04, seen in ED", "C123 DOB: [dob], seen in ED"),
        ("C123 d.o.b. 12-03-2004", "C123 d.o.b. [dob]"),
        ("C123 born 12 March 2004", "C123 born [dob]"),
        ("C123 born on 3rd of Jan 05", "C123 born on [dob]"),
        ("C123 date of birth March 12, 2004", "C123 date of birth [dob]"),
        ("C123 dob 2004-03-12", "C123 dob [dob]"),
        ("C123 born in 2004", "C123 born in [dob]"),
        ("C123 জন্ম তারিখ ১২/০৩/২০০৪", "C123 জন্ম তারিখ [dob]"),
        ("C123 dob 12/3, age 19", "C123 dob [dob], age 19"),
        ("C123 birthday 4th July", "C123 birthday [dob]"),
        # a full date far back is a birth date even without a marker
        ("C123 mum gave 03/07/1999 as his birthday", "C123 mum gave [dob] as his birthday"),
        # addresses and flats
        ("C123 lives 14 Whitechapel Road flat 3", "C123 lives [address]"),
        ("C123 Flat 2, 33 Commercial St", "C123 [address]"),
        ("C123 staying at Block C, Ocean Estate", "C123 staying at [address], Ocean Estate"),
        ("C123 moved to 7b cable street", "C123 moved to [address]"),
        ("C123 HV at 21 Sutton House", "C123 HV at [address]"),
        ("C123 address: 5 Oak Gardens, Bow. Seen", "C123 address: [address]. Seen"),
        ("C123 apt 12 with his nan", "C123 [address] with his nan"),
        # e-mail written out
        ("C123 email kid dot b at gmail dot com", "C123 email [email]"),
        ("C123 name at hotmail dot co dot uk ok", "C123 [email] ok"),
        ("C123 jo (at) yahoo (dot) com", "C123 [email]"),
        ("C123 jo.b @ outlook.com", "C123 [email]"),
        # names from how the sentence talks about people
        ("C123 saw Mohammed Ali's brother", "C123 saw [name]'s brother"),
        ("C123 his mum Shirin came to ED", "C123 his mum [name] came to ED"),
        ("C123 her bf Jay was with her", "C123 her bf [name] was with her"),
        ("C123 a friend called Sami Rahman drove him", "C123 a friend called [name] drove him"),
        ("C123 goes by Tiny on the estate", "C123 goes by [name] on the estate"),
        ("C123 নাম রহিম, ভাই এসেছিল", "C123 নাম [name], ভাই এসেছিল"),
        # places, services, rooms, times and plain English survive
        ("C123 found on the A13 near the M25, outreach in E14", None),
        ("C123 seen in room B2, bay 4, resus", None),
        ("C123 seen 3 days at court, 2 weeks in custody", None),
        ("C123 seen at Reset. Co-ordinated with CGL", None),
        ("C123 referred to St Giles and Redthread, FU 12/04/2026", None),
        ("C123 his mum was worried, her dad Called police", None),
        ("C123 Mum's partner present", None),
        ("C123 met at 2 pm at court", None),
        ("C123 lives on the estate with mum", None),
        ("C123 his mum at home", None),
        ("C123 tried to block a call from them", None),
        ("C123 ওর নাম জানি না", None),
        ("C123 birthday party friday, FU 3/4", None),
    ],
)
def test_redact_more(text: str, expected: str | None) -> None:
    assert redact(text, now=_NOW) == (text if expected is None else expected)


_NOW = datetime(2026, 3, 25, tzinfo=UTC)


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("C123 seen in ED with Ahmed, St Giles worker present", ("Ahmed",)),
        ("C123 Seen on ward. Mum present. Referred to CGL on Friday in March", ()),
        ("C123 Ahmed's cousin Bilal was there", ("Ahmed", "Bilal")),
        ("C123 saw Mr Khan at the Royal London, Whitechapel", ("Khan",)),
        ("C123 ওর ভাই রহিম এসেছিল", ("রহিম",)),
        ("C123 ওর মা খুব চিন্তিত, তার বাবা বলেছে", ()),
        ("C123 [name] and [phone] only", ()),
        ("C123 ED, A&E, CAMHS, MASH, Catch22, L2 plumbing", ()),
        ("C123 Jo, Sam, Alex and Kim", ("Jo", "Sam", "Alex")),
        ("C123 her bf jay was with her, his mum said ok", ("jay",)),
    ],
)
def test_name_candidates(note: str, expected: tuple[str, ...]) -> None:
    assert name_candidates(note) == expected


def test_redact_word_replaces_every_whole_word() -> None:
    assert redact_word("C123 Ahmed and Ahmed's bro, Ahmedabad", "Ahmed") == (
        "C123 [name] and [name]'s bro, Ahmedabad"
    )


# Property: an identifier embedded anywhere in random text never survives ----------------
_filler = st.text(alphabet=st.sampled_from(list("abcdefghij klmnop QRST,.;!?-\n")), max_size=40)
_phones = st.builds(
    lambda a, b, sep: f"07{a:03d}{sep}{b:06d}",
    st.integers(0, 999),
    st.integers(0, 999_999),
    st.sampled_from(["", " ", "-"]),
)
_emails = st.builds(
    lambda user, host, tld, spelled: (
        f"{user} dot x at {host} dot {tld}" if spelled else f"{user}.x@{host}.{tld}"
    ),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8),
    st.sampled_from(["gmail", "hotmail", "yahoo", "outlook", "example"]),
    st.sampled_from(["com", "co.uk", "org"]),
    st.booleans(),
)
_dobs = st.builds(
    lambda marker, d, m, y, form: (
        marker
        + " "
        + {
            "slash": f"{d}/{m}/{y}",
            "dots": f"{d}.{m}.{y % 100:02d}",
            "words": f"{d} {calendar.month_name[m]} {y}",
            "iso": f"{y}-{m:02d}-{d:02d}",
        }[form]
    ),
    st.sampled_from(["dob", "DOB:", "d.o.b.", "born", "Date of birth", "born on"]),
    st.integers(1, 28),
    st.integers(1, 12),
    st.integers(1960, 2020),
    st.sampled_from(["slash", "dots", "words", "iso"]),
)
_postcodes = st.builds(
    lambda area, district, sector, unit: f"{area}{district} {sector}{unit}",
    st.sampled_from(["E", "EC", "SW", "N", "NW", "SE", "W", "IG", "RM", "B"]),
    st.integers(1, 20),
    st.integers(0, 9),
    st.sampled_from(["AA", "AN", "BQ", "DX", "ZZ"]),
)


def _survives(identifier: str, output: str) -> bool:
    squeeze = re.compile(r"[\s.\-]")
    return squeeze.sub("", identifier).lower() in squeeze.sub("", output).lower()


@given(_filler, st.one_of(_phones, _emails, _dobs, _postcodes), _filler)
def test_identifiers_never_survive(before: str, identifier: str, after: str) -> None:
    out = redact(f"C123 {before} {identifier} {after}", now=_NOW)
    secret = (
        identifier.split(" ", 1)[1]
        if identifier.split(" ")[0].lower() in {"dob", "dob:", "d.o.b.", "born", "date"}
        else identifier
    )
    if secret.startswith(("of birth ", "on ")):
        secret = secret.split(" ", 2)[-1]
    assert not _survives(secret, out), out
