"""Platform events handled in the order they arrived, except that new messages next to each
other are handed over together, so they share one commit (see ResponseWriter).

Order matters between a message and what happens to it later: an edit replayed right after
its creation must not be stored first. So anything that does not join (an edit, a deletion, a
catch-up, a command) starts only once everything before it has finished, and everything after
it waits for it. Both platforms deliver events this way: Discord one by one through the queue
below, Matrix a sync batch at a time through `in_runs`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from seminarbot.domain.errors import Busy

log = logging.getLogger(__name__)
Job = Callable[[], Awaitable[object]]
T = TypeVar("T")
MAX_RUN = 1000  # new messages handed over at once


def runs(items: Sequence[T], joins: Callable[[T], bool]) -> list[list[T]]:
    """Split `items`, keeping their order, into runs: neighbours that join are one run (up to
    MAX_RUN of them); every other item is a run of its own."""
    found: list[list[T]] = []
    for item in items:
        if joins(item) and found and len(found[-1]) < MAX_RUN and joins(found[-1][0]):
            found[-1].append(item)
        else:
            found.append([item])
    return found


async def in_runs(items: Sequence[T], joins: Callable[[T], bool],
                  handle: Callable[[T], Awaitable[object]]) -> None:
    """Handle each item, a run at a time (see `runs`). An error is raised once its run has
    finished, and the runs after it are not started."""
    for run in runs(items, joins):
        outcomes = await asyncio.gather(*(handle(item) for item in run), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome


class InOrder:
    """One worker for jobs queued as events arrive. A job put with joins=True (recording a new
    message) runs together with the joining jobs queued right next to it. A job that finds the
    database busy is tried again after each of `busy_delays` (seconds), the jobs behind it
    waiting, before it is given up."""

    def __init__(self, name: str, busy_delays: Sequence[float] = (1, 2, 4, 8, 16)) -> None:
        self.name = name
        self.busy_delays = busy_delays
        self._jobs: deque[tuple[Job, bool]] = deque()
        self._queued = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._worker: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._worker is None:
            self._worker = asyncio.create_task(self._work(), name=self.name)

    def put(self, job: Job, *, joins: bool = False) -> None:
        self._jobs.append((job, joins))
        self._idle.clear()
        self._queued.set()

    async def _work(self) -> None:
        while True:
            await self._queued.wait()
            while self._jobs:
                run = [self._jobs.popleft()]
                while run[0][1] and self._jobs and self._jobs[0][1] and len(run) < MAX_RUN:
                    run.append(self._jobs.popleft())
                await asyncio.gather(*(self._run(job) for job, _ in run))
            self._queued.clear()
            self._idle.set()

    async def _run(self, job: Job) -> None:
        for delay in (*self.busy_delays, None):
            try:
                await job()
                return
            except Busy:
                if delay is None:
                    log.error("%s: the database stayed busy; an event was not handled",
                              self.name)
                    return
                await asyncio.sleep(delay)
            except Exception:
                log.exception("%s: an event could not be handled", self.name)
                return

    async def stop(self, grace: float) -> None:
        """Finish what is queued (for at most `grace` seconds), then stop."""
        if self._worker is None:
            return
        try:
            async with asyncio.timeout(grace):
                await self._idle.wait()
        except TimeoutError:
            log.warning("%s: stopping with %d events unhandled", self.name, len(self._jobs))
        self._worker.cancel()
        await asyncio.gather(self._worker, return_exceptions=True)
        self._worker = None
