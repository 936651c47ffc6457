from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.language import detect_contact_language, explicit_language


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
        ("C123 started English class at college", None),
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
        ("C123 Wir haben heute lange über seine Wohnung und Arbeit gesprochen", "de"),
    ],
)
def test_detect_contact_language(note: str, expected: str) -> None:
    assert detect_contact_language(note) == expected


def test_explicit_argument_wins() -> None:
    assert detect_contact_language("C123 spoke Sylheti", explicit="en") == "en"


def test_detection_is_repeatable() -> None:
    note = "C123 saw him briefly on the ward, he was tired but talked about college plans"
    assert len({detect_contact_language(note) for _ in range(20)}) == 1


@given(st.text(max_size=300))
def test_detection_never_raises(text: str) -> None:
    result = detect_contact_language(text)
    assert result == "unknown" or result.isalpha()
