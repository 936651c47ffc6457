"""The pure rules of leave and cover (bot/followups/cover.py, bot/people/lookup.py): naming
people, reading days, the paused overdue clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.working_hours import WorkingHours
from bot.followups.cover import RangeProblem, clock_due_at, days_away_after, parse_day_range
from bot.people.lookup import PersonKind, parse_person

TODAY = date(2026, 12, 3)  # a Thursday
WEEKDAYS = WorkingHours.parse("mon-fri 09:00-18:00")
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("token", "kind", "value"),
    [
        ("@Omar_K", PersonKind.USERNAME, "omar_k"),
        ("123456789", PersonKind.TELEGRAM_ID, "123456789"),
        ("#42", PersonKind.TELEGRAM_ID, "42"),
        ("১২৩", PersonKind.TELEGRAM_ID, "123"),
        ("Omar", PersonKind.NAME, "omar"),  # names match case-insensitively
    ],
)
def test_a_person_is_named_three_ways(token: str, kind: PersonKind, value: str) -> None:
    ref = parse_person(token)
    assert ref is not None
    assert (ref.kind, ref.value) == (kind, value)


@pytest.mark.parametrize("token", ["@ab", "<b>", "", "12a"])
def test_what_names_nobody(token: str) -> None:
    assert parse_person(token) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-21..2027-01-04", (date(2026, 12, 21), date(2027, 1, 4))),
        ("21/12/2026..4/1/2027", (date(2026, 12, 21), date(2027, 1, 4))),
        ("21/12..4/1", (date(2026, 12, 21), date(2027, 1, 4))),  # the next such days
        ("২১/১২..০৪/০১", (date(2026, 12, 21), date(2027, 1, 4))),
        ("1/12..5/12", (date(2026, 12, 1), date(2026, 12, 5))),  # begun already: fine
        ("3/12", (TODAY, TODAY)),
        ("1/1..5/1", (date(2027, 1, 1), date(2027, 1, 5))),
        ("31/02/2027", RangeProblem.IMPOSSIBLE),
        ("5/1/2027..1/1/2027", RangeProblem.BACKWARDS),
        ("1/11/2026..5/11/2026", RangeProblem.PAST),
        ("1/1/2027..5/1/2028", RangeProblem.TOO_LONG),
        ("next week", RangeProblem.UNREADABLE),
    ],
)
def test_days_are_read_day_first(text: str, expected: object) -> None:
    assert parse_day_range(text, today=TODAY) == expected


def test_only_working_days_away_after_the_due_day_count() -> None:
    away = [(date(2026, 11, 30), date(2026, 12, 6))]  # Monday to Sunday
    # due Tuesday: Wednesday, Thursday (today) count; Friday is still to come
    assert days_away_after(date(2026, 12, 1), TODAY, WEEKDAYS, away) == 2
    assert days_away_after(date(2026, 12, 1), date(2026, 12, 7), WEEKDAYS, away) == 3
    assert days_away_after(date(2026, 12, 1), TODAY, WEEKDAYS, []) == 0


def test_the_clock_runs_from_a_due_time_moved_on_by_the_days_away() -> None:
    due = datetime(2026, 11, 27, 9, tzinfo=UTC)  # Friday 09:00 in London (GMT)
    away = [(date(2026, 11, 30), date(2026, 12, 2))]  # Monday to Wednesday
    moved = clock_due_at(due, today=TODAY, hours=WEEKDAYS, tz=LONDON, away=away)
    assert moved == datetime(2026, 12, 2, 9, tzinfo=UTC)  # three working days later
    assert clock_due_at(due, today=TODAY, hours=WEEKDAYS, tz=LONDON, away=[]) == due


def test_bank_holidays_inside_an_absence_are_not_counted_as_days_away() -> None:
    from bot.core.closures import ClosedDays

    hours = WEEKDAYS.with_closed(ClosedDays("england-wales"))
    away = [(date(2026, 12, 21), date(2027, 1, 1))]  # two weeks off over Christmas
    # due Friday 18th: away on 21-24, 29-31 Dec; 25 and 28 Dec and 1 Jan are bank holidays
    assert days_away_after(date(2026, 12, 18), date(2027, 1, 4), hours, away) == 7
    assert days_away_after(date(2026, 12, 18), date(2027, 1, 4), WEEKDAYS, away) == 10
    due = datetime(2026, 12, 18, 9, tzinfo=UTC)
    moved = clock_due_at(due, today=date(2027, 1, 4), hours=hours, tz=LONDON, away=away)
    assert moved == datetime(2026, 12, 31, 9, tzinfo=UTC)  # seven working days on
