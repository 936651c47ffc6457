"""SQL aggregates behind /stats, /overdue, /chart, /export and the weekly digest.

Every figure is computed by the database (GROUP BY, COUNT DISTINCT, EXISTS, correlated
index look-ups); Python only receives a handful of grouped rows. The same statements run on
SQLite and PostgreSQL, except the contacts breakdown (see :func:`count_contacts`). What each
figure *means* is written down in ``bot/reports/figures.py`` and the README; this module only
counts.

Team scope (``team=None`` means every team):

* contacts, cohorts and engagement follow ``contacts.team`` — the logging staff member's team
  when the contact was logged — so a client who moved team counts for each team that had
  contact with them in the period, with all of their service events whoever logged them;
* follow-ups, caseloads and overdue lists follow the navigator's current team;
* safeguarding alerts follow ``safeguarding_alerts.team``.

Times are aware UTC instants; periods are half-open ``[start, end)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    CTE,
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    case,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from storage.models import Client, Contact, FollowUp, SafeguardingAlert, ServiceEvent, Staff

# String values of bot.core.domain enums (storage never imports bot).
COHORT_OUTCOMES = ("made", "attempted")
ELIGIBLE_STATUSES = ("referred", "engaged")
ENGAGED = "engaged"
DISENGAGED = "disengaged"
OPEN = "open"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class ContactBreakdown:
    """Contacts in the period grouped by outcome, setting and language at once (one scan)."""

    rows: tuple[tuple[str, str | None, str, int], ...]  # (outcome, setting, language, count)

    def by_outcome(self) -> dict[str, int]:
        return _sum_by(self.rows, lambda row: row[0])

    def by_setting(self) -> dict[str | None, int]:
        return _sum_by(self.rows, lambda row: row[1])

    def by_language(self) -> dict[str, int]:
        return _sum_by(self.rows, lambda row: row[2])

    @property
    def total(self) -> int:
        return sum(row[3] for row in self.rows)


_Row = tuple[str, str | None, str, int]
_K = TypeVar("_K")


def _sum_by(rows: Sequence[_Row], key: Callable[[_Row], _K]) -> dict[_K, int]:
    totals: dict[_K, int] = {}
    for row in rows:  # a few dozen grouped rows, not contacts
        totals[key(row)] = totals.get(key(row), 0) + row[3]
    return totals


@dataclass(frozen=True)
class ClientCounts:
    unique: int  # different clients with any contact in the period
    new: int  # of those, clients with no contact (by any team) before the period


@dataclass(frozen=True)
class EngagementCount:
    service: str
    eligible: int
    engaged: int


@dataclass(frozen=True)
class FollowUpCounts:
    due: int  # not cancelled, due in the period and before `now`
    on_time: int  # of those, completed before they became overdue


@dataclass(frozen=True)
class NavigatorFigures:
    staff_id: int
    display_name: str | None
    contacts: int
    open_caseload: int
    overdue: int


@dataclass(frozen=True)
class OverdueFollowUp:
    followup_id: int
    staff_id: int
    display_name: str | None
    working_hours: str | None
    client_code: str
    due_at: datetime


@dataclass(frozen=True)
class ContactExportRow:
    occurred_at: datetime
    client_code: str
    navigator: str | None
    team: str
    setting: str | None
    outcome: str
    language: str


@dataclass(frozen=True)
class FollowUpExportRow:
    client_code: str
    navigator: str | None
    due_at: datetime
    status: str
    completed_at: datetime | None
    completed_on_time: bool | None


def _in_period(
    column: ColumnElement[datetime] | InstrumentedAttribute[datetime],
    start: datetime,
    end: datetime,
) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def _contact_scope(start: datetime, end: datetime, team: str | None) -> ColumnElement[bool]:
    condition = _in_period(Contact.occurred_at, start, end)
    if team is not None:
        condition = and_(Contact.team == team, condition)
    return condition


def contact_breakdown_statement(
    *, start: datetime, end: datetime, team: str | None
) -> Select[tuple[str, str | None, str, int]]:
    """(outcome, setting, language, count) of the period's contacts, without sorting them.

    A GROUP BY over the period's contacts makes SQLite sort every one of them (about 170,000
    for a team's quarter), the most expensive step of ``/stats``. Only a few hundred
    (outcome, setting, language) combinations exist, though, and ``ix_contacts_breakdown``
    (team, outcome, setting, language, occurred_at) keeps each one's contacts in time order.
    So the combinations are listed by walking that index with one ``min()`` look-up per value
    (recursive CTEs, level by level: team, outcome, setting, language), and each one is
    counted as a single index range of ``occurred_at``. Everything is read from the index,
    and the work grows with the combinations and the period, not with the team's history.

    ``min()`` skips NULLs, so each outcome's walk over settings ends with one NULL row; that
    row stands for "no setting" and is matched with ``IS NULL`` (``IS NOT DISTINCT FROM``
    would keep PostgreSQL off the index). Combinations with no contact in the period are
    left out, as the GROUP BY would."""
    c = Contact

    def lowest(column: InstrumentedAttribute[Any], *where: ColumnElement[bool]) -> Any:
        return select(func.min(column)).where(*where).scalar_subquery()

    if team is None:
        teams = select(func.min(c.team).label("t")).cte("teams", recursive=True)
        teams = teams.union_all(
            select(lowest(c.team, c.team > teams.c.t)).where(teams.c.t.is_not(None))
        )
        first_outcomes = select(teams.c.t, lowest(c.outcome, c.team == teams.c.t).label("o"))
        first_outcomes = first_outcomes.where(teams.c.t.is_not(None))
    else:
        first_outcomes = select(
            literal(team, c.team.type).label("t"), lowest(c.outcome, c.team == team).label("o")
        )
    outcomes = first_outcomes.cte("outcomes", recursive=True)
    outcomes = outcomes.union_all(
        select(
            outcomes.c.t,
            lowest(c.outcome, c.team == outcomes.c.t, c.outcome > outcomes.c.o),
        ).where(outcomes.c.o.is_not(None))
    )
    settings = (
        select(
            outcomes.c.t,
            outcomes.c.o,
            lowest(c.setting, c.team == outcomes.c.t, c.outcome == outcomes.c.o).label("s"),
        )
        .where(outcomes.c.o.is_not(None))
        .cte("settings", recursive=True)
    )
    settings = settings.union_all(
        select(
            settings.c.t,
            settings.c.o,
            lowest(
                c.setting,
                c.team == settings.c.t,
                c.outcome == settings.c.o,
                c.setting > settings.c.s,
            ),
        ).where(settings.c.s.is_not(None))
    )

    def same_setting(s: ColumnElement[Any], with_setting: bool) -> ColumnElement[bool]:
        return c.setting == s if with_setting else c.setting.is_(None)

    def languages(with_setting: bool) -> CTE:
        seed = select(
            settings.c.t,
            settings.c.o,
            settings.c.s,
            lowest(
                c.language,
                c.team == settings.c.t,
                c.outcome == settings.c.o,
                same_setting(settings.c.s, with_setting),
            ).label("l"),
        ).where(settings.c.s.is_not(None) if with_setting else settings.c.s.is_(None))
        found = seed.cte("languages" if with_setting else "languages_no_setting", recursive=True)
        return found.union_all(
            select(
                found.c.t,
                found.c.o,
                found.c.s,
                lowest(
                    c.language,
                    c.team == found.c.t,
                    c.outcome == found.c.o,
                    same_setting(found.c.s, with_setting),
                    c.language > found.c.l,
                ),
            ).where(found.c.l.is_not(None))
        )

    def counted(with_setting: bool) -> Select[Any]:
        found = languages(with_setting)
        in_range = (
            select(func.count())
            .where(
                c.team == found.c.t,
                c.outcome == found.c.o,
                same_setting(found.c.s, with_setting),
                c.language == found.c.l,
                _in_period(c.occurred_at, start, end),
            )
            .scalar_subquery()
        )
        return select(
            found.c.o, found.c.s if with_setting else null(), found.c.l, in_range.label("n")
        ).where(found.c.l.is_not(None))

    combos = union_all(counted(True), counted(False)).subquery("combos")
    total = func.sum(combos.c.n)
    return (
        select(combos.c.o, combos.c.s, combos.c.l, total)
        .group_by(combos.c.o, combos.c.s, combos.c.l)  # every team's, for "all teams"
        .having(total > 0)
    )


def grouped_breakdown_statement(
    *, start: datetime, end: datetime, team: str | None
) -> Select[tuple[str, str | None, str, int]]:
    """The same rows as :func:`contact_breakdown_statement`, by one GROUP BY."""
    return (
        select(Contact.outcome, Contact.setting, Contact.language, func.count())
        .where(_contact_scope(start, end, team))
        .group_by(Contact.outcome, Contact.setting, Contact.language)
    )


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"


async def count_contacts(
    session: AsyncSession, *, start: datetime, end: datetime, team: str | None
) -> ContactBreakdown:
    # SQLite can only group by sorting, so it walks the index. PostgreSQL groups the
    # period's contacts in a hash table without sorting them, so the walk gains it nothing,
    # and the planner's cost estimate for the walk switches JIT compilation on, which alone
    # took about a second.
    statement = (
        grouped_breakdown_statement
        if _dialect(session) == "postgresql"
        else contact_breakdown_statement
    )
    rows = await session.execute(statement(start=start, end=end, team=team))
    return ContactBreakdown(
        tuple((outcome, setting, language, int(n)) for outcome, setting, language, n in rows)
    )


async def count_clients(
    session: AsyncSession, *, start: datetime, end: datetime, team: str | None
) -> ClientCounts:
    seen = (
        select(Contact.client_id)
        .where(_contact_scope(start, end, team))
        .distinct()
        .subquery("seen")
    )
    earlier = _contact_before(seen.c.client_id, start)
    row = (
        await session.execute(
            select(
                func.count(), func.coalesce(func.sum(case((~earlier, 1), else_=0)), 0)
            ).select_from(seen)
        )
    ).one()
    return ClientCounts(unique=int(row[0]), new=int(row[1]))


def _contact_before(
    client_id: ColumnElement[int] | InstrumentedAttribute[int], start: datetime
) -> ColumnElement[bool]:
    """EXISTS a contact of this client (any team, any outcome) before ``start``."""
    earlier = aliased(Contact)
    return (
        select(literal(1))
        .where(earlier.client_id == client_id, earlier.occurred_at < start)
        .exists()
    )


def _cohort(start: datetime, end: datetime, team: str | None) -> Select[tuple[int]]:
    return (
        select(Contact.client_id)
        .where(_contact_scope(start, end, team), Contact.outcome.in_(COHORT_OUTCOMES))
        .distinct()
    )


def _seen(start: datetime, end: datetime, team: str | None) -> CTE:
    """Each client with a contact in the period, once or twice: with ``in_cohort`` 1 if
    any of those contacts was made or attempted, 0 if any was declined."""
    in_cohort = case((Contact.outcome.in_(COHORT_OUTCOMES), 1), else_=0).label("in_cohort")
    return (
        select(Contact.client_id, in_cohort)
        .where(_contact_scope(start, end, team))
        .distinct()
        .cte("seen")
    )


# The ``kind`` of a client in _seen_by_client: NULL if no contact in the period, else
# SEEN_IN_COHORT (made or attempted) or SEEN (only declined), plus SEEN_NEW if no contact by
# any team before the period.
SEEN, SEEN_IN_COHORT, SEEN_NEW = 0, 1, 2


def _seen_by_client(start: datetime, end: datetime, team: str | None) -> CTE:
    """Every client once, in id order, with its ``kind`` (above): two or three probes per
    client of ``ix_contacts_client_occurred_team`` (client_id, occurred_at, id, team,
    outcome) instead of a pass over the period's contacts (see
    :func:`count_clients_and_engagement`). Read in id order (the table's own order, no
    sort), so the probes and the cohort's service events move forward through their
    indexes; "no earlier contact" is probed right after the client's period probes, on the
    index pages those just read (as a second pass over the seen clients it cost ~10% more)."""

    def contact_in_period(cohort_only: bool) -> ColumnElement[bool]:
        probe = aliased(Contact)
        condition = [probe.client_id == Client.id, _in_period(probe.occurred_at, start, end)]
        if team is not None:
            condition.append(probe.team == team)
        if cohort_only:
            condition.append(probe.outcome.in_(COHORT_OUTCOMES))
        return select(literal(1)).where(*condition).exists()

    def or_new(seen: int) -> ColumnElement[int]:
        return case((_contact_before(Client.id, start), seen), else_=seen + SEEN_NEW)

    kind = case(
        (contact_in_period(True), or_new(SEEN_IN_COHORT)), (contact_in_period(False), or_new(SEEN))
    )
    # The ORDER BY makes SQLite read the table in rowid order rather than the smaller owner
    # index in owner order (probes all over the index: twice the time); a test checks the plan.
    return select(Client.id.label("client_id"), kind.label("kind")).order_by(Client.id).cte("seen")


def engagement_statement(
    *,
    start: datetime,
    end: datetime,
    team: str | None,
    services: Sequence[str] | None = None,
    with_clients: bool = False,
    by_client: bool = False,
) -> Select[tuple[str, int, int]] | CompoundSelect[Any]:
    """One row per service: (service, eligible, engaged) under PRODUCT §5, for every service
    at once (or only ``services``).

    One GROUP BY over the events before ``end`` of the cohort's clients, per client and
    service:

    * cohort: clients with a made or attempted contact in ``[start, end)`` (team scope);
    * ``eligible`` if any referred or engaged event; ``in_period`` 2 if an engaged event in the
      period, else 1 if a disengaged event in the period (engaged_in / disengaged_in below);
    * ``engaged_at`` / ``other_at``: the latest instant before ``start`` of an engaged event /
      of any other event. The latest event before the period (latest ``occurred_at``, then
      the one recorded last, i.e. the highest id) is engaged exactly when ``engaged_at`` is
      later than ``other_at`` (or there is no other event), or both are the same instant and
      the highest-id event at that instant is engaged — only that tie is looked up, by index;
    * engaged = eligible and (engaged_in or (the latest event before is engaged and not
      disengaged_in)).

    ``with_clients`` adds one row ``(NULL, unique, new)`` with the figures of
    :func:`count_clients`, from the same single pass over the period's contacts that finds
    the cohort (instead of a second one) — or, with ``by_client``, from probes per client
    (:func:`_seen_by_client`) instead of that pass.
    """
    seen = None
    if not with_clients:
        cohort = select(_cohort(start, end, team).subquery("cohort").c.client_id)
    elif by_client:
        seen = _seen_by_client(start, end, team)
        in_cohort = seen.c.kind.in_((SEEN_IN_COHORT, SEEN_IN_COHORT + SEEN_NEW))
        cohort = select(seen.c.client_id).where(in_cohort)
    else:
        seen = _seen(start, end, team)
        cohort = select(seen.c.client_id).where(seen.c.in_cohort == 1)
    event = ServiceEvent
    scope = [event.occurred_at < end, event.client_id.in_(cohort)]
    if services is not None:
        scope.append(event.service.in_(list(services)))
    in_period = event.occurred_at >= start
    before = event.occurred_at < start
    per = (
        select(
            event.client_id,
            event.service,
            func.max(case((event.status.in_(ELIGIBLE_STATUSES), 1), else_=0)).label("eligible"),
            # 2: an engaged event in the period; 1: a disengaged one and no engaged one. One
            # aggregate instead of two: SQLite's time here goes into aggregate calls per event.
            func.max(
                case(
                    (in_period, case((event.status == ENGAGED, 2), (event.status == DISENGAGED, 1)))
                )
            ).label("in_period"),
            func.max(case((and_(event.status == ENGAGED, before), event.occurred_at))).label(
                "engaged_at"
            ),
            func.max(case((and_(event.status != ENGAGED, before), event.occurred_at))).label(
                "other_at"
            ),
        )
        .where(*scope)
        .group_by(event.client_id, event.service)
        .subquery("per")
    )
    tied = aliased(ServiceEvent)
    last_at_the_tie = (
        select(tied.status)
        .where(
            tied.client_id == per.c.client_id,
            tied.service == per.c.service,
            tied.occurred_at == per.c.engaged_at,
        )
        .order_by(tied.id.desc())
        .limit(1)
        .correlate(per)
        .scalar_subquery()
    )
    engaged = case(  # evaluated in order: the tie look-up runs only for a tie
        (per.c.eligible == 0, 0),
        (per.c.in_period == 2, 1),  # engaged in the period
        (per.c.in_period == 1, 0),  # disengaged in it, and not engaged in it
        (per.c.engaged_at.is_(None), 0),
        (per.c.other_at.is_(None), 1),
        (per.c.engaged_at > per.c.other_at, 1),
        (per.c.engaged_at < per.c.other_at, 0),
        (last_at_the_tie == ENGAGED, 1),
        else_=0,
    )
    per_service = select(per.c.service, func.sum(per.c.eligible), func.sum(engaged)).group_by(
        per.c.service
    )
    if seen is None:
        return per_service
    if by_client:  # one row per client, new already known
        new_ones = func.sum(case((seen.c.kind >= SEEN_NEW, 1), else_=0))
        clients_and_new = select(null(), func.count(seen.c.kind), func.coalesce(new_ones, 0))
        return union_all(per_service, clients_and_new)
    clients = select(seen.c.client_id).group_by(seen.c.client_id).subquery("clients")
    new = func.coalesce(
        func.sum(case((~_contact_before(clients.c.client_id, start), 1), else_=0)), 0
    )
    return union_all(per_service, select(null(), func.count(), new).select_from(clients))


async def count_engagement(
    session: AsyncSession,
    *,
    start: datetime,
    end: datetime,
    team: str | None,
    services: Sequence[str] | None = None,
) -> dict[str, EngagementCount]:
    """Eligible and engaged clients per service; services nobody is eligible for are absent."""
    rows = await session.execute(
        engagement_statement(start=start, end=end, team=team, services=services)
    )
    return {
        service: EngagementCount(service, int(eligible or 0), int(engaged or 0))
        for service, eligible, engaged in rows
    }


# On SQLite, probe every client (:func:`_seen_by_client`) rather than pass over the period's
# contacts once the period holds at least this many contacts per client: below it a pass
# over the contacts reads less, above it the probes do (bench/stats.py; figures in
# bench/README.md).
CONTACTS_PER_CLIENT_TO_PROBE = 2


async def count_clients_and_engagement(
    session: AsyncSession,
    *,
    start: datetime,
    end: datetime,
    team: str | None,
    contacts: int | None = None,
    by_client: bool | None = None,
) -> tuple[ClientCounts, dict[str, EngagementCount]]:
    """:func:`count_clients` and :func:`count_engagement` (every service) in one statement.

    ``contacts``, the number of contacts in the period (team scope) if the caller has it,
    lets SQLite find the period's clients the cheaper way. Passing over the period's
    contacts costs SQLite a B-tree insert per contact to keep each client once (it has no
    hash aggregate); a probe per client costs two index look-ups per client, whether seen in
    the period or not. So with many contacts per client (a quarter) the probes win, with few
    (a week) the pass. PostgreSQL hashes the period's clients and keeps the pass. The figures
    are the same either way: ``by_client`` forces one (the tests run both on both databases).
    """
    if by_client is None:
        by_client = False
        if contacts is not None and _dialect(session) == "sqlite":
            clients_ever = await session.scalar(select(func.max(Client.id)))  # O(1): rowid
            by_client = contacts >= CONTACTS_PER_CLIENT_TO_PROBE * (clients_ever or 0) > 0
    rows = await session.execute(
        engagement_statement(
            start=start, end=end, team=team, with_clients=True, by_client=by_client
        )
    )
    clients = ClientCounts(unique=0, new=0)
    engagement: dict[str, EngagementCount] = {}
    for service, first, second in rows:
        if service is None:
            clients = ClientCounts(unique=int(first), new=int(second))
        else:
            engagement[service] = EngagementCount(service, int(first or 0), int(second or 0))
    return clients, engagement


def _staff_team(team: str | None) -> ColumnElement[bool]:
    return true() if team is None else Staff.team == team


async def count_followups_due(
    session: AsyncSession, *, start: datetime, end: datetime, now: datetime, team: str | None
) -> FollowUpCounts:
    """Follow-ups (not cancelled) of the team's navigators due in the period up to ``now``."""
    on_time = case((FollowUp.completed_on_time.is_(True), 1), else_=0)
    row = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(on_time), 0))
            .select_from(FollowUp)
            .join(Staff, Staff.id == FollowUp.staff_id)
            .where(
                _staff_team(team),
                FollowUp.status != CANCELLED,
                FollowUp.due_at >= start,
                FollowUp.due_at < min(end, now),
            )
        )
    ).one()
    return FollowUpCounts(due=int(row[0]), on_time=int(row[1]))


def _overdue(before: datetime) -> ColumnElement[bool]:
    """Open and due before ``before`` — the local midnight starting today: the due day has
    ended, so the follow-up is overdue (PRODUCT §6)."""
    return and_(FollowUp.status == OPEN, FollowUp.due_at < before)


async def count_overdue_followups(
    session: AsyncSession, *, before: datetime, team: str | None
) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(FollowUp)
            .join(Staff, Staff.id == FollowUp.staff_id)
            .where(_staff_team(team), _overdue(before))
        )
        or 0
    )


async def count_safeguarding_alerts(
    session: AsyncSession, *, start: datetime, end: datetime, team: str | None
) -> int:
    condition = _in_period(SafeguardingAlert.raised_at, start, end)
    if team is not None:
        condition = and_(SafeguardingAlert.team == team, condition)
    return int(await session.scalar(select(func.count()).where(condition)) or 0)


async def list_navigator_figures(
    session: AsyncSession,
    *,
    start: datetime,
    end: datetime,
    overdue_before: datetime,
    team: str | None,
) -> list[NavigatorFigures]:
    """One line per staff member of the team (active, or with contacts in the period):
    contacts logged in the period, open clients they own, their overdue follow-ups.

    Each count is a correlated index range (``ix_contacts_team_staff_occurred``, or
    ``ix_contacts_staff_occurred`` for every team) rather than a GROUP BY that sorts all of
    the period's contacts."""
    logged = (
        select(func.count())
        .where(Contact.staff_id == Staff.id, _contact_scope(start, end, team))
        .correlate(Staff)
        .scalar_subquery()
    )
    contacts = logged.label("contacts")
    caseload = (
        select(func.count())
        .where(Client.owner_id == Staff.id, Client.status == OPEN)
        .correlate(Staff)
        .scalar_subquery()
    )
    overdue = (
        select(func.count())
        .where(FollowUp.staff_id == Staff.id, _overdue(overdue_before))
        .correlate(Staff)
        .scalar_subquery()
    )
    member = and_(_staff_team(team), Staff.active.is_(True))
    rows = await session.execute(
        select(Staff.id, Staff.display_name, contacts, caseload, overdue)
        .where(or_(member, logged > 0))
        .order_by(contacts.desc(), func.lower(func.coalesce(Staff.display_name, "")), Staff.id)
    )
    return [
        NavigatorFigures(staff_id, name, int(n_contacts), int(n_caseload), int(n_overdue))
        for staff_id, name, n_contacts, n_caseload, n_overdue in rows
    ]


async def list_overdue_followups(
    session: AsyncSession, *, before: datetime, team: str | None
) -> list[OverdueFollowUp]:
    rows = await session.execute(
        select(
            FollowUp.id,
            Staff.id,
            Staff.display_name,
            Staff.working_hours,
            Client.code,
            FollowUp.due_at,
        )
        .join(Staff, Staff.id == FollowUp.staff_id)
        .join(Client, Client.id == FollowUp.client_id)
        .where(_staff_team(team), _overdue(before))
        .order_by(func.lower(func.coalesce(Staff.display_name, "")), Staff.id, FollowUp.due_at)
    )
    return [OverdueFollowUp(*row) for row in rows]


async def list_teams(session: AsyncSession) -> list[str]:
    """Every team name in use by staff or clients."""
    rows = await session.scalars(union(select(Staff.team), select(Client.team)))
    return sorted(set(rows))


async def count_contacts_per_bucket(
    session: AsyncSession, *, bounds: Sequence[datetime], team: str | None
) -> list[int]:
    """Contacts in each ``[bounds[i], bounds[i+1])``, in one pass over the whole span."""
    if len(bounds) < 2:
        return []
    bucket = case(
        *((Contact.occurred_at < upper, literal(index)) for index, upper in enumerate(bounds[1:])),
        else_=literal(-1),
    ).label("bucket")
    rows = await session.execute(
        select(bucket, func.count())
        .where(_contact_scope(bounds[0], bounds[-1], team))
        .group_by(bucket)
    )
    counts = [0] * (len(bounds) - 1)
    for index, n in rows:
        if 0 <= index < len(counts):
            counts[index] = int(n)
    return counts


async def list_contacts_for_export(
    session: AsyncSession, *, start: datetime, end: datetime, team: str | None
) -> list[ContactExportRow]:
    """Contacts in the period: codes and categories only, never the note."""
    rows = await session.execute(
        select(
            Contact.occurred_at,
            Client.code,
            Staff.display_name,
            Contact.team,
            Contact.setting,
            Contact.outcome,
            Contact.language,
        )
        .join(Client, Client.id == Contact.client_id)
        .join(Staff, Staff.id == Contact.staff_id)
        .where(_contact_scope(start, end, team))
        .order_by(Contact.occurred_at, Contact.id)
    )
    return [ContactExportRow(*row) for row in rows]


async def list_followups_for_export(
    session: AsyncSession, *, start: datetime, end: datetime, team: str | None
) -> list[FollowUpExportRow]:
    """Follow-ups of the team's navigators due in the period, any status."""
    rows = await session.execute(
        select(
            Client.code,
            Staff.display_name,
            FollowUp.due_at,
            FollowUp.status,
            FollowUp.completed_at,
            FollowUp.completed_on_time,
        )
        .join(Staff, Staff.id == FollowUp.staff_id)
        .join(Client, Client.id == FollowUp.client_id)
        .where(_staff_team(team), _in_period(FollowUp.due_at, start, end))
        .order_by(FollowUp.due_at, FollowUp.id)
    )
    return [FollowUpExportRow(*row) for row in rows]
