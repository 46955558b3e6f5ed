"""Platform events handled in the order they arrived, except that new messages next to each
other are handed over together, so they share one commit (see ResponseWriter).

Order matters between a message and what happens to it later: an edit replayed right after
its creation must not be stored first. So anything that does not join (an edit, a deletion, a
catch-up, a command) starts only once everything before it has finished, and everything after
it waits for it; only a job that no new message can change lets new messages pass it
(`InOrder.put`). Both platforms deliver events this way: Discord one by one through the queue
below, Matrix a sync batch at a time through `in_runs`.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Generic, TypeVar, cast

from seminarbot.domain.errors import Damaged, Unavailable
from seminarbot.storage.damage import said

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
                 stalled: Notice | None = None, recovered: Notice | None = None,
                 report: Callable[[Unavailable | None], None] = lambda error: None) -> None:
        self.after = after
        self.stalled, self.recovered = stalled, recovered
        self.report = report  # every outcome, at once (services.connections: the heartbeat)
        self._since: float | None = None
        self._said = False

    async def failed(self, error: Unavailable) -> None:
        self.report(error)
        now = asyncio.get_running_loop().time()
        self._since = now if self._since is None else self._since
        if not self._said and now - self._since >= self.after:
            self._said = True
            await _quietly(self.stalled, error)

    async def succeeded(self) -> None:
        self.report(None)
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


class _Alone:
    """A job that runs by itself (InOrder.put), or beside the joined runs after it."""

    __slots__ = ("job", "joins_pass")

    def __init__(self, job: Job, joins_pass: bool) -> None:
        self.job = job
        self.joins_pass = joins_pass


class InOrder(Generic[T]):
    """One worker for events queued as they arrive. A job (`put`) runs alone (or, with
    `joins_pass`, beside the joined runs queued after it); items handed over with `join` (new
    messages) that are queued next to each other go to `joined` together, up to MAX_RUN of
    them, as one job: one call, one commit. A job that finds the database
    unavailable (busy, a full disk) is tried again after each of `retry_delays` (seconds; the
    last one repeats) for as long as it takes, the jobs behind it waiting, so nothing after an
    unsaved message is saved before it: a catch-up from the last message saved then reads it
    back even after a restart. A joined job tried again hands over the same items, some of
    which may have been committed already: `joined` must take a replay as such (the response
    writer does: storage/response_writer.py)."""

    def __init__(self, name: str, joined: Callable[[list[T]], Awaitable[object]],
                 retry_delays: Sequence[float] = RETRY_DELAYS,
                 watch: StallWatch | None = None) -> None:
        self.name = name
        self.joined = joined
        self.retry_delays = retry_delays
        self.watch = watch or StallWatch()
        # Items are queued as they are, without a job or a task each: a burst of messages
        # waits here, and what it costs in memory is the bot's peak (benchmarks/discord_bench).
        self._queue: deque[T | _Alone] = deque()
        self._queued = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._worker: asyncio.Task[None] | None = None
        self._in_hand = 0  # events of the job under way
        self._failing: set[object] = set()  # a mark for each job trying again (`_run`)

    def start(self) -> None:
        if self._worker is None:
            self._worker = asyncio.create_task(self._work(), name=self.name)

    def put(self, job: Job, *, joins_pass: bool = False) -> None:
        """A job that starts once everything before it has finished. With `joins_pass`, the
        items joined after it are handed over while it runs (each run still in order), and only
        the next job waits for it: for a job whose outcome no new message can change."""
        self._append(_Alone(job, joins_pass))

    def join(self, item: T) -> None:
        self._append(item)

    def _append(self, entry: T | _Alone) -> None:
        self._queue.append(entry)
        self._idle.clear()
        self._queued.set()

    async def _work(self) -> None:
        while True:
            await self._queued.wait()
            while self._queue:
                first = self._queue[0]
                if isinstance(first, _Alone) and first.joins_pass:
                    self._queue.popleft()
                    await self._beside(first.job)
                    continue
                job, self._in_hand = self._next()
                await self._run(job)
                self._in_hand = 0
            self._queued.clear()
            self._idle.set()

    async def _beside(self, job: Job) -> None:
        """`job`, and meanwhile the joined runs queued after it; a job queued after it waits
        for it."""
        running = asyncio.create_task(self._run(job), name=f"{self.name}: beside")
        running.add_done_callback(lambda _: self._queued.set())  # wakes the wait below
        try:
            while not running.done():
                self._in_hand = 1
                if self._queue and not isinstance(self._queue[0], _Alone):
                    joined, count = self._next()
                    self._in_hand += count
                    await self._run(joined)
                else:  # nothing queued, or a job, which waits for this one
                    self._queued.clear()
                    await self._queued.wait()
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)
            self._in_hand = 0

    def _next(self) -> tuple[Job, int]:
        """The next job, and how many events it handles."""
        first = self._queue.popleft()
        if isinstance(first, _Alone):
            return first.job, 1
        items = [first]
        while self._queue and len(items) < MAX_RUN and not isinstance(self._queue[0], _Alone):
            items.append(cast(T, self._queue.popleft()))
        return partial(self.joined, items), len(items)

    async def _run(self, job: Job) -> None:
        """The job, again after each delay for as long as it meets an unavailable database.
        Storage counts as working again only once no job (nor run beside it) still fails."""
        failing = object()
        try:
            for attempt in itertools.count():
                error = await self._try(job)
                if error is None:
                    self._failing.discard(failing)
                    if not self._failing:
                        await self.watch.succeeded()
                    return
                self._failing.add(failing)
                await self.watch.failed(error)
                delay = self.retry_delays[min(attempt, len(self.retry_delays) - 1)]
                log.warning("%s: %s (%s); trying again in %g s", self.name,
                            type(error).__name__, error.reason, delay)
                await asyncio.sleep(delay)
        finally:
            self._failing.discard(failing)

    async def _try(self, job: Job) -> Unavailable | None:
        try:
            await job()
        except Unavailable as error:
            return error
        except Damaged as error:  # a damaged row it needs: said once, and the others go on
            said(error)
        except Exception:
            log.exception("%s: an event could not be handled", self.name)
        return None

    async def drained(self) -> None:
        """Once everything queued has been handled, and whatever was queued meanwhile."""
        await self._idle.wait()

    async def stop(self, grace: float) -> None:
        """Finish what is queued (for at most `grace` seconds), then stop. What is left was
        never saved, so the next start's catch-up reads it back from the platform."""
        if self._worker is None:
            return
        try:
            async with asyncio.timeout(grace):
                await self.drained()
        except TimeoutError:
            log.warning("%s: stopping with %d events unhandled", self.name,
                        len(self._queue) + self._in_hand)
        self._worker.cancel()
        await asyncio.gather(self._worker, return_exceptions=True)
        self._worker = None
