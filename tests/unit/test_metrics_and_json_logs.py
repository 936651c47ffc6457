"""Metric names and labels (no person in any label), and the JSON log format."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from prometheus_client import generate_latest

from bot.logging_setup import (
    JsonFormatter,
    SecretRedactingFilter,
    bind_log_context,
    configure_logging,
)
from bot.ops.metrics import LOG_SOURCES, REGISTRY, REMINDERS, UPDATES

# The only label names a metric may have: closed sets chosen by the code.
ALLOWED_LABELS = {"type", "source", "kind", "outcome"}


def test_every_metric_is_named_navbot_or_process_and_labelled_without_people() -> None:
    names = set()
    for family in REGISTRY.collect():
        names.add(family.name)
        assert family.name.startswith(("navbot_", "process_")), family.name
        assert family.documentation, f"{family.name} has no help text"
        for sample in family.samples:
            assert set(sample.labels) - {"le"} <= ALLOWED_LABELS, sample
    assert {
        "navbot_updates",
        "navbot_logs_saved",
        "navbot_reminders",
        "navbot_sweep_duration_seconds",
        "navbot_delivery_duration_seconds",
        "navbot_outbox_pending",
        "navbot_last_sweep_timestamp_seconds",
        "navbot_last_telegram_contact_timestamp_seconds",
    } <= names


def test_counters_show_in_the_exposition_format() -> None:
    UPDATES.labels(type="message").inc()
    REMINDERS.labels(kind="due", outcome="sent").inc()
    text = generate_latest(REGISTRY).decode()
    assert 'navbot_updates_total{type="message"}' in text
    assert 'navbot_reminders_total{kind="due",outcome="sent"}' in text
    assert {"text", "guided", "reminder"} <= LOG_SOURCES


def test_the_delivery_outcomes_and_kinds_are_closed_sets() -> None:
    from bot.jobs.delivery import _metric_kind

    assert _metric_kind("escalation") == "escalation"
    assert _metric_kind("C123 is a client code") == "unknown"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(SecretRedactingFilter(["123:SECRET", "SECRET"], tracebacks=False))
    logger = logging.getLogger("test.jsonlog")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    yield stream
    logger.handlers[:] = []
    bind_log_context(update_id=None, staff_id=None)


def test_json_lines_carry_time_level_logger_event_and_the_update(json_log: io.StringIO) -> None:
    logger = logging.getLogger("test.jsonlog")
    logger.info("outside any update")
    bind_log_context(update_id=777, staff_id=12)
    logger.warning("sending to %s failed", "https://api/bot123:SECRET/sendMessage")
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("it broke")
    first, second, third = (json.loads(line) for line in json_log.getvalue().splitlines())
    assert first.keys() == {"time", "level", "logger", "event"}
    assert first["time"].endswith("+00:00")
    assert (first["level"], first["logger"]) == ("INFO", "test.jsonlog")
    assert second["update_id"] == 777
    assert second["staff_id"] == 12
    assert "SECRET" not in json_log.getvalue()  # the same scrubbing as the text format
    assert second["event"] == "sending to https://api/bot[token]/sendMessage failed"
    assert third["event"] == "it broke [ValueError]"  # above DEBUG: the type, no traceback


def test_configure_logging_picks_the_format(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("INFO", ["123:SECRET"], log_format="json")
        logging.getLogger("navbot.test").info("hello")
        line = capsys.readouterr().err.strip().splitlines()[-1]
        assert json.loads(line)["event"] == "hello"
        configure_logging("INFO", ["123:SECRET"], log_format="text")
        logging.getLogger("navbot.test").info("hello")
        assert capsys.readouterr().err.strip().endswith("INFO navbot.test: hello")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
