"""The /chart PNG in Bengali: the bundled Noto Sans Bengali font is used and has the glyphs,
every number is in Bengali digits, and English keeps its labels (PRODUCT §7, §9)."""

from __future__ import annotations

import re
import struct
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

from bot.core.domain import Service
from bot.core.i18n import Translator
from bot.reports.chart import (
    BENGALI_FAMILY,
    FONT_DIR,
    build_chart_figure,
    register_fonts,
    render_chart_png,
)
from bot.reports.collect import WeeklySeries
from bot.reports.figures import Rate
from bot.reports.periods import period_between

TZ = ZoneInfo("Europe/London")
# Letters, vowel signs, a conjunct's hasanta, khanda ta and the digits the chart draws.
BENGALI_SAMPLE = "সপ্তাহেযুক্তথাকারহারমাদকেরচিকিৎসাশিক্ষাপ্রশিক্ষণচাকরিশেষ০১২৩৪৫৬৭৮৯"


def _series(weeks: int = 8) -> WeeklySeries:
    first = date(2026, 5, 25)
    buckets = tuple(
        period_between(first + timedelta(weeks=n), first + timedelta(weeks=n, days=6), TZ)
        for n in range(weeks)
    )
    return WeeklySeries(
        weeks=buckets,
        contacts=tuple(10 + 3 * n for n in range(weeks)),
        engagement={
            Service.DRUG_TREATMENT: tuple(Rate(n + 5, 12) for n in range(weeks)),
            Service.ETE: (Rate(0, 0), *(Rate(n, 9) for n in range(1, weeks))),
        },
        team="hospital",
    )


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _drawn_texts(language: str) -> list[str]:
    figure = build_chart_figure(Translator(language), _series())
    figure.canvas.draw()  # tick labels are formatted when drawn
    texts = [*figure.findobj(Text)]
    for axes in figure.axes:
        texts += [*axes.get_xticklabels(), *axes.get_yticklabels()]
    return [text.get_text() for text in texts if text.get_visible() and text.get_text().strip()]


def test_the_bundled_bengali_font_is_found_and_has_the_glyphs() -> None:
    register_fonts()
    path = findfont(FontProperties(family=BENGALI_FAMILY), fallback_to_default=False)
    assert path.startswith(str(FONT_DIR))
    bold = findfont(FontProperties(family=BENGALI_FAMILY, weight="bold"))
    assert bold.endswith("NotoSansBengali-Bold.ttf")
    for font_path in (path, bold):
        font = FT2Font(font_path)
        missing = [ch for ch in BENGALI_SAMPLE if font.get_char_index(ord(ch)) == 0]
        assert missing == [], font_path
    # matplotlib's own font has none of them, which is why the fallback is needed.
    dejavu = FT2Font(findfont(FontProperties(family="DejaVu Sans")))
    assert dejavu.get_char_index(ord("স")) == 0
    assert (FONT_DIR / "OFL.txt").read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE")


def test_bengali_chart_is_a_phone_sized_png_without_missing_glyphs() -> None:
    # pytest turns warnings into errors: a "Glyph … missing from font(s)" warning fails here.
    data = render_chart_png(Translator("bn"), _series())
    assert _png_size(data) == (1080, 1350)
    assert 30_000 < len(data) < 1_000_000
    assert data != render_chart_png(Translator("en"), _series())


def test_bengali_chart_labels_and_numbers_are_bengali() -> None:
    texts = _drawn_texts("bn")
    joined = "\n".join(texts)
    for label in (
        "hospital: গত ৮ সপ্তাহ",
        "সপ্তাহে যোগাযোগ",
        "সপ্তাহে যুক্ত থাকার হার",
        "সপ্তাহের শুরু (সোমবার)",
        "মাদকের চিকিৎসা",
        "শিক্ষা/প্রশিক্ষণ/চাকরি",
        "২৫/০৫",  # a week label
        "৩১",  # a bar label (10 + 3 × 7)
        "৪২%",  # 5/12 of the drug treatment line
        "১০০",  # a y-axis tick
    ):
        assert label in texts, (label, texts)
    # Every digit drawn is Bengali (the team name is data and has none).
    assert not re.search(r"[0-9]", joined), joined


def test_english_chart_keeps_latin_labels() -> None:
    texts = _drawn_texts("en")
    for label in ("hospital: last 8 weeks", "Contacts per week", "25/05", "31", "42%", "100"):
        assert label in texts, (label, texts)
