"""The append-only audit log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, utcnow


class Actor(Protocol):
    """Anyone who acts: a staff row or the snapshot handlers carry."""

    @property
    def id(self) -> int: ...

    @property
    def telegram_id(self) -> int: ...


async def create_audit_entry(
    session: AsyncSession,
    *,
    action: str,
    actor: Actor | None = None,
    actor_staff_id: int | None = None,
    actor_telegram_id: int | None = None,
    client_code: str | None = None,
    detail: str | None = None,
    at: datetime | None = None,
) -> None:
    if actor is not None:
        actor_staff_id, actor_telegram_id = actor.id, actor.telegram_id
    session.add(
        AuditEntry(
            at=at or utcnow(),
            action=action,
            actor_staff_id=actor_staff_id,
            actor_telegram_id=actor_telegram_id,
            client_code=client_code,
            detail=detail,
        )
    )


_INSERT_AUDIT = insert(cast(Table, AuditEntry.__table__))  # built once: every saved log


async def insert_audit_entry(
    session: AsyncSession,
    *,
    action: str,
    actor: Actor,
    client_code: str | None = None,
    detail: str | None = None,
    at: datetime,
) -> None:
    """One audit row, written now as a Core INSERT rather than added to the unit of work.

    For the single row of a hot path (every saved log), where the ORM flush costs more than
    the insert. Code that writes many rows in one transaction (the sweep) keeps
    `create_audit_entry`, whose rows the flush sends as one batch.
    """
    await session.execute(
        _INSERT_AUDIT,
        {
            "at": at,
            "action": action,
            "actor_staff_id": actor.id,
            "actor_telegram_id": actor.telegram_id,
            "client_code": client_code,
            "detail": detail,
        },
    )


async def list_audit_entries(
    session: AsyncSession, *, action: str | None = None, client_code: str | None = None
) -> Sequence[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if client_code is not None:
        query = query.where(AuditEntry.client_code == client_code)
    return (await session.scalars(query)).all()
