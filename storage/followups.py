"""Follow-ups: the planned check-ins the reminder sweep reads."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any, NamedTuple
from typing import cast as typing_cast

from sqlalchemy import (
    Integer,
    Table,
    bindparam,
    delete,
    insert,
    select,
    text,
    true,
    type_coerce,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import NullType

from storage.models import Client, FollowUp, FollowUpReminder, Staff
from storage.types import UTCDateTime, memoised, time_as_json


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


_FOLLOWUPS = typing_cast(Table, FollowUp.__table__)
_INSERT_FOLLOWUP = insert(_FOLLOWUPS).returning(_FOLLOWUPS.c.id)  # built once: every saved log
_INSERT_REMINDER = insert(typing_cast(Table, FollowUpReminder.__table__))


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
    """A new open follow-up's id, with its reminder row. Core INSERTs (they are part of every
    saved log): no ORM object is made, so callers holding FollowUp objects see nothing change
    under them."""
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
            },
        )
    ).scalar_one()
    await session.execute(
        _INSERT_REMINDER,
        {
            "followup_id": followup_id,
            "next_reminder_at": next_reminder_at,
            "due_nudge_sent": False,
            "overdue_nudges_sent": 0,
            "nudge_attempts": 0,
        },
    )
    return followup_id


def mark_followup_done(
    followup: FollowUp, *, at: datetime, contact_id: int | None, on_time: bool | None
) -> None:
    followup.status = "done"
    followup.completed_at = at
    followup.completed_by_contact_id = contact_id
    followup.completed_on_time = on_time
    followup.reminder.next_reminder_at = None
    forget_owed_nudge(followup)


def mark_followup_cancelled(followup: FollowUp, *, at: datetime) -> None:
    followup.status = "cancelled"
    followup.completed_at = at
    followup.reminder.next_reminder_at = None
    forget_owed_nudge(followup)


# A reminder row that owes no nudge (its attempts, last error and last sending are history).
NO_NUDGE_OWED: dict[str, Any] = {
    "nudge_kind": None,
    "nudge_days_overdue": None,
    "nudge_not_before": None,
    "nudge_claimed_by": None,
    "nudge_claimed_at": None,
}


def forget_owed_nudge(followup: FollowUp) -> None:
    """The follow-up no longer owes the nudge it had not yet sent: it was closed, moved to a
    new due time or to another navigator. A sender holding a claim on it finds the claim
    gone and records nothing (storage/nudges.py)."""
    for column, value in NO_NUDGE_OWED.items():
        setattr(followup.reminder, column, value)


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


# The sweep builds a thousand of each of these per batch: named tuples, immutable and built
# in C (a frozen dataclass sets each field through object.__setattr__, a cost per field).
class FollowUpReminderState(NamedTuple):
    """Where one follow-up's reminders stand after a sweep looked at it, and the nudge it now
    owes its navigator (`nudge_kind` "due" or "overdue"; None: any nudge already owed stays
    as it is)."""

    id: int
    due_nudge_sent: bool
    overdue_nudges_sent: int
    escalated_at: datetime | None
    next_reminder_at: datetime | None
    nudge_kind: str | None = None
    nudge_days_overdue: int = 0


class FollowUpToRemind(NamedTuple):
    """One due follow-up, with what producing its reminders needs: the client code and the
    owner's working hours and team. (What a nudge says about the last contact is read
    when it is sent, storage/nudges.py.)"""

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
    status: str  # "open"; anything else is a closed follow-up whose reminder was left behind


def _followups_to_remind_statement(dialect: str) -> Any:
    """The sweep's read (see `list_followups_to_remind`), with `now` and `limit` as bound
    parameters."""
    # The reminders are chosen and locked in a subquery on their table alone: both planners
    # walk the next_reminder_at index as far as what is due, and FOR UPDATE locks only the
    # reminder rows, which are what the batch writes. Each chosen reminder's follow-up and
    # client code are index probes per row: as plain joins, PostgreSQL's planner may hash
    # the whole followups table (a sequential scan) at some table sizes, so there the
    # follow-up is a LATERAL subquery whose LIMIT keeps it from being flattened into a
    # join. SQLite always probes by primary key. Staff (a small table) is joined.
    chosen = (
        select(
            FollowUpReminder.followup_id,
            FollowUpReminder.due_nudge_sent,
            FollowUpReminder.overdue_nudges_sent,
            FollowUpReminder.escalated_at,
            FollowUpReminder.next_reminder_at,
        )
        .where(FollowUpReminder.next_reminder_at <= bindparam("now", type_=UTCDateTime()))
        .order_by(FollowUpReminder.next_reminder_at, FollowUpReminder.followup_id)
        .limit(bindparam("limit", type_=Integer()))
        .with_for_update(skip_locked=True)
    )
    due = chosen.subquery("due")
    followup: Any
    if dialect == "postgresql":
        followup = (
            select(FollowUp.client_id, FollowUp.staff_id, FollowUp.due_at, FollowUp.status)
            .where(FollowUp.id == due.c.followup_id)
            .limit(1)
            .lateral("followup")
        )
        source = due.join(followup, true())
    else:
        followup = FollowUp.__table__
        source = due.join(followup, followup.c.id == due.c.followup_id)
    code = select(Client.code).where(Client.id == followup.c.client_id).scalar_subquery()
    # The timestamps come back as the driver gives them and are converted by the caller,
    # each distinct value once.
    return (
        select(
            due.c.followup_id,
            followup.c.client_id,
            followup.c.staff_id,
            type_coerce(followup.c.due_at, NullType()),
            due.c.due_nudge_sent,
            due.c.overdue_nudges_sent,
            type_coerce(due.c.escalated_at, NullType()),
            code,
            Staff.working_hours,
            Staff.team,
            followup.c.status,
        )
        .select_from(source.join(Staff, Staff.id == followup.c.staff_id))
        .order_by(due.c.next_reminder_at, due.c.followup_id)
    )


# Built once per dialect, not per batch: building the statement and generating its cache key
# costs SQLAlchemy more than running it.
_TO_REMIND = {
    dialect: _followups_to_remind_statement(dialect) for dialect in ("postgresql", "sqlite")
}
_RESULT_UTC = UTCDateTime()


async def list_followups_to_remind(
    session: AsyncSession, *, now: datetime, limit: int
) -> list[FollowUpToRemind]:
    """Follow-ups whose `next_reminder_at` has come, oldest first, their reminder rows locked
    (SKIP LOCKED on PostgreSQL), with the client code, the owner's working hours and team,
    and the status (closing a follow-up clears its `next_reminder_at`, so it is "open" unless
    something closed one without doing so): one statement for the whole batch.

    Reads the `next_reminder_at` index only as far as what is due: the cost follows the
    number of due follow-ups, not the number stored.
    """
    connection = await session.connection()
    # On the session's connection, not through the ORM: plain rows, no ORM result setup,
    # and no per-value result processing (text to datetime on SQLite, then to aware UTC, cost
    # more than the statement itself on SQLite). Each distinct timestamp is converted once.
    dialect = connection.dialect
    statement = _TO_REMIND["postgresql" if dialect.name == "postgresql" else "sqlite"]
    rows = await connection.execute(statement, {"now": now, "limit": limit})
    utc = memoised(partial(_RESULT_UTC.process_result_value, dialect=dialect))
    return [
        FollowUpToRemind(
            row[0], row[1], row[2], utc(row[3]), row[4], row[5], utc(row[6]), *row[7:11]
        )
        for row in rows.tuples()
    ]


# One UPDATE for a whole batch, the new states in a single JSON parameter (as the outbox
# rows, see storage/outbox.py): no per-row parameter processing in Python. It replaced
# PostgreSQL's UPDATE … FROM unnest(five arrays), whose arrays psycopg built element by
# element, and SQLite's ORM executemany by primary key (SQLAlchemy processed every
# parameter): what it saves is the per-parameter Python work before the statement. Both
# plans loop over the JSON elements and probe the reminders by primary key; jsonb on
# PostgreSQL for the reason given in storage/outbox.py. UPDATE … FROM needs SQLite 3.33 or later.
#
# A state that owes a nudge (element 5 not null) records it as a fresh, unclaimed nudge due
# at :now, replacing one that has not gone out; the others leave the nudge columns alone.
# A sender holding a claim on the replaced nudge finds its claim gone (storage/nudges.py).
_UPDATE_STATES = {
    "postgresql": """
UPDATE followup_reminders
SET due_nudge_sent = (s->>1)::boolean,
    overdue_nudges_sent = (s->>2)::integer,
    escalated_at = (s->>3)::timestamptz,
    next_reminder_at = (s->>4)::timestamptz,
    nudge_kind = COALESCE(s->>5, nudge_kind),
    nudge_days_overdue = CASE WHEN s->>5 IS NULL THEN nudge_days_overdue
                              ELSE (s->>6)::integer END,
    nudge_not_before = CASE WHEN s->>5 IS NULL THEN nudge_not_before
                            ELSE CAST(:now AS timestamptz) END,
    nudge_attempts = CASE WHEN s->>5 IS NULL THEN nudge_attempts ELSE 0 END,
    nudge_claimed_by = CASE WHEN s->>5 IS NULL THEN nudge_claimed_by END,
    nudge_claimed_at = CASE WHEN s->>5 IS NULL THEN nudge_claimed_at END,
    nudge_last_error = CASE WHEN s->>5 IS NULL THEN nudge_last_error END
FROM jsonb_array_elements(CAST(:states AS jsonb)) AS s
WHERE followup_reminders.followup_id = (s->>0)::integer
""",
    "sqlite": """
UPDATE followup_reminders
SET due_nudge_sent = json_extract(s.value, '$[1]'),
    overdue_nudges_sent = json_extract(s.value, '$[2]'),
    escalated_at = json_extract(s.value, '$[3]'),
    next_reminder_at = json_extract(s.value, '$[4]'),
    nudge_kind = COALESCE(json_extract(s.value, '$[5]'), nudge_kind),
    nudge_days_overdue = CASE WHEN json_extract(s.value, '$[5]') IS NULL
                              THEN nudge_days_overdue ELSE json_extract(s.value, '$[6]') END,
    nudge_not_before = CASE WHEN json_extract(s.value, '$[5]') IS NULL
                            THEN nudge_not_before ELSE :now END,
    nudge_attempts = CASE WHEN json_extract(s.value, '$[5]') IS NULL
                          THEN nudge_attempts ELSE 0 END,
    nudge_claimed_by = CASE WHEN json_extract(s.value, '$[5]') IS NULL
                            THEN nudge_claimed_by END,
    nudge_claimed_at = CASE WHEN json_extract(s.value, '$[5]') IS NULL
                            THEN nudge_claimed_at END,
    nudge_last_error = CASE WHEN json_extract(s.value, '$[5]') IS NULL
                            THEN nudge_last_error END
FROM json_each(:states) AS s
WHERE followup_reminders.followup_id = json_extract(s.value, '$[0]')
""",
}


async def update_followup_reminder_states(
    session: AsyncSession, states: Sequence[FollowUpReminderState], *, now: datetime
) -> None:
    """Store the reminder state the sweep moved on, and the nudges it now owes (due at
    `now`), for many follow-ups at once, as one statement (see `_UPDATE_STATES`). The sweep
    holds no FollowUp objects, so there is no identity map to keep in step."""
    if not states:
        return
    dialect = session.get_bind().dialect
    as_json = time_as_json(dialect)
    packed = json.dumps(
        [
            [
                s.id,
                s.due_nudge_sent,
                s.overdue_nudges_sent,
                as_json(s.escalated_at),
                as_json(s.next_reminder_at),
                s.nudge_kind,
                s.nudge_days_overdue,
            ]
            for s in states
        ],
        separators=(",", ":"),
    )
    await session.execute(
        text(_UPDATE_STATES["postgresql" if dialect.name == "postgresql" else "sqlite"]),
        {"states": packed, "now": as_json(now)},
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
