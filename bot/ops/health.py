"""Health checks shared by `navbot health` (the container's HEALTHCHECK) and `GET /healthz`
in webhook mode.

Each check is one line a council's IT admin can read; the report is healthy when every check
passes. The checks read only the database, so another process can judge a running bot:

* database: it answers;
* migrations: the schema is at this code's head revision;
* telegram: the bot heard from Telegram lately (a poll that answered; in webhook mode an
  update or the periodic webhook check), so it is connected and receiving;
* sweep: the reminder sweep finished lately, so nudges and alerts are being produced;
* deliveries: no message has waited more than five minutes past its time (the sender is
  stuck, or every send fails and is retried).

The two heartbeats are written by the running bot after each sweep (storage.heartbeats),
per host: the check reads this host's, or the newest of any host when this one has none (the
command run from another machine than the bot's).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.config import Settings
from storage.heartbeats import host_label, read_heartbeats
from storage.migrate import current_revisions, head_revision
from storage.models import OutboxMessage

DELIVERY_OVERDUE_AFTER = timedelta(minutes=5)


def heartbeat_limit(settings: Settings) -> timedelta:
    """How old a heartbeat may be: three sweeps (they are written after each), and never
    under three minutes (a slow sweep, a long poll, a webhook check every minute)."""
    return max(timedelta(minutes=3), timedelta(seconds=3 * settings.sweep_interval_seconds))


def _duration(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def _heartbeat_check(
    name: str, beats: dict[str, datetime], *, host: str, now: datetime, limit: timedelta
) -> Check:
    what = {"telegram": "last heard from Telegram", "sweep": "last reminder sweep"}[name]
    at = beats.get(host_label(host)) or max(beats.values(), default=None)
    if at is None:
        return Check(name, False, f"{what}: never (is the bot running?)")
    ok = now - at <= limit
    detail = f"{what} {_duration(now - at)} ago"
    return Check(name, ok, detail if ok else f"{detail}, more than {_duration(limit)}")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}: {self.detail}"


@dataclass(frozen=True)
class HealthReport:
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def lines(self) -> list[str]:
        return [check.line() for check in self.checks]


async def check_health(
    engine: AsyncEngine, settings: Settings, *, now: datetime, host: str | None = None
) -> HealthReport:
    """Every check against `engine` as of `now` (aware, UTC), for the bot on `host` (this
    machine by default)."""
    host = host or socket.gethostname()
    try:
        async with engine.connect() as connection:
            revisions = await connection.run_sync(current_revisions)
            if not revisions:  # a new, empty database: nothing else to read yet
                return HealthReport(
                    (
                        Check("database", True, "reachable"),
                        Check("migrations", False, "none applied: run navbot migrate"),
                    )
                )
            late = await connection.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(
                    OutboxMessage.status.in_(("pending", "claimed")),
                    OutboxMessage.not_before < now - DELIVERY_OVERDUE_AFTER,
                )
            )
            async with AsyncSession(bind=connection) as session:
                beats = await read_heartbeats(session)
    except (SQLAlchemyError, OSError) as error:
        return HealthReport((Check("database", False, f"unreachable ({type(error).__name__})"),))
    head = head_revision()
    at_head = revisions == (head,)
    late_count = int(late or 0)
    return HealthReport(
        (
            Check("database", True, "reachable"),
            Check(
                "migrations",
                at_head,
                f"at head {head}"
                if at_head
                else f"at {', '.join(revisions) or 'none'}, expected {head}: run navbot migrate",
            ),
            *(
                _heartbeat_check(
                    name,
                    beats.get(name, {}),
                    host=host,
                    now=now,
                    limit=heartbeat_limit(settings),
                )
                for name in ("telegram", "sweep")
            ),
            Check(
                "deliveries",
                late_count == 0,
                "none overdue"
                if late_count == 0
                else f"{late_count} message(s) more than 5 minutes overdue",
            ),
        )
    )
