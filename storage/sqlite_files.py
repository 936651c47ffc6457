"""Copying a SQLite database file safely, shared by `navbot backup` and the automatic copy
taken before a migration upgrades an existing database."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path


@contextlib.contextmanager
def open_sqlite(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection in autocommit, closed (not just committed) on exit."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=10)
    try:
        yield connection
    finally:
        connection.close()


def sqlite_sidecars(database: Path) -> Iterable[Path]:
    """The files SQLite keeps beside a database: they belong to that one file only."""
    return (database.with_name(database.name + suffix) for suffix in ("-wal", "-shm", "-journal"))


def fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_sqlite_database(source: Path, target: Path) -> None:
    """Copy `source` to `target` while other connections may be writing to it.

    One step of SQLite's online backup API copies the whole database under a single read
    transaction: in WAL mode writers carry on meanwhile, and the copy is the database as of
    one moment (stepping page by page would start again at every write of another
    connection). What still sits in the source's -wal is included. The copy is written
    beside `target`, switched to a rollback journal (one self-contained file, no -wal to
    forget) and renamed into place: `target` is either absent, the old file, or complete.
    Raises `sqlite3.Error` or `OSError`.
    """
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with open_sqlite(source) as origin, open_sqlite(partial) as copy:
            origin.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
        os.replace(partial, target)
        fsync_directory(target.parent)
    finally:
        partial.unlink(missing_ok=True)
        for leftover in sqlite_sidecars(partial):
            leftover.unlink(missing_ok=True)
