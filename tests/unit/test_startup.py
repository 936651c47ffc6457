"""Start-up checks and the outermost scrubbing of stdout and stderr (issue: never print the
token; one clear sentence for every first-run mistake)."""

from __future__ import annotations

import io
import logging
import re
import sys
from pathlib import Path

import pytest

from bot import cli
from bot.config import normalise_database_url
from bot.logging_setup import (
    ScrubbingStream,
    SecretRedactingFilter,
    install_output_scrubbing,
    secret_parts,
)
from bot.startup import StartupProblem, check_api_base_url, check_token_shape

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
SECRET_HALF = TOKEN.split(":")[1]


def test_secret_parts_include_the_half_after_the_colon() -> None:
    assert set(secret_parts(TOKEN)) == {TOKEN, SECRET_HALF}
    assert secret_parts(None) == []
    assert secret_parts("") == []


def test_a_secret_split_across_writes_is_still_scrubbed() -> None:
    target = io.StringIO()
    stream = ScrubbingStream(target, secret_parts(TOKEN))
    stream.write(f"url /bot{TOKEN[:10]}")
    stream.write(f"{TOKEN[10:]}/getMe and %3A{SECRET_HALF[:5]}")
    stream.write(f"{SECRET_HALF[5:]}\n")
    stream.write("partial line without newline")
    stream.flush()
    out = target.getvalue()
    assert TOKEN not in out
    assert SECRET_HALF not in out
    assert out.count("[token]") == 2
    assert out.endswith("partial line without newline")


def test_scrubbing_is_idempotent_and_learns_new_secrets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    install_output_scrubbing(["first-secret-value"])
    install_output_scrubbing(["second-secret-value"])
    assert isinstance(sys.stderr, ScrubbingStream)
    print("a first-secret-value and a second-secret-value", file=sys.stderr)
    sys.stderr.flush()
    err = capsys.readouterr().err
    assert "secret-value" not in err
    assert err.count("[token]") == 2


def test_an_uncaught_exception_printed_by_the_interpreter_is_scrubbed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    install_output_scrubbing(secret_parts(TOKEN))
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected")
    except RuntimeError as error:
        # What the interpreter does with an exception nobody caught, in any thread.
        sys.__excepthook__(type(error), error, error.__traceback__)
    sys.stderr.flush()
    err = capsys.readouterr().err
    assert "RuntimeError: The token `[token]` was rejected" in err
    assert SECRET_HALF not in err


def test_log_records_lose_tracebacks_above_debug_but_keep_the_exception_type() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed with %s", (TOKEN,), None)
    try:
        raise ValueError(TOKEN)
    except ValueError:
        record.exc_info = sys.exc_info()
    SecretRedactingFilter(secret_parts(TOKEN), tracebacks=False).filter(record)
    assert record.getMessage() == "failed with [token] [ValueError]"
    assert record.exc_info is None
    assert record.exc_text is None


def test_log_records_keep_scrubbed_tracebacks_at_debug() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
    try:
        raise ValueError(f"bad {TOKEN}")
    except ValueError:
        record.exc_info = sys.exc_info()
    SecretRedactingFilter(secret_parts(TOKEN), tracebacks=True).filter(record)
    assert record.exc_text is not None
    assert "Traceback" in record.exc_text
    assert SECRET_HALF not in record.exc_text


@pytest.mark.parametrize(
    "token",
    [
        TOKEN,
        "1:" + "A" * 35,
        "5555555555:AA-_" + "x" * 31,
    ],
)
def test_well_formed_tokens_pass(token: str) -> None:
    check_token_shape(token)


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("not-a-token", "does not look like a bot token"),
        ("123456789", "does not look like a bot token"),
        ("abc:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1", "does not look like a bot token"),
        ("123:short", "does not look like a bot token"),
        ("123456789:AAHdqTcvCH1vGWJxf$eofSAs0K5PALDsaw1", "does not look like a bot token"),
        (f"{TOKEN} ", "spaces or quotes"),
        (f" {TOKEN}", "spaces or quotes"),
        (f'"{TOKEN}"', "spaces or quotes"),
        (f"'{TOKEN}", "spaces or quotes"),
    ],
)
def test_malformed_tokens_are_refused_without_echoing_them(token: str, expected: str) -> None:
    with pytest.raises(StartupProblem) as caught:
        check_token_shape(token)
    assert expected in str(caught.value)
    assert SECRET_HALF not in str(caught.value)
    assert token.strip("\"' ") not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("api.telegram.org", "not an http(s) address"),
        ("ftp://api.telegram.org", "not an http(s) address"),
        ("https://api.telegram.org/bot", "ends in /bot"),
        ("https://api.telegram.org/BOT/", "ends in /bot"),
        ("http://127.0.0.1:8081/proxy/bot", "ends in /bot"),
    ],
)
def test_api_base_url_mistakes(url: str, expected: str) -> None:
    with pytest.raises(StartupProblem, match=re.escape(expected)):
        check_api_base_url(url)


@pytest.mark.parametrize(
    "url", ["https://api.telegram.org", "http://127.0.0.1:8081", "https://tg.example/botapi"]
)
def test_api_base_urls_that_are_fine(url: str) -> None:
    check_api_base_url(url)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("sqlite+aiosqlite:///./data/navbot.db", "sqlite+aiosqlite:///./data/navbot.db"),
        ("sqlite:///./data/navbot.db", "sqlite+aiosqlite:///./data/navbot.db"),
        ("postgres://u:p@db:5432/navbot", "postgresql+psycopg://u:p@db:5432/navbot"),
        ("postgresql://u@db/navbot", "postgresql+psycopg://u@db/navbot"),
        ("postgresql+psycopg://u@db/navbot", "postgresql+psycopg://u@db/navbot"),
    ],
)
def test_database_urls_other_tools_write_are_accepted(raw: str, normalised: str) -> None:
    assert normalise_database_url(raw) == normalised


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("notaurl", "not a database URL"),
        ("", "not a database URL"),
        ("mysql://u@db/navbot", "mysql is not supported"),
        ("postgresql+asyncpg://u@db/navbot", "postgresql+asyncpg is not supported"),
    ],
)
def test_database_urls_we_cannot_use_are_refused(raw: str, expected: str) -> None:
    with pytest.raises(ValueError, match=re.escape(expected)):
        normalise_database_url(raw)


def test_an_unexpected_error_is_one_sentence_without_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)

    def explode(_args: object) -> int:
        raise RuntimeError(f"something went wrong with {TOKEN}")

    monkeypatch.setattr(cli, "_dispatch", explode)
    assert cli.main(["users"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        "navbot: stopped by an unexpected RuntimeError; "
        "run again with LOG_LEVEL=DEBUG for the details."
    )


def test_ctrl_c_during_start_up_exits_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)

    def interrupted(_args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_dispatch", interrupted)
    assert cli.main(["users"]) == 130
    assert capsys.readouterr().err == ""
