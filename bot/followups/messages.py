"""The texts and buttons of reminders, agendas and notices. Pure: payload in, text out.

Rendered at send time in the recipient's language from the outbox payload, which holds
codes and categories only (never a note). Buttons are (label, callback data) pairs; the
sender turns them into Telegram's inline keyboard.

Callback data formats (the handlers in `handlers/reminders.py` parse them):

* ``fu:log:{followup}`` (wired to the guided logging flow elsewhere),
  ``fu:noanswer:{followup}``, ``fu:snooze:{1h|tomorrow|3d}:{followup}``,
  ``fu:resched:{followup}``, ``fu:close:{followup}``
* ``esc:ack:{followup}``, ``esc:reassign:{followup}``, ``esc:to:{followup}:{staff}``
* ``sg:ack:{alert}``
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import get_day_names

from bot.core.i18n import N_, Html, Translator
from bot.core.labels import BABEL_LOCALES, local_datetime
from bot.core.working_hours import WorkingHours

Button = tuple[str, str]

SETTING_LABELS = {
    "hospital": N_("hospital"),
    "community": N_("community"),
    "phone": N_("phone"),
    "message": N_("message"),
    "home": N_("home visit"),
    "office": N_("office"),
    "justice": N_("custody/probation"),
}
SERVICE_LABELS = {
    "drug_treatment": N_("drug treatment"),
    "ete": N_("ETE"),
    "mental_health": N_("mental health"),
    "housing": N_("housing"),
    "social_care": N_("social care"),
    "vcs": N_("VCS"),
}
STATUS_LABELS = {
    "referred": N_("referred"),
    "engaged": N_("engaged"),
    "disengaged": N_("disengaged"),
}
RISK_LABELS = {
    "violence": N_("violence"),
    "weapon": N_("weapon"),
    "overdose": N_("overdose"),
    "self_harm": N_("self-harm"),
    "exploitation": N_("exploitation"),
    "suicidal": N_("suicidal"),
}
OUTCOME_LABELS = {
    "made": N_("contact made"),
    "attempted": N_("tried, no answer"),
    "declined": N_("declined"),
}


@dataclass(frozen=True)
class Rendered:
    text: str
    buttons: list[list[Button]] = field(default_factory=list)


def _label(t: Translator, labels: Mapping[str, str], value: str | None) -> str:
    if value is None:
        return ""
    return t.raw(labels[value]) if value in labels else value


def local_when(t: Translator, at: datetime, tz: ZoneInfo, now: datetime | None = None) -> str:
    """`09:00 today`, `Tue 3 Mar 14:00`: short, local, unambiguous. In Bengali
    `আজ ০৯:০০`, `মঙ্গল ৩ মার্চ ১৪:০০` (Bengali day and month names and digits, as
    `bot.core.labels.local_datetime` writes them, which the date parser reads back)."""
    local = at.astimezone(tz)
    if now is not None:
        today = now.astimezone(tz).date()
        if local.date() == today:
            return t("{time} today", time=t.digits(f"{local:%H:%M}"))
    if t.language == "en":
        return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"
    return local_datetime(t, at, tz)


def working_hours_label(t: Translator, hours: WorkingHours) -> str:
    """`Mon–Fri 09:00–18:00` in English (`WorkingHours.describe`); in Bengali
    `সোম–শুক্র ০৯:০০–১৮:০০`, with the day names `/hours` reads back."""
    if t.language == "en":
        return hours.describe()
    names = get_day_names("abbreviated", locale=BABEL_LOCALES.get(t.language, t.language))
    days = ", ".join(
        names[a] if a == b else f"{names[a]}–{names[b]}" for a, b in hours.day_ranges()
    )
    return f"{days} {t.digits(f'{hours.start:%H:%M}–{hours.end:%H:%M}')}"


LOG_CONTACT = N_("Log contact")
NO_ANSWER = N_("No answer")
SNOOZE_HOUR = N_("Snooze 1 hour")
SNOOZE_TOMORROW = N_("Tomorrow")
SNOOZE_3_DAYS = N_("3 days")
RESCHEDULE = N_("Reschedule")
CLOSE_CASE = N_("Close case")
ACKNOWLEDGE = N_("Acknowledge")
REASSIGN = N_("Reassign")


def followup_buttons(t: Translator, followup_id: int) -> list[list[Button]]:
    return [
        [
            (t.raw(LOG_CONTACT), f"fu:log:{followup_id}"),
            (t.raw(NO_ANSWER), f"fu:noanswer:{followup_id}"),
        ],
        [
            (t.raw(SNOOZE_HOUR), f"fu:snooze:1h:{followup_id}"),
            (t.raw(SNOOZE_TOMORROW), f"fu:snooze:tomorrow:{followup_id}"),
            (t.raw(SNOOZE_3_DAYS), f"fu:snooze:3d:{followup_id}"),
        ],
        [
            (t.raw(RESCHEDULE), f"fu:resched:{followup_id}"),
            (t.raw(CLOSE_CASE), f"fu:close:{followup_id}"),
        ],
    ]


def _last_contact_line(t: Translator, last: Mapping[str, Any] | None, tz: ZoneInfo) -> str:
    if not last:
        return t("No contact logged yet.")
    when = local_when(t, datetime.fromisoformat(last["at"]), tz)
    parts = [_label(t, OUTCOME_LABELS, last.get("outcome"))]
    if last.get("setting"):
        parts.append(_label(t, SETTING_LABELS, last["setting"]))
    line = t("Last contact: {when}, {what}.", when=when, what=", ".join(p for p in parts if p))
    services = [
        t(
            "{service} {status}",
            service=_label(t, SERVICE_LABELS, service),
            status=_label(t, STATUS_LABELS, status),
        )
        for service, status in last.get("services") or []
    ]
    if services:
        line += "\n" + t("Services: {services}.", services=Html(", ".join(services)))
    return line


def render_followup_nudge(
    t: Translator, *, kind: str, followup_id: int, payload: Mapping[str, Any], tz: ZoneInfo
) -> Rendered:
    code = payload["code"]
    due_at = datetime.fromisoformat(payload["due_at"])
    if kind == "due":
        head = t(
            "⏰ Follow-up due: <b>{code}</b> ({when}).",
            code=code,
            when=local_when(t, due_at, tz),
        )
    else:
        days = int(payload.get("days_overdue") or 0)
        when = local_when(t, due_at, tz)
        head = t.plural(
            "⚠️ Overdue follow-up: <b>{code}</b>, {count} working day overdue (was due {when}).",
            "⚠️ Overdue follow-up: <b>{code}</b>, {count} working days overdue (was due {when}).",
            days,
            code=code,
            when=when,
        )
    body = _last_contact_line(t, payload.get("last"), tz)
    return Rendered(f"{head}\n{body}", followup_buttons(t, followup_id))


def render_escalation(
    t: Translator, *, followup_id: int, payload: Mapping[str, Any], navigator: str, tz: ZoneInfo
) -> Rendered:
    days = int(payload.get("days_overdue") or 0)
    when = local_when(t, datetime.fromisoformat(payload["due_at"]), tz)
    text = t.plural(
        "🔺 Escalation: {navigator}'s follow-up with <b>{code}</b> is {count} working day "
        "overdue (was due {when}).",
        "🔺 Escalation: {navigator}'s follow-up with <b>{code}</b> is {count} working days "
        "overdue (was due {when}).",
        days,
        navigator=navigator,
        code=payload["code"],
        when=when,
    )
    buttons = [
        [
            (t.raw(ACKNOWLEDGE), f"esc:ack:{followup_id}"),
            (t.raw(REASSIGN), f"esc:reassign:{followup_id}"),
        ]
    ]
    return Rendered(text, buttons)


def render_safeguarding(
    t: Translator, *, alert_id: int, payload: Mapping[str, Any], navigator: str
) -> Rendered:
    risks = ", ".join(_label(t, RISK_LABELS, risk) for risk in payload.get("risks") or [])
    text = t(
        "🚨 Safeguarding alert: <b>{code}</b> (risks: {risks}), logged by {navigator}.",
        code=payload["code"],
        risks=risks,
        navigator=navigator,
    )
    if payload.get("repeat"):
        text += "\n" + t("No supervisor has acknowledged this alert yet.")
    return Rendered(text, [[(t.raw(ACKNOWLEDGE), f"sg:ack:{alert_id}")]])


def render_due_list(
    t: Translator, items: Sequence[Mapping[str, Any]], *, tz: ZoneInfo, now: datetime, more: int = 0
) -> str:
    """The agenda and /due: one line per follow-up, overdue ones with their working days."""
    if not items:
        return t("Nothing due today and nothing overdue.")
    total = len(items) + more
    lines = [
        t.plural(
            "<b>{count} follow-up due today or overdue:</b>",
            "<b>{count} follow-ups due today or overdue:</b>",
            total,
        )
    ]
    for item in items:
        when = local_when(t, datetime.fromisoformat(item["due_at"]), tz, now)
        if item.get("overdue"):
            days = int(item.get("days_overdue") or 0)
            status = (
                t.plural("{count} working day overdue", "{count} working days overdue", days)
                if days
                else t("overdue")
            )
            lines.append(
                t(
                    "• <b>{code}</b>: {status} (due {when})",
                    code=item["code"],
                    status=status,
                    when=when,
                )
            )
        else:
            lines.append(t("• <b>{code}</b>: due {when}", code=item["code"], when=when))
    if more:
        lines.append(t.plural("… and {count} more.", "… and {count} more.", more))
    return "\n".join(lines)


def render_agenda(
    t: Translator, payload: Mapping[str, Any], *, tz: ZoneInfo, now: datetime
) -> Rendered:
    heading = (
        # Sent when someone who had blocked the bot is back: not necessarily in the morning.
        t("You can get reminders again. What is due and overdue now:")
        if payload.get("catch_up")
        else t("☀️ Good morning. Your agenda:")
    )
    text = (
        heading
        + "\n"
        + render_due_list(
            t, payload.get("items") or [], tz=tz, now=now, more=int(payload.get("more") or 0)
        )
    )
    return Rendered(text)


def render_unreachable(t: Translator, *, name: str) -> Rendered:
    return Rendered(
        t(
            "{name} has blocked the bot or left Telegram; reminders to them cannot be delivered.",
            name=name,
        )
    )


def render_reachable_again(t: Translator, *, name: str) -> Rendered:
    return Rendered(
        t(
            "{name} can get reminders again: the reminders they missed are being sent to them.",
            name=name,
        )
    )


def render_reassigned(
    t: Translator, *, followup_id: int, payload: Mapping[str, Any], by: str, tz: ZoneInfo
) -> Rendered:
    text = t(
        "{by} has passed client <b>{code}</b> to you; the follow-up is due {when}.",
        by=by,
        code=payload["code"],
        when=local_when(t, datetime.fromisoformat(payload["due_at"]), tz),
    )
    return Rendered(text, followup_buttons(t, followup_id))
