"""Saving, undoing and closing: the domain operations behind every way of logging a contact.

Each function takes the caller's session and never commits, so "save the contact, its
service events, the client, the follow-up, the alert and the audit row" is one transaction:
all of it lands or none of it does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.core.domain import (
    AuditAction,
    Outcome,
    Risk,
    Role,
    Service,
    ServiceStatus,
    Setting,
    StaffMember,
)
from bot.core.reminder_policy import (
    FollowUpTimeline,
    ReminderPolicy,
    end_of_due_day,
    next_reminder_at,
)
from bot.core.working_hours import DEFAULT, WorkingHours, WorkingHoursError
from storage.audit import create_audit_entry, insert_audit_entry
from storage.clients import (
    count_contacts_of_client,
    create_client,
    create_contact,
    create_service_events,
    delete_client,
    delete_contact,
    find_client_id_and_status,
    get_client,
    get_last_contact_by_staff,
)
from storage.followups import (
    create_followup,
    delete_followups_created_by,
    forget_owed_nudge,
    list_followups_completed_by,
    list_open_followups_of_client,
    mark_followup_cancelled,
    mark_followup_done,
)
from storage.models import Client, FollowUp, SafeguardingAlert
from storage.outbox import create_outbox_message
from storage.staff import list_staff


@dataclass(frozen=True)
class ContactInput:
    """What to save: the confirmed draft, with the note already redacted."""

    client_code: str
    setting: Setting | None
    outcome: Outcome
    services: tuple[tuple[Service, ServiceStatus], ...] = ()
    risks: tuple[Risk, ...] = ()
    follow_up_at: datetime | None = None  # None: no follow-up
    occurred_at: datetime | None = None  # None: now
    language: str = "unknown"
    note: str = ""
    source: str = "text"


@dataclass(frozen=True)
class ReminderSettings:
    tz: ZoneInfo
    default_hours: WorkingHours
    policy: ReminderPolicy
    safeguarding_risks: frozenset[str]
    safeguarding_repeat: timedelta


@dataclass(frozen=True)
class SavedContact:
    contact_id: int
    client_id: int
    client_code: str
    client_created: bool
    client_reopened: bool
    followup_id: int | None
    completed_followups: int
    alert_id: int | None
    alert_risks: tuple[str, ...] = field(default_factory=tuple)


def hours_of(stored: str | None, default: WorkingHours = DEFAULT) -> WorkingHours:
    """A member's stored hours, or ``default``; either way with ``default``'s closed days
    (the team's bank holidays and closures are everyone's)."""
    if not stored:
        return default
    try:
        return WorkingHours.parse(stored, default.closed)
    except WorkingHoursError:  # a value that no longer parses must not stop reminders
        return default


def initial_reminder_at(
    due_at: datetime, *, hours: WorkingHours, settings: ReminderSettings, now: datetime
) -> datetime | None:
    timeline = FollowUpTimeline(
        due_at=due_at, due_nudge_sent=False, overdue_nudges_sent=0, escalated=False
    )
    return next_reminder_at(
        timeline, hours=hours, tz=settings.tz, policy=settings.policy, not_before=now
    )


def reset_followup_timing(
    followup: FollowUp,
    *,
    due_at: datetime,
    hours: WorkingHours,
    settings: ReminderSettings,
    now: datetime,
) -> None:
    """A new due time (snooze, reschedule, reopened by undo) starts a fresh reminder timeline."""
    followup.due_at = due_at
    followup.escalation_acknowledged_at = None
    followup.escalation_acknowledged_by_id = None
    reminder = followup.reminder
    reminder.due_nudge_sent = False
    reminder.overdue_nudges_sent = 0
    reminder.escalated_at = None
    reminder.next_reminder_at = initial_reminder_at(due_at, hours=hours, settings=settings, now=now)
    forget_owed_nudge(followup)  # it was about the old due time


async def save_contact(
    session: AsyncSession,
    *,
    staff: StaffMember,
    contact: ContactInput,
    now: datetime,
    settings: ReminderSettings,
) -> SavedContact:
    # New rows (client, contact, risks, events, follow-up, audit) are single INSERT …
    # RETURNING statements; rows that may already be loaded in the caller's session (the
    # client when it is reopened, the follow-ups it completes) are changed through the ORM,
    # so those objects stay in step.
    found = await find_client_id_and_status(session, code=contact.client_code)
    created = reopened = False
    if found is None:
        client_id = await create_client(
            session, code=contact.client_code, team=staff.team, owner_id=staff.id, at=now
        )
        created = True
    else:
        client_id, status = found
        if status != "open":
            client = await get_client(session, client_id=client_id)
            assert client is not None  # found by code a moment ago, in this transaction
            client.status, client.closed_at, client.close_reason = "open", None, None
            reopened = True
    code = contact.client_code

    occurred_at = contact.occurred_at or now
    contact_id = await create_contact(
        session,
        client_id=client_id,
        staff_id=staff.id,
        team=staff.team,
        occurred_at=occurred_at,
        logged_at=now,
        setting=contact.setting.value if contact.setting else None,
        outcome=contact.outcome.value,
        language=contact.language,
        note=contact.note,
        source=contact.source,
        risks=[risk.value for risk in contact.risks],
    )
    await create_service_events(
        session,
        client_id=client_id,
        contact_id=contact_id,
        staff_id=staff.id,
        events=[(service.value, status.value) for service, status in contact.services],
        occurred_at=occurred_at,
    )

    # Any new contact completes the client's open follow-ups (PRODUCT §6); on time if logged
    # before the follow-up became overdue (the end of its local due day). A client created
    # in this transaction has none: no other transaction can see it yet, let alone give it
    # a follow-up. Core statements do not autoflush, hence the explicit flush below.
    completed = 0
    if not created:
        for open_followup in await list_open_followups_of_client(
            session, client_id=client_id, for_update=True
        ):
            on_time = now < end_of_due_day(open_followup.due_at, settings.tz)
            mark_followup_done(open_followup, at=now, contact_id=contact_id, on_time=on_time)
            completed += 1
        if completed:
            # Before the new follow-up goes in: one open follow-up per client and navigator.
            await session.flush()

    followup_id = None
    if contact.follow_up_at is not None:
        hours = hours_of(staff.working_hours, settings.default_hours)
        followup_id = await create_followup(
            session,
            client_id=client_id,
            staff_id=staff.id,
            due_at=contact.follow_up_at,
            created_at=now,
            created_by_contact_id=contact_id,
            next_reminder_at=initial_reminder_at(
                contact.follow_up_at, hours=hours, settings=settings, now=now
            ),
        )

    alert_risks = tuple(
        sorted(risk.value for risk in contact.risks if risk.value in settings.safeguarding_risks)
    )
    alert_id = None
    if alert_risks:
        alert_id = await _raise_safeguarding_alert(
            session,
            staff=staff,
            client_id=client_id,
            client_code=code,
            contact_id=contact_id,
            risks=alert_risks,
            now=now,
            settings=settings,
        )

    await insert_audit_entry(
        session,
        action=AuditAction.CREATE,
        actor=staff,
        client_code=code,
        detail=f"contact {contact_id}" + (" new client" if created else ""),
        at=now,
    )
    return SavedContact(
        contact_id=contact_id,
        client_id=client_id,
        client_code=code,
        client_created=created,
        client_reopened=reopened,
        followup_id=followup_id,
        completed_followups=completed,
        alert_id=alert_id,
        alert_risks=alert_risks,
    )


async def _raise_safeguarding_alert(
    session: AsyncSession,
    *,
    staff: StaffMember,
    client_id: int,
    client_code: str,
    contact_id: int,
    risks: tuple[str, ...],
    now: datetime,
    settings: ReminderSettings,
) -> int:
    alert = SafeguardingAlert(
        contact_id=contact_id,
        client_id=client_id,
        team=staff.team,
        raised_by_id=staff.id,
        risks=",".join(risks),
        raised_at=now,
        repeat_at=now + settings.safeguarding_repeat,
    )
    session.add(alert)
    await session.flush()
    supervisors = await list_staff(
        session, team=staff.team, roles=[Role.SUPERVISOR.value], active_only=True
    )
    recipients = [s for s in supervisors if s.id != staff.id] or await list_staff(
        session, roles=[Role.ADMIN.value], active_only=True
    )
    for recipient in recipients:
        await create_outbox_message(
            session,
            dedupe_key=f"safeguarding:{alert.id}:{recipient.id}",
            kind="safeguarding",
            recipient_id=recipient.id,
            not_before=now,  # safeguarding does not wait for working hours
            payload={"code": client_code, "risks": list(risks), "navigator_id": staff.id},
            alert_id=alert.id,
        )
    return alert.id


@dataclass(frozen=True)
class UndoResult:
    client_code: str
    contact_id: int
    client_removed: bool


async def undo_last_contact(
    session: AsyncSession,
    *,
    staff: StaffMember,
    now: datetime,
    window: timedelta,
    settings: ReminderSettings,
    contact_id: int | None = None,
) -> UndoResult | None:
    """Remove the navigator's own last log within the window and put back what it changed:
    the follow-up it created goes, the ones it completed reopen, a client it created (and
    nothing else refers to) goes. None when there is nothing to undo."""
    last = await get_last_contact_by_staff(session, staff_id=staff.id, logged_since=now - window)
    if last is None or (contact_id is not None and last.id != contact_id):
        return None
    client = await get_client(session, client_id=last.client_id)
    assert client is not None  # a contact always has its client (FK)
    code = client.code

    await delete_followups_created_by(session, contact_id=last.id)
    hours = hours_of(staff.working_hours, settings.default_hours)
    for followup in await list_followups_completed_by(session, contact_id=last.id):
        followup.status = "open"
        followup.completed_at = None
        followup.completed_by_contact_id = None
        followup.completed_on_time = None
        reset_followup_timing(
            followup, due_at=followup.due_at, hours=hours, settings=settings, now=now
        )
    await session.flush()
    await delete_contact(session, contact_id=last.id)
    removed = False
    if (
        client.owner_id == staff.id
        and await count_contacts_of_client(session, client_id=client.id) == 0
    ):
        await delete_client(session, client_id=client.id)
        removed = True
    await create_audit_entry(
        session,
        action=AuditAction.UNDO,
        actor=staff,
        client_code=code,
        detail=f"contact {last.id}",
        at=now,
    )
    return UndoResult(client_code=code, contact_id=last.id, client_removed=removed)


async def close_client(
    session: AsyncSession, *, staff: StaffMember, client: Client, reason: str, now: datetime
) -> int:
    """Close the case: open follow-ups are cancelled (no reminders for a closed case)."""
    client.status = "closed"
    client.closed_at = now
    client.close_reason = reason[:200] or None
    cancelled = 0
    for followup in await list_open_followups_of_client(
        session, client_id=client.id, for_update=True
    ):
        mark_followup_cancelled(followup, at=now)
        cancelled += 1
    await create_audit_entry(
        session,
        action=AuditAction.CLOSE,
        actor=staff,
        client_code=client.code,
        at=now,
    )
    return cancelled


def reminder_settings(settings: Settings) -> ReminderSettings:
    return ReminderSettings(
        tz=settings.tz,
        default_hours=settings.default_hours,
        policy=ReminderPolicy(
            max_overdue_nudges=settings.max_overdue_nudges,
            escalate_after_working_days=settings.escalate_after_working_days,
        ),
        safeguarding_risks=settings.safeguarding_risks,
        safeguarding_repeat=timedelta(minutes=settings.safeguarding_repeat_minutes),
    )
