"""Learning from corrections (issue 13.10): what the parser read, what the navigator chose.

When a card is saved, every field that differs from what the parser read is recorded as
(field, read, chosen) with the contact id and the staff member; never the note. Values are
the category names of `bot.core.domain`, so the same miss made by different navigators on
different days counts together: `navbot parser-misses` shows the commonest, and a team
member extends the vocabulary from it. Dates are recorded as kinds (a follow-up "default" that
became a "date" means a follow-up phrase was missed), not as the dates themselves.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.contacts.drafts import DraftState
from bot.contacts.parsing import FollowUpKind
from bot.core.domain import AuditAction, Service, ServiceStatus
from storage.audit import Actor, create_audit_entry
from storage.corrections import NewCorrection, count_parser_corrections, create_parser_corrections

NONE = "none"
_NOW_WINDOW = timedelta(minutes=5)


def _services(services: tuple[tuple[Service, ServiceStatus], ...]) -> dict[str, str]:
    return {s.value: st.value for s, st in services}


def _follow_up(state: DraftState) -> str:
    if state.follow_up_problem is not None:
        return "question"
    if state.follow_up_kind is FollowUpKind.NONE or state.follow_up_at is None:
        return NONE
    if state.follow_up_kind is FollowUpKind.DEFAULT:
        return "default"
    return "date"


def _when(at: datetime, *, created_at: datetime, tz: ZoneInfo) -> str:
    if abs(created_at - at) <= _NOW_WINDOW:
        return "now"
    days = (created_at.astimezone(tz).date() - at.astimezone(tz).date()).days
    if days == 0:
        return "earlier today"
    if days == 1:
        return "yesterday"
    return "earlier" if days > 1 else "later"


def field_corrections(
    read: DraftState, final: DraftState, *, created_at: datetime, tz: ZoneInfo
) -> list[NewCorrection]:
    """Every difference between the draft as read and as saved, one per changed value."""
    found: list[NewCorrection] = []
    if read.setting != final.setting:
        found.append(
            NewCorrection(
                "setting",
                read.setting.value if read.setting else NONE,
                final.setting.value if final.setting else NONE,
            )
        )
    if read.outcome != final.outcome:
        found.append(NewCorrection("outcome", read.outcome.value, final.outcome.value))
    before, after = _services(read.services), _services(final.services)
    for service in sorted(before.keys() | after.keys()):
        if before.get(service) != after.get(service):
            found.append(
                NewCorrection(
                    "services",
                    f"{service}:{before.get(service, NONE)}",
                    f"{service}:{after.get(service, NONE)}",
                )
            )
    for risk in sorted(set(read.risks) ^ set(final.risks), key=lambda r: r.value):
        added = risk in final.risks
        found.append(
            NewCorrection("risks", NONE if added else risk.value, risk.value if added else NONE)
        )
    read_fu, final_fu = _follow_up(read), _follow_up(final)
    if read_fu != final_fu:
        found.append(NewCorrection("follow_up", read_fu, final_fu))
    elif read_fu == "date" and read.follow_up_at != final.follow_up_at:
        found.append(NewCorrection("follow_up", "date", "other date"))
    if read.occurred_at != final.occurred_at:
        read_when = _when(read.occurred_at, created_at=created_at, tz=tz)
        final_when = _when(final.occurred_at, created_at=created_at, tz=tz)
        found.append(
            NewCorrection(
                "when", read_when, final_when if final_when != read_when else "other time"
            )
        )
    return found


async def record_corrections(
    session: AsyncSession,
    *,
    state: DraftState,
    actor: Actor,
    draft_id: int,
    draft_created_at: datetime,
    contact_id: int,
    now: datetime,
    tz: ZoneInfo,
) -> int:
    """Store what the navigator corrected on this card (and audit it); the count stored."""
    read = state.read_state
    if read is None:
        return 0
    found = field_corrections(read, state, created_at=draft_created_at, tz=tz)
    if not found:
        return 0
    await create_parser_corrections(
        session,
        corrections=found,
        staff_id=actor.id,
        draft_id=draft_id,
        contact_id=contact_id,
        language=state.language,
        at=now,
    )
    fields = sorted({c.field for c in found})
    await create_audit_entry(
        session,
        action=AuditAction.EDIT,
        actor=actor,
        client_code=state.client_code,
        detail=f"contact {contact_id} corrected on card: {', '.join(fields)}"[:128],
        at=now,
    )
    return len(found)


def parse_since_days(text: str) -> int:
    """`30d`, `8w`, `6m` (30-day months), `1y` or a bare number of days; ValueError if not."""
    cleaned = text.strip().lower()
    unit = {"d": 1, "w": 7, "m": 30, "y": 365}.get(cleaned[-1:], 0)
    number = cleaned[:-1] if unit else cleaned
    if not number.isdigit() or int(number) == 0:
        raise ValueError(f"--since takes a period such as 30d, 8w, 6m or 1y, not {text!r}")
    return int(number) * (unit or 1)


async def parser_misses_report(
    session: AsyncSession, *, since: datetime, limit: int = 30
) -> list[str]:
    """`navbot parser-misses`: one line per (field, read → corrected), commonest first."""
    rows = await count_parser_corrections(session, since=since, limit=limit)
    if not rows:
        return [f"no corrections since {since:%Y-%m-%d}"]
    header = ("count", "field", "read → corrected", "contact ids")
    table = [
        (
            str(row.count),
            row.field,
            f"{row.read_value} → {row.chosen_value}",
            " ".join(str(i) for i in row.contact_ids) or "-",
        )
        for row in rows
    ]
    widths = [max(len(r[i]) for r in [header, *table]) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *table]
    ]
