"""Helpers for logging handler tests: database snapshots and card button data."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from storage.models import Base
from tests.handlers.harness import Harness


async def snapshot(h: Harness) -> dict[str, int]:
    """Row counts of every table: "the database is unchanged" means this is equal."""
    counts = {}
    async with h.session() as session:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = int(
                await session.scalar(select(func.count()).select_from(table)) or 0
            )
    return counts


def buttons(h: Harness, chat_id: int) -> list[str]:
    """callback_data of the last inline keyboard the bot sent or edited in to this chat."""
    for call in reversed(h.transport.calls):
        if call.params.get("chat_id") != chat_id:
            continue
        markup = call.params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            return [b["callback_data"] for row in markup["inline_keyboard"] for b in row]
    raise AssertionError("no keyboard was sent")


def button(h: Harness, chat_id: int, prefix: str) -> str:
    matches = [data for data in buttons(h, chat_id) if data.startswith(prefix)]
    assert matches, f"no button starting {prefix!r} in {buttons(h, chat_id)}"
    return matches[0]


def alerts(h: Harness) -> list[str]:
    return [c.params.get("text", "") for c in h.transport.sent("answerCallbackQuery")]


def strip_tags(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)
