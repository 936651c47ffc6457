from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.botprocess import E2E_TOKEN, BotProcess, bot_environment
from tests.fakebotapi import FakeBotApi

pytestmark = pytest.mark.e2e


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi(token=E2E_TOKEN) as fake:
        yield fake


@pytest.fixture
def env(api: FakeBotApi, tmp_path: Path) -> dict[str, str]:
    return bot_environment(api.base_url, tmp_path)


@pytest.fixture
def start_bot(env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., BotProcess]]:
    """Start `navbot run` processes; on teardown stop them and check no log leaked the token."""
    started: list[BotProcess] = []

    def _start(name: str = "bot", **extra: str) -> BotProcess:
        process = BotProcess({**env, **extra}, tmp_path, name=f"{name}{len(started)}").start()
        started.append(process)
        return process

    yield _start
    for process in started:
        process.stop()
    for process in started:
        log = process.log_text()
        assert E2E_TOKEN not in log, f"the token leaked into {process.log_path}"
        assert E2E_TOKEN.split(":")[1] not in log
