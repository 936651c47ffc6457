"""Finding the staff member a command names (issue 16): @username, Telegram id or name."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.working_hours import normalize_digits
from storage.models import Staff
from storage.staff import find_staff


class PersonKind(StrEnum):
    USERNAME = "username"
    TELEGRAM_ID = "telegram_id"
    NAME = "name"


@dataclass(frozen=True)
class PersonRef:
    kind: PersonKind
    value: str

    @property
    def telegram_id(self) -> int:
        return int(self.value)


_USERNAME = re.compile(r"^@([A-Za-z][A-Za-z0-9_]{3,31})$")
_NAME = re.compile(r"^[^\W\d_][\w'.-]{0,63}$")


def parse_person(token: str) -> PersonRef | None:
    """``@name`` → username, digits → Telegram id (``#123`` too), a word → display name."""
    token = normalize_digits(token.strip())
    if match := _USERNAME.match(token):
        return PersonRef(PersonKind.USERNAME, match.group(1).lower())
    digits = token.removeprefix("#")
    if digits.isascii() and digits.isdigit() and 1 <= len(digits) <= 15:
        return PersonRef(PersonKind.TELEGRAM_ID, str(int(digits)))
    if _NAME.match(token):
        return PersonRef(PersonKind.NAME, token)
    return None


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
