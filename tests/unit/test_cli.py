"""The `navbot` command, called in-process with a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import TOKEN_MISSING_MESSAGE


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "BOT_USERNAME", "WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'navbot.db'}")
    return tmp_path


def test_run_without_a_token_says_how_to_get_one(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run"]) == 1
    assert capsys.readouterr().err.strip() == TOKEN_MISSING_MESSAGE
    assert "@BotFather" in TOKEN_MISSING_MESSAGE


def test_invite_prints_the_start_line_and_the_deep_link_when_known(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["invite", "--role", "admin", "--team", "Hospital"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("/start ")
    assert "t.me" not in out.out
    assert "admin in team hospital" in out.err
    monkeypatch.setenv("BOT_USERNAME", "navbot_test_bot")
    assert main(["invite", "--role", "navigator", "--team", "hospital", "--name", "Rumi"]) == 0
    lines = capsys.readouterr().out.splitlines()
    code = lines[0].removeprefix("/start ")
    assert lines[1] == f"https://t.me/navbot_test_bot?start={code}"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["invite", "--role", "navigator", "--team", "a b"], "--team takes"),
        (
            ["invite", "--role", "navigator", "--team", "x", "--expires", "1y"],
            "expected a duration",
        ),
        (["revoke", "alice"], "numeric Telegram id"),
        (["revoke", "42"], "no staff member"),
    ],
)
def test_bad_arguments_get_one_clear_line(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_argparse_refuses_unknown_roles(workdir: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["invite", "--role", "wizard", "--team", "x"])
    assert exit_info.value.code == 2


def test_users_lists_staff(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["users"]) == 0
    assert "no staff yet" in capsys.readouterr().out


def test_bad_configuration_is_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIMEZONE", "Nowhere/Land")
    assert main(["users"]) == 2
    assert "TIMEZONE" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["client-export", "Ahmed"], "not a client code"),
        (["client-export", "C404"], "no client C404"),
        (["client-erase", "C404"], "add --yes"),
        (["client-erase", "C404", "--yes"], "no client C404"),
    ],
)
def test_data_requests_refuse_clearly(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err
