"""Applying Alembic migrations from code (start-up, CLI and tests)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine, sqlite_path
from storage.sqlite_files import copy_sqlite_database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

log = logging.getLogger(__name__)


class DatabaseProblem(Exception):
    """The database cannot be used as configured; `str()` is one sentence saying what to fix,
    with no password and no traceback."""


class SchemaNewerThanCode(DatabaseProblem):
    """The database was migrated by a newer navbot (a downgrade of the code, not the data)."""


class DowngradeUnsupported(DatabaseProblem):
    """Migrations only go forward: a downgrade that rebuilds a table on SQLite cascades
    deletes into every table referencing it, so rolling back means restoring the backup
    taken before the upgrade (README, "Rolling back")."""

    def __init__(self, revision: str) -> None:
        super().__init__(
            f"migration {revision} cannot be undone in place: downgrades are not supported. "
            "To roll back, reinstall the older navbot and `navbot restore` the backup taken "
            "before the upgrade (README, 'Rolling back')."
        )


def refuse_downgrade(revision: str) -> None:
    """The whole body of every migration's `downgrade()`."""
    raise DowngradeUnsupported(revision)


def pre_upgrade_backup_path(database: Path, revision: str) -> Path:
    """Where the database is kept as it was before being upgraded to `revision`: the file
    `navbot restore` takes to roll back."""
    return database.with_name(f"{database.name}.pre-{revision}.bak")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def describe_database(database_url: str) -> str:
    """Where the database is, for messages: host, port and name, or the file; no password."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return f"SQLite file {url.database}"
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    return f"{url.get_backend_name()} database {url.database or ''!s} on {where}"


def head_revision() -> str:
    return str(ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head())


def current_revisions(connection: Connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(connection).get_current_heads())


def _refuse_unknown_revisions(connection: Connection, config: Config) -> None:
    """A revision this code does not know means a newer navbot migrated the database; running
    on it would misread tables the older code never saw. Refuse before touching anything."""
    script = ScriptDirectory.from_config(config)
    known = {revision.revision for revision in script.walk_revisions()}
    unknown = [revision for revision in current_revisions(connection) if revision not in known]
    if unknown:
        raise SchemaNewerThanCode(
            f"the database's schema (revision {', '.join(unknown)}) is newer than this version "
            f"of navbot (revision {script.get_current_head()}): run the newer navbot again, or "
            "restore a backup taken before the upgrade."
        )


def upgrade_to_head(database_url: str) -> None:
    """Blocking: bring the schema up to date. Call from sync code or via `asyncio.to_thread`."""
    command.upgrade(alembic_config(database_url), "head")


async def upgrade_engine_to_head(engine: AsyncEngine) -> None:
    """Migrate over an existing async engine (used where an event loop is already running)."""

    def _upgrade(connection: Connection) -> None:
        config = alembic_config(str(engine.url))
        _refuse_unknown_revisions(connection, config)
        before = current_revisions(connection)
        head = ScriptDirectory.from_config(config).get_current_head()
        if before and before != (head,):
            _back_up_before_upgrade(str(engine.url), head)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        after = current_revisions(connection)
        if before and before != after:  # a new database is not news; an upgrade is
            log.info("database schema upgraded from %s to %s", ",".join(before), ",".join(after))

    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


def _back_up_before_upgrade(database_url: str, head: str | None) -> None:
    """An existing SQLite database is copied before migrations change it, so that rolling
    back is `navbot restore` of that copy. It runs inside the migration's write transaction:
    nothing changes between the copy and the upgrade. A copy already there was taken before
    an earlier try at the same upgrade and is as good; it is kept, not overwritten.
    PostgreSQL is backed up with pg_dump by the admin (README, "Upgrading")."""
    database = sqlite_path(database_url)
    if database is None or head is None:
        return
    target = pre_upgrade_backup_path(database, head)
    if target.exists():
        log.info("keeping the earlier pre-upgrade backup %s", target)
        return
    try:
        copy_sqlite_database(database, target)
    except (sqlite3.Error, OSError) as error:
        raise DatabaseProblem(
            f"could not back up {database} to {target} before upgrading it ({error}): "
            "free some space or fix the folder's permissions; nothing was changed."
        ) from None
    log.info("backed up the database to %s before upgrading it to %s", target, head)


async def migrate(database_url: str) -> None:
    """Bring the schema to head; a database that cannot be reached or used is a
    `DatabaseProblem` naming it (never its password)."""
    try:
        engine = create_engine(database_url)
    except OSError as error:  # the SQLite file's folder cannot be created
        raise _unusable_file(database_url, error) from error
    try:
        await upgrade_engine_to_head(engine)
    except (sa_exc.OperationalError, sa_exc.InterfaceError) as error:
        raise DatabaseProblem(
            f"cannot use the {describe_database(database_url)} ({_first_line(error.orig)}): "
            "check DATABASE_URL and that the database server is running and reachable."
        ) from error
    except OSError as error:
        raise _unusable_file(database_url, error) from error
    finally:
        await engine.dispose()


def _unusable_file(database_url: str, error: OSError) -> DatabaseProblem:
    return DatabaseProblem(
        f"cannot open the {describe_database(database_url)} ({error.strerror or error}): "
        "check DATABASE_URL and the folder's permissions."
    )


def migrate_blocking(database_url: str) -> None:
    asyncio.run(migrate(database_url))


def _first_line(error: BaseException | None) -> str:
    text = str(error or "").strip().splitlines()
    return text[0][:160] if text else "no detail"
