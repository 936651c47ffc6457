"""What staff get when nothing else matched."""

from __future__ import annotations

from telegram import Update

from bot.context import NavContext


async def unknown(update: Update, context: NavContext) -> None:
    context.require_staff()
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            context.t("I did not understand that. /help lists what I can do.")
        )


async def expired_button(update: Update, context: NavContext) -> None:
    context.require_staff()
    if update.callback_query is not None:
        await update.callback_query.answer(
            context.t("This button has expired. Nothing was changed."), show_alert=True
        )
