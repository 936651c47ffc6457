"""Only one process registers the webhook (bot/webhook.py): the first to start with a new
URL, secret or set of update types; the others find it registered and leave it alone."""

from __future__ import annotations

from bot.webhook import register_webhook_once
from tests.conftest import make_settings
from tests.handlers.harness import running_harness

URL = "https://navbot.council.example/telegram"
TYPES = ["message", "callback_query", "my_chat_member"]


async def test_one_registration_per_fingerprint_and_again_when_telegram_lost_it(
    sqlite_url: str,
) -> None:
    settings = make_settings(sqlite_url, webhook_url=URL, webhook_secret="shared_1")
    async with running_harness(settings) as h:
        app, transport = h.app, h.transport

        def registrations() -> int:
            return len(transport.sent("setWebhook"))

        assert await register_webhook_once(app, settings, "shared_1", TYPES) is True
        assert registrations() == 1
        [call] = transport.sent("setWebhook")
        assert call.params["url"] == URL
        assert call.params["secret_token"] == "shared_1"
        # A second process (same database, same settings): nothing to do.
        assert await register_webhook_once(app, settings, "shared_1", TYPES) is False
        assert registrations() == 1
        # A rotated secret or other update types: registered again, once.
        assert await register_webhook_once(app, settings, "shared_2", TYPES) is True
        assert await register_webhook_once(app, settings, "shared_2", TYPES) is False
        assert await register_webhook_once(app, settings, "shared_2", ["message"]) is True
        assert registrations() == 3
        # Telegram no longer has it (deleted by hand, or by a polling run): registered again.
        transport.webhook_url = ""
        assert await register_webhook_once(app, settings, "shared_2", ["message"]) is True
        assert registrations() == 4
