"""Benchmark: /stats figures on 1,000,000 contacts and 50,000 clients, against a hand-written
SQL baseline of the same figures, on SQLite and PostgreSQL.

    python -m bench.stats --backend sqlite
    python -m bench.stats --backend postgres --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test

What is timed (median of --repeat runs, warm cache):

* ``month``: ``bot.reports.collect.collect_stats_comparison`` (what the /stats handler calls)
  for the
  current month and one team — every query behind ``/stats month`` (the rendering is
  microseconds);
* ``quarter vs quarter``: the same for this quarter and the last (``/stats quarter vs
  last-quarter``), the two read at once on two connections, as the handler does;
* ``quarter vs quarter, all teams``: the same for every team, an admin's default scope;
* the baseline: the same figures with hand-written SQL strings run on the same connection.
  The figures of both are compared, so the benchmark also checks the aggregates.

Peak memory is the process's maximum resident set size (``ru_maxrss``), data generation
included. The data is inserted with SQLAlchemy Core in batches, with a fixed random seed.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from bench.common import OUT_DIR, choose_event_loop
from bot.reports.collect import collect_stats_comparison, start_of_today
from bot.reports.periods import Period, period_between, previous_period
from storage.db import create_engine, create_session_factory, create_snapshot_session_factory
from storage.migrate import upgrade_engine_to_head
from storage.models import (
    Client,
    Contact,
    FollowUp,
    FollowUpReminder,
    SafeguardingAlert,
    ServiceEvent,
    Staff,
)

TZ = ZoneInfo("Europe/London")
NOW = datetime(2026, 6, 17, 11, 0, tzinfo=UTC)
SPAN_DAYS = 730  # contacts over the two years before NOW
TEAMS = ("hospital", "community")
SERVICES = ("drug_treatment", "ete", "mental_health", "housing", "social_care", "vcs")
SETTINGS = ("hospital", "community", "phone", "message", "home", "office", "justice", None)
OUTCOMES = ("made",) * 7 + ("attempted",) * 2 + ("declined",)
LANGUAGES = ("en",) * 6 + ("bn", "syl", "unknown")
BATCH = 20_000


# Data -------------------------------------------------------------------------------------
async def populate(session_factory: Any, *, contacts: int, clients: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = NOW - timedelta(days=SPAN_DAYS)
    staff_rows = [
        {
            "id": i + 1,
            "telegram_id": 10_000 + i,
            "display_name": f"Navigator {i + 1}",
            "role": "supervisor" if i in (0, 1) else "navigator",
            "team": TEAMS[i % 2],
            "ui_language": "en",
            "confirm_cards": True,
            "active": True,
            "reachable": True,
            "created_at": start,
        }
        for i in range(40)
    ]
    async with session_factory.begin() as session:
        await session.execute(insert(Staff), staff_rows)
    owner_of = [rng.randrange(2, 40) + 1 for _ in range(clients)]
    first_seen = [
        start + timedelta(seconds=rng.randrange(SPAN_DAYS * 86400)) for _ in range(clients)
    ]
    rows: list[dict[str, Any]]
    for offset in range(0, clients, BATCH):
        rows = [
            {
                "id": c + 1,
                "code": f"C{c + 1:06d}",
                "team": TEAMS[(owner_of[c] - 1) % 2],
                "owner_id": owner_of[c],
                "status": "open" if rng.random() < 0.7 else "closed",
                "created_at": first_seen[c],
            }
            for c in range(offset, min(clients, offset + BATCH))
        ]
        async with session_factory.begin() as session:
            await session.execute(insert(Client), rows)

    seconds_span = SPAN_DAYS * 86400
    for offset in range(0, contacts, BATCH):
        rows = []
        for n in range(offset, min(contacts, offset + BATCH)):
            c = rng.randrange(clients)
            staff = owner_of[c] if rng.random() < 0.8 else rng.randrange(40) + 1
            seen = first_seen[c]
            remaining = max(1, int((NOW - seen).total_seconds()))
            at = seen + timedelta(seconds=rng.randrange(min(remaining, seconds_span)))
            rows.append(
                {
                    "id": n + 1,
                    "client_id": c + 1,
                    "staff_id": staff,
                    "team": TEAMS[(staff - 1) % 2],
                    "occurred_at": at,
                    "logged_at": at,
                    "setting": rng.choice(SETTINGS),
                    "outcome": rng.choice(OUTCOMES),
                    "language": rng.choice(LANGUAGES),
                    "note": "",
                    "source": "bench",
                }
            )
        async with session_factory.begin() as session:
            await session.execute(insert(Contact), rows)

    # Service events: about three per client, in a plausible order per service.
    events: list[dict[str, Any]] = []
    event_id = 0
    for c in range(clients):
        for service in rng.sample(SERVICES, k=rng.choice((0, 1, 1, 2, 2, 3))):
            at = first_seen[c]
            for status in ("referred", "engaged", "disengaged", "engaged"):
                at += timedelta(days=rng.randrange(3, 90))
                if at >= NOW or rng.random() < 0.25:
                    break
                event_id += 1
                events.append(
                    {
                        "id": event_id,
                        "client_id": c + 1,
                        "staff_id": owner_of[c],
                        "service": service,
                        "status": status,
                        "occurred_at": at,
                        "created_at": at,
                    }
                )
        if len(events) >= BATCH:
            async with session_factory.begin() as session:
                await session.execute(insert(ServiceEvent), events)
            events = []
    if events:
        async with session_factory.begin() as session:
            await session.execute(insert(ServiceEvent), events)

    # One follow-up per client (open ones around now, done ones in the past), some alerts.
    for offset in range(0, clients, BATCH):
        rows = []
        alerts = []
        for c in range(offset, min(clients, offset + BATCH)):
            due = NOW + timedelta(days=rng.randrange(-200, 30), hours=rng.randrange(24))
            done = due < NOW and rng.random() < 0.85
            rows.append(
                {
                    "id": c + 1,
                    "client_id": c + 1,
                    "staff_id": owner_of[c],
                    "due_at": due,
                    "status": "done" if done else "open",
                    "created_at": due - timedelta(days=7),
                    "completed_at": due - timedelta(hours=rng.randrange(-48, 24)) if done else None,
                    "completed_on_time": (rng.random() < 0.7) if done else None,
                }
            )
            if rng.random() < 0.05:
                # contact_id must exist: contacts ids 1..contacts
                alerts.append(
                    {
                        "contact_id": rng.randrange(contacts) + 1,
                        "client_id": c + 1,
                        "team": TEAMS[(owner_of[c] - 1) % 2],
                        "raised_by_id": owner_of[c],
                        "risks": "weapon",
                        "raised_at": NOW - timedelta(days=rng.randrange(SPAN_DAYS)),
                    }
                )
        async with session_factory.begin() as session:
            await session.execute(insert(FollowUp), rows)
            await session.execute(
                insert(FollowUpReminder),
                [
                    {
                        "followup_id": row["id"],
                        "due_nudge_sent": False,
                        "overdue_nudges_sent": 0,
                        "nudge_attempts": 0,
                    }
                    for row in rows
                ],
            )
            if alerts:
                await session.execute(insert(SafeguardingAlert), alerts)


# The hand-written baseline ----------------------------------------------------------------
BASELINE_SQL = {
    "contacts": """
        SELECT outcome, setting, language, count(*) FROM contacts
        WHERE team = :team AND occurred_at >= :start AND occurred_at < :end
        GROUP BY outcome, setting, language""",
    "clients": """
        SELECT count(*), coalesce(sum(CASE WHEN NOT EXISTS (
                   SELECT 1 FROM contacts e WHERE e.client_id = s.client_id
                   AND e.occurred_at < :start) THEN 1 ELSE 0 END), 0)
        FROM (SELECT DISTINCT client_id FROM contacts
              WHERE team = :team AND occurred_at >= :start AND occurred_at < :end) s""",
    "followups": """
        SELECT count(*), coalesce(sum(CASE WHEN f.completed_on_time IS true THEN 1 ELSE 0 END), 0)
        FROM followups f JOIN staff st ON st.id = f.staff_id
        WHERE st.team = :team AND f.status != 'cancelled'
          AND f.due_at >= :start AND f.due_at < :due_end""",
    "overdue": """
        SELECT count(*) FROM followups f JOIN staff st ON st.id = f.staff_id
        WHERE st.team = :team AND f.status = 'open' AND f.due_at < :today""",
    "alerts": """
        SELECT count(*) FROM safeguarding_alerts
        WHERE team = :team AND raised_at >= :start AND raised_at < :end""",
    "engagement": """
        WITH cohort AS (
            SELECT DISTINCT client_id FROM contacts
            WHERE team = :team AND occurred_at >= :start AND occurred_at < :end
              AND outcome IN ('made', 'attempted')),
        per AS (
            SELECT client_id, service,
                   max(CASE WHEN status IN ('referred', 'engaged') THEN 1 ELSE 0 END) AS eligible,
                   max(CASE WHEN status = 'engaged' AND occurred_at >= :start THEN 1 ELSE 0 END)
                       AS engaged_in,
                   max(CASE WHEN status = 'disengaged' AND occurred_at >= :start THEN 1 ELSE 0 END)
                       AS disengaged_in
            FROM service_events
            WHERE occurred_at < :end AND client_id IN (SELECT client_id FROM cohort)
            GROUP BY client_id, service),
        before AS (
            SELECT client_id, service, status FROM (
                SELECT client_id, service, status, row_number() OVER (
                    PARTITION BY client_id, service ORDER BY occurred_at DESC, id DESC) AS rank
                FROM service_events
                WHERE occurred_at < :start AND client_id IN (SELECT client_id FROM cohort)) r
            WHERE rank = 1)
        SELECT per.service, sum(per.eligible),
               sum(CASE WHEN per.eligible = 1 AND (per.engaged_in = 1 OR
                   (before.status = 'engaged' AND per.disengaged_in = 0)) THEN 1 ELSE 0 END)
        FROM per LEFT JOIN before
          ON before.client_id = per.client_id AND before.service = per.service
        GROUP BY per.service""",
    "navigators": """
        SELECT st.id, st.display_name, coalesce(c.n, 0) AS n_contacts,
          (SELECT count(*) FROM clients cl WHERE cl.owner_id = st.id AND cl.status = 'open'),
          (SELECT count(*) FROM followups f WHERE f.staff_id = st.id AND f.status = 'open'
             AND f.due_at < :today)
        FROM staff st LEFT JOIN (
            SELECT staff_id, count(*) AS n FROM contacts
            WHERE team = :team AND occurred_at >= :start AND occurred_at < :end
            GROUP BY staff_id) c ON c.staff_id = st.id
        WHERE (st.team = :team AND st.active IS true) OR c.n IS NOT NULL
        ORDER BY n_contacts DESC""",
}


def _bind(value: datetime, dialect: str) -> Any:
    # What UTCDateTime stores: naive UTC text order on SQLite, timestamptz on PostgreSQL.
    return value.astimezone(UTC).replace(tzinfo=None) if dialect == "sqlite" else value


def baseline_sql(sql: str, team: str | None) -> str:
    """The baseline for one team, or (``team=None``) with the team conditions left out."""
    if team is not None:
        return sql
    return sql.replace("st.team = :team AND ", "").replace("team = :team AND ", "")


async def baseline(session: AsyncSession, period: Period, team: str | None) -> dict[str, Any]:
    dialect = session.bind.dialect.name
    params = {
        "team": team,
        "start": _bind(period.start, dialect),
        "end": _bind(period.end, dialect),
        "due_end": _bind(min(period.end, NOW), dialect),
        "today": _bind(start_of_today(NOW, TZ), dialect),
    }
    out: dict[str, Any] = {}
    for name, sql in BASELINE_SQL.items():
        out[name] = (await session.execute(text(baseline_sql(sql, team)), params)).all()
    return out


def summarise_baseline(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "contacts": sum(row[3] for row in raw["contacts"]),
        "unique": raw["clients"][0][0],
        "new": raw["clients"][0][1],
        "due": raw["followups"][0][0],
        "on_time": raw["followups"][0][1],
        "overdue": raw["overdue"][0][0],
        "alerts": raw["alerts"][0][0],
        "engagement": {row[0]: (int(row[2]), int(row[1])) for row in raw["engagement"]},
        "navigators": sorted((row[0], row[2], row[3], row[4]) for row in raw["navigators"]),
    }


def summarise_figures(figures: Any) -> dict[str, Any]:
    return {
        "contacts": figures.contacts,
        "unique": figures.unique_clients,
        "new": figures.new_clients,
        "due": figures.followups_on_time.denominator,
        "on_time": figures.followups_on_time.numerator,
        "overdue": figures.overdue_now,
        "alerts": figures.safeguarding_alerts,
        "engagement": {
            service.value: (rate.numerator, rate.denominator)
            for service, rate in figures.engagement.items()
        },
        "navigators": sorted(
            (n.staff_id, n.contacts, n.open_caseload, n.overdue) for n in figures.navigators
        ),
    }


# Timing -----------------------------------------------------------------------------------
class StatementCounter:
    """Counts the SQL statements sent to the database (a cursor execute each)."""

    def __init__(self, engine: Any) -> None:
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


async def median_ms(
    run: Callable[[], Awaitable[Any]], repeat: int, counter: StatementCounter
) -> tuple[list[float], Any, int]:
    before = counter.count
    result = await run()  # warm-up (and the value to compare)
    statements = counter.count - before
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        await run()
        timings.append((time.perf_counter() - started) * 1000)
    return timings, result, statements


async def main_async(args: argparse.Namespace) -> list[dict[str, Any]]:
    kept = f"stats_{args.contacts}_{args.clients}"  # the --keep database, by data size
    populated = False
    if args.backend == "sqlite":
        if args.keep:
            OUT_DIR.mkdir(exist_ok=True)
            path = OUT_DIR / f"{kept}.db"
            populated = path.exists()
        else:
            path = Path(tempfile.mkdtemp(prefix="navbot-bench-")) / "bench.db"
        url = f"sqlite+aiosqlite:///{path}"
        admin = None
    else:
        base = make_url(args.postgres_url)
        name = f"navbot_bench_{kept}" if args.keep else f"navbot_bench_{uuid.uuid4().hex[:8]}"
        import psycopg

        admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as connection:
            populated = args.keep and bool(
                connection.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
                ).fetchone()
            )
            if not populated:
                connection.execute(f'CREATE DATABASE "{name}"')
        url = base.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        await upgrade_engine_to_head(engine)  # also brings a kept database's indexes up to date
        factory = create_session_factory(engine)
        started = time.perf_counter()
        if populated:
            print(f"[{args.backend}] reusing the data in {url.rsplit('/', 1)[-1]}")
        else:
            await populate(factory, contacts=args.contacts, clients=args.clients)
        if args.backend == "postgres":
            # As autovacuum would after a bulk load: statistics and the visibility map (which
            # index-only scans of the covering indexes need).
            async with engine.connect() as vacuum:
                await vacuum.execution_options(isolation_level="AUTOCOMMIT")
                await vacuum.execute(text("VACUUM ANALYZE"))
        else:
            async with engine.connect() as analyze:
                await analyze.execute(text("ANALYZE"))
        print(f"[{args.backend}] data in {time.perf_counter() - started:.0f} s")

        month = period_between(date(2026, 6, 1), date(2026, 6, 30), TZ)
        quarter = period_between(date(2026, 4, 1), date(2026, 6, 30), TZ)
        quarters = [quarter, previous_period(quarter, TZ)]
        scenarios: dict[str, tuple[list[Period], str | None]] = {
            "/stats month": ([month], "hospital"),
            "/stats quarter vs quarter": (quarters, "hospital"),
            "/stats quarter vs quarter, all teams": (quarters, None),  # an admin's default
        }
        counter = StatementCounter(engine)
        results = []
        reports = create_snapshot_session_factory(engine)  # the session the handlers read in
        for label, (periods, team) in scenarios.items():
            async with reports() as session:

                async def ours(
                    periods: list[Period] = periods, team: str | None = team
                ) -> list[Any]:
                    # What the /stats handler runs: the periods of a comparison at once, each
                    # in a snapshot session of its own.
                    later, earlier = periods[0], periods[1] if len(periods) > 1 else None
                    figures = await collect_stats_comparison(
                        reports, later=later, earlier=earlier, team=team, now=NOW, tz=TZ
                    )
                    return [summarise_figures(f) for f in figures if f is not None]

                async def hand(
                    session: AsyncSession = session,
                    periods: list[Period] = periods,
                    team: str | None = team,
                ) -> list[Any]:
                    return [summarise_baseline(await baseline(session, p, team)) for p in periods]

                ours_runs, ours_value, ours_sql = await median_ms(ours, args.repeat, counter)
                hand_runs, hand_value, hand_sql = await median_ms(hand, args.repeat, counter)
            ours_ms, hand_ms = statistics.median(ours_runs), statistics.median(hand_runs)
            assert ours_value == hand_value, f"figures differ:\n{ours_value}\n{hand_value}"
            results.append(
                {
                    "backend": args.backend,
                    "scenario": label,
                    "ours_ms": ours_ms,
                    "ours_range": (min(ours_runs), max(ours_runs)),
                    "baseline_ms": hand_ms,
                    "ratio": ours_ms / hand_ms,
                    "ours_sql": ours_sql,
                    "baseline_sql": hand_sql,
                    "drug": ours_value[0]["engagement"].get("drug_treatment"),
                }
            )
        return results
    finally:
        await engine.dispose()
        if admin is not None and not args.keep:
            import psycopg

            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the data (bench/out/stats_N_M.db, or database navbot_bench_stats_N_M) and "
        "reuse it on the next run with the same sizes instead of generating it again",
    )
    parser.add_argument("--stock-loop", action="store_true", help="asyncio's loop, not uvloop")
    args = parser.parse_args()
    print(f"event loop: {choose_event_loop(args.stock_loop)}")
    results = asyncio.run(main_async(args))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        "| backend | scenario | ours (ms) | ours range (ms) | baseline (ms) | ratio "
        "| statements (ours/baseline) | peak RSS (MB) |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in results:
        print(
            f"| {row['backend']} | {row['scenario']} | {row['ours_ms']:.0f} | "
            f"{row['ours_range'][0]:.0f}–{row['ours_range'][1]:.0f} | "
            f"{row['baseline_ms']:.0f} | {row['ratio']:.2f} | "
            f"{row['ours_sql']}/{row['baseline_sql']} | {peak_mb:.0f} |"
        )
    print(f"drug treatment engagement (engaged, eligible) in the month: {results[0]['drug']}")


if __name__ == "__main__":
    main()
