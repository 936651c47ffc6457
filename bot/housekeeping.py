"""Daily housekeeping run by the scheduler: the retention purge (PRODUCT §8)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from bot.context import NavContext
from bot.data_requests import purge_expired

PURGE_AT = time(3, 30)  # local time: quiet, and outside every plausible working window


async def purge_job(context: NavContext) -> None:
    services = context.services
    async with services.session_factory.begin() as session:
        await purge_expired(
            session,
            now=datetime.now(UTC),
            retention_days=services.settings.retention_days_after_close,
        )
