"""Shared steps for end-to-end tests: onboarding a user and pressing buttons."""

from __future__ import annotations

import sqlite3
from pathlib import Path

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
