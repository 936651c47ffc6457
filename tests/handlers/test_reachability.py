"""Reachability heals (issue 15): any update from someone marked unreachable makes them
reachable again; what they missed is sent once; their supervisors are told."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from bot.jobs.schedule import run_sweep
from storage.models import OutboxMessage, Staff
from storage.outbox import create_outbox_message, mark_outbox_finished
from tests.handlers.harness import Harness, callback_update
from tests.handlers.test_reminders import (
    ADMIN,
    NAV,
    SUP,
    _followup,
    _get,
    _midday,  # noqa: F401 - the same frozen Wednesday noon
    _my_chat_member,
    _team,
)

pytestmark = pytest.mark.usefixtures("_midday")


async def _block(h: Harness) -> None:
    await h.process(_my_chat_member(NAV, "kicked"))
    await run_sweep(h.app)  # the supervisors hear of it, the nudge fails as unreachable


async def _missed_notice(h: Harness, staff_id: int, key: str) -> None:
    """A message that failed while they could not be reached (a 403, then skipped)."""
    async with h.session() as session:
        await create_outbox_message(
            session,
            dedupe_key=key,
            kind="notice",
            recipient_id=staff_id,
            not_before=datetime.now(UTC) - timedelta(minutes=1),
            payload={"text": f"Weekly digest {key}"},
        )
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == key))
        assert row is not None
        await mark_outbox_finished(session, message_id=row.id, status="failed", error="Forbidden")


@pytest.fixture
def staff_updates(h: Harness) -> Iterator[list[str]]:
    """Every UPDATE of the staff table the bot runs."""
    seen: list[str] = []
    engine = h.app.bot_data.engine
    assert engine is not None

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE STAFF"):
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine.sync_engine, "before_cursor_execute", record)


@pytest.mark.parametrize(
    "comes_back",
    [
        lambda h: h.send(NAV, "hello"),
        lambda h: h.send(NAV, "/due"),
        lambda h: h.process(callback_update(NAV, "fu:log:1")),
        lambda h: h.process(_my_chat_member(NAV, "member")),
    ],
    ids=["message", "command", "button", "unblocked"],
)
async def test_any_update_heals_and_what_was_missed_arrives_once(
    h: Harness, comes_back: Any
) -> None:
    staff = await _team(h)
    await _followup(h, staff[NAV])
    await _block(h)
    assert not (await _get(h, Staff, staff[NAV].id)).reachable
    assert not any("Follow-up due" in t for t in h.texts_to(NAV))
    await _missed_notice(h, staff[NAV].id, "digest-missed")

    await comes_back(h)
    await run_sweep(h.app)
    assert (await _get(h, Staff, staff[NAV].id)).reachable
    texts = h.texts_to(NAV)
    catch_up = [t for t in texts if "You can get reminders again" in t]
    assert len(catch_up) == 1
    assert "<b>C123</b>" in catch_up[0]
    assert sum("Weekly digest digest-missed" in t for t in texts) == 1
    for senior in (SUP, ADMIN):
        told = [t for t in h.texts_to(senior) if "Aisha can get reminders again" in t]
        assert len(told) == 1

    # Coming back again changes nothing and sends nothing more.
    await h.send(NAV, "hello again")
    await run_sweep(h.app)
    assert h.texts_to(NAV).count(catch_up[0]) == 1
    assert sum("Weekly digest digest-missed" in t for t in h.texts_to(NAV)) == 1
    assert sum("can get reminders again" in t for t in h.texts_to(SUP)) == 1


async def test_a_reachable_member_costs_no_write(h: Harness, staff_updates: list[str]) -> None:
    await _team(h)
    await h.send(NAV, "/due")  # the first message may record their languages
    staff_updates.clear()
    await h.send(NAV, "/due")
    assert staff_updates == []


async def test_blocked_again_is_not_healed_by_the_blocking_notice_itself(h: Harness) -> None:
    staff = await _team(h)
    await _block(h)
    await h.process(_my_chat_member(NAV, "kicked"))
    await run_sweep(h.app)
    assert not (await _get(h, Staff, staff[NAV].id)).reachable
    assert not any("can get reminders again" in t for t in h.texts_to(SUP))


async def test_old_failures_from_before_the_horizon_are_not_replayed(h: Harness) -> None:
    staff = await _team(h)
    async with h.session() as session:
        await create_outbox_message(
            session,
            dedupe_key="ancient",
            kind="notice",
            recipient_id=staff[NAV].id,
            not_before=datetime.now(UTC) - timedelta(days=40),
            payload={"text": "Weekly digest ancient"},
        )
        row = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == "ancient")
        )
        assert row is not None
        await mark_outbox_finished(session, message_id=row.id, status="failed", error="Forbidden")
    await _block(h)
    await h.send(NAV, "hello")
    await run_sweep(h.app)
    assert not any("ancient" in t for t in h.texts_to(NAV))
