"""Backing up and restoring the database: SQLite through its online backup API, PostgreSQL
through `pg_dump` and `pg_restore`.

Blocking functions (files and subprocesses); the CLI calls them outside any event loop. They
never take the single-instance lock themselves (that lives in `bot`): the caller does, so a
restore cannot race a bot that is starting.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, make_url

from storage.db import POSTGRES_APPLICATION_NAME
from storage.migrate import DatabaseProblem, SchemaNewerThanCode, alembic_config, head_revision
from storage.sqlite_files import (
    copy_sqlite_database,
    fsync_directory,
    open_sqlite,
    sqlite_sidecars,
)

README_BACKUPS = "the README's 'Backups' section"


class BackupProblem(DatabaseProblem):
    """A backup or restore that cannot go ahead; `str()` is one sentence saying why."""


@dataclass(frozen=True)
class RestoreResult:
    revision: str
    kept_previous: Path | None  # the replaced SQLite database, kept beside it


def _timestamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


# --- SQLite ------------------------------------------------------------------------------


def backup_sqlite(database: Path, target: Path, *, overwrite: bool = False) -> str:
    """Copy `database` to `target` while a bot may be running and writing
    (`copy_sqlite_database`), check the copy, and return the schema revision it holds."""
    if not database.is_file():
        raise BackupProblem(f"there is no SQLite database at {database} to back up.")
    _check_target(target, overwrite=overwrite)
    try:
        copy_sqlite_database(database, target)
        with open_sqlite(target) as copy:
            return _check_navbot_database(copy, described=str(database))
    except sqlite3.Error as error:
        raise BackupProblem(f"could not back up {database} to {target} ({error}).") from None


def _check_target(target: Path, *, overwrite: bool) -> None:
    if target.is_dir():
        raise BackupProblem(f"{target} is a folder: give the backup file's name.")
    if target.exists() and not overwrite:
        raise BackupProblem(f"{target} already exists: choose another name, or add --force.")
    if not target.parent.is_dir():
        raise BackupProblem(f"the folder {target.parent} does not exist.")


def restore_sqlite(source: Path, database: Path, *, now: datetime | None = None) -> RestoreResult:
    """Replace `database` with the backup `source`. The caller holds the single-instance lock.

    The backup is first copied beside the database and checked there (a SQLite file, intact,
    a navbot schema this code knows); only then is the current database copied aside to
    `<db>.before-restore-<time>` (through the backup API, so what sat in its -wal is kept),
    its -wal and -shm removed (SQLite would otherwise replay the old log over the restored
    file) and the checked copy renamed into place.
    """
    if not source.is_file():
        raise BackupProblem(f"there is no backup file at {source}.")
    database.parent.mkdir(parents=True, exist_ok=True)
    staged = database.with_name(f".{database.name}.restoring")
    kept: Path | None = None
    try:
        copy_sqlite_database(source, staged)
        with open_sqlite(staged) as copy:
            revision = _check_navbot_database(copy, described=str(source))
        _refuse_newer_schema(revision, described=str(source))
        if database.exists():
            kept = database.with_name(f"{database.name}.before-restore-{_timestamp(now)}")
            copy_sqlite_database(database, kept)
        for leftover in sqlite_sidecars(database):
            leftover.unlink(missing_ok=True)
        os.replace(staged, database)
        fsync_directory(database.parent)
    except sqlite3.DatabaseError as error:
        raise BackupProblem(f"{source} is not a SQLite database ({error}).") from None
    finally:
        staged.unlink(missing_ok=True)
    return RestoreResult(revision=revision, kept_previous=kept)


def _check_navbot_database(connection: sqlite3.Connection, *, described: str) -> str:
    """The schema revision of a navbot database; a `BackupProblem` for anything else."""
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError:
        raise BackupProblem(f"{described} is not a SQLite database.") from None
    if verdict != [("ok",)]:
        raise BackupProblem(f"{described} is damaged (SQLite's integrity check failed).")
    try:
        rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.OperationalError:
        rows = []
    if len(rows) != 1:
        raise BackupProblem(f"{described} is not a navbot database (no schema revision in it).")
    return str(rows[0][0])


def _refuse_newer_schema(revision: str, *, described: str) -> None:
    known = {
        script.revision
        for script in ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions()
    }
    if revision not in known:
        raise SchemaNewerThanCode(
            f"{described} holds schema revision {revision}, newer than this version of navbot "
            f"(revision {head_revision()}): restore it with the navbot version that made it."
        )


# --- PostgreSQL ----------------------------------------------------------------------------


def postgres_environment(database_url: str, *, application_name: str) -> dict[str, str]:
    """libpq's environment for the server in `database_url`: the password goes to
    PGPASSWORD, never onto a command line other users can read in `ps`."""
    url = make_url(database_url)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    values = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password if isinstance(url.password, str) else None,
        "PGDATABASE": url.database,
        "PGAPPNAME": application_name,
        "PGSSLMODE": _query_value(url, "sslmode"),
    }
    env.update({key: value for key, value in values.items() if value})
    return env


def _query_value(url: URL, key: str) -> str | None:
    value = url.query.get(key)
    if isinstance(value, tuple):
        return value[0] if value else None
    return value


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupProblem(
            f"{name} is not installed (it comes with PostgreSQL's client tools, e.g. the "
            f"postgresql-client package): install it, or follow {README_BACKUPS}."
        )
    return found


def _run_tool(
    command: list[str], env: dict[str, str], what: str
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no detail"])[-1][:200]
        raise BackupProblem(f"{what} failed: {detail}")
    return result


def backup_postgres(database_url: str, target: Path, *, overwrite: bool = False) -> None:
    """`pg_dump --format=custom` of the whole database into `target` (written beside it,
    then renamed). pg_dump reads in one snapshot, so a running bot does not disturb it."""
    _check_target(target, overwrite=overwrite)
    pg_dump = _tool("pg_dump")
    partial = target.with_name(f".{target.name}.partial")
    env = postgres_environment(database_url, application_name="navbot-backup")
    try:
        _run_tool([pg_dump, "--format=custom", "--no-owner", f"--file={partial}"], env, "pg_dump")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def dump_revision(dump: Path) -> str:
    """The schema revision stored in a `pg_dump --format=custom` file of a navbot database."""
    pg_restore = _tool("pg_restore")
    result = subprocess.run(
        [pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(dump)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupProblem(f"{dump} is not a pg_dump archive (pg_dump --format=custom).")
    lines = result.stdout.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and index + 1 < len(lines):
            revision = lines[index + 1].strip()
            if revision and revision != "\\.":
                return revision
    raise BackupProblem(f"{dump} is not a dump of a navbot database (no schema revision in it).")


def other_navbot_connections(database_url: str) -> int:
    """Connections of running navbot processes (not this one) to the database."""
    import psycopg

    url = make_url(database_url).set(drivername="postgresql")
    with psycopg.connect(
        url.render_as_string(hide_password=False), application_name="navbot-restore"
    ) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND application_name = %s AND pid <> pg_backend_pid()",
            (POSTGRES_APPLICATION_NAME,),
        ).fetchone()
    return int(row[0]) if row else 0


def restore_postgres(database_url: str, source: Path) -> RestoreResult:
    """Replace the database's contents with the dump `source`, in one transaction, refusing
    while a navbot process is connected to it."""
    if not source.is_file():
        raise BackupProblem(f"there is no backup file at {source}.")
    revision = dump_revision(source)
    _refuse_newer_schema(revision, described=str(source))
    busy = other_navbot_connections(database_url)
    if busy:
        raise BackupProblem(
            f"{busy} navbot connection(s) are open to the database: stop every navbot "
            "process first, then restore."
        )
    env = postgres_environment(database_url, application_name="navbot-restore")
    _run_tool(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={env.get('PGDATABASE', '')}",
            str(source),
        ],
        env,
        "pg_restore",
    )
    return RestoreResult(revision=revision, kept_previous=None)
