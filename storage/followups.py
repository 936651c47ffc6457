"""Follow-ups: the planned check-ins the reminder sweep reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Client, FollowUp, Staff


async def list_open_followups_of_client(
    session: AsyncSession, *, client_id: int, for_update: bool = False
) -> Sequence[FollowUp]:
    query = select(FollowUp).where(FollowUp.client_id == client_id, FollowUp.status == "open")
    if for_update:
        query = query.with_for_update()
    return (await session.scalars(query.order_by(FollowUp.id))).all()


async def get_followup(
    session: AsyncSession, *, followup_id: int, for_update: bool = False
) -> FollowUp | None:
    query = select(FollowUp).where(FollowUp.id == followup_id)
    if for_update:
        query = query.with_for_update()
    followup: FollowUp | None = await session.scalar(query)
    return followup


async def create_followup(
    session: AsyncSession,
    *,
    client_id: int,
    staff_id: int,
    due_at: datetime,
    created_at: datetime,
    created_by_contact_id: int | None,
    next_reminder_at: datetime | None,
) -> FollowUp:
    followup = FollowUp(
        client_id=client_id,
        staff_id=staff_id,
        due_at=due_at,
        status="open",
        created_at=created_at,
        created_by_contact_id=created_by_contact_id,
        due_nudge_sent=False,
        overdue_nudges_sent=0,
        next_reminder_at=next_reminder_at,
    )
    session.add(followup)
    await session.flush()
    return followup


def mark_followup_done(
    followup: FollowUp, *, at: datetime, contact_id: int | None, on_time: bool | None
) -> None:
    followup.status = "done"
    followup.completed_at = at
    followup.completed_by_contact_id = contact_id
    followup.completed_on_time = on_time
    followup.next_reminder_at = None


def mark_followup_cancelled(followup: FollowUp, *, at: datetime) -> None:
    followup.status = "cancelled"
    followup.completed_at = at
    followup.next_reminder_at = None


async def list_followups_completed_by(
    session: AsyncSession, *, contact_id: int
) -> Sequence[FollowUp]:
    return (
        await session.scalars(
            select(FollowUp).where(FollowUp.completed_by_contact_id == contact_id)
        )
    ).all()


async def delete_followups_created_by(session: AsyncSession, *, contact_id: int) -> None:
    await session.execute(delete(FollowUp).where(FollowUp.created_by_contact_id == contact_id))


async def list_due_followups_of_staff(
    session: AsyncSession, *, staff_id: int, due_before: datetime
) -> Sequence[tuple[FollowUp, str]]:
    """Open follow-ups of one navigator due before an instant, oldest first, with the code."""
    rows = await session.execute(
        select(FollowUp, Client.code)
        .join(Client, Client.id == FollowUp.client_id)
        .where(
            FollowUp.staff_id == staff_id,
            FollowUp.status == "open",
            FollowUp.due_at < due_before,
        )
        .order_by(FollowUp.due_at, FollowUp.id)
    )
    return [(followup, code) for followup, code in rows.all()]


async def list_followups_to_remind(
    session: AsyncSession, *, now: datetime, limit: int
) -> Sequence[tuple[FollowUp, str, str | None, str]]:
    """Open follow-ups whose `next_reminder_at` has come, with the client code and the
    owner's working hours and team; oldest first, locked (SKIP LOCKED on PostgreSQL).

    Reads the `next_reminder_at` index only as far as what is due: the cost follows the
    number of due follow-ups, not the number stored.
    """
    # Two steps on purpose: on the follow-ups table alone both planners walk the
    # next_reminder_at index; joined, SQLite may prefer the staff index and scan a caseload.
    followups = (
        await session.scalars(
            select(FollowUp)
            .where(FollowUp.next_reminder_at <= now, FollowUp.status == "open")
            .order_by(FollowUp.next_reminder_at, FollowUp.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    if not followups:
        return []
    client_rows = await session.execute(
        select(Client.id, Client.code).where(Client.id.in_({f.client_id for f in followups}))
    )
    codes: dict[int, str] = dict(client_rows.tuples().all())
    owners = {
        row.id: (row.working_hours, row.team)
        for row in (
            await session.execute(
                select(Staff.id, Staff.working_hours, Staff.team).where(
                    Staff.id.in_({f.staff_id for f in followups})
                )
            )
        ).all()
    }
    return [
        (f, codes[f.client_id], owners[f.staff_id][0], owners[f.staff_id][1]) for f in followups
    ]


async def list_open_followups_of_staff(
    session: AsyncSession, *, staff_id: int, for_update: bool = False
) -> Sequence[FollowUp]:
    query = select(FollowUp).where(FollowUp.staff_id == staff_id, FollowUp.status == "open")
    if for_update:
        query = query.with_for_update()
    return (await session.scalars(query.order_by(FollowUp.id))).all()


async def list_staff_with_due_followups(
    session: AsyncSession, *, staff_ids: Sequence[int], due_before: datetime
) -> set[int]:
    """Which of these staff members have an open follow-up due before an instant."""
    if not staff_ids:
        return set()
    rows = await session.scalars(
        select(FollowUp.staff_id)
        .where(
            FollowUp.staff_id.in_(staff_ids),
            FollowUp.status == "open",
            FollowUp.due_at < due_before,
        )
        .distinct()
    )
    return set(rows.all())
