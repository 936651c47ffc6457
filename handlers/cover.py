"""/away and /back (issue 16), and the "which of these people?" buttons.

A command that names a person accepts @username, a Telegram id or a display name. When a
name matches several people, the reply asks with one button per person; the button carries
the same command with that person's Telegram id in place of the name (`who:<command>:<args>`),
so nothing is kept in memory and the command runs again, permissions and all, on the press.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update

from bot.context import NavContext, StaffMember
from bot.core.domain import Role
from bot.core.i18n import N_, Translator, translator_for
from bot.core.labels import name_of
from bot.followups.absences import AwayRefusal, end_absence, may_manage, record_absence
from bot.followups.cover import RangeProblem, format_day, looks_like_days, parse_day_range
from bot.jobs.schedule import request_prompt_delivery
from handlers.people import resolve_one
from storage.absences import list_absences_of_staff
from storage.models import Absence, Staff
from storage.outbox import create_outbox_message
from storage.staff import get_staff, list_staff

RANGE_PROBLEMS = {
    RangeProblem.UNREADABLE: N_(
        "I could not read those dates. Example: /away 21/12/2026..04/01/2027 (day first)."
    ),
    RangeProblem.IMPOSSIBLE: N_("That date does not exist. Please check the day and month."),
    RangeProblem.BACKWARDS: N_("The leave ends before it starts. Please check the dates."),
    RangeProblem.PAST: N_("That leave is entirely in the past, so there is nothing to record."),
    RangeProblem.TOO_LONG: N_("Leave can be recorded for at most a year at a time."),
}
AWAY_REFUSALS = {
    AwayRefusal.NOT_ALLOWED: N_(
        "Sorry, you can record leave for yourself; supervisors for their own team."
    ),
    AwayRefusal.COVER_NOT_IN_TEAM: N_("The cover must be an active colleague in the same team."),
    AwayRefusal.COVER_IS_SELF: N_("Someone cannot cover for themselves."),
    AwayRefusal.OVERLAP: N_("That leave overlaps leave already recorded. See /away."),
    AwayRefusal.NO_COVER: N_(
        "The team has no supervisor to cover, so please name a colleague as cover."
    ),
}

Runner = Callable[[Update, NavContext, list[str]], Awaitable[None]]


def utcnow() -> datetime:
    return datetime.now(UTC)


def _describe(t: Translator, absence: Absence, names: dict[int, str]) -> str:
    cover = names.get(absence.cover_id or 0) if absence.cover_id else t("the team's supervisors")
    return t(
        "• {name}: {first}–{last}, cover: {cover}",
        name=names.get(absence.staff_id, "?"),
        first=t.digits(format_day(absence.starts_on)),
        last=t.digits(format_day(absence.ends_on)),
        cover=cover,
    )


async def _show(message: Message, context: NavContext, staff: StaffMember) -> None:
    t = context.t
    settings = context.services.settings
    today = utcnow().astimezone(settings.tz).date()
    async with context.services.read_session_factory() as session:
        people = (
            [await get_staff(session, staff_id=staff.id)]
            if staff.role is Role.NAVIGATOR
            else list(
                await list_staff(
                    session, team=None if staff.role is Role.ADMIN else staff.team, active_only=True
                )
            )
        )
        names = {m.id: name_of(m) for m in await list_staff(session)}
        absences: list[Absence] = []
        for member in people:
            if member is not None:
                absences += await list_absences_of_staff(
                    session, staff_id=member.id, from_day=today
                )
    if not absences:
        await message.reply_text(
            t("No leave recorded. Usage: /away 21/12/2026..04/01/2027 [cover]")
        )
        return
    lines = [t("<b>Current and planned leave</b>")]
    lines += [_describe(t, a, names) for a in sorted(absences, key=lambda a: a.starts_on)]
    await message.reply_text("\n".join(lines))


async def on_away(update: Update, context: NavContext) -> None:
    await run_away(update, context, list(context.args or []))


async def run_away(update: Update, context: NavContext, args: list[str]) -> None:
    """`/away [person] DAYS [cover]`."""
    staff = context.require_staff()
    message = update.effective_message
    if message is None:
        return
    t = context.t
    if not args:
        await _show(message, context, staff)
        return
    settings = context.services.settings
    now = utcnow()
    today = now.astimezone(settings.tz).date()
    where = next((i for i, arg in enumerate(args) if looks_like_days(arg)), None)
    if where is None:
        await message.reply_text(t("Usage: /away 21/12/2026..04/01/2027 [cover]"))
        return
    days = parse_day_range(args[where], today=today)
    if isinstance(days, RangeProblem):
        await message.reply_text(t(RANGE_PROBLEMS[days]))
        return
    if where > 0:
        if staff.role is Role.NAVIGATOR:
            await message.reply_text(t(AWAY_REFUSALS[AwayRefusal.NOT_ALLOWED]))
            return
        target = await resolve_one(message, context, command="away", args=args, start=0, stop=where)
        if target is None:
            return
    else:
        async with context.services.read_session_factory() as session:
            target = await get_staff(session, staff_id=staff.id)
        assert target is not None  # the guard found this member
    cover = None
    if where + 1 < len(args):
        cover = await resolve_one(
            message, context, command="away", args=args, start=where + 1, stop=len(args)
        )
        if cover is None:
            return
    async with context.services.session_factory.begin() as session:
        result = await record_absence(
            session,
            actor_id=staff.id,
            actor_telegram_id=staff.telegram_id,
            actor_role=staff.role,
            actor_team=staff.team,
            target=target,
            cover=cover,
            days=days,
            now=now,
        )
        if isinstance(result, Absence):
            await _tell_others(session, result, target=target, cover=cover, actor=staff, now=now)
    if not isinstance(result, Absence):
        await message.reply_text(t(AWAY_REFUSALS[result]))
        return
    request_prompt_delivery(context.application)
    await message.reply_text(
        t(
            "Leave recorded for {name}: {first}–{last}. Cover: {cover}. Their reminders and "
            "agenda go to the cover meanwhile.",
            name=name_of(target),
            first=t.digits(format_day(days[0])),
            last=t.digits(format_day(days[1])),
            cover=name_of(cover) if cover else t("the team's supervisors"),
        )
    )


async def _tell_others(
    session: AsyncSession,
    absence: Absence,
    *,
    target: Staff,
    cover: Staff | None,
    actor: StaffMember,
    now: datetime,
) -> None:
    """The cover (and the absent member, when someone else recorded it) are told, through the
    outbox: in the same transaction, delivered after it commits."""
    told = [m for m in (cover, target) if m is not None and m.id != actor.id]
    for member in told:
        mt = translator_for(member)
        first, last = (
            mt.digits(format_day(absence.starts_on)),
            mt.digits(format_day(absence.ends_on)),
        )
        text = (
            mt(
                "🤝 You cover for {name} from {first} to {last}: their reminders and agenda come "
                "to you, marked as cover.",
                name=name_of(target),
                first=first,
                last=last,
            )
            if member is cover
            else mt("🌴 Leave recorded for you: {first}–{last}.", first=first, last=last)
        )
        await create_outbox_message(
            session,
            dedupe_key=f"away:{absence.id}:{member.id}",
            kind="notice",
            recipient_id=member.id,
            not_before=now,
            payload={"text": text},
        )


async def on_back(update: Update, context: NavContext) -> None:
    await run_back(update, context, list(context.args or []))


async def run_back(update: Update, context: NavContext, args: list[str]) -> None:
    """`/back [person]`: the leave in force ends today."""
    staff = context.require_staff()
    message = update.effective_message
    if message is None:
        return
    t = context.t
    if args:
        target = await resolve_one(
            message, context, command="back", args=args, start=0, stop=len(args)
        )
        if target is None:
            return
        if not may_manage(staff.role, staff.team, staff.id, target):
            await message.reply_text(t(AWAY_REFUSALS[AwayRefusal.NOT_ALLOWED]))
            return
        target_id, name = target.id, name_of(target)
    else:
        target_id, name = staff.id, staff.display_name or ""
    async with context.services.session_factory.begin() as session:
        ended = await end_absence(
            session, staff_id=target_id, now=utcnow(), tz=context.services.settings.tz
        )
    if ended is None:
        await message.reply_text(t("No leave in force today, so nothing to end."))
        return
    request_prompt_delivery(context.application)
    await message.reply_text(
        t(
            "Welcome back. Your reminders come to you again; a summary of what your cover did "
            "follows."
        )
        if target_id == staff.id
        else t("The leave of {name} has ended. A summary goes to them.", name=name)
    )
