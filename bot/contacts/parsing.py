"""The contact parser (PRODUCT §4): one navigator message in, one draft log out.

The draft is only a proposal: the handler shows it on a confirmation card and the navigator
corrects it with buttons. So the parser prefers leaving a field empty (or flagging a date
problem) over guessing: a missed keyword costs one tap, a wrong date silently moves a
safeguarding follow-up.

Words are data: English, Bengali script and the romanised Bengali/Sylheti navigators type on
English keyboards live in bot/contacts/vocabulary/*.toml (read by
bot/contacts/vocabulary_data.py, compiled here once per process). Grammar is code, here:
negation and its scope, "whether" (কি না) that is not a negation, tense (a future phrase is
the follow-up; a past event is not the contact's time), and the object of a phrase (drugs
carried or sold are a risk, not drug treatment).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

from bot.contacts.codes import clean_text, code_spans, find_client_codes
from bot.contacts.language import (
    DEFAULT_CONTACT_LANGUAGES,
    detect_contact_language,
    explicit_language,
)
from bot.contacts.redaction import redact, truncate_note
from bot.contacts.vocabulary_data import Vocabulary, phrase_regex, vocabulary
from bot.core.clock import DEFAULT_FOLLOW_UP_DAYS, FOLLOW_UP_TIME, default_follow_up, local_to_utc
from bot.core.domain import Outcome, Risk, Service, ServiceStatus, Setting


class FollowUpKind(StrEnum):
    STATED = "stated"
    DEFAULT = "default"
    NONE = "none"


class DateProblem(StrEnum):
    IMPOSSIBLE = "impossible"
    PAST = "past"
    TOO_FAR = "too_far"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class ServiceUpdate:
    service: Service
    status: ServiceStatus


@dataclass(frozen=True)
class Draft:
    client_codes: tuple[str, ...]
    setting: Setting | None
    outcome: Outcome
    services: tuple[ServiceUpdate, ...]
    risks: tuple[Risk, ...]
    follow_up_kind: FollowUpKind
    follow_up_at: datetime | None
    follow_up_problem: DateProblem | None
    occurred_at: datetime
    occurred_problem: DateProblem | None
    language: str
    note: str
    # Fields the parser is unsure about ("follow_up", "occurred_at", "outcome", ...): the
    # card asks about them instead of saving a guess.
    questions: tuple[str, ...] = ()


DEFAULT_TIME = FOLLOW_UP_TIME
MAX_FOLLOW_UP_AHEAD = timedelta(days=365)
# A contact "at 14:00" typed at 13:55 is a slip of the clock, not a future contact.
OCCURRED_GRACE = timedelta(minutes=10)
# Field extraction looks at this much text; the stored note is shorter still. Keeps a
# pasted 100k-character message from costing more than a normal one.
_SCAN_CHARS = 8000


def _alt(words: Iterable[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


def _compile(parts: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for a list of alternatives (longest first), or None for an empty list."""
    alternatives = sorted(set(parts), key=len, reverse=True)
    if not alternatives:
        return None
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE)


_NEVER = re.compile(r"(?!)")


@dataclass(frozen=True)
class _Lexicon:
    """The vocabulary files compiled into the patterns the extractors use, once."""

    settings: tuple[tuple[Setting, re.Pattern[str]], ...]
    attempted: re.Pattern[str]
    declined: re.Pattern[str]
    services: tuple[tuple[Service, re.Pattern[str]], ...]
    statuses: tuple[tuple[ServiceStatus, re.Pattern[str]], ...]
    risks: tuple[tuple[Risk, re.Pattern[str]], ...]
    implied: tuple[tuple[Risk, re.Pattern[str]], ...]
    not_service: re.Pattern[str]
    no_follow_up: re.Pattern[str]
    trigger: re.Pattern[str]
    weak_trigger: re.Pattern[str]
    future: re.Pattern[str]
    future_phrase: re.Pattern[str]
    negation_before: re.Pattern[str]
    negation_after: re.Pattern[str]
    not_negation: re.Pattern[str]
    status_blocker: re.Pattern[str]
    status_blocker_after: re.Pattern[str]
    contact: re.Pattern[str]
    contact_verbs: re.Pattern[str]
    dates: re.Pattern[str]
    date_map: dict[str, str]


def _pattern(vocab: Vocabulary, section: str, key: str) -> re.Pattern[str]:
    source = vocab.combined(section, key)
    return _NEVER if source is None else re.compile(source, re.IGNORECASE)


@cache
def _lexicon() -> _Lexicon:
    vocab = vocabulary()

    def per(section: str, enum: Iterable[Any]) -> tuple[tuple[Any, re.Pattern[str]], ...]:
        return tuple(
            (value, re.compile(source, re.IGNORECASE))
            for value in enum
            if (source := vocab.combined(section, value.value)) is not None
        )

    before = vocab.alternatives("negation", "before")
    after = vocab.alternatives("negation", "after")
    # "no knife", "denies suicidal thoughts", "no self harm or suicidal ideation": only a
    # few words may sit between the negation and the risk, and they must be words that
    # belong to a list of risks, so "no answer so could not discuss the stabbing" stays a
    # risk. For safeguarding a missed risk is worse than an extra one, so "not" counts only
    # directly before the word.
    negation_before = re.compile(
        rf"(?:(?:{'|'.join(sorted(before, key=len, reverse=True)) or '(?!)'})"
        rf"(?:\W+{_NEGATION_FILLER}){{0,6}}|(?<!\w)not)\W*$",
        re.IGNORECASE,
    )
    # Bengali and romanised Bengali negate after the word: "আত্মহত্যার চিন্তা নেই".
    negation_after = re.compile(
        rf"^\W*(?:\S+\s+){{0,2}}?(?:{'|'.join(_bare(a) for a in after) or '(?!)'})"
        r"(?![\w\u0980-\u09ff])",
        re.IGNORECASE,
    )
    blockers = vocab.alternatives("negation", "status_blocker")
    status_blocker = re.compile(
        rf"(?:{'|'.join(sorted(blockers, key=len, reverse=True)) or '(?!)'})"
        r"(?:\s+(?:a|an|the|to|for|be|been|yet|him|her|them|any|his|their))*\s*$",
        re.IGNORECASE,
    )
    blockers_after = vocab.alternatives("negation", "status_blocker_after")
    status_blocker_after = re.compile(
        rf"^\s*(?:\S+\s+){{0,2}}?(?:{'|'.join(_bare(b) for b in blockers_after) or '(?!)'})"
        r"(?![\w\u0980-\u09ff])",
        re.IGNORECASE,
    )
    not_negation = _pattern(vocab, "negation", "not_negation")
    date_map = dict(vocab.dates)
    dates = re.compile(phrase_regex(list(date_map)) or "(?!)", re.IGNORECASE)
    return _Lexicon(
        settings=per("setting", Setting),
        attempted=_pattern(vocab, "outcome", "attempted"),
        declined=_pattern(vocab, "outcome", "declined"),
        services=per("service", Service),
        statuses=per("status", ServiceStatus),
        risks=per("risk", Risk),
        implied=per("implied_risk", Risk),
        not_service=_pattern(vocab, "not_service", "drugs"),
        no_follow_up=_pattern(vocab, "follow_up", "none"),
        trigger=_pattern(vocab, "follow_up", "trigger"),
        weak_trigger=_pattern(vocab, "follow_up", "weak_trigger"),
        future=_pattern(vocab, "follow_up", "future"),
        future_phrase=re.compile(
            rf"(?:{_pattern(vocab, 'follow_up', 'future').pattern})"
            r"\s+\S+(?:\s+(?:to|at|in)\s+\S+)?",
            re.IGNORECASE,
        ),
        negation_before=negation_before,
        negation_after=negation_after,
        not_negation=not_negation,
        status_blocker=status_blocker,
        status_blocker_after=status_blocker_after,
        contact=_compile(
            [_pattern(vocab, "contact", "words").pattern]
            + [p.pattern for _, p in per("setting", Setting)]
        )
        or _NEVER,
        contact_verbs=_pattern(vocab, "contact", "verbs"),
        dates=dates,
        date_map={k.lower(): v for k, v in date_map.items()},
    )


def _bare(source: str) -> str:
    """A word's regex without the Latin word boundaries (for use inside a larger pattern)."""
    prefix, suffix = r"(?<![\w&/])", r"(?![\w&])"
    if source.startswith(prefix) and source.endswith(suffix):
        return source[len(prefix) : -len(suffix)]
    return source


_NEGATION_FILLER = (
    r"(?:or|and|nor|any|current|recent|signs?|of|evidence|thoughts?|concerns?|re|about|"
    r"reported|known|obvious|further|risk|risks|ideation|intent|plans?|self|harm|"
    r"knife|knives|weapons?|blades?|guns?|violence|fights?|suicidal|cutting|OD|overdose|"
    r"exploitation|grooming|involvement|involved|in|with|history|carrying|possession)"
)
# A status word this far from a service (in characters, same clause) does not apply to it.
_STATUS_REACH = 40

_CLAUSE_SPLIT = re.compile(
    # A full stop between digits is a date or a time ("14.12", "9.30"), not a clause end.
    r"[,;!?\n।]|\.(?!\d)|(?<!\d)\.|\s(?:but|however|then|also|whereas|and then|tho|though)\s",
    re.IGNORECASE,
)

_WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "wednesday": 2,
    "wed": 2,
    "weds": 2,
    "thursday": 3,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
_MONTHS = {
    name.lower(): i
    for i in range(1, 13)
    for name in (calendar.month_name[i], calendar.month_abbr[i])
} | {"sept": 9}


# Number-and-unit phrases in Bengali and romanised Bengali ("৩ দিন পরে", "3 din bade").
# dateparser knows weekdays and আজ/আগামীকাল but not these, and it cannot know that কাল
# means tomorrow when planning and yesterday when reporting.
_BN_NUMBER_UNITS = (
    (
        re.compile(r"(?<!\d)(\d++)\s*(?:দিন|din)\s*(?:পরে|পর|pore|por|bade|bad|baade)"),
        r"in \1 days",
    ),
    (
        re.compile(
            r"(?<!\d)(\d++)\s*(?:সপ্তাহ|soptah|shoptah|hoptah|hopta)\s*(?:পরে|পর|pore|por|bade)?"
        ),
        r"in \1 weeks",
    ),
    (
        re.compile(r"(?<!\d)(\d++)\s*(?:মাস|mash|mas)\s*(?:পরে|পর|pore|por|bade)"),
        r"in \1 months",
    ),
    # "১০ তারিখে" (on the 10th): the dates table turns তারিখে into "th".
    (re.compile(r"(?<![\d/.-])(\d{1,2})\s+th(?!\w)"), r"\1th"),
    (re.compile(r"(?<=\d)\s+th(?!\w)"), " "),
)

_BN_CLOCK = re.compile(
    r"(?:(সকাল|সকালে|দুপুর|দুপুরে|বিকাল|বিকালে|বিকেল|বিকেলে|সন্ধ্যা|সন্ধ্যায়|রাত|রাতে)\s*)?"
    r"(\d{1,2})(?::(\d{2}))?\s*(?:টা|টায়|টার|ta|tay)"
)
_PM_WORDS = ("দুপুর", "বিকাল", "বিকেল", "সন্ধ্যা", "রাত")


# Shorthand that dateparser reads wrongly or not at all.
def _dotted_time(m: re.Match[str]) -> str:
    hour, minute = int(m.group(1)), int(m.group(2))
    if minute <= 12:
        return m.group(0)  # a day and month ("14.12")
    return f"{hour}:{minute:02d}"


def _bare_hour(m: re.Match[str]) -> str:
    hour = int(m.group(1))
    if hour > 23:
        return m.group(0)
    return f"at {hour + 12 if 1 <= hour <= 7 else hour}:00"


_SHORTHAND: tuple[tuple[re.Pattern[str], Any], ...] = (
    (re.compile(r"(?<!\w)(\d++)\s*(?:w|wk|wks)(?!\w)"), r"in \1 weeks"),
    (re.compile(r"(?<!\w)(\d++)\s*(?:d|dys)(?!\w)"), r"in \1 days"),
    (re.compile(r"(?<!\w)(\d++)\s*(?:h|hr|hrs)(?!\w)"), r"in \1 hours"),
    (re.compile(r"(?<!\w)(?:tmrw|tmr|tmrow|tomoz|2moro|2morrow)(?!\w)"), "tomorrow"),
    (re.compile(r"(?<!\w)(?:a|one) fortnight(?!\w)|(?<!\w)fortnight(?!\w)"), "2 weeks"),
    (re.compile(r"(?<!\w)(\d++)\s+(days?|weeks?|months?)(?!\w)(?! ago)"), r"in \1 \2"),
    (re.compile(r"(?<!\w)in in(?!\w)"), "in"),
    (re.compile(r"(?<!\w)(?:midday|noon)(?!\w)"), "12:00"),
    (re.compile(r"(?<!\w)(\d{1,2})\.(\d{2})\s*(am|pm)(?!\w)"), r"\1:\2\3"),
    # "9.30" is a time (no month 30); "14.12" stays a date.
    (re.compile(r"(?<![\w/.])(\d{1,2})\.([1-5]\d)(?![\w/.])"), _dotted_time),
    # "at 10", "at 3": an hour; 1-7 without am/pm is afternoon, as in working hours.
    (re.compile(r"(?<!\w)at (\d{1,2})(?![\d:./]|\s*[ap]\.?m)"), _bare_hour),
    # Clinical shorthand: "in 2/7" is two days, "1/52" a week, "in 3/12" three months.
    (re.compile(r"(?<!\w)in (\d{1,2})/7(?![\d/])"), r"in \1 days"),
    (re.compile(r"(?<![\w/])(\d{1,2})/52(?![\d/])"), r"in \1 weeks"),
    (re.compile(r"(?<!\w)in (\d{1,2})/12(?![\d/])"), r"in \1 months"),
    (re.compile(r"(?<!\w)in in(?!\w)"), "in"),
    # "tues next week" is next week's Tuesday.
    (re.compile(rf"(?<!\w)({_alt(_WEEKDAYS)}) next week(?!\w)"), r"next \1"),
)

_TIME_RE = re.compile(
    r"(?<![\w/])(?:\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?|\d{1,2}:\d{2})(?![\w/])"
    r"|(?<!\w)(?:in \d+ hours?|in \d+ minutes?|in an hour|tonight|morning|afternoon|evening|"
    r"last night|12:00)(?!\w)",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(
    r"(?<![\d/.:-])(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?(?![\d/.:-])"
)
_MONTH_ALT = _alt(_MONTHS)
_DAY_MONTH = re.compile(
    rf"(?<!\w)(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+({_MONTH_ALT})\.?(?:\s+(\d{{4}}))?(?!\w)"
)
_MONTH_DAY = re.compile(
    rf"(?<!\w)({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?(?!\w)"
)
_BARE_ORDINAL = re.compile(r"(?<!\w)(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)(?!\w)")

# Words a follow-up phrase can be made of. A run of these right after the trigger is the
# date phrase; anything else ends it ("follow up friday with mum" -> "friday").
_DATE_WORDS = (
    set(_WEEKDAYS)
    | set(_MONTHS)
    | {
        "today",
        "tomorrow",
        "tonight",
        "next",
        "this",
        "coming",
        "in",
        "on",
        "at",
        "by",
        "the",
        "of",
        "a",
        "an",
        "day",
        "days",
        "week",
        "weeks",
        "month",
        "months",
        "hour",
        "hours",
        "minutes",
        "morning",
        "afternoon",
        "evening",
        "am",
        "pm",
        "after",
        "before",
        "end",
        "start",
        "yesterday",
        "night",
        "eom",
        "later",
    }
)
_ANCHOR_RE = re.compile(
    rf"\d|(?<!\w)(?:{_alt(_WEEKDAYS)}|{_MONTH_ALT}|today|tomorrow|tonight|week|weeks|month|"
    rf"months|day|days|hours?|yesterday|night|morning|afternoon|evening|eom)(?!\w)"
)
# Anything that names a day rather than a time of day.
_DATE_ANCHOR_RE = re.compile(
    rf"(?<!\w)(?:{_alt(_WEEKDAYS)}|{_MONTH_ALT}|today|tomorrow|yesterday|week|weeks|month|"
    rf"months|days?|hours?|minutes?|tonight|\d{{4}})(?!\w)"
)
_PHRASE_TOKEN = re.compile(
    r"\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?|\d{1,2}(?::\d{2})?\s*(?:am|pm)|\d{1,2}:\d{2}"
    r"|\d{1,2}(?:st|nd|rd|th)|\d+|[a-z]+"
)
_FILLER = {
    "fon",
    "phone",
    "ring",
    "text",
    "see",
    "meet",
    "try",
    "to",
    "korbo",
    "dimu",
    "dibo",
    "abar",
    "again",
    "pore",
    "por",
    "bade",
    "him",
    "her",
    "them",
    "client",
    "up",
    "with",
    "for",
    "call",
    "visit",
    "mum",
}

_WHEN_RE = re.compile(
    r"(?<!\w)(?:"
    r"yesterday(?:\s+(?:morning|afternoon|evening))?(?:\s+at\s+(?:\d{1,2}(?::\d{2})?\s*(?:am|pm)|\d{1,2}:\d{2}))?"
    r"|last\s+night|this\s+(?:morning|afternoon|evening)|earlier\s+today|today|tonight|tomorrow"
    r"|(?:on|last)\s+(?:"
    + _alt(_WEEKDAYS)
    + r")(?:\s+at\s+(?:\d{1,2}(?::\d{2})?\s*(?:am|pm)|\d{1,2}:\d{2}))?"
    r"|on\s+\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?"
    r"|at\s+(?:\d{1,2}(?::\d{2})?\s*(?:am|pm)|\d{1,2}:\d{2})"
    r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d+\s+days?\s+ago|a\s+day\s+ago"
    # A bare day ("HV mon", "sun night"); not "sat", which is also a verb ("sat with him").
    r"|(?:"
    + _alt(d for d in _WEEKDAYS if d != "sat")
    + r")(?:\s+(?:morning|afternoon|evening|night))?"
    r")(?!\w)",
    re.IGNORECASE,
)


# ---------------------------------------------------------------------------------------
# Dates.


def _local_base(now: datetime, tz: ZoneInfo) -> datetime:
    return now.astimezone(tz).replace(tzinfo=None)


def _at_local(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """A local wall-clock time as aware UTC, by the one rule (bot.core.clock.local_to_utc)."""
    return local_to_utc(day, clock, tz)


@lru_cache(maxsize=512)  # pure; one message translates the same phrases more than once
def _translate(phrase: str, *, planning: bool) -> str:
    """Rewrite Bengali, romanised and shorthand date words into English dateparser reads."""
    text = clean_text(phrase).lower()

    def clock(m: re.Match[str]) -> str:
        period, hour_s, minute = m.group(1) or "", int(m.group(2)), m.group(3) or "00"
        hour = hour_s
        # Without a period word, 1-7 o'clock is afternoon in working hours ("৩টায়" = 15:00).
        pm = any(period.startswith(w) for w in _PM_WORDS) or (not period and 1 <= hour <= 7)
        if pm and hour < 12:
            hour += 12
        if hour > 23:
            return m.group(0)
        return f" {hour:02d}:{minute} "

    text = _BN_CLOCK.sub(clock, text)
    lexicon = _lexicon()
    # কাল (KAL in the dates table) means tomorrow when planning a follow-up and yesterday
    # when reporting a contact.
    kal = " tomorrow " if planning else " yesterday "

    porshu = " in 2 days " if planning else " 2 days ago "

    def date_word(m: re.Match[str]) -> str:
        english = lexicon.date_map.get(" ".join(m.group(0).lower().split()), m.group(0))
        if english == "kal":
            return kal
        return porshu if english == "porshu" else f" {english} "

    text = lexicon.dates.sub(date_word, text)
    for pattern, repl in _BN_NUMBER_UNITS:
        text = pattern.sub(repl, text)
    # Bengali case endings left behind ("শুক্রবারে" -> "friday ে") and stray Bengali words.
    text = re.sub(r"[\u0980-\u09ff]+", " ", text)
    for pattern, repl in _SHORTHAND:
        text = pattern.sub(repl, text)
    return " ".join(text.split())


def _resolve_year(day: int, month: int, today: date, *, planning: bool) -> date | None:
    """Year for a day/month typed without one; None when that day never exists."""
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        return None
    if planning:
        # The coming occurrence, unless that is more than ~6 months off while this year's
        # was recent: then it is a date in the past, and the navigator is asked.
        this_year = [d for d in candidates if d.year == today.year]
        if this_year and this_year[0] >= today:
            return this_year[0]
        if this_year and (today - this_year[0]).days <= 183:
            return this_year[0]
        future = [d for d in candidates if d >= today]
        return future[0] if future else candidates[-1]
    past = [d for d in candidates if d <= today]
    return past[-1] if past else candidates[0]


def _make_date(
    year: int | None, month: int, day: int, today: date, *, planning: bool
) -> date | None:
    if year is None:
        return _resolve_year(day, month, today, planning=planning)
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _pin_explicit_dates(text: str, today: date, *, planning: bool) -> str | DateProblem:
    """Replace typed calendar dates by unambiguous "3 April 2026" before dateparser sees them.

    dateparser answers None both for "31/02" and for gibberish, and silently rolls a past
    day/month into next year; doing these by hand lets an impossible date be named as such.
    """
    problem: list[DateProblem] = []

    def pin(d: date | None) -> str:
        if d is None:
            problem.append(DateProblem.IMPOSSIBLE)
            return " "
        return f" {d.day} {calendar.month_name[d.month]} {d.year} "

    def numeric(m: re.Match[str]) -> str:
        day, month = int(m.group(1)), int(m.group(2))
        year = int(m.group(3)) if m.group(3) else None
        if not 1 <= month <= 12:
            return pin(None)
        return pin(_make_date(year, month, day, today, planning=planning))

    def day_month(m: re.Match[str]) -> str:
        year = int(m.group(3)) if m.group(3) else None
        return pin(_make_date(year, _MONTHS[m.group(2)], int(m.group(1)), today, planning=planning))

    def month_day(m: re.Match[str]) -> str:
        year = int(m.group(3)) if m.group(3) else None
        return pin(_make_date(year, _MONTHS[m.group(1)], int(m.group(2)), today, planning=planning))

    def ordinal(m: re.Match[str]) -> str:
        # "review on 12th": the next 12th, skipping months too short to have one.
        day = int(m.group(1))
        year, month = today.year, today.month
        for _ in range(13):
            try:
                candidate = date(year, month, day)
            except ValueError:
                candidate = None
            if candidate is not None and (candidate >= today if planning else candidate <= today):
                return pin(candidate)
            if planning:
                month += 1
                if month == 13:
                    year, month = year + 1, 1
            else:
                month -= 1
                if month == 0:
                    year, month = year - 1, 12
        return pin(None)

    text = _NUMERIC_DATE.sub(numeric, text)
    text = _DAY_MONTH.sub(day_month, text)
    text = _MONTH_DAY.sub(month_day, text)
    text = _BARE_ORDINAL.sub(ordinal, text)
    if problem:
        return problem[0]
    return text


def _settings(base: datetime, *, prefer: str, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": prefer,
        "TIMEZONE": tz.key,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "RELATIVE_BASE": base,
        "PREFER_DAY_OF_MONTH": "first",
        "STRICT_PARSING": False,
    }


def _dateparse(phrase: str, base: datetime, *, prefer: str, tz: ZoneInfo) -> datetime | None:
    """dateparser on an already-extracted phrase, returning naive local wall-clock time.

    Naive local in, naive local out: relative arithmetic ("in 3 days") then keeps the wall
    clock across a DST change, and the caller attaches the zone once.
    """
    if not phrase or len(phrase) > 80:
        return None
    try:
        # English only: _translate has already turned Bengali date words into English and
        # dropped the rest, so the Bengali locale would only add ~0.2 ms of locale probing.
        parser = DateDataParser(languages=["en"], settings=_settings(base, prefer=prefer, tz=tz))
        result = parser.get_date_data(phrase).date_obj
    except Exception:  # dateparser raises assorted errors on odd input; a draft never fails
        return None
    if result is None:
        return None
    if result.tzinfo is not None:
        result = result.replace(tzinfo=None)
    return result


# Words of a phrase whose day does not depend on the time of day it is read at: days, weeks,
# months and years counted from today, named days and dates. A number counts only next to a
# unit or a month ("in 3 days", "3 April 2026"): alone it could be read as an hour.
_DAY_ONLY_WORDS = set(_WEEKDAYS) | {
    "today",
    "tomorrow",
    "yesterday",
    "next",
    "this",
    "coming",
    "in",
    "on",
    "the",
    "of",
    "a",
    "an",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "after",
    "ago",
}
_DAY_UNITS = {"day", "days", "week", "weeks", "month", "months", "year", "years"}


def _names_a_day_only(text: str) -> bool:
    """Whether dateparser's day for this phrase depends on today's date alone (not the
    time of day): then one answer serves every call on the same local day."""
    tokens = text.lower().split()  # pinned dates read "3 April 2026"
    if not tokens or len(tokens) > 8:
        return False
    for i, token in enumerate(tokens):
        if token in _DAY_ONLY_WORDS or token in _MONTHS:
            continue
        if token.isascii() and token.isdigit() and len(token) <= 4:
            after = tokens[i + 1] if i + 1 < len(tokens) else ""
            before = tokens[i - 1] if i > 0 else ""
            if after in _DAY_UNITS or after in _MONTHS or before in _MONTHS:
                continue
        return False
    return True


@lru_cache(maxsize=2048)
def _dateparse_day(text: str, today: date, prefer: str, tz: ZoneInfo) -> date | None:
    """The day dateparser gives a day-only phrase (see `_names_a_day_only`), read at noon.

    dateparser costs ~1 ms a call, and most follow-up phrases ("friday", "in 2 weeks") recur
    all day. The key is the phrase, today's local date and the direction: everything the
    answer depends on for such a phrase (tests/unit/test_parser_properties.py checks that
    the day read at noon is the day read at any other time). Old days fall out of the LRU.
    """
    parsed = _dateparse(text, datetime.combine(today, time(12)), prefer=prefer, tz=tz)
    return None if parsed is None else parsed.date()


_PART_OF_DAY = {"morning": time(9), "afternoon": time(15), "evening": time(18), "night": time(20)}
_WEEKDAY_PHRASE = re.compile(
    rf"^(?:(next|this|coming|last)\s+)?({_alt(_WEEKDAYS)})"
    r"(?:\s+(morning|afternoon|evening|night))?"
    r"(?:\s+(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?)?$"
)
_CLOCK_TIME = re.compile(
    r"(?<![\w/:.])(\d{1,2}):(\d{2})(?![\w/:])|(?<![\w/:.])(\d{1,2})\s*([ap])\.?m\.?(?!\w)"
)


def _impossible_time(text: str) -> bool:
    """ "25:00", "13pm", "9:75": a time that does not exist is asked about, not guessed."""
    for m in _CLOCK_TIME.finditer(text):
        if m.group(1) is not None:
            if int(m.group(1)) > 23 or int(m.group(2)) > 59:
                return True
        elif not 1 <= int(m.group(3)) <= 12:
            return True
    return False


def _weekday_date(
    m: re.Match[str], today: date, *, planning: bool
) -> tuple[date, time | None] | DateProblem:
    """ "thurs", "next fri 3pm", "mon am", "sun night": a named day, read by hand.

    Said on a Thursday, "thurs" means next week's Thursday when planning and last week's
    when reporting; "next fri" said in the same week as that Friday means the one after.
    """
    which, name, part, hour_s, minute_s, meridiem = m.groups()
    weekday = _WEEKDAYS[name]
    if planning and which != "last":
        ahead = (weekday - today.weekday()) % 7 or 7
        day = today + timedelta(days=ahead)
        if which == "next" and day.isocalendar()[1] == today.isocalendar()[1]:
            day += timedelta(days=7)
    else:
        back = (today.weekday() - weekday) % 7 or 7
        day = today - timedelta(days=back)
    clock: time | None = _PART_OF_DAY.get(part or "") if planning else None
    if hour_s is not None:
        hour, minute = int(hour_s), int(minute_s or 0)
        if meridiem == "pm" and hour < 12:
            hour += 12
        elif meridiem == "am" and hour == 12:
            hour = 0
        elif meridiem is None and minute_s is None and 1 <= hour <= 7:
            hour += 12  # "fri 3": afternoon in working hours
        if hour > 23 or minute > 59:
            return DateProblem.IMPOSSIBLE
        clock = time(hour, minute)
    return day, clock


# "in 3 months", "in a month", "next month": the same day that many months on (dateparser
# reads them as the 1st of the month).
_MONTHS_AHEAD = re.compile(r"^(?:in\s+(a|an|one|\d{1,2})\s+months?|next\s+month)$")


def _add_months(day: date, count: int) -> date:
    month_index = day.year * 12 + day.month - 1 + count
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _end_of_month(today: date) -> date:
    return date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])


def _resolve(phrase: str, *, now: datetime, tz: ZoneInfo, planning: bool) -> datetime | DateProblem:
    base = _local_base(now, tz)
    text = _translate(phrase, planning=planning)
    text = re.sub(r"^(?:on|by|for|the|at the|on the)\s+", "", text)
    if _impossible_time(text):
        return DateProblem.IMPOSSIBLE
    # "am"/"pm" standing alone ("mon am") name a part of the day, not a clock time.
    text = re.sub(r"(?<![\d\s])\s+am(?!\w)", " morning", text)
    text = re.sub(r"(?<![\d\s])\s+pm(?!\w)", " afternoon", text)
    if re.search(r"(?<!\w)(?:end of (?:the )?month|eom)(?!\w)", text):
        clock = DEFAULT_TIME if planning else base.time().replace(microsecond=0)
        return _at_local(_end_of_month(base.date()), clock, tz)
    months = _MONTHS_AHEAD.match(text)
    if months is not None:
        count = 1 if months.group(1) in {None, "a", "an", "one"} else int(months.group(1))
        day = _add_months(base.date(), count if planning else -count)
        clock = DEFAULT_TIME if planning else base.time().replace(microsecond=0)
        return _at_local(day, clock, tz)
    weekday = _WEEKDAY_PHRASE.match(text)
    if weekday is not None:
        read = _weekday_date(weekday, base.date(), planning=planning)
        if isinstance(read, DateProblem):
            return read
        day, clock_read = read
        if clock_read is None:
            clock_read = DEFAULT_TIME if planning else base.time().replace(microsecond=0)
        return _at_local(day, clock_read, tz)
    pinned = _pin_explicit_dates(text, base.date(), planning=planning)
    if isinstance(pinned, DateProblem):
        return pinned
    text = " ".join(pinned.split())
    if not _ANCHOR_RE.search(text) and not _TIME_RE.search(text):
        return DateProblem.UNCLEAR
    has_time = _TIME_RE.search(text) is not None
    if planning and has_time and _DATE_ANCHOR_RE.search(text) is None:
        # A bare time ("FU 08:00") is today; if that has passed, ask rather than assume
        # tomorrow.
        text = f"today {text}"
    prefer = "future" if planning else "past"
    if not has_time and _names_a_day_only(text):
        # Only the day is used below, and for such a phrase it depends on the date alone.
        read_day = _dateparse_day(text, base.date(), prefer, tz)
        if read_day is None:
            return DateProblem.UNCLEAR
        clock = DEFAULT_TIME if planning else base.time().replace(microsecond=0)
        return _at_local(read_day, clock, tz)
    parsed = _dateparse(text, base, prefer=prefer, tz=tz)
    if parsed is None:
        return DateProblem.UNCLEAR
    if not has_time:
        # A follow-up date means 09:00; a contact "on Monday" keeps the time of day of now,
        # as dateparser does for "yesterday", rather than inventing midnight.
        clock = DEFAULT_TIME if planning else base.time().replace(microsecond=0)
        return _at_local(parsed.date(), clock, tz)
    return _at_local(parsed.date(), parsed.time().replace(microsecond=0), tz)


def parse_follow_up_phrase(text: str, *, now: datetime, tz: ZoneInfo) -> datetime | DateProblem:
    """A typed follow-up date ("friday", "3/4", "tomorrow 2pm", "৩ দিন পরে") as aware UTC.

    A date without a time is 09:00 local. A date-only follow-up for today is accepted even
    after 09:00 (it is simply due now); one with a time that has passed is PAST.
    """
    try:
        result = _resolve(text, now=now, tz=tz, planning=True)
    except Exception:  # the guided flow shows a question rather than an error
        return DateProblem.UNCLEAR
    if isinstance(result, DateProblem):
        return result
    local_today = now.astimezone(tz).date()
    has_time = _TIME_RE.search(_translate(text, planning=True)) is not None
    if has_time and result < now:
        return DateProblem.PAST
    if result.astimezone(tz).date() < local_today:
        return DateProblem.PAST
    if result - now > MAX_FOLLOW_UP_AHEAD:
        return DateProblem.TOO_FAR
    return result


# ---------------------------------------------------------------------------------------
# Extraction.


def _mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Blank out spans, keeping every other character where it was."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _find_setting(text: str) -> Setting | None:
    """Where the contact was: the earliest place in a clause with a contact verb ("assaulted
    in the park, seen in ED" is a hospital contact), else the earliest place at all:
    navigators lead with where they saw the client ("ED, assault, texted mum later")."""
    lexicon = _lexicon()
    for clause in _clauses(text):
        if lexicon.contact_verbs.search(clause) is not None:
            found = _earliest_setting(clause)
            if found is not None:
                return found
    return _earliest_setting(text)


def _earliest_setting(text: str) -> Setting | None:
    best: tuple[int, Setting] | None = None
    for setting, pattern in _lexicon().settings:
        m = pattern.search(text)
        if m is not None and (best is None or m.start() < best[0]):
            best = (m.start(), setting)
    return best[1] if best else None


def _find_outcome(text: str) -> Outcome:
    """ "Attempted" beats "declined" beats the default: a message saying both "no answer" and
    "refused" is usually about an earlier refusal, and today nobody picked up."""
    lexicon = _lexicon()
    if lexicon.attempted.search(text):
        return Outcome.ATTEMPTED
    if lexicon.declined.search(text):
        return Outcome.DECLINED
    return Outcome.MADE


def _clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE_SPLIT.split(text) if c and c.strip()]


def _status_matches(clause: str) -> list[tuple[int, int, ServiceStatus]]:
    """Status words of a clause that stand: not inside a longer status phrase ("going to" in
    "stopped going to"), not cancelled by a word before ("not referred", "refused referral",
    "will refer") or after ("refer korbo", "রেফার করব")."""
    lexicon = _lexicon()
    found = [
        (m.start(), m.end(), status)
        for status, pattern in lexicon.statuses
        for m in pattern.finditer(clause)
    ]
    kept = []
    for start, end, status in found:
        if any((s <= start and end <= e) and (e - s) > (end - start) for s, e, _ in found):
            continue
        if lexicon.status_blocker.search(clause[:start]):
            continue
        if lexicon.status_blocker_after.match(clause[end:]):
            continue
        kept.append((start, end, status))
    return kept


def _find_services(text: str) -> tuple[ServiceUpdate, ...]:
    """Per service, the status word nearest its mention in the same clause; later wins.

    A bare mention ("needs housing") is not a status change and is left out: the card lets
    the navigator add it with a tap, whereas a wrong "referred" would skew engagement stats.
    Drugs carried or sold are blanked first: they are a risk, not a service.
    """
    lexicon = _lexicon()
    text = _mask(text, (m.span() for m in lexicon.not_service.finditer(text)))
    latest: dict[Service, ServiceStatus] = {}
    for clause in _clauses(text):
        statuses = _status_matches(clause)
        if not statuses:
            continue
        mentions = sorted(
            (m.start(), m.end(), service)
            for service, pattern in lexicon.services
            for m in pattern.finditer(clause)
        )
        for start, end, service in mentions:
            best: tuple[int, int, ServiceStatus] | None = None
            for s_start, s_end, status in statuses:
                if start <= s_start and s_end <= end and (s_start, s_end) != (start, end):
                    continue  # the status word is inside the service name ("Reset" vs "set")
                distance = start - s_end if s_end <= start else s_start - end
                # Ties go to the word before the service ("referred to X" beats a later verb).
                rank = (distance, 0 if s_end <= start else 1)
                if distance <= _STATUS_REACH and (best is None or rank < best[:2]):
                    best = (rank[0], rank[1], status)
            if best is not None:
                latest[service] = best[2]
    return tuple(
        ServiceUpdate(service, status)
        for service, status in sorted(latest.items(), key=lambda kv: kv[0].value)
    )


def _negated(clause: str, start: int, end: int) -> bool:
    """ "no knife", "denies SI", "ছুরি নাই", "suri nai"; but not "OD করছে কি না জানি না"
    ("whether he overdosed, don't know"): uncertainty keeps a risk, for safeguarding."""
    lexicon = _lexicon()
    if lexicon.negation_before.search(clause[:start]):
        return True
    after = clause[end:]
    after = _mask(after, (m.span() for m in lexicon.not_negation.finditer(after)))
    return lexicon.negation_after.match(after) is not None


def _find_risks(text: str) -> tuple[tuple[Risk, ...], list[tuple[int, int]]]:
    """The risks, and where the suicidal words are (so "doesn't want to be here" is not
    read as a refusal). A risk only implied ("stab wound" → weapon) is dropped when the
    message denies it in so many words ("no further weapon concerns")."""
    lexicon = _lexicon()
    found: set[Risk] = set()
    implied: set[Risk] = set()
    denied: set[Risk] = set()
    suicidal_spans: list[tuple[int, int]] = []
    offset = 0
    for clause in _clauses(text):
        offset = text.find(clause, offset)
        for risk, pattern in lexicon.risks:
            for m in pattern.finditer(clause):
                if _negated(clause, m.start(), m.end()):
                    denied.add(risk)
                else:
                    found.add(risk)
                    if risk is Risk.SUICIDAL:
                        suicidal_spans.append((offset + m.start(), offset + m.end()))
        for risk, pattern in lexicon.implied:
            if risk in found:
                continue
            for m in pattern.finditer(clause):
                if not _negated(clause, m.start(), m.end()):
                    implied.add(risk)
                    break
        offset += len(clause)
    found |= implied - denied
    return tuple(sorted(found, key=lambda r: r.value)), suicidal_spans


_FUTURE_ANCHOR = re.compile(r"(?<!\w)(?:tomorrow|tonight|next|coming|in \d+|later)(?!\w)")


def _follow_up_phrases(text: str) -> list[tuple[str, int, int]]:
    """Every follow-up phrase: the date words attached to a trigger, and the span to hide
    from "when".

    English puts the date after the trigger ("follow up friday"), Bengali before it
    ("শুক্রবার ফলো আপ", "kail fon dimu"); the words after are tried first. A weak trigger
    ("HV", "court") makes a follow-up only with a date that can only be ahead ("HV tmrw")
    or a future verb in its clause: "HV mon" is the visit on Monday that was.
    """
    lexicon = _lexicon()
    found: list[tuple[str, int, int]] = []
    taken: list[tuple[int, int]] = []
    triggers = [(m, True) for m in lexicon.trigger.finditer(text)]
    triggers += [(m, False) for m in lexicon.weak_trigger.finditer(text)]
    for m, strong in triggers:
        if any(s <= m.start() < e for s, e in taken):
            continue
        clause_start = max((c.end() for c in _CLAUSE_SPLIT.finditer(text, 0, m.start())), default=0)
        after = _CLAUSE_SPLIT.search(text, m.end())
        clause_end = after.start() if after else len(text)
        segments = [
            (text[m.end() : clause_end], m.end(), False),
            (text[clause_start : m.start()], clause_start, True),
        ]
        for segment, seg_start, from_end in segments:
            if not segment.strip():
                continue
            phrase = _date_run(segment, from_end=from_end)
            if phrase and not from_end and (before_run := _date_run(segments[1][0], from_end=True)):
                # "১০টায় ফোন করব কাল": a time before the verb, the day after it.
                phrase = f"{before_run} {phrase}"
                seg_start = clause_start
            if not phrase and strong:
                # "FU after court on the 9th", "kalke CGL e nia jaimu": the date need not
                # touch the trigger, as long as it clearly names a day or a time.
                phrase = _date_run_anywhere(segment)
            if not phrase:
                continue
            if not strong and not (
                _FUTURE_ANCHOR.search(phrase)
                or lexicon.future.search(text[clause_start:clause_end])
            ):
                continue
            span = (min(seg_start, m.start()), max(clause_end, m.end()))
            if _TIME_RE.search(phrase) is None and after is not None:
                # "মঙ্গলবার ফলো আপ, সকাল ১১টায়": the time may follow in the next clause.
                following = _CLAUSE_SPLIT.search(text, after.end())
                next_end = following.start() if following else len(text)
                clock = _translate(text[after.end() : next_end], planning=True)
                if _CLOCK_ONLY.fullmatch(clock):
                    phrase = f"{phrase} {clock}"
                    span = (span[0], next_end)
            found.append((phrase, *span))
            taken.append(span)
            break
    found.sort(key=lambda item: item[1])
    return found


_LONG_NUMBER = re.compile(r"\d{5,}").fullmatch
_CLEAR_DATE = re.compile(
    rf"{_DATE_ANCHOR_RE.pattern}|\d{{1,2}}[/.-]\d{{1,2}}|\d{{1,2}}(?:st|nd|rd|th)(?!\w)"
    r"|\d{1,2}:\d{2}|\d\s*(?:am|pm)(?!\w)|(?<!\w)eom(?!\w)"
)


_CLOCK_ONLY = re.compile(
    r"(?:at\s+)?(?:\d{1,2}:\d{2}(?:\s*[ap]m)?|\d{1,2}\s*[ap]m|morning\s+\d{1,2}:\d{2})"
)


def _date_run_anywhere(segment: str) -> str:
    """The first run of date words anywhere in a segment that clearly names a day or time
    (a lone number does not: "rang 3x")."""
    translated = _translate(segment, planning=True)
    tokens = _PHRASE_TOKEN.findall(translated)
    run: list[str] = []
    for token in [*tokens, ""]:
        if token and (token in _DATE_WORDS or (token[0].isdigit() and not _LONG_NUMBER(token))):
            run.append(token)
            continue
        while run and run[-1] in {"in", "on", "at", "by", "the", "of", "a", "an", "next", "this"}:
            run.pop()
        while run and run[0] in {"of", "the", "at", "by", "after", "before", "on"}:
            run.pop(0)
        phrase = " ".join(run)
        if phrase and _CLEAR_DATE.search(phrase):
            return phrase
        run = []
    return ""


def _date_run(segment: str, *, from_end: bool) -> str:
    """The longest run of date words at the start (or end) of a segment, if it has an anchor."""
    translated = _translate(segment, planning=True)
    tokens = _PHRASE_TOKEN.findall(translated)
    if from_end:
        tokens.reverse()
    run: list[str] = []
    skipped = 0
    for token in tokens:
        # A long number is a phone number or a reference, not part of a date.
        is_date = token in _DATE_WORDS or (token[0].isdigit() and not _LONG_NUMBER(token))
        if is_date:
            run.append(token)
        elif not run and token in _FILLER and skipped < 3:
            skipped += 1
        else:
            break
    if from_end:
        run.reverse()
    while run and run[-1] in {"in", "on", "at", "by", "the", "of", "a", "an", "next", "this"}:
        run.pop()
    while run and run[0] in {"of", "the", "at", "by", "after", "before"}:
        run.pop(0)
    phrase = " ".join(run)
    return phrase if _ANCHOR_RE.search(phrase) else ""


_EVENT_BETWEEN = re.compile(r"(?<!\w)(?:after|following|post|since|because of|due to)(?!\w)")


def _occurred(text: str, *, now: datetime, tz: ZoneInfo) -> tuple[datetime, DateProblem | None]:
    """When the contact happened: a time phrase in a clause about the contact ("HV mon",
    "seen yesterday in ED", "spoke last night"). A time phrase about something else ("took
    pills last night", "police raided flat yesterday") is not the contact's time."""
    contact = _lexicon().contact
    for clause in _clauses(text):
        if contact.search(clause) is None:
            continue
        translated = _translate(clause, planning=False)
        m = _WHEN_RE.search(translated)
        if m is None:
            continue
        verb = _lexicon().contact_verbs.search(translated, 0, m.start())
        if verb is not None and _EVENT_BETWEEN.search(translated, verb.end(), m.start()):
            # "seen in ED following assault last night": the time is the assault's.
            continue
        phrase = m.group(0)
        if phrase in {"today", "earlier today", "tonight"}:
            return now, None
        if phrase.lower().startswith("at "):
            phrase = "today " + phrase
        result = _resolve(phrase, now=now, tz=tz, planning=False)
        if isinstance(result, DateProblem):
            return now, result
        if result > now + OCCURRED_GRACE:
            # A contact cannot have happened in the future; ask rather than store a guess.
            return now, DateProblem.UNCLEAR
        return result, None
    return now, None


def parse_contact(
    text: str,
    *,
    now: datetime,
    tz: ZoneInfo,
    default_follow_up_days: int = DEFAULT_FOLLOW_UP_DAYS,
    contact_languages: Collection[str] = DEFAULT_CONTACT_LANGUAGES,
) -> Draft:
    """A draft log from a navigator's free text. Never raises on any text; unknown fields
    stay empty. (A broken vocabulary file raises VocabularyError, at start-up.)"""
    _lexicon()  # outside the guard below: a broken vocabulary must stop the bot, loudly
    if now.tzinfo is None:  # a caller bug, but a draft must still come back: read it as UTC
        now = now.replace(tzinfo=UTC)
    now = now.astimezone(UTC)
    raw = text
    try:
        note = truncate_note(redact(raw))
    except Exception:  # redaction must not fail open: store nothing rather than the raw text
        note = ""
    scan = clean_text(raw[:_SCAN_CHARS])
    # Codes are blanked before looking for keywords: RLH-042 is not the Royal London.
    for start, end in reversed(code_spans(scan)):
        scan = scan[:start] + " " * (end - start) + scan[end:]
    try:
        codes = tuple(find_client_codes(raw))
    except Exception:
        codes = ()
    try:
        return _parse_fields(
            scan,
            codes,
            note,
            now=now,
            tz=tz,
            days=default_follow_up_days,
            languages=contact_languages,
        )
    except Exception:
        # A bug in one extractor must not lose the navigator's message: return a minimal
        # draft that the card shows for manual completion.
        return Draft(
            client_codes=codes,
            setting=None,
            outcome=Outcome.MADE,
            services=(),
            risks=(),
            follow_up_kind=FollowUpKind.DEFAULT,
            follow_up_at=_default_follow_up(now, tz, default_follow_up_days),
            follow_up_problem=None,
            occurred_at=now,
            occurred_problem=None,
            language="unknown",
            note=note,
        )


def _default_follow_up(now: datetime, tz: ZoneInfo, days: int) -> datetime:
    return default_follow_up(now, tz, days)


def _parse_fields(
    text: str,
    codes: tuple[str, ...],
    note: str,
    *,
    now: datetime,
    tz: ZoneInfo,
    days: int,
    languages: Collection[str] = DEFAULT_CONTACT_LANGUAGES,
) -> Draft:
    lexicon = _lexicon()
    questions: list[str] = []
    follow_kind = FollowUpKind.DEFAULT
    follow_at: datetime | None = None
    follow_problem: DateProblem | None = None
    rest = text
    phrases = _follow_up_phrases(text)
    if lexicon.no_follow_up.search(text):
        follow_kind = FollowUpKind.NONE
        for _, start, end in reversed(phrases):
            rest = rest[:start] + " , " + rest[end:]
    elif phrases:
        follow_kind = FollowUpKind.STATED
        readings: list[datetime | DateProblem] = []
        for phrase, start, end in reversed(phrases):
            readings.insert(0, parse_follow_up_phrase(phrase, now=now, tz=tz))
            rest = rest[:start] + " , " + rest[end:]
        # A phrase that reads as no date at all yields to one that does ("call 0207...,
        # FU friday"); a date that does not exist or has passed is still asked about.
        readable: list[datetime | DateProblem] = [
            r for r in readings if r is not DateProblem.UNCLEAR
        ]
        readings = readable or readings
        first = readings[0]
        if isinstance(first, DateProblem):
            follow_problem = first
        elif any(isinstance(r, datetime) and r != first for r in readings[1:]):
            # Two follow-up dates in one message: ask which, rather than pick one.
            follow_problem = DateProblem.UNCLEAR
        else:
            follow_at = first
    if follow_kind is FollowUpKind.DEFAULT:
        follow_at = _default_follow_up(now, tz, days)
    if follow_problem is not None:
        questions.append("follow_up")

    occurred_at, occurred_problem = _occurred(rest, now=now, tz=tz)
    if occurred_problem is not None:
        questions.append("occurred_at")
    if len(codes) > 1:
        questions.append("client")  # two clients in one log: which one is it about?
    risks, suicidal_spans = _find_risks(text)
    stated_language = explicit_language(text)
    return Draft(
        client_codes=codes,
        # "will ring", "going to visit": a planned contact says nothing of this one's setting.
        setting=_find_setting(
            _mask(rest, (m.span() for m in lexicon.future_phrase.finditer(rest)))
        ),
        outcome=_find_outcome(
            _mask(text, [*suicidal_spans, *(m.span() for m in lexicon.no_follow_up.finditer(text))])
        ),
        services=_find_services(text),
        risks=risks,
        follow_up_kind=follow_kind,
        follow_up_at=follow_at,
        follow_up_problem=follow_problem,
        occurred_at=occurred_at,
        occurred_problem=occurred_problem,
        language=detect_contact_language(note, explicit=stated_language, languages=languages),
        note=note,
        questions=tuple(questions),
    )
