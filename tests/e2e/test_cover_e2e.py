"""Leave and cover (issue 16) through the real `navbot run` process and the fake Bot API.

The clock is shifted by placing the data in time rather than the process: the navigator's
leave began a week ago and a follow-up fell due the day before it began, so the bot starts in
the middle of the leave with a week of the navigator's working days away behind it. Without
the pause that follow-up would escalate at once (three working days overdue).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.followups.absences import local_today
from storage.absences import create_absence
from storage.db import create_engine, create_session_factory
from storage.staff import get_staff_by_telegram_id
from tests.e2e.botprocess import BotProcess
from tests.e2e.helpers import find_button, message_id_of, write_marker
from tests.e2e.test_reminders_e2e import FAST, _db_url, _seed
from tests.fakebotapi import FakeBotApi

NAV, SUP, COVER = 4343101, 4343102, 4343103
LONDON = ZoneInfo("Europe/London")


async def _away(url: str, *, days_ago: int, days_ahead: int) -> None:
    engine = create_engine(url)
    today = local_today(datetime.now(UTC), LONDON)
    try:
        async with create_session_factory(engine).begin() as session:
            navigator = await get_staff_by_telegram_id(session, telegram_id=NAV)
            cover = await get_staff_by_telegram_id(session, telegram_id=COVER)
            assert navigator is not None
            assert cover is not None
            await create_absence(
                session,
                staff_id=navigator.id,
                cover_id=cover.id,
                starts_on=today - timedelta(days=days_ago),
                ends_on=today + timedelta(days=days_ahead),
                created_by_id=navigator.id,
                at=datetime.now(UTC) - timedelta(days=days_ago + 1),
            )
    finally:
        await engine.dispose()


def _count(workdir: Path, sql: str) -> int:
    with sqlite3.connect(workdir / "navbot.db") as connection:
        return int(connection.execute(sql).fetchone()[0])


def test_away_cover_gets_the_nudge_logs_it_and_the_navigator_returns_to_one_summary(
    api: FakeBotApi, tmp_path: Path, start_bot: Callable[..., BotProcess]
) -> None:
    url = _db_url(tmp_path)
    now = datetime.now(UTC)
    asyncio.run(
        _seed(
            url,
            [(NAV, "navigator", "Aisha"), (SUP, "supervisor", "Sue"), (COVER, "navigator", "Omar")],
            [(NAV, "C123", now - timedelta(minutes=1)), (NAV, "C200", now - timedelta(days=8))],
        )
    )
    asyncio.run(_away(url, days_ago=7, days_ahead=2))
    start_bot(**FAST)

    # The due nudge reaches the cover, marked as cover, with the usual buttons.
    nudge = api.wait_for_message(COVER, contains="Follow-up due: <b>C123</b>", timeout=60)
    assert (nudge.text or "").startswith("🤝 Covering for Aisha:")
    find_button(nudge, "fu:noanswer:")

    # The cover logs the contact with the client.
    mark = api.mark()
    api.push_message(COVER, "C123 phoned, talked about college, no follow up")
    card = api.wait_for_message(COVER, contains="Check this log", since=mark, timeout=30)
    api.push_callback(COVER, find_button(card, "card:save:"), message_id=message_id_of(card))
    api.wait_for(
        lambda c: c.method.lower() == "editmessagetext" and "Saved" in (c.text or ""),
        since=mark,
        timeout=30,
    )

    # The navigator comes back early, and gets one summary of what the cover did.
    mark = api.mark()
    api.push_message(NAV, "/back")
    api.wait_for_message(NAV, contains="Welcome back. Your reminders", since=mark, timeout=30)
    summary = api.wait_for_message(NAV, contains="While you were away", since=mark, timeout=60)
    assert "<b>C123</b>: 1 contact, last: contact made" in (summary.text or "")
    asyncio.run(write_marker(url, NAV, "marker-cover"))
    api.wait_for_message(NAV, contains="marker-cover", timeout=30)

    texts = api.messages_to(NAV)
    assert sum("While you were away" in t for t in texts) == 1
    assert not any("Follow-up due: <b>C123</b>" in t for t in texts)
    # Nothing escalated for the week away: C200's clock stood still while she was away.
    assert _count(tmp_path, "SELECT count(*) FROM outbox WHERE kind = 'escalation'") == 0
    assert not any("C200" in t for t in api.messages_to(SUP))
