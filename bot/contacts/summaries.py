"""Client summary, caseload and saved-log replies. Pure formatting over a Translator."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.contacts.drafts import DraftState
from bot.contacts.parsing import FollowUpKind
from bot.contacts.saving import SavedContact
from bot.core.i18n import Html, Translator
from bot.core.labels import (
    local_date,
    local_datetime,
    outcome_label,
    risk_label,
    service_label,
    setting_label,
    status_label,
)

TELEGRAM_LIMIT = 4096
NOTE_PREVIEW_CHARS = 300


def fit_lines(
    lines: Sequence[str], more: str | Callable[[int], str], limit: int = TELEGRAM_LIMIT
) -> str:
    """Join whole lines up to Telegram's limit; never cut inside a line (or an HTML entity).

    `more` says how many lines were left off: a template with `{count}`, or a function of
    the count (pass `lambda n: t("…", count=n)` so the number gets the reader's digits)."""
    tail: Callable[[int], str] = more if callable(more) else lambda n: more.format(count=n)
    reserve = len(tail(len(lines)))
    kept: list[str] = []
    size = 0
    for index, line in enumerate(lines):
        extra = len(line) + (1 if kept else 0)
        if size + extra > limit - reserve - 1:
            return "\n".join([*kept, tail(len(lines) - index)])
        kept.append(line)
        size += extra
    return "\n".join(kept)


def saved_reply(t: Translator, state: DraftState, saved: SavedContact, *, tz: ZoneInfo) -> str:
    """What a navigator reads after saving: codes and categories only, never the note."""
    lines = [
        t(
            "Saved: <b>{code}</b> — {outcome}, {setting}.",
            code=saved.client_code,
            outcome=outcome_label(t, state.outcome.value),
            setting=setting_label(t, state.setting.value if state.setting else None),
        )
    ]
    if saved.client_created:
        lines.append(t("New client {code}, in your caseload.", code=saved.client_code))
    if state.services:
        lines.append(
            t(
                "Services: {services}",
                services=", ".join(
                    f"{service_label(t, s)} ({status_label(t, st)})" for s, st in state.services
                ),
            )
        )
    if state.follow_up_at is not None and state.follow_up_kind is not FollowUpKind.NONE:
        lines.append(t("Follow-up: {when}", when=local_datetime(t, state.follow_up_at, tz)))
    else:
        lines.append(t("No follow-up planned."))
    if saved.alert_risks:
        lines.append(
            t(
                "⚠️ Safeguarding: your supervisors have been alerted ({risks}).",
                risks=", ".join(risk_label(t, r) for r in saved.alert_risks),
            )
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class ContactLine:
    occurred_at: datetime
    setting: str | None
    outcome: str
    navigator: str | None
    risks: Sequence[str]
    note: str


@dataclass(frozen=True)
class ClientSummary:
    code: str
    status: str
    team: str
    owner: str | None
    services: Sequence[tuple[str, str, datetime]]
    risks: Sequence[str]
    contacts: Sequence[ContactLine]
    next_follow_up: datetime | None


def _service_since(t: Translator, service: str, status: str, at: datetime, tz: ZoneInfo) -> str:
    # Not inline in the "Services: {services}" call: Babel does not extract a t() nested in
    # another t()'s arguments, so the string would never reach the catalogs.
    return t(
        "{service}: {status} since {since}",
        service=service_label(t, service),
        status=status_label(t, status),
        since=local_date(t, at, tz),
    )


def client_summary(t: Translator, summary: ClientSummary, *, tz: ZoneInfo) -> str:
    status = t("open") if summary.status == "open" else t("closed")
    head = [
        t(
            "<b>{code}</b> ({status}), team {team}",
            code=summary.code,
            status=status,
            team=summary.team,
        ),
        t("Owner: {owner}", owner=summary.owner or "—"),
        t(
            "Services: {services}",
            services=", ".join(_service_since(t, s, st, at, tz) for s, st, at in summary.services)
            or t("none"),
        ),
        t(
            "Risks recorded: {risks}",
            risks=", ".join(risk_label(t, r) for r in summary.risks) or t("none"),
        ),
        t(
            "Next follow-up: {when}",
            when=local_datetime(t, summary.next_follow_up, tz)
            if summary.next_follow_up
            else t("none"),
        ),
        t("<b>Last contacts</b>") if summary.contacts else t("No contacts yet."),
    ]
    contact_lines = []
    for contact in summary.contacts:
        note = contact.note
        if len(note) > NOTE_PREVIEW_CHARS:
            note = note[:NOTE_PREVIEW_CHARS] + "…"
        line = t(
            "• {when} — {setting}, {outcome} ({navigator})",
            when=local_datetime(t, contact.occurred_at, tz),
            setting=setting_label(t, contact.setting),
            outcome=outcome_label(t, contact.outcome),
            navigator=contact.navigator or "—",
        )
        if contact.risks:
            line += " ⚠️ " + html.escape(", ".join(risk_label(t, r) for r in contact.risks))
        if note:
            line += "\n  " + str(Html(html.escape(note, quote=False)))
        contact_lines.append(line)
    return fit_lines([*head, *contact_lines], lambda n: t("…and {count} more not shown.", count=n))


def caseload(
    t: Translator,
    rows: Sequence[tuple[str, datetime | None, datetime | None]],
    *,
    tz: ZoneInfo,
    title: str,
) -> str:
    if not rows:
        return t("No open clients.")
    lines = [title]
    for code, last, upcoming in rows:
        lines.append(
            t(
                "<b>{code}</b> — last contact {last}; next follow-up {next}",
                code=code,
                last=local_date(t, last, tz) if last else t("none"),
                next=local_datetime(t, upcoming, tz) if upcoming else t("none"),
            )
        )
    return fit_lines(lines, lambda n: t("…and {count} more not shown.", count=n))
