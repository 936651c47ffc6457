"""Health checks shared by `navbot health` and `GET /healthz` in webhook mode.

Each check is one line a council's IT admin can read; the report is healthy when every
check passes. Checks read only the database, so another process (the CLI, a container's
HEALTHCHECK) can judge a running bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings


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
    """Every check against `engine` as of `now` (aware, UTC), with thresholds from `settings`."""
    del settings, now  # used by the time-based checks
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError) as error:
        return HealthReport((Check("database", False, f"unreachable ({type(error).__name__})"),))
    return HealthReport((Check("database", True, "reachable"),))
