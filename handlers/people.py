"""Naming a colleague in a command (issue 16): @username, Telegram id or display name.

When a name matches several people, the reply asks with one button per person; the button
carries the same command with that person's Telegram id in place of the name
(`who:<command>:<args>`, answered by handlers.pick), so nothing is kept in memory and the
command runs again, permissions and all, on the press.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.context import NavContext
from bot.core.labels import name_of
from bot.people.lookup import find_people
from storage.models import Staff

CALLBACK_PREFIX = "who:"
MAX_CALLBACK_BYTES = 64


async def resolve_one(
    message: Message,
    context: NavContext,
    *,
    command: str,
    args: Sequence[str],
    start: int,
    stop: int,
) -> Staff | None:
    """The one member `args[start:stop]` names, or None after replying (nobody, or a question
    with buttons when the name is shared)."""
    t = context.t
    token = " ".join(args[start:stop])
    async with context.services.read_session_factory() as session:
        found = await find_people(session, token)
    if len(found) == 1:
        return found[0]
    if not found:
        await message.reply_text(
            t(
                "I know no active colleague called {name}. Use their @username, Telegram id "
                "or name as they are registered (see /users).",
                name=token,
            )
        )
        return None
    rows: list[list[InlineKeyboardButton]] = []
    for member in found:
        rest = [*args[:start], f"#{member.telegram_id}", *args[stop:]]
        data = f"{CALLBACK_PREFIX}{command}:{' '.join(rest)}"
        if len(data.encode()) > MAX_CALLBACK_BYTES:
            rows = []
            break
        handle = f"@{member.username}" if member.username else str(member.telegram_id)
        label = f"{name_of(member)} ({handle}) · {member.team}"
        rows.append([InlineKeyboardButton(label, callback_data=data)])
    if not rows:
        listing = ", ".join(f"{name_of(m)} ({m.telegram_id})" for m in found)
        await message.reply_text(
            t(
                "Several colleagues are called {name}: {listing}. Please use the number.",
                name=token,
                listing=listing,
            )
        )
        return None
    await message.reply_text(
        t("Several colleagues are called {name}. Which one?", name=token),
        reply_markup=InlineKeyboardMarkup(rows),
    )
    return None
