"""`navbot health` and the checks behind it, against real SQLite files."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.ops.health import check_health
from storage.db import create_engine, create_session_factory
from storage.heartbeats import record_heartbeats
from storage.migrate import migrate
from storage.outbox import create_outbox_message
from storage.staff import create_or_reactivate_staff
from tests.conftest import make_settings

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


async def _report(url: str, host: str = "bot-host") -> list[str]:
    engine = create_engine(url)
    try:
        return (await check_health(engine, make_settings(url), now=NOW, host=host)).lines()
    finally:
        await engine.dispose()


async def _beat(url: str, *, host: str, at: datetime, names: list[str] | None = None) -> None:
    engine = create_engine(url)
    async with create_session_factory(engine).begin() as session:
        names = names or ["telegram", "sweep"]
        await record_heartbeats(session, host=host, beats=dict.fromkeys(names, at))
    await engine.dispose()


async def test_each_check_passes_and_fails(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'navbot.db'}"
    assert await _report(url) == [
        "ok   database: reachable",
        "FAIL migrations: none applied: run navbot migrate",
    ]
    await migrate(url)
    fresh = await _report(url)
    assert fresh[2:4] == [
        "FAIL telegram: last heard from Telegram: never (is the bot running?)",
        "FAIL sweep: last reminder sweep: never (is the bot running?)",
    ]
    await _beat(url, host="bot-host", at=NOW - timedelta(seconds=40))
    healthy = await _report(url)
    assert healthy[0] == "ok   database: reachable"
    assert healthy[1].startswith("ok   migrations: at head ")
    assert healthy[2] == "ok   telegram: last heard from Telegram 40 s ago"
    assert healthy[3] == "ok   sweep: last reminder sweep 40 s ago"
    assert healthy[4] == "ok   deliveries: none overdue"
    # the sweep stopped ten minutes ago while polling went on
    await _beat(url, host="bot-host", at=NOW - timedelta(minutes=10), names=["sweep"])
    stalled = await _report(url)
    assert stalled[2].startswith("ok   telegram")
    assert stalled[3] == "FAIL sweep: last reminder sweep 10 min ago, more than 3 min"
    # another machine's fresh heartbeat does not hide this one's stale one ...
    await _beat(url, host="other-host", at=NOW)
    assert (await _report(url))[3].startswith("FAIL sweep")
    # ... but from a machine without a bot, the newest of any host is what counts
    assert (await _report(url, host="admin-laptop"))[3] == "ok   sweep: last reminder sweep 0 s ago"

    engine = create_engine(url)
    async with create_session_factory(engine).begin() as session:
        staff = await create_or_reactivate_staff(
            session,
            telegram_id=1,
            role="navigator",
            team="hospital",
            display_name="A",
            telegram_language="en",
        )
        for minutes, key in ((4, "recent"), (6, "late")):
            await create_outbox_message(
                session,
                dedupe_key=key,
                kind="notice",
                recipient_id=staff.id,
                not_before=NOW - timedelta(minutes=minutes),
                payload={"text": "x"},
            )
    await engine.dispose()
    assert (await _report(url))[4] == "FAIL deliveries: 1 message(s) more than 5 minutes overdue"

    unreachable = "postgresql+psycopg://postgres@127.0.0.1:9/none"
    assert await _report(unreachable) == ["FAIL database: unreachable (OperationalError)"]


async def test_the_cli_prints_one_line_per_check_and_exits_0_or_1(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'navbot.db'}"
    env = {**os.environ, "DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": ""}

    def health() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", "health"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    first = health()
    assert first.returncode == 1
    assert first.stdout.splitlines()[-1] == "FAIL migrations: none applied: run navbot migrate"
    await migrate(url)
    second = health()
    assert second.returncode == 1  # no bot has run: no heartbeats
    assert "FAIL telegram: last heard from Telegram: never" in second.stdout
    await _beat(url, host=socket.gethostname(), at=datetime.now(UTC))
    third = health()
    assert third.returncode == 0, third.stdout + third.stderr
    assert len(third.stdout.splitlines()) == 5
    assert all(line.startswith("ok   ") for line in third.stdout.splitlines())
    assert "Traceback" not in second.stderr + third.stderr
