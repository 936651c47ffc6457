"""Heartbeats: when a running bot last heard from Telegram and last finished a sweep.

`navbot health` runs in another process (the container's HEALTHCHECK), so the bot writes
these where that process can read them: one `app_state` row per heartbeat and host,
``heartbeat:<name>:<host>``, upserted so that two processes never collide on the insert.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AppState

PREFIX = "heartbeat:"
_HOST_LENGTH = 40  # app_state.key is 64 characters


def heartbeat_key(name: str, host: str) -> str:
    return f"{PREFIX}{name}:{host[:_HOST_LENGTH]}"


async def record_heartbeats(
    session: AsyncSession, *, names: list[str], host: str, at: datetime
) -> None:
    """Upsert ``heartbeat:<name>:<host>`` = ``at`` (ISO 8601, UTC) for each name."""
    if not names:
        return
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(cast(Table, AppState.__table__)).values(
        [{"key": heartbeat_key(name, host), "value": at.isoformat()} for name in names]
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["key"], set_={"value": statement.excluded.value}
        )
    )


async def read_heartbeats(session: AsyncSession, *, name: str) -> dict[str, datetime]:
    """Every host's last ``name`` heartbeat: ``{host: when}``."""
    prefix = f"{PREFIX}{name}:"
    rows = await session.execute(
        select(AppState.key, AppState.value).where(AppState.key.startswith(prefix, autoescape=True))
    )
    beats: dict[str, datetime] = {}
    for key, value in rows:
        try:
            beats[key[len(prefix) :]] = datetime.fromisoformat(value)
        except ValueError:  # written by something else: not a heartbeat
            continue
    return beats
