"""The /export workbook: contacts, follow-ups and an engagement summary, client codes only.

Nothing free-text goes in (no notes, no close reasons). Every text cell that a spreadsheet
could read as a formula or command — starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return — gets a leading apostrophe and is stored as text (OWASP "CSV injection").
:func:`build_export_xlsx` is synchronous; handlers run it with ``asyncio.to_thread``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.core.domain import Service
from bot.core.i18n import Translator
from bot.reports.figures import (
    FOLLOW_UP_STATUS_LABELS,
    LANGUAGE_LABELS,
    OUTCOME_LABELS,
    SERVICE_LABELS,
    SETTING_LABELS,
    StatsFigures,
    team_label,
)
from storage.stats import ContactExportRow, FollowUpExportRow

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def neutralise(value: str) -> str:
    """A text cell a spreadsheet will never evaluate."""
    return f"'{value}" if value.startswith(DANGEROUS_PREFIXES) else value


def export_filename(label: str, team: str | None) -> str:
    """``navbot-stats-2026-03-hospital.xlsx``: the period label in a safe file name."""
    safe = re.sub(r"[^A-Za-z0-9.-]+", "-", f"{label}-{team or 'all'}").strip("-")
    return f"navbot-stats-{safe}.xlsx"


@dataclass(frozen=True)
class ExportData:
    figures: StatsFigures
    contacts: list[ContactExportRow]
    followups: list[FollowUpExportRow]
    generated_at: datetime


def _sheet_title(text: str) -> str:
    return _SHEET_FORBIDDEN.sub("-", text)[:31] or "Sheet"


def _local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    """Excel has no time zones: cells hold naive local (``tz``) wall times."""
    return value.astimezone(tz).replace(tzinfo=None) if value is not None else None


def _row(sheet: WriteOnlyWorksheet, values: list[object]) -> list[object]:
    cells: list[object] = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            cell.data_type = "s"  # never a formula, whatever openpyxl would guess
            cells.append(cell)
        elif isinstance(value, datetime):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "yyyy-mm-dd hh:mm"
            cells.append(cell)
        else:
            cells.append(value)
    return cells


def build_export_xlsx(t: Translator, data: ExportData, tz: ZoneInfo) -> bytes:
    figures = data.figures
    workbook = Workbook(write_only=True)

    contacts = workbook.create_sheet(_sheet_title(t("Contacts")))
    contacts.append(
        _row(
            contacts,
            [
                t("Date and time ({zone})", zone=tz.key),
                t("Client code"),
                t("Navigator"),
                t("Team"),
                t("Setting"),
                t("Outcome"),
                t("Language"),
            ],
        )
    )
    for contact in data.contacts:
        contacts.append(
            _row(
                contacts,
                [
                    _local(contact.occurred_at, tz),
                    contact.client_code,
                    contact.navigator or "",
                    contact.team,
                    t(SETTING_LABELS.get(contact.setting, contact.setting or "")),
                    t(OUTCOME_LABELS.get(contact.outcome, contact.outcome)),
                    t(LANGUAGE_LABELS.get(contact.language, contact.language)),
                ],
            )
        )

    followups = workbook.create_sheet(_sheet_title(t("Follow-ups")))
    followups.append(
        _row(
            followups,
            [
                t("Client code"),
                t("Navigator"),
                t("Due ({zone})", zone=tz.key),
                t("Status"),
                t("Completed ({zone})", zone=tz.key),
                t("On time"),
            ],
        )
    )
    for followup in data.followups:
        on_time = {True: t("yes"), False: t("no"), None: ""}[followup.completed_on_time]
        followups.append(
            _row(
                followups,
                [
                    followup.client_code,
                    followup.navigator or "",
                    _local(followup.due_at, tz),
                    t(FOLLOW_UP_STATUS_LABELS.get(followup.status, followup.status)),
                    _local(followup.completed_at, tz),
                    on_time,
                ],
            )
        )

    summary = workbook.create_sheet(_sheet_title(t("Engagement summary")))
    by_outcome = figures.contacts_by_outcome
    rows: list[list[object]] = [
        [t("Period"), figures.period.label],
        [t("From"), figures.period.first_day],
        [t("To"), figures.period.last_day],
        [t("Team"), team_label(t, figures.team)],
        [t("Generated ({zone})", zone=tz.key), _local(data.generated_at, tz)],
        [],
        [t("Contacts"), figures.contacts],
        [t("Contacts made"), by_outcome.get("made", 0)],
        [t("Contacts attempted"), by_outcome.get("attempted", 0)],
        [t("Contacts declined"), by_outcome.get("declined", 0)],
        [t("Unique clients"), figures.unique_clients],
        [t("New clients"), figures.new_clients],
        [t("Follow-ups due"), figures.followups_on_time.denominator],
        [t("Follow-ups done on time"), figures.followups_on_time.numerator],
        [t("Overdue now"), figures.overdue_now],
        [t("Safeguarding alerts raised"), figures.safeguarding_alerts],
        [],
        [t("Service"), t("Eligible"), t("Engaged"), t("Rate (%)")],
    ]
    for service in Service:
        rate = figures.engagement.get(service)
        eligible = rate.denominator if rate else 0
        engaged = rate.numerator if rate else 0
        percent = rate.percent if rate else None
        rows.append(
            [
                t(SERVICE_LABELS[service]),
                eligible,
                engaged,
                percent if percent is not None else t("no eligible clients"),
            ]
        )
    for values in rows:
        summary.append(_row(summary, values))

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
