"""The outbox: messages the bot owes people, produced in the same transaction as their cause."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, and_, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FollowUpReminder, OutboxMessage
from storage.types import time_as_json


async def create_outbox_message(
    session: AsyncSession,
    *,
    dedupe_key: str,
    kind: str,
    recipient_id: int,
    not_before: datetime,
    payload: dict[str, Any],
    followup_id: int | None = None,
    alert_id: int | None = None,
) -> bool:
    """Insert unless a message with this dedupe key exists. True when inserted.

    The unique dedupe key is what makes producing a reminder idempotent: a sweep that runs
    twice, or two processes sweeping at once, cannot owe the same message twice.
    """
    row = OutboxRow(
        dedupe_key=dedupe_key,
        kind=kind,
        recipient_id=recipient_id,
        not_before=not_before,
        payload=payload,
        followup_id=followup_id,
        alert_id=alert_id,
    )
    result = await session.execute(_insert_ignoring_duplicates(session).values(**row.values()))
    return bool(getattr(result, "rowcount", 0))


# A named tuple, not a frozen dataclass: the sweep builds 1,000 per batch (see
# storage/followups.py).
class OutboxRow(NamedTuple):
    dedupe_key: str
    kind: str
    recipient_id: int
    not_before: datetime
    payload: dict[str, Any]
    followup_id: int | None = None
    alert_id: int | None = None

    def values(self) -> dict[str, Any]:
        return {
            "dedupe_key": self.dedupe_key,
            "kind": self.kind,
            "recipient_id": self.recipient_id,
            "not_before": self.not_before,
            "payload": self.payload,
            "followup_id": self.followup_id,
            "alert_id": self.alert_id,
            "status": "pending",
            "attempts": 0,
            "created_at": self.not_before,
        }


def _insert_ignoring_duplicates(session: AsyncSession) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # The Core table, not the mapped class: a plain INSERT (or executemany), no ORM bulk path.
    return insert(cast(Table, OutboxMessage.__table__)).on_conflict_do_nothing(
        index_elements=["dedupe_key"]
    )


# One INSERT for a whole batch, its rows in a single JSON parameter: the database unpacks
# them in C. Both executemany paths spent most of their time in Python, on 10 parameters per
# row (SQLAlchemy's type processing, psycopg's adaptation and one Bind/Execute per row);
# a multi-row VALUES statement costs as much in building and parsing 10,000 placeholders.
# Rows go in the given order (ORDER BY the array position), so outbox ids follow it.
# PostgreSQL reads the array as jsonb: on `json` every ->> re-parses the element's text,
# on jsonb it is parsed once. The payload goes back to `json` for the column; jsonb has
# sorted its keys, which nothing reads in order.
_INSERT_ROWS = {
    "postgresql": """
INSERT INTO outbox (dedupe_key, kind, recipient_id, followup_id, alert_id, payload,
                    not_before, status, attempts, created_at)
SELECT r->>0, r->>1, (r->>2)::integer, (r->>3)::integer, (r->>4)::integer, (r->5)::json,
       (r->>6)::timestamptz, 'pending', 0, (r->>6)::timestamptz
FROM jsonb_array_elements(CAST(:rows AS jsonb)) WITH ORDINALITY AS t(r, n)
ORDER BY n
ON CONFLICT (dedupe_key) DO NOTHING
""",
    # SQLite: json_extract of an object is its (minified) JSON text, what the JSON column
    # stores; the timestamps arrive already in the column's text format. "WHERE true" keeps
    # the upsert clause from parsing as a join's ON (SQLite's documented workaround).
    "sqlite": """
INSERT INTO outbox (dedupe_key, kind, recipient_id, followup_id, alert_id, payload,
                    not_before, status, attempts, created_at)
SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
       json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'),
       json_extract(value, '$[6]'), 'pending', 0, json_extract(value, '$[6]')
FROM json_each(:rows) WHERE true
ORDER BY key
ON CONFLICT (dedupe_key) DO NOTHING
""",
}


async def create_outbox_messages(session: AsyncSession, rows: Sequence[OutboxRow]) -> None:
    """`create_outbox_message` for many rows, in the given order, as one INSERT … ON CONFLICT
    (dedupe_key) DO NOTHING whose rows arrive as one JSON array (see `_INSERT_ROWS`). Rows
    whose key exists are skipped."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    as_json = time_as_json(session.get_bind().dialect)
    packed = json.dumps(
        [
            [
                r.dedupe_key,
                r.kind,
                r.recipient_id,
                r.followup_id,
                r.alert_id,
                r.payload,
                as_json(r.not_before),
            ]
            for r in rows
        ],
        separators=(",", ":"),
    )
    await session.execute(
        text(_INSERT_ROWS["postgresql" if dialect == "postgresql" else "sqlite"]),
        {"rows": packed},
    )


async def outbox_message_exists(session: AsyncSession, *, dedupe_key: str) -> bool:
    """Whether a message with this dedupe key was ever produced (whatever its status)."""
    found = await session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key).limit(1)
    )
    return found is not None


async def claim_outbox_messages(
    session: AsyncSession,
    *,
    now: datetime,
    claimed_by: str,
    lease_cutoff: datetime,
    limit: int,
) -> Sequence[OutboxMessage]:
    """Claim up to `limit` messages that may go out now: pending ones whose `not_before` has
    come, and claimed ones whose claim is older than `lease_cutoff` (their sender crashed).

    On PostgreSQL the rows are locked with SKIP LOCKED, so concurrent claimers in other
    processes pass over each other's rows and never claim the same message. The caller commits
    the claim at once, before sending anything.
    """
    claimable = or_(
        and_(OutboxMessage.status == "pending", OutboxMessage.not_before <= now),
        and_(OutboxMessage.status == "claimed", OutboxMessage.claimed_at < lease_cutoff),
    )
    rows = (
        await session.scalars(
            select(OutboxMessage)
            .where(claimable)
            .order_by(OutboxMessage.not_before, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for row in rows:
        row.status = "claimed"
        row.claimed_by = claimed_by
        row.claimed_at = now
        row.attempts += 1
    await session.flush()
    return rows


async def mark_outbox_sent(
    session: AsyncSession, *, message_id: int, at: datetime, telegram_message_id: int | None
) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(status="sent", sent_at=at, telegram_message_id=telegram_message_id, last_error=None)
    )


async def release_outbox_message(
    session: AsyncSession, *, message_id: int, claimed_by: str, not_before: datetime, error: str
) -> None:
    """Give a claimed message back for a later attempt (only if the claim is still ours)."""
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == "claimed",
            OutboxMessage.claimed_by == claimed_by,
        )
        .values(
            status="pending",
            not_before=not_before,
            claimed_by=None,
            claimed_at=None,
            last_error=error[:64],
        )
    )


async def mark_outbox_finished(
    session: AsyncSession, *, message_id: int, status: str, error: str | None
) -> None:
    """`failed` (cannot be delivered) or `skipped` (no longer owed, e.g. follow-up done)."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(status=status, last_error=error[:64] if error else None)
    )


# Why a delivery failed because the recipient could not be reached: the 403 itself, and
# messages the sender did not try while the recipient was marked unreachable.
UNREACHABLE_ERRORS = ("Forbidden", "unreachable")


async def list_undelivered_while_unreachable(
    session: AsyncSession, *, recipient_id: int, since: datetime, kinds: Sequence[str]
) -> Sequence[OutboxMessage]:
    """Messages to `recipient_id` of these kinds, due since `since`, that failed only because
    the recipient could not be reached."""
    rows = await session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.recipient_id == recipient_id,
            OutboxMessage.status == "failed",
            OutboxMessage.last_error.in_(UNREACHABLE_ERRORS),
            OutboxMessage.kind.in_(kinds),
            OutboxMessage.not_before >= since,
        )
        .order_by(OutboxMessage.id)
    )
    return rows.all()


async def count_waiting_deliveries(session: AsyncSession) -> int:
    """Outbox messages not yet finished plus owed nudges: the delivery queue's depth.
    Both counts read a narrow index (`ix_outbox_status_not_before`, and the partial
    `ix_followup_reminders_nudge_owed` that holds only owed nudges)."""
    outbox = await session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status.in_(("pending", "claimed")))
    )
    nudges = await session.scalar(
        select(func.count())
        .select_from(FollowUpReminder)
        .where(FollowUpReminder.nudge_kind.is_not(None))
    )
    return int(outbox or 0) + int(nudges or 0)
