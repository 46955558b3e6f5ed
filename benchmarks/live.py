"""A long-running process under measurement (the bot, a bare client): started, watched through
its output lines, measured from /proc (its own CPU time and resident memory), stopped.

Used by the benchmarks that pit the bot against bare clients: start-up to a line saying it is
ready, then memory and CPU while it takes in what the harness sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from pairs import cpu_seconds, status_kb

STOP_GRACE = 15.0


@dataclass(frozen=True)
class Started:
    wall: float  # seconds from spawning to the ready line
    cpu: float  # its CPU seconds by then
    rss_mb: float  # its resident memory then


@dataclass(frozen=True)
class Took:
    wall: float  # seconds from the first message sent to the last one taken in
    cpu: float  # its CPU seconds meanwhile
    peak_rss_mb: float  # its largest resident memory meanwhile (sampled every 20 ms)


class Live:
    def __init__(self, process: asyncio.subprocess.Process, spawned: float) -> None:
        self.process = process
        self.spawned = spawned
        self.lines: list[str] = []
        self._new = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, command: Sequence[str], env: dict[str, str]) -> Live:
        spawned = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            *command, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        return cls(process, spawned)

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            self.lines.append(raw.decode(errors="replace").rstrip())
            self._new.set()

    async def wait_line(self, marker: str, within: float = 120.0, after: int = 0) -> int:
        """Wait for a line (from index `after` on) containing `marker`; its index."""
        deadline = time.monotonic() + within
        seen = after
        while True:
            for index in range(seen, len(self.lines)):
                if marker in self.lines[index]:
                    return index
            seen = len(self.lines)
            if self.process.returncode is not None or self._reader.done():
                raise RuntimeError(f"exited before {marker!r}:\n" + "\n".join(self.lines[-30:]))
            self._new.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {marker!r} within {within:g} s:\n"
                                   + "\n".join(self.lines[-30:]))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new.wait(), left)

    async def ready(self, marker: str) -> Started:
        await self.wait_line(marker)
        wall = time.perf_counter() - self.spawned
        return Started(wall, self.cpu(), self.rss_mb())

    def cpu(self) -> float:
        return cpu_seconds(self.process.pid)

    def rss_mb(self) -> float:
        return (status_kb(self.process.pid, "VmRSS") or 0.0) / 1024

    async def stop(self) -> None:
        """SIGINT (as Ctrl-C), then SIGKILL if it lingers; by its own pid only."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGINT)
            try:
                await asyncio.wait_for(self.process.wait(), STOP_GRACE)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.process.pid, signal.SIGKILL)
                await self.process.wait()
        await self._reader


class PeakSampler:
    """The largest VmRSS of a process, sampled every 20 ms while in use."""

    def __init__(self, live: Live) -> None:
        self.live = live
        self.peak = 0.0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> PeakSampler:
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self.peak = max(self.peak, self.live.rss_mb())

    async def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, self.live.rss_mb())
            await asyncio.sleep(0.02)


async def intake(live: Live, send: Callable[[], Awaitable[object]],
                 arrived: Callable[[], Awaitable[object]]) -> Took:
    """Measure `live` while `send()` runs, until `arrived()` returns (all has been taken in)."""
    cpu = live.cpu()
    began = time.perf_counter()
    async with PeakSampler(live) as sampler:
        sending = asyncio.create_task(send())
        await arrived()
        wall = time.perf_counter() - began
        spent = live.cpu() - cpu
    await sending
    return Took(wall, spent, sampler.peak)
