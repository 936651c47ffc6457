"""Reminders through the real `navbot run` process and the fake Bot API over HTTP.

Data is seeded with the domain functions on the bot's own database before it starts. Nothing
sleeps waiting for a reminder: each test waits for the Bot API call it expects, and proves
"exactly once" by waiting for a marker message that a later sweep delivers.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.contacts.saving import ContactInput, reminder_settings, save_contact
from bot.core.domain import Outcome, Setting, StaffMember
from storage.db import create_engine, create_session_factory
from storage.migrate import migrate
from storage.staff import create_or_reactivate_staff, get_staff_by_telegram_id
from tests.conftest import make_settings
from tests.e2e.botprocess import BotProcess
from tests.e2e.helpers import write_marker
from tests.fakebotapi import ApiCall, FakeBotApi

NAV = 4343001
SUP = 4343002
ALWAYS = "mon-sun 00:00-23:59"  # reminders go out whenever the suite runs
FAST = {"SWEEP_INTERVAL_SECONDS": "0.5", "DELIVERY_LEASE_SECONDS": "1"}


def _db_url(workdir: Path) -> str:
    return f"sqlite+aiosqlite:///{workdir / 'navbot.db'}"


async def _seed(
    url: str,
    staff: Sequence[tuple[int, str, str]],
    followups: Sequence[tuple[int, str, datetime]],
) -> None:
    """(telegram id, role, name) members of team hospital; (telegram id, code, due) logs."""
    await migrate(url)
    engine = create_engine(url)
    factory = create_session_factory(engine)
    settings = reminder_settings(make_settings(url))
    now = datetime.now(UTC)
    try:
        async with factory.begin() as session:
            for telegram_id, role, name in staff:
                row = await create_or_reactivate_staff(
                    session,
                    telegram_id=telegram_id,
                    role=role,
                    team="hospital",
                    display_name=name,
                    telegram_language="en",
                )
                row.working_hours = ALWAYS
        for telegram_id, code, due in followups:
            async with factory.begin() as session:
                member = await get_staff_by_telegram_id(session, telegram_id=telegram_id)
                assert member is not None
                await save_contact(
                    session,
                    staff=StaffMember.from_row(member),
                    contact=ContactInput(
                        client_code=code,
                        setting=Setting.PHONE,
                        outcome=Outcome.MADE,
                        follow_up_at=due,
                    ),
                    now=now - timedelta(days=1),
                    settings=settings,
                )
    finally:
        await engine.dispose()


def _is_nudge_text(text: str, code: str) -> bool:
    """A due or overdue nudge for this client (not the agenda, which also names it)."""
    return f"<b>{code}</b>" in text and ("Follow-up due:" in text or "Overdue follow-up:" in text)


def _nudges(api: FakeBotApi, chat_id: int, code: str) -> list[str]:
    return [t for t in api.messages_to(chat_id) if _is_nudge_text(t, code)]


def _is_nudge(chat_id: int, code: str) -> Callable[[ApiCall], bool]:
    def predicate(call: ApiCall) -> bool:
        return (
            call.method == "sendMessage"
            and call.fault is None
            and call.params.get("chat_id") in (chat_id, str(chat_id))
            and _is_nudge_text(call.text or "", code)
        )

    return predicate


def _prove_nothing_more(api: FakeBotApi, url: str, chat_id: int, name: str) -> None:
    asyncio.run(write_marker(url, chat_id, name))
    api.wait_for_message(chat_id, contains=name, timeout=30)


def _query(workdir: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(workdir / "navbot.db") as connection:
        return list(connection.execute(sql).fetchall())


def test_a_follow_up_due_while_the_bot_was_down_is_nudged_after_start(
    api: FakeBotApi, tmp_path: Path, start_bot: Callable[..., BotProcess]
) -> None:
    url = _db_url(tmp_path)
    due = datetime.now(UTC) - timedelta(minutes=1)
    asyncio.run(_seed(url, [(NAV, "navigator", "Aisha")], [(NAV, "C123", due)]))
    start_bot(**FAST)
    call = api.wait_for(_is_nudge(NAV, "C123"), timeout=60)
    buttons = [
        b["callback_data"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row
    ]
    assert any(b.startswith("fu:noanswer:") for b in buttons)
    _prove_nothing_more(api, url, NAV, "marker-1")
    assert len(_nudges(api, NAV, "C123")) == 1


def test_a_crash_mid_send_delivers_exactly_once_after_restart(
    api: FakeBotApi, tmp_path: Path, start_bot: Callable[..., BotProcess]
) -> None:
    url = _db_url(tmp_path)
    due = datetime.now(UTC) - timedelta(minutes=1)
    asyncio.run(_seed(url, [(NAV, "navigator", "Aisha")], [(NAV, "C123", due)]))
    api.hang_next("sendMessage")
    first = start_bot(**FAST)
    api.wait_for(lambda c: c.fault == "hung", timeout=60)
    first.kill()  # SIGKILL while the send hangs: the row stays claimed
    api.release_hung()
    assert _nudges(api, NAV, "C123") == []
    start_bot(**FAST)
    api.wait_for(_is_nudge(NAV, "C123"), timeout=60)
    _prove_nothing_more(api, url, NAV, "marker-2")
    assert len(_nudges(api, NAV, "C123")) == 1
    # Claimed twice (before the kill, after the lease), sent once, nothing left owed.
    rows = _query(
        tmp_path,
        "SELECT nudge_kind, nudge_attempts, nudge_sent_at IS NOT NULL FROM followup_reminders",
    )
    assert rows == [(None, 2, 1)]
    assert _query(tmp_path, "SELECT count(*) FROM outbox WHERE kind = 'due'") == [(0,)]


def test_a_429_then_200_is_delivered_once(
    api: FakeBotApi, tmp_path: Path, start_bot: Callable[..., BotProcess]
) -> None:
    url = _db_url(tmp_path)
    due = datetime.now(UTC) - timedelta(minutes=1)
    asyncio.run(_seed(url, [(NAV, "navigator", "Aisha")], [(NAV, "C123", due)]))
    api.fail_next("sendMessage", status=429, retry_after=1)
    start_bot(**FAST)
    api.wait_for(_is_nudge(NAV, "C123"), timeout=60)
    _prove_nothing_more(api, url, NAV, "marker-3")
    assert len(_nudges(api, NAV, "C123")) == 1
    limited = [c for c in api.sent("sendMessage", include_faults=True) if c.status == 429]
    assert len(limited) == 1


def test_a_403_marks_the_navigator_unreachable_and_tells_the_supervisor(
    api: FakeBotApi, tmp_path: Path, start_bot: Callable[..., BotProcess]
) -> None:
    url = _db_url(tmp_path)
    due = datetime.now(UTC) - timedelta(minutes=1)
    asyncio.run(
        _seed(
            url,
            [(NAV, "navigator", "Aisha"), (SUP, "supervisor", "Sue")],
            [(NAV, "C123", due)],
        )
    )
    api.fail_next("sendMessage", status=403)
    start_bot(**FAST)
    api.wait_for_message(SUP, contains="Aisha has blocked the bot", timeout=60)
    assert _query(tmp_path, f"SELECT reachable FROM staff WHERE telegram_id = {NAV}") == [(0,)]
    _prove_nothing_more(api, url, SUP, "marker-4")
    assert api.messages_to(NAV) == []
    notices = [t for t in api.messages_to(SUP) if "blocked the bot" in t]
    assert len(notices) == 1


@pytest.mark.postgres
def test_two_processes_on_postgres_deliver_200_reminders_exactly_once(
    api: FakeBotApi,
    env: dict[str, str],
    postgres_url: str,
    start_bot: Callable[..., BotProcess],
) -> None:
    navigators = [(NAV + i, "navigator", f"N{i}") for i in range(20)]
    due = datetime.now(UTC) - timedelta(minutes=1)
    followups = [
        (telegram_id, f"C{telegram_id % 1000:03d}-{k}", due)
        for telegram_id, _, _ in navigators
        for k in range(10)
    ]
    asyncio.run(_seed(postgres_url, navigators, followups))
    extra = {
        "DATABASE_URL": postgres_url,
        "SWEEP_INTERVAL_SECONDS": "0.5",
        "DELIVERY_LEASE_SECONDS": "30",
        "RATE_LIMIT_PER_CHAT_PER_SECOND": "20",
    }
    start_bot(name="a", **extra)
    start_bot(name="b", **extra)
    expected = {(telegram_id, code) for telegram_id, code, _ in followups}

    def delivered() -> list[tuple[int, str]]:
        pairs = []
        for call in api.sent("sendMessage"):
            text = call.text or ""
            if "Follow-up due" in text or "Overdue follow-up" in text:
                code = text.split("<b>", 1)[1].split("</b>", 1)[0]
                pairs.append((int(call.params["chat_id"]), code))
        return pairs

    api.wait_for(lambda _c: len(delivered()) >= len(expected), timeout=120)
    asyncio.run(write_marker(postgres_url, NAV, "marker-5"))
    api.wait_for_message(NAV, contains="marker-5", timeout=60)
    pairs = delivered()
    assert len(pairs) == 200
    assert set(pairs) == expected
    assert json.dumps(sorted(pairs)) == json.dumps(sorted(expected))
