"""The weekly digest (PRODUCT §7): each Monday at the start of a supervisor's working day,
last week's stats for their team and the overdue list, as one outbox ``notice``.

Production only: the reminder sender delivers ``notice`` rows. The job runs every few
minutes; the dedupe key ``digest:{staff_id}:{ISO year}-W{week}`` makes running it again, or
in two processes at once, harmless.

Decisions: the digest of a week is due at the supervisor's first window start on or after
Monday 00:00 local (Monday's window for the default hours; the first working day for someone
who does not work Mondays). A digest that could not be produced then (the bot was down) is
produced late, any time before that week ends; after that it is skipped, not sent stale.
Someone who joined after the digest's week ended (invited this week) gets none for it: their
first digest is the Monday after their first week.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.contacts.saving import hours_of
from bot.core.domain import Role
from bot.core.i18n import Translator, choose_reply_language
from bot.core.working_hours import local_to_utc, next_window_start
from bot.reports.collect import collect_overdue, collect_stats
from bot.reports.figures import render_overdue, render_stats, trim_to_one_message
from bot.reports.periods import period_between
from storage.models import Staff
from storage.outbox import create_outbox_message, outbox_message_exists
from storage.staff import list_staff

log = logging.getLogger(__name__)

DIGEST_KIND = "notice"


def digest_key(staff_id: int, monday_iso: tuple[int, int]) -> str:
    year, week = monday_iso
    return f"digest:{staff_id}:{year}-W{week:02d}"


def digest_due_at(staff: Staff, *, now: datetime, settings: Settings) -> tuple[datetime, str]:
    """When this week's digest is due for ``staff``, and its dedupe key."""
    tz = settings.tz
    today = now.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    hours = hours_of(staff.working_hours, settings.default_hours)
    due = next_window_start(local_to_utc(monday, time(0), tz), hours, tz)
    iso = monday.isocalendar()
    return due, digest_key(staff.id, (iso.year, iso.week))


def joined_after_the_digest_week(staff: Staff, *, now: datetime, settings: Settings) -> bool:
    """True for someone who joined after last week ended: the digest is about a week they
    were not there for, so they get their first one the Monday after their first week."""
    tz = settings.tz
    today = now.astimezone(tz).date()
    this_monday = local_to_utc(today - timedelta(days=today.weekday()), time(0), tz)
    return staff.created_at >= this_monday  # aware UTC, as every stored time (UTCDateTime)


async def render_digest(
    session: AsyncSession, *, staff: Staff, now: datetime, settings: Settings
) -> str:
    tz = settings.tz
    t = Translator(
        choose_reply_language(
            staff.ui_language, staff.telegram_language, last_language=staff.last_language
        )
    )
    today = now.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    last_week = period_between(monday - timedelta(days=7), monday - timedelta(days=1), tz)
    figures = await collect_stats(session, period=last_week, team=staff.team, now=now, tz=tz)
    overdue = await collect_overdue(
        session,
        team=staff.team,
        now=now,
        tz=tz,
        default_hours=settings.default_hours,
    )
    lines = [t("<b>Weekly digest</b>"), *render_stats(t, figures), ""]
    lines += render_overdue(t, overdue, team=staff.team, tz=tz)
    return trim_to_one_message(t, lines)


async def produce_weekly_digests(
    session_factory: async_sessionmaker[AsyncSession],
    *,
    now: datetime,
    settings: Settings,
    snapshot_session_factory: async_sessionmaker[AsyncSession],
) -> int:
    """Queue every digest that is due and not yet queued. Returns how many were queued.

    The digest is rendered in a report session (``snapshot_session_factory``, see
    ``storage.db.create_snapshot_session_factory``): on SQLite, rendering inside the write
    transaction would hold the write lock for the whole of the stats and stop every
    navigator's log meanwhile. Only the outbox row is written, and its dedupe key keeps it
    to one per supervisor and week even when two runs render the same digest at once."""
    async with snapshot_session_factory() as session:  # a read: no write lock for it
        supervisors = await list_staff(session, roles=[Role.SUPERVISOR.value], active_only=True)
    produced = 0
    for staff in supervisors:
        due, key = digest_due_at(staff, now=now, settings=settings)
        if now < due or joined_after_the_digest_week(staff, now=now, settings=settings):
            continue
        async with snapshot_session_factory() as session:
            if await outbox_message_exists(session, dedupe_key=key):
                continue
            text = await render_digest(session, staff=staff, now=now, settings=settings)
        async with session_factory.begin() as session:
            if await create_outbox_message(
                session,
                dedupe_key=key,
                kind=DIGEST_KIND,
                recipient_id=staff.id,
                not_before=due,
                payload={"text": text},
            ):
                produced += 1
    if produced:
        log.info("queued %d weekly digest(s)", produced)
    return produced
