"""Reminder sweep and delivery benchmarks (not part of `make test`).

    python -m bench.sweep sweep [--sizes 10000,100000,1000000] [--due 1000] [--postgres URL]
        [--repeat 7] [--backends sqlite,postgresql] [--explain] [--due-times spread|one]
    python -m bench.sweep delivery [--messages 3000] [--rate 30] [--source nudges|outbox]

Sweep: N stored open follow-ups, `due` of them with `next_reminder_at` in the past; every
client has a logged contact (the due ones an older one too, and a service event). The due
rows have 590 different due times that morning (`--due-times one`: a single one, as in the
tables before 2026-11-28). Measures (a) the due-selection query (`list_followups_to_remind`,
the only part that could grow with what is stored) and (b) a whole `produce_due_reminders`
batch over the due rows, each inside a transaction that is rolled back so every repetition
sees the same data. Median of `--repeat` (default 7). (Since migration 0011 a nudge's last
contact is read when it is sent, so it is part of delivery, not of the sweep.)

Delivery: `messages` due follow-ups over 300 staff, swept at NOW so each owes one nudge
(`--source outbox`: as many outbox notices instead), the fake Bot API answering 429 beyond
`rate` per second, the bot's limiters at `rate`. Reports achieved rate, 429s and duplicates.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.engine import make_url

from bot.contacts.saving import reminder_settings
from bot.followups.sweep import produce_due_reminders
from storage.db import create_engine, create_session_factory
from storage.followups import list_followups_to_remind
from storage.migrate import migrate
from storage.models import (
    Client,
    Contact,
    FollowUp,
    FollowUpReminder,
    OutboxMessage,
    ServiceEvent,
    Staff,
)
from tests.conftest import make_settings

NOW = datetime(2026, 3, 25, 10, tzinfo=UTC)  # a Wednesday, inside default hours
CHUNK = 20_000


# Due rows with one shared due time let the sweep plan every reminder once (it plans each
# distinct follow-up state once per batch); a real morning has many. "spread" gives the due
# rows SPREAD_MINUTES different due times between 00:05 and 09:55 that day, all still due today.
SPREAD_MINUTES = 590


def _due_at(i: int, due_times: str) -> datetime:
    offset = 5 + (i % SPREAD_MINUTES if due_times == "spread" else 0)
    return NOW - timedelta(minutes=offset)


def _client(i: int, owner_id: int) -> dict[str, Any]:
    return {
        "id": i,
        "code": f"C{i}",
        "team": "hospital",
        "owner_id": owner_id,
        "status": "open",
        "created_at": NOW,
    }


def _contact(
    contact_id: int, client_id: int, staff_id: int, occurred_at: datetime, setting: str
) -> dict[str, Any]:
    return {
        "id": contact_id,
        "client_id": client_id,
        "staff_id": staff_id,
        "team": "hospital",
        "occurred_at": occurred_at,
        "logged_at": NOW,
        "setting": setting,
        "outcome": "made",
        "language": "en",
        "note": "",
        "source": "text",
    }


def _followup_rows(
    i: int, staff_id: int, due_at: datetime, contact_id: int | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """An open follow-up and its reminder row, due (and to be looked at) at `due_at`."""
    followup = {
        "id": i,
        "client_id": i,
        "staff_id": staff_id,
        "due_at": due_at,
        "status": "open",
        "created_at": NOW,
        "created_by_contact_id": contact_id,
    }
    reminder = {
        "followup_id": i,
        "due_nudge_sent": False,
        "overdue_nudges_sent": 0,
        "nudge_attempts": 0,
        "next_reminder_at": due_at,
    }
    return followup, reminder


async def _insert_followups(
    connection: Any, rows: list[tuple[dict[str, Any], dict[str, Any]]]
) -> None:
    await connection.execute(insert(FollowUp), [followup for followup, _ in rows])
    await connection.execute(insert(FollowUpReminder), [reminder for _, reminder in rows])


async def _fill(url: str, stored: int, due: int, due_times: str = "spread") -> None:
    await migrate(url)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                insert(Staff),
                [
                    {
                        "telegram_id": 1,
                        "role": "navigator",
                        "team": "hospital",
                        "ui_language": "en",
                        "confirm_cards": True,
                        "active": True,
                        "reachable": True,
                        "created_at": NOW,
                    }
                ],
            )
        for start in range(0, stored, CHUNK):
            ids = range(start + 1, min(stored, start + CHUNK) + 1)
            async with engine.begin() as connection:
                await connection.execute(insert(Client), [_client(i, 1) for i in ids])
                await connection.execute(
                    insert(Contact),
                    [
                        _contact(i, i, 1, NOW - timedelta(days=1, hours=i % 7), "hospital")
                        for i in ids
                    ]
                    # an older contact of each due client: the lookup must pick the latest
                    + [
                        _contact(stored + i, i, 1, NOW - timedelta(days=8), "street")
                        for i in ids
                        if i <= due
                    ],
                )
                due_ids = [i for i in ids if i <= due]
                if due_ids:
                    await connection.execute(
                        insert(ServiceEvent),
                        [
                            {
                                "client_id": i,
                                "contact_id": i,
                                "staff_id": 1,
                                "service": "housing",
                                "status": "referred",
                                "occurred_at": NOW - timedelta(days=1),
                                "created_at": NOW,
                            }
                            for i in due_ids
                        ],
                    )
                await _insert_followups(
                    connection,
                    [
                        _followup_rows(
                            i,
                            1,
                            _due_at(i, due_times)
                            if i <= due
                            else NOW + timedelta(days=1 + i % 300),
                            i,
                        )
                        for i in ids
                    ],
                )
        if engine.dialect.name == "postgresql":
            # As autovacuum would after a bulk load. In autocommit: inside the implicit
            # transaction the statistics were rolled back when the connection closed, and
            # the planner guessed (a bitmap AND over every open follow-up, at 1M).
            async with engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.exec_driver_sql("VACUUM ANALYZE")
                # Flush the load now, not in a checkpoint during the measurements.
                await connection.exec_driver_sql("CHECKPOINT")
        else:
            async with engine.connect() as connection:
                await connection.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()


async def _measure(url: str, due: int, repeat: int) -> tuple[float, float]:
    engine = create_engine(url)
    factory = create_session_factory(engine)
    settings = reminder_settings(make_settings(url))
    select_times, produce_times = [], []
    try:
        for _ in range(repeat):
            async with factory() as session:
                started = time.perf_counter()
                rows = await list_followups_to_remind(session, now=NOW, limit=due)
                select_times.append(time.perf_counter() - started)
                assert len(rows) == due
                await session.rollback()
        for _ in range(repeat):
            async with factory() as session:
                started = time.perf_counter()
                await produce_due_reminders(session, now=NOW, settings=settings, limit=due)
                await session.flush()
                produce_times.append(time.perf_counter() - started)
                await session.rollback()
    finally:
        await engine.dispose()
    return statistics.median(select_times) * 1000, statistics.median(produce_times) * 1000


async def _explain(url: str, due: int) -> None:
    """Print the due-selection plan as the database ran it: EXPLAIN ANALYZE on PostgreSQL,
    EXPLAIN QUERY PLAN on SQLite (the statement and parameters are the driver's own)."""
    engine = create_engine(url)
    captured: list[tuple[str, Any]] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM followup_reminders" in statement and not statement.startswith("EXPLAIN"):
            captured.append((statement, parameters))

    factory = create_session_factory(engine)
    try:
        async with factory() as session:
            await list_followups_to_remind(session, now=NOW, limit=due)
            await session.rollback()
        statement, parameters = captured[0]
        prefix = (
            "EXPLAIN (ANALYZE, BUFFERS) "
            if engine.dialect.name == "postgresql"
            else "EXPLAIN QUERY PLAN "
        )
        async with engine.connect() as connection:
            plan = await connection.exec_driver_sql(prefix + statement, parameters)
            for row in plan.all():
                print("    " + " ".join(str(c) for c in row[-1:]), file=sys.stderr)
            await connection.rollback()
    finally:
        await engine.dispose()


def _postgres_database(base: str) -> tuple[str, Any]:
    import psycopg

    url = make_url(base)
    name = f"navbot_bench_{uuid.uuid4().hex[:8]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.set(database=name).render_as_string(hide_password=False), drop


def bench_sweep(
    sizes: list[int],
    due: int,
    postgres: str | None,
    repeat: int,
    sqlite_too: bool = True,
    explain: bool = False,
    due_times: str = "spread",
) -> None:
    print("| backend | stored | due | select due (ms) | produce batch (ms) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for backend in [*(["sqlite"] if sqlite_too else []), *(["postgresql"] if postgres else [])]:
        base: list[tuple[float, float]] = []
        for stored in sizes:
            drop = None
            if backend == "sqlite":
                directory = tempfile.mkdtemp()
                url = f"sqlite+aiosqlite:///{directory}/bench.db"
            else:
                assert postgres is not None
                url, drop = _postgres_database(postgres)
            try:
                asyncio.run(_fill(url, stored, due, due_times))
                if explain:
                    print(f"{backend}, {stored:,} stored:", file=sys.stderr)
                    asyncio.run(_explain(url, due))
                select_ms, produce_ms = asyncio.run(_measure(url, due, repeat))
            finally:
                if drop is not None:
                    drop()
            base.append((select_ms, produce_ms))
            print(f"| {backend} | {stored:,} | {due:,} | {select_ms:.1f} | {produce_ms:.1f} |")
        if len(base) > 1:
            print(
                f"| {backend} ratio largest/smallest | | | "
                f"{base[-1][0] / base[0][0]:.2f} | {base[-1][1] / base[0][1]:.2f} |"
            )


async def _seed_due_nudges(url: str, messages: int) -> None:
    """`messages` clients, each with a contact and an open follow-up due an hour before NOW,
    spread over the 300 staff, and the sweep run over them at NOW: each owes one due nudge."""
    engine = create_engine(url)
    try:
        ids = range(1, messages + 1)
        async with engine.begin() as connection:
            await connection.execute(insert(Client), [_client(i, 1 + i % 300) for i in ids])
            await connection.execute(
                insert(Contact),
                [_contact(i, i, 1 + i % 300, NOW - timedelta(days=1), "hospital") for i in ids],
            )
            await _insert_followups(
                connection,
                [_followup_rows(i, 1 + i % 300, NOW - timedelta(hours=1), i) for i in ids],
            )
        factory = create_session_factory(engine)
        settings = reminder_settings(make_settings(url))
        while True:
            async with factory.begin() as session:
                if await produce_due_reminders(session, now=NOW, settings=settings) == 0:
                    break
    finally:
        await engine.dispose()


async def _delivery(messages: int, rate: float, source: str) -> None:
    from bot.app import build_application, start_services, stop_services
    from bot.jobs.delivery import Sender
    from tests.fakebotapi import FakeBotApi

    directory = tempfile.mkdtemp()
    url = f"sqlite+aiosqlite:///{directory}/bench.db"
    await migrate(url)
    token = "123:BENCH"
    with FakeBotApi(token=token) as api:
        settings = make_settings(
            url,
            telegram_bot_token=token,
            telegram_api_base_url=api.base_url,
            rate_limit_overall_per_second=rate,
            rate_limit_per_chat_per_second=1.0,
        )
        engine = create_engine(url)
        async with engine.begin() as connection:
            await connection.execute(
                insert(Staff),
                [
                    {
                        "id": i,
                        "telegram_id": 10_000 + i,
                        "role": "navigator",
                        "team": "hospital",
                        "ui_language": "en",
                        "confirm_cards": True,
                        "active": True,
                        "reachable": True,
                        "created_at": NOW,
                    }
                    for i in range(1, 301)
                ],
            )
            if source == "outbox":
                await connection.execute(
                    insert(OutboxMessage),
                    [
                        {
                            "dedupe_key": f"bench:{i}",
                            "kind": "notice",
                            "recipient_id": 1 + i % 300,
                            "payload": {"text": f"bench message {i}"},
                            "not_before": NOW,
                            "status": "pending",
                            "attempts": 0,
                            "created_at": NOW,
                        }
                        for i in range(messages)
                    ],
                )
        await engine.dispose()
        if source == "nudges":
            await _seed_due_nudges(url, messages)
        app = build_application(settings)
        await app.initialize()
        await start_services(app)
        api.rate_limit(rate)
        sender = Sender(
            bot=app.bot,
            session_factory=app.bot_data.session_factory,
            settings=settings,
            instance_id="bench",
        )
        started = time.perf_counter()
        report = await sender.deliver_due()
        elapsed = time.perf_counter() - started
        await stop_services(app)
        await app.shutdown()
        texts = [c.text for c in api.sent("sendMessage")]
        duplicates = sum(n - 1 for n in Counter(texts).values() if n > 1)
        print(
            "| messages | source | limit L (/s) | sent | seconds | achieved (/s) | achieved / L "
            "| 429s | duplicates |"
        )
        print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        print(
            f"| {messages:,} | {source} | {rate:g} | {report.sent:,} | {elapsed:.1f} | "
            f"{report.sent / elapsed:.1f} | {report.sent / elapsed / rate:.2f} | "
            f"{api.stats['rate_limited']} | {duplicates} |"
        )


def main() -> None:
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    parser = argparse.ArgumentParser(prog="python -m bench.sweep")
    sub = parser.add_subparsers(dest="what", required=True)
    sweep = sub.add_parser("sweep")
    sweep.add_argument("--sizes", default="10000,100000,1000000")
    sweep.add_argument("--due", type=int, default=1000)
    sweep.add_argument("--postgres", default=os.environ.get("NAVBOT_TEST_POSTGRES_URL"))
    sweep.add_argument("--repeat", type=int, default=7)
    sweep.add_argument("--backends", default="sqlite,postgresql")
    sweep.add_argument("--explain", action="store_true", help="print query plans to stderr")
    sweep.add_argument(
        "--due-times",
        choices=["spread", "one"],
        default="spread",
        help=f"spread: {SPREAD_MINUTES} distinct due times (default); one: all due at once",
    )
    delivery = sub.add_parser("delivery")
    delivery.add_argument("--messages", type=int, default=3000)
    delivery.add_argument("--rate", type=float, default=30.0)
    delivery.add_argument(
        "--source",
        choices=("nudges", "outbox"),
        default="nudges",
        help="due follow-up nudges produced by the sweep (default), or outbox notices",
    )
    args = parser.parse_args()
    if args.what == "sweep":
        postgres = args.postgres if "postgresql" in args.backends.split(",") else None
        sqlite_too = "sqlite" in args.backends.split(",")
        bench_sweep(
            [int(s) for s in args.sizes.split(",")],
            args.due,
            postgres,
            args.repeat,
            sqlite_too,
            args.explain,
            args.due_times,
        )
    else:
        asyncio.run(_delivery(args.messages, args.rate, args.source))


if __name__ == "__main__":
    main()
