"""One worker that runs jobs in the order they were queued.

discord.py runs every event handler as its own task, so a MESSAGE_UPDATE replayed right after
its MESSAGE_CREATE could be stored first. Message events and catch-ups go through here instead,
one after another, as the gateway delivered them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)
Job = Callable[[], Awaitable[object]]


class InOrder:
    def __init__(self) -> None:
        self._jobs: asyncio.Queue[Job] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._worker is None:
            self._worker = asyncio.create_task(self._work(), name="discord-inbound")

    def put(self, job: Job) -> None:
        self._jobs.put_nowait(job)

    async def _work(self) -> None:
        while True:
            job = await self._jobs.get()
            try:
                await job()
            except Exception:
                log.exception("a Discord event could not be handled")
            finally:
                self._jobs.task_done()

    async def stop(self, grace: float) -> None:
        """Finish what is queued (for at most `grace` seconds), then stop."""
        if self._worker is None:
            return
        try:
            async with asyncio.timeout(grace):
                await self._jobs.join()
        except TimeoutError:
            log.warning("stopping with %d Discord events unhandled", self._jobs.qsize())
        self._worker.cancel()
        await asyncio.gather(self._worker, return_exceptions=True)
        self._worker = None
