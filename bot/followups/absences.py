"""Away and cover (issue 16): recording leave, and what the reminder sweep and sender do while
someone is away. Takes the caller's session and never commits; nothing here talks to Telegram.

* While a navigator is away, the nudges their follow-ups owe go to the cover (the colleague
  named, or else the team's first active supervisor; admins when the team has none), inside
  the *cover's* working hours, marked "covering for …", with the same buttons; the cover's
  presses are allowed (:func:`is_covering`).
* Their overdue clock stops for their own working days away (:class:`AwayClock`, used by the
  sweep), so nothing escalates and no overdue count grows for those days.
* The morning agenda of an absent member goes to the cover instead (:func:`produce_cover_agendas`).
* Once the leave is over (its last day passed, or /back) the member gets one summary of what
  others did with each of their clients meanwhile (:func:`produce_return_summaries`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.contacts.saving import ReminderSettings, hours_of
from bot.core.domain import AuditAction, Role
from bot.core.i18n import Translator
from bot.core.labels import outcome_label
from bot.core.working_hours import (
    deliver_at,
    is_within,
    local_to_utc,
    next_window_start,
)
from bot.followups.cover import DayRange, clock_due_at, format_day
from storage.absences import (
    count_overlapping_absences,
    create_absence,
    get_absence_in_force,
    list_absences_in_force,
    list_absences_since,
    list_absences_to_summarise,
    list_cover_activity,
)
from storage.audit import create_audit_entry
from storage.models import Absence, Staff
from storage.outbox import create_outbox_message
from storage.staff import get_staff, list_staff


def local_today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


# --- recording leave -------------------------------------------------------------------------


class AwayRefusal:
    """Why a leave was not recorded (a msgid-free code; the handler words it)."""

    NOT_ALLOWED = "not_allowed"  # a navigator for someone else, a supervisor outside the team
    COVER_NOT_IN_TEAM = "cover_not_in_team"
    COVER_IS_SELF = "cover_is_self"
    OVERLAP = "overlap"
    NO_COVER = "no_cover"  # no cover named and the team has no supervisor


def may_manage(actor_role: Role, actor_team: str, actor_id: int, target: Staff) -> bool:
    """Oneself; a supervisor their own team; an admin anyone."""
    if actor_id == target.id or actor_role is Role.ADMIN:
        return True
    return actor_role is Role.SUPERVISOR and target.team == actor_team


async def team_supervisors(session: AsyncSession, *, team: str, besides: int) -> list[Staff]:
    found = await list_staff(session, team=team, roles=[Role.SUPERVISOR.value], active_only=True)
    return [s for s in found if s.id != besides]


async def record_absence(
    session: AsyncSession,
    *,
    actor_id: int,
    actor_telegram_id: int,
    actor_role: Role,
    actor_team: str,
    target: Staff,
    cover: Staff | None,
    days: DayRange,
    now: datetime,
) -> Absence | str:
    if not may_manage(actor_role, actor_team, actor_id, target):
        return AwayRefusal.NOT_ALLOWED
    if cover is not None:
        if cover.id == target.id:
            return AwayRefusal.COVER_IS_SELF
        if cover.team != target.team or not cover.active:
            return AwayRefusal.COVER_NOT_IN_TEAM
    elif not await team_supervisors(session, team=target.team, besides=target.id):
        return AwayRefusal.NO_COVER
    first, last = days
    if await count_overlapping_absences(session, staff_id=target.id, starts_on=first, ends_on=last):
        return AwayRefusal.OVERLAP
    absence = await create_absence(
        session,
        staff_id=target.id,
        cover_id=cover.id if cover else None,
        starts_on=first,
        ends_on=last,
        created_by_id=actor_id,
        at=now,
    )
    await create_audit_entry(
        session,
        action=AuditAction.SETTINGS,
        actor_staff_id=actor_id,
        actor_telegram_id=actor_telegram_id,
        detail=f"away staff {target.id} cover {cover.id if cover else 'supervisors'}",
        at=now,
    )
    return absence


async def end_absence(
    session: AsyncSession, *, staff_id: int, now: datetime, tz: ZoneInfo
) -> Absence | None:
    """/back: the leave in force today ends now (its summary follows with the next sweep)."""
    absence = await get_absence_in_force(session, staff_id=staff_id, day=local_today(now, tz))
    if absence is not None:
        absence.ended_at = now
        await session.flush()
    return absence


# --- who covers, and may the cover act -------------------------------------------------------


async def covers_of(session: AsyncSession, absence: Absence) -> list[Staff]:
    """The named cover, else the team's active supervisors, else the admins."""
    if absence.cover_id is not None:
        cover = await get_staff(session, staff_id=absence.cover_id)
        if cover is not None and cover.active:
            return [cover]
    owner = await get_staff(session, staff_id=absence.staff_id)
    if owner is None:
        return []
    found = await team_supervisors(session, team=owner.team, besides=owner.id)
    if not found:
        admins = await list_staff(session, roles=[Role.ADMIN.value], active_only=True)
        found = [a for a in admins if a.id != owner.id]
    return found


async def current_cover(
    session: AsyncSession, *, owner_id: int, now: datetime, tz: ZoneInfo
) -> tuple[Staff, Absence] | None:
    """The member who receives `owner_id`'s nudges now, if the owner is away."""
    absence = await get_absence_in_force(session, staff_id=owner_id, day=local_today(now, tz))
    if absence is None:
        return None
    covers = await covers_of(session, absence)
    return (covers[0], absence) if covers else None


async def is_covering(
    session: AsyncSession, *, actor_id: int, owner_id: int, now: datetime, tz: ZoneInfo
) -> bool:
    """Re-checked on every button press: does `actor_id` cover `owner_id` today?"""
    absence = await get_absence_in_force(session, staff_id=owner_id, day=local_today(now, tz))
    if absence is None:
        return False
    return any(cover.id == actor_id for cover in await covers_of(session, absence))


@dataclass(frozen=True)
class CoverDelivery:
    """A nudge re-routed to a cover: deliver to `recipient`, or wait until `defer_until`."""

    recipient: Staff
    covering_for: str
    defer_until: datetime | None


async def route_nudge(
    session: AsyncSession,
    *,
    owner: Staff,
    now: datetime,
    settings: ReminderSettings,
) -> CoverDelivery | None:
    """The sender's hook: None when the owner is not away (deliver as usual)."""
    found = await current_cover(session, owner_id=owner.id, now=now, tz=settings.tz)
    if found is None:
        return None
    cover, _ = found
    hours = hours_of(cover.working_hours, settings.default_hours)
    defer = (
        None if is_within(now, hours, settings.tz) else next_window_start(now, hours, settings.tz)
    )
    return CoverDelivery(cover, owner.display_name or str(owner.telegram_id), defer)


def covering_line(t: Translator, name: str) -> str:
    return t("🤝 Covering for {name}:", name=name)


# --- the overdue clock -----------------------------------------------------------------------


class AwayClock:
    """For one sweep batch: each owner's days away, read once."""

    def __init__(
        self, away: dict[int, list[DayRange]], *, today: date, settings: ReminderSettings
    ) -> None:
        self._away = away
        self._today = today
        self._settings = settings

    @classmethod
    async def load(
        cls,
        session: AsyncSession,
        *,
        staff_ids: set[int],
        since: date,
        now: datetime,
        settings: ReminderSettings,
    ) -> AwayClock:
        tz = settings.tz
        today = local_today(now, tz)
        away: dict[int, list[DayRange]] = defaultdict(list)
        for absence in await list_absences_since(session, staff_ids=sorted(staff_ids), since=since):
            last = absence.ends_on
            if absence.ended_at is not None:
                last = min(last, absence.ended_at.astimezone(tz).date() - timedelta(days=1))
            if absence.starts_on <= min(last, today):
                away[absence.staff_id].append((absence.starts_on, last))
        return cls(dict(away), today=today, settings=settings)

    def due_at(self, staff_id: int, due_at: datetime, working_hours: str | None) -> datetime:
        """The due time the owner's overdue clock runs from (`due_at` unless they were away)."""
        away = self._away.get(staff_id)
        if not away:
            return due_at
        settings = self._settings
        hours = hours_of(working_hours, settings.default_hours)
        return clock_due_at(due_at, today=self._today, hours=hours, tz=settings.tz, away=away)


# --- agendas and return summaries ------------------------------------------------------------


async def produce_return_summaries(
    session: AsyncSession, *, now: datetime, settings: ReminderSettings
) -> int:
    """One summary per absence that is over, to the member, inside their working hours."""
    today = local_today(now, settings.tz)
    produced = 0
    for absence in await list_absences_to_summarise(session, today=today):
        # The leave's own span, not the sweep's `now`: a sweep that took its `now` before
        # /back must neither cut the summary short nor make it early.
        until = absence.ended_at or local_to_utc(
            absence.ends_on + timedelta(days=1), time(0), settings.tz
        )
        if until > now:
            continue  # the next sweep
        absence.summary_at = now
        owner = await get_staff(session, staff_id=absence.staff_id)
        if owner is None or not owner.active:
            continue
        since = local_to_utc(absence.starts_on, time(0), settings.tz)
        activity = await list_cover_activity(session, staff_id=owner.id, since=since, until=until)
        hours = hours_of(owner.working_hours, settings.default_hours)
        produced += await create_outbox_message(
            session,
            dedupe_key=f"cover-summary:{absence.id}",
            kind="cover_summary",
            recipient_id=owner.id,
            not_before=deliver_at(now, hours, settings.tz),
            payload={
                "from": absence.starts_on.isoformat(),
                "to": absence.ends_on.isoformat(),
                "clients": [list(row) for row in activity],
            },
        )
    await session.flush()
    return produced


async def away_staff_ids(session: AsyncSession, *, staff_ids: Sequence[int], day: date) -> set[int]:
    return {a.staff_id for a in await list_absences_in_force(session, staff_ids=staff_ids, day=day)}


# --- rendering -------------------------------------------------------------------------------


def render_return_summary(t: Translator, payload: dict[str, Any]) -> str:
    first = format_day(date.fromisoformat(payload["from"]))
    last = format_day(date.fromisoformat(payload["to"]))
    head = t("👋 Welcome back. While you were away ({first}–{last}):", first=first, last=last)
    clients = payload.get("clients") or []
    if not clients:
        return head + "\n" + t("Nobody logged a contact with your clients.")
    lines = [head]
    for code, contacts, outcome, open_followups in clients:
        label = outcome_label(t, outcome)
        line = t.plural(
            "• <b>{code}</b>: {count} contact, last: {outcome}",
            "• <b>{code}</b>: {count} contacts, last: {outcome}",
            int(contacts),
            code=code,
            outcome=label,
        )
        if open_followups:
            line += " " + t("(follow-up open)")
        lines.append(line)
    return "\n".join(lines)
