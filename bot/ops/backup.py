"""`navbot backup` and `navbot restore`: which backend, and the lock that keeps a bot from
starting on a SQLite database while it is being replaced."""

from __future__ import annotations

from pathlib import Path

from bot.single_instance import AlreadyRunning, SingleInstanceLock
from storage.backup import (
    BackupProblem,
    RestoreResult,
    backup_postgres,
    backup_sqlite,
    restore_postgres,
    restore_sqlite,
)
from storage.db import sqlite_path


def back_up(database_url: str, target: Path, *, overwrite: bool = False) -> str | None:
    """A consistent copy of the database in `target`, taken while the bot may be running;
    the schema revision it holds when that is known without reading the copy back."""
    database = sqlite_path(database_url)
    if database is not None:
        return backup_sqlite(database, target, overwrite=overwrite)
    if database_url.startswith("postgresql"):
        backup_postgres(database_url, target, overwrite=overwrite)
        return None
    raise BackupProblem("navbot backs up a SQLite file or a PostgreSQL database only.")


def restore(database_url: str, source: Path) -> RestoreResult:
    """Replace the database with the backup `source`, refusing while a bot uses it."""
    database = sqlite_path(database_url)
    if database is None:
        if database_url.startswith("postgresql"):
            return restore_postgres(database_url, source)
        raise BackupProblem("navbot restores a SQLite file or a PostgreSQL database only.")
    # Held for the whole restore: a bot started meanwhile refuses to start, as one running
    # now makes the restore refuse.
    lock = SingleInstanceLock(database)
    try:
        lock.acquire()
    except AlreadyRunning:
        raise BackupProblem(
            f"a navbot process is running on {database}: stop it first (e.g. "
            "`systemctl stop navbot`), then restore."
        ) from None
    try:
        return restore_sqlite(source, database)
    finally:
        lock.release()
