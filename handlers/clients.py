"""/client, /clients, /close: a navigator sees their own clients, a supervisor their team's,
an admin all. A client outside your view gets the same answer as one that does not exist."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot.contacts.codes import (
    InvalidClientCode,
    classify_code,
    normalise_code_input,
    parse_client_code,
)
from bot.contacts.redaction import redact
from bot.contacts.saving import close_client
from bot.contacts.summaries import ClientSummary, ContactLine, caseload, client_summary
from bot.context import NavContext
from bot.core.access import may_see_client
from bot.core.domain import AuditAction, Role, StaffMember
from handlers.contact_log import CODE_REFUSALS
from storage.audit import create_audit_entry
from storage.clients import (
    get_client_by_code,
    list_caseload,
    list_client_risks,
    list_contact_risks,
    list_latest_service_status,
    list_recent_contacts,
)
from storage.followups import list_open_followups_of_client
from storage.models import Client
from storage.staff import get_staff


def _visible(staff: StaffMember, client: Client | None) -> bool:
    return client is not None and may_see_client(
        role=staff.role,
        staff_id=staff.id,
        team=staff.team,
        client_owner_id=client.owner_id,
        client_team=client.team,
    )


async def _code_argument(
    update: Update, context: NavContext, usage: str, *, only: bool = False
) -> str | None:
    """The command's client code; with `only`, anything after it is refused rather than
    silently ignored (`/client C431 C432` would otherwise show C431 alone)."""
    message = update.effective_message
    args = context.args or []
    if message is None:
        return None
    if not args:
        await message.reply_text(usage)
        return None
    if only and len(args) > 1:
        await message.reply_text(
            context.t(
                "One client at a time, please: send /client with a single code, "
                "e.g. /client {code}.",
                # Only a valid code is echoed: the first word may be a name.
                code=normalise_code_input(args[0]) if classify_code(args[0]) is None else "C123",
            )
        )
        return None
    try:
        return parse_client_code(args[0])
    except InvalidClientCode as error:
        await message.reply_text(context.t(CODE_REFUSALS[error.error]))
        return None


async def on_client(update: Update, context: NavContext) -> None:
    staff = context.require_staff()
    t = context.t
    code = await _code_argument(update, context, t("Usage: /client C123"), only=True)
    if code is None or update.effective_message is None:
        return
    async with context.services.session_factory.begin() as session:
        client = await get_client_by_code(session, code=code)
        visible = client is not None and _visible(staff, client)
        summary = await _summary(session, staff, client) if client and visible else None
    if client is None or summary is None:
        await update.effective_message.reply_text(
            t("No client {code} in what you can see.", code=code)
        )
        return
    await update.effective_message.reply_text(
        client_summary(t, summary, tz=context.services.settings.tz)
    )


async def _summary(session: AsyncSession, staff: StaffMember, client: Client) -> ClientSummary:
    """What /client shows, and the audit row saying it was viewed."""
    owner = await get_staff(session, staff_id=client.owner_id)
    recent = await list_recent_contacts(session, client_id=client.id, limit=10)
    risks_by_contact = await list_contact_risks(
        session, contact_ids=[contact.id for contact, _ in recent]
    )
    followups = await list_open_followups_of_client(session, client_id=client.id)
    summary = ClientSummary(
        code=client.code,
        status=client.status,
        team=client.team,
        owner=owner.display_name if owner else None,
        services=await list_latest_service_status(session, client_id=client.id),
        risks=await list_client_risks(session, client_id=client.id),
        contacts=[
            ContactLine(
                occurred_at=contact.occurred_at,
                setting=contact.setting,
                outcome=contact.outcome,
                navigator=name,
                risks=risks_by_contact.get(contact.id, []),
                note=contact.note,
            )
            for contact, name in recent
        ],
        next_follow_up=min((f.due_at for f in followups), default=None),
    )
    await create_audit_entry(
        session,
        action=AuditAction.VIEW,
        actor=staff,
        client_code=client.code,
    )
    return summary


async def on_clients(update: Update, context: NavContext) -> None:
    staff = context.require_staff()
    t = context.t
    if update.effective_message is None:
        return
    async with context.services.session_factory() as session:
        if staff.role is Role.NAVIGATOR:
            rows = await list_caseload(session, owner_id=staff.id)
            title = t("<b>Your open caseload ({count})</b>", count=len(rows))
        elif staff.role is Role.SUPERVISOR:
            rows = await list_caseload(session, team=staff.team)
            title = t(
                "<b>Open caseload of team {team} ({count})</b>", team=staff.team, count=len(rows)
            )
        else:
            rows = await list_caseload(session)
            title = t("<b>All open clients ({count})</b>", count=len(rows))
    await update.effective_message.reply_text(
        caseload(
            t,
            [(client.code, last, upcoming) for client, last, upcoming in rows],
            tz=context.services.settings.tz,
            title=title,
        )
    )


async def on_close(update: Update, context: NavContext) -> None:
    staff = context.require_staff()
    t = context.t
    code = await _code_argument(update, context, t("Usage: /close C123 [reason]"))
    if code is None or update.effective_message is None:
        return
    reason = redact(" ".join((context.args or [])[1:]))
    refusal: str | None = None
    async with context.services.session_factory.begin() as session:
        client = await get_client_by_code(session, code=code)
        if client is None or not _visible(staff, client):
            refusal = t("No client {code} in what you can see.", code=code)
        elif client.status == "closed":
            refusal = t("{code} is already closed.", code=code)
        else:
            cancelled = await close_client(
                session, staff=staff, client=client, reason=reason, now=datetime.now(UTC)
            )
    if refusal is not None:
        await update.effective_message.reply_text(refusal)
        return
    await update.effective_message.reply_text(
        t("Closed <b>{code}</b>.", code=code)
        + " "
        + t.plural(
            "{count} open follow-up cancelled.", "{count} open follow-ups cancelled.", cancelled
        )
    )
