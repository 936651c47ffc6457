"""Quick-text logs saved per second through the real Application.

A real PTB Application (offline recording transport, no network), a SQLite file that
already holds 1,000,000 contacts, navigators with confirmation cards off so each message
is parsed, saved (client, contact, events, follow-up, audit) and answered. The baseline is
a bare PTB echo bot over the same transport in the same run.

    .venv/bin/python -m bench.log_throughput [--messages 3000] [--contacts 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, text
from telegram import Update
from telegram.ext import ApplicationBuilder, MessageHandler, filters

from bench.common import OUT_DIR, Stopwatch, choose_event_loop, summarise
from bot.config import Settings
from storage.audit import insert_audit_entry
from storage.clients import (
    create_client,
    create_contact,
    create_service_events,
    find_client_id_and_status,
)
from storage.db import create_engine, create_read_session_factory, create_session_factory
from storage.followups import create_followup
from storage.migrate import migrate
from storage.models import Client, Contact, Staff
from storage.staff import get_staff_for_update_handling
from tests.handlers.harness import RecordingTransport, message_update, running_harness

NAVIGATORS = 20
MESSAGES = [
    "{code} seen in ED after assault, referred to drug treatment, follow up friday",
    "{code} rang, no answer, try again in 3 days",
    "{code} home visit, started college, engaging with CGL, FU 2 weeks",
    "{code} texted, declined support, no follow up",
    "{code} met at youth centre, referred to housing and ETE, check in tomorrow 2pm",
]


async def build_database(path: Path, contacts: int) -> None:
    """Bulk-load staff, clients and contacts with SQLAlchemy core (minutes → seconds)."""
    url = f"sqlite+aiosqlite:///{path}"
    await migrate(url)
    engine = create_engine(url)
    now = datetime.now(UTC)
    clients = max(1, contacts // 20)
    async with engine.begin() as connection:
        await connection.execute(
            insert(Staff),
            [
                {
                    "telegram_id": 10_000 + i,
                    "display_name": f"Navigator {i}",
                    "role": "navigator",
                    "team": "hospital",
                    "ui_language": "en",
                    "confirm_cards": False,
                    "active": True,
                    "reachable": True,
                    "created_at": now,
                }
                for i in range(NAVIGATORS)
            ],
        )
        await connection.execute(
            insert(Client),
            [
                {
                    "code": f"B{i}",
                    "team": "hospital",
                    "owner_id": 1 + i % NAVIGATORS,
                    "status": "open",
                    "created_at": now,
                }
                for i in range(clients)
            ],
        )
        chunk = 50_000
        rng = random.Random(1)
        for start in range(0, contacts, chunk):
            await connection.execute(
                insert(Contact),
                [
                    {
                        "client_id": 1 + rng.randrange(clients),
                        "staff_id": 1 + rng.randrange(NAVIGATORS),
                        "team": "hospital",
                        "occurred_at": now - timedelta(minutes=rng.randrange(1_000_000)),
                        "logged_at": now,
                        "setting": "hospital",
                        "outcome": "made",
                        "language": "en",
                        "note": "historic contact",
                        "source": "text",
                    }
                    for _ in range(start, min(contacts, start + chunk))
                ],
            )
    await engine.dispose()


async def measure_bot(db: Path, messages: int) -> dict[str, float]:
    settings = Settings(
        _env_file=None,
        telegram_bot_token="123456:BENCH",
        database_url=f"sqlite+aiosqlite:///{db}",
        sweep_interval_seconds=3600,
        # Telegram allows ~30 messages/s overall and the bot's limiter enforces it; lifted
        # here so the benchmark measures the bot's own cost, not Telegram's limit.
        rate_limit_overall_per_second=1_000_000,
    )
    latencies: list[float] = []
    count_sql = text("SELECT count(*) FROM contacts")
    async with running_harness(settings) as h:
        async with h.session() as session:
            before = int(await session.scalar(count_sql) or 0)
        updates = [
            Update.de_json(
                message_update(
                    10_000 + i % NAVIGATORS,
                    MESSAGES[i % len(MESSAGES)].format(code=f"N{i % 5000}"),
                ),
                h.app.bot,
            )
            for i in range(messages)
        ]
        for update in updates[:50]:  # warm caches and the first-use cost of the parser
            await h.app.process_update(update)
        cpu_started = time.process_time()
        with Stopwatch() as wall:
            for update in updates[50:]:
                started = time.perf_counter()
                await h.app.process_update(update)
                latencies.append(time.perf_counter() - started)
        # CPU of the whole process (loop and SQLite threads) per log: on a shared machine
        # it moves less than wall-clock figures, which include waiting for a core.
        cpu_ms = (time.process_time() - cpu_started) * 1000 / len(latencies)
        async with h.session() as session:
            saved = int(await session.scalar(count_sql) or 0) - before
        assert saved == messages, saved  # every message was saved as a log
    return summarise(latencies, wall.seconds) | {"cpu_ms": cpu_ms}


async def measure_storage_floor(
    db: Path, messages: int, statements: list[list[tuple[str, Any]]]
) -> dict[str, float]:
    """The storage calls of one saved log and nothing else: the bot's own engine, session
    factory and storage functions (guard read; then client lookup, client, contact, one
    service event, follow-up and audit row in one BEGIN IMMEDIATE … COMMIT), with no Telegram,
    parsing or domain logic. Whatever the rest of the bot costs comes on top, so this rate
    is a ceiling for the saved-log rate with SQLAlchemy's async session on this machine.
    Every statement sent, with its parameters, is appended to ``statements`` (one list per
    log) for :func:`measure_driver_floor`."""
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    factory = create_session_factory(engine)
    read_factory = create_read_session_factory(engine)
    latencies: list[float] = []
    now = datetime.now(UTC)

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def record(_c: Any, _cursor: Any, sql: str, parameters: Any, *_: Any) -> None:
        statements[-1].append((sql, parameters))

    cpu_started = time.process_time()
    with Stopwatch() as wall:
        for i in range(messages):
            statements.append([])
            started = time.perf_counter()
            async with read_factory() as session:
                found = await get_staff_for_update_handling(
                    session, telegram_id=10_000 + i % NAVIGATORS
                )
            assert found is not None
            staff = found.staff
            async with factory.begin() as session:
                code = f"F{i}"
                assert await find_client_id_and_status(session, code=code) is None
                client_id = await create_client(
                    session, code=code, team=staff.team, owner_id=staff.id, at=now
                )
                contact_id = await create_contact(
                    session,
                    client_id=client_id,
                    staff_id=staff.id,
                    team=staff.team,
                    occurred_at=now,
                    logged_at=now,
                    setting="community",
                    outcome="made",
                    language="en",
                    note="home visit, started college",
                    source="text",
                    risks=[],
                )
                await create_service_events(
                    session,
                    client_id=client_id,
                    contact_id=contact_id,
                    staff_id=staff.id,
                    events=[("ete", "engaged")],
                    occurred_at=now,
                )
                await create_followup(
                    session,
                    client_id=client_id,
                    staff_id=staff.id,
                    due_at=now + timedelta(days=14),
                    created_at=now,
                    created_by_contact_id=contact_id,
                    next_reminder_at=now + timedelta(days=14),
                )
                await insert_audit_entry(
                    session,
                    action="create",
                    actor=staff,
                    client_code=code,
                    detail=f"contact {contact_id} new client",
                    at=now,
                )
            latencies.append(time.perf_counter() - started)
    cpu_ms = (time.process_time() - cpu_started) * 1000 / messages
    await engine.dispose()
    return summarise(latencies, wall.seconds) | {"cpu_ms": cpu_ms}


def measure_driver_floor(db: Path, statements: list[list[tuple[str, Any]]]) -> dict[str, float]:
    """The very statements :func:`measure_storage_floor` sent, with the same parameters,
    replayed through the bare sqlite3 driver on one thread (same pragmas; COMMIT closes each
    log's transaction) on a fresh copy of the same file: what SQLite itself costs."""
    connection = sqlite3.connect(db, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        connection.execute(f"PRAGMA {pragma}")
    latencies: list[float] = []
    with Stopwatch() as wall:
        for log in statements:
            started = time.perf_counter()
            for sql, parameters in log:
                connection.execute(sql, parameters).fetchall()
            if connection.in_transaction:
                connection.execute("COMMIT")
            latencies.append(time.perf_counter() - started)
    connection.close()
    return summarise(latencies, wall.seconds)


async def measure_echo(messages: int) -> dict[str, float]:
    transport = RecordingTransport()
    app = (
        ApplicationBuilder()
        .token("123456:ECHO")
        .request(transport)
        .get_updates_request(transport)
        .build()
    )

    async def echo(update: Update, _: Any) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    latencies: list[float] = []
    updates = [
        Update.de_json(message_update(1, MESSAGES[i % len(MESSAGES)].format(code="E1")), app.bot)
        for i in range(messages)
    ]
    with Stopwatch() as wall:
        for update in updates:
            started = time.perf_counter()
            await app.process_update(update)
            latencies.append(time.perf_counter() - started)
    await app.shutdown()
    return summarise(latencies, wall.seconds)


def _fresh_copy(template: Path, work: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, work)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--stock-loop", action="store_true", help="asyncio's loop, not uvloop")
    args = parser.parse_args()
    OUT_DIR.mkdir(exist_ok=True)
    template = OUT_DIR / f"contacts_{args.contacts}.db"
    if not await asyncio.to_thread(template.exists):
        with Stopwatch() as build:
            await build_database(template, args.contacts)
        print(f"built {template.name} in {build.seconds:.1f}s")
    work = OUT_DIR / "log_throughput.db"
    await asyncio.to_thread(_fresh_copy, template, work)
    bot = await measure_bot(work, args.messages)
    echo = await measure_echo(args.messages)
    statements: list[list[tuple[str, Any]]] = []
    await asyncio.to_thread(_fresh_copy, template, work)
    floor = await measure_storage_floor(work, args.messages, statements)
    await asyncio.to_thread(_fresh_copy, template, work)
    driver = await asyncio.to_thread(measure_driver_floor, work, statements)
    print(
        f"| navbot quick-text log (1M contacts) | {bot['per_second']:.0f}/s | "
        f"{bot['p50_ms']:.2f} ms | {bot['p99_ms']:.2f} ms | {bot['cpu_ms']:.2f} ms CPU/log |"
    )
    print(
        f"| bare PTB echo bot | {echo['per_second']:.0f}/s | "
        f"{echo['p50_ms']:.2f} ms | {echo['p99_ms']:.2f} ms |"
    )
    print(
        f"| storage calls of a saved log alone (same engine, same file) | "
        f"{floor['per_second']:.0f}/s | {floor['p50_ms']:.2f} ms | {floor['p99_ms']:.2f} ms | "
        f"{floor['cpu_ms']:.2f} ms CPU/log |"
    )
    print(
        f"| the same statements through the bare sqlite3 driver, one thread | "
        f"{driver['per_second']:.0f}/s | {driver['p50_ms']:.2f} ms | {driver['p99_ms']:.2f} ms |"
    )
    print(f"ratio navbot/echo throughput: {bot['per_second'] / echo['per_second']:.4f}")


if __name__ == "__main__":
    print(f"event loop: {choose_event_loop('--stock-loop' in sys.argv)}")
    asyncio.run(main())
