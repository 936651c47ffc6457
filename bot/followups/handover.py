"""Handing clients over (issue 16): one client (/reassign) or a caseload (/handover).

Supervisors within their own team, admins across teams. The handler shows a confirmation card
with the counts first (:func:`plan_handover`); the press re-checks everything and moves the
clients, their open follow-ups and owed reminders in the caller's one transaction
(:func:`carry_out`), audited per client, both people told through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.domain import AuditAction, Role
from bot.core.i18n import translator_for
from bot.core.labels import name_of
from storage.audit import create_audit_entry
from storage.clients import get_client
from storage.handover import count_open_followups, list_caseload_clients, move_clients
from storage.models import Staff
from storage.outbox import create_outbox_message
from storage.staff import get_staff

MAX_CODES_LISTED = 20


class HandoverRefusal(StrEnum):
    NOT_SUPERVISOR = "not_supervisor"
    OTHER_TEAM = "other_team"
    SAME_PERSON = "same_person"
    INACTIVE = "inactive"
    UNKNOWN = "unknown"
    NOTHING = "nothing"


@dataclass(frozen=True)
class Actor:
    id: int | None  # None: the command line
    telegram_id: int | None
    role: Role
    team: str


@dataclass(frozen=True)
class HandoverPlan:
    from_member: Staff
    to_member: Staff
    client_ids: list[int]
    codes: list[str]
    followups: int


def check_allowed(actor: Actor, from_member: Staff, to_member: Staff) -> HandoverRefusal | None:
    if actor.role is Role.NAVIGATOR:
        return HandoverRefusal.NOT_SUPERVISOR
    if from_member.id == to_member.id:
        return HandoverRefusal.SAME_PERSON
    if not to_member.active:
        return HandoverRefusal.INACTIVE
    if actor.role is Role.SUPERVISOR and (
        from_member.team != actor.team or to_member.team != actor.team
    ):
        return HandoverRefusal.OTHER_TEAM
    return None


async def plan_handover(
    session: AsyncSession,
    *,
    actor: Actor,
    from_id: int,
    to_id: int,
    client_id: int | None = None,
    include_closed: bool = False,
) -> HandoverPlan | HandoverRefusal:
    """What would move: one client (`client_id`, whose owner must be `from_id`) or the
    caseload (open clients, or all with `include_closed`)."""
    from_member = await get_staff(session, staff_id=from_id)
    to_member = await get_staff(session, staff_id=to_id)
    if from_member is None or to_member is None:
        return HandoverRefusal.UNKNOWN
    refused = check_allowed(actor, from_member, to_member)
    if refused is not None:
        return refused
    if client_id is not None:
        client = await get_client(session, client_id=client_id)
        if client is None or client.owner_id != from_id:
            return HandoverRefusal.UNKNOWN
        clients = [(client.id, client.code)]
    else:
        clients = list(
            await list_caseload_clients(session, owner_id=from_id, include_closed=include_closed)
        )
    if not clients:
        return HandoverRefusal.NOTHING
    ids = [client_id for client_id, _ in clients]
    return HandoverPlan(
        from_member,
        to_member,
        ids,
        [code for _, code in clients],
        await count_open_followups(session, staff_id=from_id, client_ids=ids),
    )


async def carry_out(
    session: AsyncSession, *, actor: Actor, plan: HandoverPlan, now: datetime
) -> int:
    """Move everything in the plan; returns the follow-ups moved."""
    moved = await move_clients(
        session,
        client_ids=plan.client_ids,
        from_id=plan.from_member.id,
        to_id=plan.to_member.id,
        to_team=plan.to_member.team,
        now=now,
    )
    for client_id, code in zip(plan.client_ids, plan.codes, strict=True):
        await create_audit_entry(
            session,
            action=AuditAction.REASSIGN,
            actor_staff_id=actor.id,
            actor_telegram_id=actor.telegram_id,
            client_code=code,
            detail=(
                f"handover from staff {plan.from_member.id} to staff {plan.to_member.id}, "
                f"{moved.get(client_id, 0)} follow-ups"
            ),
            at=now,
        )
    total = sum(moved.values())
    codes = ", ".join(plan.codes[:MAX_CODES_LISTED]) + (
        " …" if len(plan.codes) > MAX_CODES_LISTED else ""
    )
    for member, other, incoming in (
        (plan.to_member, plan.from_member, True),
        (plan.from_member, plan.to_member, False),
    ):
        if member.id == actor.id or not member.active:
            continue
        t = translator_for(member)
        text = (
            t.plural(
                "📥 {count} client handed over to you from {name}: {codes}",
                "📥 {count} clients handed over to you from {name}: {codes}",
                len(plan.codes),
                name=name_of(other),
                codes=codes,
            )
            if incoming
            else t.plural(
                "📤 {count} of your clients handed over to {name}: {codes}",
                "📤 {count} of your clients handed over to {name}: {codes}",
                len(plan.codes),
                name=name_of(other),
                codes=codes,
            )
        )
        await create_outbox_message(
            session,
            dedupe_key=f"handover:{plan.from_member.id}:{plan.to_member.id}:{member.id}:{int(now.timestamp())}",
            kind="notice",
            recipient_id=member.id,
            not_before=now,
            payload={"text": text},
        )
    return total
