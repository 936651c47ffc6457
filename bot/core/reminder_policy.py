"""When the reminders for one open follow-up go out (PRODUCT §6), and the follow-up presets.

Pure and deterministic: the whole timeline follows from the due time, the navigator's working
hours and zone, and the policy. Nothing reads the clock; callers pass ``now`` (aware UTC).

The timeline of a follow-up due at ``due_at`` (local due day = ``due_at``'s date in ``tz``):

* **DUE** at ``deliver_at(due_at)``: the due time itself when inside working hours, else the
  next window start.
* **Overdue** once the local due day has ended (local midnight after it).
* **OVERDUE** nudge *k* (k = 1..``max_overdue_nudges``) at the window start of the *k*-th
  working day after the due day; ``days_overdue = sequence = k``.
* **ESCALATION** once, at the window start of the ``escalate_after_working_days``-th working
  day after the due day; its ``days_overdue`` is that number. With the defaults it coincides
  with the third overdue nudge and both are returned.

Decisions beyond the spec:

* **Working hours gate.** :func:`reminders_due` returns nothing while ``now`` is outside the
  navigator's working hours, even when something is pending: a reminder whose moment passed
  while the bot was down waits for the next window, like any other reminder (PRODUCT §6:
  reminders go out only inside working hours). Every scheduled moment is itself inside a
  window, so this never delays an on-time reminder.
* **Skip DUE.** When the DUE nudge is pending and an OVERDUE nudge is already due, only the
  OVERDUE one is returned; the caller marks both as done.
* **Catch-up, not spam.** Of the OVERDUE nudges due and not yet sent only the latest is
  returned, with its own ``sequence``; the caller stores ``overdue_nudges_sent = sequence``.
  Skipped ones are never sent later.
* ``Reminder.at`` is the scheduled moment, which after downtime can be in the past.
* A timeline with ``overdue_nudges_sent > 0`` counts its DUE nudge as done.
* List order: DUE, OVERDUE, ESCALATION.

The sweep stores :func:`next_reminder_at` in an indexed column, selects rows with
``next_reminder_at <= now``, calls :func:`reminders_due`, records what it sent and stores
``next_reminder_at(updated, not_before=now)`` again (``not_before`` pushes a pending reminder
that could not go out, because ``now`` is outside working hours, to the next window).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.core.clock import FOLLOW_UP_TIME, default_follow_up, local_to_utc
from bot.core.working_hours import (
    WorkingHours,
    deliver_at,
    is_within,
    require_aware,
    shift_day,
    window_end_on,
    window_start_on,
    working_days_after,
    working_days_between,
)

__all__ = [
    "FOLLOW_UP_TIME",
    "FollowUpPreset",
    "FollowUpTimeline",
    "Reminder",
    "ReminderKind",
    "ReminderPolicy",
    "SnoozeOption",
    "SweepPlan",
    "SweepPlanner",
    "SweepReminder",
    "default_follow_up",
    "end_of_due_day",
    "is_overdue",
    "next_reminder_at",
    "next_working_day_start",
    "plan_sweep",
    "preset_follow_up",
    "reminders_due",
    "snooze_until",
    "working_days_overdue",
]


class ReminderKind(StrEnum):
    DUE = "due"
    OVERDUE = "overdue"
    ESCALATION = "escalation"


@dataclass(frozen=True)
class ReminderPolicy:
    max_overdue_nudges: int = 3
    escalate_after_working_days: int = 3

    def __post_init__(self) -> None:
        if self.max_overdue_nudges < 0:
            raise ValueError("max_overdue_nudges must be >= 0")
        if self.escalate_after_working_days < 1:
            raise ValueError("escalate_after_working_days must be >= 1")


@dataclass(frozen=True)
class FollowUpTimeline:
    """What has already happened to one open follow-up."""

    due_at: datetime
    due_nudge_sent: bool
    overdue_nudges_sent: int
    escalated: bool

    def __post_init__(self) -> None:
        require_aware(self.due_at, "due_at")
        if self.overdue_nudges_sent < 0:
            raise ValueError("overdue_nudges_sent must be >= 0")


@dataclass(frozen=True)
class Reminder:
    kind: ReminderKind
    at: datetime
    days_overdue: int
    sequence: int


def _due_day(due_at: datetime, tz: ZoneInfo) -> date:
    require_aware(due_at, "due_at")
    return due_at.astimezone(tz).date()


def end_of_due_day(due_at: datetime, tz: ZoneInfo) -> datetime:
    """Local midnight after the due date, as UTC: the follow-up is overdue from then on."""
    return local_to_utc(_due_day(due_at, tz) + timedelta(days=1), time(0), tz)


def is_overdue(due_at: datetime, now: datetime, tz: ZoneInfo) -> bool:
    """Not completed by the end of its local due day."""
    require_aware(now, "now")
    return now >= end_of_due_day(due_at, tz)


def working_days_overdue(due_at: datetime, now: datetime, hours: WorkingHours, tz: ZoneInfo) -> int:
    """Working days after the due day up to and including ``now``'s local day.

    A working day counts from its local midnight, so on the morning of the first working day
    after the due day this is 1 even before the window opens; over a weekend after a Friday
    due day it is 0 although the follow-up is already overdue. During a night shift it is
    still the day the shift started: at 03:00 on Tuesday in Monday's shift, Tuesday does not
    count yet. Closed days (bank holidays) never count.
    """
    if not is_overdue(due_at, now, tz):
        return 0
    today = shift_day(now, hours, tz) or now.astimezone(tz).date()
    return working_days_between(_due_day(due_at, tz), today, hours)


@lru_cache(maxsize=4096)
def _overdue_day_starts(
    due_day: date, hours: WorkingHours, tz: ZoneInfo, policy: ReminderPolicy
) -> tuple[datetime, ...]:
    """Window starts of the 1st, 2nd, … working days after the due day, as far as the policy
    looks (the overdue nudges and the escalation). Cached: pure, and a sweep asks it for the
    same few due days of the same few navigators' hours for every follow-up it looks at."""
    starts = []
    for k in range(1, max(policy.max_overdue_nudges, policy.escalate_after_working_days) + 1):
        start = window_start_on(working_days_after(due_day, k, hours), hours, tz)
        assert start is not None  # working_days_after returns a working day
        starts.append(start)
    return tuple(starts)


@dataclass(frozen=True)
class _Schedule:
    due: datetime | None  # None when the DUE nudge is done
    overdue: tuple[tuple[int, datetime], ...]  # pending (k, at), ascending
    escalation: datetime | None  # None when escalated


def _schedule(
    tl: FollowUpTimeline, hours: WorkingHours, tz: ZoneInfo, policy: ReminderPolicy
) -> _Schedule:
    starts = _overdue_day_starts(_due_day(tl.due_at, tz), hours, tz, policy)
    due_done = tl.due_nudge_sent or tl.overdue_nudges_sent > 0
    overdue = tuple(
        (k, starts[k - 1]) for k in range(tl.overdue_nudges_sent + 1, policy.max_overdue_nudges + 1)
    )
    escalation = None if tl.escalated else starts[policy.escalate_after_working_days - 1]
    return _Schedule(
        due=None if due_done else deliver_at(tl.due_at, hours, tz),
        overdue=overdue,
        escalation=escalation,
    )


def reminders_due(
    tl: FollowUpTimeline,
    *,
    now: datetime,
    hours: WorkingHours,
    tz: ZoneInfo,
    policy: ReminderPolicy,
) -> list[Reminder]:
    """The reminders to send now for this follow-up (see the module rules); empty outside
    working hours."""
    require_aware(now, "now")
    if not is_within(now, hours, tz):
        return []
    schedule = _schedule(tl, hours, tz, policy)
    result: list[Reminder] = []
    latest = [(k, at) for k, at in schedule.overdue if at <= now]
    if schedule.due is not None and schedule.due <= now and not latest:
        # also skipped when an OVERDUE nudge was due but is already sent: the DUE nudge
        # cannot be pending then (see _schedule), so this only fires on time or late alone
        result.append(Reminder(ReminderKind.DUE, schedule.due, 0, 0))
    if latest:
        k, at = latest[-1]
        result.append(Reminder(ReminderKind.OVERDUE, at, k, k))
    if schedule.escalation is not None and schedule.escalation <= now:
        result.append(
            Reminder(
                ReminderKind.ESCALATION,
                schedule.escalation,
                policy.escalate_after_working_days,
                0,
            )
        )
    return result


def next_reminder_at(
    tl: FollowUpTimeline,
    *,
    hours: WorkingHours,
    tz: ZoneInfo,
    policy: ReminderPolicy,
    not_before: datetime | None = None,
) -> datetime | None:
    """The earliest instant at which :func:`reminders_due` returns something; ``None`` when
    everything is done.

    ``reminders_due(tl, now=r)`` is non-empty for ``r = next_reminder_at(tl)`` and empty for
    every ``now < r``. With ``not_before`` the answer is the earliest such instant at or after
    ``not_before`` (a pending reminder whose moment has passed is due again at
    ``deliver_at(not_before)``).
    """
    schedule = _schedule(tl, hours, tz, policy)
    candidates = [t for t in (schedule.due, schedule.escalation) if t is not None]
    if schedule.overdue:
        candidates.append(schedule.overdue[0][1])
    if not candidates:
        return None
    earliest = min(candidates)
    if not_before is None:
        return earliest
    require_aware(not_before, "not_before")
    if earliest >= not_before:
        return earliest
    return deliver_at(not_before, hours, tz)


# --- the sweep's plans ------------------------------------------------------------------------


class SweepReminder(NamedTuple):
    """A reminder as the sweep records it: what to send, not when it was scheduled."""

    kind: ReminderKind
    days_overdue: int
    sequence: int


class SweepPlan(NamedTuple):
    """What one sweep at ``now`` does to a follow-up: the reminders it sends and the state it
    leaves behind (``escalates``: the follow-up escalates now)."""

    reminders: tuple[SweepReminder, ...]
    due_nudge_sent: bool
    overdue_nudges_sent: int
    escalates: bool
    next_reminder_at: datetime | None


def plan_sweep(
    tl: FollowUpTimeline,
    *,
    now: datetime,
    hours: WorkingHours,
    tz: ZoneInfo,
    policy: ReminderPolicy,
) -> SweepPlan:
    """:func:`reminders_due` at ``now``, and the timeline's state once they are sent:
    ``next_reminder_at(updated, not_before=now)``, never ``now`` itself or earlier (a row must
    not spin in the sweep)."""
    reminders = reminders_due(tl, now=now, hours=hours, tz=tz, policy=policy)
    due_nudge_sent = tl.due_nudge_sent
    overdue_nudges_sent = tl.overdue_nudges_sent
    escalates = False
    for reminder in reminders:
        if reminder.kind is ReminderKind.ESCALATION:
            escalates = True
            continue
        if reminder.kind is ReminderKind.OVERDUE:
            overdue_nudges_sent = reminder.sequence
        due_nudge_sent = True
    following = next_reminder_at(
        FollowUpTimeline(
            due_at=tl.due_at,
            due_nudge_sent=due_nudge_sent,
            overdue_nudges_sent=overdue_nudges_sent,
            escalated=tl.escalated or escalates,
        ),
        hours=hours,
        tz=tz,
        policy=policy,
        not_before=now,
    )
    if following is not None and following <= now:
        # The policy guarantees a later instant; never let a row spin in the sweep.
        following = now + timedelta(minutes=1)
    return SweepPlan(
        tuple(SweepReminder(r.kind, r.days_overdue, r.sequence) for r in reminders),
        due_nudge_sent,
        overdue_nudges_sent,
        escalates,
        following,
    )


class SweepPlanner:
    """:func:`plan_sweep` for the many follow-ups of one navigator's hours in one sweep batch,
    each plan computed once per class of follow-ups that must get the same one.

    A plan depends on the due time only through the local due day (when the overdue nudges and
    the escalation fall) and the DUE nudge's moment ``deliver_at(due_at)``; and on that moment
    only if it is still pending afterwards, i.e. not before ``now`` (a moment already past is
    sent now or, outside working hours, moves to ``deliver_at(now)`` whatever it was). So
    follow-ups due at 08:10 and 08:40 (both delivered at the 09:00 window start) share a plan,
    and a morning's 600 distinct due times before ``now`` share one. The due day's window and
    the next working day's start are computed once per day, so finding a follow-up's class
    costs one time zone conversion and a few comparisons, not the policy's calendar walk.
    (``SweepPlan`` holds no ``Reminder.at``: that is the one thing that would differ.)
    """

    def __init__(
        self, hours: WorkingHours, *, now: datetime, tz: ZoneInfo, policy: ReminderPolicy
    ) -> None:
        require_aware(now, "now")
        self._hours = hours
        self._now = now
        self._tz = tz
        self._policy = policy
        # local day -> (window start, window end) or None on a day off, and the window start
        # of the next working day
        self._days: dict[date, tuple[tuple[datetime, datetime] | None, datetime]] = {}
        self._classes: dict[datetime, tuple[date, datetime | None]] = {}
        self._plans: dict[tuple[date, datetime | None, bool, int, bool], SweepPlan] = {}

    def _day(self, day: date) -> tuple[tuple[datetime, datetime] | None, datetime]:
        known = self._days.get(day)
        if known is None:
            hours, tz = self._hours, self._tz
            start, end = window_start_on(day, hours, tz), window_end_on(day, hours, tz)
            following = window_start_on(working_days_after(day, 1, hours), hours, tz)
            assert following is not None  # working_days_after returns a working day
            window = (start, end) if start is not None and end is not None else None
            known = self._days[day] = (window, following)
        return known

    def _class_of(self, due_at: datetime) -> tuple[date, datetime | None]:
        """The local due day and ``deliver_at(due_at)`` if that is not before ``now``."""
        day = due_at.astimezone(self._tz).date()
        window, following = self._day(day)
        # deliver_at: inside the day's window, the due time itself; before it, its start;
        # after it (or on a day off), the next working day's start.
        if window is not None and due_at < window[1]:
            moment = due_at if due_at >= window[0] else window[0]
        else:
            moment = following
        return day, moment if moment >= self._now else None

    def plan(
        self,
        due_at: datetime,
        *,
        due_nudge_sent: bool,
        overdue_nudges_sent: int,
        escalated: bool,
    ) -> SweepPlan:
        cls = self._classes.get(due_at)
        if cls is None:
            require_aware(due_at, "due_at")
            cls = self._classes[due_at] = self._class_of(due_at)
        day, moment = cls
        if due_nudge_sent or overdue_nudges_sent > 0:
            moment = None  # the DUE nudge is done: its moment plays no part
        key = (day, moment, due_nudge_sent, overdue_nudges_sent, escalated)
        found = self._plans.get(key)
        if found is None:
            tl = FollowUpTimeline(due_at, due_nudge_sent, overdue_nudges_sent, escalated)
            found = self._plans[key] = plan_sweep(
                tl, now=self._now, hours=self._hours, tz=self._tz, policy=self._policy
            )
        return found


# --- snooze and follow-up presets --------------------------------------------------------


class SnoozeOption(StrEnum):
    HOUR = "1h"
    TOMORROW = "tomorrow"
    THREE_DAYS = "3d"


_SNOOZE_DAYS = {SnoozeOption.TOMORROW: 1, SnoozeOption.THREE_DAYS: 3}


def snooze_until(
    option: SnoozeOption, *, now: datetime, hours: WorkingHours, tz: ZoneInfo
) -> datetime:
    """The new due time of a snoozed follow-up.

    * ``1h``: ``deliver_at(now + 1 hour)``.
    * ``tomorrow`` / ``3d``: on local day today+1 / today+3, 09:00 if that is inside the
      window; on a working day whose window does not contain 09:00, that day's window start;
      on a day off, the next window start after 09:00 that day.
    """
    require_aware(now, "now")
    if option is SnoozeOption.HOUR:
        return deliver_at(now + timedelta(hours=1), hours, tz)
    day = now.astimezone(tz).date() + timedelta(days=_SNOOZE_DAYS[option])
    nine = local_to_utc(day, FOLLOW_UP_TIME, tz)
    start = window_start_on(day, hours, tz)
    if start is not None and not is_within(nine, hours, tz):
        return start
    return deliver_at(nine, hours, tz)


class FollowUpPreset(StrEnum):
    TOMORROW = "tomorrow"
    THREE_DAYS = "3d"
    ONE_WEEK = "1w"
    TWO_WEEKS = "2w"


_PRESET_DAYS = {
    FollowUpPreset.TOMORROW: 1,
    FollowUpPreset.THREE_DAYS: 3,
    FollowUpPreset.ONE_WEEK: 7,
    FollowUpPreset.TWO_WEEKS: 14,
}


def preset_follow_up(preset: FollowUpPreset, *, now: datetime, tz: ZoneInfo) -> datetime:
    """09:00 local on today+1/+3/+7/+14 (calendar days; working hours apply at delivery)."""
    return default_follow_up(now, tz, _PRESET_DAYS[preset])


def next_working_day_start(now: datetime, hours: WorkingHours, tz: ZoneInfo) -> datetime:
    """ "No answer": the window start of the first working day after today's local date."""
    require_aware(now, "now")
    day = working_days_after(now.astimezone(tz).date(), 1, hours)
    start = window_start_on(day, hours, tz)
    assert start is not None
    return start
