from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from bot.core.working_hours import (
    DEFAULT,
    WorkingHours,
    WorkingHoursError,
    WorkingHoursErrorReason,
    deliver_at,
    is_within,
    local_to_utc,
    next_window_start,
    window_end_on,
    window_start_on,
    working_days_after,
    working_days_between,
)

LONDON = ZoneInfo("Europe/London")
ALL_WEEK = WorkingHours.parse("mon-sun 07:00-22:00")
NIGHT = WorkingHours.parse("mon-sun 01:30-03:00")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc,arg-type]


# --- parse / format -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days", "start", "end"),
    [
        ("mon-fri 09:00-18:00", {0, 1, 2, 3, 4}, time(9), time(18)),
        ("mon-sun 07:00-22:00", set(range(7)), time(7), time(22)),
        ("Mon,Wed,Fri 8-16", {0, 2, 4}, time(8), time(16)),
        ("sat-sun 10:00-14:30", {5, 6}, time(10), time(14, 30)),
        ("weekdays 9-17", {0, 1, 2, 3, 4}, time(9), time(17)),
        ("weekends 10-16", {5, 6}, time(10), time(16)),
        ("daily 8.30-17.15", set(range(7)), time(8, 30), time(17, 15)),
        ("  MON - FRI   09:00 - 18:00 ", {0, 1, 2, 3, 4}, time(9), time(18)),
        ("Monday to Thursday 9am to 5pm", {0, 1, 2, 3}, time(9), time(17)),
        ("mon-fri ০৯:০০-১৮:০০", {0, 1, 2, 3, 4}, time(9), time(18)),
        ("mon-fri ０９：００－１８：００", {0, 1, 2, 3, 4}, time(9), time(18)),
        ("সোম-শুক্র ৯-১৭", {0, 1, 2, 3, 4}, time(9), time(17)),
        ("fri,sat,sun,mon 10-14", {4, 5, 6, 0}, time(10), time(14)),
        ("fri-sun,mon 10-14", {4, 5, 6, 0}, time(10), time(14)),
        ("mon-fri 20:00-08:00", {0, 1, 2, 3, 4}, time(20), time(8)),
        ("sat-sun 22:00-06:00", {5, 6}, time(22), time(6)),
        ("mon-sun 10pm-6am", set(range(7)), time(22), time(6)),
        ("Mon–Fri 09:00–18:00", {0, 1, 2, 3, 4}, time(9), time(18)),
        ("tue, thu and sat 12pm-11:59pm", {1, 3, 5}, time(12), time(23, 59)),
    ],
)
def test_parse_accepts(text: str, days: set[int], start: time, end: time) -> None:
    hours = WorkingHours.parse(text)
    assert hours == WorkingHours(frozenset(days), start, end)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", WorkingHoursErrorReason.BAD_TIME),
        ("mon-fri", WorkingHoursErrorReason.BAD_TIME),
        ("mon-fri 25:00-26:00", WorkingHoursErrorReason.BAD_TIME),
        ("mon-fri 09:60-18:00", WorkingHoursErrorReason.BAD_TIME),
        ("mon-fri 09:00-24:00", WorkingHoursErrorReason.BAD_TIME),
        ("mon-fri 13pm-5pm", WorkingHoursErrorReason.BAD_TIME),
        ("9-17", WorkingHoursErrorReason.BAD_DAYS),
        ("funday 9-17", WorkingHoursErrorReason.BAD_DAYS),
        ("mon-xyz 9-17", WorkingHoursErrorReason.BAD_DAYS),
        ("mon-fri 09:00-09:00", WorkingHoursErrorReason.EMPTY_WINDOW),
        ("mon-sun 0:00-00:00", WorkingHoursErrorReason.EMPTY_WINDOW),
        ("sun-mon 09:00-17:00", WorkingHoursErrorReason.BACKWARD_DAYS),
        ("fri-mon 10-14", WorkingHoursErrorReason.BACKWARD_DAYS),
        ("Sunday to Monday 9-5pm", WorkingHoursErrorReason.BACKWARD_DAYS),
        ("রবি-সোম ৯-১৭", WorkingHoursErrorReason.BACKWARD_DAYS),
    ],
)
def test_parse_rejects_with_reason(text: str, reason: WorkingHoursErrorReason) -> None:
    with pytest.raises(WorkingHoursError) as info:
        WorkingHours.parse(text)
    assert info.value.reason is reason
    assert str(info.value)  # a human-readable message


def test_constructor_validates() -> None:
    with pytest.raises(WorkingHoursError) as info:
        WorkingHours(frozenset(), time(9), time(17))
    assert info.value.reason is WorkingHoursErrorReason.BAD_DAYS
    with pytest.raises(WorkingHoursError) as info:
        WorkingHours(frozenset({7}), time(9), time(17))
    assert info.value.reason is WorkingHoursErrorReason.BAD_DAYS
    with pytest.raises(WorkingHoursError) as info:
        WorkingHours(frozenset({1}), time(9, 0, 30), time(17))
    assert info.value.reason is WorkingHoursErrorReason.BAD_TIME
    with pytest.raises(WorkingHoursError) as info:
        WorkingHours(frozenset({1}), time(17), time(17))
    assert info.value.reason is WorkingHoursErrorReason.EMPTY_WINDOW


def test_backward_range_is_refused_with_the_days_spelled_out() -> None:
    with pytest.raises(WorkingHoursError) as info:
        WorkingHours.parse("sun-mon 09:00-17:00")
    assert info.value.details == {"range": "sun-mon", "days": "sun,mon"}
    with pytest.raises(WorkingHoursError) as info:
        WorkingHours.parse("thu-tue 09:00-17:00")
    assert info.value.details["days"] == "thu,fri,sat,sun,mon,tue"


@pytest.mark.parametrize(
    ("text", "storage", "described", "ranges"),
    [
        ("mon-fri 9-18", "mon-fri 09:00-18:00", "Mon–Fri 09:00–18:00", ((0, 4),)),
        (
            "Mon,Wed,Fri 8-16",
            "mon,wed,fri 08:00-16:00",
            "Mon, Wed, Fri 08:00–16:00",
            ((0, 0), (2, 2), (4, 4)),
        ),
        ("sat-sun 10:00-14:30", "sat-sun 10:00-14:30", "Sat–Sun 10:00–14:30", ((5, 6),)),
        (
            "fri-sun,mon 10-14",
            "mon,fri-sun 10:00-14:00",
            "Mon, Fri–Sun 10:00–14:00",
            ((0, 0), (4, 6)),
        ),
    ],
)
def test_storage_and_description(
    text: str, storage: str, described: str, ranges: tuple[tuple[int, int], ...]
) -> None:
    hours = WorkingHours.parse(text)
    assert hours.to_storage() == storage
    assert hours.describe() == described
    assert hours.day_ranges() == ranges
    assert WorkingHours.parse(storage) == hours
    assert WorkingHours.parse(described) == hours  # the display form is accepted too


def test_default_is_mon_fri_nine_to_six() -> None:
    assert DEFAULT.to_storage() == "mon-fri 09:00-18:00"


@st.composite
def working_hours(draw: st.DrawFn) -> WorkingHours:
    days = draw(st.frozensets(st.integers(0, 6), min_size=1))
    start = draw(st.integers(0, 23 * 60 + 58))
    end = draw(st.integers(start + 1, 23 * 60 + 59))
    return WorkingHours(days, time(*divmod(start, 60)), time(*divmod(end, 60)))


@given(working_hours())
def test_storage_round_trips(hours: WorkingHours) -> None:
    assert WorkingHours.parse(hours.to_storage()) == hours
    assert WorkingHours.parse(hours.describe()) == hours


# --- local wall times -----------------------------------------------------------------


def test_nine_local_stays_nine_local_across_clock_changes() -> None:
    assert local_to_utc(date(2026, 3, 27), time(9), LONDON) == utc(2026, 3, 27, 9)
    assert local_to_utc(date(2026, 3, 30), time(9), LONDON) == utc(2026, 3, 30, 8)
    assert local_to_utc(date(2026, 10, 23), time(9), LONDON) == utc(2026, 10, 23, 8)
    assert local_to_utc(date(2026, 10, 26), time(9), LONDON) == utc(2026, 10, 26, 9)


def test_nonexistent_time_moves_to_end_of_gap() -> None:
    start = local_to_utc(date(2026, 3, 29), time(1, 30), LONDON)
    assert start == utc(2026, 3, 29, 1)
    assert start.astimezone(LONDON).strftime("%H:%M %Z") == "02:00 BST"
    new_york = ZoneInfo("America/New_York")
    assert local_to_utc(date(2026, 3, 8), time(2, 15), new_york) == utc(2026, 3, 8, 7)
    lord_howe = ZoneInfo("Australia/Lord_Howe")  # a 30-minute gap at 02:00
    moved = local_to_utc(date(2026, 10, 4), time(2, 10), lord_howe)
    assert moved.astimezone(lord_howe).time() == time(2, 30)


def test_ambiguous_time_uses_first_occurrence() -> None:
    start = local_to_utc(date(2026, 10, 25), time(1, 30), LONDON)
    assert start == utc(2026, 10, 25, 0, 30)
    assert start.astimezone(LONDON).strftime("%H:%M %Z") == "01:30 BST"


def test_night_window_on_spring_forward_day_starts_at_two_bst() -> None:
    assert window_start_on(date(2026, 3, 29), NIGHT, LONDON) == utc(2026, 3, 29, 1)
    assert window_end_on(date(2026, 3, 29), NIGHT, LONDON) == utc(2026, 3, 29, 2)
    assert is_within(utc(2026, 3, 29, 1), NIGHT, LONDON)
    assert not is_within(utc(2026, 3, 29, 0, 59), NIGHT, LONDON)


def test_night_window_on_fall_back_day_starts_once() -> None:
    first = next_window_start(utc(2026, 10, 25), NIGHT, LONDON)
    assert first == utc(2026, 10, 25, 0, 30)  # 01:30 BST
    # the second 01:30 (GMT) is not another window start: the next one is the next day's
    again = next_window_start(first + timedelta(seconds=1), NIGHT, LONDON)
    assert again == utc(2026, 10, 26, 1, 30)
    # and the window runs on through the repeated hour until 03:00 GMT
    assert is_within(utc(2026, 10, 25, 1, 45), NIGHT, LONDON)
    assert not is_within(utc(2026, 10, 25, 3), NIGHT, LONDON)


def test_window_wholly_inside_gap_keeps_its_length_after_the_gap() -> None:
    hours = WorkingHours.parse("sun 01:10-01:40")
    assert window_start_on(date(2026, 3, 29), hours, LONDON) == utc(2026, 3, 29, 1)
    assert window_end_on(date(2026, 3, 29), hours, LONDON) == utc(2026, 3, 29, 1, 30)


# --- windows ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "inside"),
    [
        (utc(2026, 1, 5, 8, 59, 59), False),  # Monday, GMT
        (utc(2026, 1, 5, 9), True),
        (utc(2026, 1, 5, 17, 59, 59), True),
        (utc(2026, 1, 5, 18), False),
        (utc(2026, 6, 1, 8), True),  # Monday 09:00 BST
        (utc(2026, 6, 1, 7, 59), False),
        (utc(2026, 6, 1, 17), False),  # 18:00 BST
        (utc(2026, 1, 10, 12), False),  # Saturday
    ],
)
def test_is_within_boundaries(instant: datetime, inside: bool) -> None:
    assert is_within(instant, DEFAULT, LONDON) is inside


def test_is_within_rejects_naive() -> None:
    with pytest.raises(ValueError, match="aware"):
        is_within(datetime(2026, 1, 5, 10), DEFAULT, LONDON)  # noqa: DTZ001


def test_window_start_on() -> None:
    assert window_start_on(date(2026, 1, 5), DEFAULT, LONDON) == utc(2026, 1, 5, 9)
    assert window_start_on(date(2026, 1, 10), DEFAULT, LONDON) is None


@pytest.mark.parametrize(
    ("after", "hours", "expected"),
    [
        (utc(2026, 1, 9, 18), DEFAULT, utc(2026, 1, 12, 9)),  # Fri evening -> Mon
        (utc(2026, 1, 10, 12), DEFAULT, utc(2026, 1, 12, 9)),  # Saturday -> Mon
        (utc(2026, 1, 5, 9), DEFAULT, utc(2026, 1, 5, 9)),  # exactly a start
        (utc(2026, 1, 5, 9, 0, 1), DEFAULT, utc(2026, 1, 6, 9)),
        (utc(2026, 1, 5, 6), DEFAULT, utc(2026, 1, 5, 9)),
        (utc(2026, 1, 5, 12), WorkingHours.parse("mon,wed,fri 8-16"), utc(2026, 1, 7, 8)),
        (utc(2026, 1, 9, 12), WorkingHours.parse("mon,wed,fri 8-16"), utc(2026, 1, 12, 8)),
        (utc(2026, 1, 5, 12), WorkingHours.parse("sat-sun 10-14:30"), utc(2026, 1, 10, 10)),
        (utc(2026, 1, 10, 22, 30), ALL_WEEK, utc(2026, 1, 11, 7)),
        # Friday before the spring change -> Monday 09:00 BST
        (utc(2026, 3, 27, 18), DEFAULT, utc(2026, 3, 30, 8)),
        # Friday before the autumn change -> Monday 09:00 GMT
        (utc(2026, 10, 23, 17), DEFAULT, utc(2026, 10, 26, 9)),
    ],
)
def test_next_window_start(after: datetime, hours: WorkingHours, expected: datetime) -> None:
    assert next_window_start(after, hours, LONDON) == expected


def test_deliver_at() -> None:
    inside = utc(2026, 1, 6, 11, 17)
    assert deliver_at(inside, DEFAULT, LONDON) == inside
    assert deliver_at(utc(2026, 1, 6, 19), DEFAULT, LONDON) == utc(2026, 1, 7, 9)
    assert deliver_at(utc(2026, 1, 6, 7), DEFAULT, LONDON) == utc(2026, 1, 6, 9)


def test_clock_frozen_caller_pattern() -> None:
    """Callers read the clock once and pass ``now`` in; time-machine freezes it in tests."""
    with time_machine.travel(datetime(2026, 3, 28, 12, tzinfo=UTC), tick=False):
        now = datetime.now(UTC)  # Saturday before the spring change
        assert not is_within(now, DEFAULT, LONDON)
        assert deliver_at(now, DEFAULT, LONDON) == utc(2026, 3, 30, 8)  # Mon 09:00 BST


# --- working-day counting ---------------------------------------------------------------


def test_working_days_after() -> None:
    friday = date(2026, 1, 9)
    assert working_days_after(friday, 0, DEFAULT) == friday
    assert working_days_after(friday, 1, DEFAULT) == date(2026, 1, 12)
    assert working_days_after(friday, 3, DEFAULT) == date(2026, 1, 14)
    assert working_days_after(friday, 5, DEFAULT) == date(2026, 1, 16)
    assert working_days_after(friday, 6, DEFAULT) == date(2026, 1, 19)
    saturday = date(2026, 1, 10)
    assert working_days_after(saturday, 1, DEFAULT) == date(2026, 1, 12)
    assert working_days_after(saturday, 1, ALL_WEEK) == date(2026, 1, 11)
    with pytest.raises(ValueError, match=">= 0"):
        working_days_after(friday, -1, DEFAULT)


def test_working_days_between() -> None:
    friday = date(2026, 1, 9)
    assert working_days_between(friday, friday, DEFAULT) == 0
    assert working_days_between(friday, date(2026, 1, 11), DEFAULT) == 0
    assert working_days_between(friday, date(2026, 1, 12), DEFAULT) == 1
    assert working_days_between(friday, date(2026, 1, 23), DEFAULT) == 10
    assert working_days_between(date(2026, 1, 23), friday, DEFAULT) == 0


@given(
    st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    st.integers(0, 60),
    st.frozensets(st.integers(0, 6), min_size=1),
)
def test_working_day_functions_agree(day: date, n: int, days: frozenset[int]) -> None:
    hours = WorkingHours(days, time(9), time(17))
    target = working_days_after(day, n, hours)
    assert working_days_between(day, target, hours) == n
    if n:
        assert target.weekday() in days
        assert working_days_between(day, target - timedelta(days=1), hours) == n - 1


@given(
    st.dates(date(2000, 1, 1), date(2040, 12, 31)),
    st.times(),
    st.sampled_from(
        ["Europe/London", "America/New_York", "Australia/Lord_Howe", "America/Havana", "UTC"]
    ),
)
def test_local_to_utc_is_the_first_instant_at_or_after_the_wall_time(
    day: date, wall: time, zone: str
) -> None:
    tz = ZoneInfo(zone)
    naive = datetime.combine(day, wall)
    result = local_to_utc(day, wall, tz)
    assert result.utcoffset() == timedelta(0)
    local = result.astimezone(tz).replace(tzinfo=None)
    assert local >= naive
    # nothing earlier shows a wall time at or after ``naive``: the first occurrence / gap end
    earlier = (result - timedelta(seconds=1)).astimezone(tz).replace(tzinfo=None)
    assert earlier < naive
    if local != naive:  # only when ``naive`` does not exist
        assert naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive
