"""Moving clients from one member to another (issue 16: /reassign, /handover).

`move_clients` changes, for exactly the given clients: the owner (and team), the old owner's
open follow-ups with them, and the nudges those follow-ups owe, in the caller's transaction.
An owed nudge stays owed and goes to the new owner (the sender reads the recipient from the
follow-up when it claims), its claim released so it is claimed afresh; the sweep re-plans each
moved follow-up by the new owner's working hours at its next run (`next_reminder_at` = now).
Where the new owner already has an open follow-up with a client, the old owner's is cancelled
(at most one open follow-up per client and navigator).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.followups import NO_NUDGE_OWED
from storage.models import Client, FollowUp, FollowUpReminder, OutboxMessage


async def list_caseload_clients(
    session: AsyncSession, *, owner_id: int, include_closed: bool
) -> Sequence[tuple[int, str]]:
    """(id, code) of the clients a member owns: open ones, or all."""
    query = select(Client.id, Client.code).where(Client.owner_id == owner_id)
    if not include_closed:
        query = query.where(Client.status == "open")
    return (await session.execute(query.order_by(Client.code))).tuples().all()


async def count_open_followups(
    session: AsyncSession, *, staff_id: int, client_ids: Sequence[int]
) -> int:
    if not client_ids:
        return 0
    return int(
        await session.scalar(
            select(func.count())
            .select_from(FollowUp)
            .where(
                FollowUp.staff_id == staff_id,
                FollowUp.status == "open",
                FollowUp.client_id.in_(client_ids),
            )
        )
        or 0
    )


async def move_clients(
    session: AsyncSession,
    *,
    client_ids: Sequence[int],
    from_id: int,
    to_id: int,
    to_team: str,
    now: datetime,
) -> dict[int, int]:
    """Move the clients and the old owner's open follow-ups with them. Returns, per client id,
    how many open follow-ups moved. Locks the clients' rows first (PostgreSQL)."""
    if not client_ids:
        return {}
    ids = list(client_ids)
    await session.execute(select(Client.id).where(Client.id.in_(ids)).with_for_update())
    theirs = aliased(FollowUp)
    clash = exists().where(
        theirs.client_id == FollowUp.client_id,
        theirs.staff_id == to_id,
        theirs.status == "open",
    )
    clashing = (
        await session.scalars(
            select(FollowUp.id).where(
                FollowUp.client_id.in_(ids),
                FollowUp.staff_id == from_id,
                FollowUp.status == "open",
                clash,
            )
        )
    ).all()
    if clashing:
        await session.execute(
            update(FollowUp)
            .where(FollowUp.id.in_(clashing))
            .values(status="cancelled", completed_at=now)
            .execution_options(synchronize_session=False)
        )
        await session.execute(
            update(FollowUpReminder)
            .where(FollowUpReminder.followup_id.in_(clashing))
            .values(**NO_NUDGE_OWED, next_reminder_at=None)
            .execution_options(synchronize_session=False)
        )
    moving = (
        await session.execute(
            select(FollowUp.id, FollowUp.client_id).where(
                FollowUp.client_id.in_(ids),
                FollowUp.staff_id == from_id,
                FollowUp.status == "open",
            )
        )
    ).all()
    moved_ids = [row.id for row in moving]
    per_client = dict.fromkeys(ids, 0)
    for row in moving:
        per_client[row.client_id] += 1
    if moved_ids:
        await session.execute(
            update(FollowUp)
            .where(FollowUp.id.in_(moved_ids))
            .values(staff_id=to_id)
            .execution_options(synchronize_session=False)
        )
        # The owed nudge follows the follow-up; a claim on it (for the old owner) is dropped.
        await session.execute(
            update(FollowUpReminder)
            .where(FollowUpReminder.followup_id.in_(moved_ids))
            .values(nudge_claimed_by=None, nudge_claimed_at=None)
            .execution_options(synchronize_session=False)
        )
        await session.execute(
            update(FollowUpReminder)
            .where(
                FollowUpReminder.followup_id.in_(moved_ids),
                FollowUpReminder.next_reminder_at.is_not(None),
            )
            .values(next_reminder_at=now)
            .execution_options(synchronize_session=False)
        )
        # Nudges produced before migration 0011 are outbox rows addressed to the old owner.
        await session.execute(
            update(OutboxMessage)
            .where(
                and_(
                    OutboxMessage.followup_id.in_(moved_ids),
                    OutboxMessage.kind.in_(("due", "overdue")),
                    OutboxMessage.status == "pending",
                    OutboxMessage.recipient_id == from_id,
                )
            )
            .values(recipient_id=to_id, claimed_by=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        )
    await session.execute(
        update(Client)
        .where(Client.id.in_(ids))
        .values(owner_id=to_id, team=to_team)
        .execution_options(synchronize_session=False)
    )
    return per_client


async def move_open_clients_to_team(session: AsyncSession, *, owner_id: int, team: str) -> None:
    """A member moving team takes their open clients along."""
    await session.execute(
        update(Client)
        .where(Client.owner_id == owner_id, Client.status == "open")
        .values(team=team)
        .execution_options(synchronize_session=False)
    )
