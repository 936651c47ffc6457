"""The access guard: runs before every other handler, for every kind of update.

Only invited, active staff in a private chat get past it. Everyone else gets one short
refusal and a "denied" audit row; nothing else about them is stored. In a group the bot
leaves at once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import Chat, ChatMember, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.contacts.saving import reminder_settings
from bot.context import NavContext
from bot.core.domain import AuditAction, StaffMember
from bot.core.i18n import Translator, choose_reply_language, written_language
from bot.followups.reachability import mark_reachable_again
from bot.jobs.schedule import request_prompt_delivery
from bot.logging_setup import bind_log_context, current_staff_id
from bot.ops.metrics import UPDATES
from storage.audit import create_audit_entry
from storage.staff import (
    get_staff_for_update_handling,
    mark_staff_languages,
    mark_staff_username,
)

log = logging.getLogger(__name__)

GUARD_GROUP = -1


def _message_text(update: Update) -> str | None:
    message = update.effective_message
    if message is None:
        return None
    return message.text or message.caption


def _is_start_with_argument(update: Update) -> bool:
    message = update.message  # not edited messages: a code is redeemed by a fresh /start only
    if message is None or not message.text:
        return False
    parts = message.text.split()
    return len(parts) >= 2 and parts[0].split("@")[0] == "/start"


def _update_kind(update: Update) -> str:
    for kind in ("message", "edited_message", "callback_query", "my_chat_member", "inline_query"):
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


async def _leave(context: NavContext, chat: Chat) -> None:
    try:
        await context.bot.leave_chat(chat.id)
    except TelegramError as error:  # already gone, or never really in: nothing to do
        log.info("leave_chat failed for a %s chat: %s", chat.type, type(error).__name__)


def _is_leaving(update: Update) -> bool:
    """Telegram's notice that the user blocked the bot: the one update that does not mean
    they can be reached (handlers.reminders.my_chat_member marks them unreachable)."""
    change = update.my_chat_member
    return change is not None and change.new_chat_member.status in (
        ChatMember.BANNED,
        ChatMember.LEFT,
    )


async def _reachable_again(context: NavContext, staff_id: int) -> None:
    """Any update from someone marked unreachable shows they can be reached: heal at once
    (bot.followups.reachability), then send what they and their supervisors are owed."""
    async with context.services.session_factory.begin() as session:
        changed = await mark_reachable_again(
            session,
            staff_id=staff_id,
            now=datetime.now(UTC),
            settings=reminder_settings(context.services.settings),
        )
    if changed:
        request_prompt_delivery(context.application)


async def check_access(update: Update, context: NavContext) -> None:
    # Every update passes here first: what the log lines of this update are about, and the
    # metrics (a type, never a person). Its arrival was noted as contact with Telegram by
    # the transport that brought it (bot.app.HeartbeatRequest, bot.webhook).
    bind_log_context(update_id=update.update_id, staff_id=None)
    UPDATES.labels(type=_update_kind(update)).inc()
    chat = update.effective_chat
    user = update.effective_user

    if chat is not None and chat.type != Chat.PRIVATE:
        joined = (
            update.my_chat_member is not None
            and update.my_chat_member.new_chat_member.status
            in (
                ChatMember.MEMBER,
                ChatMember.ADMINISTRATOR,
            )
        )
        if update.my_chat_member is None or joined:
            await _leave(context, chat)
        raise ApplicationHandlerStop
    if user is None or user.is_bot:
        raise ApplicationHandlerStop

    text = _message_text(update)
    async with context.services.read_session_factory() as session:
        found = await get_staff_for_update_handling(session, telegram_id=user.id)
    row = found.staff if found is not None else None
    staff: StaffMember | None = None
    if row is not None and row.active:
        # Only what the user wrote counts: a button press carries the bot's own message.
        written = (
            written_language(text, user.language_code)
            if update.message is not None or update.edited_message is not None
            else None
        )
        last_language = written or row.last_language
        # Cover and handover (issue 16): commands name people by @username, so keep it fresh.
        username = user.username.lower() if user.username else None
        if (
            row.telegram_language != user.language_code
            or row.last_language != last_language
            or row.username != username
        ):
            async with context.services.session_factory.begin() as session:
                await mark_staff_languages(
                    session,
                    staff_id=row.id,
                    telegram_language=user.language_code,
                    last_language=last_language,
                )
                if row.username != username:
                    await mark_staff_username(session, staff_id=row.id, username=username)
            row.telegram_language = user.language_code
            row.last_language = last_language
            row.username = username
        if not row.reachable and not _is_leaving(update):
            await _reachable_again(context, row.id)
            row.reachable = True
        assert found is not None
        staff = StaffMember.from_row(
            row,
            awaiting_card_answer=found.awaiting_card_answer,
            conversation=found.conversation,
        )
    elif not _is_start_with_argument(update):
        async with context.services.session_factory.begin() as session:
            await create_audit_entry(
                session,
                action=AuditAction.DENIED,
                actor_telegram_id=user.id,
                detail=_update_kind(update) if row is None else "revoked",
            )

    if staff is not None:
        current_staff_id.set(staff.id)
        context.staff = staff
        context.t = Translator(
            choose_reply_language(
                staff.ui_language, staff.telegram_language, text, last_language=staff.last_language
            )
        )
        return

    context.t = Translator(choose_reply_language("auto", user.language_code, text))
    if _is_start_with_argument(update):
        return  # the onboarding handler redeems (or refuses) the code

    refusal = context.t("Sorry, this bot is only for invited staff of the navigator team.")
    if update.callback_query is not None:
        await update.callback_query.answer(refusal, show_alert=True)
    elif update.message is not None:
        await update.message.reply_text(refusal)
    raise ApplicationHandlerStop
