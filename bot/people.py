"""Finding the staff member a command names (issue 16): @username, Telegram id or name."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cover import PersonKind, parse_person
from bot.i18n import Translator, choose_reply_language
from storage.models import Staff
from storage.staff import find_staff


async def find_people(session: AsyncSession, token: str) -> Sequence[Staff]:
    """Active members the token names: none, one, or several (a shared name)."""
    ref = parse_person(token)
    if ref is None:
        return []
    if ref.kind is PersonKind.USERNAME:
        return await find_staff(session, username=ref.value)
    if ref.kind is PersonKind.TELEGRAM_ID:
        return await find_staff(session, telegram_id=ref.telegram_id)
    return await find_staff(session, name=ref.value)


def translator_for(member: Staff) -> Translator:
    """The language a message the bot starts itself is written in, for this member."""
    return Translator(
        choose_reply_language(
            member.ui_language, member.telegram_language, last_language=member.last_language
        )
    )


def name_of(member: Staff) -> str:
    return member.display_name or (
        f"@{member.username}" if member.username else str(member.telegram_id)
    )
