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
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from command_line import tell
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
    peak_rss_mb: float  # its largest resident memory meanwhile (PeakSampler)


class Live:
    """Its output is read in a thread of its own, which notes the process's CPU time and memory
    the moment each line arrives: read on the harness's event loop instead, a line waited
    behind whatever the loop was doing (serving the fake Discord the bot's first requests),
    and the side that works right after saying it is ready was charged for that work."""

    def __init__(self, process: asyncio.subprocess.Process, spawned: float, output: int) -> None:
        self.process = process
        self.spawned = spawned
        self.lines: list[str] = []
        self.arrivals: list[Started] = []  # when each line arrived, and the process then
        self._new = asyncio.Event()
        loop = asyncio.get_running_loop()
        self._reader: asyncio.Future[None] = loop.create_future()
        threading.Thread(target=self._read, args=(output, loop), daemon=True).start()

    @classmethod
    async def start(cls, command: Sequence[str], env: dict[str, str]) -> Live:
        output, into = os.pipe()
        spawned = time.perf_counter()
        try:
            process = await asyncio.create_subprocess_exec(
                *command, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=into,
                stderr=asyncio.subprocess.STDOUT)
        finally:
            os.close(into)
        return cls(process, spawned, output)

    def _read(self, output: int, loop: asyncio.AbstractEventLoop) -> None:
        try:
            with open(output, "rb") as lines:
                for raw in lines:
                    arrived = Started(time.perf_counter() - self.spawned, self.cpu(),
                                      self.rss_mb())
                    self.arrivals.append(arrived)
                    self.lines.append(raw.decode(errors="replace").rstrip())
                    tell(loop, self._new.set)
        finally:  # the last the thread asks of the loop: `stop` awaits it, then the loop may close
            tell(loop, self._ended)

    def _ended(self) -> None:
        self._new.set()  # a waiter learns at once that it ended
        self._reader.set_result(None)

    async def wait_line(self, marker: str, within: float = 120.0, after: int = 0) -> int:
        """Wait for a line (from index `after` on) containing `marker`; its index."""
        deadline = time.monotonic() + within
        seen = after
        while True:
            for index in range(seen, len(self.lines)):
                if marker in self.lines[index]:
                    return index
            seen = len(self.lines)
            if self.exited():
                raise RuntimeError(f"exited before {marker!r}{self.last_lines()}")
            self._new.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {marker!r} within {within:g} s:\n"
                                   + "\n".join(self.lines[-30:]))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new.wait(), left)

    def exited(self) -> bool:
        """Whether the process has ended (its exit seen, or its output closed)."""
        return self.process.returncode is not None or self._reader.done()

    def last_lines(self) -> str:
        """What it last printed, for an error: ':' and its last 30 lines, or a remark."""
        if not self.lines:
            return " (it printed nothing)"
        return ":\n" + "\n".join(self.lines[-30:])

    async def ready(self, marker: str) -> Started:
        """Time, CPU and memory when the line containing `marker` arrived."""
        return self.arrivals[await self.wait_line(marker)]

    def cpu(self) -> float:
        try:
            return cpu_seconds(self.process.pid)
        except OSError:  # it has exited
            return 0.0

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
    """A process's largest resident memory while in use: the kernel's high-water mark (VmHWM),
    reset to the current RSS on entry by writing 5 to /proc/PID/clear_refs (proc(5), Linux
    4.0+), so nothing between samples is missed; where that cannot be written, VmRSS sampled
    every 20 ms."""

    def __init__(self, live: Live) -> None:
        self.live = live
        self.peak = 0.0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> PeakSampler:
        try:
            Path(f"/proc/{self.live.process.pid}/clear_refs").write_text("5")
        except OSError:
            self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._task is None:
            self.peak = (status_kb(self.live.process.pid, "VmHWM") or 0.0) / 1024
            return
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
        arrival = asyncio.ensure_future(arrived())
        try:  # a sender that fails (the server gone) ends the wait at once
            await asyncio.wait({sending, arrival}, return_when=asyncio.FIRST_EXCEPTION)
            if sending.done() and not sending.cancelled() and sending.exception():
                await sending
            await arrival
        finally:
            arrival.cancel()
        wall = time.perf_counter() - began
        spent = live.cpu() - cpu
    await sending
    return Took(wall, spent, sampler.peak)
