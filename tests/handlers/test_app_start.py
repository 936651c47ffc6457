"""What the real start (PTB's post_init) does beyond the harness's start_services."""

from __future__ import annotations

import gc

from bot.app import build_application, stop_services
from storage.migrate import migrate
from tests.conftest import make_settings
from tests.handlers.harness import RecordingTransport


async def test_start_moves_what_is_loaded_out_of_the_collectors_reach(sqlite_url: str) -> None:
    settings = make_settings(sqlite_url)
    await migrate(settings.database_url)
    app = build_application(settings, request=RecordingTransport())
    await app.initialize()
    gc.unfreeze()
    try:
        assert app.post_init is not None
        await app.post_init(app)
        assert gc.get_freeze_count() > 0  # full collections no longer walk startup objects
        assert app.job_queue is not None
        assert app.job_queue.jobs()  # the sweeps are scheduled
    finally:
        gc.unfreeze()
        await stop_services(app)
        await app.shutdown()


async def test_shutdown_hooks_cope_with_a_start_up_that_never_ran(sqlite_url: str) -> None:
    """PTB runs post_shutdown even when initialize failed (token rejected, Telegram down):
    nothing that start-up would have created may be assumed to exist."""
    app = build_application(make_settings(sqlite_url), request=RecordingTransport())
    assert app.bot_data.engine is None
    assert app.post_shutdown is not None
    await app.post_shutdown(app)
    await app.post_shutdown(app)  # and twice is harmless
    assert app.bot_data.engine is None
