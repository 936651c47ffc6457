"""Stats periods (PRODUCT §7): parse ``/stats`` period text into local-day ranges with UTC
bounds.

Pure: callers pass ``now`` (aware UTC) and the team's zone. A period is a run of whole local
days; its UTC bounds are local midnights computed per day (so a period spanning a clock change
is 23 or 25 hours longer or shorter, as it should be).

Rules decided here:

* ``week`` is the full ISO week Mon–Sun containing today (so it runs into the future; the
  queries simply find nothing there). ``month``, ``quarter`` and ``year`` are likewise the
  whole calendar unit containing today. Quarters are calendar quarters (Q1 = Jan–Mar).
* ``Qn``, a month name and ``YYYY-MM`` alone are taken as given; ``Qn`` and a bare month name
  mean that unit in the current year.
* Labels are concrete, never relative ("2026-03", not "this month"), because reports are read
  later: a day ``2026-03-27``, an ISO week ``2026-W13``, a month ``2026-03``, a quarter
  ``Q1 2026``, a year ``2026``, anything else ``2026-03-01..2026-03-15``. The kind is
  derived from the dates (:attr:`Period.kind`), so ``2026-01-01..2026-03-31`` *is* Q1 2026.
* ``A vs B`` keeps the order typed: ``current`` is A, ``previous`` (the baseline) is B.
  ``vs`` or ``compare`` alone is this month vs last month; ``A vs`` or ``compare A`` compares
  A with :func:`previous_period` of A. ``vs B`` alone and more than one ``vs`` are errors.
* Explicit ranges ``YYYY-MM-DD..YYYY-MM-DD`` are inclusive, start <= end, and end before the
  same date three years after the start (Feb 29 counts as Mar 1). Years must be 1970–2100.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.core.working_hours import local_to_utc, normalize_digits, require_aware

__all__ = [
    "MAX_RANGE_YEARS",
    "Period",
    "PeriodError",
    "PeriodErrorReason",
    "PeriodKind",
    "PeriodQuery",
    "parse_period",
    "period_between",
    "previous_period",
    "weekly_buckets",
]

MAX_RANGE_YEARS = 3
_MIN_YEAR, _MAX_YEAR = 1970, 2100


class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"  # an ISO week, Monday to Sunday
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"  # anything else


class PeriodErrorReason(StrEnum):
    UNKNOWN = "unknown"  # not a period we understand
    IMPOSSIBLE_DATE = "impossible_date"  # 2026-02-31, month 13, Q5
    OUT_OF_RANGE = "out_of_range"  # a year outside 1970–2100
    REVERSED_RANGE = "reversed_range"  # start after end
    TOO_LONG = "too_long"  # a range of more than three years
    BAD_COMPARISON = "bad_comparison"  # "vs B" without A, or two "vs"


class PeriodError(ValueError):
    def __init__(self, reason: PeriodErrorReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _whole_months(first: date, last: date) -> int | None:
    """How many whole calendar months ``first..last`` covers, or None if not whole months."""
    if first.day != 1 or last != _month_end(last.year, last.month):
        return None
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _kind(first: date, last: date) -> PeriodKind:
    if first == last:
        return PeriodKind.DAY
    if (last - first).days == 6 and first.weekday() == 0:
        return PeriodKind.WEEK
    months = _whole_months(first, last)
    if months == 1:
        return PeriodKind.MONTH
    if months == 3 and first.month % 3 == 1:
        return PeriodKind.QUARTER
    if months == 12 and first.month == 1:
        return PeriodKind.YEAR
    return PeriodKind.RANGE


@dataclass(frozen=True)
class Period:
    """Whole local days ``first_day..last_day``; ``[start, end)`` are their UTC bounds."""

    label: str
    start: datetime
    end: datetime
    first_day: date
    last_day: date

    @property
    def kind(self) -> PeriodKind:
        return _kind(self.first_day, self.last_day)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end


def period_between(first_day: date, last_day: date, tz: ZoneInfo) -> Period:
    """The period of local days ``first_day..last_day`` (inclusive) with its canonical label."""
    if last_day < first_day:
        raise PeriodError(
            PeriodErrorReason.REVERSED_RANGE,
            f"the period starts after it ends ({first_day.isoformat()} > {last_day.isoformat()})",
        )
    kind = _kind(first_day, last_day)
    if kind is PeriodKind.DAY:
        label = first_day.isoformat()
    elif kind is PeriodKind.WEEK:
        iso = first_day.isocalendar()
        label = f"{iso.year}-W{iso.week:02d}"
    elif kind is PeriodKind.MONTH:
        label = f"{first_day.year}-{first_day.month:02d}"
    elif kind is PeriodKind.QUARTER:
        label = f"Q{(first_day.month - 1) // 3 + 1} {first_day.year}"
    elif kind is PeriodKind.YEAR:
        label = str(first_day.year)
    else:
        label = f"{first_day.isoformat()}..{last_day.isoformat()}"
    return Period(
        label=label,
        start=local_to_utc(first_day, time(0), tz),
        end=local_to_utc(last_day + timedelta(days=1), time(0), tz),
        first_day=first_day,
        last_day=last_day,
    )


def previous_period(p: Period, tz: ZoneInfo) -> Period:
    """The period of the same kind just before ``p``.

    Whole calendar months (a month, a quarter, a year, or any run of whole months) give the
    same number of calendar months before; anything else gives the same number of local
    days immediately before (a day -> the day before, an ISO week -> the week before).
    """
    months = _whole_months(p.first_day, p.last_day)
    if months is not None:
        year, month = _add_months(p.first_day.year, p.first_day.month, -months)
        return period_between(date(year, month, 1), p.first_day - timedelta(days=1), tz)
    return period_between(p.first_day - timedelta(days=p.days), p.first_day - timedelta(days=1), tz)


@dataclass(frozen=True)
class PeriodQuery:
    current: Period
    previous: Period | None  # the baseline of a comparison; None when not comparing


def _month(year: int, month: int, tz: ZoneInfo) -> Period:
    return period_between(date(year, month, 1), _month_end(year, month), tz)


def _quarter(year: int, quarter: int, tz: ZoneInfo) -> Period:
    first_month = 3 * (quarter - 1) + 1
    return period_between(date(year, first_month, 1), _month_end(year, first_month + 2), tz)


def _year(year: int, tz: ZoneInfo) -> Period:
    return period_between(date(year, 1, 1), date(year, 12, 31), tz)


def _week_of(day: date, tz: ZoneInfo) -> Period:
    monday = day - timedelta(days=day.weekday())
    return period_between(monday, monday + timedelta(days=6), tz)


def _check_year(year: int) -> int:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise PeriodError(
            PeriodErrorReason.OUT_OF_RANGE, f"{year} is outside {_MIN_YEAR}–{_MAX_YEAR}"
        )
    return year


def _check_month(month: int) -> int:
    if not 1 <= month <= 12:
        raise PeriodError(PeriodErrorReason.IMPOSSIBLE_DATE, f"there is no month {month}")
    return month


def _check_quarter(quarter: int) -> int:
    if not 1 <= quarter <= 4:
        raise PeriodError(PeriodErrorReason.IMPOSSIBLE_DATE, f"there is no quarter Q{quarter}")
    return quarter


def _date(text: str) -> date:
    year, month, day = (int(part) for part in text.split("-"))
    _check_year(year)
    _check_month(month)
    try:
        return date(year, month, day)
    except ValueError:
        raise PeriodError(
            PeriodErrorReason.IMPOSSIBLE_DATE, f"{text} is not a date in the calendar"
        ) from None


def _three_years_after(day: date) -> date:
    try:
        return day.replace(year=day.year + MAX_RANGE_YEARS)
    except ValueError:  # 29 February
        return date(day.year + MAX_RANGE_YEARS, 3, 1)


_MONTH_NAMES: dict[str, int] = {}
for _number in range(1, 13):
    _MONTH_NAMES[calendar.month_name[_number].lower()] = _number
    _MONTH_NAMES[calendar.month_abbr[_number].lower()] = _number
_MONTH_NAMES["sept"] = 9

_THIS = r"(?:this |current |এই )?"
_LAST = r"(?:last|previous|prev|গত)[ -]?"
_WORD_PATTERNS: tuple[tuple[str, str], ...] = (
    ("today", rf"{_THIS}(?:today|day|আজ|আজকে)"),
    ("yesterday", r"yesterday|গতকাল"),
    ("week", rf"{_THIS}(?:week|সপ্তাহ)"),
    ("month", rf"{_THIS}(?:month|মাস)"),
    ("quarter", rf"{_THIS}(?:quarter|ত্রৈমাসিক|প্রান্তিক)"),
    ("year", rf"{_THIS}(?:year|বছর)"),
    ("last-week", rf"{_LAST}(?:week|সপ্তাহ)"),
    ("last-month", rf"{_LAST}(?:month|মাস)"),
    ("last-quarter", rf"{_LAST}(?:quarter|ত্রৈমাসিক|প্রান্তিক)"),
    ("last-year", rf"{_LAST}(?:year|বছর)"),
)
_WORDS = tuple((name, re.compile(pattern)) for name, pattern in _WORD_PATTERNS)

_ISO_DATE = r"\d{4}-\d{1,2}-\d{1,2}"
_RANGE_RE = re.compile(rf"({_ISO_DATE})\s*(?:\.{{2,3}}|to|-|–)\s*({_ISO_DATE})")
_DATE_RE = re.compile(_ISO_DATE)
_MONTH_RE = re.compile(r"(\d{4})[-/](\d{1,2})")
_YEAR_RE = re.compile(r"\d{4}")
_QUARTER_RES = (
    re.compile(r"(?P<y>\d{4})[- ]?q(?P<q>\d)"),
    re.compile(r"q(?P<q>\d)(?:[- ]?(?P<y>\d{4}))?"),
)
_MONTH_NAME_RE = re.compile(r"([a-z]+)(?:[- ](\d{4}))?|(\d{4})[- ]([a-z]+)")
_VS_RE = re.compile(r"\s(?:vs\.?|versus|বনাম)\s")


def _single(text: str, today: date, tz: ZoneInfo) -> Period:
    for name, pattern in _WORDS:
        if pattern.fullmatch(text):
            return _named(name, today, tz)
    if match := _RANGE_RE.fullmatch(text):
        first, last = _date(match.group(1)), _date(match.group(2))
        if last < first:
            raise PeriodError(
                PeriodErrorReason.REVERSED_RANGE,
                f"the range starts after it ends ({first.isoformat()} > {last.isoformat()})",
            )
        if last >= _three_years_after(first):
            raise PeriodError(
                PeriodErrorReason.TOO_LONG, f"a range can cover at most {MAX_RANGE_YEARS} years"
            )
        return period_between(first, last, tz)
    if _DATE_RE.fullmatch(text):
        day = _date(text)
        return period_between(day, day, tz)
    if match := _MONTH_RE.fullmatch(text):
        return _month(_check_year(int(match.group(1))), _check_month(int(match.group(2))), tz)
    if _YEAR_RE.fullmatch(text):
        return _year(_check_year(int(text)), tz)
    for quarter_re in _QUARTER_RES:
        if match := quarter_re.fullmatch(text):
            year = int(match.group("y")) if match.group("y") else today.year
            return _quarter(_check_year(year), _check_quarter(int(match.group("q"))), tz)
    if match := _MONTH_NAME_RE.fullmatch(text):
        name = match.group(1) or match.group(4)
        year_text = match.group(2) or match.group(3)
        if name in _MONTH_NAMES:
            year = int(year_text) if year_text else today.year
            return _month(_check_year(year), _MONTH_NAMES[name], tz)
    raise PeriodError(
        PeriodErrorReason.UNKNOWN,
        f"'{text}' is not a period: try today, week, month, quarter, year, last-month, "
        "2026-03, Q1 2026, 2026, 2026-03-01..2026-03-15 or 'month vs last-month'",
    )


def _named(name: str, today: date, tz: ZoneInfo) -> Period:
    if name == "today":
        return period_between(today, today, tz)
    if name == "yesterday":
        return period_between(today - timedelta(days=1), today - timedelta(days=1), tz)
    if name == "week":
        return _week_of(today, tz)
    if name == "month":
        return _month(today.year, today.month, tz)
    if name == "quarter":
        return _quarter(today.year, (today.month - 1) // 3 + 1, tz)
    if name == "year":
        return _year(today.year, tz)
    current = _named(name.removeprefix("last-"), today, tz)
    return previous_period(current, tz)


def parse_period(text: str, *, now: datetime, tz: ZoneInfo) -> PeriodQuery:
    """Parse the period part of ``/stats``, ``/export`` (see the module docstring for the
    forms and rules). Empty text is this month. Raises :class:`PeriodError`."""
    require_aware(now, "now")
    today = now.astimezone(tz).date()
    normalized = normalize_digits(text).strip()
    if normalized.startswith("compare"):
        rest = normalized.removeprefix("compare").strip()
        normalized = f"{rest} vs" if rest else "vs"
    parts = _VS_RE.split(f" {normalized} ")
    if len(parts) == 1:
        return PeriodQuery(_single(normalized or "month", today, tz), None)
    if len(parts) > 2:
        raise PeriodError(PeriodErrorReason.BAD_COMPARISON, "compare two periods: 'A vs B'")
    left, right = (part.strip() for part in parts)
    if not left and not right:
        current = _single("month", today, tz)
        return PeriodQuery(current, previous_period(current, tz))
    if not left:
        raise PeriodError(PeriodErrorReason.BAD_COMPARISON, "say what to compare first: 'A vs B'")
    current = _single(left, today, tz)
    baseline = _single(right, today, tz) if right else previous_period(current, tz)
    return PeriodQuery(current, baseline)


def weekly_buckets(weeks: int, *, now: datetime, tz: ZoneInfo) -> list[Period]:
    """The last ``weeks`` ISO weeks (Mon–Sun local) ending with the current one, oldest
    first."""
    require_aware(now, "now")
    if not 1 <= weeks <= 520:
        raise ValueError("weeks must be between 1 and 520")
    current = _week_of(now.astimezone(tz).date(), tz)
    return [
        _week_of(current.first_day - timedelta(weeks=back), tz) for back in range(weeks - 1, -1, -1)
    ]
