"""The log's lines written by a thread of their own, so that a standard error nobody reads (a
full pipe, a terminal paused with Ctrl-S, a container log driver that blocks) never stops the
event loop: the bot goes on answering and a stop signal is still taken.

Each record is formatted where it is logged (redaction and incident filters included) and put
on a bounded queue (logging.handlers.QueueHandler); a daemon thread writes the lines in order.
When LINES_BEHIND lines already wait, a new one is dropped and counted, and once there is room
again a WARNING line, in the place of those lost, says how many they were. `flush` waits at
most FLUSH_WAIT seconds for the lines already queued: logging's own shutdown at exit, and a
one-line error written straight to standard error after them, keep their order without
hanging on a stream that takes nothing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import sys
import threading
from logging.handlers import QueueHandler
from typing import TextIO

LINES_BEHIND = 10_000  # lines waiting to be written before new ones are dropped
FLUSH_WAIT = 1.0  # seconds `flush` and `close` each wait at most
_END = "end"  # put on the queue by `close`: the thread ends there


class ThreadedLog(QueueHandler):
    """A handler for the root logger whose lines go to `stream` (standard error when None)
    from a daemon thread of its own. `dropped` counts the lines lost to a full queue that no
    line has said yet."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.lines: queue.Queue[logging.LogRecord | threading.Event | str] = queue.Queue(
            LINES_BEHIND)
        super().__init__(self.lines)
        self.stream = sys.stderr if stream is None else stream
        # Written with os.write, not through the stream: a thread blocked inside a Python file
        # object's write holds its lock, and the interpreter's last flush of standard error
        # at exit then ends in a fatal error (io: "could not acquire lock … at interpreter
        # shutdown, possibly due to daemon threads").
        self._descriptor = _descriptor(self.stream)
        self._encoding = getattr(self.stream, "encoding", None) or "utf-8"
        self.dropped = 0
        self.stuck = False  # whether the last flush ran out of time: the stream takes nothing
        self._thread = threading.Thread(target=self._write, name="log", daemon=True)
        self._thread.start()

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        prepared: logging.LogRecord = super().prepare(record)
        prepared.stack_info = None  # already in the formatted line (as Python 3.12 does)
        return prepared

    def enqueue(self, record: logging.LogRecord) -> None:
        # Called with the handler's lock held (logging.Handler.handle): one caller at a time.
        self._say_dropped()
        try:
            self.lines.put_nowait(record)
        except queue.Full:
            self.dropped += 1

    def _say_dropped(self) -> None:
        """The line saying how many were dropped, queued where they were, if there is room."""
        if not self.dropped:
            return
        note = self.prepare(logging.LogRecord(
            "seminarbot", logging.WARNING, __file__, 0,
            "%d log lines were dropped: standard error took no more for a while",
            (self.dropped,), None))
        with contextlib.suppress(queue.Full):
            self.lines.put_nowait(note)
            self.dropped = 0

    def flush(self) -> None:
        """Wait, up to FLUSH_WAIT seconds, until the lines queued so far are written."""
        if threading.current_thread() is self._thread:
            return
        with self.lock or contextlib.nullcontext():
            self._say_dropped()
        written = threading.Event()
        try:
            self.lines.put(written, timeout=FLUSH_WAIT)
        except queue.Full:
            self.stuck = True
            return
        self.stuck = not written.wait(FLUSH_WAIT)

    def close(self) -> None:
        """End the writing thread once it has written what was queued; waits at most
        FLUSH_WAIT seconds, and not at all when the last flush found the stream stuck."""
        with contextlib.suppress(queue.Full):
            self.lines.put_nowait(_END)
        if not self.stuck and threading.current_thread() is not self._thread:
            self._thread.join(FLUSH_WAIT)
        super().close()

    def _write(self) -> None:
        while True:
            item = self.lines.get()
            if isinstance(item, str):  # _END
                return
            if isinstance(item, threading.Event):
                item.set()
            else:
                self._line(item.getMessage())

    def _line(self, line: str) -> None:
        try:
            if self._descriptor is None:  # a stream with no file (a test's capture)
                self.stream.write(line + "\n")
                self.stream.flush()
                return
            data = (line + "\n").encode(self._encoding, "backslashreplace")
            while data:
                data = data[os.write(self._descriptor, data):]
        except Exception:  # a closed or broken standard error: nothing is left to tell
            return


def _descriptor(stream: TextIO) -> int | None:
    """The stream's file descriptor, flushed: None when it has none."""
    try:
        stream.flush()
        return stream.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both of the last
        return None
