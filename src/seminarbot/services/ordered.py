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
import itertools
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from seminarbot.domain.errors import Unavailable

log = logging.getLogger(__name__)
Job = Callable[[], Awaitable[object]]
Notice = Callable[[Unavailable | None], Awaitable[None]]
T = TypeVar("T")
MAX_RUN = 1000  # new messages handed over at once
RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 60.0)  # seconds; the last repeats
STALL_AFTER = 60.0  # seconds of failing writes before moderators are told (README)


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


class StallWatch:
    """Says once (`stalled`) when storage has failed for `after` seconds without a success in
    between, and once (`recovered`) when it works again: moderators hear of a long outage, not
    of every retry."""

    def __init__(self, after: float = STALL_AFTER,
                 stalled: Notice | None = None, recovered: Notice | None = None) -> None:
        self.after = after
        self.stalled, self.recovered = stalled, recovered
        self._since: float | None = None
        self._said = False

    async def failed(self, error: Unavailable) -> None:
        now = asyncio.get_running_loop().time()
        self._since = now if self._since is None else self._since
        if not self._said and now - self._since >= self.after:
            self._said = True
            await _quietly(self.stalled, error)

    async def succeeded(self) -> None:
        self._since = None
        if self._said:
            self._said = False
            await _quietly(self.recovered, None)


async def _quietly(notice: Notice | None, error: Unavailable | None) -> None:
    if notice is None:
        return
    try:
        await notice(error)
    except Exception:
        log.exception("could not tell moderators about the database")


class InOrder:
    """One worker for jobs queued as events arrive. A job put with joins=True (recording a new
    message) runs together with the joining jobs queued right next to it. A job that finds the
    database unavailable (busy, a full disk) is tried again after each of `retry_delays`
    (seconds; the last one repeats) for as long as it takes, the jobs behind it waiting, so
    nothing after an unsaved message is saved before it: a catch-up from the last message
    saved then reads it back even after a restart."""

    def __init__(self, name: str, retry_delays: Sequence[float] = RETRY_DELAYS,
                 watch: StallWatch | None = None) -> None:
        self.name = name
        self.retry_delays = retry_delays
        self.watch = watch or StallWatch()
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
                await self._run([job for job, _ in run])
            self._queued.clear()
            self._idle.set()

    async def _run(self, jobs: list[Job]) -> None:
        """The jobs together; those that meet an unavailable database again, together and in
        their order, until they all went through."""
        for attempt in itertools.count():
            errors = await asyncio.gather(*(self._try(job) for job in jobs))
            jobs = [job for job, error in zip(jobs, errors, strict=True) if error is not None]
            if not jobs:
                await self.watch.succeeded()
                return
            first = next(error for error in errors if error is not None)
            await self.watch.failed(first)
            delay = self.retry_delays[min(attempt, len(self.retry_delays) - 1)]
            log.warning("%s: %s; trying %d event(s) again in %g s", self.name,
                        type(first).__name__, len(jobs), delay)
            await asyncio.sleep(delay)

    async def _try(self, job: Job) -> Unavailable | None:
        try:
            await job()
        except Unavailable as error:
            return error
        except Exception:
            log.exception("%s: an event could not be handled", self.name)
        return None

    async def stop(self, grace: float) -> None:
        """Finish what is queued (for at most `grace` seconds), then stop. What is left was
        never saved, so the next start's catch-up reads it back from the platform."""
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
