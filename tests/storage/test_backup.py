"""`navbot backup` and `navbot restore` against real databases: a SQLite file written to while
it is copied, and a scratch PostgreSQL database per test (NAVBOT_TEST_POSTGRES_URL)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cli import main
from bot.ops.backup import back_up, restore
from bot.single_instance import SingleInstanceLock
from storage.backup import BackupProblem, postgres_environment
from storage.db import create_engine
from storage.migrate import SchemaNewerThanCode, head_revision, migrate, migrate_blocking

# --- SQLite --------------------------------------------------------------------------------


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "navbot.db"
    migrate_blocking(f"sqlite+aiosqlite:///{path}")
    return path


def _url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _write(path: Path, *keys: str) -> None:
    with sqlite3.connect(path) as connection:
        connection.executemany(
            "INSERT INTO app_state (key, value) VALUES (?, 'x')", [(key,) for key in keys]
        )
    connection.close()


def _keys(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT key FROM app_state ORDER BY key")]
    finally:
        connection.close()


@pytest.fixture
def busy_writer(database: Path) -> Iterator[Callable[[], None]]:
    """A row written before, then another connection inserting a row at a time, as the
    running bot would, in WAL mode (set by the bot's engine) and well under way when the
    test starts; call the function given to stop it."""
    _write(database, "before")
    stop, under_way = threading.Event(), threading.Event()

    def write() -> None:
        connection = sqlite3.connect(database, isolation_level=None, timeout=10)
        try:
            number = 0
            while not stop.is_set():
                number += 1
                connection.execute(
                    "INSERT INTO app_state (key, value) VALUES (?, 'w')", (f"w{number:06}",)
                )
                if number == 50:
                    under_way.set()
                time.sleep(0.0005)  # a bot's pace, and the other tests' share of the CPU
        finally:
            connection.close()

    writer = threading.Thread(target=write)

    def stop_writing() -> None:
        stop.set()
        writer.join()

    writer.start()
    try:
        assert under_way.wait(timeout=30)
        yield stop_writing
    finally:
        stop_writing()


def test_a_backup_taken_during_writes_restores_to_the_moment_it_was_taken(
    database: Path, tmp_path: Path, busy_writer: Callable[[], None]
) -> None:
    target = tmp_path / "backup.db"
    assert back_up(_url(database), target) == head_revision()
    at_backup = _keys(target)
    busy_writer()
    after = _keys(database)
    assert "before" in at_backup
    assert len(after) > len(at_backup)
    # The copy is one moment of the writer's sequence: no gap, whatever was committed then.
    written = [key for key in at_backup if key.startswith("w")]
    assert written == [f"w{n:06}" for n in range(1, len(written) + 1)]
    assert not Path(f"{target}-wal").exists()  # one self-contained file

    result = restore(_url(database), target)
    assert _keys(database) == at_backup
    assert result.revision == head_revision()
    assert result.kept_previous is not None
    assert result.kept_previous.name.startswith("navbot.db.before-restore-")
    assert _keys(result.kept_previous) == after
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    connection.close()
    migrate_blocking(_url(database))  # the bot starts on it as on any database


def test_restore_drops_the_replaced_databases_write_ahead_log(
    database: Path, tmp_path: Path
) -> None:
    """A bot that crashed leaves committed rows in `-wal`: they go into the kept copy, and
    are never replayed over the restored file."""
    target = tmp_path / "backup.db"
    back_up(_url(database), target)
    crash = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA wal_autocheckpoint=0')\n"
        "c.execute(\"INSERT INTO app_state (key, value) VALUES ('in-wal', 'x')\")\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", crash, str(database)], check=True)
    assert Path(f"{database}-wal").stat().st_size > 0

    result = restore(_url(database), target)
    assert not Path(f"{database}-wal").exists()
    assert "in-wal" not in _keys(database)
    assert result.kept_previous is not None
    assert "in-wal" in _keys(result.kept_previous)


def test_restore_refuses_while_a_bot_runs_and_a_bot_cannot_start_during_one(
    database: Path, tmp_path: Path
) -> None:
    target = tmp_path / "backup.db"
    back_up(_url(database), target)
    running_bot = SingleInstanceLock(database)
    running_bot.acquire()
    try:
        with pytest.raises(BackupProblem, match="a navbot process is running"):
            restore(_url(database), target)
    finally:
        running_bot.release()
    assert not list(database.parent.glob("*.before-restore-*"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a database at all, just text" * 200, "is not a SQLite database"),
        (None, "is not a navbot database"),
    ],
)
def test_restore_refuses_a_file_that_is_not_a_navbot_database(
    database: Path, tmp_path: Path, content: bytes | None, message: str
) -> None:
    source = tmp_path / "other.db"
    if content is None:
        with sqlite3.connect(source) as other:
            other.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
        other.close()
    else:
        source.write_bytes(content)
    _write(database, "kept")
    with pytest.raises(BackupProblem, match=message):
        restore(_url(database), source)
    assert _keys(database) == ["kept"]
    left = sorted(path.name for path in database.parent.iterdir())
    assert left == ["navbot.db", "navbot.db.lock"]  # nothing staged or kept aside


def test_restore_refuses_a_backup_from_a_newer_navbot(database: Path, tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    back_up(_url(database), target)
    with sqlite3.connect(target) as newer:
        newer.execute("UPDATE alembic_version SET version_num = '9999'")
    newer.close()
    with pytest.raises(SchemaNewerThanCode, match="revision 9999, newer than this version"):
        restore(_url(database), target)


def test_backup_does_not_overwrite_a_file_unless_forced(database: Path, tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    target.write_bytes(b"an older backup")
    with pytest.raises(BackupProblem, match="already exists"):
        back_up(_url(database), target)
    assert target.read_bytes() == b"an older backup"
    back_up(_url(database), target, overwrite=True)
    assert _keys(target) == []


def test_the_commands_say_one_sentence_and_exit_non_zero(
    database: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", _url(database))
    monkeypatch.chdir(tmp_path)
    assert main(["backup", "copy.db"]) == 0
    assert capsys.readouterr().out.startswith(f"backed up the SQLite file {database} to copy.db")
    assert main(["backup", "copy.db"]) == 1
    assert capsys.readouterr().err == (
        "navbot: copy.db already exists: choose another name, or add --force.\n"
    )
    assert main(["restore", "missing.db"]) == 1
    assert capsys.readouterr().err == "navbot: there is no backup file at missing.db.\n"
    assert main(["restore", "copy.db"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"restored the SQLite file {database} from copy.db")
    assert out[1].startswith("the database it replaced is kept as ")


# --- PostgreSQL ----------------------------------------------------------------------------


async def _pg(url: str, statement: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(text(statement))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        await engine.dispose()


@pytest.fixture
def pg_database(postgres_url: str) -> str:
    migrate_blocking(postgres_url)
    return postgres_url


async def test_a_postgres_backup_restores_what_it_held(pg_database: str, tmp_path: Path) -> None:
    await _pg(pg_database, "INSERT INTO app_state (key, value) VALUES ('before', 'x')")
    target = tmp_path / "navbot.dump"
    assert back_up(pg_database, target) is None
    await _pg(pg_database, "INSERT INTO app_state (key, value) VALUES ('after', 'x')")
    await _pg(pg_database, "DELETE FROM app_state WHERE key = 'before'")

    result = restore(pg_database, target)
    assert result.revision == head_revision()
    assert await _pg(pg_database, "SELECT key FROM app_state") == [("before",)]
    # The append-only audit log's triggers came back with it.
    triggers = await _pg(
        pg_database,
        "SELECT count(*) FROM information_schema.triggers WHERE event_object_table = 'audit_log'",
    )
    assert triggers != [(0,)]
    await migrate(pg_database)


async def test_a_postgres_restore_refuses_while_a_bot_is_connected(
    pg_database: str, tmp_path: Path
) -> None:
    target = tmp_path / "navbot.dump"
    back_up(pg_database, target)
    bot_engine = create_engine(pg_database)  # named application_name=navbot, as the bot's
    try:
        async with bot_engine.connect():
            with pytest.raises(BackupProblem, match="stop every navbot process first"):
                restore(pg_database, target)
    finally:
        await bot_engine.dispose()
    restore(pg_database, target)  # once it has gone


async def test_a_postgres_restore_refuses_a_dump_from_a_newer_navbot_or_another_file(
    pg_database: str, tmp_path: Path
) -> None:
    await _pg(pg_database, "UPDATE alembic_version SET version_num = '9999'")
    target = tmp_path / "newer.dump"
    back_up(pg_database, target)
    await _pg(pg_database, f"UPDATE alembic_version SET version_num = '{head_revision()}'")
    with pytest.raises(SchemaNewerThanCode, match="revision 9999"):
        restore(pg_database, target)
    junk = tmp_path / "junk.dump"
    junk.write_bytes(b"PGDMP? no")
    with pytest.raises(BackupProblem, match="is not a pg_dump archive"):
        restore(pg_database, junk)


def test_pg_dump_gets_the_connection_and_password_through_its_environment() -> None:
    """Not on its command line, which every user of the machine can read in `ps`."""
    env = postgres_environment(
        "postgresql+psycopg://navbot:s3cret%2Fpw@db.example:6543/navbot?sslmode=require",
        application_name="navbot-backup",
    )
    assert {key: env[key] for key in env if key.startswith("PG")} == {
        "PGHOST": "db.example",
        "PGPORT": "6543",
        "PGUSER": "navbot",
        "PGPASSWORD": "s3cret/pw",
        "PGDATABASE": "navbot",
        "PGAPPNAME": "navbot-backup",
        "PGSSLMODE": "require",
    }
