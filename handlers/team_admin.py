"""/users, /revoke, /role and /team (issue 16): team admin in chat, each change confirmed with
a button (`ta:…`, ids only; the press re-checks everything), audited, and the changed member's
command menu updated at once."""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import TelegramError

from bot.context import NavContext, StaffMember
from bot.core.access import commands_for, normalise_team
from bot.core.domain import Role
from bot.core.i18n import DEFAULT_LANGUAGE, N_, SUPPORTED_LANGUAGES, Translator
from bot.core.labels import name_of
from bot.core.record_ids import parse_record_id
from bot.core.texts import role_label
from bot.followups.handover import Actor
from bot.people.team_admin import (
    AdminRefusal,
    Caseload,
    change_role,
    may_administer,
    move_team,
    open_caseload,
    revoke_member,
)
from handlers.people import resolve_one
from storage.handover import list_caseload_clients
from storage.staff import get_staff, list_staff

log = logging.getLogger(__name__)

REFUSALS = {
    AdminRefusal.NOT_ALLOWED: N_(
        "Sorry, that is for admins (supervisors: navigators of their own team)."
    ),
    AdminRefusal.SELF: N_("You cannot do that to yourself; ask another admin."),
    AdminRefusal.CASELOAD: N_("They still have open clients: hand them over first."),
    AdminRefusal.NO_SUPERVISOR: N_(
        "The team has no supervisor to take the caseload: use /handover to a colleague first."
    ),
    AdminRefusal.UNCHANGED: N_("Nothing to change."),
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def _actor(staff: StaffMember) -> Actor:
    return Actor(staff.id, staff.telegram_id, staff.role, staff.team)


def _markup(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def update_menu(context: NavContext, *, telegram_id: int, role: Role | None) -> None:
    """The member's own command menu, now (None: revoked, the menu is removed)."""
    try:
        for language in [None, *(x for x in SUPPORTED_LANGUAGES if x != DEFAULT_LANGUAGE)]:
            scope = BotCommandScopeChat(telegram_id)
            if role is None:
                await context.bot.delete_my_commands(scope, language_code=language)
                continue
            t = Translator(language or DEFAULT_LANGUAGE)
            commands = [BotCommand(c.name, t(c.description)) for c in commands_for(role)]
            await context.bot.set_my_commands(commands, scope, language_code=language)
    except TelegramError as error:  # a convenience: the change itself is committed
        log.warning("could not update a command menu: %s", type(error).__name__)


async def on_users(update: Update, context: NavContext) -> None:
    staff = context.require_staff()
    message = update.effective_message
    if message is None:
        return
    t = context.t
    if staff.role is Role.NAVIGATOR:
        await message.reply_text(t(REFUSALS[AdminRefusal.NOT_ALLOWED]))
        return
    team = normalise_team(context.args[0]) if context.args else None
    if staff.role is Role.SUPERVISOR:
        if team not in (None, staff.team):
            await message.reply_text(t(REFUSALS[AdminRefusal.NOT_ALLOWED]))
            return
        team = staff.team
    async with context.services.read_session_factory() as session:
        members = await list_staff(session, team=team)
        counts = {
            m.id: len(await list_caseload_clients(session, owner_id=m.id, include_closed=False))
            for m in members
        }
    if not members:
        await message.reply_text(t("Nobody in that team."))
        return
    lines = [t("<b>Staff</b>")]
    for member in members:
        handle = f"@{member.username}" if member.username else str(member.telegram_id)
        line = t(
            "• {name} ({handle}): {role}, {team}, {count} open clients",
            name=name_of(member),
            handle=handle,
            role=role_label(t, Role(member.role)),
            team=member.team,
            count=counts[member.id],
        )
        if not member.active:
            line += " " + t("(revoked)")
        lines.append(line)
    await message.reply_text("\n".join(lines))


async def on_revoke(update: Update, context: NavContext) -> None:
    await run_revoke(update, context, list(context.args or []))


async def run_revoke(update: Update, context: NavContext, args: list[str]) -> None:
    staff = context.require_staff()
    message = update.effective_message
    if message is None:
        return
    t = context.t
    if staff.role is Role.NAVIGATOR:
        await message.reply_text(t(REFUSALS[AdminRefusal.NOT_ALLOWED]))
        return
    if not args:
        await message.reply_text(t("Usage: /revoke @colleague"))
        return
    target = await resolve_one(
        message, context, command="revoke", args=args, start=0, stop=len(args)
    )
    if target is None:
        return
    if target.id == staff.id:
        await message.reply_text(t(REFUSALS[AdminRefusal.SELF]))
        return
    if not may_administer(_actor(staff), target):
        await message.reply_text(t(REFUSALS[AdminRefusal.NOT_ALLOWED]))
        return
    async with context.services.read_session_factory() as session:
        count = await open_caseload(session, staff_id=target.id)
    if count:
        text = t.plural(
            "{name} has {count} open client. Hand it over to a colleague first (/handover), "
            "or to the team's supervisor now and revoke?",
            "{name} has {count} open clients. Hand them over to a colleague first (/handover), "
            "or to the team's supervisor now and revoke?",
            count,
            name=name_of(target),
        )
        rows = [
            [(t("To the supervisor, then revoke"), f"ta:rv:{target.id}:1"), (t("Cancel"), "ta:x")]
        ]
    else:
        text = t(
            "Revoke the access of {name}? They are refused from their next message.",
            name=name_of(target),
        )
        rows = [[(t("Revoke"), f"ta:rv:{target.id}:0"), (t("Cancel"), "ta:x")]]
    await message.reply_text(text, reply_markup=_markup(rows))


async def on_role(update: Update, context: NavContext) -> None:
    await run_role(update, context, list(context.args or []))


async def run_role(update: Update, context: NavContext, args: list[str]) -> None:
    staff = context.require_staff()
    message = update.effective_message
    if message is None:
        return
    t = context.t
    if staff.role is Role.NAVIGATOR:
        await message.reply_text(t(REFUSALS[AdminRefusal.NOT_ALLOWED]))
        return
    try:
        role = Role(args[-1].lower()) if len(args) >= 2 else None
    except ValueError:
        role = None
    if role is None:
        await message.reply_text(t("Usage: /role @colleague navigator|supervisor|admin"))
        return
    target = await resolve_one(
        message, context, command="role", args=args, start=0, stop=len(args) - 1
    )
    if target is None:
        return
    if target.id == staff.id or not may_administer(_actor(staff), target, new_role=role):
        await message.reply_text(
            t(REFUSALS[AdminRefusal.SELF if target.id == staff.id else AdminRefusal.NOT_ALLOWED])
        )
        return
    await message.reply_text(
        t("Make {name} a {role}?", name=name_of(target), role=role_label(t, role)),
        reply_markup=_markup(
            [[(t("Confirm"), f"ta:ro:{target.id}:{role.value}"), (t("Cancel"), "ta:x")]]
        ),
    )


async def on_team(update: Update, context: NavContext) -> None:
    await run_team(update, context, list(context.args or []))


async def run_team(update: Update, context: NavContext, args: list[str]) -> None:
    staff = context.require_staff()
    message = update.effective_message
    if message is None:
        return
    t = context.t
    if staff.role is not Role.ADMIN:
        await message.reply_text(t(REFUSALS[AdminRefusal.NOT_ALLOWED]))
        return
    team = normalise_team(args[-1]) if len(args) >= 2 else None
    if team is None:
        await message.reply_text(t("Usage: /team @colleague team"))
        return
    target = await resolve_one(
        message, context, command="team", args=args, start=0, stop=len(args) - 1
    )
    if target is None:
        return
    async with context.services.read_session_factory() as session:
        count = await open_caseload(session, staff_id=target.id)
    head = t(
        "Move {name} from team {old} to team {new}?",
        name=name_of(target),
        old=target.team,
        new=team,
    )
    if count:
        head += "\n" + t.plural(
            "They have {count} open client: what happens to it?",
            "They have {count} open clients: what happens to them?",
            count,
        )
        rows = [
            [(t("The clients move with them"), f"ta:tm:{target.id}:{team}:take")],
            [
                (
                    t("The clients stay, with the old team's supervisor"),
                    f"ta:tm:{target.id}:{team}:leave",
                )
            ],
            [(t("Cancel"), "ta:x")],
        ]
    else:
        rows = [[(t("Confirm"), f"ta:tm:{target.id}:{team}:take"), (t("Cancel"), "ta:x")]]
    await message.reply_text(head, reply_markup=_markup(rows))


async def on_button(update: Update, context: NavContext) -> None:
    """ta:rv:<id>:<0|1>, ta:ro:<id>:<role>, ta:tm:<id>:<team>:<take|leave>, ta:x."""
    staff = context.require_staff()
    query = update.callback_query
    assert query is not None
    t = context.t
    parts = (query.data or "").split(":")
    await query.answer()
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(reply_markup=None)
    message = update.effective_message
    if message is None:
        return
    target_id = parse_record_id(parts[2]) if parts[1:] != ["x"] and len(parts) >= 4 else None
    if target_id is None:
        await message.reply_text(t("Cancelled. Nothing was changed."))
        return
    action, arg = parts[1], parts[3]
    now = utcnow()
    actor = _actor(staff)
    reply = t("Cancelled. Nothing was changed.")
    menu: tuple[int, Role | None] | None = None
    async with context.services.session_factory.begin() as session:
        target = await get_staff(session, staff_id=target_id)
        if target is None or not target.active:
            result: object = AdminRefusal.UNCHANGED
        elif action == "rv":
            result = await revoke_member(
                session, actor=actor, target=target, hand_over=arg == "1", now=now
            )
            if not isinstance(result, AdminRefusal):
                menu = (target.telegram_id, None)
                reply = t("{name} is revoked.", name=name_of(target))
                if result is not None:
                    reply += " " + t(
                        "Their open clients are now with {name}.", name=name_of(result)
                    )
        elif action == "ro" and arg in {r.value for r in Role}:
            result = await change_role(session, actor=actor, target=target, role=Role(arg), now=now)
            if result is None:
                menu = (target.telegram_id, Role(arg))
                reply = t(
                    "{name} is now a {role}.", name=name_of(target), role=role_label(t, Role(arg))
                )
        elif action == "tm" and normalise_team(arg) and parts[4:5] in (["take"], ["leave"]):
            result = await move_team(
                session, actor=actor, target=target, team=arg, caseload=Caseload(parts[4]), now=now
            )
            if not isinstance(result, AdminRefusal):
                reply = t("{name} is now in team {team}.", name=name_of(target), team=arg)
                if result.receiver is not None:
                    reply += " " + t(
                        "Their open clients are now with {name}.", name=name_of(result.receiver)
                    )
        else:
            result = AdminRefusal.UNCHANGED
    if isinstance(result, AdminRefusal):
        await message.reply_text(t(REFUSALS[result]))
        return
    if menu is not None:
        await update_menu(context, telegram_id=menu[0], role=menu[1])
    await message.reply_text(reply)
