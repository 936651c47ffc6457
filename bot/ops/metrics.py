"""Prometheus metrics, served on ``METRICS_PORT`` when it is set (off by default).

Every name starts with ``navbot_``. Labels are small closed sets the code chooses (an update's
type, a reminder's kind, an outcome), never anything about a person: no Telegram id, staff
id, client code, team name or text. The process's own CPU, memory and file descriptors come
from ``prometheus_client``'s process collector (``process_*``).

The counters live in this module's registry for the life of the process; the bot increments
them where the thing happens (the access guard, the handlers after a save commits, the
sender after it records an outcome, the sweep job).
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    start_http_server,
)

__all__ = [
    "DELIVERY_SECONDS",
    "LAST_SWEEP",
    "LAST_UPDATE",
    "LOGS_SAVED",
    "LOG_SOURCES",
    "OUTBOX_PENDING",
    "REGISTRY",
    "REMINDERS",
    "SWEEP_SECONDS",
    "UPDATES",
    "serve_metrics",
]

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)

UPDATES = Counter(
    "navbot_updates",
    "Telegram updates handled, by type (message, callback_query, my_chat_member, ...).",
    ["type"],
    registry=REGISTRY,
)
# How a contact came to be logged (ContactInput.source); anything else is counted as "other".
LOG_SOURCES = frozenset({"text", "guided", "reminder", "voice"})
LOGS_SAVED = Counter(
    "navbot_logs_saved",
    "Contacts saved, by how they were logged (text, guided, ...).",
    ["source"],
    registry=REGISTRY,
)
REMINDERS = Counter(
    "navbot_reminders",
    "Messages the sender finished with, by kind (due, overdue, escalation, safeguarding,"
    " agenda, notice, ...) and outcome (sent, retried, failed, skipped).",
    ["kind", "outcome"],
    registry=REGISTRY,
)
SWEEP_SECONDS = Histogram(
    "navbot_sweep_duration_seconds",
    "How long one sweep took to produce what is owed (nudges, agendas, alerts).",
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
DELIVERY_SECONDS = Histogram(
    "navbot_delivery_duration_seconds",
    "How long one delivery run took to send everything due.",
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
OUTBOX_PENDING = Gauge(
    "navbot_outbox_pending",
    "Messages and nudges waiting to be delivered (the queue depth), as of the last sweep.",
    registry=REGISTRY,
)
LAST_SWEEP = Gauge(
    "navbot_last_sweep_timestamp_seconds",
    "Unix time the last sweep finished.",
    registry=REGISTRY,
)
LAST_UPDATE = Gauge(
    "navbot_last_telegram_contact_timestamp_seconds",
    "Unix time of the last successful poll of Telegram or webhook update.",
    registry=REGISTRY,
)


def serve_metrics(port: int, address: str) -> None:
    """Serve ``/metrics`` from a daemon thread; ``OSError`` when the port is taken."""
    start_http_server(port, addr=address, registry=REGISTRY)
