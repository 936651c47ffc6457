"""Pending confirmation cards."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PendingDraft


async def create_draft(
    session: AsyncSession, *, staff_id: int, token: str, payload: dict[str, Any], at: datetime
) -> PendingDraft:
    draft = PendingDraft(
        staff_id=staff_id,
        token=token,
        payload=payload,
        status="pending",
        created_at=at,
        updated_at=at,
    )
    session.add(draft)
    await session.flush()
    return draft


async def get_draft(
    session: AsyncSession, *, draft_id: int, for_update: bool = False
) -> PendingDraft | None:
    query = select(PendingDraft).where(PendingDraft.id == draft_id)
    if for_update:
        query = query.with_for_update()
    draft: PendingDraft | None = await session.scalar(query)
    return draft


async def get_draft_awaiting_input(session: AsyncSession, *, staff_id: int) -> PendingDraft | None:
    """The navigator's card that asked for typed input (a date), if any: newest first."""
    draft: PendingDraft | None = await session.scalar(
        select(PendingDraft)
        .where(
            PendingDraft.staff_id == staff_id,
            PendingDraft.status == "pending",
            PendingDraft.editing.is_not(None),
        )
        .order_by(PendingDraft.updated_at.desc(), PendingDraft.id.desc())
        .limit(1)
    )
    return draft


async def mark_draft_status(
    session: AsyncSession,
    *,
    draft_id: int,
    from_status: str,
    to_status: str,
    at: datetime,
    contact_id: int | None = None,
) -> bool:
    """Conditional move (e.g. pending → saved). False when someone else got there first, which
    is how a double tap of Save saves once."""
    result = await session.execute(
        update(PendingDraft)
        .where(PendingDraft.id == draft_id, PendingDraft.status == from_status)
        .values(status=to_status, updated_at=at, contact_id=contact_id, editing=None)
    )
    return bool(getattr(result, "rowcount", 0))


async def clear_awaiting_input(session: AsyncSession, *, staff_id: int, at: datetime) -> None:
    await session.execute(
        update(PendingDraft)
        .where(PendingDraft.staff_id == staff_id, PendingDraft.editing.is_not(None))
        .values(editing=None, updated_at=at)
    )
