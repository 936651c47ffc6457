"""The reminder sweep's domain half: turn what the database says is due into messages owed.

Nothing here talks to Telegram. Every function takes the caller's session and never commits;
the scheduler runs each one in its own short transaction. Producing is idempotent. A
navigator's nudge is recorded on its follow-up's reminder row (the `nudge_*` columns of
`followup_reminders`), in the same UPDATE that moves the reminder state (`due_nudge_sent`,
`overdue_nudges_sent`, `escalated_at`, `next_reminder_at`) on, and the sweep holds the row
locked while it plans, so a sweep that runs twice (or in two processes at once) cannot owe
the same nudge twice. Every other message is an outbox row with a deterministic dedupe key.

Dedupe keys (part of the database format; ``due:`` and ``overdue:`` keys are those of nudges
produced before migration 0011, when nudges were outbox rows):

* ``due:{followup}:{due epoch}``
* ``overdue:{followup}:{k}:{due epoch}``
* ``escalation:{followup}:{supervisor}:{due epoch}``
* ``safeguarding-repeat:{alert}:{admin}``
* ``agenda:{staff}:{local date}``
* ``unreachable:{staff}:{recipient}:{unreachable_since epoch}``

The due epoch is part of the key so that a snoozed or rescheduled follow-up (a new timeline)
is nudged again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts.saving import ReminderSettings, hours_of
from bot.core.domain import Role
from bot.core.reminder_policy import (
    FollowUpTimeline,
    ReminderKind,
    SweepPlanner,
    end_of_due_day,
    next_reminder_at,
    working_days_overdue,
)
from bot.core.working_hours import WorkingHours, shift_day, window_start_on
from bot.followups.absences import (
    AwayClock,
    away_staff_ids,
    covers_of,
    local_today,
    produce_return_summaries,
)
from storage.absences import list_absences_in_force
from storage.alerts import list_alerts_to_repeat
from storage.followups import (
    FollowUpReminderState,
    list_due_followups_of_staff,
    list_followups_to_remind,
    list_open_followups_of_staff,
    list_staff_with_due_followups,
    update_followup_reminder_states,
)
from storage.models import Client, FollowUp, Staff
from storage.outbox import OutboxRow, create_outbox_message, create_outbox_messages
from storage.staff import (
    get_staff,
    list_staff,
    list_staff_for_agenda,
    mark_agenda_checked,
    mark_staff_reachable,
)

SWEEP_BATCH = 500
AGENDA_MAX_ITEMS = 30


def epoch(at: datetime) -> int:
    return int(at.timestamp())


def timeline_of(followup: FollowUp) -> FollowUpTimeline:
    reminder = followup.reminder
    return FollowUpTimeline(
        due_at=followup.due_at,
        due_nudge_sent=reminder.due_nudge_sent,
        overdue_nudges_sent=reminder.overdue_nudges_sent,
        escalated=reminder.escalated_at is not None,
    )


def recompute_next_reminder(
    followup: FollowUp, *, hours: WorkingHours, settings: ReminderSettings, now: datetime
) -> None:
    followup.reminder.next_reminder_at = next_reminder_at(
        timeline_of(followup), hours=hours, tz=settings.tz, policy=settings.policy, not_before=now
    )


class _EscalationRecipients:
    """Who is told of an escalation: the team's active supervisors (not the navigator
    themselves); admins if there are none, so an escalation always reaches someone. For one
    batch: each team's supervisors and the admins are read once, however many escalate."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._supervisors: dict[str, Sequence[Staff]] = {}
        self._admins: Sequence[Staff] | None = None

    async def of(self, *, team: str, navigator_id: int) -> list[Staff]:
        if team not in self._supervisors:
            self._supervisors[team] = await list_staff(
                self._session, team=team, roles=[Role.SUPERVISOR.value], active_only=True
            )
        supervisors = [s for s in self._supervisors[team] if s.id != navigator_id]
        if supervisors:
            return supervisors
        if self._admins is None:
            self._admins = await list_staff(
                self._session, roles=[Role.ADMIN.value], active_only=True
            )
        return [s for s in self._admins if s.id != navigator_id]


async def produce_due_reminders(
    session: AsyncSession, *, now: datetime, settings: ReminderSettings, limit: int = SWEEP_BATCH
) -> int:
    """One batch of the follow-up sweep. Returns how many follow-ups it looked at (call again
    while it returns `limit`).

    A navigator's nudge (due or overdue) is recorded on the follow-up's reminder row, in the
    UPDATE that moves its reminder state on; the sender claims it from there (storage/nudges.py) and
    reads what the nudge says about the client's last contact when it sends. Escalations,
    one per supervisor, are outbox rows.

    A batch costs a fixed number of statements whatever its size: one read of the due
    follow-ups with the client code and the owner's hours and team, one UPDATE of the
    follow-ups' state and nudges, and, when something escalates, a read of supervisors per
    team and one INSERT … ON CONFLICT DO NOTHING of the escalations. The policy work in
    between is pure Python.
    """
    batch = await list_followups_to_remind(session, now=now, limit=limit)
    if not batch:
        return 0
    # The policy is pure and a plan depends on few things (see SweepPlanner): the follow-ups
    # of one navigator's hours share a planner, which plans each class of them once.
    planners: dict[str | None, SweepPlanner] = {}
    recipients = _EscalationRecipients(session)
    escalations: list[OutboxRow] = []
    states: list[FollowUpReminderState] = []
    escalation = ReminderKind.ESCALATION
    # Issue 16 hook: an owner's working days away do not count towards overdue/escalation.
    away = await AwayClock.load(
        session,
        staff_ids={f.staff_id for f in batch},
        since=min(f.due_at for f in batch).astimezone(settings.tz).date(),
        now=now,
        settings=settings,
    )
    # FollowUpReminderState(id, due_nudge_sent, overdue_nudges_sent, escalated_at,
    # next_reminder_at, nudge_kind, nudge_days_overdue) is built positionally: a sweep batch
    # builds a thousand of them, and keyword calls are measurably slower.
    for followup in batch:
        if followup.status != "open":
            # Closed without its reminder cleared: owe nothing, and leave the sweep's queue.
            states.append(
                FollowUpReminderState(
                    followup.id,
                    followup.due_nudge_sent,
                    followup.overdue_nudges_sent,
                    followup.escalated_at,
                    None,
                )
            )
            continue
        planner = planners.get(followup.working_hours)
        if planner is None:
            planner = planners[followup.working_hours] = SweepPlanner(
                hours_of(followup.working_hours, settings.default_hours),
                now=now,
                tz=settings.tz,
                policy=settings.policy,
            )
        plan = planner.plan(
            away.due_at(followup.staff_id, followup.due_at, followup.working_hours),
            due_nudge_sent=followup.due_nudge_sent,
            overdue_nudges_sent=followup.overdue_nudges_sent,
            escalated=followup.escalated_at is not None,
        )
        # A plan holds at most one nudge (DUE, or the latest OVERDUE), and an escalation.
        nudge_kind: str | None = None
        nudge_days_overdue = 0
        for reminder in plan.reminders:
            if reminder.kind is not escalation:
                nudge_kind, nudge_days_overdue = reminder.kind.value, reminder.days_overdue
                continue
            due_key = epoch(followup.due_at)
            for supervisor in await recipients.of(
                team=followup.team, navigator_id=followup.staff_id
            ):
                escalations.append(
                    OutboxRow(
                        f"escalation:{followup.id}:{supervisor.id}:{due_key}",
                        "escalation",
                        supervisor.id,
                        now,
                        {
                            "code": followup.code,
                            "navigator_id": followup.staff_id,
                            "days_overdue": reminder.days_overdue,
                            "due_at": followup.due_at.isoformat(),
                        },
                        followup.id,
                    )
                )
        states.append(
            FollowUpReminderState(
                followup.id,
                plan.due_nudge_sent,
                plan.overdue_nudges_sent,
                now if plan.escalates else followup.escalated_at,
                plan.next_reminder_at,
                nudge_kind,
                nudge_days_overdue,
            )
        )
    await create_outbox_messages(session, escalations)
    await update_followup_reminder_states(session, states, now=now)
    return len(batch)


async def produce_safeguarding_repeats(
    session: AsyncSession, *, now: datetime, limit: int = SWEEP_BATCH
) -> int:
    """Alerts nobody acknowledged in time go to every admin, once."""
    alerts = await list_alerts_to_repeat(session, now=now, limit=limit)
    if not alerts:
        return 0
    admins = await list_staff(session, roles=[Role.ADMIN.value], active_only=True)
    for alert in alerts:
        client = await session.get(Client, alert.client_id)
        code = client.code if client is not None else "?"
        for admin in admins:
            await create_outbox_message(
                session,
                dedupe_key=f"safeguarding-repeat:{alert.id}:{admin.id}",
                kind="safeguarding",
                recipient_id=admin.id,
                not_before=now,
                alert_id=alert.id,
                payload={
                    "code": code,
                    "risks": alert.risks.split(","),
                    "navigator_id": alert.raised_by_id,
                    "repeat": True,
                },
            )
        alert.repeat_at = None
        alert.repeated_at = now
    await session.flush()
    return len(alerts)


@dataclass(frozen=True)
class DueItem:
    followup_id: int
    code: str
    due_at: datetime
    days_overdue: int
    overdue: bool


async def list_due_items(
    session: AsyncSession, *, staff: Staff, now: datetime, settings: ReminderSettings
) -> list[DueItem]:
    """The member's open follow-ups due by the end of today (local) and the overdue ones:
    what /due shows and the agenda lists."""
    hours = hours_of(staff.working_hours, settings.default_hours)
    today_end = end_of_due_day(now, settings.tz)
    due = await list_due_followups_of_staff(session, staff_id=staff.id, due_before=today_end)
    if not due:
        return []
    # Issue 16 hook: working days the member spent away do not count as overdue.
    away = await AwayClock.load(
        session,
        staff_ids={staff.id},
        since=min(f.due_at for f, _ in due).astimezone(settings.tz).date(),
        now=now,
        settings=settings,
    )
    items = []
    for followup, code in due:
        overdue = now >= end_of_due_day(followup.due_at, settings.tz)
        clock = away.due_at(staff.id, followup.due_at, staff.working_hours)
        items.append(
            DueItem(
                followup_id=followup.id,
                code=code,
                due_at=followup.due_at,
                days_overdue=working_days_overdue(clock, now, hours, settings.tz),
                overdue=overdue,
            )
        )
    return items


def agenda_payload(items: Sequence[DueItem], **extra: Any) -> dict[str, Any]:
    """An agenda's outbox payload: the first AGENDA_MAX_ITEMS items and how many more."""
    return {
        **extra,
        "items": due_items_payload(items[:AGENDA_MAX_ITEMS]),
        "more": max(0, len(items) - AGENDA_MAX_ITEMS),
    }


async def seniors_to_tell(session: AsyncSession, *, member: Staff) -> list[int]:
    """Who hears about a member's reachability: their team's supervisors and every admin,
    active and reachable, never the member themselves."""
    supervisors = await list_staff(
        session, team=member.team, roles=[Role.SUPERVISOR.value], active_only=True
    )
    admins = await list_staff(session, roles=[Role.ADMIN.value], active_only=True)
    return sorted({s.id for s in [*supervisors, *admins] if s.id != member.id and s.reachable})


def due_items_payload(items: Sequence[DueItem]) -> list[dict[str, Any]]:
    return [
        {
            "code": item.code,
            "due_at": item.due_at.isoformat(),
            "days_overdue": item.days_overdue,
            "overdue": item.overdue,
        }
        for item in items
    ]


async def produce_agendas(
    session: AsyncSession, *, now: datetime, settings: ReminderSettings
) -> int:
    """Once per working day, at the start of the window (or as soon after as the bot runs),
    each member with anything due today or overdue gets one agenda.

    Each member is considered once per working day (`agenda_checked_on`), so the cost is one
    query over staff per sweep plus work for those whose window has just opened.

    The agenda belongs to the day the shift starts: a night shift's comes at its start in the
    evening and, if the bot was down then, in the small hours of the next day while that
    shift still runs. Closed days (bank holidays) have no window, so no agenda.
    """
    today: date = now.astimezone(settings.tz).date()
    candidates = await list_staff_for_agenda(session, local_day=today)
    checked: dict[date, list[int]] = {}
    ready: dict[date, list[Staff]] = {}
    for member in candidates:
        hours = hours_of(member.working_hours, settings.default_hours)
        day = shift_day(now, hours, settings.tz)
        if day is None:
            start = window_start_on(today, hours, settings.tz)
            if start is None or now >= start:
                # not a working day, or the window has closed: the agenda is for the start
                checked.setdefault(today, []).append(member.id)
        elif member.agenda_checked_on != day:  # a night shift from yesterday may be done
            ready.setdefault(day, []).append(member)
    produced = 0
    for day, members in ready.items():
        produced += await _produce_agendas_for(
            session, members, day=day, now=now, settings=settings
        )
        checked.setdefault(day, []).extend(m.id for m in members)
    for day, staff_ids in checked.items():
        await mark_agenda_checked(session, staff_ids=staff_ids, local_day=day)
    return produced


async def _produce_agendas_for(
    session: AsyncSession,
    members: list[Staff],
    *,
    day: date,
    now: datetime,
    settings: ReminderSettings,
) -> int:
    # Issue 16 hook: a member away that day gets no agenda; their cover gets it instead
    # (bot.followups.absences.produce_cover_agendas).
    away = await away_staff_ids(session, staff_ids=[m.id for m in members], day=day)
    members = [m for m in members if m.id not in away]
    with_due = await list_staff_with_due_followups(
        session, staff_ids=[m.id for m in members], due_before=end_of_due_day(now, settings.tz)
    )
    produced = 0
    for member in members:
        if member.id not in with_due:
            continue
        items = await list_due_items(session, staff=member, now=now, settings=settings)
        if not items:
            continue
        produced += await create_outbox_message(
            session,
            dedupe_key=f"agenda:{member.id}:{day.isoformat()}",
            kind="agenda",
            recipient_id=member.id,
            not_before=now,
            payload=agenda_payload(items),
        )
    return produced


async def produce_cover_agendas(
    session: AsyncSession, *, now: datetime, settings: ReminderSettings
) -> int:
    """Each absent member's agenda, once a day, to their cover inside the cover's hours."""
    today = local_today(now, settings.tz)
    absences = await list_absences_in_force(session, staff_ids=None, day=today)
    produced = 0
    for absence in absences:
        owner = await get_staff(session, staff_id=absence.staff_id)
        covers = await covers_of(session, absence)
        if owner is None or not covers:
            continue
        cover = covers[0]
        hours = hours_of(cover.working_hours, settings.default_hours)
        day = shift_day(now, hours, settings.tz)  # the cover's shift, perhaps a night's
        if day is None:
            continue
        items = await list_due_items(session, staff=owner, now=now, settings=settings)
        if not items:
            continue
        produced += await create_outbox_message(
            session,
            dedupe_key=f"cover-agenda:{absence.id}:{cover.id}:{day.isoformat()}",
            kind="cover_agenda",
            recipient_id=cover.id,
            not_before=now,
            payload=agenda_payload(items, owner_id=owner.id),
        )
    return produced


async def mark_unreachable(session: AsyncSession, *, staff_id: int, now: datetime) -> bool:
    """The member blocked the bot (or left Telegram). The first time only, their team's
    supervisors and every admin are told. True when this call changed the flag."""
    if not await mark_staff_reachable(session, staff_id=staff_id, reachable=False, at=now):
        return False
    member = await get_staff(session, staff_id=staff_id)
    if member is None:  # pragma: no cover - the update above found the row
        return True
    for recipient_id in await seniors_to_tell(session, member=member):
        await create_outbox_message(
            session,
            dedupe_key=f"unreachable:{staff_id}:{recipient_id}:{epoch(now)}",
            kind="unreachable",
            recipient_id=recipient_id,
            not_before=now,
            payload={"staff_id": staff_id},
        )
    return True


async def recompute_staff_reminders(
    session: AsyncSession,
    *,
    staff_id: int,
    hours: WorkingHours,
    settings: ReminderSettings,
    now: datetime,
) -> int:
    """New working hours move every pending reminder of the member's open follow-ups."""
    followups = await list_open_followups_of_staff(session, staff_id=staff_id, for_update=True)
    for followup in followups:
        recompute_next_reminder(followup, hours=hours, settings=settings, now=now)
    return len(followups)


async def produce_all(
    session_factory: async_sessionmaker[AsyncSession],
    *,
    now: datetime,
    settings: ReminderSettings,
    batch: int = SWEEP_BATCH,
) -> None:
    """One sweep: follow-ups batch by batch, then safeguarding repeats, then agendas; each
    step in its own short transaction, so a failure in one loses nothing of the others."""
    while True:
        async with session_factory.begin() as session:
            seen = await produce_due_reminders(session, now=now, settings=settings, limit=batch)
        if seen < batch:
            break
    async with session_factory.begin() as session:
        await produce_safeguarding_repeats(session, now=now)
    async with session_factory.begin() as session:
        await produce_agendas(session, now=now, settings=settings)
    # Issue 16: absent members' agendas to their covers, and summaries for those back.
    async with session_factory.begin() as session:
        await produce_cover_agendas(session, now=now, settings=settings)
    async with session_factory.begin() as session:
        await produce_return_summaries(session, now=now, settings=settings)
