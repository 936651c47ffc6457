"""Clients, contacts, their risks and service events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Client, Contact, ContactRisk, FollowUp, ServiceEvent, Staff


async def get_client_by_code(session: AsyncSession, *, code: str) -> Client | None:
    client: Client | None = await session.scalar(select(Client).where(Client.code == code))
    return client


async def get_client(session: AsyncSession, *, client_id: int) -> Client | None:
    return await session.get(Client, client_id)


# The writes of a saved log are Core statements on the mapped tables, not ORM objects: a new
# row needs no identity-map bookkeeping or unit-of-work flush, and INSERT … RETURNING gives
# its id in the same statement. Column defaults and types (aware UTC) apply as for the ORM.
# Built once: they run for every saved log, and building one cost about what running it did.
_CLIENTS = cast(Table, Client.__table__)
_CONTACTS = cast(Table, Contact.__table__)
_FIND_CLIENT = select(Client.id, Client.status).where(Client.code == bindparam("code"))
_INSERT_CLIENT = insert(_CLIENTS).returning(_CLIENTS.c.id)
_INSERT_CONTACT = insert(_CONTACTS).returning(_CONTACTS.c.id)
_INSERT_RISKS = insert(cast(Table, ContactRisk.__table__))
_INSERT_EVENTS = insert(cast(Table, ServiceEvent.__table__))


async def find_client_id_and_status(session: AsyncSession, *, code: str) -> tuple[int, str] | None:
    row = (await session.execute(_FIND_CLIENT, {"code": code})).first()
    return None if row is None else (row[0], row[1])


async def create_client(
    session: AsyncSession, *, code: str, team: str, owner_id: int, at: datetime
) -> int:
    client_id: int = (
        await session.execute(
            _INSERT_CLIENT,
            {"code": code, "team": team, "owner_id": owner_id, "status": "open", "created_at": at},
        )
    ).scalar_one()
    return client_id


async def create_contact(
    session: AsyncSession,
    *,
    client_id: int,
    staff_id: int,
    team: str,
    occurred_at: datetime,
    logged_at: datetime,
    setting: str | None,
    outcome: str,
    language: str,
    note: str,
    source: str,
    risks: Sequence[str],
) -> int:
    contact_id: int = (
        await session.execute(
            _INSERT_CONTACT,
            {
                "client_id": client_id,
                "staff_id": staff_id,
                "team": team,
                "occurred_at": occurred_at,
                "logged_at": logged_at,
                "setting": setting,
                "outcome": outcome,
                "language": language,
                "note": note,
                "source": source,
            },
        )
    ).scalar_one()
    if risks:
        await session.execute(
            _INSERT_RISKS,
            [{"contact_id": contact_id, "risk": risk} for risk in sorted(set(risks))],
        )
    return contact_id


async def create_service_events(
    session: AsyncSession,
    *,
    client_id: int,
    contact_id: int | None,
    staff_id: int,
    events: Sequence[tuple[str, str]],
    occurred_at: datetime,
) -> None:
    """(service, status) events of one contact, in the order given, in one statement."""
    if not events:
        return
    await session.execute(
        _INSERT_EVENTS,
        [
            {
                "client_id": client_id,
                "contact_id": contact_id,
                "staff_id": staff_id,
                "service": service,
                "status": status,
                "occurred_at": occurred_at,
            }
            for service, status in events
        ],
    )


async def get_last_contact_by_staff(
    session: AsyncSession, *, staff_id: int, logged_since: datetime
) -> Contact | None:
    contact: Contact | None = await session.scalar(
        select(Contact)
        .where(Contact.staff_id == staff_id, Contact.logged_at >= logged_since)
        .order_by(Contact.logged_at.desc(), Contact.id.desc())
        .limit(1)
    )
    return contact


async def delete_contact(session: AsyncSession, *, contact_id: int) -> None:
    """Risks and service events go with it (ON DELETE CASCADE)."""
    await session.execute(delete(ServiceEvent).where(ServiceEvent.contact_id == contact_id))
    await session.execute(delete(ContactRisk).where(ContactRisk.contact_id == contact_id))
    await session.execute(delete(Contact).where(Contact.id == contact_id))


async def count_contacts_of_client(session: AsyncSession, *, client_id: int) -> int:
    return int(
        await session.scalar(select(func.count()).where(Contact.client_id == client_id)) or 0
    )


async def delete_client(session: AsyncSession, *, client_id: int) -> None:
    await session.execute(delete(FollowUp).where(FollowUp.client_id == client_id))
    await session.execute(delete(Client).where(Client.id == client_id))


async def list_recent_contacts(
    session: AsyncSession, *, client_id: int, limit: int = 10
) -> Sequence[tuple[Contact, str | None]]:
    """The client's latest contacts, newest first, each with the logging staff's name."""
    rows = await session.execute(
        select(Contact, Staff.display_name)
        .join(Staff, Staff.id == Contact.staff_id)
        .where(Contact.client_id == client_id)
        .order_by(Contact.occurred_at.desc(), Contact.id.desc())
        .limit(limit)
    )
    return [(contact, name) for contact, name in rows.all()]


async def list_contact_risks(
    session: AsyncSession, *, contact_ids: Sequence[int]
) -> dict[int, list[str]]:
    if not contact_ids:
        return {}
    rows = await session.execute(
        select(ContactRisk.contact_id, ContactRisk.risk)
        .where(ContactRisk.contact_id.in_(contact_ids))
        .order_by(ContactRisk.risk)
    )
    risks: dict[int, list[str]] = {}
    for contact_id, risk in rows.all():
        risks.setdefault(contact_id, []).append(risk)
    return risks


async def list_client_risks(session: AsyncSession, *, client_id: int) -> list[str]:
    rows = await session.scalars(
        select(ContactRisk.risk)
        .join(Contact, Contact.id == ContactRisk.contact_id)
        .where(Contact.client_id == client_id)
        .distinct()
        .order_by(ContactRisk.risk)
    )
    return list(rows.all())


async def list_latest_service_status(
    session: AsyncSession, *, client_id: int
) -> list[tuple[str, str, datetime]]:
    """(service, status, since) of the latest event per service for one client."""
    latest = (
        select(
            ServiceEvent.service,
            ServiceEvent.status,
            ServiceEvent.occurred_at,
            func.row_number()
            .over(
                partition_by=ServiceEvent.service,
                order_by=(ServiceEvent.occurred_at.desc(), ServiceEvent.id.desc()),
            )
            .label("rank"),
        )
        .where(ServiceEvent.client_id == client_id)
        .subquery()
    )
    rows = await session.execute(
        select(latest.c.service, latest.c.status, latest.c.occurred_at)
        .where(latest.c.rank == 1)
        .order_by(latest.c.service)
    )
    return [(service, status, at) for service, status, at in rows.all()]


async def list_caseload(
    session: AsyncSession,
    *,
    owner_id: int | None = None,
    team: str | None = None,
    limit: int = 200,
) -> Sequence[tuple[Client, datetime | None, datetime | None]]:
    """Open clients with their last contact and next open follow-up, by owner or team."""
    last_contact = (
        select(func.max(Contact.occurred_at))
        .where(Contact.client_id == Client.id)
        .correlate(Client)
        .scalar_subquery()
    )
    next_follow_up = (
        select(func.min(FollowUp.due_at))
        .where(FollowUp.client_id == Client.id, FollowUp.status == "open")
        .correlate(Client)
        .scalar_subquery()
    )
    query = select(Client, last_contact, next_follow_up).where(Client.status == "open")
    if owner_id is not None:
        query = query.where(Client.owner_id == owner_id)
    if team is not None:
        query = query.where(Client.team == team)
    query = query.order_by(next_follow_up.is_(None), next_follow_up, Client.code).limit(limit)
    rows = await session.execute(query)
    return [(client, last, upcoming) for client, last, upcoming in rows.all()]


async def list_recent_client_codes(
    session: AsyncSession, *, staff_id: int, limit: int = 6
) -> list[str]:
    """Codes of the clients this navigator logged most recently (for guided-flow buttons)."""
    rows = await session.execute(
        select(Client.code, func.max(Contact.logged_at).label("last"))
        .join(Contact, Contact.client_id == Client.id)
        .where(Contact.staff_id == staff_id, Client.status == "open")
        .group_by(Client.code)
        .order_by(func.max(Contact.logged_at).desc())
        .limit(limit)
    )
    return [code for code, _ in rows.all()]
