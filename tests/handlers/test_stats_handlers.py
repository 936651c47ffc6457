"""/stats, /overdue, /chart and /export through a real Application (offline transport)."""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from openpyxl import load_workbook

from bot.contacts.saving import reminder_settings
from bot.core.domain import Outcome, StaffMember
from storage.audit import list_audit_entries
from tests.handlers.harness import Harness
from tests.stats_cohort import DRUG, ENG, CohortBuilder

NOW = datetime(2026, 7, 15, 11, 0, tzinfo=UTC)  # a Wednesday in Q3 2026
NAV, SUP, ADMIN, OTHER_SUP = 7001, 7002, 7003, 7004


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


async def _people(h: Harness) -> StaffMember:
    nav = await h.add_staff(NAV, "navigator", "hospital", display_name="Aisha")
    await h.add_staff(SUP, "supervisor", "hospital", display_name="Sup")
    await h.add_staff(ADMIN, "admin", "hospital", display_name="Admin")
    await h.add_staff(OTHER_SUP, "supervisor", "community", display_name="Other")
    return StaffMember.from_row(nav)


async def _cohort(h: Harness) -> StaffMember:
    nav = await _people(h)
    settings = reminder_settings(h.app.bot_data.settings)
    await CohortBuilder(h.app.bot_data.session_factory, nav, settings).build()
    return nav


async def test_stats_q1_vs_q2_reports_the_headline_figures_with_the_change(h: Harness) -> None:
    await _cohort(h)
    await h.send(SUP, "/stats Q1 vs Q2")
    text = "\n".join(h.texts_to(SUP))
    assert "Q2 2026 vs Q1 2026" in text
    drug = next(line for line in text.splitlines() if line.startswith("Drug treatment"))
    assert drug == "Drug treatment: 73% (22/30) · Q1 2026: 58% (29/50) · +15 pp"
    ete = next(line for line in text.splitlines() if line.startswith("ETE"))
    assert ete.endswith(": 59% (13/22) · Q1 2026: 37% (11/30) · +22 pp")
    assert "Contacts: 55 (made 52, attempted 3, declined 0)" in text
    assert "Q1 2026: 87 (made 85, attempted 0, declined 2)" in text
    assert "Clients: 55 unique, 34 new · Q1 2026: 87 unique, 72 new" in text
    assert "Mental health: no eligible clients · Q1 2026: no eligible clients" in text
    assert "Aisha: 55 · " in text  # the navigator line for Q2
    assert "Bengali 5" in text
    # Typed the other way round it reads the same: the change runs forward in time.
    await h.send(SUP, "/stats Q2 vs Q1")
    assert drug in h.last_text_to(SUP) or drug in "\n".join(h.texts_to(SUP)[-2:])
    # A chat action while preparing, and one audit row per view without typed text.
    assert h.transport.sent("sendChatAction", chat_id=SUP)[0].params["action"] == "typing"
    async with h.session() as session:
        rows = await list_audit_entries(session, action="stats")
    assert [row.detail for row in rows] == [
        "stats Q2 2026 vs Q1 2026 team=hospital",
        "stats Q2 2026 vs Q1 2026 team=hospital",
    ]


async def test_stats_single_period_and_default_month(h: Harness) -> None:
    await _cohort(h)
    await h.send(SUP, "/stats Q1 2026")
    text = h.last_text_to(SUP)
    assert "<b>Stats for hospital — Q1 2026</b> (01/01/2026–31/03/2026)" in text
    assert "Drug treatment: 58% (29/50)" in text
    assert "ETE (education, training, employment): 37% (11/30)" in text
    await h.send(SUP, "/stats")
    text = h.last_text_to(SUP)
    assert "2026-07" in text
    assert "Drug treatment: no eligible clients" in text  # an empty month: no division
    assert "Contacts: 0 (made 0, attempted 0, declined 0)" in text


async def test_navigators_are_refused_politely(h: Harness) -> None:
    await _people(h)
    for command in ("/stats", "/overdue", "/chart", "/export"):
        await h.send(NAV, command)
        assert h.last_text_to(NAV) == "Sorry, team reports are for supervisors and admins."
    assert not h.transport.sent("sendPhoto")
    assert not h.transport.sent("sendDocument")


async def test_supervisors_see_their_own_team_only(h: Harness) -> None:
    await _cohort(h)
    await h.send(OTHER_SUP, "/stats Q1 2026")
    assert "Stats for community — Q1 2026" in h.last_text_to(OTHER_SUP)
    assert "Drug treatment: no eligible clients" in h.last_text_to(OTHER_SUP)
    for request in ("/stats Q1 2026 hospital", "/stats all", "/overdue hospital"):
        await h.send(OTHER_SUP, request)
        assert h.last_text_to(OTHER_SUP) == (
            "Sorry, you can see reports for your own team (community) only."
        )
    async with h.session() as session:
        assert len(await list_audit_entries(session, action="stats")) == 1


@pytest.mark.parametrize(
    "command", ["/chart abc", "/chart 8 abc", "/stats Q1 2026 abc", "/overdue abc"]
)
async def test_a_team_that_does_not_exist_is_named_as_such_for_every_role(
    h: Harness, command: str
) -> None:
    await _people(h)
    for senior in (SUP, ADMIN):
        await h.send(senior, command)
        assert h.last_text_to(senior) == (
            "There is no team called abc. Teams: community, hospital, or all."
        )
    assert h.transport.sent("sendPhoto") == []
    assert h.transport.sent("sendDocument") == []


async def test_admins_default_to_all_teams_and_may_name_one(h: Harness) -> None:
    await _cohort(h)
    await h.send(ADMIN, "/stats Q2 2026")
    assert "Stats for all teams — Q2 2026" in h.last_text_to(ADMIN)
    await h.send(ADMIN, "/stats Q2 2026 community")
    assert "Stats for community — Q2 2026" in h.last_text_to(ADMIN)
    await h.send(ADMIN, "/stats q2 2026 hospitl")
    assert h.last_text_to(ADMIN) == (
        "There is no team called hospitl. Teams: community, hospital, or all."
    )
    await h.send(ADMIN, "/stats all")
    assert "Stats for all teams — 2026-07" in h.last_text_to(ADMIN)


@pytest.mark.parametrize(
    ("request_text", "reason"),
    [
        ("/stats fortnight", "I did not recognise that period."),
        ("/stats 2026-02-31", "That date is not in the calendar."),
        ("/stats 2026-03-10..2026-03-01", "The period starts after it ends."),
        ("/stats vs Q1", "Compare two periods like this: Q1 vs Q2."),
        ("/export fortnight", "I did not recognise that period."),
    ],
)
async def test_a_bad_period_gets_a_short_reply_listing_the_forms(
    h: Harness, request_text: str, reason: str
) -> None:
    await _people(h)
    await h.send(SUP, request_text)
    reply = h.last_text_to(SUP)
    assert reply.startswith(reason)
    assert "Periods I understand: today, week, month" in reply
    assert "Q1 vs Q2" in reply
    assert len(reply) < 400


async def test_long_navigator_lists_are_split_under_the_message_limit(h: Harness) -> None:
    await _people(h)
    for n in range(180):
        await h.add_staff(80000 + n, "navigator", "hospital", display_name=f"Navigator {n:03d}" * 2)
    await h.send(SUP, "/stats")
    texts = h.texts_to(SUP)
    assert len(texts) >= 2
    assert all(len(text) <= 4096 for text in texts)
    assert sum(text.count("Navigator 1") for text in texts) >= 100


async def test_overdue_lists_every_overdue_followup_by_navigator(h: Harness) -> None:
    nav = await _people(h)
    bilal = StaffMember.from_row(
        await h.add_staff(7005, "navigator", "hospital", display_name="Bilal")
    )
    builder = CohortBuilder(
        h.app.bot_data.session_factory, nav, reminder_settings(h.app.bot_data.settings)
    )
    monday = datetime(2026, 7, 6, 9, tzinfo=UTC)
    await builder.log("C001", monday - timedelta(days=7), follow_up_at=monday + timedelta(hours=1))
    await builder.log("C002", monday - timedelta(days=7), follow_up_at=monday + timedelta(days=3))
    await builder.log("C003", monday - timedelta(days=7), staff=bilal, follow_up_at=monday)
    await builder.log("C004", monday, follow_up_at=NOW + timedelta(days=1))  # not yet due
    await h.send(SUP, "/overdue")
    text = h.last_text_to(SUP)
    assert text.splitlines() == [
        "<b>3 overdue follow-ups for hospital</b>",
        "",
        "<b>Aisha</b>",
        "C001 — due Mon 06/07/2026 11:00, 7 working days overdue",
        "C002 — due Thu 09/07/2026 10:00, 4 working days overdue",
        "",
        "<b>Bilal</b>",
        "C003 — due Mon 06/07/2026 10:00, 7 working days overdue",
    ]
    await h.send(OTHER_SUP, "/overdue")
    assert h.last_text_to(OTHER_SUP) == "No overdue follow-ups for community."


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_chart_is_a_phone_sized_png_sent_as_a_photo(h: Harness) -> None:
    nav = await _people(h)
    builder = CohortBuilder(
        h.app.bot_data.session_factory, nav, reminder_settings(h.app.bot_data.settings)
    )
    for week in range(6):
        await builder.log(f"W{week:03d}", NOW - timedelta(weeks=week), (DRUG, ENG))
    await h.send(SUP, "/chart 8")
    photos = h.transport.sent("sendPhoto", chat_id=SUP)
    assert len(photos) == 1
    _filename, data = photos[0].files["photo"]
    width, height = _png_size(data)
    assert (width, height) == (1080, 1350)
    assert "weeks starting 25/05/2026 to 13/07/2026" in photos[0].params["caption"]
    actions = [c.params["action"] for c in h.transport.sent("sendChatAction", chat_id=SUP)]
    assert actions == ["upload_photo"]
    await h.send(SUP, "/chart 99")
    assert h.last_text_to(SUP).startswith("Usage: /chart")


async def test_export_matches_stats_and_neutralises_formula_like_text(h: Harness) -> None:
    nav = await _cohort(h)
    await h.add_staff(7010, "navigator", "hospital", display_name='=HYPERLINK("x")')
    async with h.session() as session:
        from storage.staff import get_staff_by_telegram_id

        evil = await get_staff_by_telegram_id(session, telegram_id=7010)
        assert evil is not None
        evil_member = StaffMember.from_row(evil)
    builder = CohortBuilder(
        h.app.bot_data.session_factory, nav, reminder_settings(h.app.bot_data.settings)
    )
    await builder.log("Z001", datetime(2026, 5, 20, 10, tzinfo=UTC), staff=evil_member)
    await h.send(SUP, "/stats Q2 2026")
    stats_text = h.last_text_to(SUP)
    assert "Contacts: 56 (made 53, attempted 3, declined 0)" in stats_text

    await h.send(SUP, "/export Q2 2026")
    documents = h.transport.sent("sendDocument", chat_id=SUP)
    assert len(documents) == 1
    filename, data = documents[0].files["document"]
    assert filename == "navbot-stats-Q2-2026-hospital.xlsx"
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Contacts", "Follow-ups", "Engagement summary"]
    contacts = list(workbook["Contacts"].iter_rows(values_only=True))
    assert len(contacts) - 1 == 56
    assert all(isinstance(row[1], str) for row in contacts[1:])
    navigators = {row[2] for row in contacts[1:]}
    assert '\'=HYPERLINK("x")' in navigators
    assert all(cell.data_type != "f" for row in workbook["Contacts"].iter_rows() for cell in row)
    flat = " ".join(
        str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row
    )
    assert "07700" not in flat
    assert "someone" not in flat
    summary = {
        row[0]: row[1:]
        for row in workbook["Engagement summary"].iter_rows(values_only=True)
        if row and row[0]
    }
    assert summary["Contacts"][0] == 56
    assert summary["Contacts made"][0] == 53
    assert summary["Unique clients"][0] == 56
    assert summary["Drug treatment"][:3] == (30, 22, 73)
    assert summary["ETE (education, training, employment)"][:3] == (22, 13, 59)
    assert summary["Housing"][:3] == (0, 0, "no eligible clients")
    actions = [c.params["action"] for c in h.transport.sent("sendChatAction", chat_id=SUP)]
    assert actions[-1] == "upload_document"
    async with h.session() as session:
        rows = await list_audit_entries(session, action="export")
    assert [row.detail for row in rows] == ["export Q2 2026 team=hospital"]
    await h.send(SUP, "/export Q1 vs Q2")
    assert h.last_text_to(SUP) == "An export covers one period, for example /export Q1 2026."


async def test_declined_outcome_is_counted(h: Harness) -> None:
    nav = await _people(h)
    builder = CohortBuilder(
        h.app.bot_data.session_factory, nav, reminder_settings(h.app.bot_data.settings)
    )
    await builder.log("D001", NOW - timedelta(days=1), outcome=Outcome.DECLINED)
    await h.send(SUP, "/stats week")
    assert "Contacts: 1 (made 0, attempted 0, declined 1)" in h.last_text_to(SUP)
