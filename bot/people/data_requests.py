"""Data protection chores (PRODUCT §8): export or erase one client, and the retention purge."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.domain import AuditAction
from storage.audit import Actor, create_audit_entry, list_audit_entries
from storage.clients import get_client_by_code
from storage.models import (
    Client,
    Contact,
    ContactRisk,
    FollowUp,
    PendingDraft,
    SafeguardingAlert,
    ServiceEvent,
    Staff,
)

log = logging.getLogger(__name__)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def export_client(
    session: AsyncSession, *, code: str, now: datetime, actor: Actor | None = None
) -> dict[str, Any] | None:
    """Everything held about one client code, as plain data (notes are already redacted)."""
    client = await get_client_by_code(session, code=code)
    if client is None:
        return None
    rows = (await session.execute(select(Staff.id, Staff.display_name))).tuples().all()
    names: dict[int, str | None] = dict(rows)
    contacts = (
        await session.scalars(
            select(Contact).where(Contact.client_id == client.id).order_by(Contact.occurred_at)
        )
    ).all()
    risks: dict[int, list[str]] = {}
    for contact_id, risk in (
        await session.execute(
            select(ContactRisk.contact_id, ContactRisk.risk).where(
                ContactRisk.contact_id.in_([c.id for c in contacts])
            )
        )
    ).all():
        risks.setdefault(contact_id, []).append(risk)
    events = (
        await session.scalars(
            select(ServiceEvent)
            .where(ServiceEvent.client_id == client.id)
            .order_by(ServiceEvent.occurred_at)
        )
    ).all()
    followups = (
        await session.scalars(
            select(FollowUp).where(FollowUp.client_id == client.id).order_by(FollowUp.due_at)
        )
    ).all()
    alerts = (
        await session.scalars(
            select(SafeguardingAlert).where(SafeguardingAlert.client_id == client.id)
        )
    ).all()
    audit = await list_audit_entries(session, client_code=code)
    await create_audit_entry(
        session,
        action=AuditAction.EXPORT,
        actor=actor,
        client_code=code,
        detail="chat" if actor else "cli",
        at=now,
    )
    return {
        "client": {
            "code": client.code,
            "team": client.team,
            "owner": names.get(client.owner_id),
            "status": client.status,
            "created_at": _iso(client.created_at),
            "closed_at": _iso(client.closed_at),
            "close_reason": client.close_reason,
        },
        "contacts": [
            {
                "occurred_at": _iso(c.occurred_at),
                "logged_at": _iso(c.logged_at),
                "navigator": names.get(c.staff_id),
                "team": c.team,
                "setting": c.setting,
                "outcome": c.outcome,
                "language": c.language,
                "risks": sorted(risks.get(c.id, [])),
                "note": c.note,
            }
            for c in contacts
        ],
        "service_events": [
            {"service": e.service, "status": e.status, "occurred_at": _iso(e.occurred_at)}
            for e in events
        ],
        "follow_ups": [
            {
                "due_at": _iso(f.due_at),
                "status": f.status,
                "navigator": names.get(f.staff_id),
                "completed_at": _iso(f.completed_at),
                "completed_on_time": f.completed_on_time,
            }
            for f in followups
        ],
        "safeguarding_alerts": [
            {
                "risks": a.risks.split(","),
                "raised_at": _iso(a.raised_at),
                "acknowledged_at": _iso(a.acknowledged_at),
            }
            for a in alerts
        ],
        "audit": [
            {"at": _iso(a.at), "action": a.action, "actor_staff": names.get(a.actor_staff_id or 0)}
            for a in audit
        ],
    }


async def _delete_client_records(session: AsyncSession, client: Client) -> int:
    """Delete a client and everything that hangs off it; returns the number of contacts."""
    contact_ids = list(
        (await session.scalars(select(Contact.id).where(Contact.client_id == client.id))).all()
    )
    # Cards are transient copies of a log: drop any that carry this code.
    drafts = (await session.scalars(select(PendingDraft))).all()
    for draft in drafts:
        if draft.payload.get("code") == client.code:
            await session.delete(draft)
    await session.execute(delete(SafeguardingAlert).where(SafeguardingAlert.client_id == client.id))
    await session.execute(delete(FollowUp).where(FollowUp.client_id == client.id))
    await session.execute(delete(ServiceEvent).where(ServiceEvent.client_id == client.id))
    if contact_ids:
        await session.execute(delete(ContactRisk).where(ContactRisk.contact_id.in_(contact_ids)))
        await session.execute(delete(Contact).where(Contact.id.in_(contact_ids)))
    await session.execute(delete(Client).where(Client.id == client.id))
    return len(contact_ids)


async def erase_client(
    session: AsyncSession, *, code: str, now: datetime, actor: Actor | None = None
) -> int | None:
    """Erase one client code entirely. The audit log keeps that it happened (code only)."""
    client = await get_client_by_code(session, code=code)
    if client is None:
        return None
    contacts = await _delete_client_records(session, client)
    await create_audit_entry(
        session,
        action=AuditAction.ERASE,
        actor=actor,
        client_code=code,
        detail=f"{contacts} contacts",
        at=now,
    )
    return contacts


async def purge_expired(session: AsyncSession, *, now: datetime, retention_days: int) -> int:
    """Remove closed cases whose closure is older than the retention period, and finished
    cards older than a day. Returns the number of clients purged."""
    cutoff = now - timedelta(days=retention_days)
    expired = (
        await session.scalars(
            select(Client).where(Client.status == "closed", Client.closed_at < cutoff)
        )
    ).all()
    for client in expired:
        contacts = await _delete_client_records(session, client)
        await create_audit_entry(
            session,
            action=AuditAction.PURGE,
            client_code=client.code,
            detail=f"{contacts} contacts, closed {client.closed_at:%Y-%m-%d}",
            at=now,
        )
    await session.execute(
        delete(PendingDraft).where(
            PendingDraft.status != "pending", PendingDraft.updated_at < now - timedelta(days=1)
        )
    )
    await session.execute(
        delete(PendingDraft).where(PendingDraft.updated_at < now - timedelta(days=7))
    )
    if expired:
        log.info("retention purge removed %d closed clients", len(expired))
    return len(expired)
