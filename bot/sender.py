"""The scheduler's Telegram half: sweep the database, then deliver what is owed.

`schedule_jobs(app)` registers one repeating JobQueue job, `sweep_and_deliver`; every run opens
its own short sessions:

1. produce: the follow-up sweep, safeguarding repeats and agendas (`bot.reminders`), each in
   its own transaction;
2. deliver: claim a batch of due messages and commit the claim, send each message, then
   record the outcome in another short transaction. A crash between claim and record leaves
   the message claimed; once the lease (`DELIVERY_LEASE_SECONDS`) is over any process
   reclaims it. Messages come from two queues with the same claim rules: the outbox, and the
   nudges the follow-ups owe their navigators, kept on the follow-ups (storage/nudges.py).

Sends are paced by the recipient's chat (`RATE_LIMIT_PER_CHAT_PER_SECOND`) and overall (at most
`RATE_LIMIT_OVERALL_PER_SECOND` requests in flight or finished within the last second, so a
server counting by the second never sees more), on top of PTB's AIORateLimiter,
which retries a 429 after the time Telegram gives. A 429 that survives its retries releases
the row until that time; a 403 fails the row and marks the recipient unreachable (their
supervisors and the admins are told once); network errors release it with exponential
backoff. Nothing is lost and, barring a crash after Telegram accepted a message and before
it was recorded, nothing is sent twice.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.config import Settings
from bot.followup_actions import staff_name
from bot.i18n import Translator, choose_reply_language
from bot.reminder_messages import (
    Rendered,
    render_agenda,
    render_escalation,
    render_followup_nudge,
    render_reassigned,
    render_safeguarding,
    render_unreachable,
)
from storage.alerts import get_alert
from storage.followups import get_followup
from storage.models import OutboxMessage, Staff
from storage.nudges import (
    ClaimedNudge,
    claim_followup_nudges,
    finish_nudge,
    get_nudge_context,
    mark_nudge_sent,
    release_nudge,
)
from storage.outbox import (
    claim_outbox_messages,
    mark_outbox_finished,
    mark_outbox_sent,
    release_outbox_message,
)
from storage.staff import get_staff

log = logging.getLogger(__name__)

CLAIM_BATCH = 100
MAX_ATTEMPTS = 12
MAX_BACKOFF_SECONDS = 600
PACING_WINDOW_SECONDS = 1.01  # a hair over a second, for clock granularity


def utcnow() -> datetime:
    return datetime.now(UTC)


class Pacer:
    """At most `overall` requests in flight or finished within the last window, and at most
    one every `1 / per_chat` seconds to the same chat.

    Counting by completion, not by start, is what keeps a server that counts requests per
    second happy whatever the latency: any request it handles inside a one-second window
    either is still in flight or finished inside that window when the last of them started.
    """

    def __init__(self, *, overall: float, per_chat: float) -> None:
        self._capacity = max(1, math.floor(overall))
        self._chat_gap = 1.0 / per_chat
        self._finished: deque[float] = deque()
        self._in_flight = 0
        self._chat_next: dict[int, float] = {}
        self._lock = asyncio.Lock()

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until this chat may get its next message."""
        return max(0.0, self._chat_next.get(chat_id, 0.0) - asyncio.get_running_loop().time())

    async def acquire(self, chat_id: int) -> None:
        loop = asyncio.get_running_loop()
        delay = self._chat_next.get(chat_id, 0.0) - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        async with self._lock:
            while True:
                now = loop.time()
                while self._finished and now - self._finished[0] >= PACING_WINDOW_SECONDS:
                    self._finished.popleft()
                if self._in_flight + len(self._finished) < self._capacity:
                    break
                if self._finished:
                    await asyncio.sleep(PACING_WINDOW_SECONDS - (now - self._finished[0]))
                else:
                    await asyncio.sleep(0.005)  # everything is in flight: wait for one
            self._in_flight += 1
        self._chat_next[chat_id] = loop.time() + self._chat_gap

    def release(self) -> None:
        self._in_flight -= 1
        self._finished.append(asyncio.get_running_loop().time())


@dataclass
class DeliveryReport:
    sent: int = 0
    released: int = 0
    failed: int = 0
    skipped: int = 0
    newly_unreachable: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Job:
    """A claimed message: an outbox row, or a follow-up's nudge (`nudge` set, `id` the
    follow-up's id, the payload read when it is sent)."""

    id: int
    kind: str
    recipient_id: int
    followup_id: int | None
    alert_id: int | None
    payload: dict[str, Any]
    attempts: int
    claimed_at: float  # loop time of the claim
    not_before: datetime
    nudge: ClaimedNudge | None = None

    @classmethod
    def of(cls, row: OutboxMessage, claimed_at: float) -> _Job:
        return cls(
            row.id,
            row.kind,
            row.recipient_id,
            row.followup_id,
            row.alert_id,
            dict(row.payload),
            row.attempts,
            claimed_at,
            row.not_before,
        )

    @classmethod
    def of_nudge(cls, nudge: ClaimedNudge, claimed_at: float) -> _Job:
        return cls(
            nudge.followup_id,
            nudge.kind,
            nudge.recipient_id,
            nudge.followup_id,
            None,
            {},
            nudge.attempts,
            claimed_at,
            nudge.not_before,
            nudge,
        )

    @property
    def name(self) -> str:
        """For logs: which queue and row, never what the message says."""
        return f"nudge of follow-up {self.id}" if self.nudge else f"outbox row {self.id}"


class Sender:
    """Claims and sends outbox rows and follow-up nudges. One per application; safe to share
    across sweeps."""

    def __init__(
        self,
        *,
        bot: Any,
        session_factory: async_sessionmaker[AsyncSession],
        settings: Settings,
        instance_id: str,
    ) -> None:
        self.bot = bot
        self.session_factory = session_factory
        self.settings = settings
        self.instance_id = instance_id
        self.pacer = Pacer(
            overall=settings.rate_limit_overall_per_second,
            per_chat=settings.rate_limit_per_chat_per_second,
        )

    async def claim(self, *, limit: int = CLAIM_BATCH) -> list[_Job]:
        now = utcnow()
        lease = timedelta(seconds=self.settings.delivery_lease_seconds)
        async with self.session_factory.begin() as session:
            rows = await claim_outbox_messages(
                session,
                now=now,
                claimed_by=self.instance_id,
                lease_cutoff=now - lease,
                limit=limit,
            )
            nudges = await claim_followup_nudges(
                session,
                now=now,
                claimed_by=self.instance_id,
                lease_cutoff=now - lease,
                limit=limit,
            )
            claimed_at = asyncio.get_running_loop().time()
            jobs = [_Job.of(row, claimed_at) for row in rows]
            jobs += [_Job.of_nudge(nudge, claimed_at) for nudge in nudges]
        # Oldest first across both queues; at the same moment a nudge before an outbox row, as
        # the sweep produces nudges before agendas (a stable sort: each queue is in order).
        jobs.sort(key=lambda job: (job.not_before, job.nudge is None))
        return jobs

    async def deliver_due(self, *, max_batches: int | None = None) -> DeliveryReport:
        """Send everything that is due now, batch by batch, until nothing is left."""
        report = DeliveryReport()
        batches = 0
        while max_batches is None or batches < max_batches:
            jobs = await self.claim()
            if not jobs:
                break
            batches += 1
            by_recipient: dict[int, list[_Job]] = {}
            for job in jobs:
                by_recipient.setdefault(job.recipient_id, []).append(job)
            await asyncio.gather(
                *(self._deliver_sequence(queue, report) for queue in by_recipient.values())
            )
        return report

    async def _deliver_sequence(self, jobs: Sequence[_Job], report: DeliveryReport) -> None:
        for job in jobs:
            try:
                await self._deliver(job, report)
            except Exception as error:  # one bad row must not stop the others
                log.error(
                    "delivering %s failed: %s",
                    job.name,
                    type(error).__name__,
                    exc_info=(type(error), error, error.__traceback__),
                )
                await self._release(job, report, error=type(error).__name__)

    async def _prepare(self, job: _Job) -> tuple[Staff, Rendered] | str:
        """The recipient and the rendered message, or why the row is no longer owed."""
        tz = self.settings.tz
        async with self.session_factory() as session:
            recipient = await get_staff(session, staff_id=job.recipient_id)
            if recipient is None or not recipient.active:
                return "failed:inactive"
            if not recipient.reachable:
                return "failed:unreachable"
            t = Translator(
                choose_reply_language(
                    recipient.ui_language,
                    recipient.telegram_language,
                    last_language=recipient.last_language,
                )
            )
            payload = job.payload
            if job.nudge is not None:
                context = await get_nudge_context(session, followup_id=job.id)
                if context is None or context.status != "open":
                    return "skipped:followup closed"
                if context.staff_id != recipient.id:
                    return "skipped:reassigned"
                payload = {
                    "code": context.code,
                    "due_at": context.due_at.isoformat(),
                    "days_overdue": job.nudge.days_overdue,
                    "last": context.last,
                }
            elif job.followup_id is not None:
                followup = await get_followup(session, followup_id=job.followup_id)
                if followup is None or followup.status != "open":
                    return "skipped:followup closed"
                if job.kind in ("due", "overdue", "reassigned") and (
                    followup.staff_id != recipient.id
                ):
                    return "skipped:reassigned"
                if job.kind == "escalation" and followup.escalation_acknowledged_at is not None:
                    return "skipped:acknowledged"
            if job.kind in ("due", "overdue"):
                assert job.followup_id is not None
                rendered = render_followup_nudge(
                    t, kind=job.kind, followup_id=job.followup_id, payload=payload, tz=tz
                )
            elif job.kind == "escalation":
                assert job.followup_id is not None
                rendered = render_escalation(
                    t,
                    followup_id=job.followup_id,
                    payload=payload,
                    navigator=await staff_name(session, payload.get("navigator_id")),
                    tz=tz,
                )
            elif job.kind == "safeguarding":
                assert job.alert_id is not None
                alert = await get_alert(session, alert_id=job.alert_id)
                if alert is None:
                    return "skipped:alert gone"
                if payload.get("repeat") and alert.acknowledged_at is not None:
                    return "skipped:acknowledged"
                rendered = render_safeguarding(
                    t,
                    alert_id=job.alert_id,
                    payload=payload,
                    navigator=await staff_name(session, payload.get("navigator_id")),
                )
            elif job.kind == "agenda":
                rendered = render_agenda(t, payload, tz=tz, now=utcnow())
            elif job.kind == "unreachable":
                rendered = render_unreachable(
                    t, name=await staff_name(session, payload.get("staff_id"))
                )
            elif job.kind == "reassigned":
                assert job.followup_id is not None
                rendered = render_reassigned(
                    t,
                    followup_id=job.followup_id,
                    payload=payload,
                    by=await staff_name(session, payload.get("by_id")),
                    tz=tz,
                )
            elif job.kind == "notice":
                rendered = Rendered(str(payload["text"]))  # pre-rendered, already escaped HTML
            else:
                return f"failed:unknown kind {job.kind}"
            return recipient, rendered

    async def _deliver(self, job: _Job, report: DeliveryReport) -> None:
        prepared = await self._prepare(job)
        if isinstance(prepared, str):
            status, _, reason = prepared.partition(":")
            async with self.session_factory.begin() as session:
                await self._finish(session, job, status=status, error=reason)
            if status == "failed":
                report.failed += 1
            else:
                report.skipped += 1
            return
        recipient, rendered = prepared
        loop = asyncio.get_running_loop()
        lease = self.settings.delivery_lease_seconds
        wait = self.pacer.chat_wait(recipient.telegram_id)
        if loop.time() - job.claimed_at + wait > lease * 0.5:
            # The chat's pace would keep this row waiting past a safe part of our claim:
            # give it back, due when the chat is free, without reserving a slot.
            await self._release(job, report, error="lease", delay=wait)
            return
        await self.pacer.acquire(recipient.telegram_id)
        if loop.time() - job.claimed_at > lease * 0.8:
            self.pacer.release()
            # Our claim is about to lapse: another process may take the row over, so sending
            # now could send it twice. Give it back instead.
            await self._release(
                job, report, error="lease", delay=self.pacer.chat_wait(recipient.telegram_id)
            )
            return
        markup = (
            InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(label, callback_data=data) for label, data in row]
                    for row in rendered.buttons
                ]
            )
            if rendered.buttons
            else None
        )
        try:
            try:
                message = await self.bot.send_message(
                    chat_id=recipient.telegram_id, text=rendered.text, reply_markup=markup
                )
            finally:
                self.pacer.release()
        except RetryAfter as error:
            retry_after = error.retry_after
            seconds = (
                retry_after.total_seconds()
                if isinstance(retry_after, timedelta)
                else float(retry_after)
            )
            await self._release(job, report, error="RetryAfter", delay=seconds)
        except Forbidden:
            await self._forbidden(job, recipient, report)
        except BadRequest as error:  # e.g. chat not found: retrying cannot help
            async with self.session_factory.begin() as session:
                await self._finish(session, job, status="failed", error=type(error).__name__)
            report.failed += 1
        except NetworkError as error:  # includes TimedOut: the message may not have gone out
            await self._release(job, report, error=type(error).__name__)
        except TelegramError as error:
            await self._release(job, report, error=type(error).__name__)
        else:
            async with self.session_factory.begin() as session:
                if job.nudge is not None:
                    await mark_nudge_sent(
                        session, nudge=job.nudge, claimed_by=self.instance_id, at=utcnow()
                    )
                else:
                    await mark_outbox_sent(
                        session,
                        message_id=job.id,
                        at=utcnow(),
                        telegram_message_id=message.message_id,
                    )
            report.sent += 1

    async def _finish(self, session: AsyncSession, job: _Job, *, status: str, error: str) -> None:
        """`failed` (cannot be delivered) or `skipped` (no longer owed)."""
        if job.nudge is not None:
            await finish_nudge(
                session, nudge=job.nudge, claimed_by=self.instance_id, error=f"{status}:{error}"
            )
        else:
            await mark_outbox_finished(session, message_id=job.id, status=status, error=error)

    async def _release(
        self, job: _Job, report: DeliveryReport, *, error: str, delay: float | None = None
    ) -> None:
        if delay is None:
            delay = min(MAX_BACKOFF_SECONDS, 2 ** max(0, job.attempts - 1))
        async with self.session_factory.begin() as session:
            if job.attempts >= MAX_ATTEMPTS and error != "lease":
                await self._finish(session, job, status="failed", error=error)
                report.failed += 1
                return
            not_before = utcnow() + timedelta(seconds=delay)
            if job.nudge is not None:
                await release_nudge(
                    session,
                    nudge=job.nudge,
                    claimed_by=self.instance_id,
                    not_before=not_before,
                    error=error,
                )
            else:
                await release_outbox_message(
                    session,
                    message_id=job.id,
                    claimed_by=self.instance_id,
                    not_before=not_before,
                    error=error,
                )
        report.released += 1

    async def _forbidden(self, job: _Job, recipient: Staff, report: DeliveryReport) -> None:
        from bot.reminders import mark_unreachable

        async with self.session_factory.begin() as session:
            await self._finish(session, job, status="failed", error="Forbidden")
            if await mark_unreachable(session, staff_id=recipient.id, now=utcnow()):
                report.newly_unreachable.append(recipient.id)
        report.failed += 1
