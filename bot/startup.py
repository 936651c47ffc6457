"""Checks made before the bot starts, each failing with one sentence that says what to fix.

Whoever starts the bot (a council IT admin, a service manager's journal) sees that sentence
and a non-zero exit, never a traceback, and never the token: messages name settings, never
their secret values.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

log = logging.getLogger(__name__)

# What @BotFather issues: the bot's numeric id, a colon, then 35 characters of A-Z a-z 0-9 _ -.
# A little slack on the length; none on the alphabet (a quote or a space is a copy mistake).
TOKEN_SHAPE = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{30,64}")

# Telegram unreachable: how often and how long to try before saying so. Bounded so that
# a service manager restarting the bot sees the sentence within about a quarter-minute.
GET_ME_ATTEMPTS = 3
GET_ME_TIMEOUT_SECONDS = 4.0
GET_ME_BACKOFF_SECONDS = (1.0, 2.0)


class StartupProblem(Exception):
    """A mistake in how the bot is set up or where it runs; `str()` is the sentence."""


@dataclass(frozen=True)
class BotIdentity:
    id: int
    username: str | None


def check_token_shape(token: str) -> None:
    if token != token.strip() or token[:1] in "\"'" or token[-1:] in "\"'":
        raise StartupProblem(
            "TELEGRAM_BOT_TOKEN has spaces or quotes around it: "
            "copy it again from @BotFather and paste only the token."
        )
    if not TOKEN_SHAPE.fullmatch(token):
        raise StartupProblem(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then about "
            "35 letters, digits, - or _): copy it again from @BotFather (/token)."
        )


def check_api_base_url(base_url: str) -> None:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StartupProblem(
            f"TELEGRAM_API_BASE_URL {base_url!r} is not an http(s) address: "
            "use https://api.telegram.org or your own Bot API server's address."
        )
    if parts.path.rstrip("/").lower().endswith("/bot"):
        raise StartupProblem(
            f"TELEGRAM_API_BASE_URL {base_url!r} ends in /bot: leave that out "
            "(for example https://api.telegram.org); the bot adds it itself."
        )


def fetch_bot_identity(base_url: str, token: str) -> BotIdentity:
    """`getMe` with a short, bounded retry, each failure mapped to the setting to fix."""
    url = f"{base_url}/bot{token}/getMe"
    last_reason = ""
    for attempt in range(GET_ME_ATTEMPTS):
        if attempt:
            time.sleep(GET_ME_BACKOFF_SECONDS[min(attempt - 1, len(GET_ME_BACKOFF_SECONDS) - 1)])
        try:
            response = httpx.get(url, timeout=GET_ME_TIMEOUT_SECONDS)
        except httpx.TimeoutException:
            last_reason = "no answer"
        except httpx.HTTPError as error:
            last_reason = _network_reason(error)
        else:
            identity = _identity_or_problem(response, base_url)
            if identity is not None:
                return identity
            last_reason = f"HTTP {response.status_code}"
        log.debug("getMe attempt %d of %d failed: %s", attempt + 1, GET_ME_ATTEMPTS, last_reason)
    raise StartupProblem(
        f"Telegram is unreachable at {base_url} ({last_reason} after {GET_ME_ATTEMPTS} tries): "
        "check the network, firewall or proxy, and TELEGRAM_API_BASE_URL."
    )


def _identity_or_problem(response: httpx.Response, base_url: str) -> BotIdentity | None:
    """The bot, a StartupProblem for an answer that retrying cannot change, or None (retry)."""
    status = response.status_code
    if status == 401:
        raise StartupProblem(
            "Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized): copy the current token "
            "from @BotFather (/token); it changes when the token is revoked."
        )
    if status == 404:
        raise StartupProblem(
            f"TELEGRAM_API_BASE_URL {base_url} is not a Bot API server (getMe: 404 Not Found): "
            "use https://api.telegram.org or your own Bot API server's address, without /bot."
        )
    if status >= 500 or status == 429:
        return None
    try:
        body = response.json()
        result = body["result"]
        return BotIdentity(id=int(result["id"]), username=result.get("username"))
    except (ValueError, KeyError, TypeError):
        raise StartupProblem(
            f"TELEGRAM_API_BASE_URL {base_url} answered getMe with something that is not the "
            f"Bot API (HTTP {status}): check the address."
        ) from None


def _network_reason(error: httpx.HTTPError) -> str:
    text = str(error).lower()
    if (
        "name or service not known" in text
        or "nodename nor servname" in text
        or ("temporary failure in name resolution" in text)
    ):
        return "the host name does not resolve"
    if "refused" in text:
        return "connection refused"
    if "ssl" in text or "certificate" in text:
        return "TLS/certificate error"
    return type(error).__name__
