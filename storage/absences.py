"""Absences (leave) and their covers. Days are local dates, inclusive at both ends."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Absence, Client, Contact, FollowUp


def _in_force(day: date) -> ColumnElement[bool]:
    """Absences covering `day` that were not ended early."""
    return and_(Absence.starts_on <= day, Absence.ends_on >= day, Absence.ended_at.is_(None))


async def create_absence(
    session: AsyncSession,
    *,
    staff_id: int,
    cover_id: int | None,
    starts_on: date,
    ends_on: date,
    created_by_id: int,
    at: datetime,
) -> Absence:
    absence = Absence(
        staff_id=staff_id,
        cover_id=cover_id,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by_id=created_by_id,
        created_at=at,
    )
    session.add(absence)
    await session.flush()
    return absence


async def list_absences_of_staff(
    session: AsyncSession, *, staff_id: int, from_day: date
) -> Sequence[Absence]:
    """Current and planned absences (not ended early, not over before `from_day`)."""
    return (
        await session.scalars(
            select(Absence)
            .where(
                Absence.staff_id == staff_id,
                Absence.ends_on >= from_day,
                Absence.ended_at.is_(None),
            )
            .order_by(Absence.starts_on)
        )
    ).all()


async def count_overlapping_absences(
    session: AsyncSession, *, staff_id: int, starts_on: date, ends_on: date
) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Absence)
            .where(
                Absence.staff_id == staff_id,
                Absence.ended_at.is_(None),
                Absence.starts_on <= ends_on,
                Absence.ends_on >= starts_on,
            )
        )
        or 0
    )


async def get_absence_in_force(
    session: AsyncSession, *, staff_id: int, day: date
) -> Absence | None:
    absence: Absence | None = await session.scalar(
        select(Absence).where(Absence.staff_id == staff_id, _in_force(day)).limit(1)
    )
    return absence


async def list_absences_in_force(
    session: AsyncSession, *, staff_ids: Sequence[int] | None, day: date
) -> Sequence[Absence]:
    """Absences in force on `day` (of these members; of everyone with None)."""
    query = select(Absence).where(_in_force(day)).order_by(Absence.id)
    if staff_ids is not None:
        if not staff_ids:
            return []
        query = query.where(Absence.staff_id.in_(staff_ids))
    return (await session.scalars(query)).all()


async def list_absences_since(
    session: AsyncSession, *, staff_ids: Sequence[int], since: date
) -> Sequence[Absence]:
    """Every absence of these members that had begun and lasted to `since` or later: what
    pauses their overdue clocks. One ended early counts up to the day it was ended."""
    if not staff_ids:
        return []
    return (
        await session.scalars(
            select(Absence)
            .where(Absence.staff_id.in_(staff_ids), Absence.ends_on >= since)
            .order_by(Absence.staff_id, Absence.starts_on)
        )
    ).all()


async def list_absences_to_summarise(session: AsyncSession, *, today: date) -> Sequence[Absence]:
    """Absences that are over (the last day has passed, or ended early) and whose return
    summary has not been produced."""
    return (
        await session.scalars(
            select(Absence)
            .where(
                Absence.summary_at.is_(None),
                or_(Absence.ends_on < today, Absence.ended_at.is_not(None)),
                Absence.starts_on <= today,
            )
            .with_for_update(skip_locked=True)
        )
    ).all()


async def list_cover_activity(
    session: AsyncSession, *, staff_id: int, since: datetime, until: datetime
) -> Sequence[tuple[str, int, str, int]]:
    """What others did with this member's clients between `since` and `until`: per client code,
    (code, contacts, latest outcome, open follow-ups the member still has). Codes only."""
    counts = (
        select(
            Contact.client_id,
            func.count(Contact.id).label("contacts"),
            func.max(Contact.occurred_at).label("latest"),
        )
        .join(Client, Client.id == Contact.client_id)
        .where(
            Client.owner_id == staff_id,
            Contact.staff_id != staff_id,
            Contact.logged_at >= since,
            Contact.logged_at < until,
        )
        .group_by(Contact.client_id)
        .subquery()
    )
    rows = (
        await session.execute(
            select(Client.code, counts.c.contacts, Contact.outcome)
            .join(counts, counts.c.client_id == Client.id)
            .join(
                Contact,
                and_(
                    Contact.client_id == Client.id,
                    Contact.occurred_at == counts.c.latest,
                    Contact.staff_id != staff_id,
                ),
            )
            .order_by(Client.code)
        )
    ).all()
    seen: dict[str, tuple[str, int, str, int]] = {}
    for code, contacts, outcome in rows:
        seen.setdefault(code, (code, int(contacts), str(outcome), 0))
    open_counts = dict(
        (
            await session.execute(
                select(Client.code, func.count(FollowUp.id))
                .join(FollowUp, FollowUp.client_id == Client.id)
                .where(FollowUp.staff_id == staff_id, FollowUp.status == "open")
                .group_by(Client.code)
            )
        )
        .tuples()
        .all()
    )
    return [(c, n, o, int(open_counts.get(c, 0))) for c, n, o, _ in seen.values()]
