"""Days the team does not work although they are working weekdays: public holidays and the
council's own closures (a Christmas shutdown, a training day).

Public holidays come from the well-kept ``holidays`` package, per UK nation: England and
Wales share theirs (``england-wales``, the default), Scotland and Northern Ireland have their
own, and ``none`` turns them off. Closure days are the ``CLOSURE_DAYS`` setting: ISO dates and
inclusive ranges, ``2026-12-24..2027-01-01, 2027-04-19``.

A closed day is not a working day anywhere working days are counted: nudges, overdue counts,
escalation, the morning agenda, the weekly digest and ``/due`` (``WorkingHours.works_on``).
Pure: no clock, no I/O; the holiday tables are computed once per (region, year).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays

__all__ = [
    "HOLIDAY_REGIONS",
    "MAX_CLOSURE_RANGE_DAYS",
    "NO_CLOSURES",
    "ClosedDays",
    "parse_closure_days",
]

# Setting value -> the ``holidays`` package's subdivision of GB ("GB" country code).
HOLIDAY_REGIONS: dict[str, str | None] = {
    "england-wales": "ENG",
    "scotland": "SCT",
    "northern-ireland": "NIR",
    "none": None,
}

# A range longer than this is almost certainly a typo in a year (2026-12-24..2027-12-01).
MAX_CLOSURE_RANGE_DAYS = 62

_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*(?:\.\.|–|—|\bto\b)\s*(\d{4}-\d{2}-\d{2})")


def parse_closure_days(text: str) -> frozenset[date]:
    """``"2026-12-24..2027-01-01, 2027-04-19"`` → the dates; ``ValueError`` in one sentence
    naming the part that is wrong."""
    days: set[date] = set()
    for part in (p.strip() for p in re.split(r"[,;]", text)):
        if not part:
            continue
        ranged = _RANGE.fullmatch(part)
        try:
            if ranged:
                first = date.fromisoformat(ranged.group(1))
                last = date.fromisoformat(ranged.group(2))
            else:
                first = last = date.fromisoformat(part)
        except ValueError:
            raise ValueError(
                f"{part!r} is not a date or a range: write 2026-12-24 or 2026-12-24..2027-01-01"
            ) from None
        if last < first:
            raise ValueError(f"{part!r} ends before it starts")
        if (last - first).days >= MAX_CLOSURE_RANGE_DAYS:
            raise ValueError(f"{part!r} is longer than {MAX_CLOSURE_RANGE_DAYS} days: a typo?")
        days.update(first + timedelta(days=i) for i in range((last - first).days + 1))
    return frozenset(days)


@lru_cache(maxsize=64)
def _public_holidays(subdivision: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv=subdivision, years=year))


@dataclass(frozen=True)
class ClosedDays:
    """Public holidays of ``region`` (a key of :data:`HOLIDAY_REGIONS`) plus ``extra`` days.

    Frozen and hashable: it is part of :class:`~bot.core.working_hours.WorkingHours`, which
    the working-time caches are keyed on.
    """

    region: str = "none"
    extra: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.region not in HOLIDAY_REGIONS:
            raise ValueError(
                f"unknown holiday region {self.region!r}: use {', '.join(HOLIDAY_REGIONS)}"
            )

    def is_closed(self, day: date) -> bool:
        if day in self.extra:
            return True
        subdivision = HOLIDAY_REGIONS[self.region]
        return subdivision is not None and day in _public_holidays(subdivision, day.year)

    def closed_between(self, after_day: date, until_day: date) -> list[date]:
        """Closed days ``d`` with ``after_day < d <= until_day``, ascending."""
        if until_day <= after_day:
            return []
        found = {d for d in self.extra if after_day < d <= until_day}
        subdivision = HOLIDAY_REGIONS[self.region]
        if subdivision is not None:
            for year in range(after_day.year, until_day.year + 1):
                found.update(
                    d for d in _public_holidays(subdivision, year) if after_day < d <= until_day
                )
        return sorted(found)


NO_CLOSURES = ClosedDays()
