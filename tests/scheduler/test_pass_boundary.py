"""The scheduler's loop is the error boundary of every pass: a fault of ours anywhere in a pass
(the plan's new edition, the missed-post rules, reconciling, planning) is logged and the loop
looks again later. Before, it ended the loop, and with it `seminarbot run`, at every start."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from seminarbot.app import open_services
from seminarbot.clock import ManualClock
from seminarbot.domain.models import OutboxState
from seminarbot.scheduling import loop, missed, plan_change
from tests.conftest import ConsoleDriver, make_settings


async def _until(done: Callable[[], bool]) -> None:
    for _ in range(500):
        if done():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the loop never got there")


@pytest.mark.parametrize("where", ["adopt_plan", "settle"])
async def test_a_pass_that_raises_is_logged_and_the_loop_goes_on(
        where: str, tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    settings = make_settings(tmp_path)
    app = await open_services(settings, clock)
    await ConsoleDriver(app, clock).say("/seminar setup tue 19:00 UTC")
    first = [i for i in await app.outbox.for_cohort(1) if i.kind == "prompt"]
    await app.close()
    clock.set(min(i.due_at for i in first))
    app = await open_services(settings, clock)  # a restart, its first pass to come
    ConsoleDriver(app, clock)  # the console's poster, attached
    module = plan_change if where == "adopt_plan" else missed
    real = getattr(module, where)
    calls = []

    async def faulty(*args: object) -> None:
        calls.append(args)
        if len(calls) == 1:
            raise KeyError("a fault of ours")
        await real(*args)

    monkeypatch.setattr(loop if where == "adopt_plan" else module, where, faulty)
    monkeypatch.setattr(loop, "BUSY_RETRY_SECONDS", 1)
    running = asyncio.create_task(app.scheduler.run_forever())
    try:
        await _until(lambda: "a scheduler pass failed" in caplog.text)
        assert not running.done()
        passes = app.scheduler.passes
        clock.advance(loop.timedelta(seconds=1))  # the loop's first wait after a fault
        await _until(lambda: app.scheduler.passes > passes)
        if where == "adopt_plan":
            await _until(lambda: len(calls) == 2)  # a new edition is looked at again
        for _ in range(50):
            rows = [i for i in await app.outbox.for_cohort(1)
                    if i.kind == "prompt" and i.due_at <= clock.now()]
            if all(i.state is OutboxState.POSTED for i in rows):
                break
            await asyncio.sleep(0.02)
        assert {i.state for i in rows} == {OutboxState.POSTED}
        assert not running.done()
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await app.close()
    caplog.clear()  # the fault was logged, as it should be
