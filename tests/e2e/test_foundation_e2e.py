"""The real `navbot run` process, talking HTTP to the fake Bot API."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from tests.e2e.botprocess import BotProcess, run_cli
from tests.e2e.helpers import free_port, listening, wait_until
from tests.fakebotapi import FakeBotApi

STAFF_ID = 4242001
STRANGER = 4242002


def _invite(env: dict[str, str], workdir: Path, *args: str) -> str:
    result = run_cli(env, workdir, "invite", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[0].removeprefix("/start ").strip()


def _count(workdir: Path, sql: str) -> int:
    with sqlite3.connect(workdir / "navbot.db") as connection:
        return int(connection.execute(sql).fetchone()[0])


def _start_polling(start_bot: Callable[..., BotProcess], api: FakeBotApi) -> BotProcess:
    bot = start_bot()
    api.wait_until_polling(timeout=60)
    return bot


def test_invite_then_start_code_then_welcome(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path, start_bot: Callable[..., BotProcess]
) -> None:
    code = _invite(env, tmp_path, "--role", "navigator", "--team", "hospital", "--name", "Aisha")
    _start_polling(start_bot, api)
    # At start the bot publishes its command menu, in English and in Bengali.
    menus = api.sent("setMyCommands")
    assert {call.params.get("language_code") for call in menus} == {None, "bn"}
    api.push_message(STAFF_ID, f"/start {code}")
    reply = api.wait_for_message(STAFF_ID, contains="Welcome")
    assert "Welcome, Aisha." in (reply.text or "")
    assert "navigator in team hospital" in (reply.text or "")
    # Now that the bot has run, the CLI knows its username and prints the deep link.
    result = run_cli(env, tmp_path, "invite", "--role", "navigator", "--team", "hospital")
    assert "https://t.me/" in result.stdout
    users = run_cli(env, tmp_path, "users")
    assert str(STAFF_ID) in users.stdout


def test_unknown_user_is_refused_and_nothing_is_stored(
    api: FakeBotApi, tmp_path: Path, start_bot: Callable[..., BotProcess]
) -> None:
    bot = _start_polling(start_bot, api)
    api.push_message(STRANGER, "C123 seen in ED, his number is 07700 900123")
    api.wait_for_message(STRANGER, contains="only for invited staff")
    bot.stop()
    assert _count(tmp_path, "SELECT count(*) FROM staff") == 0
    assert _count(tmp_path, "SELECT count(*) FROM clients") == 0
    assert _count(tmp_path, "SELECT count(*) FROM audit_log WHERE action = 'denied'") == 1
    assert "07700" not in bot.log_text()
    assert "seen in ED" not in bot.log_text()


def test_reused_and_expired_codes_are_refused(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path, start_bot: Callable[..., BotProcess]
) -> None:
    code = _invite(env, tmp_path, "--role", "navigator", "--team", "hospital")
    expired = _invite(env, tmp_path, "--role", "navigator", "--team", "hospital")
    with sqlite3.connect(tmp_path / "navbot.db") as connection:
        connection.execute(
            "UPDATE invites SET expires_at = '2020-01-01 00:00:00.000000' WHERE id = 2"
        )
    _start_polling(start_bot, api)
    api.push_message(STAFF_ID, f"/start {code}")
    api.wait_for_message(STAFF_ID, contains="Welcome")
    api.push_message(STRANGER, f"/start {code}")
    api.wait_for_message(STRANGER, contains="already been used")
    api.push_message(STRANGER, f"/start {expired}")
    api.wait_for_message(STRANGER, contains="expired")
    assert _count(tmp_path, "SELECT count(*) FROM staff") == 1


def test_revoked_user_is_refused_on_the_next_message(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path, start_bot: Callable[..., BotProcess]
) -> None:
    code = _invite(env, tmp_path, "--role", "navigator", "--team", "hospital")
    _start_polling(start_bot, api)
    api.push_message(STAFF_ID, f"/start {code}")
    api.wait_for_message(STAFF_ID, contains="Welcome")
    revoked = run_cli(env, tmp_path, "revoke", str(STAFF_ID))
    assert revoked.returncode == 0, revoked.stderr
    mark = api.mark()
    api.push_message(STAFF_ID, "/help")
    api.wait_for_message(STAFF_ID, contains="only for invited staff", since=mark)


def test_the_bot_leaves_groups(api: FakeBotApi, start_bot: Callable[..., BotProcess]) -> None:
    _start_polling(start_bot, api)
    api.push_my_chat_member(-100777, chat_type="supergroup", new_status="member")
    call = api.wait_for(lambda c: c.method.lower() == "leavechat")
    assert call.params["chat_id"] == -100777


def test_a_second_process_on_the_same_sqlite_file_refuses_to_start(
    api: FakeBotApi, start_bot: Callable[..., BotProcess]
) -> None:
    _start_polling(start_bot, api)
    second = start_bot(name="second")
    assert second.wait(timeout=60) == 1
    assert "already using" in second.log_text()


def test_without_a_token_the_bot_says_how_to_get_one(env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli({**env, "TELEGRAM_BOT_TOKEN": ""}, tmp_path, "run")
    assert result.returncode == 1
    assert "@BotFather" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_webhook_requests_without_the_secret_are_refused(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path, start_bot: Callable[..., BotProcess]
) -> None:
    code = _invite(env, tmp_path, "--role", "navigator", "--team", "hospital")
    port = free_port()
    secret = "e2e_webhook_SECRET-123"
    bot = start_bot(
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        WEBHOOK_SECRET=secret,
    )
    api.wait_for(lambda c: c.method.lower() == "setwebhook", timeout=60)
    assert api.webhook_secret == secret
    wait_until(lambda: listening(port))  # registered a moment before it listens

    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": STAFF_ID, "type": "private"},
            "from": {"id": STAFF_ID, "is_bot": False, "first_name": "A"},
            "text": f"/start {code}",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    assert api.deliver_webhook(update, secret=None) == 403
    assert api.deliver_webhook(update, secret="wrong") == 403
    assert api.messages_to(STAFF_ID) == []
    assert _count(tmp_path, "SELECT count(*) FROM staff") == 0

    assert api.deliver_webhook(update) == 200
    api.wait_for_message(STAFF_ID, contains="Welcome")
    bot.stop()
    assert secret not in bot.log_text()
