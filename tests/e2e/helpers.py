"""Shared steps for end-to-end tests: onboarding a user and pressing buttons."""

from __future__ import annotations

import socket
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.db import create_engine, create_session_factory
from storage.outbox import create_outbox_message
from storage.staff import get_staff_by_telegram_id
from tests.e2e.botprocess import run_cli
from tests.fakebotapi import ApiCall, FakeBotApi


def onboard(
    api: FakeBotApi,
    env: dict[str, str],
    workdir: Path,
    user_id: int,
    role: str = "navigator",
    team: str = "hospital",
    language_code: str = "en",
) -> None:
    """Invite through the CLI and redeem through the running bot, as staff really join."""
    result = run_cli(env, workdir, "invite", "--role", role, "--team", team)
    assert result.returncode == 0, result.stderr
    code = result.stdout.splitlines()[0].removeprefix("/start ").strip()
    mark = api.mark()
    api.push_message(user_id, f"/start {code}", language_code=language_code)
    api.wait_for_message(user_id, contains="team", since=mark, timeout=30)


def keyboard_of(call: ApiCall) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


def find_button(call: ApiCall, prefix: str) -> str:
    matches = [data for data in keyboard_of(call) if data.startswith(prefix)]
    assert matches, f"no {prefix!r} button in {keyboard_of(call)}"
    return matches[0]


def message_id_of(call: ApiCall) -> int:
    result = call.result
    assert isinstance(result, dict), call
    return int(result["message_id"])


def count(workdir: Path, sql: str) -> int:
    with sqlite3.connect(workdir / "navbot.db") as connection:
        return int(connection.execute(sql).fetchone()[0])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def wait_until(check: Callable[[], bool], timeout: float = 60.0) -> None:
    """Readiness of another process (a port, a log line, a row), never a reminder: those are
    waited for as the Bot API call they make."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


async def write_marker(url: str, telegram_id: int, text: str, at: datetime | None = None) -> None:
    """An outbox notice due at ``at`` (default: a second ago) written while the bot runs: its
    delivery proves that a later sweep ran, so whatever was not sent by then is not coming."""
    engine = create_engine(url)
    try:
        async with create_session_factory(engine).begin() as session:
            row = await get_staff_by_telegram_id(session, telegram_id=telegram_id)
            assert row is not None
            await create_outbox_message(
                session,
                dedupe_key=f"marker:{text}",
                kind="notice",
                recipient_id=row.id,
                not_before=at or datetime.now(UTC) - timedelta(seconds=1),
                payload={"text": text},
            )
    finally:
        await engine.dispose()
