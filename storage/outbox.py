"""The outbox: messages the bot owes people, produced in the same transaction as their cause."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage


async def create_outbox_message(
    session: AsyncSession,
    *,
    dedupe_key: str,
    kind: str,
    recipient_id: int,
    not_before: datetime,
    payload: dict[str, Any],
    followup_id: int | None = None,
    alert_id: int | None = None,
) -> bool:
    """Insert unless a message with this dedupe key exists. True when inserted.

    The unique dedupe key is what makes producing a reminder idempotent: a sweep that runs
    twice, or two processes sweeping at once, cannot owe the same message twice.
    """
    values = {
        "dedupe_key": dedupe_key,
        "kind": kind,
        "recipient_id": recipient_id,
        "not_before": not_before,
        "payload": payload,
        "followup_id": followup_id,
        "alert_id": alert_id,
        "status": "pending",
        "attempts": 0,
        "created_at": not_before,
    }
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(OutboxMessage).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0))


async def outbox_message_exists(session: AsyncSession, *, dedupe_key: str) -> bool:
    """Whether a message with this dedupe key was ever produced (whatever its status)."""
    found = await session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key).limit(1)
    )
    return found is not None
