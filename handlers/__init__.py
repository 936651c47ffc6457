"""Telegram adapters. `register` is the one explicit list of what handles which update."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CommandHandler, MessageHandler, TypeHandler, filters

from handlers import errors, fallback, guard, onboarding, reminders


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # Group -1: the access guard sees every update first and stops what it refuses.
    app.add_handler(TypeHandler(Update, guard.check_access), group=guard.GUARD_GROUP)

    # Group 0: commands, then the catch-all.
    app.add_handler(CommandHandler("start", onboarding.start))
    app.add_handler(CommandHandler("help", onboarding.help_command))
    app.add_handler(CommandHandler("invite", onboarding.invite))
    # Reminder buttons, Reschedule (a short conversation), /due, /hours, block/unblock.
    for handler in reminders.handlers():
        app.add_handler(handler)
    app.add_handler(MessageHandler(filters.ALL, fallback.unknown))

    app.add_error_handler(errors.on_error)
