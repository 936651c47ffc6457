"""The composition root: `build_application(settings)` wires everything; nothing at import."""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
import uuid
from datetime import UTC, datetime
from functools import partial
from http import HTTPStatus
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest, HTTPXRequest

import handlers
from bot.config import TOKEN_MISSING_MESSAGE, Settings
from bot.contacts.parsing import parse_contact
from bot.context import AppServices, NavApplication, NavContext
from bot.core.access import commands_for
from bot.core.domain import Role
from bot.core.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES, Translator
from bot.jobs.schedule import note_telegram_contact, request_prompt_delivery, schedule_jobs
from storage.db import (
    create_engine,
    create_read_session_factory,
    create_session_factory,
    create_snapshot_session_factory,
)
from storage.staff import list_staff, set_app_state

log = logging.getLogger(__name__)


def build_application(settings: Settings, *, request: BaseRequest | None = None) -> NavApplication:
    """`request` replaces the HTTP transport (handler tests record calls through it)."""
    if settings.telegram_bot_token is None:
        raise ValueError(TOKEN_MISSING_MESSAGE)
    api = settings.telegram_api_base_url
    context_types = ContextTypes(context=NavContext, bot_data=AppServices)
    builder = ApplicationBuilder()
    polling: HeartbeatRequest | None = None
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        polling = HeartbeatRequest()
        builder = builder.get_updates_request(polling)
    app: NavApplication = (
        builder.token(settings.telegram_bot_token.get_secret_value())
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .context_types(context_types)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                tzinfo=settings.tz,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=settings.rate_limit_overall_per_second,
                overall_time_period=1,
                max_retries=5,
            )
        )
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data.settings = settings
    app.bot_data.instance_id = uuid.uuid4().hex
    app.bot_data.host = socket.gethostname()
    if polling is not None:
        polling.services = app.bot_data
    handlers.register(app)
    return app


class HeartbeatRequest(HTTPXRequest):
    """The transport for `getUpdates` (one connection, as PTB builds it by default) that
    notes when Telegram last answered a poll: the heartbeat `navbot health` reads. An empty
    answer counts too; polling that fails for minutes is what the check is for."""

    services: AppServices | None = None

    def __init__(self) -> None:
        super().__init__(connection_pool_size=1)

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        code, body = await super().do_request(*args, **kwargs)
        if code == HTTPStatus.OK and self.services is not None:
            note_telegram_contact(self.services)
        return code, body


async def _post_init(app: NavApplication) -> None:
    await start_services(app)
    await publish_command_menus(app)
    # What is loaded by now (PTB, SQLAlchemy, dateparser's and langdetect's tables) lives as
    # long as the process. Moved out of the collector's generations, it is no longer walked
    # by every full collection, which otherwise pauses the event loop now and then.
    gc.freeze()


async def start_services(app: NavApplication) -> None:
    """Everything that needs the event loop: the engine, learning our username, the jobs."""
    services = app.bot_data
    # langdetect loads its profiles and dateparser its tables on first use (~0.5 s): pay
    # that at start, in a thread, not on a navigator's first message.
    await asyncio.to_thread(
        parse_contact,
        "C1 spoke about college, follow up friday",
        now=datetime.now(UTC),
        tz=services.settings.tz,
    )
    engine = services.engine = create_engine(services.settings.database_url)
    services.session_factory = create_session_factory(engine)
    services.read_session_factory = create_read_session_factory(engine)
    services.snapshot_session_factory = create_snapshot_session_factory(engine)
    if app.bot.username:
        async with services.session_factory.begin() as session:
            await set_app_state(session, key="bot_username", value=app.bot.username)
    services.on_alert_raised = partial(request_prompt_delivery, app)
    schedule_jobs(app)
    # Which process claimed a message (outbox.claimed_by) is this id: say which one we are.
    log.info("instance %s started on %s", services.instance_id, services.host)


async def _post_shutdown(app: NavApplication) -> None:
    await stop_services(app)


async def stop_services(app: NavApplication) -> None:
    """Also runs after a start-up that failed half-way: dispose only what was created."""
    engine, app.bot_data.engine = app.bot_data.engine, None
    if engine is not None:
        await engine.dispose()


def _bot_commands(role: Role, language: str) -> list[BotCommand]:
    t = Translator(language)
    return [BotCommand(command.name, t(command.description)) for command in commands_for(role)]


def _menu_languages() -> list[str | None]:
    """The menu without a language code (English, for every app language we do not
    support), then one per other supported language: Telegram shows each user the menu for
    their app's language."""
    return [None, *(language for language in SUPPORTED_LANGUAGES if language != DEFAULT_LANGUAGE)]


async def publish_command_menus(app: NavApplication) -> None:
    """The default menu shows navigator commands; supervisors and admins get their own."""
    try:
        for language in _menu_languages():
            await app.bot.set_my_commands(
                _bot_commands(Role.NAVIGATOR, language or DEFAULT_LANGUAGE),
                BotCommandScopeDefault(),
                language_code=language,
            )
        async with app.bot_data.session_factory() as session:
            seniors = await list_staff(
                session, roles=[Role.SUPERVISOR.value, Role.ADMIN.value], active_only=True
            )
        for staff in seniors:
            await set_commands_for(app, telegram_id=staff.telegram_id, role=Role(staff.role))
    except TelegramError as error:  # the menu is a convenience: never fail start-up for it
        log.warning("could not publish the command menu: %s", type(error).__name__)


async def set_commands_for(app: NavApplication, *, telegram_id: int, role: Role) -> None:
    for language in _menu_languages():
        await app.bot.set_my_commands(
            _bot_commands(role, language or DEFAULT_LANGUAGE),
            BotCommandScopeChat(telegram_id),
            language_code=language,
        )
