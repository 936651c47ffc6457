"""Health checks shared by `navbot health` (the container's HEALTHCHECK) and, later, an HTTP
`/healthz` in webhook mode.

Each check is one line a council's IT admin can read; the report is healthy when every check
passes. The checks read only the database, so another process can judge a running bot:

* database: it answers;
* migrations: the schema is at this code's head revision;
* deliveries: no message has waited more than five minutes past its time (the sender is
  stuck, or every send fails and is retried).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from storage.migrate import current_revisions, head_revision
from storage.models import OutboxMessage

DELIVERY_OVERDUE_AFTER = timedelta(minutes=5)


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


async def check_health(engine: AsyncEngine, settings: Settings, *, now: datetime) -> HealthReport:
    """Every check against `engine` as of `now` (aware, UTC)."""
    del settings  # thresholds from settings arrive with the time-based checks
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
            Check(
                "deliveries",
                late_count == 0,
                "none overdue"
                if late_count == 0
                else f"{late_count} message(s) more than 5 minutes overdue",
            ),
        )
    )
