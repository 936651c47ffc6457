"""The harness fails a test whose code calls the Bot API inside an open write transaction
(handlers commit, then reply): the watch must see such a call, and only such a call."""

from __future__ import annotations

from sqlalchemy import text

from tests.handlers.harness import Harness


async def test_a_call_inside_a_write_transaction_is_caught(h: Harness) -> None:
    watch = h.transport.watch
    assert watch is not None
    async with h.app.bot_data.session_factory.begin() as session:
        await session.execute(text("SELECT 1"))
        await h.app.bot.send_message(chat_id=1, text="inside")
    assert len(watch.violations) == 1
    assert watch.violations[0].startswith("sendMessage")
    watch.violations.clear()  # seen: the harness must not fail this test for it


async def test_calls_after_commit_and_inside_reads_are_fine(h: Harness) -> None:
    watch = h.transport.watch
    assert watch is not None
    async with h.app.bot_data.session_factory.begin() as session:
        await session.execute(text("SELECT 1"))
    await h.app.bot.send_message(chat_id=1, text="after the commit")
    async with h.app.bot_data.read_session_factory() as session:
        await session.execute(text("SELECT 1"))
        await h.app.bot.send_message(chat_id=1, text="inside an autocommit read")
    async with h.app.bot_data.snapshot_session_factory() as session:
        await session.execute(text("SELECT 1"))
        await h.app.bot.send_message(chat_id=1, text="inside a report's snapshot")
    assert watch.violations == []
    assert len(h.transport.sent("sendMessage")) == 3
