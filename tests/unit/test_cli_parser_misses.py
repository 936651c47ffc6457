"""`navbot parser-misses` (issue 13.10), called in-process with a real SQLite file."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.contacts.corrections import parse_since_days
from storage.corrections import NewCorrection, create_parser_corrections
from storage.db import create_engine, create_session_factory
from storage.migrate import migrate


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite+aiosqlite:///{tmp_path / 'navbot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


async def _add(url: str, *, days_ago: int, contact_id: int | None, read: str) -> None:
    await migrate(url)
    engine = create_engine(url)
    try:
        async with create_session_factory(engine).begin() as session:
            await create_parser_corrections(
                session,
                corrections=[NewCorrection("setting", read, "community")],
                staff_id=1,
                draft_id=None,
                contact_id=contact_id,
                language="en",
                at=datetime.now(UTC) - timedelta(days=days_ago),
            )
    finally:
        await engine.dispose()


def test_parser_misses_lists_the_commonest_first(
    workdir: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for read in ("hospital", "hospital", "phone"):
        asyncio.run(_add(workdir, days_ago=2, contact_id=None, read=read))
    asyncio.run(_add(workdir, days_ago=60, contact_id=None, read="office"))
    assert main(["parser-misses"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["count", "field", "read", "→", "corrected", "contact", "ids"]
    assert lines[1].split()[:5] == ["2", "setting", "hospital", "→", "community"]
    assert lines[2].split()[:5] == ["1", "setting", "phone", "→", "community"]
    assert len(lines) == 3  # the 60-day-old one is outside the default 30 days
    assert main(["parser-misses", "--since", "9w"]) == 0
    assert "office → community" in capsys.readouterr().out


def test_parser_misses_on_an_empty_database(
    workdir: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["parser-misses", "--since", "7d"]) == 0
    assert capsys.readouterr().out.startswith("no corrections since ")


def test_a_bad_since_is_one_line(workdir: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parser-misses", "--since", "soon"]) == 2
    assert "--since takes a period" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "days"), [("30d", 30), ("8w", 56), ("6m", 180), ("1y", 365), ("14", 14)]
)
def test_since_periods(text: str, days: int) -> None:
    assert parse_since_days(text) == days
