"""Typed per-application services and per-update context (no globals).

`StaffMember` lives in the pure `bot.core.domain`; it is re-exported here only for callers not yet
moved over."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.core.domain import StaffMember
from bot.core.i18n import Translator

__all__ = ["AppServices", "NavApplication", "NavContext", "StaffMember"]


class AppServices:
    """`bot_data`: built empty by PTB, filled by the composition root and `post_init`."""

    settings: Settings
    engine: AsyncEngine | None = None  # None until start-up created it, and after shutdown
    session_factory: async_sessionmaker[AsyncSession]
    read_session_factory: async_sessionmaker[AsyncSession]
    snapshot_session_factory: async_sessionmaker[AsyncSession]  # reports: reads, one snapshot
    instance_id: str
    # Set by the reminder scheduler: asks for a prompt delivery run (a safeguarding alert
    # must not wait for the next periodic sweep).
    on_alert_raised: Callable[[], None] | None = None
    sender: Any  # bot.jobs.delivery.Sender, built on first use by the reminder sweep
    sweep_lock: asyncio.Lock  # one sweep at a time per process
    # Heartbeats (bot.jobs.schedule.leave_heartbeats): this machine's name, and the Unix time
    # this process last heard from Telegram (a poll that answered, or a webhook update).
    host: str
    telegram_contact_at: float | None = None


class NavContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], AppServices]):
    """Per-update context. PTB builds one per update and shares it across handler groups, so
    the access guard (group -1) can leave the staff member and reply language here."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.staff: StaffMember | None = None
        self.t: Translator = Translator("en")

    @property
    def services(self) -> AppServices:
        return self.bot_data

    def require_staff(self) -> StaffMember:
        if self.staff is None:  # the guard lets no one else through to staff handlers
            raise PermissionError("handler reached without a staff member")
        return self.staff


NavApplication = Application[Any, NavContext, Any, Any, AppServices, Any]
