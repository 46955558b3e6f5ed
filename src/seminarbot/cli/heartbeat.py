"""A file touched every so often while the bot runs; `seminarbot health` reads its age."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

INTERVAL_SECONDS = 30
log = logging.getLogger(__name__)


def touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    os.utime(path)


async def beat(path: Path, interval: float = INTERVAL_SECONDS) -> None:
    """Until cancelled. A heartbeat that cannot be written is logged (once until it can be
    again) and tried again next time: `seminarbot health` then reports the bot unhealthy."""
    failing = False
    while True:
        try:
            await asyncio.to_thread(touch, path)
            failing = False
        except OSError as error:
            if not failing:
                log.warning("the heartbeat %s cannot be written: %s", path,
                            error.strerror or error)
            failing = True
        await asyncio.sleep(interval)
