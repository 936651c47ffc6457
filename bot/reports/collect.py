"""Supervisor reports: reading the command arguments (who may see which team is
`bot.core.access.decide_scope`), and gathering
the figures from storage into the shapes ``bot/reports/figures.py`` renders.

Handlers call these; they hold no SQL themselves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts.saving import hours_of
from bot.core.access import TEAM_ALL, normalise_team
from bot.core.domain import AuditAction, Service, StaffMember
from bot.core.reminder_policy import working_days_overdue
from bot.core.working_hours import DEFAULT, WorkingHours, local_to_utc
from bot.reports.figures import OverdueItem, Rate, StatsFigures
from bot.reports.periods import (
    Period,
    PeriodError,
    PeriodErrorReason,
    PeriodQuery,
    parse_period,
    weekly_buckets,
)
from storage.audit import create_audit_entry
from storage.stats import (
    count_clients_and_engagement,
    count_contacts,
    count_contacts_per_bucket,
    count_engagement,
    count_followups_due,
    count_overdue_followups,
    count_safeguarding_alerts,
    list_navigator_figures,
    list_overdue_followups,
)

DEFAULT_CHART_WEEKS = 12
MAX_CHART_WEEKS = 52
CHART_SERVICES = (Service.DRUG_TREATMENT, Service.ETE)


# Arguments --------------------------------------------------------------------------------
@dataclass(frozen=True)
class StatsRequest:
    query: PeriodQuery
    team: str | None  # as typed (normalised), None when not named


def _is_team_word(word: str, known_teams: Collection[str]) -> bool:
    return word == TEAM_ALL or word in known_teams


def parse_stats_args(
    args: Sequence[str], *, now: datetime, tz: ZoneInfo, known_teams: Collection[str]
) -> StatsRequest:
    """``[period] [team]``: the last word is the team when it names one (or ``all``), or when
    it follows a period and the whole does not read as one ("month hospitl": an unknown team);
    otherwise everything is the period.
    Raises :class:`PeriodError`."""
    words = [word for word in args if word.strip()]
    if words:
        last = words[-1].strip().lower()
        if _is_team_word(last, known_teams):
            return StatsRequest(parse_period(" ".join(words[:-1]).lower(), now=now, tz=tz), last)
    try:
        return StatsRequest(parse_period(" ".join(words).lower(), now=now, tz=tz), None)
    except PeriodError as whole_error:
        team = normalise_team(words[-1]) if len(words) >= 2 else None
        if team is None or whole_error.reason is not PeriodErrorReason.UNKNOWN:
            raise  # one unknown word is a bad period, not a team
        try:  # "month hospitl": a period and a team nobody is in
            query = parse_period(" ".join(words[:-1]).lower(), now=now, tz=tz)
        except PeriodError:
            raise whole_error from None
        return StatsRequest(query, team)


@dataclass(frozen=True)
class ChartRequest:
    weeks: int
    team: str | None


class ChartArgsError(ValueError):
    pass


def parse_chart_args(args: Sequence[str]) -> ChartRequest:
    """``[weeks] [team]`` in either order; weeks 1–52 (default 12)."""
    weeks = DEFAULT_CHART_WEEKS
    team: str | None = None
    for word in args:
        if word.isdigit():
            weeks = int(word)
            if not 1 <= weeks <= MAX_CHART_WEEKS:
                raise ChartArgsError(word)
        elif team is None:
            team = word.strip().lower()
        else:
            raise ChartArgsError(word)
    return ChartRequest(weeks, team)


def chronological(query: PeriodQuery) -> tuple[Period, Period | None]:
    """(later, earlier) of a comparison, whichever order it was typed in, so the change always
    runs forward in time: "Q1 vs Q2" and "Q2 vs Q1" both read 58% → 73%, +15 pp."""
    if query.previous is not None and query.previous.start > query.current.start:
        return query.previous, query.current
    return query.current, query.previous


# Figures ----------------------------------------------------------------------------------
def start_of_today(now: datetime, tz: ZoneInfo) -> datetime:
    """Local midnight at the start of ``now``'s day, as UTC: a follow-up due before it has
    passed its due day, so it is overdue."""
    return local_to_utc(now.astimezone(tz).date(), time(0), tz)


async def collect_stats(
    session: AsyncSession, *, period: Period, team: str | None, now: datetime, tz: ZoneInfo
) -> StatsFigures:
    contacts = await count_contacts(session, start=period.start, end=period.end, team=team)
    followups = await count_followups_due(
        session, start=period.start, end=period.end, now=now, team=team
    )
    today = start_of_today(now, tz)
    clients, engagement = await count_clients_and_engagement(
        session, start=period.start, end=period.end, team=team, contacts=contacts.total
    )
    return StatsFigures(
        period=period,
        team=team,
        contacts_by_outcome=contacts.by_outcome(),
        contacts_by_setting=contacts.by_setting(),
        contacts_by_language=contacts.by_language(),
        unique_clients=clients.unique,
        new_clients=clients.new,
        followups_on_time=Rate(followups.on_time, followups.due),
        overdue_now=await count_overdue_followups(session, before=today, team=team),
        engagement={
            service: Rate(count.engaged, count.eligible)
            for service in Service
            if (count := engagement.get(service.value)) is not None
        },
        safeguarding_alerts=await count_safeguarding_alerts(
            session, start=period.start, end=period.end, team=team
        ),
        navigators=await list_navigator_figures(
            session, start=period.start, end=period.end, overdue_before=today, team=team
        ),
    )


async def collect_stats_comparison(
    session_factory: async_sessionmaker[AsyncSession],
    *,
    later: Period,
    earlier: Period | None,
    team: str | None,
    now: datetime,
    tz: ZoneInfo,
) -> tuple[StatsFigures, StatsFigures | None]:
    """The figures of ``later`` and, for a comparison, of ``earlier`` (see
    :func:`chronological`), each read in a session of its own from ``session_factory`` (the
    snapshot sessions reports read in).

    The two periods are read at the same time, on two connections: their queries share
    nothing, and each period's clients-and-engagement statement is most of a comparison's
    time (on SQLite, one connection runs one statement at a time, on one core). Each period's
    figures agree among themselves (one snapshot each); the two snapshots are taken at the
    same moment, so they differ only by a write committed in between, as they would if the
    periods had been asked for one after the other."""

    async def figures(period: Period) -> StatsFigures:
        async with session_factory() as session:
            return await collect_stats(session, period=period, team=team, now=now, tz=tz)

    if earlier is None:
        return await figures(later), None
    async with asyncio.TaskGroup() as group:  # one failing cancels the other
        current = group.create_task(figures(later))
        previous = group.create_task(figures(earlier))
    return current.result(), previous.result()


async def collect_overdue(
    session: AsyncSession,
    *,
    team: str | None,
    now: datetime,
    tz: ZoneInfo,
    default_hours: WorkingHours = DEFAULT,
) -> list[OverdueItem]:
    rows = await list_overdue_followups(session, before=start_of_today(now, tz), team=team)
    return [
        OverdueItem(
            navigator_id=row.staff_id,
            navigator=row.display_name,
            client_code=row.client_code,
            due_at=row.due_at,
            working_days_overdue=working_days_overdue(
                row.due_at, now, hours_of(row.working_hours, default_hours), tz
            ),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class WeeklySeries:
    weeks: tuple[Period, ...]
    contacts: tuple[int, ...]
    engagement: dict[Service, tuple[Rate, ...]]
    team: str | None


async def collect_weekly_series(
    session: AsyncSession, *, weeks: int, team: str | None, now: datetime, tz: ZoneInfo
) -> WeeklySeries:
    buckets = weekly_buckets(weeks, now=now, tz=tz)
    bounds = [bucket.start for bucket in buckets] + [buckets[-1].end]
    contacts = await count_contacts_per_bucket(session, bounds=bounds, team=team)
    rates: dict[Service, list[Rate]] = {service: [] for service in CHART_SERVICES}
    for bucket in buckets:
        counts = await count_engagement(
            session,
            start=bucket.start,
            end=bucket.end,
            team=team,
            services=[service.value for service in CHART_SERVICES],
        )
        for service in CHART_SERVICES:
            count = counts.get(service.value)
            rates[service].append(
                Rate(count.engaged, count.eligible) if count is not None else Rate(0, 0)
            )
    return WeeklySeries(
        weeks=tuple(buckets),
        contacts=tuple(contacts),
        engagement={service: tuple(values) for service, values in rates.items()},
        team=team,
    )


# Audit ------------------------------------------------------------------------------------
async def audit_report(
    session: AsyncSession,
    *,
    staff: StaffMember,
    action: AuditAction,
    kind: str,
    label: str,
    team: str | None,
    now: datetime,
) -> None:
    """One audit row per stats view or export. ``detail`` holds only our own canonical
    values (report kind, period label, team), never anything typed."""
    await create_audit_entry(
        session,
        action=action,
        actor=staff,
        detail=f"{kind} {label} team={team or TEAM_ALL}"[:128],
        at=now,
    )
