"""`seminarbot run` in a real process, its log (standard error) kept in a file, stopped with
SIGINT as an operator's Ctrl-C would."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

STOP_WITHIN = 15.0  # seconds


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without any seminarbot, Discord or Matrix settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "MATRIX_", "SEMINARBOT_"))}
    return {**env, **extra}


async def reaped(process: asyncio.subprocess.Process, reader: asyncio.Task[None]) -> None:
    """A test's bot process killed if it still runs (its test failed before stopping it), and
    the task reading its log done."""
    if process.returncode is None:
        process.kill()
        await process.wait()
    await reader


@asynccontextmanager
async def seminarbot_run(config: Path, env: dict[str, str],
                         log: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """Run the bot until the block ends; then stop it and check it stopped cleanly."""
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "seminarbot", "--config", str(config), "run", env=env,
            stdout=output, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            if process.returncode is None:
                os.kill(process.pid, signal.SIGINT)
                try:
                    await asyncio.wait_for(process.wait(), STOP_WITHIN)
                except TimeoutError:
                    process.kill()
                    await process.wait()
    assert process.returncode in (0, 130), log.read_text()[-2000:]
