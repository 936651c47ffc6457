from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.contacts.language import detect_contact_language, explicit_language
from bot.contacts.parsing import parse_contact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C123 spoke Sylheti with mum", "syl"),
        ("C123 seen in ED, conversation in Bengali", "bn"),
        ("C123 in Bangla mostly", "bn"),
        ("C123 spoke Urdu", "ur"),
        ("C123 seen in English today", "en"),
        ("C123 via interpreter (Somali), housing", "so"),
        ("C123 Polish interpreter present", "pl"),
        ("C123 সিলেটি ভাষায় কথা হয়েছে", "syl"),
        ("C123 বাংলায় কথা বললাম", "bn"),
        ("C123 সিলেটিতে কথা হলো", "syl"),
        ("C123 sylheti te kotha hoise", "syl"),
        ("C123 Bangla te bolsi, bhalo ase", "bn"),
        ("C123 banglay kotha bollam", "bn"),
        ("C123 english e kotha bolsi mayer sathe", "en"),
        ("C123 spoke in Sylheti with dad", "syl"),
        ("C123 language: Bengali", "bn"),
        ("C123 started English class at college", None),
        ("C123 wants to do an English course", None),
        ("C123 Bangladesh trip planned", None),
        ("C123 seen in ED", None),
        ("", None),
    ],
)
def test_explicit_language(text: str, expected: str | None) -> None:
    assert explicit_language(text) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("C123 seen in ED after assault, referred to drug treatment, follow up friday", "en"),
        ("C123 দেখা হয়েছে হাসপাতালে, মাদক চিকিৎসায় রেফার করা হয়েছে", "bn"),
        ("C123 seen in ED. রোগী খুব ভয় পেয়েছিল, মায়ের সাথে কথা বললাম", "bn"),
        ("C123 spoke Sylheti with mum, all fine", "syl"),
        ("C123 ami tare haspatal e dekhsi, bhalo ase, fon korbo kal", "bn"),
        ("C123 kita oito, ami kal zaibo tar bashay, bhalo aase", "syl"),
        ("C123 seen", "unknown"),
        ("C123 ok 07700 900123", "unknown"),
        ("C123 [phone] [name] [postcode]", "unknown"),
        ("", "unknown"),
        ("😀😀😀", "unknown"),
        # Not a team language: "unknown" rather than a guess (explicit words still win).
        ("C123 Wir haben heute lange über seine Wohnung und Arbeit gesprochen", "unknown"),
    ],
)
def test_detect_contact_language(note: str, expected: str) -> None:
    assert detect_contact_language(note) == expected


# Short English notes as navigators type them: langdetect alone called these Afrikaans,
# Catalan, Dutch, Somali and Tagalog. They must come out English or unknown.
SHORT_ENGLISH = [
    "C123 rang no ans",
    "C123 DNA",
    "C123 HV done, mum present",
    "C123 seen ED post assault",
    "C123 FU fri",
    "C123 txt sent",
    "C123 Tried calling x2 no answer",
    "C123 seen on ward, low mood, MH referral",
    "C123 at court, adjourned",
    "C123 nfa",
    "C123 discharged, FU 3 days",
    "C123 OD on paracetamol, seen by psych liaison",
    "C123 declined support",
    "C123 met at YOT office, going well",
    "C123 stab wound L leg, police aware",
    "C123 in custody",
    "C123 referred to CGL",
    "C123 mum says he is ok",
    "C123 started college",
    "C123 appt booked wed",
    "C123 gone OT, mum worried",
    "C123 s136 overnight, discharged am",
    "C123 plugging for a line, exploited",
    "C123 attended Reset",
    "C123 safe & well check",
    "C123 no show",
    "C123 bro answered, will pass msg",
    "C123 engaged well w/ ETE worker",
    "C123 GSW to thigh",
    "C123 wants housing support asap",
]


@pytest.mark.parametrize("note", SHORT_ENGLISH)
def test_short_english_notes_are_english_or_unknown(note: str) -> None:
    assert detect_contact_language(note) in ("en", "unknown")


LONGER_ENGLISH = [
    "C123 seen in ED after assault, referred to drug treatment, follow up friday",
    "C123 spoke to him on the phone, he said he is staying with his aunt and wants help",
    "C123 saw her on the ward this morning, she was tired but talked about college plans",
    "C123 rang twice and texted, no answer, will try again tomorrow",
    "C123 mum called to say he has not been home since Saturday, police informed",
    "C123 home visit done, flat is in a bad state, housing referral made",
    "C123 met at probation, agreed to attend the CGL appointment next week",
    "C123 declined all support today but happy for me to check in next week",
]


@pytest.mark.parametrize("note", LONGER_ENGLISH)
def test_english_notes_are_english(note: str) -> None:
    assert detect_contact_language(note) == "en"


ROMANISED = [
    ("C123 ami tare haspatal e dekhsi, bhalo ase, fon korbo kal", "bn"),
    ("C123 fon dhore nai, kal abar try korbo", "bn"),
    ("C123 tar ma bollo she bari nai", "bn"),
    ("C123 amar sathe kotha bolse, drug er jonno refer korsi", "bn"),
    ("C123 kita oito, ami kal zaibo tar bashay, bhalo aase", "syl"),
    ("C123 aij fon korsi, dhorse na, kail abar korbo", "syl"),
    ("C123 tain kita koiche? oibo na bolse", "syl"),
    ("C123 bari gesilam, keu nai, forshu abar jaimu", "syl"),
    ("C123 mair khaise, haspatal e ase, bhalo nai", "syl"),
    ("C123 college e jaibo bolse, lagbe na help", "syl"),
    ("C123 tare bolsi jummabar office e aite", "syl"),
    ("C123 ami oke fon dimu kail", "syl"),
]


@pytest.mark.parametrize(("note", "expected"), ROMANISED)
def test_romanised_bengali_and_sylheti(note: str, expected: str) -> None:
    assert detect_contact_language(note) == expected


BENGALI_SCRIPT = [
    ("C123 আজ হাসপাতালে দেখা হয়েছে, মাদকের চিকিৎসায় রেফার করা হয়েছে", "bn"),
    ("C123 ফোন ধরছে না, কাল আবার চেষ্টা করব", "bn"),
    ("C123 মায়ের সাথে কথা হলো, সে ভালো আছে", "bn"),
    ("C123 কিতা অইছে জিগাইলাম, কিচ্ছু মাতছে না", "syl"),
    ("C123 অখন ভালা আছে, কাইল আবার যাইমু", "syl"),
]


@pytest.mark.parametrize(("note", "expected"), BENGALI_SCRIPT)
def test_bengali_script(note: str, expected: str) -> None:
    assert detect_contact_language(note) == expected


STRAY_CODES = {"af", "tl", "so", "ca", "nl", "sq", "no", "da", "et", "sw", "cy", "id"}


@given(
    st.lists(
        st.sampled_from(
            [
                "seen",
                "ED",
                "FU",
                "fri",
                "rang",
                "no",
                "ans",
                "mum",
                "HV",
                "DNA",
                "ok",
                "txt",
                "ami",
                "kal",
                "bari",
                "nai",
                "kita",
                "aij",
                "ward",
                "CGL",
                "ref",
                "MH",
                "x2",
                "police",
                "court",
                "OD",
                "stab",
                "college",
                "bro",
                "sis",
                "wk",
                "tmrw",
                "am",
            ]
        ),
        max_size=12,
    ).map(" ".join)
)
def test_navigator_shorthand_never_detects_a_stray_language(text: str) -> None:
    assert detect_contact_language("C123 " + text) not in STRAY_CODES


def test_only_configured_languages_are_guessed() -> None:
    note = "C123 Wir haben heute lange über seine Wohnung und Arbeit gesprochen"
    assert detect_contact_language(note, languages=("en", "bn", "syl", "de")) == "de"
    assert detect_contact_language(note, languages=("en", "bn", "syl")) == "unknown"


def test_sylheti_counts_as_bengali_for_a_team_without_it() -> None:
    note = "C123 kita oito, ami kal zaibo tar bashay, bhalo aase"
    assert detect_contact_language(note, languages=("en", "bn")) == "bn"
    assert detect_contact_language("C123 ami tare dekhsi, bhalo ase", languages=("en", "syl")) == (
        "syl"
    )
    assert detect_contact_language(note, languages=("en",)) == "unknown"


def test_stated_language_is_kept_outside_the_team_list() -> None:
    assert detect_contact_language("C123 via Somali interpreter, housing") == "so"


def test_explicit_argument_wins() -> None:
    assert detect_contact_language("C123 spoke Sylheti", explicit="en") == "en"


def test_detection_is_repeatable() -> None:
    note = "C123 saw him briefly on the ward, he was tired but talked about college plans"
    assert len({detect_contact_language(note) for _ in range(20)}) == 1


@given(st.text(max_size=300))
def test_detection_never_raises(text: str) -> None:
    result = detect_contact_language(text)
    assert result == "unknown" or result.isalpha()


def test_parse_contact_uses_the_team_languages() -> None:
    note = "C123 Wir haben heute lange über seine Wohnung und Arbeit gesprochen"
    now = datetime(2026, 3, 25, 10, tzinfo=UTC)
    tz = ZoneInfo("Europe/London")
    assert parse_contact(note, now=now, tz=tz).language == "unknown"
    assert parse_contact(note, now=now, tz=tz, contact_languages=("en", "de")).language == "de"
