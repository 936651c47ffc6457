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


def host_label(host: str) -> str:
    """How a host is named in its heartbeat keys (and so in `read_heartbeats`' answer)."""
    return host[:_HOST_LENGTH]


async def record_heartbeats(
    session: AsyncSession, *, host: str, beats: dict[str, datetime]
) -> None:
    """Upsert ``heartbeat:<name>:<host>`` = when (ISO 8601, UTC) for each ``{name: when}``,
    in one statement."""
    if not beats:
        return
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(cast(Table, AppState.__table__)).values(
        [
            {"key": f"{PREFIX}{name}:{host_label(host)}", "value": at.isoformat()}
            for name, at in beats.items()
        ]
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["key"], set_={"value": statement.excluded.value}
        )
    )


async def read_heartbeats(session: AsyncSession) -> dict[str, dict[str, datetime]]:
    """Every heartbeat of every host, in one query: ``{name: {host: when}}``."""
    rows = await session.execute(
        select(AppState.key, AppState.value).where(AppState.key.startswith(PREFIX, autoescape=True))
    )
    beats: dict[str, dict[str, datetime]] = {}
    for key, value in rows:
        name, _, host = key.removeprefix(PREFIX).partition(":")
        try:
            beats.setdefault(name, {})[host] = datetime.fromisoformat(value)
        except ValueError:  # written by something else: not a heartbeat
            continue
    return beats
