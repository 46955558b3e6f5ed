"""A stop is never lost to a wake-up that comes with it. Python 3.11's asyncio.wait_for
returns the result of what it waits for when its task is cancelled as that completes
(CPython gh-86296, mended in 3.12): a loop waiting that way on an event went on after `run`
cancelled it, and the stop waited for the 20 s limit. Every long-running wait of ours is
tried with the cancellation coming 0 to 8 turns of the event loop after its wake-up."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from seminarbot.cli.heartbeat import beat
from seminarbot.clock import SystemClock

TURNS = range(9)
HANG = 10.0  # seconds: still running then is the failure (no timing is asserted)


async def _stopped_as_woken(waiting: Callable[[asyncio.Event], Awaitable[object]],
                            turns: int, *, settle: Callable[[], bool] = lambda: True) -> None:
    wake = asyncio.Event()
    task = asyncio.create_task(waiting(wake))
    for _ in range(1000):  # until it waits on `wake`
        await asyncio.sleep(0)
        if settle():
            break
    wake.set()
    for _ in range(turns):
        await asyncio.sleep(0)
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=HANG)
    assert done, f"cancelled {turns} turns after its wake-up, it went on"
    assert task.cancelled() or task.done()


@pytest.mark.parametrize("turns", TURNS)
async def test_the_clocks_wait_is_stopped_even_as_it_is_woken(turns: int) -> None:
    await _stopped_as_woken(lambda wake: _forever(SystemClock(), wake), turns)


async def _forever(clock: SystemClock, wake: asyncio.Event) -> None:
    while True:  # as the scheduler's loop waits for its next pass
        await clock.wait_until(None, wake)
        wake.clear()


@pytest.mark.parametrize("turns", TURNS)
async def test_the_heartbeat_is_stopped_even_as_a_change_wakes_it(tmp_path: Path,
                                                                  turns: int) -> None:
    path = tmp_path / "heartbeat"
    await _stopped_as_woken(lambda wake: beat(path, changed=wake), turns,
                            settle=path.exists)


async def test_a_grace_for_work_in_hand_ends_in_the_stop_when_it_runs_out(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The other side of such waits: a log-in let finish after a stop (matrix.login._kept)
    that outlasts its grace is cancelled then, and the stop goes on."""
    from seminarbot.adapters.matrix import login

    monkeypatch.setattr(login, "LOGIN_GRACE", 0.05)
    outcome: list[str] = []

    async def logging_in() -> None:
        try:
            await asyncio.sleep(HANG * 2)
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise

    task = asyncio.create_task(login._kept(logging_in()))
    await asyncio.sleep(0.01)
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=HANG)
    assert done and task.cancelled() and outcome == ["cancelled"]
