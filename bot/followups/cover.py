"""Away, cover and naming people: the pure rules (issue 16). Never imports telegram.

* A person is named by ``@username``, a numeric Telegram id, or a display name.
* Leave is a range of local days, inclusive, typed day-first: ``2026-12-21..2027-01-04``,
  ``21/12/2026..4/1/2027``, ``21/12..4/1`` (the next such dates), or one day.
* While a navigator is away their overdue clock stops: a working day of theirs spent away does
  not count towards "working days overdue" (overdue nudges and escalation). The sweep plans a
  follow-up as if it were due that many working days later (:func:`clock_due_at`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.core.working_hours import WorkingHours, normalize_digits, working_days_after

MAX_ABSENCE_DAYS = 366
RECENT_DAYS = 60


class RangeProblem(StrEnum):
    UNREADABLE = "unreadable"
    IMPOSSIBLE = "impossible"  # 31/02
    BACKWARDS = "backwards"  # ends before it starts
    PAST = "past"  # over before today
    TOO_LONG = "too_long"


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2}|\d{4}))?$")
_SEPARATORS = re.compile(r"\.\.|–|—|…")


def _one_day(text: str, today: date, *, not_before: date | None = None) -> date | RangeProblem:
    text = normalize_digits(text.strip())
    try:
        if match := _ISO.match(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DMY.match(text):
            day, month = int(match[1]), int(match[2])
            if match[3]:
                year = int(match[3])
                return date(year + 2000 if year < 100 else year, month, day)
            # Without a year: the next such day, or one up to RECENT_DAYS ago (leave that has
            # already begun); the last day of a range is the next such day from the first.
            start = not_before or today - timedelta(days=RECENT_DAYS)
            candidate = date(start.year, month, day) if _valid(start.year, month, day) else None
            if candidate is None or candidate < start:
                return date(start.year + 1, month, day)
            return candidate
    except ValueError:
        return RangeProblem.IMPOSSIBLE
    return RangeProblem.UNREADABLE


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def looks_like_days(token: str) -> bool:
    return bool(re.match(r"^[\d০-৯]", token.strip())) and not token.strip().isdigit()


def parse_day_range(text: str, *, today: date) -> tuple[date, date] | RangeProblem:
    """Local days ``(first, last)`` of a leave, checked: readable, possible, in order, not
    entirely in the past, at most a year long."""
    parts = _SEPARATORS.split(text.strip())
    if len(parts) == 1:
        first = last = _one_day(parts[0], today)
    elif len(parts) == 2:
        first = _one_day(parts[0], today)
        last = (
            _one_day(parts[1], today, not_before=first)
            if isinstance(first, date)
            else RangeProblem.UNREADABLE
        )
    else:
        return RangeProblem.UNREADABLE
    if not isinstance(first, date):
        return first
    if not isinstance(last, date):
        return last
    if last < first:
        return RangeProblem.BACKWARDS
    if last < today:
        return RangeProblem.PAST
    if (last - first).days >= MAX_ABSENCE_DAYS:
        return RangeProblem.TOO_LONG
    return first, last


DayRange = tuple[date, date]


def days_away_after(
    due_day: date, today: date, hours: WorkingHours, away: Iterable[DayRange]
) -> int:
    """The member's working days ``d`` with ``due_day < d <= today`` spent away (a bank
    holiday inside the absence is no working day, so it is not counted twice)."""
    count = 0
    for first, last in away:
        day = max(first, due_day + timedelta(days=1))
        end = min(last, today)
        while day <= end:
            if hours.works_on(day):
                count += 1
            day += timedelta(days=1)
    return count


def clock_due_at(
    due_at: datetime,
    *,
    today: date,
    hours: WorkingHours,
    tz: ZoneInfo,
    away: Iterable[DayRange],
) -> datetime:
    """The due time the overdue clock runs from: ``due_at`` moved on by the working days spent
    away since the due day, at the same local time of day (``due_at`` when none were)."""
    local = due_at.astimezone(tz)
    shift = days_away_after(local.date(), today, hours, away)
    if shift == 0:
        return due_at
    day = working_days_after(local.date(), shift, hours)
    moved = datetime.combine(day, local.time().replace(tzinfo=None)).replace(tzinfo=tz)
    return moved.astimezone(due_at.tzinfo)


def format_day(day: date) -> str:
    """Day-first, as the team types dates."""
    return day.strftime("%d/%m/%Y")
