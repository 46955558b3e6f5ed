"""A file rewritten every so often while the bot runs: when, and how each platform's link
stands. `seminarbot health` reads it (Docker's HEALTHCHECK).

Each beat first checks that the database is still the file the bot opened: if it was deleted
or replaced, the beat raises StorageLost and `seminarbot run` stops, saying so, rather than
keep writing into a file nobody will read (README: What is stored).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from seminarbot.clock import set_within, to_iso
from seminarbot.config.files import read_regular, replace_private
from seminarbot.domain.jsontext import read_json
from seminarbot.services.connections import STOPPED

INTERVAL_SECONDS = 30
MAX_BYTES = 65_536  # a heartbeat is some hundred bytes a platform
log = logging.getLogger(__name__)


def write(path: Path, platforms: dict[str, Any], database: dict[str, Any] | None = None,
          scheduler: dict[str, Any] | None = None) -> None:
    """The heartbeat, replaced whole (a reader never sees half of it): the platforms' links
    and, from a running bot, the database's and the scheduler's states (services.connections)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"at": time.time(), "platforms": platforms}
    for part, state in (("database", database), ("scheduler", scheduler)):
        if state is not None:
            body[part] = state
    replace_private(path, json.dumps(body).encode())


def _nothing() -> dict[str, Any]:
    return {"platforms": {}}


async def beat(path: Path, check: Callable[[], None] = lambda: None,
               states: Callable[[], dict[str, Any]] = _nothing,
               interval: float = INTERVAL_SECONDS, changed: asyncio.Event | None = None) -> None:
    """Every `interval` seconds, and at once when `changed` is set (a link's state changed):
    what `states` gives (`{"platforms": …, "database": …, "scheduler": …}`,
    services.connections).
    A heartbeat that cannot be written is logged (once until it can be again) and tried again
    next time: `seminarbot health` then reports the bot unhealthy."""
    changed = changed or asyncio.Event()
    failing = False
    while True:
        check()
        changed.clear()
        try:
            await _whole(asyncio.ensure_future(asyncio.to_thread(write, path, **states())))
            failing = False
        except OSError as error:  # logged once until it works again; health then fails
            if not failing:
                log.warning("the heartbeat %s cannot be written: %s", path, error)
            failing = True
        await set_within(changed, interval)


async def _whole(writing: asyncio.Future[None]) -> None:
    """Await the write; cancelled meanwhile (the bot stops), still let it end first: its thread
    cannot be stopped, and it must not replace the last beat written after it."""
    try:
        await asyncio.shield(writing)
    except asyncio.CancelledError:
        await asyncio.gather(writing, return_exceptions=True)
        raise


def last(path: Path, platforms: Iterable[str], now: datetime) -> None:
    """The beat written once `run` has ended, however it ended (every link `stopped` at
    `now`), by the holder of the data directory (cli.main), so that `health` says so at once
    rather than once the beat an earlier run left is stale. Not written, it is only logged."""
    stopped = {"state": STOPPED, "since": to_iso(now)}
    try:
        write(path, {platform: stopped for platform in platforms})
    except OSError as error:
        log.warning("the last heartbeat %s cannot be written: %s", path, error)


def read(path: Path) -> dict[str, Any]:
    """What the last beat wrote: `platforms` (empty for a heartbeat without them),
    `database` and `scheduler` (None if it has none: the last beat, an older version's) and
    `damaged`
    (why the file is not a beat at all: empty, not UTF-8 JSON, not an object; else None).
    Raises OSError when there is none."""
    text = read_regular(path, MAX_BYTES)  # a FIFO or /dev/zero there must not hold health up
    damaged = None
    try:
        found = read_json(text)
    except UnicodeDecodeError:
        found, damaged = None, "it is not UTF-8 text"
    except ValueError:
        found, damaged = None, "it is empty" if not text.strip() else "it is not JSON"
    if not isinstance(found, dict):
        found, damaged = {}, damaged or "it is not a JSON object"
    platforms = found.get("platforms")
    return {"platforms": platforms if isinstance(platforms, dict) else {},
            "database": found.get("database"), "scheduler": found.get("scheduler"),
            "damaged": damaged}
