"""Typed per-application services and per-update context (no globals)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.domain import Role
from bot.i18n import Translator
from storage.models import Staff
from storage.staff import StaffForUpdate


@dataclass(frozen=True)
class StaffMember:
    """A snapshot of the staff row the access guard loaded for this update."""

    id: int
    telegram_id: int
    role: Role
    team: str
    display_name: str | None
    ui_language: str
    telegram_language: str | None
    working_hours: str | None
    confirm_cards: bool
    awaiting_card_answer: bool = False  # a card asked them to type something (a date)
    last_language: str | None = None  # see Staff.last_language

    @classmethod
    def from_row(
        cls, row: Staff | StaffForUpdate, *, awaiting_card_answer: bool = False
    ) -> StaffMember:
        return cls(
            id=row.id,
            telegram_id=row.telegram_id,
            role=Role(row.role),
            team=row.team,
            display_name=row.display_name,
            ui_language=row.ui_language,
            telegram_language=row.telegram_language,
            working_hours=row.working_hours,
            confirm_cards=row.confirm_cards,
            awaiting_card_answer=awaiting_card_answer,
            last_language=row.last_language,
        )


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
    sender: Any  # bot.sender.Sender, built on first use by the reminder sweep
    sweep_lock: asyncio.Lock  # one sweep at a time per process


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
