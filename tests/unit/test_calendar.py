"""Bank holidays, the council's closure days and night shifts in working-time arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.closures import NO_CLOSURES, ClosedDays, parse_closure_days
from bot.core.reminder_policy import (
    FollowUpTimeline,
    ReminderKind,
    ReminderPolicy,
    next_reminder_at,
    reminders_due,
    working_days_overdue,
)
from bot.core.working_hours import (
    WorkingHours,
    deliver_at,
    is_within,
    next_window_start,
    shift_day,
    window_end_on,
    window_start_on,
    working_days_after,
    working_days_between,
)

LONDON = ZoneInfo("Europe/London")
ENGLAND = ClosedDays("england-wales")
OFFICE = WorkingHours.parse("mon-fri 09:00-18:00", ENGLAND)
NIGHTS = WorkingHours.parse("mon-fri 20:00-08:00", ENGLAND)
POLICY = ReminderPolicy(max_overdue_nudges=3, escalate_after_working_days=3)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)  # type: ignore[misc,arg-type]


# --- which days are closed ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "day", "closed"),
    [
        ("england-wales", date(2026, 12, 25), True),  # Christmas Day, a Friday
        ("england-wales", date(2026, 12, 28), True),  # Boxing Day (substitute Monday)
        ("england-wales", date(2026, 12, 24), False),
        ("england-wales", date(2027, 3, 26), True),  # Good Friday
        ("england-wales", date(2027, 3, 29), True),  # Easter Monday
        ("england-wales", date(2027, 8, 30), True),  # late summer bank holiday
        ("scotland", date(2027, 3, 29), False),  # no Easter Monday in Scotland
        ("scotland", date(2027, 1, 4), True),  # 2 January (a Saturday), substitute day
        ("scotland", date(2027, 8, 2), True),  # summer bank holiday, first Monday of August
        ("northern-ireland", date(2027, 3, 17), True),  # St Patrick's Day
        ("northern-ireland", date(2027, 7, 12), True),  # Battle of the Boyne
        ("england-wales", date(2027, 3, 17), False),
        ("none", date(2026, 12, 25), False),
    ],
)
def test_public_holidays_per_nation(region: str, day: date, closed: bool) -> None:
    assert ClosedDays(region).is_closed(day) is closed


def test_closure_days_parse_dates_and_ranges() -> None:
    days = parse_closure_days("2026-12-24..2027-01-01, 2027-04-19;2027-05-07 to 2027-05-08")
    assert date(2026, 12, 24) in days
    assert date(2026, 12, 31) in days
    assert date(2027, 1, 1) in days
    assert date(2027, 1, 2) not in days
    assert {date(2027, 4, 19), date(2027, 5, 7), date(2027, 5, 8)} <= days
    assert len(days) == 9 + 1 + 2
    assert parse_closure_days("") == frozenset()
    assert parse_closure_days(" 2027-04-19 ") == {date(2027, 4, 19)}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("24/12/2026", "is not a date or a range"),
        ("2026-12-32", "is not a date or a range"),
        ("2027-01-01..2026-12-24", "ends before it starts"),
        ("2026-12-24..2027-12-01", "longer than 62 days"),
        ("christmas", "is not a date or a range"),
    ],
)
def test_closure_days_refused_in_one_sentence(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_closure_days(text)


def test_unknown_region_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown holiday region"):
        ClosedDays("wales-and-scotland")


def test_closed_between_spans_years_and_merges_closures() -> None:
    closed = ClosedDays("england-wales", frozenset({date(2026, 12, 24), date(2027, 1, 1)}))
    assert closed.closed_between(date(2026, 12, 23), date(2027, 1, 1)) == [
        date(2026, 12, 24),
        date(2026, 12, 25),
        date(2026, 12, 26),
        date(2026, 12, 28),
        date(2027, 1, 1),
    ]
    assert closed.closed_between(date(2027, 1, 1), date(2027, 1, 1)) == []


# --- working days across Christmas and Easter ----------------------------------------------


def test_working_days_skip_christmas() -> None:
    # Thu 24 Dec 2026; Fri 25 and Mon 28 are bank holidays.
    assert working_days_after(date(2026, 12, 24), 1, OFFICE) == date(2026, 12, 29)
    assert working_days_after(date(2026, 12, 24), 3, OFFICE) == date(2026, 12, 31)
    assert working_days_after(date(2026, 12, 30), 2, OFFICE) == date(2027, 1, 4)
    assert working_days_between(date(2026, 12, 24), date(2026, 12, 29), OFFICE) == 1
    assert working_days_between(date(2026, 12, 24), date(2027, 1, 4), OFFICE) == 4
    # without the holidays the same span is four and seven working days
    plain = OFFICE.with_closed(NO_CLOSURES)
    assert working_days_between(date(2026, 12, 24), date(2026, 12, 29), plain) == 3
    assert working_days_between(date(2026, 12, 24), date(2027, 1, 4), plain) == 7


def test_working_days_skip_easter() -> None:
    # Thu 25 Mar 2027; Good Friday 26 and Easter Monday 29 March.
    assert working_days_after(date(2027, 3, 25), 1, OFFICE) == date(2027, 3, 30)
    assert working_days_between(date(2027, 3, 25), date(2027, 3, 30), OFFICE) == 1


def test_no_window_on_a_bank_holiday_and_the_next_one_after_it() -> None:
    assert window_start_on(date(2026, 12, 25), OFFICE, LONDON) is None
    assert not is_within(london(2026, 12, 25, 10), OFFICE, LONDON)
    assert next_window_start(london(2026, 12, 24, 18), OFFICE, LONDON) == london(2026, 12, 29, 9)
    assert deliver_at(london(2026, 12, 25, 11), OFFICE, LONDON) == london(2026, 12, 29, 9)


def test_a_christmas_shutdown_moves_everything_to_january() -> None:
    shutdown = ClosedDays("england-wales", parse_closure_days("2026-12-24..2027-01-01"))
    hours = OFFICE.with_closed(shutdown)
    assert next_window_start(london(2026, 12, 23, 18), hours, LONDON) == london(2027, 1, 4, 9)
    assert working_days_between(date(2026, 12, 22), date(2027, 1, 4), hours) == 2


def test_a_follow_up_due_on_christmas_eve_is_nudged_and_escalated_on_working_days() -> None:
    due = london(2026, 12, 24, 16)
    fresh = FollowUpTimeline(
        due_at=due, due_nudge_sent=True, overdue_nudges_sent=0, escalated=False
    )
    # Christmas Day, the weekend and the substitute Boxing Day are not overdue days
    assert working_days_overdue(due, london(2026, 12, 28, 12), OFFICE, LONDON) == 0
    assert (
        reminders_due(fresh, now=london(2026, 12, 25, 10), hours=OFFICE, tz=LONDON, policy=POLICY)
        == []
    )
    assert next_reminder_at(fresh, hours=OFFICE, tz=LONDON, policy=POLICY) == london(
        2026, 12, 29, 9
    )
    after = FollowUpTimeline(
        due_at=due, due_nudge_sent=True, overdue_nudges_sent=2, escalated=False
    )
    kinds = {
        r.kind
        for r in reminders_due(
            after, now=london(2026, 12, 31, 9), hours=OFFICE, tz=LONDON, policy=POLICY
        )
    }
    assert ReminderKind.ESCALATION in kinds  # third working day after the due day: 31 Dec
    earlier = reminders_due(
        after, now=london(2026, 12, 30, 17), hours=OFFICE, tz=LONDON, policy=POLICY
    )
    assert ReminderKind.ESCALATION not in {r.kind for r in earlier}


# --- night shifts ---------------------------------------------------------------------------


def test_a_night_shift_belongs_to_the_day_it_starts() -> None:
    assert shift_day(london(2026, 12, 4, 23), NIGHTS, LONDON) == date(2026, 12, 4)  # Fri 23:00
    assert shift_day(london(2026, 12, 5, 2), NIGHTS, LONDON) == date(2026, 12, 4)  # Sat 02:00
    assert shift_day(london(2026, 12, 5, 8), NIGHTS, LONDON) is None  # shift ended
    assert shift_day(london(2026, 12, 7, 7), NIGHTS, LONDON) is None  # Mon 07:00: no Sun shift
    assert shift_day(london(2026, 12, 7, 20), NIGHTS, LONDON) == date(2026, 12, 7)
    assert window_end_on(date(2026, 12, 4), NIGHTS, LONDON) == london(2026, 12, 5, 8)


def test_outside_a_night_shift_reminders_wait_for_the_next_evening() -> None:
    assert deliver_at(london(2026, 12, 5, 10), NIGHTS, LONDON) == london(2026, 12, 7, 20)
    assert deliver_at(london(2026, 12, 8, 3), NIGHTS, LONDON) == london(2026, 12, 8, 3)
    assert deliver_at(london(2026, 12, 8, 12), NIGHTS, LONDON) == london(2026, 12, 8, 20)


def test_a_night_shift_ending_on_a_bank_holiday_is_worked_one_starting_on_it_is_not() -> None:
    assert shift_day(london(2026, 12, 25, 3), NIGHTS, LONDON) == date(2026, 12, 24)
    assert shift_day(london(2026, 12, 25, 21), NIGHTS, LONDON) is None
    assert next_window_start(london(2026, 12, 25, 8), NIGHTS, LONDON) == london(2026, 12, 29, 20)


def test_night_shift_across_the_clock_change_keeps_its_wall_times() -> None:
    nights = WorkingHours.parse("mon-sun 22:00-06:00")
    # Sat 28 Mar 2026 22:00 GMT to Sun 29 Mar 06:00 BST: seven hours, not eight
    start = window_start_on(date(2026, 3, 28), nights, LONDON)
    end = window_end_on(date(2026, 3, 28), nights, LONDON)
    assert start == datetime(2026, 3, 28, 22, tzinfo=UTC)
    assert end == datetime(2026, 3, 29, 5, tzinfo=UTC)
    # Sat 24 Oct 22:00 BST to Sun 25 Oct 06:00 GMT: nine hours
    start = window_start_on(date(2026, 10, 24), nights, LONDON)
    end = window_end_on(date(2026, 10, 24), nights, LONDON)
    assert start is not None
    assert end is not None
    assert end - start == timedelta(hours=9)


def test_night_shift_overdue_counts_by_the_day_the_shift_starts() -> None:
    due = london(2026, 12, 4, 22)  # Friday night
    assert working_days_overdue(due, london(2026, 12, 7, 21), NIGHTS, LONDON) == 1
    # in the small hours of Tuesday it is still Monday's shift: one working day, not two
    assert working_days_overdue(due, london(2026, 12, 8, 3), NIGHTS, LONDON) == 1
    assert working_days_overdue(due, london(2026, 12, 8, 12), NIGHTS, LONDON) == 2


@given(
    st.integers(min_value=0, max_value=3 * 365 * 24 * 60),
    st.sampled_from(
        [
            NIGHTS,
            WorkingHours.parse("sat-sun 22:00-06:00", ENGLAND),
            WorkingHours.parse("mon-sun 23:30-00:30", ENGLAND),
            OFFICE,
            WorkingHours.parse("mon,wed 01:30-03:00", ENGLAND),
        ]
    ),
)
def test_the_next_window_start_is_inside_working_hours(minutes: int, hours: WorkingHours) -> None:
    after = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    start = next_window_start(after, hours, LONDON)
    assert start >= after
    assert is_within(start, hours, LONDON)
    day = shift_day(start, hours, LONDON)
    assert day is not None
    assert hours.works_on(day)
    assert window_start_on(day, hours, LONDON) == start
    assert not is_within(start - timedelta(minutes=1), hours, LONDON) or start == after
    assert deliver_at(after, hours, LONDON) <= start
