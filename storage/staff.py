"""Staff members and invites."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AppState, Conversation, Invite, PendingDraft, Staff


async def get_staff_by_telegram_id(session: AsyncSession, *, telegram_id: int) -> Staff | None:
    staff: Staff | None = await session.scalar(
        select(Staff).where(Staff.telegram_id == telegram_id)
    )
    return staff


@dataclass(slots=True)
class StaffForUpdate:
    """The columns of a staff row the guard needs for every update (not an ORM object)."""

    id: int
    telegram_id: int
    role: str
    team: str
    display_name: str | None
    ui_language: str
    telegram_language: str | None
    working_hours: str | None
    confirm_cards: bool
    last_language: str | None
    active: bool
    username: str | None
    reachable: bool  # False after a 403; any update from them sets it again


# Built once: this runs for every update, and building the statement (with its EXISTS) cost
# more than running it. Plain columns rather than an ORM entity: no identity map to fill
# for a row that is only read.
_AWAITING_CARD_ANSWER = (
    select(PendingDraft.id)
    .where(
        PendingDraft.staff_id == Staff.id,
        PendingDraft.status == "pending",
        PendingDraft.editing.is_not(None),
    )
    .exists()
)
_OPEN_CONVERSATION = (
    select(Conversation.flow).where(Conversation.staff_id == Staff.id).scalar_subquery()
)
# The columns are StaffForUpdate's fields, in their order: the row unpacks into it.
_STAFF_FOR_UPDATE = select(
    *(getattr(Staff, field.name) for field in fields(StaffForUpdate)),
    _AWAITING_CARD_ANSWER,
    _OPEN_CONVERSATION,
).where(Staff.telegram_id == bindparam("telegram_id"))


@dataclass(frozen=True, slots=True)
class StaffHandling:
    """What the guard reads for every update, in one query."""

    staff: StaffForUpdate
    awaiting_card_answer: bool  # one of their cards waits for a typed answer (a date)
    conversation: str | None  # the flow of their open conversation (maybe expired)


async def get_staff_for_update_handling(
    session: AsyncSession, *, telegram_id: int
) -> StaffHandling | None:
    """The staff row, whether one of their cards awaits a typed answer and which
    conversation they have open: one query, because it runs for every update."""
    row = (await session.execute(_STAFF_FOR_UPDATE, {"telegram_id": telegram_id})).first()
    if row is None:
        return None
    *columns, awaiting, conversation = row
    return StaffHandling(StaffForUpdate(*columns), bool(awaiting), conversation)


async def get_staff(session: AsyncSession, *, staff_id: int) -> Staff | None:
    return await session.get(Staff, staff_id)


async def list_staff(
    session: AsyncSession,
    *,
    team: str | None = None,
    roles: Sequence[str] | None = None,
    active_only: bool = False,
) -> Sequence[Staff]:
    query = select(Staff).order_by(Staff.team, Staff.role, Staff.id)
    if team is not None:
        query = query.where(Staff.team == team)
    if roles is not None:
        query = query.where(Staff.role.in_(roles))
    if active_only:
        query = query.where(Staff.active.is_(True))
    return (await session.scalars(query)).all()


async def create_or_reactivate_staff(
    session: AsyncSession,
    *,
    telegram_id: int,
    role: str,
    team: str,
    display_name: str | None,
    telegram_language: str | None,
) -> Staff:
    """Register a new member, or bring back a revoked one with the invite's role and team."""
    staff = await get_staff_by_telegram_id(session, telegram_id=telegram_id)
    if staff is None:
        staff = Staff(
            telegram_id=telegram_id,
            role=role,
            team=team,
            display_name=display_name,
            telegram_language=telegram_language,
            ui_language="auto",
            confirm_cards=True,
            active=True,
            reachable=True,
        )
        session.add(staff)
    else:
        staff.role, staff.team, staff.active, staff.reachable = role, team, True, True
        staff.revoked_at = None
        staff.unreachable_since = None
        if display_name:
            staff.display_name = display_name
    await session.flush()
    return staff


async def mark_staff_revoked(
    session: AsyncSession, *, telegram_id: int, at: datetime
) -> Staff | None:
    staff = await get_staff_by_telegram_id(session, telegram_id=telegram_id)
    if staff is None:
        return None
    staff.active = False
    staff.revoked_at = at
    await session.flush()
    return staff


async def mark_staff_reachable(
    session: AsyncSession, *, staff_id: int, reachable: bool, at: datetime
) -> bool:
    """Returns True when this call changed the flag (so a notice is sent only once)."""
    result = await session.execute(
        update(Staff)
        .where(Staff.id == staff_id, Staff.reachable.is_not(reachable))
        .values(reachable=reachable, unreachable_since=None if reachable else at)
    )
    return bool(getattr(result, "rowcount", 0))


async def mark_staff_languages(
    session: AsyncSession,
    *,
    staff_id: int,
    telegram_language: str | None,
    last_language: str | None,
) -> None:
    """The Telegram app language and the language of the last message with words."""
    await session.execute(
        update(Staff)
        .where(Staff.id == staff_id)
        .values(telegram_language=telegram_language, last_language=last_language)
    )


async def create_invite(
    session: AsyncSession,
    *,
    code_hash: str,
    role: str,
    team: str,
    display_name: str | None,
    expires_at: datetime,
    created_by_id: int | None,
) -> Invite:
    invite = Invite(
        code_hash=code_hash,
        role=role,
        team=team,
        display_name=display_name,
        expires_at=expires_at,
        created_by_id=created_by_id,
    )
    session.add(invite)
    await session.flush()
    return invite


async def get_invite_by_hash(session: AsyncSession, *, code_hash: str) -> Invite | None:
    invite: Invite | None = await session.scalar(
        select(Invite).where(Invite.code_hash == code_hash)
    )
    return invite


async def mark_invite_used(
    session: AsyncSession, *, invite_id: int, staff_id: int, at: datetime
) -> bool:
    """Claims the invite atomically: False when someone else used it first."""
    result = await session.execute(
        update(Invite)
        .where(Invite.id == invite_id, Invite.used_at.is_(None))
        .values(used_at=at, used_by_id=staff_id)
    )
    return bool(getattr(result, "rowcount", 0))


async def get_app_state(session: AsyncSession, *, key: str) -> str | None:
    row = await session.get(AppState, key)
    return row.value if row else None


async def set_app_state(session: AsyncSession, *, key: str, value: str) -> None:
    row = await session.get(AppState, key)
    if row is None:
        session.add(AppState(key=key, value=value))
    else:
        row.value = value


async def update_staff_preferences(
    session: AsyncSession,
    *,
    staff_id: int,
    confirm_cards: bool | None = None,
    ui_language: str | None = None,
    working_hours: str | None = None,
) -> None:
    values: dict[str, object] = {}
    if confirm_cards is not None:
        values["confirm_cards"] = confirm_cards
    if ui_language is not None:
        values["ui_language"] = ui_language
    if working_hours is not None:
        values["working_hours"] = working_hours
    if values:
        await session.execute(update(Staff).where(Staff.id == staff_id).values(**values))


async def list_staff_for_agenda(session: AsyncSession, *, local_day: date) -> Sequence[Staff]:
    """Active, reachable staff not yet considered for an agenda on this local day."""
    return (
        await session.scalars(
            select(Staff)
            .where(
                Staff.active.is_(True),
                Staff.reachable.is_(True),
                or_(Staff.agenda_checked_on.is_(None), Staff.agenda_checked_on != local_day),
            )
            .order_by(Staff.id)
        )
    ).all()


async def mark_agenda_checked(
    session: AsyncSession, *, staff_ids: Sequence[int], local_day: date
) -> None:
    if staff_ids:
        await session.execute(
            update(Staff).where(Staff.id.in_(staff_ids)).values(agenda_checked_on=local_day)
        )


async def find_staff(
    session: AsyncSession,
    *,
    username: str | None = None,
    telegram_id: int | None = None,
    name: str | None = None,
    active_only: bool = True,
) -> Sequence[Staff]:
    """Members named by @username (case-insensitive), numeric Telegram id, or display name
    (case-insensitive: the whole name, else its first word). Several when a name is shared."""
    query = select(Staff).order_by(Staff.display_name, Staff.id)
    if active_only:
        query = query.where(Staff.active.is_(True))
    if username is not None:
        query = query.where(func.lower(Staff.username) == username.lower())
    elif telegram_id is not None:
        query = query.where(Staff.telegram_id == telegram_id)
    elif name is not None:
        whole = (
            await session.scalars(query.where(func.lower(Staff.display_name) == name.lower()))
        ).all()
        if whole:
            return whole
        query = query.where(
            func.lower(Staff.display_name).startswith(name.lower() + " ", autoescape=True)
        )
    else:
        return []
    return (await session.scalars(query)).all()


async def mark_staff_username(
    session: AsyncSession, *, staff_id: int, username: str | None
) -> None:
    await session.execute(update(Staff).where(Staff.id == staff_id).values(username=username))
