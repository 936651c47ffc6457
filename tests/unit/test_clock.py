"""One local → UTC rule (bot.core.clock), and the parser and working hours both follow it across
the 2026 clock changes in London: a time in the spring gap is the first instant after the
gap, a time in the repeated autumn hour is its first occurrence."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.contacts.parsing import parse_follow_up_phrase
from bot.core.clock import FOLLOW_UP_TIME, default_follow_up, local_to_utc
from bot.core.working_hours import WorkingHours, window_start_on

LONDON = ZoneInfo("Europe/London")
SPRING = date(2026, 3, 29)  # 01:00 GMT -> 02:00 BST
AUTUMN = date(2026, 10, 25)  # 02:00 BST -> 01:00 GMT

days = st.sampled_from([SPRING - timedelta(days=1), SPRING, AUTUMN - timedelta(days=1), AUTUMN])
walls = st.builds(time, st.integers(0, 23), st.integers(0, 59))


def _wall(instant: datetime) -> datetime:
    return instant.astimezone(LONDON).replace(tzinfo=None)


def test_the_documented_rule_on_both_changes() -> None:
    # 01:30 on the spring day does not exist: the first instant after the gap, 02:00 BST.
    assert local_to_utc(SPRING, time(1, 30), LONDON) == datetime(2026, 3, 29, 1, tzinfo=UTC)
    # 01:30 on the autumn day happens twice: the first, 01:30 BST.
    assert local_to_utc(AUTUMN, time(1, 30), LONDON) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


@given(day=days, wall=walls)
def test_local_to_utc_is_the_first_instant_at_or_after_the_wall_time(day: date, wall: time) -> None:
    naive = datetime.combine(day, wall)
    result = local_to_utc(day, wall, LONDON)
    assert result.tzinfo is UTC
    assert _wall(result) >= naive
    # Nothing earlier shows that wall time or a later one: first occurrence, or the gap's end.
    assert _wall(result - timedelta(seconds=1)) < naive


@given(day=days, wall=walls)
def test_the_parser_and_working_hours_agree_with_the_rule(day: date, wall: time) -> None:
    now = (
        datetime(2026, 3, 1, 12, tzinfo=UTC)
        if day.month == 3
        else datetime(2026, 10, 1, tzinfo=UTC)
    )
    expected = local_to_utc(day, wall, LONDON)
    parsed = parse_follow_up_phrase(f"{day.day}/{day.month} {wall:%H:%M}", now=now, tz=LONDON)
    assert parsed == expected
    hours = WorkingHours.parse(f"mon-sun {wall:%H:%M}-23:59")
    if wall < time(23, 59):
        assert window_start_on(day, hours, LONDON) == expected


@given(
    now=st.datetimes(
        min_value=datetime(2026, 3, 15),  # noqa: DTZ001
        max_value=datetime(2026, 11, 5),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    days_ahead=st.integers(1, 30),
)
def test_the_default_follow_up_is_nine_local_days_later(now: datetime, days_ahead: int) -> None:
    at = default_follow_up(now, LONDON, days_ahead)
    assert _wall(at).time() == FOLLOW_UP_TIME
    assert _wall(at).date() == now.astimezone(LONDON).date() + timedelta(days=days_ahead)


def test_default_follow_up_refuses_naive_times_and_no_days() -> None:
    with pytest.raises(ValueError, match="aware"):
        default_follow_up(datetime(2026, 1, 1), LONDON)  # noqa: DTZ001
    with pytest.raises(ValueError, match="days"):
        default_follow_up(datetime(2026, 1, 1, tzinfo=UTC), LONDON, 0)


def test_the_date_parser_uses_the_configured_zone() -> None:
    """A follow-up typed in New York is 09:00 there, not in London."""
    new_york = ZoneInfo("America/New_York")
    now = datetime(2026, 6, 1, 15, tzinfo=UTC)
    assert parse_follow_up_phrase("3/6", now=now, tz=new_york) == datetime(
        2026, 6, 3, 13, tzinfo=UTC
    )
    assert parse_follow_up_phrase("3/6 17:00 GMT", now=now, tz=new_york) == datetime(
        2026, 6, 3, 17, tzinfo=UTC
    )
