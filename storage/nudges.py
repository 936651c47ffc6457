"""A follow-up's nudge to its navigator, delivered from the follow-up's reminder row.

The sweep records the nudge a follow-up owes in the `nudge_*` columns of its row in
`followup_reminders` (storage/followups.py, `update_followup_reminder_states`). The sender
treats it as it treats an outbox row: claim it and commit the claim, send, then record the
outcome. A claim is identified by who made it and
when (`nudge_claimed_by`, `nudge_claimed_at`); every outcome is recorded only while that
claim still holds, so a nudge the sweep replaced, or one forgotten because the follow-up was
closed or moved, or one another process took over after the lease, is never marked for the
wrong delivery.

States: owed and free (`nudge_kind` set, `nudge_claimed_at` NULL), claimed (both set), done
(`nudge_kind` NULL; `nudge_sent_at` says when the last nudge went out).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.followups import NO_NUDGE_OWED
from storage.models import Client, Contact, FollowUp, FollowUpReminder, ServiceEvent


class ClaimedNudge(NamedTuple):
    followup_id: int
    recipient_id: int
    kind: str
    days_overdue: int
    not_before: datetime
    attempts: int
    claimed_at: datetime


async def claim_followup_nudges(
    session: AsyncSession,
    *,
    now: datetime,
    claimed_by: str,
    lease_cutoff: datetime,
    limit: int,
) -> list[ClaimedNudge]:
    """Claim up to `limit` owed nudges that may go out now: free ones whose `nudge_not_before`
    has come, and claimed ones whose claim is older than `lease_cutoff` (their sender
    crashed). Read through `ix_followup_reminders_nudge_owed`, which holds only owed nudges.

    On PostgreSQL the rows are locked with SKIP LOCKED, so concurrent claimers in other
    processes (and a sweep holding a reminder row) pass over each other's rows. The caller
    commits the claim at once, before sending anything.
    """
    claimable = and_(
        FollowUpReminder.nudge_kind.is_not(None),
        FollowUpReminder.nudge_not_before <= now,
        or_(
            FollowUpReminder.nudge_claimed_at.is_(None),
            FollowUpReminder.nudge_claimed_at < lease_cutoff,
        ),
    )
    rows = (
        await session.execute(
            select(
                FollowUpReminder.followup_id,
                FollowUp.staff_id,
                FollowUpReminder.nudge_kind,
                FollowUpReminder.nudge_days_overdue,
                FollowUpReminder.nudge_not_before,
                FollowUpReminder.nudge_attempts,
            )
            .join(FollowUp, FollowUp.id == FollowUpReminder.followup_id)
            .where(claimable)
            .order_by(FollowUpReminder.nudge_not_before, FollowUpReminder.followup_id)
            .limit(limit)
            .with_for_update(of=FollowUpReminder, skip_locked=True)
        )
    ).all()
    if not rows:
        return []
    await session.execute(
        update(FollowUpReminder)
        .where(FollowUpReminder.followup_id.in_([row.followup_id for row in rows]))
        .values(
            nudge_claimed_by=claimed_by,
            nudge_claimed_at=now,
            nudge_attempts=FollowUpReminder.nudge_attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return [
        ClaimedNudge(
            row.followup_id,
            row.staff_id,
            str(row.nudge_kind),
            row.nudge_days_overdue or 0,
            row.nudge_not_before,
            row.nudge_attempts + 1,
            now,
        )
        for row in rows
    ]


def _still_ours(nudge: ClaimedNudge, claimed_by: str) -> Any:
    return and_(
        FollowUpReminder.followup_id == nudge.followup_id,
        FollowUpReminder.nudge_claimed_by == claimed_by,
        FollowUpReminder.nudge_claimed_at == nudge.claimed_at,
    )


async def mark_nudge_sent(
    session: AsyncSession, *, nudge: ClaimedNudge, claimed_by: str, at: datetime
) -> bool:
    """Telegram accepted the nudge. False when the claim had gone (the nudge was replaced or
    forgotten meanwhile): nothing is changed then."""
    result = await session.execute(
        update(FollowUpReminder)
        .where(_still_ours(nudge, claimed_by))
        .values(**NO_NUDGE_OWED, nudge_sent_at=at, nudge_last_error=None)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def release_nudge(
    session: AsyncSession,
    *,
    nudge: ClaimedNudge,
    claimed_by: str,
    not_before: datetime,
    error: str,
) -> None:
    """Give a claimed nudge back for a later attempt (only if the claim is still ours)."""
    await session.execute(
        update(FollowUpReminder)
        .where(_still_ours(nudge, claimed_by))
        .values(
            nudge_not_before=not_before,
            nudge_claimed_by=None,
            nudge_claimed_at=None,
            nudge_last_error=error[:64],
        )
        .execution_options(synchronize_session=False)
    )


async def finish_nudge(
    session: AsyncSession, *, nudge: ClaimedNudge, claimed_by: str, error: str
) -> None:
    """The nudge will not be sent (it cannot be delivered, or is no longer owed): it is
    dropped, and the reason kept in `nudge_last_error` (an error type or a short reason,
    never text from a message)."""
    await session.execute(
        update(FollowUpReminder)
        .where(_still_ours(nudge, claimed_by))
        .values(**NO_NUDGE_OWED, nudge_last_error=error[:64])
        .execution_options(synchronize_session=False)
    )


class NudgeContext(NamedTuple):
    """What a nudge says, read when it is sent."""

    status: str
    staff_id: int
    code: str
    due_at: datetime
    last: dict[str, Any] | None  # the client's last contact: at, setting, outcome, services


async def get_nudge_context(session: AsyncSession, *, followup_id: int) -> NudgeContext | None:
    """The follow-up's state, client code and due time, and the client's last contact with
    its services (by service, then as recorded). None if the follow-up is gone."""
    found = (
        await session.execute(
            select(FollowUp.status, FollowUp.staff_id, FollowUp.due_at, Client.id, Client.code)
            .join(Client, Client.id == FollowUp.client_id)
            .where(FollowUp.id == followup_id)
        )
    ).first()
    if found is None:
        return None
    status, staff_id, due_at, client_id, code = found
    contact = (
        await session.execute(
            select(Contact.id, Contact.occurred_at, Contact.setting, Contact.outcome)
            .where(Contact.client_id == client_id)
            .order_by(Contact.occurred_at.desc(), Contact.id.desc())
            .limit(1)
        )
    ).first()
    last: dict[str, Any] | None = None
    if contact is not None:
        services: Sequence[tuple[str, str]] = (
            (
                await session.execute(
                    select(ServiceEvent.service, ServiceEvent.status)
                    .where(ServiceEvent.contact_id == contact.id)
                    .order_by(ServiceEvent.service, ServiceEvent.id)
                )
            )
            .tuples()
            .all()
        )
        last = {
            "at": contact.occurred_at.isoformat(),
            "setting": contact.setting,
            "outcome": contact.outcome,
            "services": [[service, status] for service, status in services],
        }
    return NudgeContext(status, staff_id, code, due_at, last)
