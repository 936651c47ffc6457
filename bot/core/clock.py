"""Local wall-clock time and UTC: the one conversion, and the default follow-up.

Everything stored is UTC; everything a navigator types or reads is local time in the team's
zone (`Settings.tz`, never a hard-coded zone). Every local → UTC conversion in the bot goes
through :func:`local_to_utc`, so the parser, working hours, periods and reminders agree on
the two awkward cases of a daylight-saving change:

- a wall time that does not exist (the spring-forward gap, 01:30 on 2026-03-29 in London)
  becomes the first instant after the gap (02:00 BST): a window that "starts at 01:30"
  starts as soon as the clocks allow, and nothing lands later than the user meant by more
  than the gap itself;
- a wall time that happens twice (the fall-back hour, 01:30 on 2026-10-25 in London) is
  its first occurrence (01:30 BST): a reminder is never an hour later than asked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

FOLLOW_UP_TIME = time(9)
"""A follow-up date without a time means this local time (PRODUCT §4)."""

DEFAULT_FOLLOW_UP_DAYS = 7
"""The follow-up proposed when none is stated (PRODUCT §4); `Settings.default_follow_up_days`
overrides it per deployment."""


def local_to_utc(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``wall`` on local ``day`` in ``tz``.

    Non-existent times (a gap) move forward to the first instant after the gap; ambiguous
    times use their first occurrence (see the module docstring).
    """
    naive = datetime.combine(day, wall.replace(tzinfo=None, fold=0))
    first = naive.replace(tzinfo=tz).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first
    # In a gap: fold=0 maps with the offset before the transition (an instant after the
    # gap), fold=1 with the offset after it (an instant before the gap). The transition is
    # the earliest instant between them whose wall time is later than ``naive``.
    lo = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    hi = first
    if hi < lo:
        lo, hi = hi, lo
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0) if hi.microsecond else hi


def default_follow_up(now: datetime, tz: ZoneInfo, days: int = DEFAULT_FOLLOW_UP_DAYS) -> datetime:
    """`FOLLOW_UP_TIME` local, ``days`` (>= 1) calendar days after today's local date."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if days < 1:
        raise ValueError("days must be >= 1")
    return local_to_utc(now.astimezone(tz).date() + timedelta(days=days), FOLLOW_UP_TIME, tz)
