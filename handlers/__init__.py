"""Telegram adapters. `register` is the one explicit list of what handles which update."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import (
    clients,
    contact_log,
    conversations,
    cover,
    data_admin,
    errors,
    fallback,
    guard,
    guided,
    handover,
    onboarding,
    pick,
    preferences,
    refusals,
    reminders,
    stats,
    team_admin,
)

# Everything a navigator might send that is not text we may keep.
ATTACHMENTS = (
    filters.PHOTO
    | filters.VIDEO
    | filters.VOICE
    | filters.AUDIO
    | filters.Document.ALL
    | filters.Sticker.ALL
    | filters.CONTACT
    | filters.LOCATION
    | filters.VENUE
    | filters.ANIMATION
    | filters.VIDEO_NOTE
    | filters.POLL
    | filters.Dice.ALL
    | filters.STORY
)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # Group -1: the access guard sees every update first and stops what it refuses.
    app.add_handler(TypeHandler(Update, guard.check_access), group=guard.GUARD_GROUP)

    # Group 0, first match wins. Edits come first: an edited "/close C123" must not run again.
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, refusals.on_edited))
    app.add_handler(MessageHandler(filters.FORWARDED, refusals.on_forwarded))
    # The guided /log: /log alone, a reminder's "Log contact" button, and its own buttons.
    # Its typed answers arrive through conversations.on_text below.
    app.add_handler(CommandHandler("log", guided.start))
    app.add_handler(CallbackQueryHandler(guided.start_from_reminder, pattern=r"^fu:log:"))
    app.add_handler(CallbackQueryHandler(guided.on_button, pattern=r"^g:"))
    # Reminder buttons (Reschedule asks for a date: a conversation), /due, /hours,
    # block/unblock.
    for handler in reminders.handlers():
        app.add_handler(handler)
    app.add_handler(CommandHandler("start", onboarding.start))
    app.add_handler(CommandHandler("help", onboarding.help_command))
    app.add_handler(CommandHandler("invite", onboarding.invite))
    app.add_handler(CommandHandler("undo", contact_log.on_undo_command))
    app.add_handler(CommandHandler("confirm", contact_log.on_confirm_command))
    app.add_handler(CommandHandler("cancel", conversations.on_cancel))
    app.add_handler(CommandHandler("client", clients.on_client))
    app.add_handler(CommandHandler("clients", clients.on_clients))
    app.add_handler(CommandHandler("close", clients.on_close))
    app.add_handler(CommandHandler("language", preferences.on_language))
    # Leave and cover (issue 16); "which of these people?" buttons.
    app.add_handler(CommandHandler("away", cover.on_away))
    app.add_handler(CommandHandler("back", cover.on_back))
    app.add_handler(CallbackQueryHandler(pick.on_pick, pattern=r"^who:"))
    app.add_handler(CommandHandler("reassign", handover.on_reassign))
    app.add_handler(CommandHandler("handover", handover.on_handover))
    app.add_handler(CallbackQueryHandler(handover.on_button, pattern=r"^ho:"))
    # Team admin in chat (issue 16).
    app.add_handler(CommandHandler("users", team_admin.on_users))
    app.add_handler(CommandHandler("revoke", team_admin.on_revoke))
    app.add_handler(CommandHandler("role", team_admin.on_role))
    app.add_handler(CommandHandler("team", team_admin.on_team))
    app.add_handler(CallbackQueryHandler(team_admin.on_button, pattern=r"^ta:"))
    # Audit view and data requests in chat, for admins (issue 16).
    app.add_handler(CommandHandler("audit", data_admin.on_audit))
    app.add_handler(CommandHandler("client_export", data_admin.on_client_export))
    app.add_handler(CommandHandler("client_erase", data_admin.on_client_erase))
    app.add_handler(CallbackQueryHandler(data_admin.on_audit_button, pattern=r"^au:"))
    app.add_handler(CallbackQueryHandler(data_admin.on_erase_button, pattern=r"^er:"))
    # Supervisor reports (PRODUCT §7).
    app.add_handler(CommandHandler("stats", stats.stats))
    app.add_handler(CommandHandler("overdue", stats.overdue))
    app.add_handler(CommandHandler("chart", stats.chart))
    app.add_handler(CommandHandler("export", stats.export))
    app.add_handler(CallbackQueryHandler(contact_log.on_card_button, pattern=r"^card:"))
    app.add_handler(CallbackQueryHandler(contact_log.on_undo_button, pattern=r"^undo:"))
    app.add_handler(MessageHandler(ATTACHMENTS, refusals.on_attachment))
    # Text: an open conversation's answer, a card's typed date, or a new log.
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, conversations.on_text))
    # Anything left: buttons from finished flows, unknown commands, other update kinds.
    app.add_handler(CallbackQueryHandler(fallback.expired_button))
    app.add_handler(MessageHandler(filters.ALL, fallback.unknown))

    app.add_error_handler(errors.on_error)
