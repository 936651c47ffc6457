"""Applying Alembic migrations from code (start-up, CLI and tests)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_to_head(database_url: str) -> None:
    """Blocking: bring the schema up to date. Call from sync code or via `asyncio.to_thread`."""
    command.upgrade(alembic_config(database_url), "head")


async def upgrade_engine_to_head(engine: AsyncEngine) -> None:
    """Migrate over an existing async engine (used where an event loop is already running)."""

    def _upgrade(connection: object) -> None:
        config = alembic_config(str(engine.url))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


async def migrate(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade_engine_to_head(engine)
    finally:
        await engine.dispose()


def migrate_blocking(database_url: str) -> None:
    asyncio.run(migrate(database_url))
