"""/start, /help and /invite."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update

from bot.context import NavContext
from bot.core.access import may_invite, normalise_team
from bot.core.domain import Role
from bot.core.i18n import N_, Html
from bot.core.texts import help_text, role_label, welcome_text
from bot.people.invites import deep_link
from bot.people.onboarding import InviteRaceLost, RedeemOutcome, issue_invite, redeem_invite
from storage.staff import get_staff

REFUSALS = {
    RedeemOutcome.INVALID: N_(
        "This invite code is not valid. Please ask your team lead for a new one."
    ),
    RedeemOutcome.USED: N_(
        "This invite code has already been used. Please ask your team lead for a new one."
    ),
    RedeemOutcome.EXPIRED: N_(
        "This invite code has expired. Please ask your team lead for a new one."
    ),
}


async def start(update: Update, context: NavContext) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    if context.staff is not None:
        staff = context.staff
        await message.reply_text(
            welcome_text(context.t, name=staff.display_name, role=staff.role, team=staff.team)
        )
        return

    code = (context.args or [""])[0]
    now = datetime.now(UTC)
    try:
        async with context.services.session_factory.begin() as session:
            result = await redeem_invite(
                session,
                code=code,
                telegram_id=user.id,
                telegram_first_name=user.first_name,
                telegram_language=user.language_code,
                now=now,
            )
    except InviteRaceLost:
        async with context.services.session_factory.begin() as session:
            result = await redeem_invite(
                session,
                code=code,
                telegram_id=user.id,
                telegram_first_name=user.first_name,
                telegram_language=user.language_code,
                now=now,
            )
    if result.outcome is not RedeemOutcome.REGISTERED or result.staff is None:
        await message.reply_text(context.t(REFUSALS[result.outcome]))
        return
    row = result.staff
    await message.reply_text(
        welcome_text(context.t, name=row.display_name, role=Role(row.role), team=row.team)
    )


async def help_command(update: Update, context: NavContext) -> None:
    staff = context.require_staff()
    if update.effective_message is not None:
        await update.effective_message.reply_text(help_text(context.t, staff.role))


async def invite(update: Update, context: NavContext) -> None:
    """`/invite <role> [team] [display name…]`: supervisors for their team, admins anywhere."""
    staff = context.require_staff()
    message = update.effective_message
    if message is None:
        return
    t = context.t
    usage = t("Usage: /invite navigator|supervisor|admin [team] [name]")
    if staff.role is Role.NAVIGATOR:
        await message.reply_text(t("Sorry, only supervisors and admins can invite colleagues."))
        return
    args = context.args or []
    if not args:
        await message.reply_text(usage)
        return
    try:
        role = Role(args[0].strip().lower())
    except ValueError:
        await message.reply_text(usage)
        return
    team = normalise_team(args[1]) if len(args) > 1 else staff.team
    if team is None:
        await message.reply_text(
            t("Team names use letters, digits, - and _ (up to 32 characters).")
        )
        return
    if not may_invite(inviter_role=staff.role, inviter_team=staff.team, role=role, team=team):
        await message.reply_text(
            t("Sorry, you can invite navigators and supervisors to your own team only.")
        )
        return
    name = " ".join(args[2:])[:64] or None
    settings = context.services.settings
    async with context.services.session_factory.begin() as session:
        inviter = await get_staff(session, staff_id=staff.id)
        code, expires_at = await issue_invite(
            session,
            role=role,
            team=team,
            display_name=name,
            now=datetime.now(UTC),
            expires_in_days=settings.invite_expiry_days,
            created_by=inviter,
        )
    local_expiry = expires_at.astimezone(settings.tz)
    lines = [
        t(
            "Invite for a {role} in team {team}, valid until {expiry}. Single use.",
            role=role_label(t, role),
            team=team,
            expiry=t.digits(local_expiry.strftime("%d/%m/%Y %H:%M")),
        ),
        Html(f"<code>/start {code}</code>"),
    ]
    if context.bot.username:
        lines.append(deep_link(context.bot.username, code))
    await message.reply_text("\n".join(lines))
