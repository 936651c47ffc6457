"""An aiosqlite connection that runs each statement in one trip to its thread.

aiosqlite runs every sqlite3 call on a worker thread and hands the result back to the
event loop. SQLAlchemy's aiosqlite adapter makes four such trips per statement (open a
cursor, execute, fetch the rows, close the cursor), and one more for each COMMIT and
ROLLBACK, even when no transaction is open. A trip costs ~0.1–0.3 ms of wake-ups on a busy
machine, more than the statement itself: a saved log spent about half of its time on ~40
of them.

`OneTripConnection` keeps aiosqlite's thread, queue and error handling and changes only
how much is done per trip:

- a cursor is opened, executed, drained and closed in one call on the thread, and the rows
  are handed back with the description, row count and last row id; the cursor the adapter
  holds reads those without going back to the thread;
- COMMIT and ROLLBACK are skipped when sqlite3 says no transaction is open (sqlite3 itself
  does nothing then either), which is every read in an autocommit session and every pool
  check-in after a COMMIT.

Everything still runs on the connection's own thread, so a statement that waits for a lock
(BEGIN IMMEDIATE under `busy_timeout`) waits there, never on the event loop: the sweep and
other sessions keep running meanwhile. Only SQLite is involved; PostgreSQL engines never
see this class. Used through SQLAlchemy's documented `async_creator` hook (`storage.db`).
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import aiosqlite


@dataclass(frozen=True, slots=True)
class _Outcome:
    description: Any
    rows: list[Any]
    rowcount: int
    lastrowid: int | None


def _run(connection: sqlite3.Connection, sql: str, parameters: Any, *, many: bool) -> _Outcome:
    """On the worker thread: the whole life of a cursor, so the loop is woken once."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return _Outcome(description, rows, cursor.rowcount, cursor.lastrowid)
    finally:
        cursor.close()


class OneTripCursor:
    """The cursor API SQLAlchemy's aiosqlite adapter uses, one thread trip per execute.

    Rows are fetched in full at execute, as the adapter's own (client-side) cursor does
    anyway; fetchone/fetchmany then serve them from memory.
    """

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self._rows: deque[Any] = deque()
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    def _take(self, outcome: _Outcome) -> OneTripCursor:
        self.description = outcome.description
        self._rows = deque(outcome.rows)
        self.rowcount = outcome.rowcount
        self.lastrowid = outcome.lastrowid
        return self

    async def execute(self, sql: str, parameters: Any = None) -> OneTripCursor:
        outcome = await self._connection.run_statement(
            sql, [] if parameters is None else parameters
        )
        return self._take(outcome)

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> OneTripCursor:
        outcome = await self._connection.run_statement(sql, parameters, many=True)
        return self._take(outcome)

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(self.arraysize if size is None else size, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    async def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def close(self) -> None:
        self._rows.clear()


class OneTripConnection(aiosqlite.Connection):
    """aiosqlite's connection, with statements, COMMIT and ROLLBACK in at most one trip."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int) -> None:
        super().__init__(connector, iter_chunk_size)
        # Calls queued to the worker thread, and the last one it finished (written there).
        # They differ only when a caller stopped waiting (a cancelled task) while its call
        # still runs, e.g. a BEGIN IMMEDIATE waiting for the lock.
        self._queued = 0
        self._finished = 0

    async def _execute(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        self._queued += 1
        ticket = self._queued

        def run() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                self._finished = ticket  # the queue is FIFO: tickets finish in order

        return await super()._execute(run)  # type: ignore[no-untyped-call]

    async def run_statement(self, sql: str, parameters: Any, *, many: bool = False) -> _Outcome:
        # aiosqlite's own queueing (the same call its Cursor makes), so closing, stopping and
        # errors behave exactly as for any other aiosqlite call.
        result: _Outcome = await self._execute(_run, self._conn, sql, parameters, many=many)
        return result

    async def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)

    def _may_be_in_transaction(self) -> bool:
        if self._finished != self._queued:
            # A call is still running on the thread: it may yet open a transaction (a
            # cancelled BEGIN IMMEDIATE that gets the lock later). Queue the COMMIT or
            # ROLLBACK behind it, as plain aiosqlite would, rather than skip it.
            return True
        # The worker is idle, so reading from the loop thread is safe; sqlite3 answers from
        # sqlite3_get_autocommit without touching the database.
        return self._conn.in_transaction

    async def commit(self) -> None:
        if self._may_be_in_transaction():
            await super().commit()

    async def rollback(self) -> None:
        if self._may_be_in_transaction():
            await super().rollback()


def one_trip_connector(
    args: Sequence[Any], kwargs: Mapping[str, Any]
) -> Callable[[], Awaitable[OneTripConnection]]:
    """An `async_creator` for SQLAlchemy: connects with the arguments the sqlite dialect
    would have given aiosqlite (path, check_same_thread=False, URL options)."""

    async def create() -> OneTripConnection:
        connection = OneTripConnection(partial(sqlite3.connect, *args, **kwargs), 64)
        # As SQLAlchemy does for aiosqlite: a forgotten connection must not keep the
        # process alive at exit.
        connection._thread.daemon = True
        await connection  # starts the thread and connects on it
        return connection

    return create
