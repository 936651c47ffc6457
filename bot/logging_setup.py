"""Logging and console output that cannot leak the bot token or what people wrote."""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

REDACTED = "[token]"
LOG_FORMATS = ("text", "json")

# What a log line is about, for machines (LOG_FORMAT=json): the Telegram update being
# handled and the staff member (our row id, never a Telegram id or a name) it came from.
# The access guard sets both at the start of every update; jobs clear them.
current_update_id: ContextVar[int | None] = ContextVar("current_update_id", default=None)
current_staff_id: ContextVar[int | None] = ContextVar("current_staff_id", default=None)


def bind_log_context(*, update_id: int | None, staff_id: int | None) -> None:
    current_update_id.set(update_id)
    current_staff_id.set(staff_id)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, event (the message,
    already scrubbed by ``SecretRedactingFilter``), update_id and staff_id when known, and
    the exception's type or, at DEBUG, its traceback. Never message text: nothing logs it."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        update_id, staff_id = current_update_id.get(), current_staff_id.get()
        if update_id is not None:
            entry["update_id"] = update_id
        if staff_id is not None:
            entry["staff_id"] = staff_id
        if record.exc_text:
            entry["traceback"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def secret_parts(token: str | None) -> list[str]:
    """What must never be shown of a bot token: the whole token and its secret half (the
    part after the colon), which also appears alone in percent-encoded URLs (`%3A`)."""
    if not token:
        return []
    parts = [token, token.strip()]
    _, colon, secret = token.partition(":")
    if colon and secret.strip():
        parts.append(secret.strip())
    return [part for part in parts if part]


def scrub(text: str, secrets: Iterable[str]) -> str:
    # Longest first, so the whole token is replaced before the half it contains.
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret:
            text = text.replace(secret, REDACTED)
    return text


class SecretRedactingFilter(logging.Filter):
    """Replaces known secrets in every record, wherever they came from (URLs in library
    logs, exception messages). A second line of defence: the first is not logging them, and
    the outermost is `ScrubbingStream` around the process's own stdout and stderr.

    Without `tracebacks`, a record's exception is reduced to its type: an admin reading the
    journal gets a line per problem, and the detail is one `LOG_LEVEL=DEBUG` away."""

    def __init__(self, secrets: list[str], *, tracebacks: bool = True) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]
        self._tracebacks = tracebacks

    def filter(self, record: logging.LogRecord) -> bool:
        message = scrub(record.getMessage(), self._secrets)
        exc_text = None
        if record.exc_info and record.exc_info[0] is not None:
            if self._tracebacks:
                exc_text = scrub(
                    logging.Formatter().formatException(record.exc_info), self._secrets
                )
            else:
                message = f"{message} [{record.exc_info[0].__name__}]"
        record.msg, record.args = message, None
        record.exc_info, record.exc_text = None, exc_text
        return True


class ScrubbingStream:
    """Wraps stdout or stderr so that nothing written through Python, a log line, a warning
    or an uncaught exception's traceback, can carry a secret to the terminal or a service
    manager's journal. Text is held back until a line is complete, so a secret written in
    two pieces is still seen whole."""

    def __init__(self, stream: TextIO, secrets: list[str]) -> None:
        self._stream = stream
        self._secrets = list(secrets)
        self._pending = ""
        self._lock = threading.Lock()

    def add_secrets(self, secrets: Iterable[str]) -> None:
        with self._lock:
            self._secrets.extend(secret for secret in secrets if secret)

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            complete, newline, rest = self._pending.rpartition("\n")
            if newline:
                self._pending = rest
                self._stream.write(scrub(complete + newline, self._secrets))
        return len(text)

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                self._stream.write(scrub(self._pending, self._secrets))
                self._pending = ""
            self._stream.flush()

    def __getattr__(self, name: str) -> Any:  # encoding, isatty, fileno, …
        return getattr(self._stream, name)


def install_output_scrubbing(secrets: list[str]) -> None:
    """Scrub the process's stdout and stderr (idempotent: later calls add secrets)."""
    for name in ("stdout", "stderr"):
        current = getattr(sys, name)
        if isinstance(current, ScrubbingStream):
            current.add_secrets(secrets)
        else:
            setattr(sys, name, ScrubbingStream(current, secrets))


def configure_logging(level: str, secrets: list[str], *, log_format: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter()
        if log_format == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    handler.addFilter(SecretRedactingFilter(secrets, tracebacks=root.level <= logging.DEBUG))
    # httpx logs request URLs (with the token); aiosqlite and SQLAlchemy log SQL parameters
    # (with notes) at DEBUG. None of them goes below WARNING, whatever LOG_LEVEL says.
    for noisy in ("httpx", "httpcore", "apscheduler", "aiosqlite", "sqlalchemy", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Alembic describes its machinery at INFO on every start; storage.migrate says in one
    # line what it upgraded. Its detail is there at DEBUG.
    logging.getLogger("alembic").setLevel(
        logging.DEBUG if root.level <= logging.DEBUG else logging.WARNING
    )
    # PTB logs whole updates (message text included) at DEBUG: never go below INFO there.
    logging.getLogger("telegram").setLevel(max(logging.INFO, root.level))
