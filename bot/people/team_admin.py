"""Team admin in chat (issue 16): revoke, change role, move team, with the caseload looked
after. Takes the caller's session, never commits; the handler confirms first and updates the
changed member's command menu after the commit.

Admins do everything except act on themselves; supervisors, within their own team, revoke
navigators and change a navigator to supervisor or back. Moving someone to another team is
for admins. Someone with an open caseload is revoked (or moved) only once it is handed over:
to a colleague with /handover first, or to the team's first supervisor here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.domain import AuditAction, Role
from bot.followups.absences import team_supervisors
from bot.followups.handover import Actor, carry_out, plan_handover
from storage.audit import create_audit_entry
from storage.handover import list_caseload_clients, move_open_clients_to_team
from storage.models import Staff
from storage.staff import mark_staff_revoked


class AdminRefusal(StrEnum):
    NOT_ALLOWED = "not_allowed"
    SELF = "self"
    CASELOAD = "caseload"  # open clients and no handover chosen
    NO_SUPERVISOR = "no_supervisor"  # nobody in the team to hand the caseload to
    UNCHANGED = "unchanged"


def may_administer(actor: Actor, target: Staff, *, new_role: Role | None = None) -> bool:
    if actor.role is Role.ADMIN:
        return True
    if actor.role is not Role.SUPERVISOR or target.team != actor.team:
        return False
    if new_role is None:  # revoking
        return target.role == Role.NAVIGATOR.value
    return {Role(target.role), new_role} <= {Role.NAVIGATOR, Role.SUPERVISOR}


async def open_caseload(session: AsyncSession, *, staff_id: int) -> int:
    return len(await list_caseload_clients(session, owner_id=staff_id, include_closed=False))


async def hand_to_supervisor(
    session: AsyncSession, *, actor: Actor, member: Staff, now: datetime
) -> Staff | AdminRefusal:
    """The member's open caseload to the team's first supervisor (not the member)."""
    supervisors = await team_supervisors(session, team=member.team, besides=member.id)
    if not supervisors:
        return AdminRefusal.NO_SUPERVISOR
    plan = await plan_handover(
        session,
        actor=Actor(actor.id, actor.telegram_id, Role.ADMIN, actor.team),
        from_id=member.id,
        to_id=supervisors[0].id,
    )
    if not isinstance(plan, str):
        await carry_out(session, actor=actor, plan=plan, now=now)
    return supervisors[0]


async def revoke_member(
    session: AsyncSession, *, actor: Actor, target: Staff, hand_over: bool, now: datetime
) -> Staff | AdminRefusal | None:
    """Revoke; with `hand_over` the open caseload goes to a supervisor first. Returns who got
    the caseload (None when there was none)."""
    if target.id == actor.id:
        return AdminRefusal.SELF
    if not may_administer(actor, target):
        return AdminRefusal.NOT_ALLOWED
    receiver: Staff | None = None
    if await open_caseload(session, staff_id=target.id):
        if not hand_over:
            return AdminRefusal.CASELOAD
        handed = await hand_to_supervisor(session, actor=actor, member=target, now=now)
        if isinstance(handed, AdminRefusal):
            return handed
        receiver = handed
    await mark_staff_revoked(session, telegram_id=target.telegram_id, at=now)
    await create_audit_entry(
        session,
        action=AuditAction.REVOKE,
        actor_staff_id=actor.id,
        actor_telegram_id=actor.telegram_id,
        detail=f"telegram_id={target.telegram_id}",
        at=now,
    )
    return receiver


async def change_role(
    session: AsyncSession, *, actor: Actor, target: Staff, role: Role, now: datetime
) -> AdminRefusal | None:
    if target.id == actor.id:
        return AdminRefusal.SELF
    if not may_administer(actor, target, new_role=role):
        return AdminRefusal.NOT_ALLOWED
    if target.role == role.value:
        return AdminRefusal.UNCHANGED
    await create_audit_entry(
        session,
        action=AuditAction.SETTINGS,
        actor_staff_id=actor.id,
        actor_telegram_id=actor.telegram_id,
        detail=f"role staff {target.id} {target.role}->{role.value}",
        at=now,
    )
    target.role = role.value
    await session.flush()
    return None


class Caseload(StrEnum):
    TAKE = "take"  # the clients move to the new team with their owner
    LEAVE = "leave"  # the clients stay, handed to the old team's supervisor


@dataclass(frozen=True)
class Moved:
    receiver: Staff | None


async def move_team(
    session: AsyncSession,
    *,
    actor: Actor,
    target: Staff,
    team: str,
    caseload: Caseload,
    now: datetime,
) -> Moved | AdminRefusal:
    if actor.role is not Role.ADMIN:
        return AdminRefusal.NOT_ALLOWED
    if target.team == team:
        return AdminRefusal.UNCHANGED
    receiver: Staff | None = None
    if caseload is Caseload.LEAVE and await open_caseload(session, staff_id=target.id):
        handed = await hand_to_supervisor(session, actor=actor, member=target, now=now)
        if isinstance(handed, AdminRefusal):
            return handed
        receiver = handed
    elif caseload is Caseload.TAKE:
        await move_open_clients_to_team(session, owner_id=target.id, team=team)
    await create_audit_entry(
        session,
        action=AuditAction.SETTINGS,
        actor_staff_id=actor.id,
        actor_telegram_id=actor.telegram_id,
        detail=f"team staff {target.id} {target.team}->{team} caseload {caseload.value}",
        at=now,
    )
    target.team = team
    await session.flush()
    return Moved(receiver)
