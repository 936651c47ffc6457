"""Reminder buttons, /due, /hours, Reschedule, and the user blocking or unblocking the bot.

Thin: parse the callback data, call `bot.followups.actions` in one transaction, reply. Every
press is re-checked there (owner, team supervisor or admin); refusals answer with a short
alert and change nothing.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

from telegram import ChatMember, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
)

from bot.contacts.guided_log import EXPIRES_AFTER
from bot.contacts.parsing import DateProblem, parse_follow_up_phrase
from bot.contacts.saving import hours_of, reminder_settings
from bot.context import NavContext
from bot.core.domain import AuditAction
from bot.core.i18n import N_, Translator
from bot.core.record_ids import parse_record_ids
from bot.core.reminder_policy import SnoozeOption
from bot.core.working_hours import WorkingHours, WorkingHoursError, WorkingHoursErrorReason
from bot.followups.actions import (
    Acknowledged,
    Moved,
    ReassignChoices,
    Reassigned,
    Refusal,
    acknowledge_alert,
    acknowledge_escalation,
    check_reschedulable,
    close_case,
    no_answer,
    reassign,
    reassign_choices,
    reschedule,
    snooze,
    staff_name,
)
from bot.followups.messages import local_when, render_due_list, working_hours_label
from bot.followups.reachability import mark_reachable_again
from bot.followups.sweep import due_items_payload, list_due_items, mark_unreachable
from bot.jobs.schedule import request_prompt_delivery
from storage.audit import create_audit_entry
from storage.conversations import delete_conversation, get_conversation, save_conversation
from storage.staff import get_staff

log = logging.getLogger(__name__)

FU_PATTERN = r"^fu:(noanswer|snooze|close):"
ESC_PATTERN = r"^esc:(ack|reassign|to):"
SG_PATTERN = r"^sg:ack:"

_REFUSALS = {
    Refusal.UNKNOWN: N_("That follow-up no longer exists."),
    Refusal.NOT_YOURS: N_("That is not yours to change."),
    Refusal.STALE: N_("That follow-up is already done or closed."),
    Refusal.CONFLICT: N_("They already have an open follow-up with this client."),
}
_DATE_PROBLEMS = {
    DateProblem.IMPOSSIBLE: N_("That date does not exist. Type another, or /cancel."),
    DateProblem.PAST: N_("That is in the past. Type a future date, or /cancel."),
    DateProblem.TOO_FAR: N_("That is more than a year ahead. Type an earlier date, or /cancel."),
    DateProblem.UNCLEAR: N_(
        "I could not read a date there. Try 'friday', '3/4' or 'tomorrow 2pm', or /cancel."
    ),
}
_HOURS_PROBLEMS = {
    WorkingHoursErrorReason.BAD_DAYS: N_("I could not read the days."),
    WorkingHoursErrorReason.BAD_TIME: N_("I could not read the times."),
    WorkingHoursErrorReason.EMPTY_WINDOW: N_("The start and end times must differ."),
    WorkingHoursErrorReason.BACKWARD_DAYS: N_(
        "{range} runs backwards through the week. Write the days one by one ({days}) "
        "or a forward range such as mon-sun."
    ),
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_reschedule_date(text: str, *, now: datetime, tz: Any) -> datetime | DateProblem:
    """A typed date for Reschedule: the shared follow-up phrase parser."""
    return parse_follow_up_phrase(text, now=now, tz=tz)


def _ids(data: str, count: int = 1) -> list[int] | None:
    """The trailing record ids of callback data; None for anything forged or malformed."""
    tail = data.split(":")[-count:]
    return parse_record_ids(tail) if len(tail) == count else None


async def _refuse(update: Update, t: Translator, refusal: Refusal) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(t.raw(_REFUSALS[refusal]), show_alert=True)


async def _done(update: Update, text: str, *, keep_buttons: bool = False) -> None:
    """Answer the press, take the buttons off the card, and say what happened."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    if not keep_buttons:
        # An old or already edited card cannot be edited; the reply below still tells.
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(reply_markup=None)
    if query.message is not None:
        await query.get_bot().send_message(chat_id=query.message.chat.id, text=text)


async def _bad_data(update: Update, context: NavContext) -> None:
    assert update.callback_query is not None
    await _refuse(update, context.t, Refusal.UNKNOWN)


async def followup_button(update: Update, context: NavContext) -> None:
    """fu:noanswer:{id}, fu:snooze:{1h|tomorrow|3d}:{id}, fu:close:{id}."""
    actor = context.require_staff()
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    parts = query.data.split(":")
    ids = _ids(query.data)
    if ids is None:
        await _bad_data(update, context)
        return
    followup_id = ids[0]
    t, services = context.t, context.services
    settings = reminder_settings(services.settings)
    now = utcnow()
    result: Moved | str | Refusal
    async with services.session_factory.begin() as session:
        if parts[1] == "noanswer" and len(parts) == 3:
            result = await no_answer(
                session, actor=actor, followup_id=followup_id, now=now, settings=settings
            )
        elif parts[1] == "snooze" and len(parts) == 4 and parts[2] in set(SnoozeOption):
            result = await snooze(
                session,
                actor=actor,
                followup_id=followup_id,
                option=SnoozeOption(parts[2]),
                now=now,
                settings=settings,
            )
        elif parts[1] == "close" and len(parts) == 3:
            result = await close_case(session, actor=actor, followup_id=followup_id, now=now)
        else:
            result = Refusal.UNKNOWN
    if isinstance(result, Refusal):
        await _refuse(update, t, result)
        return
    if isinstance(result, str):
        await _done(update, t("Case <b>{code}</b> closed; no more reminders for it.", code=result))
        return
    when = local_when(t, result.due_at, settings.tz, now)
    if parts[1] == "noanswer":
        text = t(
            "Logged an attempt with <b>{code}</b> (no answer). Next follow-up: {when}.",
            code=result.code,
            when=when,
        )
    else:
        text = t("Follow-up with <b>{code}</b> moved to {when}.", code=result.code, when=when)
    await _done(update, text)


async def escalation_button(update: Update, context: NavContext) -> None:
    """esc:ack:{id}, esc:reassign:{id}, esc:to:{id}:{staff}."""
    actor = context.require_staff()
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    parts = query.data.split(":")
    action = parts[1]
    ids = _ids(query.data, 2 if action == "to" else 1)
    if ids is None or len(parts) != (4 if action == "to" else 3):
        await _bad_data(update, context)
        return
    t, services = context.t, context.services
    now = utcnow()
    result: Acknowledged | ReassignChoices | Reassigned | Refusal
    async with services.session_factory.begin() as session:
        if action == "ack":
            result = await acknowledge_escalation(session, actor=actor, followup_id=ids[0], now=now)
        elif action == "reassign":
            result = await reassign_choices(session, actor=actor, followup_id=ids[0])
        else:
            result = await reassign(
                session,
                actor=actor,
                followup_id=ids[0],
                to_staff_id=ids[1],
                now=now,
                settings=reminder_settings(services.settings),
            )
        by = await staff_name(session, result.by_id) if isinstance(result, Acknowledged) else ""
    if isinstance(result, Refusal):
        await _refuse(update, t, result)
        return
    if isinstance(result, Acknowledged):
        if result.first:
            await _done(update, t("Escalation for <b>{code}</b> acknowledged.", code=result.code))
        else:
            await query.answer(t("Already acknowledged by {name}.", name=by), show_alert=True)
        return
    if isinstance(result, ReassignChoices):
        await query.answer()
        if not result.choices:
            await _done(update, t("No one else in the team to pass it to."), keep_buttons=True)
            return
        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(name, callback_data=f"esc:to:{ids[0]}:{staff_id}")]
                for staff_id, name in result.choices
            ]
        )
        if query.message is not None:
            await query.get_bot().send_message(
                chat_id=query.message.chat.id,
                text=t("Pass <b>{code}</b> to:", code=result.code),
                reply_markup=keyboard,
            )
        return
    if not result.changed:
        await query.answer(t("Already with {name}.", name=result.new_owner_name), show_alert=True)
        return
    request_prompt_delivery(context.application)  # the new owner is told via the outbox
    await _done(
        update, t("<b>{code}</b> is now with {name}.", code=result.code, name=result.new_owner_name)
    )


async def safeguarding_button(update: Update, context: NavContext) -> None:
    """sg:ack:{alert id}: first acknowledgement wins."""
    actor = context.require_staff()
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    ids = _ids(query.data)
    if ids is None or len(query.data.split(":")) != 3:
        await _bad_data(update, context)
        return
    t, services = context.t, context.services
    async with services.session_factory.begin() as session:
        result = await acknowledge_alert(session, actor=actor, alert_id=ids[0], now=utcnow())
        by = await staff_name(session, result.by_id) if isinstance(result, Acknowledged) else ""
    if isinstance(result, Refusal):
        if result is Refusal.UNKNOWN:
            await query.answer(t("That alert no longer exists."), show_alert=True)
        else:
            await query.answer(
                t("Only supervisors of that team and admins can acknowledge."), show_alert=True
            )
        return
    if result.first:
        await _done(
            update, t("Safeguarding alert for <b>{code}</b> acknowledged.", code=result.code)
        )
    else:
        await query.answer(t("Already acknowledged by {name}.", name=by), show_alert=True)


# --- Reschedule: asks for a typed date ------------------------------------------------------
# The question is a conversation in the database (storage.conversations), so the typed date
# is understood by whichever process receives it, also after a restart.

RESCHEDULE = "reschedule"
RESCHEDULE_EXPIRES_AFTER = EXPIRES_AFTER
RESCHEDULE_EXPIRED = N_(
    "The reschedule expired after 30 minutes without a date; the follow-up is unchanged. "
    "Press Reschedule again to change it."
)


async def reschedule_start(update: Update, context: NavContext) -> None:
    actor = context.require_staff()
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    ids = _ids(query.data)
    if ids is None or len(query.data.split(":")) != 3:
        await _bad_data(update, context)
        return
    now = utcnow()
    async with context.services.session_factory.begin() as session:
        result = await check_reschedulable(session, actor=actor, followup_id=ids[0])
        if not isinstance(result, Refusal):
            await save_conversation(
                session,
                staff_id=actor.id,
                flow=RESCHEDULE,
                step="date",
                data={"followup_id": ids[0]},
                now=now,
                expires_at=now + RESCHEDULE_EXPIRES_AFTER,
            )
    if isinstance(result, Refusal):
        await _refuse(update, context.t, result)
        return
    await query.answer()
    if query.message is not None:
        await query.get_bot().send_message(
            chat_id=query.message.chat.id,
            text=context.t(
                "New follow-up date for <b>{code}</b>? e.g. 'friday', '3/4', 'tomorrow 2pm'. "
                "/cancel to keep it.",
                code=result,
            ),
        )


async def reschedule_date(update: Update, context: NavContext) -> bool:
    """A typed date while Reschedule waits for one. False when it does not (the text is then
    an ordinary message)."""
    actor = context.require_staff()
    message = update.effective_message
    assert message is not None
    services, t = context.services, context.t
    settings = reminder_settings(services.settings)
    now = utcnow()
    parsed = parse_reschedule_date(message.text or "", now=now, tz=settings.tz)
    result: Moved | Refusal | None = None
    async with services.session_factory.begin() as session:
        row = await get_conversation(session, staff_id=actor.id, for_update=True)
        if row is None or row.flow != RESCHEDULE:
            return False
        expired = row.expires_at <= now
        followup_id = row.data.get("followup_id")
        if expired or not isinstance(followup_id, int):
            await delete_conversation(session, staff_id=actor.id)
        elif not isinstance(parsed, DateProblem):
            result = await reschedule(
                session,
                actor=actor,
                followup_id=followup_id,
                due_at=parsed,
                now=now,
                settings=settings,
            )
            await delete_conversation(session, staff_id=actor.id)
    if expired:
        await message.reply_text(t(RESCHEDULE_EXPIRED))
    elif isinstance(parsed, DateProblem):
        await message.reply_text(t.raw(_DATE_PROBLEMS[parsed]))
    elif isinstance(result, Refusal):
        await message.reply_text(t.raw(_REFUSALS[result]))
    elif result is not None:
        await message.reply_text(
            t(
                "Follow-up with <b>{code}</b> moved to {when}.",
                code=result.code,
                when=local_when(t, result.due_at, settings.tz, now),
            )
        )
    return True


# --- /due and /hours ------------------------------------------------------------------------


async def due_command(update: Update, context: NavContext) -> None:
    actor = context.require_staff()
    message = update.effective_message
    assert message is not None
    services = context.services
    settings = reminder_settings(services.settings)
    now = utcnow()
    async with services.session_factory() as session:
        member = await get_staff(session, staff_id=actor.id)
        assert member is not None
        items = await list_due_items(session, staff=member, now=now, settings=settings)
    await message.reply_text(
        render_due_list(context.t, due_items_payload(items), tz=settings.tz, now=now)
    )


async def hours_command(update: Update, context: NavContext) -> None:
    actor = context.require_staff()
    message = update.effective_message
    assert message is not None
    t, services = context.t, context.services
    settings = reminder_settings(services.settings)
    zone = services.settings.timezone
    text = message.text or ""
    argument = text.split(maxsplit=1)[1].strip() if len(text.split(maxsplit=1)) > 1 else ""
    if not argument:
        current = hours_of(actor.working_hours, settings.default_hours)
        await message.reply_text(
            t(
                "Your working hours for reminders: {hours} ({zone}). "
                "Change them with e.g. /hours mon-sun 07:00-22:00",
                hours=working_hours_label(t, current),
                zone=zone,
            )
        )
        return
    try:
        hours = WorkingHours.parse(argument, settings.default_hours.closed)
    except WorkingHoursError as error:
        await message.reply_text(
            t(_HOURS_PROBLEMS[error.reason], **error.details)
            + " "
            + t("Write days then times, e.g. /hours mon-fri 09:00-18:00")
        )
        return
    now = utcnow()
    async with services.session_factory.begin() as session:
        member = await get_staff(session, staff_id=actor.id)
        assert member is not None
        member.working_hours = hours.to_storage()
        from bot.followups.sweep import recompute_staff_reminders

        await recompute_staff_reminders(
            session, staff_id=actor.id, hours=hours, settings=settings, now=now
        )
        await create_audit_entry(
            session,
            action=AuditAction.SETTINGS,
            actor=actor,
            detail="working hours",
            at=now,
        )
    reply = t(
        "Working hours set: {hours} ({zone}). Reminders wait for these hours.",
        hours=working_hours_label(t, hours),
        zone=zone,
    )
    if hours.overnight:
        reply += "\n" + t(
            "Night shifts: each shift ends the next morning and belongs to the day it starts."
        )
    await message.reply_text(reply)


# --- the user blocks or unblocks the bot ---------------------------------------------------


async def my_chat_member(update: Update, context: NavContext) -> None:
    change = update.my_chat_member
    actor = context.staff
    if change is None or actor is None or change.chat.type != "private":
        return
    status = change.new_chat_member.status
    now = utcnow()
    async with context.services.session_factory.begin() as session:
        if status in (ChatMember.BANNED, ChatMember.LEFT):
            changed = await mark_unreachable(session, staff_id=actor.id, now=now)
        elif status == ChatMember.MEMBER:
            changed = await mark_reachable_again(
                session,
                staff_id=actor.id,
                now=now,
                settings=reminder_settings(context.services.settings),
            )
        else:
            return
    if changed:
        request_prompt_delivery(context.application)


def handlers() -> list[Any]:
    """In group 0, before the catch-all."""
    return [
        CallbackQueryHandler(reschedule_start, pattern=r"^fu:resched:"),
        CallbackQueryHandler(followup_button, pattern=FU_PATTERN),
        CallbackQueryHandler(escalation_button, pattern=ESC_PATTERN),
        CallbackQueryHandler(safeguarding_button, pattern=SG_PATTERN),
        CommandHandler("due", due_command),
        CommandHandler("hours", hours_command),
        ChatMemberHandler(my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
    ]
