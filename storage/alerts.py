"""Safeguarding alerts: the repeat-to-admins sweep and the first-acknowledgement-wins update."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SafeguardingAlert


async def get_alert(session: AsyncSession, *, alert_id: int) -> SafeguardingAlert | None:
    return await session.get(SafeguardingAlert, alert_id)


async def list_alerts_to_repeat(
    session: AsyncSession, *, now: datetime, limit: int
) -> Sequence[SafeguardingAlert]:
    """Unacknowledged alerts whose repeat time has come, locked (SKIP LOCKED on PostgreSQL)."""
    return (
        await session.scalars(
            select(SafeguardingAlert)
            .where(
                SafeguardingAlert.repeat_at <= now,
                SafeguardingAlert.acknowledged_at.is_(None),
            )
            .order_by(SafeguardingAlert.repeat_at, SafeguardingAlert.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()


async def mark_alert_acknowledged(
    session: AsyncSession, *, alert_id: int, staff_id: int, at: datetime
) -> bool:
    """True for the first acknowledgement only; it also stops the repeat to admins."""
    result = await session.execute(
        update(SafeguardingAlert)
        .where(SafeguardingAlert.id == alert_id, SafeguardingAlert.acknowledged_at.is_(None))
        .values(acknowledged_at=at, acknowledged_by_id=staff_id, repeat_at=None)
    )
    return bool(getattr(result, "rowcount", 0))
