"""The scheduler's loop tells the heartbeat when its writes fail, and when they work again
(services.connections; `seminarbot health` fails after --max-down of it)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from seminarbot.app import open_services
from seminarbot.clock import ManualClock, to_iso
from seminarbot.domain.errors import WriteFailed
from seminarbot.scheduling import loop
from tests.conftest import make_settings


async def test_a_pass_that_cannot_write_marks_the_database_failing_until_one_can(
        tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(loop, "BUSY_RETRY_SECONDS", 0.01)
    app = await open_services(make_settings(tmp_path), clock)
    clock.advance(timedelta(minutes=5))
    full = True
    real = app.scheduler.run_due

    async def run_due() -> object:
        if full:
            raise WriteFailed("the disk is full")
        return await real()

    monkeypatch.setattr(app.scheduler, "run_due", run_due)
    running = asyncio.create_task(app.scheduler.run_forever())
    try:
        for _ in range(500):
            if app.connections.database()["state"] == "failing":
                break
            await asyncio.sleep(0.01)
        assert app.connections.database() == {
            "state": "failing", "since": to_iso(clock.now()), "detail": "the disk is full"}
        full = False
        clock.advance(loop.IDLE_WAKE)
        app.scheduler.wake()
        for _ in range(500):
            if app.connections.database()["state"] == "writing":
                break
            await asyncio.sleep(0.01)
        assert app.connections.database() == {"state": "writing"}
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await app.close()
    caplog.clear()  # the retries were logged as warnings, as they should be
