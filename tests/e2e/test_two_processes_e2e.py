"""Two real `navbot run` processes in webhook mode, behind a round-robin reverse proxy, on one
real PostgreSQL: one registers the webhook; one is killed in the middle of a guided /log and
the flow finishes on the other; one is killed in the middle of a delivery run and every
message is still delivered exactly once.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from storage.db import create_engine, create_session_factory
from storage.outbox import create_outbox_message
from storage.staff import create_or_reactivate_staff
from tests.e2e.botprocess import BotProcess, run_cli
from tests.e2e.helpers import (
    find_button,
    free_port,
    listening,
    message_id_of,
    onboard,
    wait_until,
    write_marker,
)
from tests.fakebotapi import ApiCall, FakeBotApi
from tests.roundrobin_proxy import RoundRobinProxy

NAV = 5400001
SECRET = "shared_webhook_SECRET-2proc"
RECIPIENTS = 10
NOTICES_EACH = 10

pytestmark = pytest.mark.postgres


def _scalar(url: str, sql: str, *params: object) -> object:
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq) as connection:
        row = connection.execute(sql, params).fetchone()
        return row[0] if row else None


def _edited_to(expected: str) -> Callable[[ApiCall], bool]:
    return lambda c: c.method.lower() == "editmessagetext" and expected in (c.text or "")


async def _seed_notices(url: str) -> list[tuple[int, str]]:
    """RECIPIENTS staff, NOTICES_EACH outbox notices each, due now: (telegram id, text)."""
    engine = create_engine(url)
    expected: list[tuple[int, str]] = []
    try:
        async with create_session_factory(engine).begin() as session:
            for r in range(RECIPIENTS):
                telegram_id = NAV + 100 + r
                member = await create_or_reactivate_staff(
                    session,
                    telegram_id=telegram_id,
                    role="navigator",
                    team="hospital",
                    display_name=f"N{r}",
                    telegram_language="en",
                )
                for n in range(NOTICES_EACH):
                    text = f"notice-{r}-{n}"
                    await create_outbox_message(
                        session,
                        dedupe_key=text,
                        kind="notice",
                        recipient_id=member.id,
                        not_before=datetime.now(UTC) - timedelta(seconds=1),
                        payload={"text": text},
                    )
                    expected.append((telegram_id, text))
    finally:
        await engine.dispose()
    return expected


def test_two_webhook_processes_behind_a_proxy_lose_nothing(
    api: FakeBotApi,
    env: dict[str, str],
    postgres_url: str,
    tmp_path: Path,
    start_bot: Callable[..., BotProcess],
) -> None:
    ports = [free_port(), free_port()]
    with RoundRobinProxy([("127.0.0.1", port) for port in ports]) as proxy:
        common = {
            "DATABASE_URL": postgres_url,
            "WEBHOOK_URL": f"http://127.0.0.1:{proxy.port}/telegram",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "SWEEP_INTERVAL_SECONDS": "0.5",
            "DELIVERY_LEASE_SECONDS": "3",
            "RATE_LIMIT_PER_CHAT_PER_SECOND": "50",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
        }
        pg_env = {**env, "DATABASE_URL": postgres_url}

        def start(index: int, name: str) -> BotProcess:
            bot = start_bot(name=name, WEBHOOK_PORT=str(ports[index]), **common)
            wait_until(lambda: listening(ports[index]))
            return bot

        # 1. One registration: the second process finds the webhook already in place.
        bots = [start(0, "a")]
        api.wait_for(lambda c: c.method.lower() == "setwebhook", timeout=60)
        bots.append(start(1, "b"))
        wait_until(lambda: "already registered by another process" in bots[1].log_text())
        assert len(api.sent("setWebhook")) == 1
        assert api.webhook_secret == SECRET

        # 2. A guided /log; the process that answered its first step is killed.
        onboard(api, pg_env, tmp_path, NAV)
        mark = api.mark()
        api.push_message(NAV, "/log")
        api.wait_for_message(NAV, contains="Which client?", since=mark)
        served = proxy.served_by("/telegram")
        victim = served[-1]
        assert victim is not None
        survivor = 1 - victim
        bots[victim].kill()
        handled_before_kill = len(served)

        mark = api.mark()
        api.push_message(NAV, "RLH-042")
        last = api.wait_for_message(NAV, contains="where was the contact?", since=mark)
        for data, reply in (
            ("g:setting:phone", "What happened?"),
            ("g:outcome:made", "Services:"),
            ("g:svc:done", "Any risks?"),
            ("g:risk:done", "Follow-up?"),
            ("g:fu:3d", "Add a short note"),
        ):
            mark = api.mark()
            api.push_callback(NAV, data, message_id=message_id_of(last))
            last = api.wait_for(_edited_to(reply), since=mark)
        mark = api.mark()
        api.push_callback(NAV, "g:note:skip", message_id=message_id_of(last))
        card = api.wait_for_message(NAV, contains="Check this log", since=mark)
        mark = api.mark()
        api.push_callback(NAV, find_button(card, "card:save:"), message_id=message_id_of(card))
        api.wait_for(_edited_to("Saved"), since=mark)
        api.wait_until_webhooks_delivered()
        after_kill = [
            b for b in proxy.served_by("/telegram")[handled_before_kill:] if b is not None
        ]
        assert after_kill
        assert set(after_kill) == {survivor}  # the flow finished on the other process
        assert _scalar(postgres_url, "SELECT count(*) FROM contacts") == 1
        assert _scalar(postgres_url, "SELECT count(*) FROM conversations") == 0

        # 3. Both processes again; one dies in the middle of a delivery run.
        bots[victim] = start(victim, "again")

        def delivered() -> list[tuple[int, str]]:
            return [
                (int(call.params["chat_id"]), call.text or "")
                for call in api.sent("sendMessage")
                if (call.text or "").startswith("notice-")
            ]

        # Every send hangs: each process's run is stuck with sends in flight that Telegram
        # has not taken. (A kill after Telegram took a message and before the process wrote
        # it down would send that one again: no API can close that window; it is milliseconds
        # wide, and this test does not pretend otherwise.)
        api.hang_next("sendMessage", times=10_000)
        expected = asyncio.run(_seed_notices(postgres_url))
        wait_until(lambda: len(api.hung) >= RECIPIENTS)  # the first message to every recipient
        hung_chats = [int(call.params["chat_id"]) for call in api.hung]
        claimer = _scalar(
            postgres_url,
            "SELECT o.claimed_by FROM outbox o JOIN staff s ON s.id = o.recipient_id "
            "WHERE s.telegram_id = %s AND o.status = 'claimed' LIMIT 1",
            hung_chats[0],
        )
        stuck = next(
            i for i, bot in enumerate(bots) if f"instance {claimer} started" in bot.log_text()
        )
        bots[stuck].kill()
        assert delivered() == []
        api.clear_faults("sendMessage")
        api.release_hung()

        wait_until(lambda: len(delivered()) >= len(expected), timeout=120)
        # A later sweep on the survivor proves nothing else was still on its way.
        asyncio.run(write_marker(postgres_url, NAV, "marker-2proc"))
        api.wait_for_message(NAV, contains="marker-2proc", timeout=60)
        pairs = delivered()
        assert sorted(pairs) == sorted(expected)  # every one, each exactly once
        assert json.dumps(sorted(set(pairs))) == json.dumps(sorted(expected))
        health = run_cli(pg_env, tmp_path, "health")
        assert health.returncode == 0, health.stdout + health.stderr
