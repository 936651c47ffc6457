"""Typed text and /cancel while a conversation is open.

A staff member's open conversation (storage.conversations: a guided /log, or Reschedule
waiting for a date) comes with every update from the access guard (`StaffMember.conversation`);
text goes to that flow first, then to a card waiting for a typed date, then is a new log.
"""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update

from bot.contacts.guided_log import FLOW as GUIDED_LOG
from bot.context import NavContext
from handlers import contact_log, guided, reminders
from storage.conversations import delete_conversation
from storage.drafts import clear_awaiting_input


async def on_text(update: Update, context: NavContext) -> None:
    staff = context.require_staff()
    if staff.conversation == GUIDED_LOG and await guided.on_text(update, context):
        return
    if staff.conversation == reminders.RESCHEDULE and await reminders.reschedule_date(
        update, context
    ):
        return
    await contact_log.on_text(update, context)


async def on_cancel(update: Update, context: NavContext) -> None:
    """/cancel: leave the open conversation, and drop a card's question for a typed date."""
    staff = context.require_staff()
    async with context.services.session_factory.begin() as session:
        flow = await delete_conversation(session, staff_id=staff.id)
        await clear_awaiting_input(session, staff_id=staff.id, at=datetime.now(UTC))
    if update.effective_message is None:
        return
    if flow == reminders.RESCHEDULE:
        await update.effective_message.reply_text(context.t("Kept the follow-up as it was."))
    else:
        await update.effective_message.reply_text(context.t("OK, cancelled. Nothing was saved."))
