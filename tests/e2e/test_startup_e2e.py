"""First-run mistakes, as a new admin meets them: the real `navbot run` against the fake Bot
API answering 401, 404 or nothing. Each gives one or two lines that say what to fix, a
non-zero exit, no traceback, and never the token (nor its secret half) in any byte."""

from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.botprocess import E2E_TOKEN, BotProcess, navbot_command
from tests.e2e.helpers import free_port, listening, wait_until
from tests.fakebotapi import FakeBotApi

SECRET_HALF = E2E_TOKEN.split(":", 1)[1]
OTHER_TOKEN = "555666:AAother-token-that-telegram-does-not-know-42"


def _run(
    env: dict[str, str], workdir: Path, timeout: float = 60
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*navbot_command(), "run"],
        env=env,
        cwd=workdir,
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def _assert_clear_failure(
    result: subprocess.CompletedProcess[bytes], *sentence_parts: str, secrets: tuple[str, ...]
) -> str:
    output = result.stdout + result.stderr
    for secret in secrets:
        assert secret.encode() not in output, "a secret reached stdout or stderr"
    text = output.decode("utf-8", errors="replace")
    assert result.returncode != 0, text
    assert "Traceback" not in text, text
    lines = [line for line in text.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 2, text
    message = lines[-1]
    assert message.startswith("navbot: "), text
    for part in sentence_parts:
        assert part in message, text
    return message


@pytest.fixture
def quiet_env(env: dict[str, str]) -> dict[str, str]:
    """The environment at the default log level, as an admin runs the bot."""
    return {**env, "LOG_LEVEL": "INFO"}


@pytest.fixture
def closed_port() -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        yield probe.getsockname()[1]  # nothing listens: connections are refused


def test_a_rejected_token_is_one_sentence_without_the_token(
    api: FakeBotApi, quiet_env: dict[str, str], tmp_path: Path
) -> None:
    # The fake knows E2E_TOKEN only: this well-formed token gets 401, as from Telegram.
    result = _run({**quiet_env, "TELEGRAM_BOT_TOKEN": OTHER_TOKEN}, tmp_path)
    assert result.returncode == 1
    _assert_clear_failure(
        result,
        "rejected TELEGRAM_BOT_TOKEN",
        "@BotFather",
        secrets=(OTHER_TOKEN, OTHER_TOKEN.split(":")[1]),
    )


def test_a_rejected_token_at_debug_level_still_never_shows_it(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path
) -> None:
    result = _run({**env, "TELEGRAM_BOT_TOKEN": OTHER_TOKEN, "LOG_LEVEL": "DEBUG"}, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert OTHER_TOKEN.encode() not in output
    assert OTHER_TOKEN.split(":")[1].encode() not in output
    assert b"rejected TELEGRAM_BOT_TOKEN" in output


def test_token_rejected_by_telegram_during_ptb_start_up_is_the_same_sentence(
    api: FakeBotApi, quiet_env: dict[str, str], tmp_path: Path
) -> None:
    """Our own check passes, then PTB's getMe is refused (the token revoked in between):
    the shutdown hooks must cope with a start-up that never created the database engine."""
    api.delay_next("getMe", 0)  # the first getMe (ours) is answered normally
    api.fail_next("getMe", status=401, description="Unauthorized")
    result = _run(quiet_env, tmp_path)
    assert result.returncode == 1
    message = _assert_clear_failure(
        result, "rejected TELEGRAM_BOT_TOKEN", secrets=(E2E_TOKEN, SECRET_HALF)
    )
    assert "AttributeError" not in message


def test_a_wrong_api_base_url_says_it_is_not_a_bot_api_server(
    api: FakeBotApi, quiet_env: dict[str, str], tmp_path: Path
) -> None:
    base = f"{api.base_url}/telegram-api"  # a server that answers, but not the Bot API: 404
    result = _run({**quiet_env, "TELEGRAM_API_BASE_URL": base}, tmp_path)
    assert result.returncode == 1
    _assert_clear_failure(
        result, "TELEGRAM_API_BASE_URL", "not a Bot API server", secrets=(E2E_TOKEN, SECRET_HALF)
    )


def test_a_base_url_with_a_stray_bot_suffix_is_refused_before_any_request(
    api: FakeBotApi, quiet_env: dict[str, str], tmp_path: Path
) -> None:
    result = _run({**quiet_env, "TELEGRAM_API_BASE_URL": f"{api.base_url}/bot"}, tmp_path)
    assert result.returncode == 1
    _assert_clear_failure(result, "ends in /bot", secrets=(E2E_TOKEN, SECRET_HALF))
    assert api.sent() == []


@pytest.mark.parametrize(
    ("base_url", "reason"),
    [
        ("refused", "connection refused"),
        ("http://navbot-test-host.invalid", "does not resolve"),
    ],
)
def test_telegram_unreachable_is_one_sentence_after_a_short_retry(
    quiet_env: dict[str, str], tmp_path: Path, closed_port: int, base_url: str, reason: str
) -> None:
    if base_url == "refused":
        base_url = f"http://127.0.0.1:{closed_port}"
    started = time.monotonic()
    result = _run({**quiet_env, "TELEGRAM_API_BASE_URL": base_url}, tmp_path)
    assert result.returncode == 1
    message = _assert_clear_failure(
        result, "Telegram is unreachable", "3 tries", secrets=(E2E_TOKEN, SECRET_HALF)
    )
    assert reason in message or "unreachable" in message
    assert time.monotonic() - started < 45


def test_telegram_not_answering_at_all_times_out_into_one_sentence(
    api: FakeBotApi, quiet_env: dict[str, str], tmp_path: Path
) -> None:
    api.hang_next("getMe", times=10)
    result = _run(quiet_env, tmp_path)
    assert result.returncode == 1
    message = _assert_clear_failure(
        result, "Telegram is unreachable", secrets=(E2E_TOKEN, SECRET_HALF)
    )
    assert "no answer" in message
    assert len(api.hung) == 3  # bounded: three tries, then the sentence


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("not-a-token", "does not look like a bot token"),
        ("987654:short", "does not look like a bot token"),
        (f"{E2E_TOKEN} ", "spaces or quotes"),
        (f"'{E2E_TOKEN}'", "spaces or quotes"),
    ],
)
def test_a_malformed_token_is_refused_locally(
    api: FakeBotApi, quiet_env: dict[str, str], tmp_path: Path, token: str, expected: str
) -> None:
    result = _run({**quiet_env, "TELEGRAM_BOT_TOKEN": token}, tmp_path)
    assert result.returncode == 1
    _assert_clear_failure(result, expected, secrets=(token.strip(" '"), "short", SECRET_HALF))
    assert api.sent() == []  # checked before any request


def test_a_quoted_token_with_a_trailing_space_in_dotenv_is_refused(
    api: FakeBotApi, quiet_env: dict[str, str], tmp_path: Path
) -> None:
    env = {key: value for key, value in quiet_env.items() if key != "TELEGRAM_BOT_TOKEN"}
    (tmp_path / ".env").write_text(f'TELEGRAM_BOT_TOKEN="{E2E_TOKEN} "\n', encoding="utf-8")
    result = _run(env, tmp_path)
    assert result.returncode == 1
    _assert_clear_failure(result, "spaces or quotes", secrets=(E2E_TOKEN, SECRET_HALF))


def test_an_unparseable_database_url_is_one_line(
    api: FakeBotApi, quiet_env: dict[str, str], tmp_path: Path
) -> None:
    result = _run({**quiet_env, "DATABASE_URL": "notaurl"}, tmp_path)
    assert result.returncode == 2
    _assert_clear_failure(
        result, "DATABASE_URL", "not a database URL", secrets=(E2E_TOKEN, SECRET_HALF)
    )


def test_an_unreachable_database_is_one_line_without_its_password(
    api: FakeBotApi, quiet_env: dict[str, str], tmp_path: Path, closed_port: int
) -> None:
    url = f"postgresql+psycopg://navbot:db-password-123@127.0.0.1:{closed_port}/navbot"
    result = _run({**quiet_env, "DATABASE_URL": url}, tmp_path)
    assert result.returncode == 1
    _assert_clear_failure(
        result,
        "cannot use the postgresql database navbot",
        "DATABASE_URL",
        secrets=(E2E_TOKEN, SECRET_HALF, "db-password-123"),
    )


def test_a_database_migrated_by_a_newer_version_is_refused(
    api: FakeBotApi, quiet_env: dict[str, str], tmp_path: Path
) -> None:
    with sqlite3.connect(tmp_path / "navbot.db") as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        connection.execute("INSERT INTO alembic_version VALUES ('0099_from_the_future')")
    result = _run(quiet_env, tmp_path)
    assert result.returncode == 1
    _assert_clear_failure(
        result, "newer than this version", "0099_from_the_future", secrets=(E2E_TOKEN,)
    )
    with sqlite3.connect(tmp_path / "navbot.db") as connection:
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master")
            if not row[0].startswith("sqlite_")
        }
    assert tables == {"alembic_version"}, "nothing may be migrated on a newer schema"


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_bot_within_ten_seconds_while_telegram_hangs(
    api: FakeBotApi, quiet_env: dict[str, str], tmp_path: Path, stop_signal: signal.Signals
) -> None:
    bot = BotProcess(quiet_env, tmp_path).start()
    try:
        api.wait_until_polling(timeout=60)
        for method in ("getUpdates", "sendMessage", "deleteWebhook", "getMe", "close"):
            api.hang_next(method, times=50)  # from now on Telegram answers nothing
        api.wait_for(lambda call: call.fault == "hung", timeout=60)
        assert bot.process is not None
        bot.process.send_signal(stop_signal)
        started = time.monotonic()
        code = bot.process.wait(timeout=30)
        assert time.monotonic() - started < 10
        assert code == 0
    finally:
        bot.kill()
    log = bot.log_text()
    assert E2E_TOKEN not in log
    assert SECRET_HALF not in log
    assert "Traceback" not in log


def test_a_webhook_port_in_use_is_one_sentence(
    api: FakeBotApi, quiet_env: dict[str, str], tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            **quiet_env,
            "WEBHOOK_URL": "https://navbot.example/telegram",
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
        }
        result = _run(env, tmp_path)
    assert result.returncode == 1
    _assert_clear_failure(
        result, f"cannot listen for webhooks on 127.0.0.1:{port}", secrets=(E2E_TOKEN, SECRET_HALF)
    )


def test_webhook_mode_on_postgresql_without_a_shared_secret_is_one_sentence(
    api: FakeBotApi, quiet_env: dict[str, str], tmp_path: Path, closed_port: int
) -> None:
    env = {
        **quiet_env,
        "DATABASE_URL": f"postgresql+psycopg://navbot:pw@127.0.0.1:{closed_port}/navbot",
        "WEBHOOK_URL": "https://navbot.council.example/telegram",
    }
    result = _run(env, tmp_path)
    assert result.returncode == 1
    _assert_clear_failure(
        result,
        "WEBHOOK_SECRET is required in webhook mode with PostgreSQL",
        secrets=(E2E_TOKEN, SECRET_HALF),
    )
    assert api.sent("setWebhook") == []


def test_a_signal_stops_the_webhook_bot_within_ten_seconds_while_telegram_hangs(
    api: FakeBotApi, quiet_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **quiet_env,
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "WEBHOOK_PORT": str(port),
        "WEBHOOK_SECRET": "webhook_secret_e2e",
    }
    bot = BotProcess(env, tmp_path).start()
    try:
        api.wait_for(lambda c: c.method.lower() == "setwebhook", timeout=60)
        wait_until(lambda: listening(port))
        for method in ("sendMessage", "getWebhookInfo", "getMe", "close", "setMyCommands"):
            api.hang_next(method, times=50)  # from now on Telegram answers nothing
        # A stranger's message: the refusal's sendMessage hangs with the update in flight.
        api.push_message(4249001, "/help")
        api.wait_for(lambda call: call.fault == "hung", timeout=60)
        assert bot.process is not None
        bot.process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        code = bot.process.wait(timeout=30)
        assert time.monotonic() - started < 10
        assert code == 0
    finally:
        bot.kill()
    log = bot.log_text()
    assert "webhook_secret_e2e" not in log
    assert "Traceback" not in log
