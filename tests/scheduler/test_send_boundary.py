"""A fault of ours while one row is sent fails that row, says so, and the rest are sent: it
must not end the scheduler's loop (which ends `seminarbot run`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from seminarbot.app import open_services
from seminarbot.clock import ManualClock
from seminarbot.domain.models import OutboxState
from seminarbot.scheduling import delivery
from tests.conftest import ConsoleDriver, make_settings


async def test_a_row_that_raises_is_failed_and_the_others_are_sent(
        tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    app = await open_services(make_settings(tmp_path), clock)
    try:
        driver = ConsoleDriver(app, clock)
        await driver.console.start()
        await driver.say("/seminar setup tue 19:00 UTC")
        first = [i for i in await app.outbox.for_cohort(1) if i.kind == "prompt"]
        broken = first[0].item
        real = delivery.prompt_post

        def prompt_post(plan, cohort, item):  # type: ignore[no-untyped-def]
            if item.item == broken:
                raise StopIteration  # as a prompt missing from its session once did
            return real(plan, cohort, item)

        monkeypatch.setattr(delivery, "prompt_post", prompt_post)
        clock.set(min(i.due_at for i in first))
        outcomes = await app.scheduler.run_due()  # raises nothing
        states = {o.item.item: o.state for o in outcomes if o.item.kind == "prompt"}
        assert states[broken] is OutboxState.FAILED
        assert {s for i, s in states.items() if i != broken} == {OutboxState.POSTED}
        row = next(i for i in await app.outbox.for_cohort(1) if i.item == broken)
        assert row.state is OutboxState.FAILED and "bot's side" in (row.last_error or "")
        assert "sending outbox row" in caplog.text
    finally:
        await app.close()
    caplog.clear()  # the fault was logged, as it should be
