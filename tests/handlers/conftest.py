from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import make_settings
from tests.handlers.harness import Harness, running_harness


@pytest.fixture
async def harness(sqlite_url: str) -> AsyncIterator[Harness]:
    async with running_harness(make_settings(sqlite_url)) as running:
        yield running


@pytest.fixture
def h(harness: Harness) -> Harness:
    """Short name for the harness in handler tests."""
    return harness
