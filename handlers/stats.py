"""/stats, /overdue, /chart, /export and the weekly-digest job: parse, call, reply."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from telegram import Message, Update
from telegram.constants import ChatAction

from bot.context import NavContext
from bot.core.access import Scope, ScopeRefusal, at_least, decide_scope
from bot.core.domain import AuditAction, Role, StaffMember
from bot.core.i18n import Translator
from bot.reports.chart import render_chart_png
from bot.reports.collect import (
    ChartArgsError,
    StatsRequest,
    audit_report,
    chronological,
    collect_overdue,
    collect_stats,
    collect_stats_comparison,
    collect_weekly_series,
    parse_chart_args,
    parse_stats_args,
)
from bot.reports.export import ExportData, build_export_xlsx, export_filename
from bot.reports.figures import period_help, render_overdue, render_stats, split_message, team_label
from bot.reports.periods import PeriodError
from storage.stats import list_contacts_for_export, list_followups_for_export, list_teams

log = logging.getLogger(__name__)


def _refusal(
    t: Translator, refusal: ScopeRefusal, *, own_team: str, team: str | None, known: Sequence[str]
) -> str:
    if refusal is ScopeRefusal.ROLE:
        return t("Sorry, team reports are for supervisors and admins.")
    if refusal is ScopeRefusal.OTHER_TEAM:
        return t("Sorry, you can see reports for your own team ({team}) only.", team=own_team)
    return t(
        "There is no team called {team}. Teams: {teams}, or all.",
        team=team or "",
        teams=", ".join(known) or "—",
    )


async def _scope(
    message: Message,
    context: NavContext,
    staff: StaffMember,
    requested: str | None,
    known: Sequence[str],
) -> Scope | None:
    scope = decide_scope(
        role=staff.role, own_team=staff.team, requested=requested, known_teams=known
    )
    if isinstance(scope, ScopeRefusal):
        await message.reply_text(
            _refusal(context.t, scope, own_team=staff.team, team=requested, known=known)
        )
        return None
    return scope


async def _period_request(
    message: Message, context: NavContext, now: datetime
) -> tuple[StatsRequest, list[str]] | None:
    """`[period] [team]` from the command's words, or None after explaining what is accepted."""
    known = await _known_teams(context)
    try:
        request = parse_stats_args(
            context.args or [], now=now, tz=context.services.settings.tz, known_teams=known
        )
    except PeriodError as error:
        await message.reply_text(period_help(context.t, error.reason))
        return None
    return request, known


async def _known_teams(context: NavContext) -> list[str]:
    async with context.services.session_factory() as session:
        return await list_teams(session)


async def _start(update: Update, context: NavContext) -> tuple[Message, StaffMember] | None:
    """The message and staff member, or None after refusing a navigator politely."""
    staff = context.require_staff()
    message = update.effective_message
    if message is None:
        return None
    if not at_least(staff.role, Role.SUPERVISOR):
        await message.reply_text(
            _refusal(context.t, ScopeRefusal.ROLE, own_team=staff.team, team=None, known=())
        )
        return None
    return message, staff


async def _audit(
    context: NavContext,
    staff: StaffMember,
    action: AuditAction,
    kind: str,
    label: str,
    team: str | None,
    now: datetime,
) -> None:
    """A report's audit row, in a short write transaction of its own: the figures are read
    from a snapshot session, which holds no lock, so a long report never makes a navigator's
    save wait (on SQLite a write transaction would hold the write lock while it reads)."""
    async with context.services.session_factory.begin() as session:
        await audit_report(
            session, staff=staff, action=action, kind=kind, label=label, team=team, now=now
        )


async def stats(update: Update, context: NavContext) -> None:
    """`/stats [period] [team]`."""
    started = await _start(update, context)
    if started is None:
        return
    message, staff = started
    t, settings, now = context.t, context.services.settings, datetime.now(UTC)
    parsed = await _period_request(message, context, now)
    if parsed is None:
        return
    request, known = parsed
    scope = await _scope(message, context, staff, request.team, known)
    if scope is None:
        return
    await message.chat.send_action(ChatAction.TYPING)
    later, earlier = chronological(request.query)
    current, previous = await collect_stats_comparison(
        context.services.snapshot_session_factory,
        later=later,
        earlier=earlier,
        team=scope.team,
        now=now,
        tz=settings.tz,
    )
    label = later.label + (f" vs {earlier.label}" if earlier else "")
    await _audit(context, staff, AuditAction.STATS, "stats", label, scope.team, now)
    for chunk in split_message(render_stats(t, current, previous)):
        await message.reply_text(chunk)


async def overdue(update: Update, context: NavContext) -> None:
    """`/overdue [team]`."""
    started = await _start(update, context)
    if started is None:
        return
    message, staff = started
    settings, now = context.services.settings, datetime.now(UTC)
    known = await _known_teams(context)
    args = context.args or []
    scope = await _scope(message, context, staff, args[0] if args else None, known)
    if scope is None:
        return
    await message.chat.send_action(ChatAction.TYPING)
    async with context.services.snapshot_session_factory() as session:
        items = await collect_overdue(
            session,
            team=scope.team,
            now=now,
            tz=settings.tz,
            default_hours=settings.default_hours,
        )
    await _audit(context, staff, AuditAction.STATS, "overdue", "now", scope.team, now)
    for chunk in split_message(render_overdue(context.t, items, team=scope.team, tz=settings.tz)):
        await message.reply_text(chunk)


async def chart(update: Update, context: NavContext) -> None:
    """`/chart [weeks] [team]`."""
    started = await _start(update, context)
    if started is None:
        return
    message, staff = started
    t, settings, now = context.t, context.services.settings, datetime.now(UTC)
    try:
        request = parse_chart_args(context.args or [])
    except ChartArgsError:
        await message.reply_text(
            t("Usage: /chart [weeks 1–52] [team], for example /chart 12 or /chart 26 hospital")
        )
        return
    scope = await _scope(message, context, staff, request.team, await _known_teams(context))
    if scope is None:
        return
    await message.chat.send_action(ChatAction.UPLOAD_PHOTO)
    async with context.services.snapshot_session_factory() as session:
        series = await collect_weekly_series(
            session, weeks=request.weeks, team=scope.team, now=now, tz=settings.tz
        )
    await _audit(context, staff, AuditAction.STATS, "chart", f"{request.weeks}w", scope.team, now)
    png = await asyncio.to_thread(render_chart_png, t, series)
    await message.reply_photo(
        photo=png,
        filename="chart.png",
        caption=t(
            "Weekly contacts and engagement (drug treatment, ETE) for {team}, weeks starting "
            "{first} to {last}.",
            team=team_label(t, scope.team),
            first=t.digits(series.weeks[0].first_day.strftime("%d/%m/%Y")),
            last=t.digits(series.weeks[-1].first_day.strftime("%d/%m/%Y")),
        ),
    )


async def export(update: Update, context: NavContext) -> None:
    """`/export [period] [team]`."""
    started = await _start(update, context)
    if started is None:
        return
    message, staff = started
    t, settings, now = context.t, context.services.settings, datetime.now(UTC)
    parsed = await _period_request(message, context, now)
    if parsed is None:
        return
    request, known = parsed
    if request.query.previous is not None:
        await message.reply_text(t("An export covers one period, for example /export Q1 2026."))
        return
    scope = await _scope(message, context, staff, request.team, known)
    if scope is None:
        return
    await message.chat.send_action(ChatAction.UPLOAD_DOCUMENT)
    period = request.query.current
    async with context.services.snapshot_session_factory() as session:
        figures = await collect_stats(
            session, period=period, team=scope.team, now=now, tz=settings.tz
        )
        data = ExportData(
            figures=figures,
            contacts=await list_contacts_for_export(
                session, start=period.start, end=period.end, team=scope.team
            ),
            followups=await list_followups_for_export(
                session, start=period.start, end=period.end, team=scope.team
            ),
            generated_at=now,
        )
    await _audit(context, staff, AuditAction.EXPORT, "export", period.label, scope.team, now)
    workbook = await asyncio.to_thread(build_export_xlsx, t, data, settings.tz)
    await message.reply_document(
        document=workbook,
        filename=export_filename(period.label, scope.team),
        caption=t(
            "Export for {team}, {label}: client codes only.",
            team=team_label(t, scope.team),
            label=period.label,
        ),
    )
