"""What is never logged: forwards, media, contacts, locations, stickers; and edits.

Nothing here downloads a file or stores anything from the message. A caption is treated as
the text of a log, after saying the attachment itself was not kept.
"""

from __future__ import annotations

from telegram import Update

from bot.context import NavContext
from handlers.contact_log import log_from_text


async def on_forwarded(update: Update, context: NavContext) -> None:
    context.require_staff()
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            context.t(
                "Forwarded messages are not logged, so that nothing about other people is "
                "kept here. Please type your log instead. Nothing was saved."
            )
        )


async def on_attachment(update: Update, context: NavContext) -> None:
    context.require_staff()
    message = update.effective_message
    if message is None:
        return
    await message.reply_text(
        context.t(
            "I do not keep photos, voice notes, files, stickers, contacts or locations, and "
            "I did not download this one. Please type your log as text."
        )
    )
    if message.caption:
        await log_from_text(update, context, message.caption, source="text")


async def on_edited(update: Update, context: NavContext) -> None:
    context.require_staff()
    message = update.effective_message
    if message is None:
        return
    await context.bot.send_message(
        message.chat_id,
        context.t(
            "Edits are not applied to saved logs. Use /undo within {minutes} minutes, or the "
            "Edit button on a card, and send the log again.",
            minutes=context.services.settings.undo_window_minutes,
        ),
    )
