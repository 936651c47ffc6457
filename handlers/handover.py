"""/reassign C123 @name and /handover @from @to [open|all] (issue 16), with a confirmation
card. The card's buttons carry ids only (`ho:1:<client>:<to>`, `ho:n:<from>:<to>:<open|all>`);
the press plans again, re-checks permission, then moves everything in one transaction."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.contacts.codes import InvalidClientCode, parse_client_code
from bot.context import NavContext, StaffMember
from bot.core.domain import Role
from bot.core.i18n import N_, Translator
from bot.core.labels import name_of
from bot.core.record_ids import parse_record_ids
from bot.followups.handover import Actor, HandoverPlan, HandoverRefusal, carry_out, plan_handover
from bot.jobs.schedule import request_prompt_delivery
from handlers.contact_log import CODE_REFUSALS
from handlers.people import resolve_one
from storage.clients import get_client, get_client_by_code

REFUSALS = {
    HandoverRefusal.NOT_SUPERVISOR: N_("Sorry, only supervisors and admins can hand clients over."),
    HandoverRefusal.OTHER_TEAM: N_("Sorry, supervisors hand over within their own team only."),
    HandoverRefusal.SAME_PERSON: N_("That is the same person: nothing to hand over."),
    HandoverRefusal.INACTIVE: N_("That colleague's access has been revoked."),
    HandoverRefusal.UNKNOWN: N_("No such client in your view, or it has moved meanwhile."),
    HandoverRefusal.NOTHING: N_("There are no clients to hand over."),
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def _actor(staff: StaffMember) -> Actor:
    return Actor(staff.id, staff.telegram_id, staff.role, staff.team)


def _card(t: Translator, plan: HandoverPlan) -> str:
    head = t.plural(
        "Hand over {count} client from {source} to {target}?",
        "Hand over {count} clients from {source} to {target}?",
        len(plan.codes),
        source=name_of(plan.from_member),
        target=name_of(plan.to_member),
    )
    followups = t.plural(
        "{count} open follow-up and its reminders move with them.",
        "{count} open follow-ups and their reminders move with them.",
        plan.followups,
    )
    shown = ", ".join(plan.codes[:20]) + (" …" if len(plan.codes) > 20 else "")
    return f"{head}\n{shown}\n{followups}"


def _buttons(t: Translator, data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t("Hand over"), callback_data=data),
                InlineKeyboardButton(t("Cancel"), callback_data="ho:x"),
            ]
        ]
    )


async def on_reassign(update: Update, context: NavContext) -> None:
    await run_reassign(update, context, list(context.args or []))


async def run_reassign(update: Update, context: NavContext, args: list[str]) -> None:
    staff = context.require_staff()
    message = update.effective_message
    if message is None:
        return
    t = context.t
    if staff.role is Role.NAVIGATOR:
        await message.reply_text(t(REFUSALS[HandoverRefusal.NOT_SUPERVISOR]))
        return
    if len(args) < 2:
        await message.reply_text(t("Usage: /reassign C123 @colleague"))
        return
    try:
        code = parse_client_code(args[0])
    except InvalidClientCode as error:
        await message.reply_text(t(CODE_REFUSALS[error.error]))
        return
    target = await resolve_one(
        message, context, command="reassign", args=args, start=1, stop=len(args)
    )
    if target is None:
        return
    async with context.services.read_session_factory() as session:
        client = await get_client_by_code(session, code=code)
        plan = (
            await plan_handover(
                session,
                actor=_actor(staff),
                from_id=client.owner_id,
                to_id=target.id,
                client_id=client.id,
            )
            if client is not None
            else HandoverRefusal.UNKNOWN
        )
    if isinstance(plan, HandoverRefusal):
        await message.reply_text(t(REFUSALS[plan]))
        return
    await message.reply_text(
        _card(t, plan), reply_markup=_buttons(t, f"ho:1:{plan.client_ids[0]}:{target.id}")
    )


async def on_handover(update: Update, context: NavContext) -> None:
    await run_handover(update, context, list(context.args or []))


async def run_handover(update: Update, context: NavContext, args: list[str]) -> None:
    staff = context.require_staff()
    message = update.effective_message
    if message is None:
        return
    t = context.t
    if staff.role is Role.NAVIGATOR:
        await message.reply_text(t(REFUSALS[HandoverRefusal.NOT_SUPERVISOR]))
        return
    scope = "open"
    if args and args[-1].lower() in ("open", "all"):
        scope = args.pop().lower()
    if len(args) != 2:
        await message.reply_text(t("Usage: /handover @from @to [open|all]"))
        return
    source = await resolve_one(
        message, context, command="handover", args=[*args, scope], start=0, stop=1
    )
    if source is None:
        return
    target = await resolve_one(
        message, context, command="handover", args=[*args, scope], start=1, stop=2
    )
    if target is None:
        return
    async with context.services.read_session_factory() as session:
        plan = await plan_handover(
            session,
            actor=_actor(staff),
            from_id=source.id,
            to_id=target.id,
            include_closed=scope == "all",
        )
    if isinstance(plan, HandoverRefusal):
        await message.reply_text(t(REFUSALS[plan]))
        return
    await message.reply_text(
        _card(t, plan), reply_markup=_buttons(t, f"ho:n:{source.id}:{target.id}:{scope}")
    )


async def on_button(update: Update, context: NavContext) -> None:
    """ho:1:<client>:<to>, ho:n:<from>:<to>:<scope>, ho:x (cancel)."""
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
    if parts[1:] == ["x"]:
        await message.reply_text(t("Cancelled. Nothing was changed."))
        return
    numbers = parse_record_ids(parts[2:4]) or []
    if len(numbers) != 2 or parts[1] not in ("1", "n"):
        await message.reply_text(t(REFUSALS[HandoverRefusal.UNKNOWN]))
        return
    now = utcnow()
    async with context.services.session_factory.begin() as session:
        if parts[1] == "1":
            client = await get_client(session, client_id=numbers[0])
            plan = (
                await plan_handover(
                    session,
                    actor=_actor(staff),
                    from_id=client.owner_id,
                    to_id=numbers[1],
                    client_id=client.id,
                )
                if client is not None
                else HandoverRefusal.UNKNOWN
            )
        else:
            plan = await plan_handover(
                session,
                actor=_actor(staff),
                from_id=numbers[0],
                to_id=numbers[1],
                include_closed=parts[4:5] == ["all"],
            )
        moved = (
            None
            if isinstance(plan, HandoverRefusal)
            else await carry_out(session, actor=_actor(staff), plan=plan, now=now)
        )
    if isinstance(plan, HandoverRefusal):
        await message.reply_text(t(REFUSALS[plan]))
        return
    request_prompt_delivery(context.application)
    await message.reply_text(
        t.plural(
            "Done: {count} client now with {name}",
            "Done: {count} clients now with {name}",
            len(plan.codes),
            name=name_of(plan.to_member),
        )
        + " "
        + t.plural("({count} follow-up moved).", "({count} follow-ups moved).", moved or 0)
    )
