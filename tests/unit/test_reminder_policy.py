from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.core.reminder_policy import (
    FollowUpPreset,
    FollowUpTimeline,
    Reminder,
    ReminderKind,
    ReminderPolicy,
    SnoozeOption,
    SweepPlanner,
    default_follow_up,
    end_of_due_day,
    is_overdue,
    next_reminder_at,
    next_working_day_start,
    plan_sweep,
    preset_follow_up,
    reminders_due,
    snooze_until,
    working_days_overdue,
)
from bot.core.working_hours import DEFAULT, WorkingHours, is_within

LONDON = ZoneInfo("Europe/London")
POLICY = ReminderPolicy()
ALL_WEEK = WorkingHours.parse("mon-sun 07:00-22:00")

DUE, OVERDUE, ESCALATION = ReminderKind.DUE, ReminderKind.OVERDUE, ReminderKind.ESCALATION


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc,arg-type]


def fresh(due_at: datetime) -> FollowUpTimeline:
    return FollowUpTimeline(due_at, due_nudge_sent=False, overdue_nudges_sent=0, escalated=False)


def due(
    tl: FollowUpTimeline,
    now: datetime,
    hours: WorkingHours = DEFAULT,
    policy: ReminderPolicy = POLICY,
) -> list[Reminder]:
    return reminders_due(tl, now=now, hours=hours, tz=LONDON, policy=policy)


def nxt(
    tl: FollowUpTimeline, hours: WorkingHours = DEFAULT, policy: ReminderPolicy = POLICY
) -> datetime | None:
    return next_reminder_at(tl, hours=hours, tz=LONDON, policy=policy)


def record(tl: FollowUpTimeline, sent: list[Reminder]) -> FollowUpTimeline:
    """What the sweep stores after sending ``sent``."""
    overdue = [r.sequence for r in sent if r.kind is OVERDUE]
    return FollowUpTimeline(
        tl.due_at,
        due_nudge_sent=tl.due_nudge_sent or bool(sent and sent[0].kind in (DUE, OVERDUE)),
        overdue_nudges_sent=max([tl.overdue_nudges_sent, *overdue]),
        escalated=tl.escalated or any(r.kind is ESCALATION for r in sent),
    )


def simulate(
    tl: FollowUpTimeline,
    hours: WorkingHours,
    tz: ZoneInfo,
    policy: ReminderPolicy,
    start: datetime | None = None,
) -> list[Reminder]:
    """The sweep loop run to completion: wake at every next_reminder_at."""
    log: list[Reminder] = []
    now = start
    for _ in range(50):
        when = next_reminder_at(tl, hours=hours, tz=tz, policy=policy, not_before=now)
        if when is None:
            return log
        assert is_within(when, hours, tz), "reminders go out only inside working hours"
        sent = reminders_due(tl, now=when, hours=hours, tz=tz, policy=policy)
        assert sent, "next_reminder_at promised something"
        log.extend(sent)
        tl = record(tl, sent)
        now = when + timedelta(microseconds=1)
    raise AssertionError("the sweep never finished")


def kinds(reminders: list[Reminder]) -> list[tuple[ReminderKind, int, int]]:
    return [(r.kind, r.sequence, r.days_overdue) for r in reminders]


# --- due day and overdue ------------------------------------------------------------------


def test_end_of_due_day_is_local_midnight() -> None:
    assert end_of_due_day(utc(2026, 6, 10, 8), LONDON) == utc(2026, 6, 10, 23)  # BST
    assert end_of_due_day(utc(2026, 1, 10, 8), LONDON) == utc(2026, 1, 11, 0)
    # 23:30 UTC on 10 June is 00:30 BST on 11 June: the due day is the 11th
    assert end_of_due_day(utc(2026, 6, 10, 23, 30), LONDON) == utc(2026, 6, 11, 23)


def test_is_overdue() -> None:
    due_at = utc(2026, 1, 6, 9)  # Tuesday
    assert not is_overdue(due_at, utc(2026, 1, 6, 23, 59, 59), LONDON)
    assert is_overdue(due_at, utc(2026, 1, 7), LONDON)


def test_working_days_overdue() -> None:
    friday = utc(2026, 1, 9, 10)
    assert working_days_overdue(friday, utc(2026, 1, 9, 20), DEFAULT, LONDON) == 0
    assert working_days_overdue(friday, utc(2026, 1, 10, 12), DEFAULT, LONDON) == 0
    assert working_days_overdue(friday, utc(2026, 1, 12, 6), DEFAULT, LONDON) == 1
    assert working_days_overdue(friday, utc(2026, 1, 14, 12), DEFAULT, LONDON) == 3
    assert working_days_overdue(friday, utc(2026, 1, 10, 12), ALL_WEEK, LONDON) == 1


# --- timelines ----------------------------------------------------------------------------


def test_weekday_timeline_with_defaults() -> None:
    tl = fresh(utc(2026, 1, 6, 11))  # Tuesday 11:00 GMT
    log = simulate(tl, DEFAULT, LONDON, POLICY)
    assert [(r.kind, r.at, r.days_overdue, r.sequence) for r in log] == [
        (DUE, utc(2026, 1, 6, 11), 0, 0),
        (OVERDUE, utc(2026, 1, 7, 9), 1, 1),
        (OVERDUE, utc(2026, 1, 8, 9), 2, 2),
        (OVERDUE, utc(2026, 1, 9, 9), 3, 3),
        (ESCALATION, utc(2026, 1, 9, 9), 3, 0),
    ]


def test_due_and_overdue_step_by_step() -> None:
    tl = fresh(utc(2026, 1, 6, 11))
    assert due(tl, utc(2026, 1, 6, 10, 59)) == []
    assert nxt(tl) == utc(2026, 1, 6, 11)
    assert kinds(due(tl, utc(2026, 1, 6, 11))) == [(DUE, 0, 0)]
    tl = record(tl, due(tl, utc(2026, 1, 6, 11)))
    assert due(tl, utc(2026, 1, 6, 17)) == []
    assert nxt(tl) == utc(2026, 1, 7, 9)


def test_friday_due_overdue_runs_over_the_weekend_to_monday() -> None:
    log = simulate(fresh(utc(2026, 1, 9, 15)), DEFAULT, LONDON, POLICY)
    assert [(r.kind, r.at) for r in log] == [
        (DUE, utc(2026, 1, 9, 15)),
        (OVERDUE, utc(2026, 1, 12, 9)),
        (OVERDUE, utc(2026, 1, 13, 9)),
        (OVERDUE, utc(2026, 1, 14, 9)),
        (ESCALATION, utc(2026, 1, 14, 9)),
    ]


def test_due_after_hours_waits_for_next_window() -> None:
    tl = fresh(utc(2026, 1, 6, 7))  # Tuesday 07:00, before the window
    assert nxt(tl) == utc(2026, 1, 6, 9)
    assert kinds(due(tl, utc(2026, 1, 6, 9))) == [(DUE, 0, 0)]


def test_saturday_due_skips_due_nudge() -> None:
    """Due Saturday: the DUE nudge would wait to Monday, which is overdue day 1."""
    tl = fresh(utc(2026, 1, 10, 9))
    assert nxt(tl) == utc(2026, 1, 12, 9)
    assert kinds(due(tl, utc(2026, 1, 12, 9))) == [(OVERDUE, 1, 1)]
    log = simulate(tl, DEFAULT, LONDON, POLICY)
    assert kinds(log) == [(OVERDUE, 1, 1), (OVERDUE, 2, 2), (OVERDUE, 3, 3), (ESCALATION, 0, 3)]


def test_friday_evening_due_skips_due_nudge() -> None:
    tl = fresh(utc(2026, 1, 9, 19))
    assert kinds(due(tl, utc(2026, 1, 12, 9))) == [(OVERDUE, 1, 1)]


def test_custom_hours_every_day() -> None:
    tl = fresh(utc(2026, 1, 10, 12))  # Saturday noon, inside mon-sun 07-22
    log = simulate(tl, ALL_WEEK, LONDON, POLICY)
    assert [(r.kind, r.at, r.sequence) for r in log] == [
        (DUE, utc(2026, 1, 10, 12), 0),
        (OVERDUE, utc(2026, 1, 11, 7), 1),
        (OVERDUE, utc(2026, 1, 12, 7), 2),
        (OVERDUE, utc(2026, 1, 13, 7), 3),
        (ESCALATION, utc(2026, 1, 13, 7), 0),
    ]


def test_custom_hours_late_due_rolls_into_overdue() -> None:
    tl = fresh(utc(2026, 1, 6, 23))  # 23:00, after the 22:00 window end
    assert kinds(due(tl, utc(2026, 1, 7, 7), ALL_WEEK)) == [(OVERDUE, 1, 1)]


def test_custom_policy() -> None:
    policy = ReminderPolicy(max_overdue_nudges=1, escalate_after_working_days=5)
    log = simulate(fresh(utc(2026, 1, 6, 11)), DEFAULT, LONDON, policy)
    assert [(r.kind, r.at, r.days_overdue) for r in log] == [
        (DUE, utc(2026, 1, 6, 11), 0),
        (OVERDUE, utc(2026, 1, 7, 9), 1),
        (ESCALATION, utc(2026, 1, 13, 9), 5),
    ]


def test_no_overdue_nudges_policy_still_sends_late_due() -> None:
    policy = ReminderPolicy(max_overdue_nudges=0)
    tl = fresh(utc(2026, 1, 10, 9))  # Saturday
    assert kinds(due(tl, utc(2026, 1, 12, 9), policy=policy)) == [(DUE, 0, 0)]


def test_policy_validation() -> None:
    with pytest.raises(ValueError, match="max_overdue_nudges"):
        ReminderPolicy(max_overdue_nudges=-1)
    with pytest.raises(ValueError, match="escalate_after_working_days"):
        ReminderPolicy(escalate_after_working_days=0)
    with pytest.raises(ValueError, match="aware"):
        fresh(datetime(2026, 1, 6, 9))  # noqa: DTZ001


def test_downtime_catch_up_sends_only_latest_overdue_and_escalation() -> None:
    tl = fresh(utc(2026, 1, 5, 11))  # Monday; bot down until Friday noon
    sent = due(tl, utc(2026, 1, 9, 12))
    assert [(r.kind, r.sequence, r.at) for r in sent] == [
        (OVERDUE, 3, utc(2026, 1, 8, 9)),
        (ESCALATION, 0, utc(2026, 1, 8, 9)),
    ]
    tl = record(tl, sent)
    assert nxt(tl) is None
    assert due(tl, utc(2026, 1, 20, 12)) == []


def test_downtime_after_first_nudge_catches_up_to_current_k() -> None:
    tl = FollowUpTimeline(utc(2026, 1, 5, 11), True, 1, False)
    assert kinds(due(tl, utc(2026, 1, 7, 10))) == [(OVERDUE, 2, 2)]


def test_missed_reminder_waits_for_working_hours() -> None:
    tl = fresh(utc(2026, 1, 9, 10))  # Friday; bot down until Saturday
    assert due(tl, utc(2026, 1, 10, 12)) == []  # Saturday: outside hours
    when = next_reminder_at(
        tl, hours=DEFAULT, tz=LONDON, policy=POLICY, not_before=utc(2026, 1, 10, 12)
    )
    assert when == utc(2026, 1, 12, 9)
    assert kinds(due(tl, when)) == [(OVERDUE, 1, 1)]  # the stale DUE is folded in
    # back up on the Friday evening itself, inside hours: the late DUE still goes out
    assert kinds(due(tl, utc(2026, 1, 9, 17))) == [(DUE, 0, 0)]


def test_nothing_pending_means_none() -> None:
    tl = FollowUpTimeline(utc(2026, 1, 6, 11), True, 3, True)
    assert nxt(tl) is None
    assert due(tl, utc(2026, 2, 2, 10)) == []


# --- clock changes -------------------------------------------------------------------------


def test_overdue_nudges_stay_at_nine_local_over_spring_change() -> None:
    log = simulate(fresh(utc(2026, 3, 27, 10)), DEFAULT, LONDON, POLICY)  # Friday, GMT
    assert [r.at for r in log] == [
        utc(2026, 3, 27, 10),
        utc(2026, 3, 30, 8),  # Monday 09:00 BST
        utc(2026, 3, 31, 8),
        utc(2026, 4, 1, 8),
        utc(2026, 4, 1, 8),
    ]


def test_overdue_nudges_stay_at_nine_local_over_autumn_change() -> None:
    log = simulate(fresh(utc(2026, 10, 23, 9)), DEFAULT, LONDON, POLICY)  # Fri 10:00 BST
    assert [r.at for r in log[:3]] == [
        utc(2026, 10, 23, 9),
        utc(2026, 10, 26, 9),  # Monday 09:00 GMT
        utc(2026, 10, 27, 9),
    ]


def test_window_start_in_spring_gap_fires_at_two_bst() -> None:
    hours = WorkingHours.parse("mon-sun 01:30-03:00")
    tl = fresh(utc(2026, 3, 28, 2))  # Saturday 02:00 GMT, inside the window
    log = simulate(tl, hours, LONDON, POLICY)
    assert log[1].at == utc(2026, 3, 29, 1)  # Sunday: 01:30 does not exist -> 02:00 BST
    assert log[1].at.astimezone(LONDON).time() == time(2)


def test_window_start_in_repeated_hour_fires_once() -> None:
    hours = WorkingHours.parse("mon-sun 01:30-03:00")
    tl = fresh(utc(2026, 10, 24, 1))  # Saturday 02:00 BST
    log = simulate(tl, hours, LONDON, POLICY)
    assert [r.at for r in log] == [
        utc(2026, 10, 24, 1),
        utc(2026, 10, 25, 0, 30),  # first 01:30 (BST) only
        utc(2026, 10, 26, 1, 30),
        utc(2026, 10, 27, 1, 30),
        utc(2026, 10, 27, 1, 30),
    ]
    # during the repeated hour, nothing is due again
    tl2 = record(fresh(tl.due_at), log[:2])
    assert due(tl2, utc(2026, 10, 25, 1, 30), hours) == []
    assert due(tl2, utc(2026, 10, 25, 1, 45), hours) == []


# --- the next_reminder_at contract -----------------------------------------------------------

ZONES = [LONDON, ZoneInfo("America/New_York"), ZoneInfo("Australia/Lord_Howe"), ZoneInfo("UTC")]
HOURS = [
    DEFAULT,
    ALL_WEEK,
    WorkingHours.parse("mon,wed,fri 8-16"),
    WorkingHours.parse("sat-sun 10:00-14:30"),
    WorkingHours.parse("mon-sun 01:30-03:00"),
    WorkingHours.parse("sun 02:10-02:20"),
    WorkingHours.parse("tue 00:00-23:59"),
]


@st.composite
def timelines(draw: st.DrawFn) -> FollowUpTimeline:
    due_at = draw(
        st.datetimes(datetime(2025, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC))  # noqa: DTZ001
    )
    return FollowUpTimeline(
        due_at,
        due_nudge_sent=draw(st.booleans()),
        overdue_nudges_sent=draw(st.integers(0, 5)),
        escalated=draw(st.booleans()),
    )


policies = st.builds(ReminderPolicy, st.integers(0, 4), st.integers(1, 5))


@settings(max_examples=300)
@given(
    timelines(),
    st.sampled_from(HOURS),
    st.sampled_from(ZONES),
    policies,
    st.timedeltas(timedelta(microseconds=1), timedelta(days=30)),
)
def test_next_reminder_at_is_exactly_the_first_non_empty_instant(
    tl: FollowUpTimeline,
    hours: WorkingHours,
    tz: ZoneInfo,
    policy: ReminderPolicy,
    before: timedelta,
) -> None:
    when = next_reminder_at(tl, hours=hours, tz=tz, policy=policy)
    if when is None:
        for probe in (tl.due_at, tl.due_at + before, tl.due_at + timedelta(days=60)):
            assert reminders_due(tl, now=probe, hours=hours, tz=tz, policy=policy) == []
        return
    assert reminders_due(tl, now=when, hours=hours, tz=tz, policy=policy)
    assert reminders_due(tl, now=when - before, hours=hours, tz=tz, policy=policy) == []


@settings(max_examples=300)
@given(
    timelines(),
    st.sampled_from(HOURS),
    st.sampled_from(ZONES),
    policies,
    st.timedeltas(timedelta(0), timedelta(days=40)),
    st.timedeltas(timedelta(microseconds=1), timedelta(days=30)),
)
def test_next_reminder_at_not_before(
    tl: FollowUpTimeline,
    hours: WorkingHours,
    tz: ZoneInfo,
    policy: ReminderPolicy,
    offset: timedelta,
    before: timedelta,
) -> None:
    not_before = tl.due_at + offset
    when = next_reminder_at(tl, hours=hours, tz=tz, policy=policy, not_before=not_before)
    if when is None:
        return
    assert when >= not_before
    assert reminders_due(tl, now=when, hours=hours, tz=tz, policy=policy)
    probe = when - before
    assume(probe >= not_before)
    assert reminders_due(tl, now=probe, hours=hours, tz=tz, policy=policy) == []


@settings(max_examples=200)
@given(
    timelines().map(lambda tl: fresh(tl.due_at)),
    st.sampled_from(HOURS),
    st.sampled_from(ZONES),
    policies,
    st.timedeltas(timedelta(0), timedelta(days=10)),
)
def test_sweep_sends_each_reminder_once_inside_hours(
    tl: FollowUpTimeline,
    hours: WorkingHours,
    tz: ZoneInfo,
    policy: ReminderPolicy,
    downtime: timedelta,
) -> None:
    log = simulate(tl, hours, tz, policy, start=tl.due_at + downtime)
    identities = [(r.kind, r.sequence) for r in log]
    assert len(identities) == len(set(identities))
    assert [r.kind for r in log].count(ESCALATION) == 1
    assert sum(r.kind in (DUE, OVERDUE) for r in log) >= 1
    sequences = [r.sequence for r in log if r.kind is OVERDUE]
    assert sequences == sorted(sequences)
    assert all(1 <= k <= policy.max_overdue_nudges for k in sequences)
    if downtime == timedelta(0):
        assert sequences == list(range(1, policy.max_overdue_nudges + 1))
    assert all(is_within(r.at, hours, tz) for r in log)


@settings(max_examples=300)
@given(
    st.datetimes(datetime(2025, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),  # noqa: DTZ001
    st.lists(
        st.tuples(
            # due times on the half hour of a few days round `now`: many share a day and
            # a class, so a plan shared too widely shows
            st.integers(-5, 1),
            st.integers(0, 47),
            st.booleans(),
            st.integers(0, 4),
            st.booleans(),
        ),
        min_size=1,
        max_size=60,
    ),
    st.sampled_from(HOURS),
    st.sampled_from(ZONES),
    policies,
)
def test_sweep_planner_plans_every_follow_up_as_plan_sweep_would(
    now: datetime,
    followups: list[tuple[int, int, bool, int, bool]],
    hours: WorkingHours,
    tz: ZoneInfo,
    policy: ReminderPolicy,
) -> None:
    """One planner for a batch, plans shared between follow-ups of one class: each
    follow-up still gets exactly the plan of its own timeline."""
    planner = SweepPlanner(hours, now=now, tz=tz, policy=policy)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for days, slot, due_sent, overdue_sent, escalated in followups * 2:  # 2nd pass: cached
        due_at = midnight + timedelta(days=days, minutes=30 * slot)
        tl = FollowUpTimeline(due_at, due_sent, overdue_sent, escalated)
        expected = plan_sweep(tl, now=now, hours=hours, tz=tz, policy=policy)
        got = planner.plan(
            due_at, due_nudge_sent=due_sent, overdue_nudges_sent=overdue_sent, escalated=escalated
        )
        assert got == expected


@pytest.mark.parametrize(
    ("due_at", "now"),
    [
        # the morning of spring forward and of fall back in London, due before and after now
        (utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 8, 5)),
        (utc(2026, 3, 29, 8, 30), utc(2026, 3, 29, 8, 5)),
        (utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 9, 5)),
        (utc(2026, 10, 23, 17, 30), utc(2026, 10, 26, 9, 0)),
    ],
)
def test_sweep_planner_on_dst_days(due_at: datetime, now: datetime) -> None:
    for hours in (DEFAULT, ALL_WEEK, WorkingHours.parse("mon-sun 01:30-03:00")):
        planner = SweepPlanner(hours, now=now, tz=LONDON, policy=POLICY)
        for minutes in range(0, 180, 7):
            at = due_at + timedelta(minutes=minutes)
            expected = plan_sweep(fresh(at), now=now, hours=hours, tz=LONDON, policy=POLICY)
            got = planner.plan(at, due_nudge_sent=False, overdue_nudges_sent=0, escalated=False)
            assert got == expected


# --- snooze and presets ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "now", "hours", "expected"),
    [
        (SnoozeOption.HOUR, utc(2026, 1, 6, 10), DEFAULT, utc(2026, 1, 6, 11)),
        (SnoozeOption.HOUR, utc(2026, 1, 6, 17, 30), DEFAULT, utc(2026, 1, 7, 9)),
        (SnoozeOption.HOUR, utc(2026, 1, 9, 17, 30), DEFAULT, utc(2026, 1, 12, 9)),
        (SnoozeOption.TOMORROW, utc(2026, 1, 6, 15), DEFAULT, utc(2026, 1, 7, 9)),
        (SnoozeOption.TOMORROW, utc(2026, 1, 9, 15), DEFAULT, utc(2026, 1, 12, 9)),
        (SnoozeOption.TOMORROW, utc(2026, 1, 9, 15), ALL_WEEK, utc(2026, 1, 10, 9)),
        (
            SnoozeOption.TOMORROW,
            utc(2026, 1, 6, 15),
            WorkingHours.parse("mon-fri 10-14"),
            utc(2026, 1, 7, 10),
        ),
        (
            SnoozeOption.TOMORROW,
            utc(2026, 1, 6, 15),
            WorkingHours.parse("mon-fri 6-8"),
            utc(2026, 1, 7, 6),
        ),
        (SnoozeOption.THREE_DAYS, utc(2026, 1, 6, 15), DEFAULT, utc(2026, 1, 9, 9)),
        (SnoozeOption.THREE_DAYS, utc(2026, 1, 8, 15), DEFAULT, utc(2026, 1, 12, 9)),
        # across the spring change: 09:00 BST
        (SnoozeOption.TOMORROW, utc(2026, 3, 27, 15), ALL_WEEK, utc(2026, 3, 28, 9)),
        (SnoozeOption.THREE_DAYS, utc(2026, 3, 27, 15), DEFAULT, utc(2026, 3, 30, 8)),
    ],
)
def test_snooze_until(
    option: SnoozeOption, now: datetime, hours: WorkingHours, expected: datetime
) -> None:
    assert snooze_until(option, now=now, hours=hours, tz=LONDON) == expected


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        (FollowUpPreset.TOMORROW, utc(2026, 3, 26, 9)),
        (FollowUpPreset.THREE_DAYS, utc(2026, 3, 28, 9)),
        (FollowUpPreset.ONE_WEEK, utc(2026, 4, 1, 8)),  # 09:00 BST
        (FollowUpPreset.TWO_WEEKS, utc(2026, 4, 8, 8)),
    ],
)
def test_preset_follow_up(preset: FollowUpPreset, expected: datetime) -> None:
    now = utc(2026, 3, 25, 23, 30)  # Wednesday 23:30 GMT
    assert preset_follow_up(preset, now=now, tz=LONDON) == expected


def test_preset_uses_local_date_not_utc_date() -> None:
    now = utc(2026, 6, 10, 23, 30)  # already 11 June 00:30 BST
    assert preset_follow_up(FollowUpPreset.TOMORROW, now=now, tz=LONDON) == utc(2026, 6, 12, 8)


def test_default_follow_up() -> None:
    now = utc(2026, 10, 20, 12)
    assert default_follow_up(now, LONDON) == utc(2026, 10, 27, 9)  # 09:00 GMT after change
    assert default_follow_up(now, LONDON, days=2) == utc(2026, 10, 22, 8)
    with pytest.raises(ValueError, match="days"):
        default_follow_up(now, LONDON, days=0)


def test_next_working_day_start() -> None:
    assert next_working_day_start(utc(2026, 1, 6, 8), DEFAULT, LONDON) == utc(2026, 1, 7, 9)
    assert next_working_day_start(utc(2026, 1, 9, 12), DEFAULT, LONDON) == utc(2026, 1, 12, 9)
    assert next_working_day_start(utc(2026, 1, 10, 12), ALL_WEEK, LONDON) == utc(2026, 1, 11, 7)


def test_frozen_clock_caller_pattern() -> None:
    with time_machine.travel(datetime(2026, 1, 9, 16, 30, tzinfo=UTC), tick=False):
        now = datetime.now(UTC)  # a navigator presses "No answer" on Friday afternoon
        new_due = next_working_day_start(now, DEFAULT, LONDON)
        assert new_due == utc(2026, 1, 12, 9)
        tl = fresh(new_due)
        assert due(tl, now) == []
        assert nxt(tl) == new_due
    assert date(2026, 1, 12).weekday() == 0
