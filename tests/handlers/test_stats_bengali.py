"""Supervisor reports for a Bengali reader (PRODUCT §7, §9): Bengali labels, and every
figure and date in Bengali digits; period labels, codes and commands stay as typed."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from openpyxl import load_workbook

from bot.contacts.saving import reminder_settings
from bot.core.domain import StaffMember
from tests.handlers.harness import Harness
from tests.stats_cohort import DRUG, ENG, CohortBuilder

NOW = datetime(2026, 7, 15, 11, 0, tzinfo=UTC)  # a Wednesday in Q3 2026
NAV, BN_SUP = 7201, 7202
LATIN_DIGIT = re.compile(r"[0-9]")


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


async def _people(h: Harness) -> StaffMember:
    nav = await h.add_staff(NAV, "navigator", "hospital", display_name="Aisha")
    await h.add_staff(BN_SUP, "supervisor", "hospital", display_name="Rahima", ui_language="bn")
    return StaffMember.from_row(nav)


def _builder(h: Harness, nav: StaffMember) -> CohortBuilder:
    return CohortBuilder(
        h.app.bot_data.session_factory, nav, reminder_settings(h.app.bot_data.settings)
    )


def _line(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(start))


async def test_stats_comparison_in_bengali_labels_and_digits(h: Harness) -> None:
    nav = await _people(h)
    await _builder(h, nav).build()
    await h.send(BN_SUP, "/stats Q1 vs Q2")
    text = "\n".join(h.texts_to(BN_SUP))
    lines = text.splitlines()
    assert lines[0] == "<b>পরিসংখ্যান: hospital — Q2 2026 বনাম Q1 2026</b>"
    assert lines[1] == "Q2 2026: ০১/০৪/২০২৬–৩০/০৬/২০২৬; Q1 2026: ০১/০১/২০২৬–৩১/০৩/২০২৬"
    assert _line(text, "মাদকের চিকিৎসা") == (
        "মাদকের চিকিৎসা: ৭৩% (২২/৩০) · Q1 2026: ৫৮% (২৯/৫০) · +১৫ শতাংশ পয়েন্ট"
    )
    assert _line(text, "শিক্ষা/প্রশিক্ষণ/চাকরি (ETE)").endswith(
        ": ৫৯% (১৩/২২) · Q1 2026: ৩৭% (১১/৩০) · +২২ শতাংশ পয়েন্ট"
    )
    assert _line(text, "যোগাযোগ:") == (
        "যোগাযোগ: ৫৫ (হয়েছে ৫২, চেষ্টা ৩, রাজি হয়নি ০) · Q1 2026: ৮৭ (হয়েছে ৮৫, চেষ্টা ০, রাজি হয়নি ২)"
    )
    assert _line(text, "ক্লায়েন্ট:") == (
        "ক্লায়েন্ট: আলাদা ৫৫ জন, নতুন ৩৪ জন · Q1 2026: আলাদা ৮৭ জন, নতুন ৭২ জন"
    )
    assert "মানসিক স্বাস্থ্য: হিসাবের আওতায় কোনো ক্লায়েন্ট নেই" in text
    assert "বাংলা ৫" in _line(text, "ভাষা অনুযায়ী")
    assert _line(text, "Aisha:").startswith("Aisha: ৫৫ · ")
    # No Latin digit is left outside the period labels a supervisor types back.
    assert not LATIN_DIGIT.search(re.sub(r"Q[12] 2026", "", text)), text


async def test_stats_single_period_in_bengali(h: Harness) -> None:
    nav = await _people(h)
    await _builder(h, nav).build()
    await h.send(BN_SUP, "/stats Q1 2026")
    text = h.last_text_to(BN_SUP)
    assert text.startswith("<b>পরিসংখ্যান: hospital — Q1 2026</b> (০১/০১/২০২৬–৩১/০৩/২০২৬)")
    assert "মাদকের চিকিৎসা: ৫৮% (২৯/৫০)" in text
    assert "সেফগার্ডিং সতর্কবার্তা দেওয়া হয়েছে: ০" in text
    await h.send(BN_SUP, "/stats fortnight")
    assert h.last_text_to(BN_SUP).startswith(
        "সময়কালটি আমি বুঝতে পারিনি।\nযে সময়কালগুলো আমি বুঝি: today, week, month"
    )


async def test_overdue_in_bengali(h: Harness) -> None:
    nav = await _people(h)
    monday = datetime(2026, 7, 6, 9, tzinfo=UTC)
    builder = _builder(h, nav)
    await builder.log("C001", monday - timedelta(days=7), follow_up_at=monday + timedelta(hours=1))
    await builder.log("C002", monday - timedelta(days=7), follow_up_at=monday + timedelta(days=3))
    await h.send(BN_SUP, "/overdue")
    assert h.last_text_to(BN_SUP).splitlines() == [
        "<b>hospital: দেরি হওয়া ২টি ফলো আপ</b>",
        "",
        "<b>Aisha</b>",
        "C001 — তারিখ ছিল সোম ০৬/০৭/২০২৬ ১১:০০, ৭ কাজের দিন দেরি",
        "C002 — তারিখ ছিল বৃহস্পতি ০৯/০৭/২০২৬ ১০:০০, ৪ কাজের দিন দেরি",
    ]


async def test_chart_caption_in_bengali(h: Harness) -> None:
    nav = await _people(h)
    builder = _builder(h, nav)
    for week in range(3):
        await builder.log(f"W{week:03d}", NOW - timedelta(weeks=week), (DRUG, ENG))
    await h.send(BN_SUP, "/chart 8")
    [photo] = h.transport.sent("sendPhoto", chat_id=BN_SUP)
    caption = photo.params["caption"]
    assert caption.startswith("সাপ্তাহিক যোগাযোগ ও যুক্ত থাকার হার")
    assert caption.endswith("hospital, সপ্তাহের শুরু ২৫/০৫/২০২৬ থেকে ১৩/০৭/২০২৬ পর্যন্ত।")
    _filename, data = photo.files["photo"]
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    await h.send(BN_SUP, "/chart 99")
    assert h.last_text_to(BN_SUP).startswith("ব্যবহার: /chart [সপ্তাহ ১–৫২] [টিম]")


async def test_export_headers_and_sheet_names_in_bengali(h: Harness) -> None:
    nav = await _people(h)
    await _builder(h, nav).build()
    await h.send(BN_SUP, "/export Q2 2026")
    [document] = h.transport.sent("sendDocument", chat_id=BN_SUP)
    assert document.params["caption"] == "এক্সপোর্ট: hospital, Q2 2026; শুধু ক্লায়েন্ট কোড আছে।"
    filename, data = document.files["document"]
    assert filename == "navbot-stats-Q2-2026-hospital.xlsx"
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["যোগাযোগ", "ফলো আপ", "যুক্ত থাকার সারসংক্ষেপ"]
    contacts = list(workbook["যোগাযোগ"].iter_rows(values_only=True))
    assert contacts[0] == (
        "তারিখ ও সময় (Europe/London)",
        "ক্লায়েন্ট কোড",
        "নেভিগেটর",
        "টিম",
        "কোথায়",
        "ফলাফল",
        "ভাষা",
    )
    assert {row[5] for row in contacts[1:]} == {"যোগাযোগ হয়েছে", "সাড়া পাওয়া যায়নি"}
    followups = list(workbook["ফলো আপ"].iter_rows(values_only=True))
    assert followups[0][:4] == ("ক্লায়েন্ট কোড", "নেভিগেটর", "ফলো আপের তারিখ (Europe/London)", "অবস্থা")
    assert {row[3] for row in followups[1:]} <= {"চলমান", "সম্পন্ন", "বাতিল"}
    summary = {
        row[0]: row[1:]
        for row in workbook["যুক্ত থাকার সারসংক্ষেপ"].iter_rows(values_only=True)
        if row and row[0]
    }
    # Numbers stay numbers in a spreadsheet: the reader's spreadsheet app shows them.
    assert summary["যোগাযোগ"][0] == 55
    assert summary["সেবা"][:3] == ("হিসাবের আওতায়", "যুক্ত", "হার (%)")
    assert summary["মাদকের চিকিৎসা"][:3] == (30, 22, 73)
    assert summary["হাউজিং"][:3] == (0, 0, "হিসাবের আওতায় কোনো ক্লায়েন্ট নেই")
