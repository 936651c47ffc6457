"""Everything the scheduler runs, scheduled in one place.

`schedule_jobs(app)` is the only caller of the JobQueue. Each job opens its own short
sessions and only sweeps the database: nothing about what is owed lives in the job queue.

- `sweep_and_deliver` (repeating): produce what the follow-ups, safeguarding repeats and
  agendas owe (`bot.followups.sweep`), then deliver it (`bot.jobs.delivery.Sender`);
- `weekly_digest_job` (repeating, idempotent by dedupe keys): supervisors' Monday digest;
- `purge_job` (daily, local time): the retention purge (PRODUCT §8), and conversations
  that expired without an answer.

`request_prompt_delivery(app)` asks for a sweep now, e.g. after a save raised a
safeguarding alert, instead of waiting for the next interval.
"""

from __future__ import annotations

import asyncio
import logging
import time as clock
from datetime import UTC, datetime, time
from typing import Any

from telegram.error import TelegramError

from bot.config import Settings
from bot.contacts.saving import reminder_settings
from bot.context import AppServices, NavApplication, NavContext
from bot.followups.sweep import produce_all
from bot.jobs.delivery import DeliveryReport, Sender
from bot.logging_setup import bind_log_context
from bot.ops.metrics import (
    DELIVERY_SECONDS,
    LAST_SWEEP,
    LAST_UPDATE,
    OUTBOX_PENDING,
    SWEEP_SECONDS,
)
from bot.people.data_requests import purge_expired
from bot.reports.digest import produce_weekly_digests
from storage.conversations import delete_expired_conversations
from storage.heartbeats import record_heartbeats
from storage.outbox import count_waiting_deliveries

log = logging.getLogger(__name__)

SWEEP_JOB_NAME = "sweep_and_deliver"
DIGEST_JOB_NAME = "weekly-digest"
DIGEST_INTERVAL_SECONDS = 300
PURGE_JOB_NAME = "retention-purge"
WEBHOOK_CHECK_JOB_NAME = "webhook-check"
WEBHOOK_CHECK_SECONDS = 60
PURGE_AT = time(3, 30)  # local time: quiet, and outside every plausible working window


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- the sweep --------------------------------------------------------------------------------


def get_sender(app: NavApplication) -> Sender:
    """The application's one Sender (its pacer must be shared by every sweep)."""
    services = app.bot_data
    sender: Sender | None = getattr(services, "sender", None)
    if sender is None:
        sender = Sender(
            bot=app.bot,
            session_factory=services.session_factory,
            settings=services.settings,
            instance_id=services.instance_id,
        )
        services.sender = sender
    return sender


def _sweep_lock(app: NavApplication) -> asyncio.Lock:
    lock: asyncio.Lock | None = getattr(app.bot_data, "sweep_lock", None)
    if lock is None:
        lock = asyncio.Lock()
        app.bot_data.sweep_lock = lock
    return lock


async def run_sweep(app: NavApplication, *, now: datetime | None = None) -> DeliveryReport:
    """Produce what is due, then deliver it, then leave a heartbeat. One at a time per
    process."""
    services = app.bot_data
    async with _sweep_lock(app):
        with SWEEP_SECONDS.time():
            await produce_all(
                services.session_factory,
                now=now or utcnow(),
                settings=reminder_settings(services.settings),
            )
        with DELIVERY_SECONDS.time():
            report = await get_sender(app).deliver_due()
            if report.newly_unreachable:  # their supervisors' notices are in the outbox now
                more = await get_sender(app).deliver_due()
                report.sent += more.sent
        await leave_heartbeats(app)
        return report


async def leave_heartbeats(app: NavApplication) -> None:
    """For `navbot health` in another process: this sweep finished, and when this process
    last heard from Telegram (a poll that answered, or a webhook update). Also the queue
    depth for the metrics."""
    services = app.bot_data
    now = utcnow()
    beats = {"sweep": now}
    if services.telegram_contact_at is not None:
        beats["telegram"] = datetime.fromtimestamp(services.telegram_contact_at, UTC)
    async with services.session_factory.begin() as session:
        await record_heartbeats(session, host=services.host, beats=beats)
        OUTBOX_PENDING.set(await count_waiting_deliveries(session))
    LAST_SWEEP.set(now.timestamp())


async def sweep_and_deliver(context: NavContext) -> None:
    bind_log_context(update_id=None, staff_id=None)  # a job, not an update
    try:
        report = await run_sweep(context.application)  # type: ignore[arg-type]
    except Exception as error:  # the next run tries again; the database holds what is owed
        log.error(
            "reminder sweep failed: %s",
            type(error).__name__,
            exc_info=(type(error), error, error.__traceback__),
        )
        return
    if report.sent or report.failed or report.released:
        log.info(
            "sweep: sent %d, released %d, failed %d, skipped %d",
            report.sent,
            report.released,
            report.failed,
            report.skipped,
        )


def note_telegram_contact(services: AppServices) -> None:
    """Telegram answered a poll, sent an update or confirmed our webhook (the heartbeat
    `leave_heartbeats` writes)."""
    services.telegram_contact_at = clock.time()
    LAST_UPDATE.set(services.telegram_contact_at)


def request_prompt_delivery(app: Any) -> None:
    """Run a sweep now instead of waiting for the next interval. Safe from any handler; a
    no-op for an application without a job queue (as in the CLI)."""
    job_queue = getattr(app, "job_queue", None)
    if job_queue is not None:
        job_queue.run_once(sweep_and_deliver, 0, name="prompt_sweep")


# --- the weekly digest and the purge ----------------------------------------------------------


async def weekly_digest_job(context: NavContext) -> None:
    bind_log_context(update_id=None, staff_id=None)
    services = context.services
    await produce_weekly_digests(
        services.session_factory,
        now=utcnow(),
        settings=services.settings,
        snapshot_session_factory=services.snapshot_session_factory,
    )


async def purge_job(context: NavContext) -> None:
    bind_log_context(update_id=None, staff_id=None)
    services = context.services
    now = utcnow()
    async with services.session_factory.begin() as session:
        await purge_expired(
            session, now=now, retention_days=services.settings.retention_days_after_close
        )
        # Conversations nobody came back to (each one says so when its user returns).
        await delete_expired_conversations(session, now=now)


async def webhook_check_job(context: NavContext) -> None:
    """Webhook mode: ask Telegram whether our webhook is in place. In a quiet night no update
    arrives, so this is what keeps the `telegram` heartbeat fresh while all is well; a
    webhook Telegram dropped, or a Telegram we cannot reach, lets it go stale."""
    bind_log_context(update_id=None, staff_id=None)
    services = context.services
    try:
        info = await context.bot.get_webhook_info()
    except TelegramError as error:
        log.warning("webhook check failed: %s", type(error).__name__)
        return
    if info.url == services.settings.webhook_url:
        note_telegram_contact(services)
    else:
        log.warning("Telegram does not have our webhook (last error: %s)", info.last_error_message)


# --- the schedule -----------------------------------------------------------------------------


def schedule_jobs(app: NavApplication) -> None:
    """Every scheduled job the bot runs. Jobs only sweep the database."""
    job_queue = app.job_queue
    if job_queue is None:  # the job-queue extra is a dependency: a broken install
        raise RuntimeError("python-telegram-bot[job-queue] is required")
    settings: Settings = app.bot_data.settings
    interval = settings.sweep_interval_seconds
    job_queue.run_repeating(
        sweep_and_deliver,
        interval=interval,
        first=1,
        name=SWEEP_JOB_NAME,
        job_kwargs={
            "misfire_grace_time": max(1, int(interval * 2)),
            "coalesce": True,
            "max_instances": 1,
        },
    )
    job_queue.run_repeating(
        weekly_digest_job,
        interval=DIGEST_INTERVAL_SECONDS,
        first=15,
        name=DIGEST_JOB_NAME,
        job_kwargs={"misfire_grace_time": DIGEST_INTERVAL_SECONDS, "coalesce": True},
    )
    if settings.webhook_url:
        job_queue.run_repeating(
            webhook_check_job,
            interval=WEBHOOK_CHECK_SECONDS,
            first=1,
            name=WEBHOOK_CHECK_JOB_NAME,
            job_kwargs={"misfire_grace_time": WEBHOOK_CHECK_SECONDS, "coalesce": True},
        )
    job_queue.run_daily(
        purge_job,
        time=PURGE_AT.replace(tzinfo=settings.tz),
        name=PURGE_JOB_NAME,
        job_kwargs={"misfire_grace_time": 6 * 3600, "coalesce": True},
    )
