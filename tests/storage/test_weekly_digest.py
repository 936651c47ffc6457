"""The weekly digest is produced once per supervisor and week, at their Monday window start."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import bot.reports.collect
import bot.reports.digest
from bot.contacts.saving import reminder_settings
from bot.core.domain import StaffMember
from bot.reports.digest import produce_weekly_digests
from storage.db import create_engine, create_session_factory, create_snapshot_session_factory
from storage.migrate import upgrade_engine_to_head
from storage.models import OutboxMessage
from storage.staff import create_or_reactivate_staff
from tests.conftest import make_settings
from tests.handlers.harness import running_harness
from tests.stats_cohort import DRUG, ENG, CohortBuilder

Factory = async_sessionmaker[AsyncSession]
SETTINGS = make_settings("sqlite+aiosqlite://")
MONDAY_9_BST = datetime(2026, 7, 13, 8, 0, tzinfo=UTC)  # Monday 13 July 2026, 09:00 local


async def _staff(factory: Factory, telegram_id: int, role: str, **fields: object) -> StaffMember:
    async with factory.begin() as session:
        row = await create_or_reactivate_staff(
            session,
            telegram_id=telegram_id,
            role=role,
            team="hospital",
            display_name=f"Staff {telegram_id}",
            telegram_language="en",
        )
        # Staff in these tests joined long before the weeks they get digests for.
        for key, value in {"created_at": datetime(2026, 1, 5, tzinfo=UTC), **fields}.items():
            setattr(row, key, value)
    return StaffMember.from_row(row)


@pytest.fixture
def snapshots(engine: AsyncEngine) -> Factory:
    return create_snapshot_session_factory(engine)


async def _produce(factory: Factory, snapshots: Factory, *, now: datetime) -> int:
    return await produce_weekly_digests(
        factory, snapshot_session_factory=snapshots, now=now, settings=SETTINGS
    )


async def _outbox(factory: Factory) -> list[OutboxMessage]:
    async with factory() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def test_digest_at_the_monday_window_start_once(
    session_factory: Factory, snapshots: Factory
) -> None:
    nav = await _staff(session_factory, 1, "navigator")
    sup = await _staff(session_factory, 2, "supervisor")
    late = await _staff(session_factory, 3, "supervisor", working_hours="tue-fri 10:00-16:00")
    builder = CohortBuilder(session_factory, nav, reminder_settings(SETTINGS))
    await builder.log("C001", datetime(2026, 7, 8, 10, tzinfo=UTC), (DRUG, ENG))  # last week
    await builder.log(
        "C002",
        datetime(2026, 7, 1, 10, tzinfo=UTC),
        follow_up_at=datetime(2026, 7, 6, 9, tzinfo=UTC),
    )

    early = MONDAY_9_BST - timedelta(minutes=1)
    assert await _produce(session_factory, snapshots, now=early) == 0
    now = MONDAY_9_BST + timedelta(minutes=3)
    assert await _produce(session_factory, snapshots, now=now) == 1
    assert await _produce(session_factory, snapshots, now=now) == 0

    [digest] = await _outbox(session_factory)
    assert (digest.kind, digest.recipient_id) == ("notice", sup.id)
    assert digest.dedupe_key == f"digest:{sup.id}:2026-W29"
    assert digest.not_before == MONDAY_9_BST
    text = digest.payload["text"]
    assert text.startswith("<b>Weekly digest</b>\n<b>Stats for hospital — 2026-W28</b>")
    assert "Drug treatment: 100% (1/1)" in text
    assert "C002 — due Mon 06/07/2026 10:00, 5 working days overdue" in text
    assert len(text) <= 4096

    # The supervisor who starts on Tuesdays gets theirs then, once.
    tuesday = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)  # 10:00 local
    assert await _produce(session_factory, snapshots, now=tuesday) == 1
    assert await _produce(session_factory, snapshots, now=tuesday) == 0
    keys = [row.dedupe_key for row in await _outbox(session_factory)]
    assert keys == [f"digest:{sup.id}:2026-W29", f"digest:{late.id}:2026-W29"]
    # Next week, a new digest for each.
    next_monday = MONDAY_9_BST + timedelta(days=7, minutes=5)
    assert await _produce(session_factory, snapshots, now=next_monday) == 1


async def test_on_easter_monday_the_digest_waits_for_tuesday_and_skips_the_holidays(
    session_factory: Factory, snapshots: Factory
) -> None:
    settings = make_settings("sqlite+aiosqlite://", holiday_region="england-wales")
    nav = await _staff(session_factory, 1, "navigator")
    sup = await _staff(session_factory, 2, "supervisor")
    builder = CohortBuilder(session_factory, nav, reminder_settings(settings))
    # due Thursday 25 March 2027; Good Friday 26th and Easter Monday 29th are bank holidays
    await builder.log(
        "C003",
        datetime(2027, 3, 22, 10, tzinfo=UTC),
        follow_up_at=datetime(2027, 3, 25, 9, tzinfo=UTC),
    )

    async def produce(now: datetime) -> int:
        return await produce_weekly_digests(
            session_factory, snapshot_session_factory=snapshots, now=now, settings=settings
        )

    easter_monday = datetime(2027, 3, 29, 9, tzinfo=UTC)  # 10:00 BST
    assert await produce(easter_monday) == 0
    tuesday = datetime(2027, 3, 30, 8, 5, tzinfo=UTC)  # 09:05 BST
    assert await produce(tuesday) == 1
    [digest] = await _outbox(session_factory)
    assert digest.recipient_id == sup.id
    assert digest.dedupe_key == f"digest:{sup.id}:2027-W13"
    # Friday and Monday were off: Tuesday is the first working day overdue
    assert "C003 — due Thu 25/03/2027 09:00, 1 working day overdue" in digest.payload["text"]


async def test_no_digest_for_a_week_that_ended_before_the_supervisor_joined(
    session_factory: Factory, snapshots: Factory
) -> None:
    await _staff(session_factory, 1, "navigator")
    # Invited on the Monday morning itself, and on the Sunday before: last week was not theirs
    # for the first; the second was there for (the end of) it.
    today = await _staff(
        session_factory, 2, "supervisor", created_at=MONDAY_9_BST - timedelta(minutes=30)
    )
    sunday = await _staff(
        session_factory, 3, "supervisor", created_at=MONDAY_9_BST - timedelta(hours=10)
    )
    now = MONDAY_9_BST + timedelta(minutes=3)
    assert await _produce(session_factory, snapshots, now=now) == 1
    assert [row.recipient_id for row in await _outbox(session_factory)] == [sunday.id]
    # Their first digest is the Monday after their first week.
    next_monday = MONDAY_9_BST + timedelta(days=7, minutes=3)
    assert await _produce(session_factory, snapshots, now=next_monday) == 2
    keys = [row.dedupe_key for row in await _outbox(session_factory)]
    assert f"digest:{today.id}:2026-W30" in keys
    assert f"digest:{today.id}:2026-W29" not in keys


async def test_the_digest_job_is_scheduled_at_start(sqlite_url: str) -> None:
    async with running_harness(make_settings(sqlite_url)) as h:
        assert h.app.job_queue is not None
        jobs = h.app.job_queue.get_jobs_by_name("weekly-digest")
        assert len(jobs) == 1


async def test_a_bengali_supervisor_gets_the_digest_in_bengali_with_bengali_digits(
    session_factory: Factory, snapshots: Factory
) -> None:
    nav = await _staff(session_factory, 1, "navigator")
    sup = await _staff(session_factory, 2, "supervisor", ui_language="bn")
    builder = CohortBuilder(session_factory, nav, reminder_settings(SETTINGS))
    await builder.log("C001", datetime(2026, 7, 8, 10, tzinfo=UTC), (DRUG, ENG))
    await builder.log(
        "C002",
        datetime(2026, 7, 1, 10, tzinfo=UTC),
        follow_up_at=datetime(2026, 7, 6, 9, tzinfo=UTC),
    )
    now = MONDAY_9_BST + timedelta(minutes=3)
    assert await _produce(session_factory, snapshots, now=now) == 1
    [digest] = await _outbox(session_factory)
    assert digest.recipient_id == sup.id
    text = digest.payload["text"]
    assert text.startswith(
        "<b>সাপ্তাহিক সারসংক্ষেপ</b>\n<b>পরিসংখ্যান: hospital — 2026-W28</b> (০৬/০৭/২০২৬–১২/০৭/২০২৬)"
    )
    assert "মাদকের চিকিৎসা: ১০০% (১/১)" in text
    assert "<b>hospital: দেরি হওয়া ১টি ফলো আপ</b>" in text
    assert "C002 — তারিখ ছিল সোম ০৬/০৭/২০২৬ ১০:০০, ৫ কাজের দিন দেরি" in text
    # Latin digits only in data and typed arguments: codes, names, period labels.
    rest = re.sub(r"2026-W28|C00\d|Staff \d", "", text)
    assert not re.search(r"[0-9]", rest), rest


async def test_rendering_the_digest_does_not_hold_the_sqlite_write_lock(
    sqlite_url: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A digest's stats take a while on a big database; a navigator's log must not wait."""
    engine = create_engine(sqlite_url)
    await upgrade_engine_to_head(engine)
    factory = create_session_factory(engine)
    nav = await _staff(factory, 1, "navigator")
    await _staff(factory, 2, "supervisor")
    await CohortBuilder(factory, nav, reminder_settings(SETTINGS)).log(
        "C001", datetime(2026, 7, 8, 10, tzinfo=UTC), (DRUG, ENG)
    )
    writer_got_the_lock: list[bool] = []
    collect_stats = bot.reports.collect.collect_stats  # what bot.reports.digest calls

    async def collect_stats_while_another_writer_tries(*args: Any, **kwargs: Any) -> Any:
        other = sqlite3.connect(tmp_path / "navbot.db", timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            writer_got_the_lock.append(True)
        except sqlite3.OperationalError:  # "database is locked"
            writer_got_the_lock.append(False)
        finally:
            other.close()
        return await collect_stats(*args, **kwargs)

    monkeypatch.setattr(
        bot.reports.digest, "collect_stats", collect_stats_while_another_writer_tries
    )
    try:
        produced = await produce_weekly_digests(
            factory,
            snapshot_session_factory=create_snapshot_session_factory(engine),
            now=MONDAY_9_BST + timedelta(minutes=3),
            settings=SETTINGS,
        )
    finally:
        await engine.dispose()
    assert produced == 1
    assert writer_got_the_lock == [True]
