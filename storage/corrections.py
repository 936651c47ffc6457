"""Parser corrections: what navigators changed on the card (see ParserCorrection)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ParserCorrection


@dataclass(frozen=True)
class NewCorrection:
    field: str
    read_value: str
    chosen_value: str


@dataclass(frozen=True)
class CorrectionCount:
    field: str
    read_value: str
    chosen_value: str
    count: int
    contact_ids: tuple[int, ...]  # newest first, at most `ids_per_row`


async def create_parser_corrections(
    session: AsyncSession,
    *,
    corrections: Iterable[NewCorrection],
    staff_id: int,
    draft_id: int | None,
    contact_id: int | None,
    language: str,
    at: datetime,
) -> int:
    rows = [
        ParserCorrection(
            at=at,
            staff_id=staff_id,
            draft_id=draft_id,
            contact_id=contact_id,
            field=c.field[:16],
            read_value=c.read_value[:64],
            chosen_value=c.chosen_value[:64],
            language=language[:8],
        )
        for c in corrections
    ]
    session.add_all(rows)
    await session.flush()
    return len(rows)


async def list_parser_corrections(session: AsyncSession) -> Sequence[ParserCorrection]:
    return (await session.scalars(select(ParserCorrection).order_by(ParserCorrection.id))).all()


async def count_parser_corrections(
    session: AsyncSession, *, since: datetime, limit: int = 30, ids_per_row: int = 10
) -> list[CorrectionCount]:
    """The commonest corrections since `since`: (field, read, chosen) with how often, most
    frequent first, and the ids of the contacts they were made on."""
    key = (ParserCorrection.field, ParserCorrection.read_value, ParserCorrection.chosen_value)
    counted = (
        await session.execute(
            select(*key, func.count().label("n"))
            .where(ParserCorrection.at >= since)
            .group_by(*key)
            .order_by(func.count().desc(), *key)
            .limit(limit)
        )
    ).all()
    if not counted:
        return []
    groups = [(f, r, c) for f, r, c, _ in counted]
    ids: dict[tuple[str, str, str], list[int]] = {g: [] for g in groups}
    rows = await session.execute(
        select(*key, ParserCorrection.contact_id)
        .where(
            ParserCorrection.at >= since,
            ParserCorrection.contact_id.is_not(None),
            tuple_(*key).in_(groups),
        )
        .order_by(ParserCorrection.at.desc(), ParserCorrection.id.desc())
    )
    for field, read, chosen, contact_id in rows:
        found = ids[(field, read, chosen)]
        if contact_id not in found and len(found) < ids_per_row:
            found.append(contact_id)
    return [CorrectionCount(f, r, c, int(n), tuple(ids[(f, r, c)])) for f, r, c, n in counted]
