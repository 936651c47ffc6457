"""Record ids carried in button data (`callback_data`), read back safely.

Button data comes back from the user's client and can be forged. Database ids are signed
64-bit integers on both SQLite and PostgreSQL: a longer number would make the driver raise
`OverflowError` (a traceback in the log) instead of "no such record". Anything that is not
plain ASCII digits within that range is refused like any other forged press.
"""

from __future__ import annotations

import re

MAX_RECORD_ID = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_record_id(raw: str) -> int | None:
    """The id in `raw`, or None when it is not one a database could hold."""
    if _ASCII_DIGITS.fullmatch(raw) is None:
        return None
    value = int(raw)
    return value if value <= MAX_RECORD_ID else None


def parse_record_ids(parts: list[str]) -> list[int] | None:
    """Every part as an id, or None if any of them is not one."""
    ids = [parse_record_id(part) for part in parts]
    return None if any(value is None for value in ids) else [v for v in ids if v is not None]
