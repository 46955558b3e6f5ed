"""Closing that a stop cannot cut short: a connection left half closed keeps its thread, and
so the process, alive (seen as a 20 s hang after a Ctrl-C: tests/storage/test_closing.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def to_the_end(work: Awaitable[T]) -> T:
    """`work`'s result, `work` run to its end even if the caller is cancelled meanwhile (a stop
    signal); the cancellation is raised once it has ended. For closing: a connection left half
    closed keeps its thread, and so the process, alive."""
    task = asyncio.ensure_future(work)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled():
                raise
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
    return task.result()
