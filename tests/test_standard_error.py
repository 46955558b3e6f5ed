"""Standard error's one writing thread (cli.standard_error): lines in order, none blocking the
code that writes when the stream takes nothing, log lines dropped then counted, every wait
bounded."""

from __future__ import annotations

import io
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from seminarbot.cli import standard_error
from seminarbot.cli.standard_error import ThreadedLog, Writer
from tests.pipes import filled_pipe

HANG = 60.0  # seconds: still waiting then is the failure (no timing is asserted)


@pytest.fixture
def log() -> Iterator[logging.Logger]:
    logger = logging.getLogger("seminarbot.test_standard_error")
    logger.propagate, logger.level = False, logging.DEBUG
    yield logger
    for handler in logger.handlers:
        handler.close()
    logger.handlers.clear()


def attach(logger: logging.Logger, stream: io.TextIOBase | io.StringIO) -> ThreadedLog:
    handler = ThreadedLog(Writer(stream))  # type: ignore[arg-type]
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger.addHandler(handler)
    return handler


def until(condition: Callable[[], bool]) -> None:
    for _ in range(int(HANG / 0.01)):
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError("never came")


def drain(descriptor: int) -> bytes:
    chunks = []
    while chunk := os.read(descriptor, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


@examples(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.text(
    st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"]))), max_size=40))
def test_log_lines_and_other_text_are_written_once_in_order(
        said: list[tuple[bool, str]]) -> None:
    stream = io.StringIO()
    writer = Writer(stream)
    handler = ThreadedLog(writer)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("seminarbot.test_standard_error.order")
    logger.propagate, logger.level, logger.handlers[:] = False, logging.DEBUG, [handler]
    try:
        for logged, text in said:
            if logged:
                logger.info("%s", text)
            else:
                writer.written(text + "\n")
        handler.flush()
        assert stream.getvalue() == "".join(f"{text}\n" for _, text in said)
    finally:
        writer.close()
        logger.handlers.clear()


def test_a_stream_that_takes_nothing_never_stops_the_logger(
        log: logging.Logger, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the pipe full and nobody reading, 3,000 lines are logged without waiting; what the
    queue could not hold is dropped and counted, and said once the pipe is read again."""
    monkeypatch.setattr(standard_error, "LINES_BEHIND", 1000)
    monkeypatch.setattr(standard_error, "FLUSH_WAIT", 0.05)
    unread, full = filled_pipe()
    try:
        handler = attach(log, os.fdopen(full, "w", closefd=False))
        logging_done = threading.Event()

        def flood() -> None:
            for k in range(3000):
                log.warning("line %d", k)
            handler.flush()  # bounded: the stream takes nothing
            handler.writer.written("a one-line error\n")  # not waited for: stuck
            logging_done.set()

        threading.Thread(target=flood, daemon=True).start()
        assert logging_done.wait(HANG)
        assert handler.writer.stuck
        dropped = handler.dropped
        assert dropped >= 3000 - 1000 - 1  # the queue's 1,000, and at most one being written

        chunks: list[bytes] = []
        reading = threading.Thread(target=lambda: chunks.append(drain(unread)), daemon=True)
        reading.start()
        monkeypatch.setattr(standard_error, "FLUSH_WAIT", HANG)
        until(lambda: not handler.writer.stuck)  # it writes again: waits are waited again
        handler.flush()  # once the queue has room again: the count, then all it held
        log.warning("after")
        handler.flush()
        assert not handler.writer.stuck
        os.close(full)
        full = -1
        reading.join(HANG)
        said = chunks[0].replace(b"x", b"").decode().splitlines()
        assert said[-2:] == [
            f"WARNING {dropped} log lines were dropped: standard error took no more for a while",
            "WARNING after"]
        kept = [line for line in said[:-2] if line.startswith("WARNING line ")]
        assert len(kept) + dropped == 3000
        assert kept == sorted(kept, key=lambda line: int(line.rsplit(" ", 1)[1]))
        assert said.index("a one-line error") == len(kept)  # after the lines logged before it
    finally:
        os.close(unread)
        if full != -1:
            os.close(full)


def test_a_write_to_a_stream_that_takes_nothing_returns(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command's last line, to a full pipe: given up on after FLUSH_WAIT, and the next one
    (the writer is stuck) at once, so the command goes on to its end."""
    monkeypatch.setattr(standard_error, "FLUSH_WAIT", 0.05)
    unread, full = filled_pipe()
    try:
        writer = Writer(os.fdopen(full, "w", closefd=False))
        done = threading.Event()

        def last_words() -> None:
            writer.written("seminarbot: refused\n")
            writer.written("seminarbot: and this\n")
            done.set()

        threading.Thread(target=last_words, daemon=True).start()
        assert done.wait(HANG) and writer.stuck
    finally:
        os.close(unread)
        os.close(full)


def test_a_new_standard_error_gets_a_writer_of_its_own(
        monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    standard_error.write("one\n")
    monkeypatch.setattr(sys, "stderr", second)
    standard_error.write("two\n")
    assert (first.getvalue(), second.getvalue()) == ("one\n", "two\n")


def test_a_stack_is_written_once(log: logging.Logger) -> None:
    stream = io.StringIO()
    handler = attach(log, stream)
    log.info("here", stack_info=True)
    handler.flush()
    assert stream.getvalue().count("Stack (most recent call last)") == 1


def test_a_closed_stream_loses_lines_quietly(log: logging.Logger) -> None:
    stream = io.StringIO()
    handler = attach(log, stream)
    stream.close()
    log.error("nowhere to go")
    handler.flush()
    assert not handler.writer.stuck and handler.writer._thread.is_alive()


def test_a_wait_cut_short_by_a_signal_is_not_waited_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """helper-107: a stop signal that came during the wait left the writer not stuck, and the
    log's flush at exit waited its second again."""
    import signal

    class Cut(Exception):
        pass

    def cut(signum: int, frame: object) -> None:
        raise Cut

    monkeypatch.setattr(standard_error, "FLUSH_WAIT", HANG)
    unread, full = filled_pipe()
    before = signal.signal(signal.SIGUSR1, cut)
    try:
        writer = Writer(os.fdopen(full, "w", closefd=False))
        threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGUSR1)).start()
        with pytest.raises(Cut):
            writer.written("seminarbot: refused\n")
        assert writer.stuck
    finally:
        signal.signal(signal.SIGUSR1, before)
        os.close(unread)
        os.close(full)


BLOCKED = """
import os, signal, time
from seminarbot.cli import standard_error
standard_error.writer().written("started\\n")  # its thread runs
got = []
signal.signal(signal.SIGINT, lambda signum, frame: got.append(signum))
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
os.kill(os.getpid(), signal.SIGINT)
time.sleep(0.3)
early = list(got)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
time.sleep(0.05)
print(early, got)
"""


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signal masks")
def test_a_stop_signal_waits_while_the_main_thread_blocks_it() -> None:
    """A CI run's Ctrl-C at the first moment of an export ended in "Exception ignored in
    BaseEventLoop.__del__": the writer's thread took the signal, which the main thread blocked
    while asyncio set up (cli.stopping.run), and Python ran the handler there all the same."""
    done = subprocess.run([sys.executable, "-c", BLOCKED], capture_output=True, text=True,
                          timeout=30, check=True)
    assert done.stdout.strip() == f"[] [{int(signal.SIGINT)}]", done.stdout + done.stderr
