"""Conversation state per staff member (see storage.models.Conversation)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation


async def get_conversation(
    session: AsyncSession, *, staff_id: int, for_update: bool = False
) -> Conversation | None:
    """The staff member's conversation, expired or not (the caller decides what expiry means
    to the user). `for_update` locks it on PostgreSQL, so two quick taps are answered one
    after the other."""
    query = select(Conversation).where(Conversation.staff_id == staff_id)
    if for_update:
        query = query.with_for_update()
    conversation: Conversation | None = await session.scalar(query)
    return conversation


async def save_conversation(
    session: AsyncSession,
    *,
    staff_id: int,
    flow: str,
    step: str,
    data: dict[str, Any],
    now: datetime,
    expires_at: datetime,
) -> None:
    """Start or continue the staff member's conversation (replacing any other flow), in one
    statement: two processes starting one at the same moment cannot both insert. A
    `Conversation` read earlier in the same session is not refreshed: read it again."""
    values = {
        "staff_id": staff_id,
        "flow": flow,
        "step": step,
        "data": data,
        "updated_at": now,
        "expires_at": expires_at,
    }
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(Conversation).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[Conversation.staff_id],
        set_={key: value for key, value in values.items() if key != "staff_id"},
    )
    await session.execute(statement)


async def delete_conversation(session: AsyncSession, *, staff_id: int) -> str | None:
    """End the staff member's conversation; the flow that was open, if any."""
    flow: str | None = await session.scalar(
        delete(Conversation).where(Conversation.staff_id == staff_id).returning(Conversation.flow)
    )
    return flow


async def delete_expired_conversations(session: AsyncSession, *, now: datetime) -> int:
    result = await session.execute(delete(Conversation).where(Conversation.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)
