"""A file touched every so often while the bot runs; `seminarbot health` reads its age.

Each beat first checks that the database is still the file the bot opened: if it was deleted
or replaced, the beat raises StorageLost and `seminarbot run` stops, saying so, rather than
keep writing into a file nobody will read (README: What is stored).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

INTERVAL_SECONDS = 30


def touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    os.utime(path)


async def beat(path: Path, check: Callable[[], None] = lambda: None,
               interval: float = INTERVAL_SECONDS) -> None:
    while True:
        check()
        await asyncio.to_thread(touch, path)
        await asyncio.sleep(interval)
