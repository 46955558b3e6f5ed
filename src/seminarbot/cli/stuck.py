"""What a stop that does not end still waits for (cli.stopping's deadline), said in the log as
the process ends: each unfinished asyncio task by name with the line its innermost coroutine
waits at, or, when the event loop does not answer, the line its thread is blocked at. One line
each, no traceback: enough to find which await swallowed the stop."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from types import FrameType
from typing import Any

log = logging.getLogger("seminarbot.cli.stopping")
ANSWER_WAIT = 1.0  # seconds the event loop has to list its tasks before its thread is read
MOST_LINES = 40  # tasks named one a line; the rest are counted


def say_what_waits(loop: asyncio.AbstractEventLoop, loop_thread: int) -> None:
    """Log (WARNING) what the stop waits for. Called from another thread than `loop`'s, whose
    thread id is `loop_thread`; returns within about ANSWER_WAIT seconds."""
    answered = threading.Event()
    lines: list[str] = []

    def collect() -> None:
        try:
            lines.extend(sorted(waiting(loop)))
        except Exception as error:  # never a traceback from the loop's callback at the end
            lines.append(f"tasks that could not be listed ({type(error).__name__})")
        finally:
            answered.set()

    try:
        loop.call_soon_threadsafe(collect)
    except RuntimeError:  # the loop is closed: nothing of it is left to wait for
        return
    if not answered.wait(ANSWER_WAIT):
        frame = sys._current_frames().get(loop_thread)
        log.warning("the stop is stuck: the event loop does not answer; its thread is at %s",
                    "an unknown line" if frame is None else _at(frame))
        return
    for line in lines[:MOST_LINES]:
        log.warning("the stop still waits for %s", line)
    if len(lines) > MOST_LINES:
        log.warning("the stop still waits for %d more tasks", len(lines) - MOST_LINES)


def waiting(loop: asyncio.AbstractEventLoop) -> list[str]:
    """Each unfinished task of `loop` as "task NAME at MODULE:LINE (FUNCTION)". Run in the
    loop's own thread."""
    return [f"task {task.get_name()!r} at {innermost(task.get_coro())}"
            for task in asyncio.all_tasks(loop) if not task.done()]


def innermost(coroutine: Any) -> str:
    """Where the chain of awaits from `coroutine` waits, innermost first ("M:L (F), in M:L
    (F), …"): each frame still running (of a coroutine, generator or async generator: the
    cr_/gi_/ag_ attributes inspect reads)."""
    frames: list[str] = []
    for _ in range(200):  # a chain is never this deep; a cycle must not loop for ever
        frame = next((getattr(coroutine, name) for name in ("cr_frame", "gi_frame", "ag_frame")
                      if getattr(coroutine, name, None) is not None), None)
        if frame is None:
            break
        frames.append(_at(frame))
        coroutine = next((getattr(coroutine, name) for name in ("cr_await", "gi_yieldfrom",
                                                               "ag_await")
                          if getattr(coroutine, name, None) is not None), None)
    return ", in ".join(reversed(frames)) or "a line not known"


def _at(frame: FrameType) -> str:
    module = frame.f_globals.get("__name__", "?")
    return f"{module}:{frame.f_lineno} ({frame.f_code.co_name})"
