"""Shared fixtures: real databases (a SQLite file; PostgreSQL when configured) and a guard
that fails any test trying to reach the network beyond this machine."""

from __future__ import annotations

import ipaddress
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade_engine_to_head

# PTB 22 warns when RetryAfter.retry_after is read as seconds; opt in to the timedelta API
# it will switch to, so warnings-as-errors does not trip over the deprecation.
os.environ.setdefault("PTB_TIMEDELTA", "true")

# Hypothesis fails an example that takes longer than 200 ms by default: a timed assertion,
# which on a loaded 2-core CI machine fails the parser's first (cold) example now and then.
# Speed is measured in bench/, never asserted in tests.
hypothesis_settings.register_profile("navbot", deadline=None)
hypothesis_settings.load_profile("navbot")

POSTGRES_ENV = "NAVBOT_TEST_POSTGRES_URL"
TEST_TOKEN = "123456:TEST-token-never-logged"

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            is_local = ipaddress.ip_address(host).is_loopback
        except ValueError:
            is_local = host == "localhost"
        if not is_local:
            raise AssertionError(f"test tried to reach the network: {host}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": TEST_TOKEN,
        "telegram_api_base_url": "http://127.0.0.1:9",  # never used: tests inject transports
        "database_url": database_url,
        # Tests on the wall clock must not change with the date they run on (a suite run on
        # Christmas Day would see no working hours); the calendar's tests opt in.
        "holiday_region": "none",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def sqlite_url(tmp_path: Any) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'navbot.db'}"


def _postgres_base_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set: PostgreSQL tests need a server to run against")
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty database per test on the configured server, dropped afterwards."""
    import psycopg

    base = make_url(_postgres_base_url())
    name = f"navbot_test_{uuid.uuid4().hex[:12]}"
    admin_dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """Storage tests run on both backends; PostgreSQL skips (saying why) when not configured."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'navbot.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await upgrade_engine_to_head(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)
