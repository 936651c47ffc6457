"""The one error handler: log the error's type and the update id, never its contents."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import NavContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: NavContext) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    # exc_info would print locals-free tracebacks (no message text), which we need to debug.
    log.error(
        "error %s while handling update %s",
        type(error).__name__,
        update_id,
        exc_info=(type(error), error, error.__traceback__) if error else None,
    )
    if not isinstance(update, Update):
        return
    text = context.t("Sorry, something went wrong. Please try again.")
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif (
            update.effective_message is not None
            and update.effective_chat is not None
            and update.effective_chat.type == "private"
        ):
            await update.effective_message.reply_text(text)
    except TelegramError as reply_error:
        log.warning("could not tell the user about the error: %s", type(reply_error).__name__)
