"""What the reminder buttons do: each action re-checks who may act on which record.

Every function takes the caller's session (never commits), locks the record it changes, and
returns either a result or a `Refusal`. A refusal changes nothing. A second press of the same
button finds the record already moved on (done, acknowledged, reassigned) and is refused as
stale or reported as "already", so a double tap never changes anything twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.contacts.saving import (
    ContactInput,
    ReminderSettings,
    close_client,
    hours_of,
    reset_followup_timing,
    save_contact,
)
from bot.core.access import may_act_on, may_supervise
from bot.core.domain import AuditAction, Outcome, Role, StaffMember
from bot.core.reminder_policy import SnoozeOption, next_working_day_start, snooze_until
from bot.followups.absences import is_covering
from bot.followups.sweep import recompute_next_reminder
from storage.alerts import get_alert, mark_alert_acknowledged
from storage.audit import create_audit_entry
from storage.clients import get_client
from storage.followups import forget_owed_nudge, get_followup, list_open_followups_of_client
from storage.models import Client, FollowUp, Staff
from storage.outbox import create_outbox_message
from storage.staff import get_staff, list_staff

_UTC_ZONE = ZoneInfo("UTC")


class Refusal(StrEnum):
    UNKNOWN = "unknown"  # no such record (a forged or purged id)
    NOT_YOURS = "not_yours"  # someone else's record, and not your team to supervise
    STALE = "stale"  # the follow-up is already done or cancelled
    CONFLICT = "conflict"  # the new owner already has an open follow-up with this client


@dataclass(frozen=True)
class Target:
    followup: FollowUp
    client: Client
    owner: Staff


async def _load(
    session: AsyncSession,
    actor: StaffMember,
    followup_id: int,
    *,
    supervisors_only: bool = False,
    tz: ZoneInfo = _UTC_ZONE,
) -> Target | Refusal:
    followup = await get_followup(session, followup_id=followup_id, for_update=True)
    if followup is None:
        return Refusal.UNKNOWN
    owner = await get_staff(session, staff_id=followup.staff_id)
    client = await get_client(session, client_id=followup.client_id)
    if owner is None or client is None:  # pragma: no cover - foreign keys
        return Refusal.UNKNOWN
    allowed = (
        may_supervise(actor, team=owner.team)
        if supervisors_only
        else may_act_on(actor, owner_id=owner.id, team=owner.team)
    )
    if not allowed and not supervisors_only:
        # Issue 16 hook: the owner's cover may act while the owner is away (checked per press).
        allowed = await is_covering(
            session, actor_id=actor.id, owner_id=owner.id, now=datetime.now(UTC), tz=tz
        )
    if not allowed:
        return Refusal.NOT_YOURS
    if followup.status != "open":
        return Refusal.STALE
    return Target(followup, client, owner)


@dataclass(frozen=True)
class Moved:
    code: str
    due_at: datetime


async def no_answer(
    session: AsyncSession,
    *,
    actor: StaffMember,
    followup_id: int,
    now: datetime,
    settings: ReminderSettings,
) -> Moved | Refusal:
    """Log an attempted contact and follow up at the start of the next working day."""
    target = await _load(session, actor, followup_id, tz=settings.tz)
    if isinstance(target, Refusal):
        return target
    hours = hours_of(actor.working_hours, settings.default_hours)
    due_at = next_working_day_start(now, hours, settings.tz)
    await save_contact(
        session,
        staff=actor,
        contact=ContactInput(
            client_code=target.client.code,
            setting=None,
            outcome=Outcome.ATTEMPTED,
            follow_up_at=due_at,
            source="reminder",
        ),
        now=now,
        settings=settings,
    )
    return Moved(target.client.code, due_at)


async def _move(
    session: AsyncSession,
    target: Target,
    *,
    actor: StaffMember,
    due_at: datetime,
    now: datetime,
    settings: ReminderSettings,
    detail: str,
) -> Moved:
    hours = hours_of(target.owner.working_hours, settings.default_hours)
    reset_followup_timing(target.followup, due_at=due_at, hours=hours, settings=settings, now=now)
    await create_audit_entry(
        session,
        action=AuditAction.EDIT,
        actor=actor,
        client_code=target.client.code,
        detail=f"followup {target.followup.id} {detail}",
        at=now,
    )
    return Moved(target.client.code, due_at)


async def snooze(
    session: AsyncSession,
    *,
    actor: StaffMember,
    followup_id: int,
    option: SnoozeOption,
    now: datetime,
    settings: ReminderSettings,
) -> Moved | Refusal:
    """A new due time from the snooze preset (in the owner's working hours). `now` is taken
    to the minute, so a double tap lands on the same time and changes nothing the second
    time."""
    target = await _load(session, actor, followup_id, tz=settings.tz)
    if isinstance(target, Refusal):
        return target
    now = now.replace(second=0, microsecond=0)
    hours = hours_of(target.owner.working_hours, settings.default_hours)
    due_at = snooze_until(option, now=now, hours=hours, tz=settings.tz)
    if target.followup.due_at == due_at:
        return Moved(target.client.code, due_at)
    return await _move(
        session,
        target,
        actor=actor,
        due_at=due_at,
        now=now,
        settings=settings,
        detail=f"snooze {option.value}",
    )


async def check_reschedulable(
    session: AsyncSession, *, actor: StaffMember, followup_id: int
) -> str | Refusal:
    """Before asking for a date: the client code, or why not."""
    target = await _load(session, actor, followup_id)
    return target if isinstance(target, Refusal) else target.client.code


async def reschedule(
    session: AsyncSession,
    *,
    actor: StaffMember,
    followup_id: int,
    due_at: datetime,
    now: datetime,
    settings: ReminderSettings,
) -> Moved | Refusal:
    target = await _load(session, actor, followup_id, tz=settings.tz)
    if isinstance(target, Refusal):
        return target
    if target.followup.due_at == due_at:
        return Moved(target.client.code, due_at)
    return await _move(
        session, target, actor=actor, due_at=due_at, now=now, settings=settings, detail="reschedule"
    )


async def close_case(
    session: AsyncSession, *, actor: StaffMember, followup_id: int, now: datetime
) -> str | Refusal:
    """Close the follow-up's client (its open follow-ups are cancelled). Returns the code."""
    target = await _load(session, actor, followup_id)
    if isinstance(target, Refusal):
        return target
    await close_client(session, staff=actor, client=target.client, reason="", now=now)
    return target.client.code


@dataclass(frozen=True)
class Acknowledged:
    code: str
    first: bool  # False: someone acknowledged before this press
    by_id: int | None


async def acknowledge_escalation(
    session: AsyncSession, *, actor: StaffMember, followup_id: int, now: datetime
) -> Acknowledged | Refusal:
    target = await _load(session, actor, followup_id, supervisors_only=True)
    if isinstance(target, Refusal):
        return target
    followup = target.followup
    if followup.escalation_acknowledged_at is not None:
        return Acknowledged(target.client.code, False, followup.escalation_acknowledged_by_id)
    followup.escalation_acknowledged_at = now
    followup.escalation_acknowledged_by_id = actor.id
    await create_audit_entry(
        session,
        action=AuditAction.ACKNOWLEDGE,
        actor=actor,
        client_code=target.client.code,
        detail=f"escalation {followup.id}",
        at=now,
    )
    return Acknowledged(target.client.code, True, actor.id)


@dataclass(frozen=True)
class ReassignChoices:
    code: str
    owner_id: int
    choices: list[tuple[int, str]]  # (staff id, display name)


async def reassign_choices(
    session: AsyncSession, *, actor: StaffMember, followup_id: int
) -> ReassignChoices | Refusal:
    """The owner's team's active navigators (and supervisors) other than the owner."""
    target = await _load(session, actor, followup_id, supervisors_only=True)
    if isinstance(target, Refusal):
        return target
    team = await list_staff(
        session,
        team=target.owner.team,
        roles=[Role.NAVIGATOR.value, Role.SUPERVISOR.value],
        active_only=True,
    )
    choices = [
        (member.id, member.display_name or str(member.id))
        for member in team
        if member.id != target.owner.id
    ]
    return ReassignChoices(target.client.code, target.owner.id, choices)


@dataclass(frozen=True)
class Reassigned:
    code: str
    new_owner_id: int
    new_owner_name: str
    changed: bool


async def reassign(
    session: AsyncSession,
    *,
    actor: StaffMember,
    followup_id: int,
    to_staff_id: int,
    now: datetime,
    settings: ReminderSettings,
) -> Reassigned | Refusal:
    """Move the follow-up and the client's ownership to a colleague in the same team; the
    escalation counts as handled; the new owner is told (an outbox notice)."""
    target = await _load(session, actor, followup_id, supervisors_only=True)
    if isinstance(target, Refusal):
        return target
    new_owner = await get_staff(session, staff_id=to_staff_id)
    if new_owner is None or not new_owner.active or new_owner.team != target.owner.team:
        return Refusal.UNKNOWN
    name = new_owner.display_name or str(new_owner.id)
    followup, client = target.followup, target.client
    if followup.staff_id == new_owner.id:
        return Reassigned(client.code, new_owner.id, name, changed=False)
    others = await list_open_followups_of_client(session, client_id=client.id)
    if any(other.staff_id == new_owner.id for other in others):
        return Refusal.CONFLICT
    followup.staff_id = new_owner.id
    client.owner_id = new_owner.id
    if followup.escalation_acknowledged_at is None:
        followup.escalation_acknowledged_at = now
        followup.escalation_acknowledged_by_id = actor.id
    hours = hours_of(new_owner.working_hours, settings.default_hours)
    recompute_next_reminder(followup, hours=hours, settings=settings, now=now)
    forget_owed_nudge(followup)  # it was the old owner's; the new owner gets the notice below
    await create_audit_entry(
        session,
        action=AuditAction.REASSIGN,
        actor=actor,
        client_code=client.code,
        detail=f"followup {followup.id} from staff {target.owner.id} to staff {new_owner.id}",
        at=now,
    )
    await create_outbox_message(
        session,
        dedupe_key=f"reassigned:{followup.id}:{new_owner.id}:{int(now.timestamp())}",
        kind="reassigned",
        recipient_id=new_owner.id,
        not_before=now,
        followup_id=followup.id,
        payload={
            "code": client.code,
            "due_at": followup.due_at.isoformat(),
            "by_id": actor.id,
        },
    )
    return Reassigned(client.code, new_owner.id, name, changed=True)


async def acknowledge_alert(
    session: AsyncSession, *, actor: StaffMember, alert_id: int, now: datetime
) -> Acknowledged | Refusal:
    """First acknowledgement wins (one conditional UPDATE); later presses learn who did."""
    alert = await get_alert(session, alert_id=alert_id)
    if alert is None:
        return Refusal.UNKNOWN
    if not may_supervise(actor, team=alert.team):
        return Refusal.NOT_YOURS
    client = await session.get(Client, alert.client_id)
    code = client.code if client is not None else "?"
    if not await mark_alert_acknowledged(session, alert_id=alert_id, staff_id=actor.id, at=now):
        await session.refresh(alert)
        return Acknowledged(code, False, alert.acknowledged_by_id)
    await create_audit_entry(
        session,
        action=AuditAction.ACKNOWLEDGE,
        actor=actor,
        client_code=code,
        detail=f"safeguarding alert {alert_id}",
        at=now,
    )
    return Acknowledged(code, True, actor.id)


async def staff_name(session: AsyncSession, staff_id: int | None) -> str:
    if staff_id is None:
        return "?"
    member = await get_staff(session, staff_id=staff_id)
    if member is None:
        return "?"
    return member.display_name or str(member.telegram_id)
