"""What a council's IT team runs against the real `navbot run` process: JSON logs, Prometheus
metrics, `navbot health` with its heartbeats, and `GET /healthz` in webhook mode."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from tests.e2e.botprocess import E2E_TOKEN, BotProcess, run_cli
from tests.e2e.helpers import (
    count,
    find_button,
    free_port,
    message_id_of,
    onboard,
    wait_until,
)
from tests.fakebotapi import FakeBotApi

NAV = 5300001
NOTE = "C123 seen in ED after a fight, mum worried, follow up friday"


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        body = error.read().decode()
        error.close()
        return int(error.code), body


def _heartbeats(workdir: Path) -> int:
    return count(workdir, "SELECT count(*) FROM app_state WHERE key LIKE 'heartbeat:%'")


def _metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    head = f"{name}{{{wanted}}}" if labels else name
    for line in text.splitlines():
        if line.startswith(head + " "):
            return float(line.split()[-1])
    raise AssertionError(f"{head} not in the metrics")


def test_json_logs_metrics_and_health_while_the_bot_polls(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path, start_bot: Callable[..., BotProcess]
) -> None:
    port = free_port()
    bot = start_bot(
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
        METRICS_PORT=str(port),
        SWEEP_INTERVAL_SECONDS="0.5",
    )
    api.wait_until_polling(timeout=60)
    onboard(api, env, tmp_path, NAV)

    mark = api.mark()
    api.push_message(NAV, NOTE)
    card = api.wait_for_message(NAV, contains="Check this log", since=mark)
    api.push_callback(NAV, find_button(card, "card:save:"), message_id=message_id_of(card))
    api.wait_for(lambda c: "Saved" in (c.text or ""), since=mark)
    assert count(tmp_path, "SELECT count(*) FROM contacts") == 1

    # Heartbeats: the sweep leaves them, then `navbot health` passes every check.
    wait_until(lambda: _heartbeats(tmp_path) >= 2)
    health = run_cli(env, tmp_path, "health")
    assert health.returncode == 0, health.stdout + health.stderr
    lines = health.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "ok   database",
        "ok   migrations",
        "ok   telegram",
        "ok   sweep",
        "ok   deliveries",
    ]

    status, metrics = _get(f"http://127.0.0.1:{port}/metrics")
    assert status == 200
    assert _metric(metrics, "navbot_updates_total", type="message") >= 2  # /start, the note
    assert _metric(metrics, "navbot_updates_total", type="callback_query") >= 1
    assert _metric(metrics, "navbot_logs_saved_total", source="text") == 1
    assert _metric(metrics, "navbot_sweep_duration_seconds_count") >= 1
    assert _metric(metrics, "navbot_delivery_duration_seconds_count") >= 1
    assert _metric(metrics, "navbot_outbox_pending") >= 0
    assert _metric(metrics, "navbot_last_telegram_contact_timestamp_seconds") > 0
    assert "process_resident_memory_bytes" in metrics
    # No person in any label: no Telegram id, no client code, no team.
    for personal in (str(NAV), "C123", "hospital"):
        assert personal not in metrics

    bot.stop()
    entries = [json.loads(line) for line in bot.log_text().splitlines() if line.strip()]
    assert entries, "the bot logged nothing"
    for entry in entries:
        assert {"time", "level", "logger", "event"} <= entry.keys()
    assert any("update_id" in entry and "staff_id" in entry for entry in entries)
    log = bot.log_text()
    assert "seen in ED" not in log
    assert "mum worried" not in log
    assert E2E_TOKEN not in log


def test_healthz_answers_on_the_webhook_port(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path, start_bot: Callable[..., BotProcess]
) -> None:
    port = free_port()
    bot = start_bot(
        WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        SWEEP_INTERVAL_SECONDS="0.5",
    )
    api.wait_for(lambda c: c.method.lower() == "setwebhook", timeout=60)
    wait_until(lambda: _heartbeats(tmp_path) >= 1)
    status, body = _get(f"http://127.0.0.1:{port}/healthz")
    # The sweep has run, but nothing has come from Telegram yet: the webhook check says so.
    assert status in (200, 503)
    assert "ok   database: reachable" in body
    assert "sweep: last reminder sweep" in body
    update = {
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": NAV, "type": "private"},
            "from": {"id": NAV, "is_bot": False, "first_name": "A"},
            "text": "/help",
        }
    }
    assert api.deliver_webhook(update) == 200  # a stranger: refused, but heard
    api.wait_for_message(NAV, contains="only for invited staff")
    wait_until(lambda: _get(f"http://127.0.0.1:{port}/healthz")[0] == 200)
    status, body = _get(f"http://127.0.0.1:{port}/healthz")
    assert [line.split(":")[0] for line in body.splitlines()] == [
        "ok   database",
        "ok   migrations",
        "ok   telegram",
        "ok   sweep",
        "ok   deliveries",
    ]
    assert _get(f"http://127.0.0.1:{port}/hook")[0] == 405  # only Telegram's POSTs
    bot.stop()
