"""/language: the language the bot answers in."""

from __future__ import annotations

from telegram import Update

from bot.context import NavContext
from bot.core.domain import UiLanguage
from bot.core.i18n import N_, Translator, choose_reply_language
from storage.staff import update_staff_preferences


async def on_language(update: Update, context: NavContext) -> None:
    staff = context.require_staff()
    message = update.effective_message
    if message is None:
        return
    choice = (context.args or [""])[0].lower()
    if choice not in {language.value for language in UiLanguage}:
        await message.reply_text(
            context.t(
                "Your language setting is {current}. Use /language en, /language bn or "
                "/language auto (Bengali when you write in Bengali).",
                current=staff.ui_language,
            )
        )
        return
    async with context.services.session_factory.begin() as session:
        await update_staff_preferences(session, staff_id=staff.id, ui_language=choice)
    t = Translator(
        choose_reply_language(choice, staff.telegram_language, last_language=staff.last_language)
    )
    await message.reply_text(t("Done: I will answer in {language}.", language=t(_NAMES[choice])))


_NAMES = {"en": N_("English"), "bn": N_("Bengali"), "auto": N_("your language (automatic)")}
