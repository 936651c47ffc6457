"""Alembic: migrations give a schema identical to the models; they only go forward, and an
upgrade of an existing SQLite database keeps a copy of it first."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from storage.db import create_engine
from storage.migrate import (
    DowngradeUnsupported,
    alembic_config,
    head_revision,
    migrate_blocking,
    pre_upgrade_backup_path,
    upgrade_to_head,
)
from storage.models import Base


def _differences(url: str) -> list[object]:
    async def _compare() -> list[object]:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(
                    lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
                )
        finally:
            await engine.dispose()

    return asyncio.run(_compare())


def _tables(url: str) -> set[str]:
    async def _read() -> set[str]:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return set(await connection.run_sync(lambda s: inspect(s).get_table_names()))
        finally:
            await engine.dispose()

    return asyncio.run(_read())


async def _sql(url: str, statement: str, **params: object) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(text(statement), params)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        await engine.dispose()


def _seed_staff_with_an_outbox_row(url: str) -> None:
    """A staff member with a message owed: what a SQLite rebuild of `staff` used to
    cascade away on downgrade."""
    now = datetime(2026, 12, 3, 9, tzinfo=UTC)
    for statement in (
        "INSERT INTO staff (id, telegram_id, role, team, ui_language, confirm_cards, active,"
        " reachable, created_at) VALUES (1, 1, 'navigator', 'hospital', 'en', true, true,"
        " true, :now)",
        "INSERT INTO outbox (dedupe_key, kind, recipient_id, payload, not_before, status,"
        " attempts, created_at) VALUES ('agenda:1', 'agenda', 1, '{}', :now, 'pending', 0, :now)",
    ):
        asyncio.run(_sql(url, statement, now=now))


def _counts(url: str) -> tuple[object, ...]:
    rows = asyncio.run(
        _sql(
            url,
            "SELECT (SELECT count(*) FROM staff), (SELECT count(*) FROM outbox),"
            " (SELECT version_num FROM alembic_version)",
        )
    )
    return rows[0]


def test_migrations_match_the_models(database_url: str) -> None:
    upgrade_to_head(database_url)
    assert _differences(database_url) == []
    assert "contacts" in _tables(database_url)


@pytest.mark.parametrize("target", ["base", "0002", "0005", "-1"])
def test_a_downgrade_is_refused_and_loses_nothing(database_url: str, target: str) -> None:
    """Rolling back is restoring the pre-upgrade backup (README, "Rolling back"): a
    downgrade says so and leaves every row and the schema where they were."""
    upgrade_to_head(database_url)
    _seed_staff_with_an_outbox_row(database_url)
    with pytest.raises(DowngradeUnsupported, match="Rolling back"):
        command.downgrade(alembic_config(database_url), target)
    assert _counts(database_url) == (1, 1, head_revision())
    assert _differences(database_url) == []


def test_an_upgrade_of_an_existing_sqlite_database_backs_it_up_first(tmp_path: Path) -> None:
    database = tmp_path / "navbot.db"
    url = f"sqlite+aiosqlite:///{database}"
    command.upgrade(alembic_config(url), "0012")
    _seed_staff_with_an_outbox_row(url)
    migrate_blocking(url)
    backup = pre_upgrade_backup_path(database, head_revision())
    assert backup.name == f"navbot.db.pre-{head_revision()}.bak"
    assert _counts(f"sqlite+aiosqlite:///{backup}") == (1, 1, "0012")
    assert _counts(url) == (1, 1, head_revision())
    # Nothing pending, nothing copied; a fresh database is not backed up either.
    backup.unlink()
    migrate_blocking(url)
    fresh = tmp_path / "fresh.db"
    migrate_blocking(f"sqlite+aiosqlite:///{fresh}")
    assert sorted(path.name for path in tmp_path.iterdir() if ".bak" in path.name) == []


def test_an_earlier_pre_upgrade_backup_is_kept_not_overwritten(tmp_path: Path) -> None:
    database = tmp_path / "navbot.db"
    url = f"sqlite+aiosqlite:///{database}"
    command.upgrade(alembic_config(url), "0012")
    backup = pre_upgrade_backup_path(database, head_revision())
    backup.write_bytes(b"taken by an earlier try")
    migrate_blocking(url)
    assert backup.read_bytes() == b"taken by an earlier try"
