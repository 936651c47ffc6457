from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.contacts.parsing import DateProblem, parse_contact, parse_follow_up_phrase
from bot.contacts.redaction import MAX_NOTE_CHARS
from tests.unit.test_redaction import assert_no_long_digit_run

TZ = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)

_nows = st.datetimes(
    # hypothesis takes naive bounds and attaches the zone itself
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001
    max_value=datetime(2030, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
_vocab = st.sampled_from(
    [
        "C123",
        "seen",
        "ED",
        "A&E",
        "rang",
        "no",
        "answer",
        "referred",
        "to",
        "drug",
        "treatment",
        "ETE",
        "follow",
        "up",
        "FU",
        "friday",
        "3/4",
        "31/02",
        "tomorrow",
        "2pm",
        "14:00",
        "in",
        "3",
        "days",
        "next",
        "week",
        "knife",
        "OD",
        "denies",
        "suicidal",
        "name:",
        "07700",
        "900123",
        "হাসপাতালে",
        "শুক্রবার",
        "ফলো",
        "আপ",
        "৩",
        "দিন",
        "পরে",
        "আগামীকাল",
        "১২৩",
        "kal",
        "fon",
        "korbo",
        "case",
        "closed",
    ]
)
_mixed = st.lists(st.one_of(_vocab, st.text(max_size=12)), max_size=30).map(" ".join)


@settings(max_examples=300)
@given(text=st.one_of(st.text(), _mixed), now=_nows)
def test_parse_contact_never_raises_and_is_well_formed(text: str, now: datetime) -> None:
    draft = parse_contact(text, now=now, tz=TZ)
    assert len(draft.note) <= MAX_NOTE_CHARS
    assert draft.occurred_at.utcoffset() == timedelta(0)
    if draft.follow_up_at is not None:
        assert draft.follow_up_at.utcoffset() == timedelta(0)
        assert draft.follow_up_problem is None
    assert_no_long_digit_run(draft.note)


@given(text=st.one_of(st.text(max_size=60), _mixed), now=_nows)
def test_follow_up_phrase_is_a_future_utc_time_or_a_problem(text: str, now: datetime) -> None:
    result = parse_follow_up_phrase(text, now=now, tz=TZ)
    if not isinstance(result, DateProblem):
        assert result.utcoffset() == timedelta(0)
        assert result.astimezone(TZ).date() >= now.astimezone(TZ).date()
        assert result - now <= timedelta(days=366)


@given(st.integers(min_value=0, max_value=8), st.integers(min_value=1, max_value=40))
def test_in_n_days_is_nine_local_across_clock_changes(offset: int, days: int) -> None:
    now = datetime(2026, 3, 26, 12, 0, tzinfo=UTC) + timedelta(days=offset) * 30
    result = parse_follow_up_phrase(f"in {days} days", now=now, tz=TZ)
    assert not isinstance(result, DateProblem)
    local = result.astimezone(TZ)
    assert (local.hour, local.minute) == (9, 0)
    assert local.date() == now.astimezone(TZ).date() + timedelta(days=days)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("friday", "2026-03-27 09:00"),
        ("3/4", "2026-04-03 09:00"),
        ("tomorrow 2pm", "2026-03-26 14:00"),
        ("in 3 days", "2026-03-28 09:00"),
        ("1 week", "2026-04-01 09:00"),
        ("next week", "2026-04-01 09:00"),
        ("12th", "2026-04-12 09:00"),
        ("on the 30th", "2026-03-30 09:00"),
        ("3 April", "2026-04-03 09:00"),
        ("April 3rd 10am", "2026-04-03 10:00"),
        ("today", "2026-03-25 09:00"),
        ("4pm", "2026-03-25 16:00"),
        ("শুক্রবার", "2026-03-27 09:00"),
        ("আগামীকাল", "2026-03-26 09:00"),
        ("৩ দিন পরে", "2026-03-28 09:00"),
        ("আজ", "2026-03-25 09:00"),
        ("আগামীকাল সকাল ১০টায়", "2026-03-26 10:00"),
        ("৩/৪", "2026-04-03 09:00"),
        ("shukrobar", "2026-03-27 09:00"),
        ("31/02", DateProblem.IMPOSSIBLE),
        ("30 feb", DateProblem.IMPOSSIBLE),
        ("13/13", DateProblem.IMPOSSIBLE),
        ("20/03", DateProblem.PAST),
        ("8am", DateProblem.PAST),
        ("1/1/2020", DateProblem.PAST),
        ("25/03/2028", DateProblem.TOO_FAR),
        ("whenever", DateProblem.UNCLEAR),
        ("", DateProblem.UNCLEAR),
    ],
)
def test_parse_follow_up_phrase(phrase: str, expected: str | DateProblem) -> None:
    result = parse_follow_up_phrase(phrase, now=NOW, tz=TZ)
    if isinstance(expected, DateProblem):
        assert result == expected
    else:
        assert not isinstance(result, DateProblem)
        assert result.astimezone(TZ).strftime("%Y-%m-%d %H:%M") == expected


def test_huge_and_hostile_inputs_do_not_raise() -> None:
    for text in ["C123 " * 20000, "1/ " * 33000, "\x00\x1f\u202e" * 1000, "😀" * 5000]:
        draft = parse_contact(text, now=NOW, tz=TZ)
        assert len(draft.note) <= MAX_NOTE_CHARS


# The day-only memo (bot.contacts.parsing._dateparse_day) -----------------------------------
_DAY_ONLY_PHRASES = [
    "today",
    "tomorrow",
    "yesterday",
    "friday",
    "next friday",
    "this monday",
    "on sunday",
    "coming tuesday",
    "in 3 days",
    "in 2 weeks",
    "in 1 month",
    "in 6 months",
    "next week",
    "next month",
    "the day after tomorrow",
    "3 days ago",
    "2 weeks ago",
    "3 April 2026",
    "29 February 2028",
    "31 December 2026",
]
_TIME_DEPENDENT_PHRASES = [
    "in 5 hours",
    "in 30 minutes",
    "tonight",
    "friday 3",
    "tomorrow morning",
    "friday 14:00",
    "today 9am",
    "end of the month",
]


def test_day_only_filter_accepts_days_and_refuses_times() -> None:
    from bot.contacts.parsing import _names_a_day_only

    assert all(_names_a_day_only(p) for p in _DAY_ONLY_PHRASES)
    assert not any(_names_a_day_only(p) for p in _TIME_DEPENDENT_PHRASES)


@pytest.mark.parametrize("prefer", ["future", "past"])
@pytest.mark.parametrize("phrase", _DAY_ONLY_PHRASES)
def test_day_only_phrases_give_the_same_day_at_any_time_of_day(phrase: str, prefer: str) -> None:
    """What makes the memo correct: dateparser's day for such a phrase, read at noon, is its
    day read at any time of that day, on every weekday and across both clock changes."""
    from bot.contacts.parsing import _dateparse, _dateparse_day

    clocks = [(0, 0, 0, 0), (0, 0, 1, 0), (6, 30, 0, 0), (11, 59, 59, 999999), (12, 0, 0, 1)]
    clocks += [(17, 45, 12, 345678), (23, 59, 59, 999999)]
    days = [datetime(2026, 3, 23) + timedelta(days=i) for i in range(8)]  # noqa: DTZ001
    days += [datetime(2026, 10, 19) + timedelta(days=i) for i in range(8)]  # noqa: DTZ001
    days += [datetime(2028, 2, 28), datetime(2026, 12, 31)]  # noqa: DTZ001
    for day in days:
        memo = _dateparse_day(phrase, day.date(), prefer, TZ)
        for h, m, s, us in clocks:
            parsed = _dateparse(
                phrase,
                day.replace(hour=h, minute=m, second=s, microsecond=us),
                prefer=prefer,
                tz=TZ,
            )
            assert (parsed.date() if parsed else None) == memo, (phrase, day, (h, m, s), prefer)


def test_memo_gives_what_dateparser_gives_through_the_parser() -> None:
    """parse_follow_up_phrase with the memo equals it with the memo bypassed."""
    import bot.contacts.parsing as parsing

    phrases = ["friday", "in 3 days", "2 weeks", "next week", "tomorrow", "3/4", "the 12th"]
    nows = [NOW + timedelta(hours=7 * i, minutes=13 * i) for i in range(40)]
    with_memo = [[parse_follow_up_phrase(p, now=n, tz=TZ) for p in phrases] for n in nows]
    original = parsing._names_a_day_only
    try:
        parsing._names_a_day_only = lambda text: False
        without = [[parse_follow_up_phrase(p, now=n, tz=TZ) for p in phrases] for n in nows]
    finally:
        parsing._names_a_day_only = original
    assert with_memo == without
