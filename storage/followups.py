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
    Text,
    bindparam,
    cast,
    delete,
    func,
    insert,
    select,
    text,
    true,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import FromClause
from sqlalchemy.types import NullType

from storage.models import Client, Contact, FollowUp, ServiceEvent, Staff
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


# The sweep builds 1,000 of each of these per batch: named tuples, immutable and built in C
# (a frozen dataclass sets each field through object.__setattr__: ~2 ms per 1,000 rows).
class FollowUpReminderState(NamedTuple):
    """Where one follow-up's reminders stand after a sweep looked at it."""

    id: int
    due_nudge_sent: bool
    overdue_nudges_sent: int
    escalated_at: datetime | None
    next_reminder_at: datetime | None


class FollowUpToRemind(NamedTuple):
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
    last_contact_services: list[list[str]]  # [service, status], by service then as recorded


def _services_of(contact_id: Any, dialect: str, *, outer: FromClause) -> Any:
    """The (service, status) events of one contact as a JSON array of pairs, ordered by
    service and then as recorded: a correlated subquery (an index probe per contact), so
    the sweep reads the services together with the batch instead of in a second statement
    (its IN list of 1,000 ids cost more to build and parse than the lookups themselves)."""
    if dialect == "postgresql":
        return (
            select(
                func.coalesce(
                    func.json_agg(
                        aggregate_order_by(
                            func.json_build_array(ServiceEvent.service, ServiceEvent.status),
                            ServiceEvent.service,
                            ServiceEvent.id,
                        )
                    ),
                    text("'[]'::json"),
                )
            )
            .where(ServiceEvent.contact_id == contact_id)
            .scalar_subquery()
        )
    # SQLite (before 3.44) has no ORDER BY inside an aggregate; json_group_array takes the
    # rows in the order of an ordered subquery.
    events = (
        select(ServiceEvent.service, ServiceEvent.status)
        .where(ServiceEvent.contact_id == contact_id)
        .order_by(ServiceEvent.service, ServiceEvent.id)
        .correlate(outer)  # inside FROM, SQLAlchemy would otherwise list `outer` again
        .subquery("events")
    )
    return select(
        func.json_group_array(func.json_array(events.c.service, events.c.status))
    ).scalar_subquery()


def _followups_to_remind_statement(dialect: str) -> Any:
    """The sweep's read (see `list_followups_to_remind`), with `now` and `limit` as bound
    parameters."""
    # The follow-ups are chosen and locked in a subquery on their table alone, so both
    # planners walk the next_reminder_at index (joined at the same level, SQLite may prefer
    # the staff index and scan a caseload) and FOR UPDATE locks only follow-up rows. The
    # client code and the last contact are index probes per chosen row: as plain joins,
    # PostgreSQL hashed whole clients and contacts tables at 100k (44 ms, against 7 ms at 1M
    # where it probed). The last contact is found through ix_contacts_client_occurred_team,
    # newest first. Staff (a small table) is joined.
    newest_contact = (
        select(Contact.id).order_by(Contact.occurred_at.desc(), Contact.id.desc()).limit(1)
    )
    followup_columns = (
        FollowUp.id,
        FollowUp.client_id,
        FollowUp.staff_id,
        FollowUp.due_at,
        FollowUp.due_nudge_sent,
        FollowUp.overdue_nudges_sent,
        FollowUp.escalated_at,
        FollowUp.next_reminder_at,
    )
    chosen = (
        select(*followup_columns)
        .where(
            FollowUp.next_reminder_at <= bindparam("now", type_=UTCDateTime()),
            FollowUp.status == "open",
        )
        .order_by(FollowUp.next_reminder_at, FollowUp.id)
        .limit(bindparam("limit", type_=Integer()))
        .with_for_update(skip_locked=True)
    )
    if dialect == "postgresql":
        # One LATERAL probe fetches the whole last contact (a correlated subquery per
        # column probed contacts four times per row).
        due = chosen.subquery("due")
        last = (
            newest_contact.add_columns(Contact.occurred_at, Contact.setting, Contact.outcome)
            .where(Contact.client_id == due.c.client_id)
            .lateral("last")
        )
        source = due.join(Staff, Staff.id == due.c.staff_id).outerjoin(last, true())
        last_columns: list[Any] = [last.c.id, last.c.occurred_at, last.c.setting, last.c.outcome]
    else:
        # SQLite has no LATERAL: the newest contact's id as a correlated subquery, then the
        # contact joined by primary key (one probe; a subquery per column made three).
        due = chosen.add_columns(
            newest_contact.where(Contact.client_id == FollowUp.client_id)
            .correlate(FollowUp)
            .scalar_subquery()
            .label("last_contact_id")
        ).subquery("due")
        last_contact = aliased(Contact, name="last")
        source = due.join(Staff, Staff.id == due.c.staff_id).outerjoin(
            last_contact, last_contact.id == due.c.last_contact_id
        )
        last_columns = [
            due.c.last_contact_id,
            last_contact.occurred_at,
            last_contact.setting,
            last_contact.outcome,
        ]
    code = select(Client.code).where(Client.id == due.c.client_id).scalar_subquery()
    services = _services_of(last_columns[0], dialect, outer=due)
    # The timestamps and the services come back as the driver gives them and are converted
    # by the caller, each distinct value once.
    return (
        select(
            due.c.id,
            due.c.client_id,
            due.c.staff_id,
            type_coerce(due.c.due_at, NullType()),
            due.c.due_nudge_sent,
            due.c.overdue_nudges_sent,
            type_coerce(due.c.escalated_at, NullType()),
            code,
            Staff.working_hours,
            Staff.team,
            last_columns[0],
            type_coerce(last_columns[1], NullType()),
            *last_columns[2:],
            cast(services, Text),  # JSON text on both backends, parsed below
        )
        .select_from(source)
        .order_by(due.c.next_reminder_at, due.c.id)
    )


# Built once per dialect, not per batch: building the statement and generating its cache key
# cost ~2-3 ms of SQLAlchemy per call (SQLite, 1,000 due rows).
_TO_REMIND: dict[str, Any] = {}
_RESULT_UTC = UTCDateTime()


async def list_followups_to_remind(
    session: AsyncSession, *, now: datetime, limit: int
) -> list[FollowUpToRemind]:
    """Open follow-ups whose `next_reminder_at` has come, oldest first, locked (SKIP LOCKED
    on PostgreSQL), with the client code, the owner's working hours and team and the client's
    last contact and its services: one statement for the whole batch.

    Reads the `next_reminder_at` index only as far as what is due: the cost follows the
    number of due follow-ups, not the number stored.
    """
    connection = await session.connection()
    dialect = connection.dialect
    statement = _TO_REMIND.get(dialect.name)
    if statement is None:
        statement = _TO_REMIND[dialect.name] = _followups_to_remind_statement(dialect.name)
    # On the session's connection, not through the ORM: plain rows, no ORM result setup,
    # and no per-value result processing (text to datetime on SQLite, then to aware UTC, and
    # a json.loads per row cost more than the statement itself on SQLite: ~10 ms of ~19 for
    # 1,000 rows). Each distinct timestamp and service list is converted once instead.
    rows = await connection.execute(statement, {"now": now, "limit": limit})
    utc = memoised(partial(_RESULT_UTC.process_result_value, dialect=dialect))
    pairs = memoised(json.loads)
    return [
        FollowUpToRemind(
            row[0],
            row[1],
            row[2],
            utc(row[3]),
            row[4],
            row[5],
            utc(row[6]),
            row[7],
            row[8],
            row[9],
            row[10],
            utc(row[11]),
            row[12],
            row[13],
            pairs(row[14]) or [],
        )
        for row in rows.tuples()
    ]


# One UPDATE for a whole batch, the new states in a single JSON parameter (as the outbox
# rows, see storage/outbox.py): no per-row parameter processing in Python. It replaced
# PostgreSQL's UPDATE … FROM unnest(five arrays), whose arrays psycopg built element by
# element, and SQLite's ORM executemany by primary key (SQLAlchemy processed every
# parameter); at 100k, 1,000 states, the statement went from 28-54 to 20-25 ms on
# PostgreSQL and from 5-8 to 4-9 ms on SQLite (a loaded machine); what it saves is mostly
# the per-parameter Python work before the statement. Both plans loop over the JSON
# elements and probe followups by primary key; jsonb on PostgreSQL for the reason given in
# storage/outbox.py. UPDATE … FROM needs SQLite 3.33 or later.
_UPDATE_STATES = {
    "postgresql": """
UPDATE followups
SET due_nudge_sent = (s->>1)::boolean,
    overdue_nudges_sent = (s->>2)::integer,
    escalated_at = (s->>3)::timestamptz,
    next_reminder_at = (s->>4)::timestamptz
FROM jsonb_array_elements(CAST(:states AS jsonb)) AS s
WHERE followups.id = (s->>0)::integer
""",
    "sqlite": """
UPDATE followups
SET due_nudge_sent = json_extract(s.value, '$[1]'),
    overdue_nudges_sent = json_extract(s.value, '$[2]'),
    escalated_at = json_extract(s.value, '$[3]'),
    next_reminder_at = json_extract(s.value, '$[4]')
FROM json_each(:states) AS s
WHERE followups.id = json_extract(s.value, '$[0]')
""",
}


async def update_followup_reminder_states(
    session: AsyncSession, states: Sequence[FollowUpReminderState]
) -> None:
    """Store the reminder state the sweep moved on, for many follow-ups at once, as one
    statement (see `_UPDATE_STATES`). The sweep holds no FollowUp objects, so there is no
    identity map to keep in step."""
    if not states:
        return
    as_json = time_as_json(session.get_bind().dialect)
    packed = json.dumps(
        [
            [
                s.id,
                s.due_nudge_sent,
                s.overdue_nudges_sent,
                as_json(s.escalated_at),
                as_json(s.next_reminder_at),
            ]
            for s in states
        ],
        separators=(",", ":"),
    )
    dialect = session.get_bind().dialect.name
    await session.execute(
        text(_UPDATE_STATES["postgresql" if dialect == "postgresql" else "sqlite"]),
        {"states": packed},
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
