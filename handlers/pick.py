"""The "which of these people?" buttons (`who:<command>:<args>`, see handlers.people): run
the command again with the chosen person's Telegram id in place of the name."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.error import TelegramError

from bot.context import NavContext
from handlers import cover, data_admin, handover, team_admin
from handlers.people import CALLBACK_PREFIX

Runner = Callable[[Update, NavContext, list[str]], Awaitable[None]]

# Every command that names people and may ask which one.
RUNNERS: dict[str, Runner] = {
    "away": cover.run_away,
    "back": cover.run_back,
    "reassign": handover.run_reassign,
    "handover": handover.run_handover,
    "revoke": team_admin.run_revoke,
    "role": team_admin.run_role,
    "team": team_admin.run_team,
    "audit": data_admin.run_audit,
}


async def on_pick(update: Update, context: NavContext) -> None:
    query = update.callback_query
    assert query is not None
    command, _, rest = (query.data or "").removeprefix(CALLBACK_PREFIX).partition(":")
    runner = RUNNERS.get(command)
    await query.answer()
    if runner is None:
        return
    with contextlib.suppress(TelegramError):  # an old message may not be editable
        await query.edit_message_reply_markup(reply_markup=None)
    await runner(update, context, rest.split())
