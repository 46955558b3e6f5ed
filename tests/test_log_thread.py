"""The log's own writing thread (cli.log_thread): lines in order, none blocking the code that
logs when standard error takes nothing, those dropped then counted, every wait bounded."""

from __future__ import annotations

import io
import logging
import os
import threading
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from seminarbot.cli import log_thread
from seminarbot.cli.log_thread import ThreadedLog
from tests.pipes import filled_pipe

HANG = 60.0  # seconds: still waiting then is the failure (no timing is asserted)


@pytest.fixture
def log() -> Iterator[logging.Logger]:
    logger = logging.getLogger("seminarbot.test_log_thread")
    logger.propagate, logger.level = False, logging.DEBUG
    yield logger
    for handler in logger.handlers:
        handler.close()
    logger.handlers.clear()


def attach(logger: logging.Logger, handler: ThreadedLog) -> ThreadedLog:
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger.addHandler(handler)
    return handler


def read_all(descriptor: int) -> bytes:
    """What the pipe holds, without waiting for more."""
    os.set_blocking(descriptor, False)
    chunks = []
    try:
        while chunk := os.read(descriptor, 1 << 16):
            chunks.append(chunk)
    except BlockingIOError:
        pass
    return b"".join(chunks)


@examples(max_examples=25, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"])),
                max_size=50))
def test_every_line_is_written_once_in_order(messages: list[str]) -> None:
    stream = io.StringIO()
    handler = ThreadedLog(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("seminarbot.test_log_thread.order")
    logger.propagate, logger.level, logger.handlers[:] = False, logging.DEBUG, [handler]
    try:
        for message in messages:
            logger.info("%s", message)
        handler.flush()
        assert stream.getvalue() == "".join(f"{m}\n" for m in messages)
    finally:
        handler.close()
        logger.handlers.clear()


def test_a_stream_that_takes_nothing_never_stops_the_logger(
        log: logging.Logger, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the pipe full and nobody reading, 3,000 lines are logged without waiting; what the
    queue could not hold is dropped and counted, and said once the pipe is read again."""
    monkeypatch.setattr(log_thread, "LINES_BEHIND", 1000)
    monkeypatch.setattr(log_thread, "FLUSH_WAIT", 0.05)
    unread, full = filled_pipe()
    try:
        handler = attach(log, ThreadedLog(os.fdopen(full, "w", closefd=False)))
        logging_done = threading.Event()

        def flood() -> None:
            for k in range(3000):
                log.warning("line %d", k)
            handler.flush()  # bounded: the stream takes nothing
            logging_done.set()

        threading.Thread(target=flood, daemon=True).start()
        assert logging_done.wait(HANG)
        assert handler.stuck
        dropped = handler.dropped
        assert dropped >= 3000 - 1000 - 1  # the queue's 1,000, and at most one being written

        reading = threading.Thread(target=lambda: chunks.append(drain(unread)), daemon=True)
        chunks: list[bytes] = []
        reading.start()
        monkeypatch.setattr(log_thread, "FLUSH_WAIT", HANG)
        handler.flush()  # once the queue has room again, and all it held is written
        assert not handler.stuck
        log.warning("after")
        handler.close()
        os.close(full)
        full = -1
        reading.join(HANG)
        said = chunks[0].replace(b"x", b"").decode().splitlines()
        assert said[-2:] == [
            f"WARNING {dropped} log lines were dropped: standard error took no more for a while",
            "WARNING after"]
        kept = said[:-2]
        assert len(kept) + dropped == 3000
        assert kept == sorted(kept, key=lambda line: int(line.rsplit(" ", 1)[1]))
    finally:
        os.close(unread)
        if full != -1:
            os.close(full)


def drain(descriptor: int) -> bytes:
    chunks = []
    while chunk := os.read(descriptor, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def test_close_ends_the_thread_after_what_was_queued(log: logging.Logger) -> None:
    stream = io.StringIO()
    handler = attach(log, ThreadedLog(stream))
    log.info("one")
    handler.close()
    assert not handler._thread.is_alive()
    assert stream.getvalue() == "INFO one\n"


def test_a_stack_is_written_once(log: logging.Logger) -> None:
    """logging's QueueHandler of Python 3.11 left `stack_info` on the record it had formatted,
    and a second formatter would have added the stack again."""
    stream = io.StringIO()
    handler = attach(log, ThreadedLog(stream))
    log.info("here", stack_info=True)
    handler.flush()
    assert stream.getvalue().count("Stack (most recent call last)") == 1


def test_a_closed_stream_loses_lines_quietly(log: logging.Logger) -> None:
    stream = io.StringIO()
    handler = attach(log, ThreadedLog(stream))
    stream.close()
    log.error("nowhere to go")
    handler.flush()
    assert not handler.stuck and handler._thread.is_alive()
