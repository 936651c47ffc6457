"""The SQL aggregates behind /stats on a real database (SQLite, and PostgreSQL if set)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.contacts.saving import reminder_settings
from bot.core.domain import Outcome, Role, Service, ServiceStatus, StaffMember
from bot.reports.collect import collect_overdue, collect_stats, collect_stats_comparison
from bot.reports.figures import Rate
from bot.reports.periods import Period, period_between
from storage.db import create_session_factory, create_snapshot_session_factory
from storage.models import Client, Contact, ServiceEvent
from storage.staff import create_or_reactivate_staff
from storage.stats import (
    ClientCounts,
    contact_breakdown_statement,
    count_clients,
    count_clients_and_engagement,
    count_contacts,
    count_contacts_per_bucket,
    count_engagement,
    count_followups_due,
    count_overdue_followups,
    count_safeguarding_alerts,
    engagement_statement,
    grouped_breakdown_statement,
    list_navigator_figures,
    list_teams,
)
from tests.conftest import make_settings
from tests.stats_cohort import DRUG, ENG, ETE, Q1, Q2, REF, CohortBuilder, Expected

Factory = async_sessionmaker[AsyncSession]
TZ = ZoneInfo("Europe/London")
SETTINGS = reminder_settings(make_settings("sqlite+aiosqlite://"))
Q1_2026 = period_between(date(2026, 1, 1), date(2026, 3, 31), TZ)
Q2_2026 = period_between(date(2026, 4, 1), date(2026, 6, 30), TZ)
LATER = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)


async def _member(
    factory: Factory, telegram_id: int, *, team: str = "hospital", role: Role = Role.NAVIGATOR
) -> StaffMember:
    async with factory.begin() as session:
        row = await create_or_reactivate_staff(
            session,
            telegram_id=telegram_id,
            role=role.value,
            team=team,
            display_name=f"Nav {telegram_id}",
            telegram_language="en",
        )
    return StaffMember.from_row(row)


async def _engagement(
    factory: Factory, period: Period, team: str | None = "hospital"
) -> dict[str, Any]:
    async with factory() as session:
        counts = await count_engagement(session, start=period.start, end=period.end, team=team)
    return {service: (c.engaged, c.eligible) for service, c in counts.items()}


async def test_the_cohort_gives_the_headline_figures(session_factory: Factory) -> None:
    staff = await _member(session_factory, 1)
    await CohortBuilder(session_factory, staff, SETTINGS).build()

    for period, expected in ((Q1_2026, Q1), (Q2_2026, Q2)):
        assert await _engagement(session_factory, period) == {
            DRUG.value: expected.drug,
            ETE.value: expected.ete,
        }
        await _check_counts(session_factory, period, expected)

    async with session_factory() as session:
        figures = await collect_stats(session, period=Q2_2026, team="hospital", now=LATER, tz=TZ)
    assert figures.engagement[Service.DRUG_TREATMENT] == Rate(22, 30)
    assert figures.engagement[Service.DRUG_TREATMENT].percent == 73
    assert figures.engagement[Service.ETE].percent == 59
    assert Service.HOUSING not in figures.engagement


async def _check_counts(factory: Factory, period: Period, expected: Expected) -> None:
    async with factory() as session:
        contacts = await count_contacts(session, start=period.start, end=period.end, team=None)
        clients = await count_clients(session, start=period.start, end=period.end, team=None)
    assert contacts.by_outcome() == {
        key: value
        for key, value in (
            ("made", expected.made),
            ("attempted", expected.attempted),
            ("declined", expected.declined),
        )
        if value
    }
    assert (clients.unique, clients.new) == (expected.unique, expected.new)
    # The same figures from the one statement /stats uses, with either way of finding the
    # period's clients (a pass over its contacts, or a probe per client).
    for team in ("hospital", None):
        assert await _clients_and_engagement(factory, period, team) == (
            clients,
            {DRUG.value: expected.drug, ETE.value: expected.ete},
        )


async def _clients_and_engagement(
    factory: Factory, period: Period, team: str | None
) -> tuple[ClientCounts, dict[str, tuple[int, int]]]:
    """count_clients_and_engagement's figures, checked to be the same by both plans."""
    results = []
    for by_client in (False, True):
        async with factory() as session:
            clients, engagement = await count_clients_and_engagement(
                session, start=period.start, end=period.end, team=team, by_client=by_client
            )
        results.append((clients, {s: (c.engaged, c.eligible) for s, c in engagement.items()}))
    assert results[0] == results[1]
    return results[0]


async def test_an_empty_period_has_no_eligible_clients(session_factory: Factory) -> None:
    staff = await _member(session_factory, 1)
    await CohortBuilder(session_factory, staff, SETTINGS).build()
    empty = period_between(date(2024, 1, 1), date(2024, 1, 31), TZ)
    assert await _engagement(session_factory, empty) == {}
    async with session_factory() as session:
        figures = await collect_stats(session, period=empty, team=None, now=LATER, tz=TZ)
    assert figures.contacts == 0
    assert figures.unique_clients == 0
    assert figures.engagement == {}
    assert figures.followups_on_time == Rate(0, 0)
    assert figures.followups_on_time.percent is None


async def test_the_october_clock_change_puts_local_half_past_midnight_on_its_day(
    session_factory: Factory,
) -> None:
    staff = await _member(session_factory, 1)
    builder = CohortBuilder(session_factory, staff, SETTINGS)
    # 2026-10-25: BST ends at 02:00. 00:30 local that day is 23:30 UTC the day before.
    await builder.log("C100", datetime(2026, 10, 24, 23, 30, tzinfo=UTC), (DRUG, REF))
    # 00:30 local on 1 October (BST) is 23:30 UTC on 30 September.
    await builder.log("C101", datetime(2026, 9, 30, 23, 30, tzinfo=UTC))
    # 00:30 local on 1 November (GMT) is 00:30 UTC: November, not October.
    await builder.log("C102", datetime(2026, 11, 1, 0, 30, tzinfo=UTC))

    async def total(first: date, last: date) -> int:
        period = period_between(first, last, TZ)
        async with session_factory() as session:
            breakdown = await count_contacts(
                session, start=period.start, end=period.end, team="hospital"
            )
        return breakdown.total

    assert await total(date(2026, 10, 25), date(2026, 10, 25)) == 1
    assert await total(date(2026, 10, 24), date(2026, 10, 24)) == 0
    assert await total(date(2026, 10, 1), date(2026, 10, 31)) == 2
    assert await total(date(2026, 9, 1), date(2026, 9, 30)) == 0
    assert await total(date(2026, 11, 1), date(2026, 11, 30)) == 1
    # The week of the clock change (25 hours longer on Sunday) holds the boundary contact.
    week = period_between(date(2026, 10, 19), date(2026, 10, 25), TZ)
    assert week.end - week.start == timedelta(days=7, hours=1)
    assert await _engagement(session_factory, week) == {DRUG.value: (0, 1)}


async def test_a_client_who_moved_team_counts_for_each_team_that_saw_them(
    session_factory: Factory,
) -> None:
    hospital = await _member(session_factory, 1, team="hospital")
    community = await _member(session_factory, 2, team="community")
    builder = CohortBuilder(session_factory, hospital, SETTINGS)
    await builder.log("T100", datetime(2026, 2, 1, 10, tzinfo=UTC), (DRUG, ENG))
    async with session_factory.begin() as session:
        await session.execute(
            update(Client)
            .where(Client.code == "T100")
            .values(team="community", owner_id=community.id)
        )
    await builder.log("T100", datetime(2026, 5, 1, 10, tzinfo=UTC), staff=community)
    # In Q2 only the community team had contact; the engagement logged by the hospital team
    # in Q1 carries over (latest event before Q2 is engaged).
    assert await _engagement(session_factory, Q2_2026, "community") == {DRUG.value: (1, 1)}
    assert await _engagement(session_factory, Q2_2026, "hospital") == {}
    assert await _engagement(session_factory, Q1_2026, "hospital") == {DRUG.value: (1, 1)}
    assert await _engagement(session_factory, Q1_2026, "community") == {}
    # Seen by both teams in one period: once per team, once for all teams.
    await builder.log("T100", datetime(2026, 5, 2, 10, tzinfo=UTC))
    assert await _engagement(session_factory, Q2_2026, "hospital") == {DRUG.value: (1, 1)}
    assert await _engagement(session_factory, Q2_2026, None) == {DRUG.value: (1, 1)}
    async with session_factory() as session:
        assert await list_teams(session) == ["community", "hospital"]
        clients = await count_clients(
            session, start=Q2_2026.start, end=Q2_2026.end, team="community"
        )
        assert (clients.unique, clients.new) == (1, 0)  # seen before, by another team
    assert await _clients_and_engagement(session_factory, Q2_2026, "community") == (
        clients,
        {DRUG.value: (1, 1)},
    )
    assert await _clients_and_engagement(session_factory, Q1_2026, "community") == (
        ClientCounts(unique=0, new=0),
        {},
    )
    assert await _clients_and_engagement(session_factory, Q1_2026, "hospital") == (
        ClientCounts(unique=1, new=1),
        {DRUG.value: (1, 1)},
    )


async def test_reengaged_after_an_old_disengagement_still_counts(session_factory: Factory) -> None:
    staff = await _member(session_factory, 1)
    builder = CohortBuilder(session_factory, staff, SETTINGS)
    code = "R100"
    await builder.log(code, datetime(2025, 6, 1, 10, tzinfo=UTC), (DRUG, ENG))
    await builder.log(
        code, datetime(2025, 7, 1, 10, tzinfo=UTC), (DRUG, DIS := ServiceStatus.DISENGAGED)
    )
    await builder.log(code, datetime(2025, 9, 1, 10, tzinfo=UTC), (DRUG, ENG))
    await builder.log(code, datetime(2026, 2, 1, 10, tzinfo=UTC))
    assert await _engagement(session_factory, Q1_2026) == {DRUG.value: (1, 1)}
    # Engaged and disengaged within the period: the engaged event in P counts.
    await builder.log(code, datetime(2026, 4, 2, 10, tzinfo=UTC), (DRUG, ENG))
    await builder.log(code, datetime(2026, 4, 9, 10, tzinfo=UTC), (DRUG, DIS))
    assert await _engagement(session_factory, Q2_2026) == {DRUG.value: (1, 1)}
    # Only a disengagement in the period after an engagement before it: not engaged.
    await builder.log(code, datetime(2026, 8, 1, 10, tzinfo=UTC))
    q3 = period_between(date(2026, 7, 1), date(2026, 9, 30), TZ)
    assert await _engagement(session_factory, q3) == {DRUG.value: (0, 1)}
    for period, expected in ((Q2_2026, (1, 1)), (q3, (0, 1))):
        figures = await _clients_and_engagement(session_factory, period, "hospital")
        assert figures == (ClientCounts(unique=1, new=0), {DRUG.value: expected})


async def test_followups_overdue_alerts_navigators_and_buckets(session_factory: Factory) -> None:
    aisha = await _member(session_factory, 1)
    bilal = await _member(session_factory, 2)
    other = await _member(session_factory, 3, team="community")
    builder = CohortBuilder(session_factory, aisha, SETTINGS)
    base = datetime(2026, 3, 2, 10, tzinfo=UTC)  # a Monday
    # Aisha: F1 due 3/3 and done on 3/3 (on time); F2 due 4/3, done 6/3 (late).
    await builder.log("F001", base, follow_up_at=base + timedelta(days=1))
    await builder.log("F001", base + timedelta(days=1))
    await builder.log("F002", base, follow_up_at=base + timedelta(days=2))
    await builder.log("F002", base + timedelta(days=4))
    # Bilal: F3 due 5/3, never done (overdue); weapon risk raises an alert.
    async with session_factory.begin() as session:
        from bot.contacts.saving import ContactInput, save_contact
        from bot.core.domain import Risk

        await save_contact(
            session,
            staff=bilal,
            contact=ContactInput(
                client_code="F003",
                setting=None,
                outcome=Outcome.MADE,
                risks=(Risk.WEAPON,),
                occurred_at=base,
                follow_up_at=base + timedelta(days=3),
            ),
            now=base,
            settings=SETTINGS,
        )
    await builder.log("F004", base, staff=other, follow_up_at=base + timedelta(days=3))
    march = period_between(date(2026, 3, 1), date(2026, 3, 31), TZ)
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    today = datetime(2026, 3, 10, 0, tzinfo=UTC)  # GMT in March before the 29th
    async with session_factory() as session:
        due = await count_followups_due(
            session, start=march.start, end=march.end, now=now, team="hospital"
        )
        assert (due.due, due.on_time) == (3, 1)
        assert await count_overdue_followups(session, before=today, team="hospital") == 1
        assert await count_overdue_followups(session, before=today, team=None) == 2
        assert (
            await count_safeguarding_alerts(
                session, start=march.start, end=march.end, team="hospital"
            )
            == 1
        )
        navigators = await list_navigator_figures(
            session, start=march.start, end=march.end, overdue_before=today, team="hospital"
        )
        assert [(n.display_name, n.contacts, n.open_caseload, n.overdue) for n in navigators] == [
            ("Nav 1", 4, 2, 0),
            ("Nav 2", 1, 1, 1),
        ]
        weeks = [datetime(2026, 3, 1, tzinfo=UTC) + timedelta(days=7 * i) for i in range(3)]
        assert await count_contacts_per_bucket(session, bounds=weeks, team="hospital") == [5, 0]
        assert await count_contacts_per_bucket(session, bounds=weeks, team=None) == [6, 0]
        overdue = await collect_overdue(session, team=None, now=now, tz=TZ)
    # Due Thu 5/3: Fri 6, Mon 9, Tue 10 are working days after it.
    assert [(o.client_code, o.working_days_overdue) for o in overdue] == [
        ("F003", 3),
        ("F004", 3),
    ]


@pytest.mark.parametrize("team", ["hospital", None])
async def test_declined_only_clients_are_not_in_the_cohort(
    session_factory: Factory, team: str | None
) -> None:
    staff = await _member(session_factory, 1)
    builder = CohortBuilder(session_factory, staff, SETTINGS)
    await builder.log(
        "M100", datetime(2026, 2, 1, tzinfo=UTC), (DRUG, ENG), outcome=Outcome.DECLINED
    )
    await builder.log(
        "M101", datetime(2026, 2, 1, tzinfo=UTC), (DRUG, REF), outcome=Outcome.ATTEMPTED
    )
    assert await _engagement(session_factory, Q1_2026, team) == {DRUG.value: (0, 1)}
    # Both are clients seen in the period, and both new.
    assert await _clients_and_engagement(session_factory, Q1_2026, team) == (
        ClientCounts(unique=2, new=2),
        {DRUG.value: (0, 1)},
    )


async def test_the_latest_event_before_the_period_breaks_ties_by_the_one_recorded_last(
    session_factory: Factory,
) -> None:
    """ "Latest" is the latest ``occurred_at``; of events at the same instant, the one recorded
    last (highest id). A later id alone does not make an earlier event the latest."""
    staff = await _member(session_factory, 1)
    builder = CohortBuilder(session_factory, staff, SETTINGS)
    instant = datetime(2025, 12, 1, 10, tzinfo=UTC)
    # (client, [(service, status, occurred_at) in the order they are recorded])
    histories = {
        "X100": [(DRUG, ENG, instant), (DRUG, REF, instant)],  # tie, referred last: no
        "X101": [(DRUG, REF, instant), (DRUG, ENG, instant)],  # tie, engaged last: yes
        "X102": [(DRUG, ENG, instant), (DRUG, REF, instant - timedelta(hours=1))],  # yes
        "X103": [(DRUG, REF, instant), (DRUG, ENG, instant - timedelta(hours=1))],  # no
        "X104": [  # engaged, then disengaged and engaged again at one instant: yes
            (DRUG, ENG, instant - timedelta(days=9)),
            (DRUG, ServiceStatus.DISENGAGED, instant),
            (DRUG, ENG, instant),
        ],
        "X105": [(DRUG, ENG, instant), (DRUG, ServiceStatus.DISENGAGED, instant)],  # no
    }
    for code in histories:
        await builder.log(code, datetime(2026, 2, 2, 10, tzinfo=UTC))
    async with session_factory.begin() as session:
        ids = dict(
            (
                await session.execute(
                    select(Client.code, Client.id).where(Client.code.in_(histories))
                )
            )
            .tuples()
            .all()
        )
        for code, events in histories.items():
            for service, status, at in events:
                session.add(
                    ServiceEvent(
                        client_id=ids[code],
                        staff_id=staff.id,
                        service=service.value,
                        status=status.value,
                        occurred_at=at,
                    )
                )
                await session.flush()  # ids in recording order
    assert await _engagement(session_factory, Q1_2026) == {DRUG.value: (3, 6)}
    figures = await _clients_and_engagement(session_factory, Q1_2026, "hospital")
    assert figures == (ClientCounts(unique=6, new=6), {DRUG.value: (3, 6)})  # first seen in Q1
    for code, expected in (("X100", 0), ("X101", 1), ("X104", 1), ("X105", 0)):
        async with session_factory() as session:
            seen = await session.scalar(select(Client.id).where(Client.code == code))
        assert seen is not None
        # One client at a time: the others' rows are removed from the cohort's team.
        async with session_factory.begin() as session:
            await session.execute(
                update(Contact).where(Contact.client_id != seen).values(team="elsewhere")
            )
        assert await _engagement(session_factory, Q1_2026) == {DRUG.value: (expected, 1)}, code
        async with session_factory.begin() as session:
            await session.execute(update(Contact).values(team="hospital"))


async def test_the_index_walk_breakdown_matches_a_group_by(session_factory: Factory) -> None:
    """The breakdown walks ix_contacts_breakdown on SQLite (GROUP BY on PostgreSQL): both
    statements give the same rows on both databases — missing settings, several teams, a
    language seen only outside the period, contacts exactly on the period's bounds."""
    hospital = await _member(session_factory, 1, team="hospital")
    community = await _member(session_factory, 2, team="community")
    start = Q2_2026.start
    combos = [
        ("made", "hospital", "en"),
        ("made", None, "en"),
        ("made", None, "bn"),
        ("attempted", "phone", "syl"),
        ("attempted", None, "unknown"),
        ("declined", "home", "so"),
        ("declined", "phone", "en"),
    ]
    rows = []
    for n in range(60):
        outcome, setting, language = combos[n % len(combos)]
        staff = hospital if n % 3 else community
        rows.append(
            {
                "client_id": 1 + n % 5,
                "staff_id": staff.id,
                "team": staff.team,
                # From a week before the period to its last week; n = 7 is on the start.
                "occurred_at": start + timedelta(days=(n - 7) * 1.6),
                "logged_at": start,
                "setting": setting,
                "outcome": outcome,
                "language": language,
            }
        )
    rows.append({**rows[0], "language": "pl", "occurred_at": start - timedelta(days=40)})
    rows.append({**rows[1], "occurred_at": Q2_2026.end})  # the end is excluded
    async with session_factory.begin() as session:
        await session.execute(
            insert(Client),
            [
                {"id": i, "code": f"B{i}", "team": "hospital", "owner_id": hospital.id}
                for i in range(1, 6)
            ],
        )
        await session.execute(insert(Contact), rows)

    async with session_factory() as session:
        for team in ("hospital", "community", None, "nobody"):
            for first, last in ((Q2_2026.start, Q2_2026.end), (Q1_2026.start, Q2_2026.end)):
                scope: dict[str, Any] = {"start": first, "end": last, "team": team}
                walked = (await session.execute(contact_breakdown_statement(**scope))).all()
                grouped = (await session.execute(grouped_breakdown_statement(**scope))).all()
                assert sorted(map(tuple, walked), key=repr) == sorted(map(tuple, grouped), key=repr)
                breakdown = await count_contacts(session, **scope)
                assert breakdown.total == sum(n for *_, n in grouped)
        every = await count_contacts(session, start=Q2_2026.start, end=Q2_2026.end, team=None)
    assert every.by_setting()[None] > 0
    assert "pl" not in every.by_language()


async def test_a_comparison_reads_both_periods_with_the_figures_of_one_at_a_time(
    engine: AsyncEngine,
) -> None:
    """/stats A vs B reads the two periods at once, each in a snapshot session of its own:
    the figures are those of each period asked for alone."""
    factory = create_session_factory(engine)
    staff = await _member(factory, 1)
    await CohortBuilder(factory, staff, SETTINGS).build()
    snapshots = create_snapshot_session_factory(engine)
    current, previous = await collect_stats_comparison(
        snapshots, later=Q2_2026, earlier=Q1_2026, team="hospital", now=LATER, tz=TZ
    )
    alone, no_earlier = await collect_stats_comparison(
        snapshots, later=Q2_2026, earlier=None, team="hospital", now=LATER, tz=TZ
    )
    assert no_earlier is None
    async with snapshots() as session:
        q2 = await collect_stats(session, period=Q2_2026, team="hospital", now=LATER, tz=TZ)
        q1 = await collect_stats(session, period=Q1_2026, team="hospital", now=LATER, tz=TZ)
    assert (current, previous) == (q2, q1)
    assert alone == q2
    assert previous is not None
    assert (previous.unique_clients, previous.new_clients) == (Q1.unique, Q1.new)
    assert (current.unique_clients, current.new_clients) == (Q2.unique, Q2.new)
    assert current.engagement[Service.DRUG_TREATMENT] == Rate(*Q2.drug)
    assert previous.engagement[Service.ETE] == Rate(*Q1.ete)


async def test_probing_per_client_reads_the_clients_in_id_order(
    session_factory: Factory, database_url: str
) -> None:
    """The probe plan is only fast when the clients come in id order (the probes then move
    forward through the contacts index). SQLite reads them from the table in rowid order
    because of the ORDER BY; were it dropped (SQLite omits a subquery's ORDER BY in some
    shapes, e.g. as one side of a join), the planner would read the smaller owner index
    instead, in owner order, and the statement took twice as long on the bench data."""
    if not database_url.startswith("sqlite"):
        pytest.skip("a SQLite plan; PostgreSQL never probes per client")
    statement = engagement_statement(
        start=Q2_2026.start, end=Q2_2026.end, team="hospital", with_clients=True, by_client=True
    )
    async with session_factory() as session:
        assert session.bind is not None
        sql = statement.compile(
            dialect=session.bind.dialect, compile_kwargs={"literal_binds": True}
        )
        plan = [row[3] for row in await session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))]
    assert "SCAN clients" in plan, plan
