"""Invites and registration: the domain side of `/start CODE`, `/invite` and `navbot invite`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.domain import AuditAction, Role
from bot.people.invites import (
    hash_invite_code,
    invite_expiry,
    looks_like_invite_code,
    new_invite_code,
)
from storage.audit import create_audit_entry
from storage.models import Staff
from storage.staff import (
    create_invite,
    create_or_reactivate_staff,
    get_invite_by_hash,
    mark_invite_used,
)


class RedeemOutcome(StrEnum):
    REGISTERED = "registered"
    INVALID = "invalid"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class RedeemResult:
    outcome: RedeemOutcome
    staff: Staff | None = None


async def issue_invite(
    session: AsyncSession,
    *,
    role: Role,
    team: str,
    display_name: str | None,
    now: datetime,
    expires_in_days: int,
    created_by: Staff | None = None,
) -> tuple[str, datetime]:
    """Create an invite and return its code (shown once, never stored) and expiry."""
    code = new_invite_code()
    expires_at = invite_expiry(now, expires_in_days)
    await create_invite(
        session,
        code_hash=hash_invite_code(code),
        role=role.value,
        team=team,
        display_name=display_name,
        expires_at=expires_at,
        created_by_id=created_by.id if created_by else None,
    )
    await create_audit_entry(
        session,
        action=AuditAction.INVITE,
        actor=created_by,
        detail=f"role={role.value} team={team}",
        at=now,
    )
    return code, expires_at


async def redeem_invite(
    session: AsyncSession,
    *,
    code: str,
    telegram_id: int,
    telegram_first_name: str | None,
    telegram_language: str | None,
    now: datetime,
) -> RedeemResult:
    """Register the sender with the invite's role and team; every refusal is audited as denied."""
    invite = (
        await get_invite_by_hash(session, code_hash=hash_invite_code(code))
        if looks_like_invite_code(code)
        else None
    )
    outcome: RedeemOutcome | None = None
    if invite is None:
        outcome = RedeemOutcome.INVALID
    elif invite.used_at is not None:
        outcome = RedeemOutcome.USED
    elif invite.expires_at <= now:
        outcome = RedeemOutcome.EXPIRED
    if outcome is not None or invite is None:
        await create_audit_entry(
            session,
            action=AuditAction.DENIED,
            actor_telegram_id=telegram_id,
            detail=f"invite {outcome}",
            at=now,
        )
        return RedeemResult(outcome or RedeemOutcome.INVALID)

    staff = await create_or_reactivate_staff(
        session,
        telegram_id=telegram_id,
        role=invite.role,
        team=invite.team,
        display_name=invite.display_name or (telegram_first_name or "")[:64] or None,
        telegram_language=telegram_language,
    )
    if not await mark_invite_used(session, invite_id=invite.id, staff_id=staff.id, at=now):
        # Someone redeemed it between our read and this write: undo by raising, so the caller's
        # transaction rolls back the registration above.
        raise InviteRaceLost
    await create_audit_entry(
        session,
        action=AuditAction.REGISTER,
        actor=staff,
        detail=f"role={invite.role} team={invite.team}",
        at=now,
    )
    return RedeemResult(RedeemOutcome.REGISTERED, staff)


class InviteRaceLost(Exception):
    """Two people redeemed one code at the same instant; the loser's transaction rolls back."""
