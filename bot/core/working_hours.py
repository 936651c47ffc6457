"""A navigator's working hours and the local-time arithmetic reminders are built on.

Pure functions: nothing here reads the clock; callers pass aware datetimes (UTC by
convention) and a ``ZoneInfo``. Every "wall-clock time on a local day" is computed with
:func:`local_to_utc`, never by adding 24-hour intervals in UTC, so a 09:00 reminder stays at
09:00 local on both sides of a daylight-saving change.

Rules decided here:

* A wall time that does not exist (the spring-forward gap, e.g. 01:30 on 29 March 2026 in
  Europe/London) moves forward to the first valid instant after the gap (02:00 BST).
* An ambiguous wall time (the repeated hour, e.g. 01:30 on 25 October 2026) means its first
  occurrence (``fold=0``). A day has exactly one window start, so nothing fires twice.
* The window on local day D is the half-open instant interval
  ``[local_to_utc(D, start), local_to_utc(D, end))``. If both ends fall inside a gap the
  window would be empty; it then starts at the end of the gap and keeps its nominal length.
* **Night shifts**: a window whose end is not after its start crosses midnight
  (``mon-fri 20:00-08:00``). Its instant interval is
  ``[local_to_utc(D, start), local_to_utc(D + 1, end))`` and **the shift belongs to the day
  it starts**: the Friday night shift that ends at 08:00 on Saturday is Friday's. So its
  agenda comes at Friday 20:00, it counts as one working day (Friday) in overdue counts and
  escalation, and a shift that starts on a bank holiday is not worked while one that ends on
  it is. A window cannot start and end at the same minute.
* **Closed days** (bank holidays, the council's closures: ``bot.core.closures``) are not
  working days although their weekday is: no window, no count.
* Day ranges run forward through the week: ``mon-fri``, ``sat-sun``, ``mon-sun``. A range
  that runs backwards (``sun-mon``, ``fri-mon``) is refused with a suggestion rather than
  guessed: it could mean the two days or the week wrapped round, and a navigator's reminders
  should not depend on which guess was made. Write ``fri,sat,sun,mon`` or ``fri-sun,mon``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.core.clock import local_to_utc
from bot.core.closures import NO_CLOSURES, ClosedDays

__all__ = [
    "DAY_ABBREVIATIONS",
    "DEFAULT",
    "WorkingHours",
    "WorkingHoursError",
    "WorkingHoursErrorReason",
    "deliver_at",
    "is_within",
    "local_to_utc",
    "next_window_start",
    "normalize_digits",
    "require_aware",
    "shift_day",
    "window_end_on",
    "window_start_on",
    "working_days_after",
    "working_days_between",
]

DAY_ABBREVIATIONS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_STORAGE_DAYS = tuple(d.lower() for d in DAY_ABBREVIATIONS)

_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−", "-"))


def normalize_digits(text: str) -> str:
    """NFKC (full-width digits, colons and hyphens become ASCII), Bengali digits to ASCII,
    typographic dashes to ``-``, lower case, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS).translate(_DASHES)
    return " ".join(text.lower().split())


def require_aware(value: datetime, name: str = "datetime") -> None:
    """Raise ``ValueError`` for a naive datetime: every instant in this package is aware."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got naive {value!r}")


class WorkingHoursErrorReason(StrEnum):
    BAD_DAYS = "bad_days"
    BACKWARD_DAYS = "backward_days"
    BAD_TIME = "bad_time"
    EMPTY_WINDOW = "empty_window"


class WorkingHoursError(ValueError):
    """Working-hours text or values that cannot be used; ``reason`` says which part, and
    ``details`` holds what a translated reply quotes (``range`` and ``days`` for
    ``BACKWARD_DAYS``)."""

    def __init__(self, reason: WorkingHoursErrorReason, message: str, **details: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.details = details


_DAY_WORDS: dict[str, int] = {}
for _index, _names in enumerate(
    (
        ("mon", "monday", "mo", "সোম", "সোমবার"),
        ("tue", "tues", "tuesday", "tu", "মঙ্গল", "মঙ্গলবার"),
        ("wed", "weds", "wednesday", "we", "বুধ", "বুধবার"),
        ("thu", "thur", "thurs", "thursday", "th", "বৃহস্পতি", "বৃহস্পতিবার"),
        ("fri", "friday", "fr", "শুক্র", "শুক্রবার"),
        ("sat", "saturday", "sa", "শনি", "শনিবার"),
        ("sun", "sunday", "su", "রবি", "রবিবার"),
    )
):
    for _name in _names:
        _DAY_WORDS[_name] = _index

_DAY_GROUPS: dict[str, frozenset[int]] = {
    "weekdays": frozenset(range(5)),
    "weekday": frozenset(range(5)),
    "workdays": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
    "weekend": frozenset({5, 6}),
    "daily": frozenset(range(7)),
    "everyday": frozenset(range(7)),
    "all": frozenset(range(7)),
}

_TIME = r"\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?"
_WINDOW_RE = re.compile(rf"(?P<start>{_TIME})\s*(?:-|to)\s*(?P<end>{_TIME})$")
_TIME_RE = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?")


def _parse_time(text: str) -> time:
    match = _TIME_RE.fullmatch(text.strip())
    if match is None:
        raise WorkingHoursError(WorkingHoursErrorReason.BAD_TIME, f"'{text}' is not a time")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    meridiem = (match.group(3) or "").replace(".", "")
    if meridiem:
        if not 1 <= hour <= 12:
            raise WorkingHoursError(
                WorkingHoursErrorReason.BAD_TIME, f"'{text}': with am/pm the hour is 1–12"
            )
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        raise WorkingHoursError(
            WorkingHoursErrorReason.BAD_TIME,
            f"'{text}' is not a time of day (00:00–23:59; windows end by 23:59)",
        )
    return time(hour, minute)


def _parse_days(text: str) -> frozenset[int]:
    days: set[int] = set()
    text = re.sub(r"\s*(?:-|\bto\b)\s*", "-", text)
    tokens = [t for t in re.split(r"[,;&/+\s]+", text) if t]
    tokens = [t for t in tokens if t not in ("and", "ও", "every", "day", "days")]
    if not tokens:
        raise WorkingHoursError(
            WorkingHoursErrorReason.BAD_DAYS,
            "no days given: start with days, e.g. 'mon-fri 09:00-18:00'",
        )
    for token in tokens:
        if token in _DAY_GROUPS:
            days |= _DAY_GROUPS[token]
            continue
        first, sep, last = token.partition("-")
        if first not in _DAY_WORDS or (sep and last not in _DAY_WORDS):
            raise WorkingHoursError(
                WorkingHoursErrorReason.BAD_DAYS,
                f"'{token}' is not a day or a range of days (mon, tue, … or mon-fri)",
            )
        a = _DAY_WORDS[first]
        b = _DAY_WORDS[last] if sep else a
        if b < a:
            raise WorkingHoursError(
                WorkingHoursErrorReason.BACKWARD_DAYS,
                f"'{token}' runs backwards through the week: write the days one by one"
                f" ({_comma_days(a, b)}) or a forward range such as mon-sun",
                range=token,
                days=_comma_days(a, b),
            )
        days.update(range(a, b + 1))
    return frozenset(days)


def _comma_days(a: int, b: int) -> str:
    return ",".join(_STORAGE_DAYS[(a + i) % 7] for i in range((b - a) % 7 + 1))


def _runs(days: frozenset[int]) -> tuple[tuple[int, int], ...]:
    runs: list[tuple[int, int]] = []
    for day in sorted(days):
        if runs and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return tuple(runs)


@dataclass(frozen=True)
class WorkingHours:
    """Days of the week (0=Mon..6=Sun) with one daily window ``[start, end)`` in local time,
    and the days the team is closed (``closed``: bank holidays and closures).

    Windows are whole minutes (that is what the text form holds). A window whose end is not
    after its start is a night shift that ends on the next day (see the module rules).
    """

    days: frozenset[int]
    start: time
    end: time
    closed: ClosedDays = NO_CLOSURES

    def __post_init__(self) -> None:
        if not self.days or not self.days <= frozenset(range(7)):
            raise WorkingHoursError(
                WorkingHoursErrorReason.BAD_DAYS, "working days must be a non-empty set of 0..6"
            )
        for value in (self.start, self.end):
            if value.tzinfo is not None or value.second or value.microsecond:
                raise WorkingHoursError(
                    WorkingHoursErrorReason.BAD_TIME,
                    "window times are naive local times in whole minutes",
                )
        if self.end == self.start:
            raise WorkingHoursError(
                WorkingHoursErrorReason.EMPTY_WINDOW,
                f"the window starts and ends at {self.start:%H:%M}: give different times",
            )

    @property
    def overnight(self) -> bool:
        """The window crosses midnight: it ends on the day after the day it belongs to."""
        return self.end < self.start

    def works_on(self, day: date) -> bool:
        """A shift starts on local ``day``: a working weekday that is not a closed day."""
        return day.weekday() in self.days and not self.closed.is_closed(day)

    def with_closed(self, closed: ClosedDays) -> WorkingHours:
        return replace(self, closed=closed)

    @classmethod
    def parse(cls, text: str, closed: ClosedDays = NO_CLOSURES) -> WorkingHours:
        """Parse ``"mon-fri 09:00-18:00"``, ``"Mon,Wed,Fri 8-16"``, ``"weekdays 9-17"``,
        ``"sat-sun 10:00-14:30"``, ``"mon-sun 7am-10pm"``, Bengali or full-width digits,
        Bengali day names. Days come first, then the window.
        """
        normalized = normalize_digits(text)
        match = _WINDOW_RE.search(normalized)
        if match is None:
            raise WorkingHoursError(
                WorkingHoursErrorReason.BAD_TIME,
                "no time window found: end with a window such as 09:00-18:00",
            )
        start, end = _parse_time(match.group("start")), _parse_time(match.group("end"))
        days = _parse_days(normalized[: match.start()].strip(" ,"))
        return cls(days, start, end, closed)

    def day_ranges(self) -> tuple[tuple[int, int], ...]:
        """Runs of consecutive days, Monday first: ``((0, 4),)`` for Mon–Fri,
        ``((0, 0), (2, 2), (4, 4))`` for Mon, Wed, Fri. For translators."""
        return _runs(self.days)

    def to_storage(self) -> str:
        """Canonical compact text, e.g. ``"mon-fri 09:00-18:00"``; ``parse`` reads it back."""
        days = ",".join(
            _STORAGE_DAYS[a] if a == b else f"{_STORAGE_DAYS[a]}-{_STORAGE_DAYS[b]}"
            for a, b in self.day_ranges()
        )
        return f"{days} {self.start:%H:%M}-{self.end:%H:%M}"

    def describe(self) -> str:
        """English display text, e.g. ``"Mon–Fri 09:00–18:00"``, ``"Mon, Wed, Fri 08:00–16:00"``."""
        days = ", ".join(
            DAY_ABBREVIATIONS[a] if a == b else f"{DAY_ABBREVIATIONS[a]}–{DAY_ABBREVIATIONS[b]}"
            for a, b in self.day_ranges()
        )
        return f"{days} {self.start:%H:%M}–{self.end:%H:%M}"


DEFAULT = WorkingHours(frozenset(range(5)), time(9), time(18))


@lru_cache(maxsize=4096)
def _window_on(day: date, hours: WorkingHours, tz: ZoneInfo) -> tuple[datetime, datetime]:
    # Cached: pure, and the reminder sweep asks for the same few days of the same few
    # navigators' hours for every follow-up it looks at.
    start = local_to_utc(day, hours.start, tz)
    end_day = day + timedelta(days=1) if hours.overnight else day
    end = local_to_utc(end_day, hours.end, tz)
    if end <= start:  # both ends inside a DST gap: keep the nominal length after the gap
        nominal = datetime.combine(end_day, hours.end) - datetime.combine(day, hours.start)
        end = start + nominal
    return start, end


def window_start_on(day: date, hours: WorkingHours, tz: ZoneInfo) -> datetime | None:
    """UTC start of the window on local ``day``; ``None`` if ``day`` is not a working day."""
    if not hours.works_on(day):
        return None
    return _window_on(day, hours, tz)[0]


def window_end_on(day: date, hours: WorkingHours, tz: ZoneInfo) -> datetime | None:
    """UTC end (exclusive) of the window that starts on local ``day`` (the next day for a
    night shift); ``None`` if not a working day."""
    if not hours.works_on(day):
        return None
    return _window_on(day, hours, tz)[1]


def shift_day(instant: datetime, hours: WorkingHours, tz: ZoneInfo) -> date | None:
    """The local day whose window holds ``instant`` (start inclusive, end exclusive): the
    instant's own day, or the day before during the small hours of a night shift; ``None``
    outside working hours."""
    require_aware(instant, "instant")
    today = instant.astimezone(tz).date()
    for day in (today, today - timedelta(days=1)) if hours.overnight else (today,):
        if hours.works_on(day):
            start, end = _window_on(day, hours, tz)
            if start <= instant < end:
                return day
    return None


def is_within(instant: datetime, hours: WorkingHours, tz: ZoneInfo) -> bool:
    """Whether ``instant`` lies in a working window (start inclusive, end exclusive)."""
    return shift_day(instant, hours, tz) is not None


def next_window_start(after: datetime, hours: WorkingHours, tz: ZoneInfo) -> datetime:
    """The first window start at or after ``after`` (``after`` itself if it is one)."""
    require_aware(after, "after")
    day = after.astimezone(tz).date() - timedelta(days=1)
    # Closures are at most MAX_CLOSURE_RANGE_DAYS long each, so a window opens within a year
    # unless every working day of it is closed (a configuration no council has).
    for _ in range(400):
        start = window_start_on(day, hours, tz)
        if start is not None and start >= after:
            return start
        day += timedelta(days=1)
    raise ValueError("no working day in the next year: check CLOSURE_DAYS")


def deliver_at(when: datetime, hours: WorkingHours, tz: ZoneInfo) -> datetime:
    """``when`` if it is inside working hours, else the next window start."""
    if is_within(when, hours, tz):
        return when
    return next_window_start(when, hours, tz)


@lru_cache(maxsize=4096)
def working_days_after(day: date, n: int, hours: WorkingHours) -> date:
    """The ``n``-th working day strictly after local date ``day`` (``n=0`` returns ``day``);
    closed days are skipped."""
    if n < 0:
        raise ValueError("n must be >= 0")
    current = day
    for _ in range(n):
        current += timedelta(days=1)
        for _ in range(400):
            if hours.works_on(current):
                break
            current += timedelta(days=1)
        else:
            raise ValueError("no working day in the next year: check CLOSURE_DAYS")
    return current


def working_days_between(after_day: date, until_day: date, hours: WorkingHours) -> int:
    """How many working days ``d`` satisfy ``after_day < d <= until_day`` (0 if none);
    closed days do not count."""
    span = (until_day - after_day).days
    if span <= 0:
        return 0
    weeks, rest = divmod(span, 7)
    count = weeks * len(hours.days)
    for offset in range(1, rest + 1):
        if (after_day + timedelta(days=weeks * 7 + offset)).weekday() in hours.days:
            count += 1
    closed = hours.closed.closed_between(after_day, until_day)
    return count - sum(1 for d in closed if d.weekday() in hours.days)
