"""The reminder sweep, the outbox claim and the follow-up nudge claim on a real database
(SQLite, and PostgreSQL if set)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.contacts.saving import ContactInput, reminder_settings, save_contact
from bot.core.domain import Outcome, Risk, Role, Service, ServiceStatus, Setting, StaffMember
from bot.followups.actions import acknowledge_alert
from bot.followups.sweep import produce_all, produce_due_reminders
from storage.models import FollowUp, FollowUpReminder, OutboxMessage, Staff
from storage.nudges import (
    claim_followup_nudges,
    get_nudge_context,
    mark_nudge_sent,
)
from storage.outbox import claim_outbox_messages, create_outbox_message, mark_outbox_sent
from storage.staff import create_or_reactivate_staff
from tests.conftest import make_settings

Factory = async_sessionmaker[AsyncSession]
SETTINGS = reminder_settings(make_settings("sqlite+aiosqlite://"))


async def _member(
    factory: Factory, telegram_id: int, role: Role = Role.NAVIGATOR, team: str = "hospital"
) -> StaffMember:
    async with factory.begin() as session:
        row = await create_or_reactivate_staff(
            session,
            telegram_id=telegram_id,
            role=role.value,
            team=team,
            display_name=f"S{telegram_id}",
            telegram_language="en",
        )
        return StaffMember.from_row(row)


async def _follow_up(
    factory: Factory,
    staff: StaffMember,
    due: datetime,
    *,
    code: str = "C123",
    now: datetime | None = None,
    risks: tuple[Risk, ...] = (),
) -> int:
    async with factory.begin() as session:
        saved = await save_contact(
            session,
            staff=staff,
            contact=ContactInput(
                client_code=code,
                setting=Setting.HOSPITAL,
                outcome=Outcome.MADE,
                risks=risks,
                follow_up_at=due,
            ),
            now=now or due - timedelta(days=1),
            settings=SETTINGS,
        )
    assert saved.followup_id is not None
    return saved.followup_id


@dataclass(frozen=True)
class SentNudge:
    """A follow-up nudge as the sender would send it (kind, whom, what it says), and when."""

    kind: str
    recipient_id: int
    followup_id: int
    code: str
    days_overdue: int
    last: dict[str, Any] | None
    at: datetime


async def _deliver_nudges(factory: Factory, now: datetime) -> list[SentNudge]:
    """Claim every nudge owed at `now`, read what it says and mark it sent, through the
    storage functions the sender uses: what the navigators would receive."""
    async with factory.begin() as session:
        claimed = await claim_followup_nudges(
            session, now=now, claimed_by="test", lease_cutoff=now, limit=10_000
        )
    sent = []
    for nudge in claimed:
        async with factory.begin() as session:
            context = await get_nudge_context(session, followup_id=nudge.followup_id)
            assert context is not None
            assert await mark_nudge_sent(session, nudge=nudge, claimed_by="test", at=now)
        sent.append(
            SentNudge(
                nudge.kind,
                nudge.recipient_id,
                nudge.followup_id,
                context.code,
                nudge.days_overdue,
                context.last,
                now,
            )
        )
    return sent


async def _sweep(factory: Factory, now: datetime) -> list[SentNudge]:
    """One sweep, then deliver the nudges it owes (the outbox is left to the tests)."""
    await produce_all(factory, now=now, settings=SETTINGS)
    return await _deliver_nudges(factory, now)


async def _rows(
    factory: Factory, kind: str | None = None, *, agenda: bool = False
) -> list[OutboxMessage]:
    async with factory() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind is not None:
            query = query.where(OutboxMessage.kind == kind)
        elif not agenda:  # the agenda has its own test
            query = query.where(OutboxMessage.kind != "agenda")
        return list((await session.scalars(query)).all())


async def _followup(factory: Factory, followup_id: int) -> FollowUp:
    async with factory() as session:
        row = await session.get(FollowUp, followup_id)
        assert row is not None
        return row


async def test_a_due_follow_up_gives_exactly_one_nudge(session_factory: Factory) -> None:
    navigator = await _member(session_factory, 1)
    due = datetime(2026, 3, 25, 9, tzinfo=UTC)  # Wed 09:00 GMT
    fid = await _follow_up(session_factory, navigator, due)
    assert await _sweep(session_factory, due - timedelta(seconds=1)) == []
    sent = await _sweep(session_factory, due)
    sent += await _sweep(session_factory, due)
    sent += await _sweep(session_factory, due + timedelta(minutes=5))
    assert [(n.kind, n.recipient_id, n.followup_id, n.code) for n in sent] == [
        ("due", navigator.id, fid, "C123")
    ]
    assert sent[0].last is not None
    assert sent[0].last["setting"] == "hospital"
    assert await _rows(session_factory) == []  # a nudge is not an outbox row
    followup = await _followup(session_factory, fid)
    assert followup.reminder.due_nudge_sent
    assert (followup.reminder.nudge_kind, followup.reminder.nudge_sent_at) == (None, due)
    # next: the first overdue nudge, Thursday at the window start
    assert followup.reminder.next_reminder_at == datetime(2026, 3, 26, 9, tzinfo=UTC)


async def test_outside_working_hours_nothing_goes_out_until_the_window(
    session_factory: Factory,
) -> None:
    navigator = await _member(session_factory, 1)
    due = datetime(2026, 3, 25, 20, tzinfo=UTC)  # Wed 20:00, after hours
    fid = await _follow_up(session_factory, navigator, due)
    assert await _sweep(session_factory, due + timedelta(minutes=30)) == []
    followup = await _followup(session_factory, fid)
    assert followup.reminder.next_reminder_at == datetime(2026, 3, 26, 9, tzinfo=UTC)
    assert followup.reminder.nudge_kind is None
    sent = await _sweep(session_factory, datetime(2026, 3, 26, 9, tzinfo=UTC))
    # By Thursday's window it is overdue (its due day has ended): one nudge, the overdue one.
    assert [(n.kind, n.days_overdue) for n in sent] == [("overdue", 1)]


async def test_a_nine_oclock_reminder_stays_at_nine_across_both_dst_changes(
    session_factory: Factory,
) -> None:
    navigator = await _member(session_factory, 1)
    # Spring: Fri 27 Mar 09:00 GMT = 09:00 UTC; Mon 30 Mar 09:00 BST = 08:00 UTC.
    before = await _follow_up(session_factory, navigator, datetime(2026, 3, 27, 9, tzinfo=UTC))
    after = await _follow_up(
        session_factory, navigator, datetime(2026, 3, 30, 8, tzinfo=UTC), code="C124"
    )
    # Autumn: Fri 23 Oct 09:00 BST = 08:00 UTC; Mon 26 Oct 09:00 GMT = 09:00 UTC.
    await _follow_up(session_factory, navigator, datetime(2026, 10, 26, 9, tzinfo=UTC), code="C125")
    assert (await _followup(session_factory, before)).reminder.next_reminder_at == datetime(
        2026, 3, 27, 9, tzinfo=UTC
    )
    assert (await _followup(session_factory, after)).reminder.next_reminder_at == datetime(
        2026, 3, 30, 8, tzinfo=UTC
    )
    sent = await _sweep(session_factory, datetime(2026, 3, 27, 9, tzinfo=UTC))
    # the first overdue nudge of the Friday follow-up is Monday 09:00 BST
    assert (await _followup(session_factory, before)).reminder.next_reminder_at == datetime(
        2026, 3, 30, 8, tzinfo=UTC
    )
    sent += await _sweep(session_factory, datetime(2026, 3, 30, 7, 59, tzinfo=UTC))
    assert [(n.kind, n.code) for n in sent] == [("due", "C123")]
    sent += await _sweep(session_factory, datetime(2026, 3, 30, 8, tzinfo=UTC))
    kinds = sorted((n.kind, n.code) for n in sent)
    assert ("due", "C124") in kinds
    assert ("overdue", "C123") in kinds
    autumn = await _sweep(session_factory, datetime(2026, 10, 26, 8, 30, tzinfo=UTC))  # GMT
    assert "C125" not in [n.code for n in autumn]
    autumn += await _sweep(session_factory, datetime(2026, 10, 26, 9, tzinfo=UTC))
    assert ("due", "C125") in [(n.kind, n.code) for n in autumn]


async def test_overdue_nudges_once_a_working_day_at_most_three_and_one_escalation(
    session_factory: Factory,
) -> None:
    navigator = await _member(session_factory, 1)
    supervisor = await _member(session_factory, 2, Role.SUPERVISOR)
    await _member(session_factory, 3, Role.SUPERVISOR, team="community")  # another team
    due = datetime(2026, 3, 2, 9, tzinfo=UTC)  # Mon 2 Mar
    fid = await _follow_up(session_factory, navigator, due)
    now = due
    sent: list[SentNudge] = []
    while now < due + timedelta(days=14):  # a sweep every hour for two weeks
        sent += await _sweep(session_factory, now)
        now += timedelta(hours=1)
    overdue = [n for n in sent if n.kind == "overdue"]
    assert [n.days_overdue for n in overdue] == [1, 2, 3]
    assert [n.at.date().isoformat() for n in overdue] == [
        "2026-03-03",
        "2026-03-04",
        "2026-03-05",
    ]
    assert all(n.at.hour == 9 for n in overdue)
    escalations = await _rows(session_factory, "escalation")
    assert [(r.recipient_id, r.payload["days_overdue"]) for r in escalations] == [
        (supervisor.id, 3)
    ]
    assert [n.kind for n in sent if n.kind == "due"] == ["due"]
    followup = await _followup(session_factory, fid)
    assert followup.reminder.next_reminder_at is None
    assert followup.reminder.overdue_nudges_sent == 3
    assert followup.reminder.escalated_at is not None


async def test_after_downtime_only_the_latest_overdue_nudge_goes_out(
    session_factory: Factory,
) -> None:
    navigator = await _member(session_factory, 1)
    due = datetime(2026, 3, 2, 9, tzinfo=UTC)
    await _follow_up(session_factory, navigator, due)
    sent = await _sweep(session_factory, datetime(2026, 3, 4, 11, tzinfo=UTC))  # Wed, was down
    assert [(n.kind, n.days_overdue) for n in sent] == [("overdue", 2)]


async def test_safeguarding_repeats_to_admins_only_when_unacknowledged(
    session_factory: Factory,
) -> None:
    navigator = await _member(session_factory, 1)
    supervisor = await _member(session_factory, 2, Role.SUPERVISOR)
    admin_a = await _member(session_factory, 3, Role.ADMIN, team="office")
    admin_b = await _member(session_factory, 4, Role.ADMIN, team="office")
    now = datetime(2026, 3, 25, 22, tzinfo=UTC)  # at night: safeguarding does not wait
    await _follow_up(
        session_factory, navigator, now + timedelta(days=2), now=now, risks=(Risk.WEAPON,)
    )
    await _follow_up(
        session_factory,
        navigator,
        now + timedelta(days=2),
        now=now,
        risks=(Risk.SUICIDAL,),
        code="C999",
    )
    first = await _rows(session_factory, "safeguarding")
    assert [r.recipient_id for r in first] == [supervisor.id, supervisor.id]
    async with session_factory.begin() as session:
        ack = await acknowledge_alert(
            session, actor=supervisor, alert_id=first[1].alert_id or 0, now=now
        )
    assert not isinstance(ack, str)
    await _sweep(session_factory, now + timedelta(minutes=29))
    assert len(await _rows(session_factory, "safeguarding")) == 2
    await _sweep(session_factory, now + timedelta(minutes=30))
    await _sweep(session_factory, now + timedelta(minutes=45))
    repeats = [r for r in await _rows(session_factory, "safeguarding") if r.payload.get("repeat")]
    assert sorted(r.recipient_id for r in repeats) == sorted([admin_a.id, admin_b.id])
    assert {r.alert_id for r in repeats} == {first[0].alert_id}


async def test_agenda_once_per_working_day_at_the_window_start(session_factory: Factory) -> None:
    navigator = await _member(session_factory, 1)
    idle = await _member(session_factory, 2)
    await _follow_up(session_factory, navigator, datetime(2026, 3, 23, 9, tzinfo=UTC))
    await _sweep(session_factory, datetime(2026, 3, 25, 8, tzinfo=UTC))
    assert await _rows(session_factory, "agenda") == []
    for minute in (0, 1, 30):
        await _sweep(session_factory, datetime(2026, 3, 25, 9, minute, tzinfo=UTC))
    agendas = await _rows(session_factory, "agenda")
    assert [(r.recipient_id, r.dedupe_key) for r in agendas] == [
        (navigator.id, f"agenda:{navigator.id}:2026-03-25")
    ]
    assert agendas[0].payload["items"][0]["code"] == "C123"
    assert agendas[0].payload["items"][0]["days_overdue"] == 2
    await _sweep(session_factory, datetime(2026, 3, 28, 9, tzinfo=UTC))  # Saturday
    await _sweep(session_factory, datetime(2026, 3, 30, 8, tzinfo=UTC))  # Monday 09:00 BST
    assert [r.dedupe_key for r in await _rows(session_factory, "agenda")] == [
        f"agenda:{navigator.id}:2026-03-25",
        f"agenda:{navigator.id}:2026-03-30",
    ]
    assert idle.id not in [r.recipient_id for r in await _rows(session_factory, "agenda")]


async def test_a_night_shift_s_agenda_belongs_to_the_evening_it_starts(
    session_factory: Factory,
) -> None:
    nights = await _member(session_factory, 3)
    async with session_factory.begin() as session:
        row = await session.get(Staff, nights.id)
        assert row is not None
        row.working_hours = "mon-fri 20:00-08:00"
    await _follow_up(session_factory, nights, datetime(2026, 11, 27, 21, tzinfo=UTC))

    async def keys() -> list[OutboxMessage]:
        return await _rows(session_factory, "agenda")

    # Monday 30 November (GMT): nothing in the day, one agenda at the start of the shift
    await _sweep(session_factory, datetime(2026, 11, 30, 9, tzinfo=UTC))
    assert await keys() == []
    await _sweep(session_factory, datetime(2026, 11, 30, 20, 1, tzinfo=UTC))
    # 02:00 on Tuesday is still Monday's shift: no second agenda
    await _sweep(session_factory, datetime(2026, 12, 1, 2, tzinfo=UTC))
    await _sweep(session_factory, datetime(2026, 12, 1, 12, tzinfo=UTC))
    assert [r.dedupe_key for r in await keys()] == [f"agenda:{nights.id}:2026-11-30"]
    # The bot is down on Tuesday evening and back at 03:00: Tuesday's agenda then, once
    await _sweep(session_factory, datetime(2026, 12, 2, 3, tzinfo=UTC))
    await _sweep(session_factory, datetime(2026, 12, 2, 4, tzinfo=UTC))
    assert [r.dedupe_key for r in await keys()] == [
        f"agenda:{nights.id}:2026-11-30",
        f"agenda:{nights.id}:2026-12-01",
    ]
    # Wednesday 20:00: Wednesday's
    await _sweep(session_factory, datetime(2026, 12, 2, 20, tzinfo=UTC))
    assert len(await keys()) == 3


async def _outbox(factory: Factory, count: int, now: datetime) -> StaffMember:
    navigator = await _member(factory, 77)
    async with factory.begin() as session:
        for i in range(count):
            await create_outbox_message(
                session,
                dedupe_key=f"notice:{i}",
                kind="notice",
                recipient_id=navigator.id,
                not_before=now,
                payload={"text": f"n{i}"},
            )
    return navigator


async def test_claim_holds_for_the_lease_then_anyone_may_reclaim(session_factory: Factory) -> None:
    now = datetime(2026, 3, 25, 10, tzinfo=UTC)
    await _outbox(session_factory, 3, now)
    lease = timedelta(seconds=60)

    async def claim(who: str, at: datetime) -> list[int]:
        async with session_factory.begin() as session:
            rows = await claim_outbox_messages(
                session, now=at, claimed_by=who, lease_cutoff=at - lease, limit=10
            )
            return [r.id for r in rows]

    first = await claim("a", now)
    assert len(first) == 3
    assert await claim("b", now + timedelta(seconds=59)) == []
    async with session_factory.begin() as session:
        await mark_outbox_sent(session, message_id=first[0], at=now, telegram_message_id=1)
    reclaimed = await claim("b", now + timedelta(seconds=61))
    assert sorted(reclaimed) == sorted(first[1:])  # sent rows are never claimed again
    rows = {r.id: r for r in await _rows(session_factory)}
    assert rows[first[1]].claimed_by == "b"
    assert rows[first[1]].attempts == 2
    # not_before in the future: not yet
    async with session_factory.begin() as session:
        await create_outbox_message(
            session,
            dedupe_key="later",
            kind="notice",
            recipient_id=rows[first[0]].recipient_id,
            not_before=now + timedelta(hours=1),
            payload={"text": "later"},
        )
    assert await claim("c", now + timedelta(seconds=62)) == []


async def test_concurrent_claimers_never_get_the_same_row(session_factory: Factory) -> None:
    now = datetime(2026, 3, 25, 10, tzinfo=UTC)
    await _outbox(session_factory, 200, now)
    claimed: dict[str, list[int]] = {"a": [], "b": [], "c": []}

    async def claimer(who: str) -> None:
        while True:
            async with session_factory.begin() as session:
                rows = await claim_outbox_messages(
                    session,
                    now=now,
                    claimed_by=who,
                    lease_cutoff=now - timedelta(minutes=5),
                    limit=7,
                )
                ids = [r.id for r in rows]
                await asyncio.sleep(0)  # hold the lock across a scheduling point
            if not ids:
                return
            claimed[who].extend(ids)

    await asyncio.gather(*(claimer(who) for who in claimed))
    everything = [i for ids in claimed.values() for i in ids]
    assert len(everything) == 200
    assert len(set(everything)) == 200


async def _sweep_statements(
    engine: AsyncEngine, factory: Factory, now: datetime, limit: int
) -> int:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        async with factory.begin() as session:
            await produce_due_reminders(session, now=now, settings=SETTINGS, limit=limit)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    return len(statements)


async def test_a_batch_costs_the_same_statements_whatever_its_size(
    engine: AsyncEngine, session_factory: Factory
) -> None:
    """Nudges, overdue nudges and escalations for many follow-ups, two teams, two days: each
    sweep's statements do not grow with the batch, every nudge goes to its own navigator and
    names its own client's last contact and services."""
    teams = ("hospital", "community")
    supervisors = {
        team: await _member(session_factory, 100 + i, Role.SUPERVISOR, team=team)
        for i, team in enumerate(teams)
    }
    due = datetime(2026, 3, 2, 9, tzinfo=UTC)  # Mon 2 Mar
    expected: dict[str, tuple[int, str]] = {}
    for size, first_code in ((2, 200), (12, 300)):
        for i in range(size):
            navigator = await _member(session_factory, first_code + i, team=teams[i % 2])
            code = f"C{first_code + i}"
            async with session_factory.begin() as session:
                saved = await save_contact(
                    session,
                    staff=navigator,
                    contact=ContactInput(
                        client_code=code,
                        setting=Setting.HOSPITAL if i % 2 else Setting.COMMUNITY,
                        outcome=Outcome.MADE,
                        services=((Service.HOUSING, ServiceStatus.REFERRED),) * (i % 2),
                        follow_up_at=due,
                    ),
                    now=due - timedelta(days=1),
                    settings=SETTINGS,
                )
            assert saved.followup_id is not None
            expected[code] = (navigator.id, teams[i % 2])
    # A batch of 2 due nudges, then one of the other 12: the same statements.
    small = await _sweep_statements(engine, session_factory, due, limit=2)
    sent = await _deliver_nudges(session_factory, due)
    assert len(sent) == 2
    assert await _sweep_statements(engine, session_factory, due, limit=500) == small
    sent += await _deliver_nudges(session_factory, due)
    assert len(sent) == 14
    assert await _rows(session_factory) == []
    # Thursday: the third overdue nudge and the escalation of all 14 in one batch; on top,
    # only the supervisors of each team are read and the escalations written.
    thursday = due + timedelta(days=3)
    assert await _sweep_statements(engine, session_factory, thursday, limit=500) <= small + 3
    sent += await _deliver_nudges(session_factory, thursday)
    due_nudges = [n for n in sent if n.kind == "due"]
    assert len(due_nudges) == 14
    for nudge in due_nudges:
        navigator_id, _team = expected[nudge.code]
        assert nudge.recipient_id == navigator_id
        odd = int(nudge.code[1:]) % 2 == 1
        assert nudge.last is not None
        assert nudge.last["setting"] == ("hospital" if odd else "community")
        assert nudge.last["services"] == ([["housing", "referred"]] if odd else [])
    overdue = [n for n in sent if n.kind == "overdue"]
    assert sorted(n.days_overdue for n in overdue) == [3] * 14
    assert sorted(n.recipient_id for n in overdue) == sorted(n.recipient_id for n in due_nudges)
    escalations = await _rows(session_factory)
    assert {r.kind for r in escalations} == {"escalation"}
    assert sorted((r.payload["code"], r.recipient_id) for r in escalations) == sorted(
        (code, supervisors[team].id) for code, (_nav, team) in expected.items()
    )
    # The same sweep again owes nothing new.
    assert await _sweep(session_factory, thursday) == []
    assert len(await _rows(session_factory)) == len(escalations)


async def test_a_batch_writes_what_single_statements_would(
    engine: AsyncEngine, session_factory: Factory
) -> None:
    """The batch's follow-up states and escalations travel as one JSON parameter each: they
    must come back as the ORM writes them (aware UTC times, booleans, the payload as an
    object), and a stored next_reminder_at or nudge_not_before must compare in SQL exactly at
    its instant (on SQLite that needs the column's own text format)."""
    navigator = await _member(session_factory, 1)
    supervisor = await _member(session_factory, 2, Role.SUPERVISOR)
    due = datetime(2026, 3, 25, 9, 30, 15, 123456, tzinfo=UTC)  # Wed, with microseconds
    fids = [await _follow_up(session_factory, navigator, due, code=f"C{i}") for i in (7, 5, 6)]
    now = due + timedelta(minutes=1, microseconds=7)
    await produce_all(session_factory, now=now, settings=SETTINGS)
    for fid in fids:
        owed = await _followup(session_factory, fid)
        assert (
            owed.reminder.nudge_kind,
            owed.reminder.nudge_days_overdue,
            owed.reminder.nudge_attempts,
        ) == ("due", 0, 0)
        assert (owed.reminder.nudge_claimed_by, owed.reminder.nudge_claimed_at) == (None, None)
        assert owed.reminder.nudge_not_before == now
        assert owed.reminder.nudge_not_before.tzinfo is not None
    async with session_factory.begin() as session:
        early = now - timedelta(microseconds=1)
        assert (
            await claim_followup_nudges(
                session, now=early, claimed_by="t", lease_cutoff=early, limit=10
            )
            == []
        )
    sent = await _deliver_nudges(session_factory, now)
    assert [n.followup_id for n in sent] == sorted(fids)  # oldest first, then by id
    assert all(n.last is not None and n.last["services"] == [] for n in sent)
    followup = await _followup(session_factory, fids[0])
    assert followup.reminder.due_nudge_sent is True
    assert followup.reminder.overdue_nudges_sent == 0
    assert followup.reminder.escalated_at is None
    following = datetime(2026, 3, 26, 9, tzinfo=UTC)
    assert followup.reminder.next_reminder_at == following
    async with session_factory() as session:
        chosen = await session.scalars(
            select(FollowUpReminder.followup_id).where(
                FollowUpReminder.next_reminder_at <= following
            )
        )
        assert sorted(chosen.all()) == sorted(fids)
        earlier = await session.scalars(
            select(FollowUpReminder.followup_id).where(
                FollowUpReminder.next_reminder_at <= following - timedelta(microseconds=1)
            )
        )
        assert earlier.all() == []
    # An escalation stores its time, and a second sweep at the same moment adds nothing.
    monday = datetime(2026, 3, 30, 8, tzinfo=UTC)  # Mon 09:00 BST
    await _sweep(session_factory, monday)
    escalated = await _followup(session_factory, fids[0])
    assert escalated.reminder.escalated_at == monday
    rows = await _rows(session_factory, "escalation")
    assert len(rows) == 3
    for row in rows:
        assert (row.status, row.attempts, row.alert_id) == ("pending", 0, None)
        assert row.recipient_id == supervisor.id
        assert row.not_before == monday
        assert row.created_at == monday
        assert row.payload["due_at"] == due.isoformat()
    assert [r.id for r in rows] == sorted(r.id for r in rows)
    await _sweep(session_factory, monday)
    assert len(await _rows(session_factory)) == len(rows)
