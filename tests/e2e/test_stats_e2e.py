"""/stats, /chart and /export from the real `navbot run` process over HTTP."""

from __future__ import annotations

import asyncio
import io
import struct
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook

from bot.contacts.saving import reminder_settings
from bot.core.domain import StaffMember
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade_engine_to_head
from storage.staff import create_or_reactivate_staff
from tests.conftest import make_settings
from tests.e2e.botprocess import BotProcess
from tests.fakebotapi import FakeBotApi
from tests.stats_cohort import CohortBuilder

SUPERVISOR = 4343001
NAVIGATOR = 4343002


def _seed(database_url: str) -> None:
    """Build the cohort in the bot's SQLite file before the bot starts."""

    async def seed() -> None:
        engine = create_engine(database_url)
        try:
            await upgrade_engine_to_head(engine)
            factory = create_session_factory(engine)
            async with factory.begin() as session:
                await create_or_reactivate_staff(
                    session,
                    telegram_id=SUPERVISOR,
                    role="supervisor",
                    team="hospital",
                    display_name="Sup",
                    telegram_language="en",
                )
                nav = await create_or_reactivate_staff(
                    session,
                    telegram_id=NAVIGATOR,
                    role="navigator",
                    team="hospital",
                    display_name="Aisha",
                    telegram_language="en",
                )
            settings = reminder_settings(make_settings(database_url))
            await CohortBuilder(factory, StaffMember.from_row(nav), settings).build()
        finally:
            await engine.dispose()

    asyncio.run(seed())


def test_stats_chart_and_export_end_to_end(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path, start_bot: Callable[..., BotProcess]
) -> None:
    _seed(env["DATABASE_URL"])
    start_bot()
    api.wait_until_polling(timeout=60)

    api.push_message(SUPERVISOR, "/stats Q1 2026 vs Q2 2026")
    reply = api.wait_for_message(SUPERVISOR, contains="Drug treatment", timeout=30)
    assert "Drug treatment: 73% (22/30) · Q1 2026: 58% (29/50) · +15 pp" in (reply.text or "")
    assert "37% (11/30) · +22 pp" in (reply.text or "")
    assert any(
        c.method == "sendChatAction" and c.params.get("action") == "typing" for c in api.calls
    )

    mark = api.mark()
    api.push_message(SUPERVISOR, "/chart 12")
    photo = api.wait_for(lambda c: c.method == "sendPhoto", timeout=60, since=mark)
    data = photo.files["photo"].data
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1080, 1350)

    mark = api.mark()
    api.push_message(SUPERVISOR, "/export Q2 2026")
    document = api.wait_for(lambda c: c.method == "sendDocument", timeout=60, since=mark)
    upload = document.files["document"]
    assert upload.filename == "navbot-stats-Q2-2026-hospital.xlsx"
    workbook = load_workbook(io.BytesIO(upload.data))
    summary = {
        row[0]: row[1:]
        for row in workbook["Engagement summary"].iter_rows(values_only=True)
        if row and row[0]
    }
    assert summary["Contacts"][0] == 55
    assert summary["Drug treatment"][:3] == (30, 22, 73)

    mark = api.mark()
    api.push_message(NAVIGATOR, "/stats")
    api.wait_for_message(NAVIGATOR, contains="for supervisors and admins", since=mark)
