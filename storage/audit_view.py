"""Reading the audit log a page at a time, and counting what an erasure removes (issue 16)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, Client, Contact, FollowUp, SafeguardingAlert, ServiceEvent


async def list_audit_page(
    session: AsyncSession,
    *,
    client_code: str | None = None,
    actor_staff_id: int | None = None,
    offset: int,
    limit: int,
) -> tuple[Sequence[AuditEntry], int]:
    """Newest first: one page of the client's (or the member's) entries, and how many in all."""
    where = (
        AuditEntry.client_code == client_code
        if client_code is not None
        else AuditEntry.actor_staff_id == actor_staff_id
    )
    total = int(
        await session.scalar(select(func.count()).select_from(AuditEntry).where(where)) or 0
    )
    rows = (
        await session.scalars(
            select(AuditEntry)
            .where(where)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .offset(offset)
            .limit(limit)
        )
    ).all()
    return rows, total


async def count_client_records(session: AsyncSession, *, code: str) -> int | None:
    """Contacts, service events, follow-ups and alerts held about a client (None: no such
    client): the number an erasure asks to confirm."""
    client_id = await session.scalar(select(Client.id).where(Client.code == code))
    if client_id is None:
        return None
    total = 1  # the client record itself
    for model in (Contact, ServiceEvent, FollowUp, SafeguardingAlert):
        total += int(
            await session.scalar(
                select(func.count()).select_from(model).where(model.client_id == client_id)
            )
            or 0
        )
    return total
