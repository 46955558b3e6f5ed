"""What a stop that does not end still waits for (cli.stuck), in the edge cases the end-to-end
tests (tests/console/test_stop_signals.py) do not reach: nothing of it may raise at the very
end of the process."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator

import pytest

from seminarbot.cli import stuck


@pytest.fixture
def running_loop() -> Iterator[tuple[asyncio.AbstractEventLoop, int]]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    assert thread.ident is not None
    yield loop, thread.ident
    loop.call_soon_threadsafe(loop.stop)
    thread.join()
    loop.close()


def test_tasks_that_cannot_be_listed_are_one_line(
        running_loop: tuple[asyncio.AbstractEventLoop, int], monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(stuck, "waiting", lambda loop: [][0])
    with caplog.at_level(logging.WARNING, logger="seminarbot.cli.stopping"):
        stuck.say_what_waits(*running_loop)
    assert [r.getMessage() for r in caplog.records] == [
        "the stop still waits for tasks that could not be listed (IndexError)"]


def test_a_closed_loop_has_nothing_to_say(caplog: pytest.LogCaptureFixture) -> None:
    loop = asyncio.new_event_loop()
    loop.close()
    with caplog.at_level(logging.DEBUG):
        stuck.say_what_waits(loop, threading.get_ident())
    assert caplog.records == []


def test_a_chain_of_awaits_is_read_innermost_first() -> None:
    async def inner() -> None:
        await asyncio.sleep(3600)

    async def outer() -> None:
        await inner()

    async def main() -> list[str]:
        task = asyncio.create_task(outer(), name="chain")
        await asyncio.sleep(0)
        try:
            return [line for line in stuck.waiting(asyncio.get_running_loop())
                    if line.startswith("task 'chain'")]
        finally:
            task.cancel()

    [line] = asyncio.run(main())
    assert line.startswith("task 'chain' at asyncio.tasks:")
    assert line.endswith(f", in tests.test_stuck:{inner.__code__.co_firstlineno + 1} (inner), "
                         f"in tests.test_stuck:{outer.__code__.co_firstlineno + 1} (outer)")


def test_many_tasks_are_named_up_to_a_bound_and_the_rest_counted(
        running_loop: tuple[asyncio.AbstractEventLoop, int], monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """helper-105: 20,000 stuck tasks were 20,000 lines."""
    monkeypatch.setattr(stuck, "waiting", lambda loop: [f"task {n}" for n in range(1000)])
    with caplog.at_level(logging.WARNING, logger="seminarbot.cli.stopping"):
        stuck.say_what_waits(*running_loop)
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == stuck.MOST_LINES + 1
    assert said[-1] == f"the stop still waits for {1000 - stuck.MOST_LINES} more tasks"
