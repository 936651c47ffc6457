"""Logging that cannot leak the bot token or what people wrote."""

from __future__ import annotations

import logging
import sys


class SecretRedactingFilter(logging.Filter):
    """Replaces known secrets in every record, wherever they came from (URLs in library
    logs, exception messages). A last line of defence: the primary one is not logging them."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        exc_text = None
        if record.exc_info:
            exc_text = logging.Formatter().formatException(record.exc_info)
        for secret in self._secrets:
            message = message.replace(secret, "[token]")
            if exc_text:
                exc_text = exc_text.replace(secret, "[token]")
        record.msg, record.args = message, None
        if exc_text is not None:
            record.exc_info, record.exc_text = None, exc_text
        return True


def configure_logging(level: str, secrets: list[str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretRedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    # httpx logs request URLs (with the token); aiosqlite and SQLAlchemy log SQL parameters
    # (with notes) at DEBUG. None of them goes below WARNING, whatever LOG_LEVEL says.
    for noisy in ("httpx", "httpcore", "apscheduler", "aiosqlite", "sqlalchemy", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # PTB logs whole updates (message text included) at DEBUG: never go below INFO there.
    logging.getLogger("telegram").setLevel(max(logging.INFO, root.level))
