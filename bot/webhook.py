"""Webhook mode: our own small HTTP server in front of the application, built on PTB's public
API (`Application.initialize/start/process_update/stop/shutdown`, `Update.de_json`) and the
tornado server PTB's `webhooks` extra installs.

Why not `Application.run_webhook`:

* **`GET /healthz`** answers the same checks as `navbot health` (200 or 503, one line each)
  on the webhook port, for a load balancer or an orchestrator.
* **Nothing is lost when a process dies.** An update is handled before Telegram gets its
  200, so a process killed half-way through never acknowledged it and Telegram delivers it
  again, to a process that is alive (behind a load balancer). Conversation state lives in
  the database, so the other process carries the flow on.
* **One process registers the webhook.** Several processes behind one URL share
  `WEBHOOK_SECRET` (required with PostgreSQL) and a fingerprint of the registration in the
  database; the first to start with a new fingerprint calls `setWebhook`, the others see it
  is done (`register_webhook_once`).

Updates from one person are handled one at a time in a process (a lock per user), as PTB
does when it processes updates in sequence; different people's updates run concurrently.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import text
from telegram import Update
from tornado.httpserver import HTTPServer
from tornado.web import Application as TornadoApplication
from tornado.web import RequestHandler

from bot.config import Settings
from bot.context import NavApplication
from bot.jobs.schedule import note_telegram_contact
from bot.ops.health import check_health
from storage.staff import get_app_state, set_app_state

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
FINGERPRINT_KEY = "webhook_fingerprint"
_ADVISORY_LOCK_KEY = 0x6E617662  # "navb": serialises registration across processes (PostgreSQL)
MAX_UPDATE_BYTES = 1 << 20  # Telegram's updates are a few KB; refuse anything absurd
SHUTDOWN_GRACE_SECONDS = 5.0


def webhook_path(settings: Settings) -> str:
    assert settings.webhook_url is not None
    return "/" + (urlparse(settings.webhook_url).path.strip("/") or "telegram")


class _UserLocks:
    """One lock per person: their updates are handled in order within this process."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}

    async def run(self, key: int | None, work: Callable[[], Awaitable[None]]) -> None:
        if key is None:
            await work()
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                await work()
        finally:
            if not lock.locked() and self._locks.get(key) is lock:
                del self._locks[key]


class _UpdateHandler(RequestHandler):
    def initialize(self, app: NavApplication, secret: str, locks: _UserLocks) -> None:
        self.nav_app = app
        self.secret = secret
        self.locks = locks

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("webhook request without the right secret refused")
            self.set_status(403)
            return
        try:
            data = json.loads(self.request.body)
            update = Update.de_json(data, self.nav_app.bot)
        except (ValueError, TypeError, KeyError):
            self.set_status(400)
            return
        if update is None:
            self.set_status(400)
            return
        if not self.nav_app.running:  # starting or stopping: Telegram will send it again
            self.set_status(503)
            return
        note_telegram_contact(self.nav_app.bot_data)
        user = update.effective_user
        # Handled before the 200: a process that dies here never acknowledged the update,
        # and Telegram sends it again.
        await self.locks.run(user.id if user else None, lambda: self.nav_app.process_update(update))
        self.set_status(200)


class _HealthHandler(RequestHandler):
    def initialize(self, app: NavApplication) -> None:
        self.nav_app = app

    async def get(self) -> None:
        services = self.nav_app.bot_data
        engine = services.engine
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        if engine is None:
            self.set_status(503)
            self.write("FAIL database: not started\n")
            return
        report = await check_health(
            engine, services.settings, now=datetime.now(UTC), host=services.host
        )
        self.set_status(200 if report.ok else 503)
        self.write("".join(f"{line}\n" for line in report.lines()))


def _fingerprint(settings: Settings, secret: str, allowed_updates: list[str]) -> str:
    material = "\n".join([settings.webhook_url or "", secret, ",".join(sorted(allowed_updates))])
    return hashlib.sha256(material.encode()).hexdigest()[:32]


async def register_webhook_once(
    app: NavApplication, settings: Settings, secret: str, allowed_updates: list[str]
) -> bool:
    """Register the webhook unless another process already registered this very one (same
    URL, secret and update types) and Telegram still has it. True when this call did.

    The claim is taken in the database under an advisory lock (PostgreSQL) or the
    single-process file lock (SQLite); `setWebhook` is called after the commit, outside any
    transaction. Registering the same webhook twice (two processes racing past a webhook
    Telegram lost) is harmless: same URL, same shared secret.
    """
    fingerprint = _fingerprint(settings, secret, allowed_updates)
    services = app.bot_data
    async with services.session_factory.begin() as session:
        if not settings.is_sqlite:
            await session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY}
            )
        claimed = await get_app_state(session, key=FINGERPRINT_KEY) != fingerprint
        if claimed:
            await set_app_state(session, key=FINGERPRINT_KEY, value=fingerprint)
    if not claimed:
        info = await app.bot.get_webhook_info()
        if info.url == settings.webhook_url:
            log.info("webhook already registered by another process: not registering again")
            return False
    await app.bot.set_webhook(
        url=settings.webhook_url or "", secret_token=secret, allowed_updates=allowed_updates
    )
    log.info("webhook registered")
    return True


async def serve_webhook(app: NavApplication, settings: Settings, secret: str) -> None:
    """Start the application, listen, register the webhook, and run until SIGINT/SIGTERM.

    `OSError` when the address cannot be bound (the CLI says which setting to change).
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    allowed_updates = list(Update.ALL_TYPES)
    locks = _UserLocks()
    routes: list[Any] = [
        (webhook_path(settings), _UpdateHandler, {"app": app, "secret": secret, "locks": locks}),
        ("/healthz", _HealthHandler, {"app": app}),
    ]
    # Bind first: a port in use is a configuration mistake to report before anything starts.
    server = HTTPServer(TornadoApplication(routes), max_body_size=MAX_UPDATE_BYTES)
    server.listen(settings.webhook_port, address=settings.webhook_listen)
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        await register_webhook_once(app, settings, secret, allowed_updates)
        log.info(
            "listening for webhooks on %s:%d%s",
            settings.webhook_listen,
            settings.webhook_port,
            webhook_path(settings),
        )
        await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        server.stop()  # no new connections; requests in flight get a moment to finish
        try:
            await asyncio.wait_for(server.close_all_connections(), SHUTDOWN_GRACE_SECONDS)
        except TimeoutError:
            log.warning("stopped with webhook requests still in flight")
        if app.running:
            await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
