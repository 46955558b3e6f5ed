"""A file touched every so often while the bot runs; `seminarbot health` reads its age."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

INTERVAL_SECONDS = 30


def touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    os.utime(path)


async def beat(path: Path, interval: float = INTERVAL_SECONDS) -> None:
    while True:
        await asyncio.to_thread(touch, path)
        await asyncio.sleep(interval)
