"""What the parser reads, as plain JSON-ready fields (`navbot parse`, the corpus report).

Pure: no database, no token, no Telegram. The keys and value names are a contract with the
held-out acceptance corpus (issue 13): `client`, `setting`, `outcome`, `services`, `risks`,
`follow_up`, `occurred_at`, `language`, `note`, `questions`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.contacts.parsing import Draft, FollowUpKind, parse_contact

DEFAULT_TZ = "Europe/London"


def _local_iso(instant: datetime, tz: ZoneInfo) -> str:
    return instant.astimezone(tz).replace(tzinfo=None).isoformat(timespec="minutes")


def draft_fields(draft: Draft, *, tz: ZoneInfo) -> dict[str, Any]:
    """The draft as the JSON `navbot parse` prints."""
    if draft.follow_up_problem is not None or "follow_up" in draft.questions:
        follow_up: dict[str, Any] = {"kind": "question", "at": None}
    elif draft.follow_up_kind is FollowUpKind.NONE or draft.follow_up_at is None:
        follow_up = {"kind": "none", "at": None}
    else:
        follow_up = {
            "kind": draft.follow_up_kind.value,
            "at": _local_iso(draft.follow_up_at, tz),
        }
    return {
        # More than one code is not a log (the bot asks for one client per message): null.
        "client": draft.client_codes[0] if len(draft.client_codes) == 1 else None,
        "setting": draft.setting.value if draft.setting else None,
        "outcome": draft.outcome.value,
        "services": {u.service.value: u.status.value for u in draft.services},
        "risks": [r.value for r in draft.risks],
        "follow_up": follow_up,
        "occurred_at": _local_iso(draft.occurred_at, tz),
        "language": draft.language,
        "note": draft.note,
        "questions": list(draft.questions),
    }


def parse_fields(text: str, *, now: datetime | None = None, tz: str = DEFAULT_TZ) -> dict[str, Any]:
    """Parse one message: `now` defaults to the current time (a naive one is read as local)."""
    zone = ZoneInfo(tz)
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=zone)
    return draft_fields(parse_contact(text, now=now, tz=zone), tz=zone)


def parse_jsonl_lines(
    lines: Iterable[str], *, now: datetime | None = None, tz: str = DEFAULT_TZ
) -> Iterator[str]:
    """One output line per input line. An input line is a JSON object with a `text` key
    (and optionally `now` and `tz`, which win over the arguments) when it starts with `{`,
    otherwise the line itself is the message. A blank line gives `{}`; a bad line gives
    `{"error": ...}`, so output line N always answers input line N."""
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line.strip():
            yield "{}"
            continue
        try:
            if line.lstrip().startswith("{"):
                item = json.loads(line)
                text = str(item["text"])
                line_now = datetime.fromisoformat(item["now"]) if item.get("now") else now
                line_tz = str(item.get("tz") or tz)
            else:
                text, line_now, line_tz = line, now, tz
            fields = parse_fields(text, now=line_now, tz=line_tz)
        except (ValueError, KeyError, TypeError) as error:
            yield json.dumps({"error": f"{type(error).__name__}: {error}"}, ensure_ascii=False)
            continue
        yield json.dumps(fields, ensure_ascii=False)


def parse_command_lines(
    text: str | None, *, jsonl: str | None, now: str | None, tz: str
) -> Iterator[str]:
    """The output of `navbot parse`: one JSON object for TEXT, or one line per line of the
    --jsonl file ("-" reads standard input). Raises ValueError for a bad --now or --tz."""
    try:
        ZoneInfo(tz)
    except (ValueError, KeyError) as error:
        raise ValueError(f"unknown time zone {tz!r}") from error
    try:
        when = datetime.fromisoformat(now) if now else None
    except ValueError as error:
        raise ValueError(f"--now is not an ISO date-time: {now!r}") from error
    if jsonl is not None:
        import sys

        stream = sys.stdin if jsonl == "-" else open(jsonl, encoding="utf-8")  # noqa: SIM115
        try:
            yield from parse_jsonl_lines(stream, now=when, tz=tz)
        finally:
            if stream is not sys.stdin:
                stream.close()
        return
    yield json.dumps(parse_fields(text or "", now=when, tz=tz), ensure_ascii=False, indent=2)
