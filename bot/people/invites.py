"""Invite codes: generated here, stored only as a hash, shown once."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import datetime, timedelta
from typing import Final

# No 0/O, 1/I/L: the code may be read aloud or typed from a screen.
ALPHABET: Final = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH: Final = 12  # 31**12 ≈ 2**59: not guessable within any rate limit


def new_invite_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_invite_code(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw)
    return "".join(ch for ch in text if ch.isalnum()).upper()


def hash_invite_code(code: str) -> str:
    """SHA-256 is enough: the codes carry ~59 random bits, so a slow hash buys nothing."""
    return hashlib.sha256(normalise_invite_code(code).encode("ascii", "ignore")).hexdigest()


def looks_like_invite_code(raw: str) -> bool:
    code = normalise_invite_code(raw)
    return len(code) == CODE_LENGTH and all(ch in ALPHABET for ch in code)


def invite_expiry(now: datetime, days: int) -> datetime:
    return now + timedelta(days=days)


def parse_duration_days(text: str) -> int:
    """`7d`, `14`, `2w` → days. Raises ValueError with a short reason."""
    cleaned = unicodedata.normalize("NFKC", text).strip().lower()
    multiplier = 1
    if cleaned.endswith("w"):
        multiplier, cleaned = 7, cleaned[:-1]
    elif cleaned.endswith("d"):
        cleaned = cleaned[:-1]
    if not cleaned.isdigit():
        raise ValueError(f"expected a duration such as 7d or 2w, got {text!r}")
    days = int(cleaned) * multiplier
    if not 1 <= days <= 90:
        raise ValueError("an invite must expire within 1 to 90 days")
    return days


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"
