"""Alembic: upgrade, downgrade and upgrade again leave a schema identical to the models."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from storage.db import create_engine
from storage.migrate import alembic_config, upgrade_to_head
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


def test_migrations_match_the_models_and_round_trip(database_url: str) -> None:
    upgrade_to_head(database_url)
    assert _differences(database_url) == []
    command.downgrade(alembic_config(database_url), "base")
    assert _tables(database_url) <= {"alembic_version"}
    upgrade_to_head(database_url)
    assert "contacts" in _tables(database_url)
    assert _differences(database_url) == []
