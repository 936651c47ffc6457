"""A staff member who could not be reached (they blocked the bot, or a 403) is reachable again
the moment any update arrives from them: a message, a command, a button press or Telegram's
own "unblocked" notice. One missed `my_chat_member` update must never cost every later
reminder.

What was lost while they were unreachable is made good once, when they are back:

* messages to them that failed only because they could not be reached (safeguarding alerts,
  escalations, digests, notices about colleagues) are queued again, each at most once
  (dedupe key ``again:{outbox id}``); the sender's usual "still owed?" check drops any that
  no longer matter (an alert acknowledged meanwhile, a follow-up closed);
* their own follow-up nudges and agendas are not replayed one by one, stale and out of
  order: they get one catch-up agenda now, listing what is due and overdue today, the list
  a morning agenda would have had;
* their team's supervisors and every admin are told they are reachable again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.contacts.saving import ReminderSettings
from bot.followups.sweep import agenda_payload, epoch, list_due_items, seniors_to_tell
from storage.models import Staff
from storage.outbox import (
    OutboxRow,
    create_outbox_message,
    create_outbox_messages,
    list_undelivered_while_unreachable,
)
from storage.staff import get_staff, mark_staff_reachable

# Kinds replayed as they were. Follow-up nudges and agendas are summed up in one catch-up
# agenda instead; "reachable" and "unreachable" notices are about someone else's state then.
REPLAYED_KINDS = ("safeguarding", "escalation", "notice", "reassigned", "cover_summary")
# How far back a replay reaches: a week-old escalation is still worth seeing, a
# month-old one is history (the /overdue and /audit views hold it).
REPLAY_HORIZON = timedelta(days=14)


async def mark_reachable_again(
    session: AsyncSession, *, staff_id: int, now: datetime, settings: ReminderSettings
) -> bool:
    """Mark the member reachable and queue what they and their supervisors are owed.
    True when this call changed the flag; nothing is queued otherwise."""
    member = await get_staff(session, staff_id=staff_id)
    if member is None or member.reachable:
        return False
    unreachable_since = member.unreachable_since or now
    if not await mark_staff_reachable(session, staff_id=staff_id, reachable=True, at=now):
        return False  # another process healed them first and queued all this
    since = max(unreachable_since - timedelta(minutes=5), now - REPLAY_HORIZON)
    missed = await list_undelivered_while_unreachable(
        session, recipient_id=staff_id, since=since, kinds=REPLAYED_KINDS
    )
    await create_outbox_messages(
        session,
        [
            OutboxRow(
                dedupe_key=f"again:{row.id}",
                kind=row.kind,
                recipient_id=staff_id,
                not_before=now,
                payload=row.payload,
                followup_id=row.followup_id,
                alert_id=row.alert_id,
            )
            for row in missed
        ],
    )
    await _queue_catch_up_agenda(session, member=member, now=now, settings=settings)
    await _tell_seniors(session, member=member, now=now)
    return True


async def _queue_catch_up_agenda(
    session: AsyncSession, *, member: Staff, now: datetime, settings: ReminderSettings
) -> None:
    items = await list_due_items(session, staff=member, now=now, settings=settings)
    if not items:
        return
    await create_outbox_message(
        session,
        dedupe_key=f"agenda:{member.id}:back:{epoch(now)}",
        kind="agenda",
        recipient_id=member.id,
        not_before=now,
        payload=agenda_payload(items, catch_up=True),
    )


async def _tell_seniors(session: AsyncSession, *, member: Staff, now: datetime) -> None:
    for recipient_id in await seniors_to_tell(session, member=member):
        await create_outbox_message(
            session,
            dedupe_key=f"reachable:{member.id}:{recipient_id}:{epoch(now)}",
            kind="reachable",
            recipient_id=recipient_id,
            not_before=now,
            payload={"staff_id": member.id},
        )
