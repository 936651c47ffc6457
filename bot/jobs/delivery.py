"""Delivery: claim what is owed, send it, record the outcome. Read top to bottom:

1. **Queues.** Two tables hold messages owed, with the same claim rules: the outbox
   (`OutboxQueue`: agendas, escalations, safeguarding alerts, notices…) and the nudges the
   follow-ups owe their navigators, kept on the follow-ups (`NudgeQueue`,
   storage/nudges.py). Each queue turns its rows into `Claimed` messages and records what
   became of them; nothing else in this module knows which table a message came from.
2. **Claim.** `Sender.claim` takes a batch from both queues and commits the claim. A crash
   between claim and record leaves the message claimed; once the lease
   (`DELIVERY_LEASE_SECONDS`) is over any process reclaims it.
3. **Prepare.** `Sender._prepare` reads the recipient, asks the message's queue what it
   is rendered from now (`Queue.still_owed`: a nudge reads its follow-up afresh) and
   renders it by its kind (`_RENDERERS`); or says why it is no longer owed (`NotOwed`) or
   cannot be delivered (`Undeliverable`).
4. **Send.** `send_once` is the one place that decides what a send attempt came to:
   `Sent`, `RetryLater` (429 after PTB's own retries, network errors), `Rejected` (a bad
   request that retrying cannot help) or `Blocked` (403: the recipient blocked the bot).
5. **Record.** `Sender._record` writes that outcome back through the message's queue, in its
   own short transaction, and counts it in the `DeliveryReport`.

Sends are paced by the recipient's chat (`RATE_LIMIT_PER_CHAT_PER_SECOND`) and overall (at
most `RATE_LIMIT_OVERALL_PER_SECOND` requests in flight or finished within the last second,
so a server counting by the second never sees more), on top of PTB's AIORateLimiter, which
retries a 429 after the time Telegram gives. A 429 that survives its retries releases the
message until that time; a 403 fails it and marks the recipient unreachable (their
supervisors and the admins are told once); network errors release it with exponential
backoff. Nothing is lost and, barring a crash after Telegram accepted a message and before
it was recorded, nothing is sent twice. The scheduler side (when this runs) is bot/jobs/schedule.py.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.config import Settings
from bot.contacts.saving import reminder_settings
from bot.core.i18n import Translator, choose_reply_language
from bot.followups.absences import covering_line, render_return_summary, route_nudge
from bot.followups.actions import staff_name
from bot.followups.messages import (
    Rendered,
    render_agenda,
    render_escalation,
    render_followup_nudge,
    render_reachable_again,
    render_reassigned,
    render_safeguarding,
    render_unreachable,
)
from bot.followups.sweep import mark_unreachable
from bot.ops.metrics import REMINDERS
from storage.alerts import get_alert
from storage.followups import get_followup
from storage.models import Staff
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
COVER_HOURS = "cover-hours"  # a cover's nudge waiting for the cover's hours (issue 16)
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


# --- 1. Queues ---------------------------------------------------------------------------------


class Finish(StrEnum):
    """How a message leaves its queue without being sent (stored as the row's status)."""

    FAILED = "failed"  # it cannot be delivered
    SKIPPED = "skipped"  # it is no longer owed


@dataclass(frozen=True)
class Claimed:
    """A message this process has claimed, from either queue."""

    queue: Queue
    id: int  # the outbox row's id, or the follow-up's id for a nudge
    kind: str  # what it says: due, overdue, escalation, safeguarding, agenda, …
    recipient_id: int
    followup_id: int | None
    alert_id: int | None
    payload: dict[str, Any]
    attempts: int
    claimed_at: float  # loop time of the claim
    not_before: datetime
    nudge: ClaimedNudge | None = None  # NudgeQueue's claim token

    @property
    def name(self) -> str:
        """For logs: which queue and row, never what the message says."""
        return f"{self.queue.name} {self.id}"


class Queue(Protocol):
    name: str
    order: int  # at the same moment, lower first (the sweep produces nudges before agendas)

    async def still_owed(
        self, session: AsyncSession, message: Claimed, recipient: Staff
    ) -> dict[str, Any] | NotOwed:
        """What the message is rendered from, read now; or why it is no longer owed."""
        ...

    async def claim(
        self,
        session: AsyncSession,
        *,
        now: datetime,
        claimed_by: str,
        lease_cutoff: datetime,
        limit: int,
        claimed_at: float,
    ) -> list[Claimed]: ...

    async def mark_sent(
        self,
        session: AsyncSession,
        message: Claimed,
        *,
        claimed_by: str,
        at: datetime,
        sent_id: int,
    ) -> None: ...

    async def finish(
        self, session: AsyncSession, message: Claimed, *, claimed_by: str, how: Finish, reason: str
    ) -> None: ...

    async def release(
        self,
        session: AsyncSession,
        message: Claimed,
        *,
        claimed_by: str,
        not_before: datetime,
        reason: str,
    ) -> None: ...


class OutboxQueue:
    name = "outbox row"
    order = 1

    async def still_owed(
        self, session: AsyncSession, message: Claimed, recipient: Staff
    ) -> dict[str, Any] | NotOwed:
        """The payload written when it was produced, while its follow-up (if any) is open
        and, for the owner's messages, still theirs."""
        if message.followup_id is not None:
            followup = await get_followup(session, followup_id=message.followup_id)
            if followup is None or followup.status != "open":
                return NotOwed("followup closed")
            if message.kind in _OWNER_KINDS and followup.staff_id != recipient.id:
                return NotOwed("reassigned")
        return message.payload

    async def claim(
        self,
        session: AsyncSession,
        *,
        now: datetime,
        claimed_by: str,
        lease_cutoff: datetime,
        limit: int,
        claimed_at: float,
    ) -> list[Claimed]:
        rows = await claim_outbox_messages(
            session, now=now, claimed_by=claimed_by, lease_cutoff=lease_cutoff, limit=limit
        )
        return [
            Claimed(
                self,
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
            for row in rows
        ]

    async def mark_sent(
        self,
        session: AsyncSession,
        message: Claimed,
        *,
        claimed_by: str,
        at: datetime,
        sent_id: int,
    ) -> None:
        await mark_outbox_sent(session, message_id=message.id, at=at, telegram_message_id=sent_id)

    async def finish(
        self, session: AsyncSession, message: Claimed, *, claimed_by: str, how: Finish, reason: str
    ) -> None:
        await mark_outbox_finished(session, message_id=message.id, status=how.value, error=reason)

    async def release(
        self,
        session: AsyncSession,
        message: Claimed,
        *,
        claimed_by: str,
        not_before: datetime,
        reason: str,
    ) -> None:
        await release_outbox_message(
            session,
            message_id=message.id,
            claimed_by=claimed_by,
            not_before=not_before,
            error=reason,
        )


class NudgeQueue:
    name = "nudge of follow-up"
    order = 0

    async def still_owed(
        self, session: AsyncSession, message: Claimed, recipient: Staff
    ) -> dict[str, Any] | NotOwed:
        """A nudge says what the follow-up is now: read when it is sent."""
        assert message.nudge is not None
        context = await get_nudge_context(session, followup_id=message.id)
        if context is None or context.status != "open":
            return NotOwed("followup closed")
        if context.staff_id != recipient.id:
            return NotOwed("reassigned")
        return {
            "code": context.code,
            "due_at": context.due_at.isoformat(),
            "days_overdue": message.nudge.days_overdue,
            "last": context.last,
        }

    async def claim(
        self,
        session: AsyncSession,
        *,
        now: datetime,
        claimed_by: str,
        lease_cutoff: datetime,
        limit: int,
        claimed_at: float,
    ) -> list[Claimed]:
        nudges = await claim_followup_nudges(
            session, now=now, claimed_by=claimed_by, lease_cutoff=lease_cutoff, limit=limit
        )
        return [
            Claimed(
                self,
                nudge.followup_id,
                nudge.kind,
                nudge.recipient_id,
                nudge.followup_id,
                None,
                {},  # read when it is sent: the follow-up may have changed since the sweep
                nudge.attempts,
                claimed_at,
                nudge.not_before,
                nudge,
            )
            for nudge in nudges
        ]

    async def mark_sent(
        self,
        session: AsyncSession,
        message: Claimed,
        *,
        claimed_by: str,
        at: datetime,
        sent_id: int,
    ) -> None:
        assert message.nudge is not None
        await mark_nudge_sent(session, nudge=message.nudge, claimed_by=claimed_by, at=at)

    async def finish(
        self, session: AsyncSession, message: Claimed, *, claimed_by: str, how: Finish, reason: str
    ) -> None:
        assert message.nudge is not None
        await finish_nudge(
            session, nudge=message.nudge, claimed_by=claimed_by, error=f"{how.value}:{reason}"
        )

    async def release(
        self,
        session: AsyncSession,
        message: Claimed,
        *,
        claimed_by: str,
        not_before: datetime,
        reason: str,
    ) -> None:
        assert message.nudge is not None
        await release_nudge(
            session,
            nudge=message.nudge,
            claimed_by=claimed_by,
            not_before=not_before,
            error=reason,
        )


QUEUES: tuple[Queue, ...] = (NudgeQueue(), OutboxQueue())


# --- 3. Prepare: the recipient and the rendered message ----------------------------------------


@dataclass(frozen=True)
class Ready:
    recipient: Staff
    rendered: Rendered


@dataclass(frozen=True)
class NotOwed:
    reason: str  # e.g. "followup closed", "acknowledged"


@dataclass(frozen=True)
class Undeliverable:
    reason: str  # e.g. "inactive", "unreachable"


Prepared = Ready | NotOwed | Undeliverable


@dataclass(frozen=True)
class RenderContext:
    session: AsyncSession
    t: Translator
    tz: ZoneInfo
    message: Claimed
    payload: dict[str, Any]  # from the message's queue (Queue.still_owed)


Renderer = Callable[[RenderContext], Awaitable[Rendered | NotOwed]]


async def _render_followup_nudge(ctx: RenderContext) -> Rendered | NotOwed:
    assert ctx.message.followup_id is not None
    return render_followup_nudge(
        ctx.t,
        kind=ctx.message.kind,
        followup_id=ctx.message.followup_id,
        payload=ctx.payload,
        tz=ctx.tz,
    )


async def _render_escalation(ctx: RenderContext) -> Rendered | NotOwed:
    followup = await get_followup(ctx.session, followup_id=ctx.message.followup_id or 0)
    if followup is not None and followup.escalation_acknowledged_at is not None:
        return NotOwed("acknowledged")
    assert ctx.message.followup_id is not None
    payload = ctx.payload
    return render_escalation(
        ctx.t,
        followup_id=ctx.message.followup_id,
        payload=payload,
        navigator=await staff_name(ctx.session, payload.get("navigator_id")),
        tz=ctx.tz,
    )


async def _render_safeguarding(ctx: RenderContext) -> Rendered | NotOwed:
    assert ctx.message.alert_id is not None
    payload = ctx.payload
    alert = await get_alert(ctx.session, alert_id=ctx.message.alert_id)
    if alert is None:
        return NotOwed("alert gone")
    if payload.get("repeat") and alert.acknowledged_at is not None:
        return NotOwed("acknowledged")
    return render_safeguarding(
        ctx.t,
        alert_id=ctx.message.alert_id,
        payload=payload,
        navigator=await staff_name(ctx.session, payload.get("navigator_id")),
    )


async def _render_agenda(ctx: RenderContext) -> Rendered | NotOwed:
    return render_agenda(ctx.t, ctx.payload, tz=ctx.tz, now=utcnow())


async def _render_unreachable(ctx: RenderContext) -> Rendered | NotOwed:
    return render_unreachable(
        ctx.t, name=await staff_name(ctx.session, ctx.payload.get("staff_id"))
    )


async def _render_reachable(ctx: RenderContext) -> Rendered | NotOwed:
    return render_reachable_again(
        ctx.t, name=await staff_name(ctx.session, ctx.payload.get("staff_id"))
    )


async def _render_reassigned(ctx: RenderContext) -> Rendered | NotOwed:
    assert ctx.message.followup_id is not None
    payload = ctx.payload
    return render_reassigned(
        ctx.t,
        followup_id=ctx.message.followup_id,
        payload=payload,
        by=await staff_name(ctx.session, payload.get("by_id")),
        tz=ctx.tz,
    )


async def _render_cover_agenda(ctx: RenderContext) -> Rendered | NotOwed:
    """Issue 16: an absent member's agenda, to their cover."""
    owner_name = await staff_name(ctx.session, ctx.payload.get("owner_id"))
    agenda = render_agenda(ctx.t, ctx.payload, tz=ctx.tz, now=utcnow())
    return Rendered(f"{covering_line(ctx.t, owner_name)}\n{agenda.text}")


async def _render_cover_summary(ctx: RenderContext) -> Rendered | NotOwed:
    """Issue 16: what others did with a member's clients while they were away."""
    return Rendered(render_return_summary(ctx.t, ctx.payload))


async def _render_notice(ctx: RenderContext) -> Rendered | NotOwed:
    return Rendered(str(ctx.payload["text"]))  # pre-rendered, already escaped HTML


# One renderer per kind of message: the only place a kind is looked at.
_RENDERERS: dict[str, Renderer] = {
    "due": _render_followup_nudge,
    "overdue": _render_followup_nudge,
    "escalation": _render_escalation,
    "safeguarding": _render_safeguarding,
    "agenda": _render_agenda,
    "unreachable": _render_unreachable,
    "reachable": _render_reachable,
    "reassigned": _render_reassigned,
    "notice": _render_notice,
    "cover_agenda": _render_cover_agenda,  # issue 16
    "cover_summary": _render_cover_summary,  # issue 16
}
# Kinds about one follow-up that are owed only to its current owner.
_OWNER_KINDS = frozenset({"due", "overdue", "reassigned"})


# --- 4. Send: what one attempt came to -----------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    message_id: int


@dataclass(frozen=True)
class RetryLater:
    reason: str  # an error type, never message text
    after_seconds: float | None = None  # None: exponential backoff by attempts


@dataclass(frozen=True)
class Rejected:
    reason: str  # Telegram refused the request itself (e.g. chat not found)


@dataclass(frozen=True)
class Blocked:
    """403: the recipient blocked the bot."""


SendResult = Sent | RetryLater | Rejected | Blocked


def _markup(rendered: Rendered) -> InlineKeyboardMarkup | None:
    if not rendered.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in rendered.buttons
        ]
    )


async def send_once(bot: Any, *, chat_id: int, rendered: Rendered) -> SendResult:
    """One attempt to send a message: the one place that decides whether a send succeeded,
    should be retried, or failed for good."""
    try:
        message = await bot.send_message(
            chat_id=chat_id, text=rendered.text, reply_markup=_markup(rendered)
        )
    except RetryAfter as error:  # still limited after PTB's own retries: come back then
        retry_after = error.retry_after
        seconds = (
            retry_after.total_seconds()
            if isinstance(retry_after, timedelta)
            else float(retry_after)
        )
        return RetryLater("RetryAfter", seconds)
    except Forbidden:
        return Blocked()
    except BadRequest as error:  # e.g. chat not found: retrying cannot help
        return Rejected(type(error).__name__)
    except (NetworkError, TelegramError) as error:  # incl. TimedOut: it may not have gone out
        return RetryLater(type(error).__name__)
    return Sent(message.message_id)


# --- The sender ----------------------------------------------------------------------------------


class Sender:
    """Claims and sends what both queues owe. One per application (its pacer is shared);
    safe to share across sweeps."""

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

    # 2. Claim ---------------------------------------------------------------------------------
    async def claim(self, *, limit: int = CLAIM_BATCH) -> list[Claimed]:
        now = utcnow()
        lease_cutoff = now - timedelta(seconds=self.settings.delivery_lease_seconds)
        claimed: list[Claimed] = []
        async with self.session_factory.begin() as session:
            claimed_at = asyncio.get_running_loop().time()
            for queue in QUEUES:
                claimed += await queue.claim(
                    session,
                    now=now,
                    claimed_by=self.instance_id,
                    lease_cutoff=lease_cutoff,
                    limit=limit,
                    claimed_at=claimed_at,
                )
        # Oldest first across both queues; at the same moment by the queue's order (a stable
        # sort: each queue is in order).
        claimed.sort(key=lambda message: (message.not_before, message.queue.order))
        return claimed

    async def deliver_due(self, *, max_batches: int | None = None) -> DeliveryReport:
        """Send everything that is due now, batch by batch, until nothing is left."""
        report = DeliveryReport()
        batches = 0
        while max_batches is None or batches < max_batches:
            claimed = await self.claim()
            if not claimed:
                break
            batches += 1
            by_recipient: dict[int, list[Claimed]] = {}
            for message in claimed:
                by_recipient.setdefault(message.recipient_id, []).append(message)
            await asyncio.gather(
                *(self._deliver_sequence(queue, report) for queue in by_recipient.values())
            )
        return report

    async def _deliver_sequence(self, messages: Sequence[Claimed], report: DeliveryReport) -> None:
        for message in messages:
            try:
                await self._deliver(message, report)
            except Exception as error:  # one bad row must not stop the others
                log.error(
                    "delivering %s failed: %s",
                    message.name,
                    type(error).__name__,
                    exc_info=(type(error), error, error.__traceback__),
                )
                await self._record(message, RetryLater(type(error).__name__), report)

    # 3. Prepare -------------------------------------------------------------------------------
    async def _prepare(self, message: Claimed) -> Prepared | RetryLater:
        async with self.session_factory() as session:
            recipient = owner = await get_staff(session, staff_id=message.recipient_id)
            covering: str | None = None
            if message.nudge is not None and owner is not None:
                # Issue 16 hook: the owner is away, so the nudge goes to their cover, inside
                # the cover's working hours.
                cover = await route_nudge(
                    session, owner=owner, now=utcnow(), settings=reminder_settings(self.settings)
                )
                if cover is not None:
                    if cover.defer_until is not None:
                        wait = (cover.defer_until - utcnow()).total_seconds()
                        return RetryLater(COVER_HOURS, max(0.0, wait))
                    recipient, covering = cover.recipient, cover.covering_for
            if recipient is None or not recipient.active:
                return Undeliverable("inactive")
            if not recipient.reachable:
                return Undeliverable("unreachable")
            render = _RENDERERS.get(message.kind)
            if render is None:
                return Undeliverable(f"unknown kind {message.kind}")
            # A covered nudge is still owed to its owner (issue 16).
            assert owner is not None
            payload = await message.queue.still_owed(
                session, message, owner if covering else recipient
            )
            if isinstance(payload, NotOwed):
                return payload
            t = Translator(
                choose_reply_language(
                    recipient.ui_language,
                    recipient.telegram_language,
                    last_language=recipient.last_language,
                )
            )
            rendered = await render(RenderContext(session, t, self.settings.tz, message, payload))
            if covering is not None and not isinstance(rendered, NotOwed):
                rendered = Rendered(
                    f"{covering_line(t, covering)}\n{rendered.text}", rendered.buttons
                )
        if isinstance(rendered, NotOwed):
            return rendered
        return Ready(recipient, rendered)

    # 4. Send, with pacing ----------------------------------------------------------------------
    async def _deliver(self, message: Claimed, report: DeliveryReport) -> None:
        prepared = await self._prepare(message)
        if not isinstance(prepared, Ready):
            await self._record(message, prepared, report)
            return
        chat_id = prepared.recipient.telegram_id
        loop = asyncio.get_running_loop()
        lease = self.settings.delivery_lease_seconds
        wait = self.pacer.chat_wait(chat_id)
        if loop.time() - message.claimed_at + wait > lease * 0.5:
            # The chat's pace would keep this message waiting past a safe part of our claim:
            # give it back, due when the chat is free, without reserving a slot.
            await self._record(message, RetryLater("lease", wait), report)
            return
        await self.pacer.acquire(chat_id)
        if loop.time() - message.claimed_at > lease * 0.8:
            self.pacer.release()
            # Our claim is about to lapse: another process may take the message over, so
            # sending now could send it twice. Give it back instead.
            await self._record(message, RetryLater("lease", self.pacer.chat_wait(chat_id)), report)
            return
        try:
            result = await send_once(self.bot, chat_id=chat_id, rendered=prepared.rendered)
        finally:
            self.pacer.release()
        await self._record(message, result, report, recipient=prepared.recipient)

    # 5. Record --------------------------------------------------------------------------------
    async def _record(
        self,
        message: Claimed,
        outcome: SendResult | NotOwed | Undeliverable,
        report: DeliveryReport,
        *,
        recipient: Staff | None = None,
    ) -> None:
        """Write what became of a claimed message back to its queue, in one transaction."""
        queue, me = message.queue, self.instance_id
        now = utcnow()
        if isinstance(outcome, RetryLater) and (
            message.attempts >= MAX_ATTEMPTS and outcome.reason not in ("lease", COVER_HOURS)
        ):
            outcome = Undeliverable(outcome.reason)  # it has had its chances
        async with self.session_factory.begin() as session:
            match outcome:
                case Sent(message_id):
                    await queue.mark_sent(
                        session, message, claimed_by=me, at=now, sent_id=message_id
                    )
                    report.sent += 1
                case RetryLater(reason, after_seconds):
                    delay = (
                        after_seconds
                        if after_seconds is not None
                        else min(MAX_BACKOFF_SECONDS, 2 ** max(0, message.attempts - 1))
                    )
                    await queue.release(
                        session,
                        message,
                        claimed_by=me,
                        not_before=now + timedelta(seconds=delay),
                        reason=reason,
                    )
                    report.released += 1
                case NotOwed(reason):
                    await queue.finish(
                        session, message, claimed_by=me, how=Finish.SKIPPED, reason=reason
                    )
                    report.skipped += 1
                case Undeliverable(reason) | Rejected(reason):
                    await queue.finish(
                        session, message, claimed_by=me, how=Finish.FAILED, reason=reason
                    )
                    report.failed += 1
                case Blocked():
                    await queue.finish(
                        session, message, claimed_by=me, how=Finish.FAILED, reason="Forbidden"
                    )
                    report.failed += 1
                    assert recipient is not None
                    if await mark_unreachable(session, staff_id=recipient.id, now=now):
                        report.newly_unreachable.append(recipient.id)
        REMINDERS.labels(kind=_metric_kind(message.kind), outcome=_OUTCOMES[type(outcome)]).inc()


# The metric's outcome label for each way a claimed message can end (bot.ops.metrics).
_OUTCOMES: dict[type, str] = {
    Sent: "sent",
    RetryLater: "retried",
    NotOwed: "skipped",
    Undeliverable: "failed",
    Rejected: "failed",
    Blocked: "failed",
}


def _metric_kind(kind: str) -> str:
    """A closed set of label values: a kind no renderer knows is "unknown"."""
    return kind if kind in _RENDERERS else "unknown"
