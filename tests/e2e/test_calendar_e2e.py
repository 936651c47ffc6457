"""Christmas 2026 through the real `navbot run` process, its clock moved to each day in turn
(`tests/e2e/shifted_clock.py`): a follow-up due on Christmas Eve is not nudged on Christmas
Day or on the substitute Boxing Day, is one working day overdue (not three) on Tuesday 29th,
and nobody is escalated to for days the team did not work.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.contacts.saving import ContactInput, reminder_settings, save_contact
from bot.core.domain import Outcome, Setting, StaffMember
from storage.db import create_engine, create_session_factory
from storage.migrate import migrate
from storage.staff import create_or_reactivate_staff, get_staff_by_telegram_id
from tests.conftest import make_settings
from tests.e2e.botprocess import BotProcess
from tests.e2e.helpers import write_marker
from tests.fakebotapi import FakeBotApi

NAV = 5500001
SUP = 5500002
OFFICE = "mon-fri 09:00-18:00"
DUE = datetime(2026, 12, 24, 16, tzinfo=UTC)  # Thursday, Christmas Eve (GMT = UTC)


async def _seed(url: str) -> None:
    await migrate(url)
    engine = create_engine(url)
    factory = create_session_factory(engine)
    settings = reminder_settings(make_settings(url, holiday_region="england-wales"))
    try:
        async with factory.begin() as session:
            for telegram_id, role in ((NAV, "navigator"), (SUP, "supervisor")):
                row = await create_or_reactivate_staff(
                    session,
                    telegram_id=telegram_id,
                    role=role,
                    team="hospital",
                    display_name=role.title(),
                    telegram_language="en",
                )
                row.working_hours = OFFICE
        async with factory.begin() as session:
            member = await get_staff_by_telegram_id(session, telegram_id=NAV)
            assert member is not None
            await save_contact(
                session,
                staff=StaffMember.from_row(member),
                contact=ContactInput(
                    client_code="C777",
                    setting=Setting.PHONE,
                    outcome=Outcome.MADE,
                    follow_up_at=DUE,
                ),
                now=datetime(2026, 12, 23, 11, tzinfo=UTC),
                settings=settings,
            )
    finally:
        await engine.dispose()


def _next_reminder(workdir: Path) -> str:
    with sqlite3.connect(workdir / "navbot.db") as connection:
        return str(
            connection.execute("SELECT next_reminder_at FROM followup_reminders").fetchone()[0]
        )


def test_christmas_is_not_a_working_day_for_nudges_overdue_counts_or_escalation(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path
) -> None:
    url = env["DATABASE_URL"]
    asyncio.run(_seed(url))
    days = {
        "christmas": datetime(2026, 12, 25, 10, tzinfo=UTC),  # Friday, a bank holiday
        "boxing-day-substitute": datetime(2026, 12, 28, 10, tzinfo=UTC),  # Monday
        "first-working-day": datetime(2026, 12, 29, 9, 0, 5, tzinfo=UTC),  # Tuesday
    }
    bot_env = {**env, "HOLIDAY_REGION": "england-wales", "SWEEP_INTERVAL_SECONDS": "0.5"}

    def run_on(name: str, at: datetime) -> BotProcess:
        command = [sys.executable, "-m", "tests.e2e.shifted_clock", at.isoformat(), "run"]
        return BotProcess(bot_env, tmp_path, name=name, command=command).start()

    def nudges() -> list[str]:
        return [t for t in api.messages_to(NAV) if "C777" in t]

    def escalations() -> list[str]:
        return [t for t in api.messages_to(SUP) if "Escalation" in t]

    for name in ("christmas", "boxing-day-substitute"):
        bot = run_on(name, days[name])
        try:
            asyncio.run(write_marker(url, NAV, f"marker-{name}", days[name]))
            api.wait_for_message(NAV, contains=f"marker-{name}", timeout=60)
        finally:
            bot.stop()
        assert nudges() == [], f"nudged on {name}"
        assert _next_reminder(tmp_path).startswith("2026-12-29 09:00")

    bot = run_on("tuesday", days["first-working-day"])
    try:
        nudge = api.wait_for_message(NAV, contains="Overdue follow-up", timeout=60)
        assert "C777" in (nudge.text or "")
        assert "1 working day overdue" in (nudge.text or "")  # not 3: 25th and 28th were off
        asyncio.run(write_marker(url, SUP, "marker-sup", days["first-working-day"]))
        api.wait_for_message(SUP, contains="marker-sup", timeout=60)
    finally:
        bot.stop()
    assert escalations() == []
    assert len([t for t in nudges() if "Overdue follow-up" in t]) == 1


def test_shifted_clock_launcher_moves_the_bot_s_day(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path, start_bot: Callable[..., BotProcess]
) -> None:
    """The launcher really moves the process's clock: without it, this check could not fail
    on any day but Christmas."""
    url = env["DATABASE_URL"]
    asyncio.run(_seed(url))
    at = datetime(2026, 12, 25, 10, tzinfo=UTC)
    command = [sys.executable, "-m", "tests.e2e.shifted_clock", at.isoformat(), "run"]
    bot = BotProcess(
        {**env, "HOLIDAY_REGION": "england-wales"}, tmp_path, name="shifted", command=command
    ).start()
    try:
        asyncio.run(write_marker(url, NAV, "marker-now", at))
        api.wait_for_message(NAV, contains="marker-now", timeout=60)
    finally:
        bot.stop()
    with sqlite3.connect(tmp_path / "navbot.db") as connection:
        sent_at = str(connection.execute("SELECT sent_at FROM outbox").fetchone()[0])
    assert sent_at.startswith("2026-12-25 10:0")
