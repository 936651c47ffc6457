"""`navbot parse`: what the bot reads, as JSON, with no database and no token (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main

KEYS = {
    "client",
    "setting",
    "outcome",
    "services",
    "risks",
    "follow_up",
    "occurred_at",
    "language",
    "note",
    "questions",
}


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No token, and a database URL that cannot be opened: parse must not need either."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:////nonexistent/dir/navbot.db")
    return tmp_path


def test_parse_prints_the_fields_as_json(nowhere: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "C123 seen in ED after assault, referred to CGL, knife, FU fri 3pm, call 07700 900123"
    assert main(["parse", text, "--now", "2026-12-03T10:30:00+00:00"]) == 0
    fields = json.loads(capsys.readouterr().out)
    assert set(fields) == KEYS
    assert fields["client"] == "C123"
    assert fields["setting"] == "hospital"
    assert fields["outcome"] == "made"
    assert fields["services"] == {"drug_treatment": "referred"}
    assert fields["risks"] == ["violence", "weapon"]
    assert fields["follow_up"] == {"kind": "stated", "at": "2026-12-04T15:00"}
    assert fields["occurred_at"] == "2026-12-03T10:30"
    assert "07700" not in fields["note"]
    assert fields["questions"] == []
    assert not (nowhere / "navbot.db").exists()


def test_parse_reads_now_in_the_given_zone(
    nowhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 23:30 UTC on 31 July is 00:30 on 1 August in London (BST): "tomorrow" is 2 August.
    args = ["parse", "C1 FU tomorrow", "--now", "2026-07-31T23:30:00+00:00"]
    assert main([*args, "--tz", "Europe/London"]) == 0
    assert json.loads(capsys.readouterr().out)["follow_up"]["at"] == "2026-08-02T09:00"
    assert main([*args, "--tz", "UTC"]) == 0
    assert json.loads(capsys.readouterr().out)["follow_up"]["at"] == "2026-08-01T09:00"


def test_parse_asks_about_a_follow_up_in_the_past(
    nowhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["parse", "C138 follow up yesterday", "--now", "2026-12-03T10:30"]) == 0
    fields = json.loads(capsys.readouterr().out)
    assert fields["follow_up"] == {"kind": "question", "at": None}
    assert fields["questions"] == ["follow_up"]
    assert fields["occurred_at"] == "2026-12-03T10:30"  # the contact was not yesterday


def test_parse_jsonl_answers_each_line_in_order(
    nowhere: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        "C1 rang, no answer\n"
        "\n"
        + json.dumps({"text": "C2 বাড়িতে দেখা, কাল আবার যাব", "now": "2026-12-03T10:30:00+00:00"})
        + "\n"
        + "{not json\n",
        encoding="utf-8",
    )
    assert main(["parse", "--jsonl", str(source), "--now", "2026-12-03T10:30"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 4
    assert lines[0]["client"] == "C1"
    assert lines[0]["outcome"] == "attempted"
    assert lines[1] == {}
    assert lines[2]["setting"] == "home"
    assert lines[2]["follow_up"] == {"kind": "stated", "at": "2026-12-04T09:00"}
    assert "error" in lines[3]


@pytest.mark.parametrize(
    "args",
    [
        ["parse"],
        ["parse", "C1 seen", "--jsonl", "x.jsonl"],
        ["parse", "C1 seen", "--tz", "Mars/Olympus"],
        ["parse", "C1 seen", "--now", "last tuesday"],
        ["parse", "--jsonl", "missing.jsonl"],
    ],
)
def test_parse_refuses_bad_arguments_in_one_line(
    nowhere: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("navbot: ")
    assert len(err.strip().splitlines()) == 1
