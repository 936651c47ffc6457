"""Follow-ups: the planned check-ins the reminder sweep reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Boolean, Integer, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Client, Contact, FollowUp, Staff
from storage.types import UTCDateTime


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


_FOLLOWUPS = cast(Table, FollowUp.__table__)
_INSERT_FOLLOWUP = insert(_FOLLOWUPS).returning(_FOLLOWUPS.c.id)  # built once: every saved log


async def create_followup(
    session: AsyncSession,
    *,
    client_id: int,
    staff_id: int,
    due_at: datetime,
    created_at: datetime,
    created_by_contact_id: int | None,
    next_reminder_at: datetime | None,
) -> int:
    """A new open follow-up's id. A Core INSERT … RETURNING (it is part of every saved log):
    no ORM object is made, so callers holding FollowUp objects see nothing change under them."""
    followup_id: int = (
        await session.execute(
            _INSERT_FOLLOWUP,
            {
                "client_id": client_id,
                "staff_id": staff_id,
                "due_at": due_at,
                "status": "open",
                "created_at": created_at,
                "created_by_contact_id": created_by_contact_id,
                "due_nudge_sent": False,
                "overdue_nudges_sent": 0,
                "next_reminder_at": next_reminder_at,
            },
        )
    ).scalar_one()
    return followup_id


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


@dataclass(frozen=True, slots=True)
class FollowUpToRemind:
    """One due open follow-up, with what producing its reminders needs: the client code,
    the owner's working hours and team, and the client's last contact (if any)."""

    id: int
    client_id: int
    staff_id: int
    due_at: datetime
    due_nudge_sent: bool
    overdue_nudges_sent: int
    escalated_at: datetime | None
    code: str
    working_hours: str | None
    team: str
    last_contact_id: int | None
    last_contact_at: datetime | None
    last_contact_setting: str | None
    last_contact_outcome: str | None


async def list_followups_to_remind(
    session: AsyncSession, *, now: datetime, limit: int
) -> list[FollowUpToRemind]:
    """Open follow-ups whose `next_reminder_at` has come, oldest first, locked (SKIP LOCKED
    on PostgreSQL), with the client code, the owner's working hours and team and the client's
    last contact: one statement for the whole batch.

    Reads the `next_reminder_at` index only as far as what is due: the cost follows the
    number of due follow-ups, not the number stored.
    """
    # The follow-ups are chosen and locked in a subquery on their table alone, so both
    # planners walk the next_reminder_at index (joined at the same level, SQLite may prefer
    # the staff index and scan a caseload) and FOR UPDATE locks only follow-up rows. The
    # client code and the last contact are correlated subqueries, i.e. index probes per
    # chosen row: as joins, PostgreSQL hashed whole clients and contacts tables at 100k
    # (44 ms, against 7 ms at 1M where it probed). The last contact is found through
    # ix_contacts_client_occurred, newest first. Staff (a small table) is joined.
    last_contact_id = (
        select(Contact.id)
        .where(Contact.client_id == FollowUp.client_id)
        .order_by(Contact.occurred_at.desc(), Contact.id.desc())
        .limit(1)
        .correlate(FollowUp)
        .scalar_subquery()
    )
    due = (
        select(
            FollowUp.id,
            FollowUp.client_id,
            FollowUp.staff_id,
            FollowUp.due_at,
            FollowUp.due_nudge_sent,
            FollowUp.overdue_nudges_sent,
            FollowUp.escalated_at,
            FollowUp.next_reminder_at,
            last_contact_id.label("last_contact_id"),
        )
        .where(FollowUp.next_reminder_at <= now, FollowUp.status == "open")
        .order_by(FollowUp.next_reminder_at, FollowUp.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .subquery("due")
    )
    code = select(Client.code).where(Client.id == due.c.client_id).scalar_subquery()

    def last_contact(column: Any) -> Any:
        return select(column).where(Contact.id == due.c.last_contact_id).scalar_subquery()

    rows = await session.execute(
        select(
            due.c.id,
            due.c.client_id,
            due.c.staff_id,
            due.c.due_at,
            due.c.due_nudge_sent,
            due.c.overdue_nudges_sent,
            due.c.escalated_at,
            code,
            Staff.working_hours,
            Staff.team,
            due.c.last_contact_id,
            last_contact(Contact.occurred_at),
            last_contact(Contact.setting),
            last_contact(Contact.outcome),
        )
        .join(Staff, Staff.id == due.c.staff_id)
        .order_by(due.c.next_reminder_at, due.c.id)
    )
    return [FollowUpToRemind(*row) for row in rows.tuples()]


async def update_followup_reminder_states(
    session: AsyncSession, states: Sequence[dict[str, Any]]
) -> None:
    """Store the reminder state the sweep moved on, for many follow-ups at once.

    Each dict holds `id`, `due_nudge_sent`, `overdue_nudges_sent`, `escalated_at` and
    `next_reminder_at`. On PostgreSQL one UPDATE … FROM unnest(arrays) (an executemany of
    1,000 UPDATEs cost ~40 ms there, this ~10 ms); on SQLite an executemany by primary key,
    which sqlite3 runs in C. The sweep holds no FollowUp objects, so there is no identity
    map to keep in step.
    """
    if not states:
        return
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    if dialect != "postgresql":
        await session.execute(update(FollowUp), list(states))  # ORM bulk UPDATE by primary key
        return
    new = func.unnest(
        bindparam("ids", [s["id"] for s in states], type_=ARRAY(Integer)),
        bindparam("due", [s["due_nudge_sent"] for s in states], type_=ARRAY(Boolean)),
        bindparam("overdue", [s["overdue_nudges_sent"] for s in states], type_=ARRAY(Integer)),
        bindparam("escalated", [s["escalated_at"] for s in states], type_=ARRAY(UTCDateTime())),
        bindparam("next", [s["next_reminder_at"] for s in states], type_=ARRAY(UTCDateTime())),
    ).table_valued(
        "id", "due_nudge_sent", "overdue_nudges_sent", "escalated_at", "next_reminder_at"
    )
    new = new.render_derived(name="new")
    await session.execute(
        update(FollowUp)
        .where(FollowUp.id == new.c.id)
        .values(
            due_nudge_sent=new.c.due_nudge_sent,
            overdue_nudges_sent=new.c.overdue_nudges_sent,
            escalated_at=new.c.escalated_at,
            next_reminder_at=new.c.next_reminder_at,
        )
        .execution_options(synchronize_session=False)
    )


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
