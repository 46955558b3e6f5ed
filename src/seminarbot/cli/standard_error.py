"""Everything the command line writes to standard error — the log's lines, a command's one-line
error, an incident's traceback, argparse's usage error — goes out through one daemon thread,
in order, so that a standard error nobody reads (a full pipe, a terminal paused with Ctrl-S, a
container log driver that blocks) never stops the bot, never keeps a command from ending, and
never keeps a stop signal from being taken.

- A log line (`ThreadedLog`, the root logger's handler) is formatted where it is logged and
  queued without waiting. When LINES_BEHIND lines already wait, it is dropped and counted, and
  once there is room again a WARNING line, in the place of those lost, says how many.
- Any other text (`write`) is queued after what came before it, however many wait, and
  waited for, at most FLUSH_WAIT seconds; a stream that takes nothing is then given up on (not
  waited for again until it takes something), and the command goes on to its end.

The thread writes with os.write, not through the stream object: a thread blocked inside a
Python file object's write holds its lock, and the interpreter's last flush of standard error
at exit then ends in a fatal error ("could not acquire lock … at interpreter shutdown").
"""

from __future__ import annotations

import codecs
import contextlib
import logging
import os
import queue
import signal
import sys
import threading
from typing import TextIO

LINES_BEHIND = 10_000  # log lines waiting to be written before new ones are dropped
FLUSH_WAIT = 1.0  # seconds a write or flush waits for the stream at most


class Writer:
    """The thread writing to one stream (standard error when it was made), what it was handed,
    in order. `stuck`: the last wait ran out of time, and nothing was written since."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self.lines: queue.Queue[str | threading.Event | None] = queue.Queue()
        self._descriptor = _descriptor(stream)
        self._encoding = getattr(stream, "encoding", None) or "utf-8"
        self.stuck = False
        self._thread = threading.Thread(target=self._write, name="standard-error", daemon=True)
        self._thread.start()

    def offer(self, text: str) -> bool:
        """Queue `text` unless LINES_BEHIND already wait (then False)."""
        if self.lines.qsize() >= LINES_BEHIND:
            return False
        self.lines.put(text)
        return True

    def written(self, text: str = "") -> None:
        """Queue `text`, then wait until it and all before it are written: at most FLUSH_WAIT
        seconds, and not at all while the stream is stuck."""
        if text:
            self.lines.put(text)  # beyond LINES_BEHIND too: a log line is dropped first
        if threading.current_thread() is self._thread or self.stuck:
            return
        done = threading.Event()
        self.lines.put(done)
        finished = False
        try:
            finished = done.wait(FLUSH_WAIT)
        finally:  # cut short by a stop signal: not waited for again on the way out either
            self.stuck = not finished

    def close(self) -> None:
        """End the thread once what is queued is written (it waits for nothing)."""
        self.lines.put(None)

    def _write(self) -> None:
        from seminarbot.cli.stopping import STOP_SIGNALS

        # Stop signals are the main thread's: the kernel hands a process's signal to any
        # thread that does not block it, and Python then runs its handler in the main thread
        # at once, even where that thread blocks them (cli.stopping.run, while asyncio sets up).
        if hasattr(signal, "pthread_sigmask"):  # POSIX
            signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        while (item := self.lines.get()) is not None:
            if isinstance(item, threading.Event):
                item.set()
            else:
                self._out(item)
            self.stuck = False

    def _out(self, text: str) -> None:
        try:
            if self._descriptor is None:  # a stream with no file (a test's capture)
                assert self.stream is not None
                self.stream.write(text)
                self.stream.flush()
                return
            data = text.encode(self._encoding, "backslashreplace")
            while data:
                data = data[os.write(self._descriptor, data):]
        except Exception:  # a closed or broken standard error: nothing is left to tell
            return


def _descriptor(stream: TextIO | None) -> int | None:
    """The stream's file descriptor (what it buffered flushed first), or None."""
    try:
        assert stream is not None
        stream.flush()
        return stream.fileno()
    except (AssertionError, AttributeError, OSError, ValueError):  # io.UnsupportedOperation
        return None


class _Current:
    writer: Writer | None = None


def writer() -> Writer:
    """The writer of standard error as it is now (a new one once sys.stderr was replaced, as
    a test's capture does; the one before ends after writing what it holds)."""
    current = _Current.writer
    if current is None or current.stream is not sys.stderr:
        if current is not None:
            current.close()
        current = _Current.writer = Writer(sys.stderr)
    return current


def holds_every_character() -> bool:
    """Whether standard error's encoding holds every character (a UTF); else what it cannot
    hold is written as a backslash escape (PYTHONIOENCODING=ascii)."""
    return codecs.lookup(writer()._encoding).name.startswith("utf")


def write(text: str) -> None:
    """`text` on standard error after everything before it (the log's lines included), waiting
    at most FLUSH_WAIT seconds for a stream that takes nothing."""
    writer().written(text)


class ThreadedLog(logging.Handler):
    """The root logger's handler: each line formatted here and handed to the writer without
    waiting; `dropped` counts the lines lost to a full queue that no line has said yet."""

    def __init__(self, to: Writer | None = None) -> None:
        super().__init__()
        self.writer = to or writer()
        self.dropped = 0

    def emit(self, record: logging.LogRecord) -> None:
        # Called with the handler's lock held (logging.Handler.handle): one caller at a time.
        try:
            line = self.format(record) + "\n"
        except Exception:
            self.handleError(record)
            return
        self._say_dropped()
        if not self.writer.offer(line):
            self.dropped += 1

    def _say_dropped(self) -> None:
        if self.dropped and self.writer.offer(self.format(logging.LogRecord(
                "seminarbot", logging.WARNING, __file__, 0,
                "%d log lines were dropped: standard error took no more for a while",
                (self.dropped,), None)) + "\n"):
            self.dropped = 0

    def flush(self) -> None:
        """Wait, at most FLUSH_WAIT seconds, until the lines handed over so far are written."""
        with self.lock or contextlib.nullcontext():
            self._say_dropped()
        self.writer.written()
