"""A follow-up's nudge queue (storage/nudges.py) on a real database (SQLite, and PostgreSQL if
set): the claim, its lease, what a replaced or forgotten nudge does to a claim in flight, and
the reminder row every follow-up has."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from alembic import command
from sqlalchemy import bindparam, event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.contacts.saving import ContactInput, reminder_settings, save_contact
from bot.core.domain import Outcome, Role, Setting, StaffMember
from bot.core.reminder_policy import SnoozeOption
from bot.followups.actions import Moved, snooze
from bot.followups.sweep import produce_all
from storage.db import create_engine, create_session_factory
from storage.followups import list_followups_to_remind
from storage.migrate import alembic_config, upgrade_to_head
from storage.models import Client, FollowUp, FollowUpReminder
from storage.nudges import (
    ClaimedNudge,
    claim_followup_nudges,
    finish_nudge,
    mark_nudge_sent,
    release_nudge,
)
from storage.staff import create_or_reactivate_staff
from storage.types import UTCDateTime
from tests.conftest import make_settings

Factory = async_sessionmaker[AsyncSession]
SETTINGS = reminder_settings(make_settings("sqlite+aiosqlite://"))
DUE = datetime(2026, 3, 25, 9, tzinfo=UTC)  # Wed 09:00 GMT, inside the default hours
LEASE = timedelta(seconds=60)


async def _navigator(factory: Factory, telegram_id: int = 1) -> StaffMember:
    async with factory.begin() as session:
        row = await create_or_reactivate_staff(
            session,
            telegram_id=telegram_id,
            role=Role.NAVIGATOR.value,
            team="hospital",
            display_name=f"S{telegram_id}",
            telegram_language="en",
        )
        return StaffMember.from_row(row)


async def _due_follow_up(factory: Factory, navigator: StaffMember, code: str = "C123") -> int:
    async with factory.begin() as session:
        saved = await save_contact(
            session,
            staff=navigator,
            contact=ContactInput(
                client_code=code, setting=Setting.HOSPITAL, outcome=Outcome.MADE, follow_up_at=DUE
            ),
            now=DUE - timedelta(days=1),
            settings=SETTINGS,
        )
    assert saved.followup_id is not None
    return saved.followup_id


async def _claim(factory: Factory, who: str, at: datetime, limit: int = 10) -> list[ClaimedNudge]:
    async with factory.begin() as session:
        return await claim_followup_nudges(
            session, now=at, claimed_by=who, lease_cutoff=at - LEASE, limit=limit
        )


async def _reminder(factory: Factory, followup_id: int) -> FollowUpReminder:
    async with factory() as session:
        row = await session.get(FollowUpReminder, followup_id)
        assert row is not None
        return row


async def test_a_claim_holds_for_the_lease_then_another_sender_takes_it_over(
    session_factory: Factory,
) -> None:
    navigator = await _navigator(session_factory)
    fid = await _due_follow_up(session_factory, navigator)
    assert await _claim(session_factory, "a", DUE) == []  # nothing owed before the sweep
    await produce_all(session_factory, now=DUE, settings=SETTINGS)
    [first] = await _claim(session_factory, "a", DUE)
    assert (first.followup_id, first.recipient_id, first.kind, first.attempts) == (
        fid,
        navigator.id,
        "due",
        1,
    )
    assert await _claim(session_factory, "b", DUE + timedelta(seconds=59)) == []
    [second] = await _claim(session_factory, "b", DUE + timedelta(seconds=61))
    assert (second.followup_id, second.attempts) == (fid, 2)
    async with session_factory.begin() as session:
        # "a" crashed and came back after its lease: its claim is gone, it records nothing
        assert not await mark_nudge_sent(session, nudge=first, claimed_by="a", at=DUE)
    assert (await _reminder(session_factory, fid)).nudge_claimed_by == "b"
    async with session_factory.begin() as session:
        assert await mark_nudge_sent(session, nudge=second, claimed_by="b", at=DUE)
    done = await _reminder(session_factory, fid)
    assert (done.nudge_kind, done.nudge_claimed_by, done.nudge_sent_at) == (None, None, DUE)
    assert await _claim(session_factory, "c", DUE + timedelta(hours=1)) == []


async def test_a_released_nudge_waits_for_its_time_and_a_failed_one_is_dropped(
    session_factory: Factory,
) -> None:
    navigator = await _navigator(session_factory)
    fid = await _due_follow_up(session_factory, navigator)
    await produce_all(session_factory, now=DUE, settings=SETTINGS)
    [claimed] = await _claim(session_factory, "a", DUE)
    async with session_factory.begin() as session:
        await release_nudge(
            session,
            nudge=claimed,
            claimed_by="a",
            not_before=DUE + timedelta(seconds=30),
            error="RetryAfter",
        )
    released = await _reminder(session_factory, fid)
    assert (released.nudge_kind, released.nudge_last_error) == ("due", "RetryAfter")
    assert await _claim(session_factory, "a", DUE + timedelta(seconds=29)) == []
    [again] = await _claim(session_factory, "a", DUE + timedelta(seconds=31))
    assert again.attempts == 2
    async with session_factory.begin() as session:
        await finish_nudge(session, nudge=again, claimed_by="a", error="failed:Forbidden")
    dropped = await _reminder(session_factory, fid)
    assert (dropped.nudge_kind, dropped.nudge_sent_at) == (None, None)
    assert dropped.nudge_last_error == "failed:Forbidden"
    assert await _claim(session_factory, "a", DUE + timedelta(hours=1)) == []


async def test_a_newer_nudge_replaces_one_not_sent_and_voids_its_claim(
    session_factory: Factory,
) -> None:
    navigator = await _navigator(session_factory)
    fid = await _due_follow_up(session_factory, navigator)
    await produce_all(session_factory, now=DUE, settings=SETTINGS)
    [in_flight] = await _claim(session_factory, "a", DUE)
    thursday = DUE + timedelta(days=1)  # Thu 09:00: the first overdue nudge
    await produce_all(session_factory, now=thursday, settings=SETTINGS)
    owed = await _reminder(session_factory, fid)
    assert (owed.nudge_kind, owed.nudge_days_overdue, owed.nudge_claimed_by) == (
        "overdue",
        1,
        None,
    )
    async with session_factory.begin() as session:
        # The old send finishes after the sweep: it must not count as the overdue nudge.
        assert not await mark_nudge_sent(session, nudge=in_flight, claimed_by="a", at=thursday)
    [newer] = await _claim(session_factory, "a", thursday)
    assert (newer.kind, newer.days_overdue, newer.attempts) == ("overdue", 1, 1)


async def test_concurrent_claimers_never_get_the_same_nudge(session_factory: Factory) -> None:
    navigator = await _navigator(session_factory)
    for i in range(60):
        await _due_follow_up(session_factory, navigator, code=f"C{100 + i}")
    await produce_all(session_factory, now=DUE, settings=SETTINGS)
    claimed: dict[str, list[int]] = {"a": [], "b": [], "c": []}

    async def claimer(who: str) -> None:
        while True:
            async with session_factory.begin() as session:
                nudges = await claim_followup_nudges(
                    session, now=DUE, claimed_by=who, lease_cutoff=DUE - LEASE, limit=7
                )
                await asyncio.sleep(0)  # hold the locks across a scheduling point
            if not nudges:
                return
            claimed[who].extend(n.followup_id for n in nudges)

    await asyncio.gather(*(claimer(who) for who in claimed))
    everything = [i for ids in claimed.values() for i in ids]
    assert len(everything) == 60
    assert len(set(everything)) == 60


async def test_snoozing_or_logging_forgets_the_nudge_not_yet_sent(
    session_factory: Factory,
) -> None:
    navigator = await _navigator(session_factory)
    snoozed = await _due_follow_up(session_factory, navigator, code="C1")
    logged = await _due_follow_up(session_factory, navigator, code="C2")
    await produce_all(session_factory, now=DUE, settings=SETTINGS)
    [in_flight, *_] = await _claim(session_factory, "a", DUE)
    assert in_flight.followup_id == snoozed
    async with session_factory.begin() as session:
        moved = await snooze(
            session,
            actor=navigator,
            followup_id=snoozed,
            option=SnoozeOption.HOUR,
            now=DUE + timedelta(minutes=1),
            settings=SETTINGS,
        )
    assert isinstance(moved, Moved)
    async with session_factory.begin() as session:
        await save_contact(
            session,
            staff=navigator,
            contact=ContactInput(client_code="C2", setting=Setting.HOSPITAL, outcome=Outcome.MADE),
            now=DUE + timedelta(minutes=2),
            settings=SETTINGS,
        )
    for fid in (snoozed, logged):
        forgotten = await _reminder(session_factory, fid)
        assert (forgotten.nudge_kind, forgotten.nudge_claimed_by) == (None, None)
    async with session_factory.begin() as session:
        assert not await mark_nudge_sent(session, nudge=in_flight, claimed_by="a", at=DUE)
    assert await _claim(session_factory, "b", DUE + timedelta(minutes=30)) == []
    # The snoozed follow-up is nudged again an hour later, as a new due nudge.
    await produce_all(session_factory, now=DUE + timedelta(hours=1, minutes=1), settings=SETTINGS)
    [again] = await _claim(session_factory, "b", DUE + timedelta(hours=1, minutes=1))
    assert (again.followup_id, again.kind) == (snoozed, "due")


async def test_every_follow_up_has_its_reminder_row(session_factory: Factory) -> None:
    navigator = await _navigator(session_factory)
    await _due_follow_up(session_factory, navigator)  # the saved-log path (Core INSERTs)
    async with session_factory.begin() as session:
        client = await session.scalar(select(Client).where(Client.code == "C123"))
        assert client is not None
        session.add(FollowUp(client_id=client.id, staff_id=navigator.id, due_at=DUE, status="done"))
    async with session_factory() as session:
        followups = await session.scalar(select(func.count()).select_from(FollowUp))
        reminders = await session.scalar(select(func.count()).select_from(FollowUpReminder))
        assert followups == reminders == 2
        loaded = (await session.scalars(select(FollowUp))).all()
        assert len(loaded) == 2
        assert all(f.reminder.followup_id == f.id for f in loaded)


async def _sql(url: str, statement: str, **params: object) -> list[tuple[object, ...]]:
    """Raw SQL, for a schema the models no longer describe; datetimes bound as the columns
    store them."""
    typed = [
        bindparam(k, type_=UTCDateTime()) for k, v in params.items() if isinstance(v, datetime)
    ]
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(text(statement).bindparams(*typed), params)
            return [tuple(row) for row in result.all()] if result.returns_rows else []
    finally:
        await engine.dispose()


async def _reminder_times(url: str) -> tuple[datetime | None, datetime | None]:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            reminder = await session.get(FollowUpReminder, 1)
            assert reminder is not None
            return reminder.escalated_at, reminder.next_reminder_at
    finally:
        await engine.dispose()


def test_the_migration_moves_reminder_state(database_url: str) -> None:
    """0010 -> 0011 copies each follow-up's reminder state into followup_reminders and loses
    no outbox row on the way. (Downgrades are refused: tests/storage/test_migrations.py.)"""
    command.upgrade(alembic_config(database_url), "0010")
    now = datetime(2026, 3, 25, 9, tzinfo=UTC)
    escalated, following = now + timedelta(days=3), now + timedelta(days=4)
    seed: list[tuple[str, dict[str, object]]] = [
        (
            "INSERT INTO staff (id, telegram_id, role, team, ui_language, confirm_cards, active,"
            " reachable, created_at) VALUES (1, 1, 'navigator', 'hospital', 'en', true, true,"
            " true, :now)",
            {"now": now},
        ),
        (
            "INSERT INTO clients (id, code, team, owner_id, status, created_at)"
            " VALUES (1, 'C1', 'hospital', 1, 'open', :now)",
            {"now": now},
        ),
        (
            "INSERT INTO followups (id, client_id, staff_id, due_at, status, created_at,"
            " due_nudge_sent, overdue_nudges_sent, escalated_at, next_reminder_at)"
            " VALUES (1, 1, 1, :now, 'open', :now, true, 2, :escalated, :following)",
            {"now": now, "escalated": escalated, "following": following},
        ),
        (  # a message of the follow-up, which rebuilding the table would cascade away
            "INSERT INTO outbox (dedupe_key, kind, recipient_id, followup_id, payload,"
            " not_before, status, attempts, created_at)"
            " VALUES ('escalation:1:1:0', 'escalation', 1, 1, '{}', :now, 'pending', 0, :now)",
            {"now": now},
        ),
    ]
    for statement, params in seed:
        asyncio.run(_sql(database_url, statement, **params))
    upgrade_to_head(database_url)
    rows = asyncio.run(
        _sql(
            database_url,
            "SELECT followup_id, due_nudge_sent, overdue_nudges_sent, nudge_kind, nudge_attempts"
            " FROM followup_reminders",
        )
    )
    assert [(r[0], bool(r[1]), r[2], r[3], r[4]) for r in rows] == [(1, True, 2, None, 0)]
    assert asyncio.run(_reminder_times(database_url)) == (escalated, following)
    assert asyncio.run(_sql(database_url, "SELECT followup_id FROM outbox")) == [(1,)]


async def test_a_closed_follow_up_left_in_the_queue_is_dropped_from_it(
    session_factory: Factory,
) -> None:
    """Closing clears next_reminder_at; should something close a follow-up without doing so,
    the sweep owes it nothing and takes it out of its queue instead of reading it forever."""
    navigator = await _navigator(session_factory)
    fid = await _due_follow_up(session_factory, navigator)
    async with session_factory.begin() as session:
        followup = await session.get(FollowUp, fid)
        assert followup is not None
        followup.status = "done"  # next_reminder_at left as it was
    await produce_all(session_factory, now=DUE, settings=SETTINGS)
    left = await _reminder(session_factory, fid)
    assert (left.next_reminder_at, left.nudge_kind) == (None, None)
    assert await _claim(session_factory, "a", DUE) == []


def _parents_of_scans(node: dict[str, Any], relation: str, parent: str = "") -> list[str]:
    """The node type above each scan of `relation` in a PostgreSQL JSON plan."""
    found = [parent] if node.get("Relation Name") == relation else []
    for child in node.get("Plans", []):
        found += _parents_of_scans(child, relation, node["Node Type"])
    return found


async def test_the_sweep_read_probes_each_follow_up_instead_of_reading_them_all(
    engine: AsyncEngine, session_factory: Factory
) -> None:
    """The due reminders come from their index, and each one's follow-up is looked up by its
    id: at 100k PostgreSQL hashed the whole followups table when the two were joined."""
    navigator = await _navigator(session_factory)
    await _due_follow_up(session_factory, navigator)
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM followup_reminders" in statement:
            captured.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        async with session_factory() as session:
            await list_followups_to_remind(session, now=DUE, limit=1000)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
    [(statement, parameters)] = captured
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            result = await connection.exec_driver_sql(
                "EXPLAIN (FORMAT JSON) " + statement, parameters
            )
            plan = result.scalar_one()[0]["Plan"]
            # Under the LATERAL's own LIMIT 1: one probe per due reminder, never the inner
            # side of a hash join over the whole table.
            assert _parents_of_scans(plan, "followups") == ["Limit"], plan
        else:
            result = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            steps = [row[3] for row in result.all()]
            assert any(
                s.startswith(
                    "SEARCH followup_reminders USING INDEX ix_followup_reminders_next_reminder_due"
                )
                for s in steps
            ), steps
            assert "SEARCH followups USING INTEGER PRIMARY KEY (rowid=?)" in steps, steps
        await connection.rollback()
