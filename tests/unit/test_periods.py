from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from bot.reports.periods import (
    Period,
    PeriodError,
    PeriodErrorReason,
    PeriodKind,
    parse_period,
    period_between,
    previous_period,
    weekly_buckets,
)

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 27, 12, tzinfo=UTC)  # Friday 27 March 2026, GMT


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc,arg-type]


def one(text: str, now: datetime = NOW) -> Period:
    query = parse_period(text, now=now, tz=LONDON)
    assert query.previous is None
    return query.current


def days(p: Period) -> tuple[date, date]:
    return p.first_day, p.last_day


@pytest.mark.parametrize(
    ("text", "first", "last", "label", "kind"),
    [
        ("", date(2026, 3, 1), date(2026, 3, 31), "2026-03", PeriodKind.MONTH),
        ("today", date(2026, 3, 27), date(2026, 3, 27), "2026-03-27", PeriodKind.DAY),
        ("yesterday", date(2026, 3, 26), date(2026, 3, 26), "2026-03-26", PeriodKind.DAY),
        ("week", date(2026, 3, 23), date(2026, 3, 29), "2026-W13", PeriodKind.WEEK),
        ("this week", date(2026, 3, 23), date(2026, 3, 29), "2026-W13", PeriodKind.WEEK),
        ("month", date(2026, 3, 1), date(2026, 3, 31), "2026-03", PeriodKind.MONTH),
        ("quarter", date(2026, 1, 1), date(2026, 3, 31), "Q1 2026", PeriodKind.QUARTER),
        ("year", date(2026, 1, 1), date(2026, 12, 31), "2026", PeriodKind.YEAR),
        ("last-week", date(2026, 3, 16), date(2026, 3, 22), "2026-W12", PeriodKind.WEEK),
        ("last week", date(2026, 3, 16), date(2026, 3, 22), "2026-W12", PeriodKind.WEEK),
        ("last-month", date(2026, 2, 1), date(2026, 2, 28), "2026-02", PeriodKind.MONTH),
        ("LAST-QUARTER", date(2025, 10, 1), date(2025, 12, 31), "Q4 2025", PeriodKind.QUARTER),
        ("last-year", date(2025, 1, 1), date(2025, 12, 31), "2025", PeriodKind.YEAR),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024-02", PeriodKind.MONTH),
        ("2025-02", date(2025, 2, 1), date(2025, 2, 28), "2025-02", PeriodKind.MONTH),
        ("2026-3", date(2026, 3, 1), date(2026, 3, 31), "2026-03", PeriodKind.MONTH),
        ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), "Q2 2026", PeriodKind.QUARTER),
        ("Q3", date(2026, 7, 1), date(2026, 9, 30), "Q3 2026", PeriodKind.QUARTER),
        ("q4 2025", date(2025, 10, 1), date(2025, 12, 31), "Q4 2025", PeriodKind.QUARTER),
        ("2024", date(2024, 1, 1), date(2024, 12, 31), "2024", PeriodKind.YEAR),
        ("march", date(2026, 3, 1), date(2026, 3, 31), "2026-03", PeriodKind.MONTH),
        ("Sep 2025", date(2025, 9, 1), date(2025, 9, 30), "2025-09", PeriodKind.MONTH),
        ("2026-03-27", date(2026, 3, 27), date(2026, 3, 27), "2026-03-27", PeriodKind.DAY),
        (
            "2026-03-01..2026-03-15",
            date(2026, 3, 1),
            date(2026, 3, 15),
            "2026-03-01..2026-03-15",
            PeriodKind.RANGE,
        ),
        (
            "2024-02-01..2024-02-29",
            date(2024, 2, 1),
            date(2024, 2, 29),
            "2024-02",
            PeriodKind.MONTH,
        ),
        (
            "2026-01-01 to 2026-03-31",
            date(2026, 1, 1),
            date(2026, 3, 31),
            "Q1 2026",
            PeriodKind.QUARTER,
        ),
        (
            "2023-01-01..2025-12-31",
            date(2023, 1, 1),
            date(2025, 12, 31),
            "2023-01-01..2025-12-31",
            PeriodKind.RANGE,
        ),
        # Bengali words and digits, full-width digits
        ("আজ", date(2026, 3, 27), date(2026, 3, 27), "2026-03-27", PeriodKind.DAY),
        ("সপ্তাহ", date(2026, 3, 23), date(2026, 3, 29), "2026-W13", PeriodKind.WEEK),
        ("মাস", date(2026, 3, 1), date(2026, 3, 31), "2026-03", PeriodKind.MONTH),
        ("ত্রৈমাসিক", date(2026, 1, 1), date(2026, 3, 31), "Q1 2026", PeriodKind.QUARTER),
        ("বছর", date(2026, 1, 1), date(2026, 12, 31), "2026", PeriodKind.YEAR),
        ("গত মাস", date(2026, 2, 1), date(2026, 2, 28), "2026-02", PeriodKind.MONTH),
        ("গত সপ্তাহ", date(2026, 3, 16), date(2026, 3, 22), "2026-W12", PeriodKind.WEEK),
        ("২০২৬-০২", date(2026, 2, 1), date(2026, 2, 28), "2026-02", PeriodKind.MONTH),
        ("２０２５", date(2025, 1, 1), date(2025, 12, 31), "2025", PeriodKind.YEAR),
    ],
)
def test_single_periods(text: str, first: date, last: date, label: str, kind: PeriodKind) -> None:
    period = one(text)
    assert days(period) == (first, last)
    assert period.label == label
    assert period.kind is kind


def test_bounds_are_local_midnights() -> None:
    march = one("2026-03")  # the spring change falls inside
    assert march.start == utc(2026, 3, 1)  # 00:00 GMT
    assert march.end == utc(2026, 3, 31, 23)  # 00:00 BST on 1 April
    assert march.end - march.start == timedelta(days=31, hours=-1)


def test_period_spanning_october_change_has_local_midnight_bounds() -> None:
    october = one("2026-10")
    assert october.start == utc(2026, 9, 30, 23)  # 00:00 BST on 1 October
    assert october.end == utc(2026, 11, 1)  # 00:00 GMT on 1 November
    assert october.end - october.start == timedelta(days=31, hours=1)
    day = one("2026-10-25")  # the 25-hour day
    assert (day.start, day.end) == (utc(2026, 10, 24, 23), utc(2026, 10, 26))
    assert day.contains(utc(2026, 10, 25, 23, 59))
    assert not day.contains(utc(2026, 10, 26))


def test_now_is_read_in_local_time() -> None:
    late = utc(2026, 6, 30, 23, 30)  # 1 July 00:30 BST: already Q3 locally
    assert one("quarter", late).label == "Q3 2026"
    assert one("today", late).label == "2026-07-01"


def test_week_across_year_boundary() -> None:
    week = one("week", utc(2026, 1, 1, 12))
    assert days(week) == (date(2025, 12, 29), date(2026, 1, 4))
    assert week.label == "2026-W01"


def test_quarter_boundaries() -> None:
    assert one("quarter", utc(2026, 3, 31, 12)).label == "Q1 2026"
    assert one("quarter", utc(2026, 4, 1, 12)).label == "Q2 2026"
    assert one("last-quarter", utc(2026, 1, 15, 12)).label == "Q4 2025"


@pytest.mark.parametrize(
    ("text", "current", "previous"),
    [
        ("vs", "2026-03", "2026-02"),
        ("compare", "2026-03", "2026-02"),
        ("month vs last-month", "2026-03", "2026-02"),
        ("Q1 vs Q2", "Q1 2026", "Q2 2026"),
        ("2026-01 vs 2026-02", "2026-01", "2026-02"),
        ("2025 versus 2024", "2025", "2024"),
        ("week vs last-week", "2026-W13", "2026-W12"),
        ("quarter vs", "Q1 2026", "Q4 2025"),
        ("compare year", "2026", "2025"),
        ("মাস বনাম গত মাস", "2026-03", "2026-02"),
        (
            "2026-03-01..2026-03-15 vs 2026-02-01..2026-02-15",
            "2026-03-01..2026-03-15",
            "2026-02-01..2026-02-15",
        ),
    ],
)
def test_comparisons(text: str, current: str, previous: str) -> None:
    query = parse_period(text, now=NOW, tz=LONDON)
    assert query.current.label == current
    assert query.previous is not None
    assert query.previous.label == previous


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-02-31..2026-03-05", PeriodErrorReason.IMPOSSIBLE_DATE),
        ("2025-02-29", PeriodErrorReason.IMPOSSIBLE_DATE),
        ("2026-13", PeriodErrorReason.IMPOSSIBLE_DATE),
        ("2026-00", PeriodErrorReason.IMPOSSIBLE_DATE),
        ("Q5", PeriodErrorReason.IMPOSSIBLE_DATE),
        ("2026-Q0", PeriodErrorReason.IMPOSSIBLE_DATE),
        ("2026-03-15..2026-03-01", PeriodErrorReason.REVERSED_RANGE),
        ("2023-01-01..2026-01-01", PeriodErrorReason.TOO_LONG),
        ("1900", PeriodErrorReason.OUT_OF_RANGE),
        ("3000-01", PeriodErrorReason.OUT_OF_RANGE),
        ("fortnight", PeriodErrorReason.UNKNOWN),
        ("2026-03-01..", PeriodErrorReason.UNKNOWN),
        ("month vs fortnight", PeriodErrorReason.UNKNOWN),
        ("vs month", PeriodErrorReason.BAD_COMPARISON),
        ("month vs Q1 vs Q2", PeriodErrorReason.BAD_COMPARISON),
    ],
)
def test_errors(text: str, reason: PeriodErrorReason) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(text, now=NOW, tz=LONDON)
    assert info.value.reason is reason
    assert str(info.value)


def test_three_year_limit_is_inclusive_of_three_whole_years() -> None:
    assert one("2023-03-27..2026-03-26").days == 1096
    assert one("2024-02-29..2027-02-28").last_day == date(2027, 2, 28)
    with pytest.raises(PeriodError):
        one("2024-02-29..2027-03-01")


def test_naive_now_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_period("month", now=datetime(2026, 3, 27), tz=LONDON)  # noqa: DTZ001


# --- previous_period ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "previous"),
    [
        ("2026-03", (date(2026, 2, 1), date(2026, 2, 28))),
        ("2024-03", (date(2024, 2, 1), date(2024, 2, 29))),
        ("2026-01", (date(2025, 12, 1), date(2025, 12, 31))),
        ("Q1 2026", (date(2025, 10, 1), date(2025, 12, 31))),
        ("Q3 2026", (date(2026, 4, 1), date(2026, 6, 30))),
        ("2024", (date(2023, 1, 1), date(2023, 12, 31))),
        ("2026-03-27", (date(2026, 3, 26), date(2026, 3, 26))),
        ("week", (date(2026, 3, 16), date(2026, 3, 22))),
        ("2026-03-01..2026-03-15", (date(2026, 2, 14), date(2026, 2, 28))),
        ("2026-01-01..2026-02-28", (date(2025, 11, 1), date(2025, 12, 31))),
    ],
)
def test_previous_period(text: str, previous: tuple[date, date]) -> None:
    assert days(previous_period(one(text), LONDON)) == previous


@given(st.dates(date(1990, 1, 1), date(2090, 12, 31)), st.integers(0, 400))
def test_previous_period_is_adjacent(first: date, length: int) -> None:
    period = period_between(first, first + timedelta(days=length), LONDON)
    before = previous_period(period, LONDON)
    assert before.end == period.start
    assert before.last_day + timedelta(days=1) == period.first_day
    assert before.kind is period.kind or period.kind is PeriodKind.RANGE


# --- weekly buckets ------------------------------------------------------------------------


def test_weekly_buckets() -> None:
    buckets = weekly_buckets(12, now=NOW, tz=LONDON)
    assert len(buckets) == 12
    assert buckets[-1].label == "2026-W13"
    assert buckets[0].label == "2026-W02"
    assert all(b.kind is PeriodKind.WEEK for b in buckets)
    assert all(a.end == b.start for a, b in itertools.pairwise(buckets))
    spring = buckets[-1]  # contains the spring change: 7 days minus an hour
    assert spring.end - spring.start == timedelta(days=7, hours=-1)
    assert spring.end == utc(2026, 3, 29, 23)  # Monday 00:00 BST


def test_weekly_buckets_bounds() -> None:
    assert len(weekly_buckets(1, now=NOW, tz=LONDON)) == 1
    with pytest.raises(ValueError, match="weeks"):
        weekly_buckets(0, now=NOW, tz=LONDON)


def test_frozen_clock_caller_pattern() -> None:
    with time_machine.travel(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), tick=False):
        now = datetime.now(UTC)  # 01:30 BST, the first of the two
        query = parse_period("today vs", now=now, tz=LONDON)
    assert query.current.label == "2026-10-25"
    assert query.current.end - query.current.start == timedelta(hours=25)
    assert query.previous is not None
    assert query.previous.label == "2026-10-24"
