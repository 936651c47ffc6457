"""Telegram adapters. `register` is the one explicit list of what handles which update."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CommandHandler, MessageHandler, TypeHandler, filters

from handlers import errors, fallback, guard, onboarding, stats


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # Group -1: the access guard sees every update first and stops what it refuses.
    app.add_handler(TypeHandler(Update, guard.check_access), group=guard.GUARD_GROUP)

    # Group 0: commands, then the catch-all.
    app.add_handler(CommandHandler("start", onboarding.start))
    app.add_handler(CommandHandler("help", onboarding.help_command))
    app.add_handler(CommandHandler("invite", onboarding.invite))
    # Supervisor reports (PRODUCT §7).
    app.add_handler(CommandHandler("stats", stats.stats))
    app.add_handler(CommandHandler("overdue", stats.overdue))
    app.add_handler(CommandHandler("chart", stats.chart))
    app.add_handler(CommandHandler("export", stats.export))
    app.add_handler(MessageHandler(filters.ALL, fallback.unknown))

    app.add_error_handler(errors.on_error)


def schedule_jobs(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The scheduler's sweeps, registered once the event loop runs (from `start_services`)."""
    stats.schedule_stats_jobs(app)
