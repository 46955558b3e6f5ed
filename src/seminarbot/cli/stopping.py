"""How a signal stops the process (README: Command line, Stopping).

`install` runs first thing, before any import of the bot itself: from then on SIGTERM
(`docker stop`, systemd) and SIGHUP (a closed terminal) raise `Stopped` wherever the process
is, so a stop in the first second (reading the configuration, taking the lock) ends it at once
and cleanly; SIGINT keeps Python's KeyboardInterrupt. PID 1 in a container ignores a signal it
has no handler for, which is why this cannot wait until the bot is up.

`run` is asyncio.run for every command that runs a coroutine (run, console, export, db, …):
SIGTERM, SIGHUP and SIGINT cancel the command's coroutine, whose `finally` blocks stop the
platforms, restore the terminal and close the database (a second signal while they do changes
nothing: with asyncio.run's own Ctrl-C, a second one cut them short, and an export left a
connection's thread running that the process then waited for); then `Stopped` is raised with
the signal, and the command line turns it into an exit code.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Callable, Coroutine, Iterator
from types import FrameType
from typing import Any, ClassVar, TypeVar

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
T = TypeVar("T")
STOP_LIMIT = 20.0  # seconds from a stop signal to the process's end, whatever it waits for


class Stopped(BaseException):
    """A stop signal arrived (a BaseException, like KeyboardInterrupt: not an error)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class _AtTheLimit:
    """What must still be done when a stop is cut short at STOP_LIMIT (`at_the_limit`)."""

    calls: ClassVar[list[Callable[[], None]]] = []


def at_the_limit(call: Callable[[], None]) -> None:
    """Have `call` run if a stop is cut short at STOP_LIMIT, before the process ends (in
    another thread than the event loop's, within the limit's last 2 s; what it raises is
    dropped): `run`'s last heartbeat, so that `health` says at once that it stopped."""
    _AtTheLimit.calls.append(call)


class _Settled:
    """Whether the running command's outcome is settled (`settle`)."""

    now = False


class _Pending:
    """The stop signal raised before `run` took signals over, if any. Raised anywhere, the
    exception can land where Python drops it (a weakref's or an import lock's callback: "Exception
    ignored in …") or wraps it (a class's __set_name__); the command would then go on as if no
    stop had come. `run` and the boundary (cli/boundary.py) look here too."""

    signum: int | None = None


def pending() -> int | None:
    """The stop signal that came before `run` took over, whether or not its exception got
    through (None: none came)."""
    return _Pending.signum


def settled() -> bool:
    """Whether the running command's outcome is settled (`settle`)."""
    return _Settled.now


def settle() -> None:
    """The running command's outcome is settled (an export's file is in place, a failure is
    being said): from now on a stop signal changes nothing, to the process's end."""
    _Settled.now = True


def install() -> None:
    _Pending.signum = None  # a command run again in the same process (tests) starts afresh
    _Settled.now = False
    _AtTheLimit.calls = []
    if sys.unraisablehook is not _unraisable:
        _Unraisable.before = sys.unraisablehook
        sys.unraisablehook = _unraisable
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise)
    # A shell starts a background job with SIGINT ignored, and Python keeps that; `run` takes
    # SIGINT as a stop anyway once its loop is up, so it does from the start too.
    signal.signal(signal.SIGINT, _interrupt)


class _Unraisable:
    """The hook `install` found in place (Python's own, or a test runner's)."""

    before: Callable[[Any], object] = sys.__unraisablehook__


def _unraisable(unraisable: Any) -> None:
    """A stop raised where Python can only print it ("Exception ignored in …", an import
    lock's callback) is remembered (`pending`), not printed; anything else is, as before."""
    if not isinstance(unraisable.exc_value, Stopped | KeyboardInterrupt):
        _Unraisable.before(unraisable)


def _raise(signum: int, frame: FrameType | None) -> None:
    if not _Settled.now:
        _Pending.signum = signum
        raise Stopped(signum)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Python's own KeyboardInterrupt, remembered as `_raise` remembers its stop."""
    if not _Settled.now:
        _Pending.signum = signum
        raise KeyboardInterrupt


def run(work: Coroutine[Any, Any, T]) -> T:
    """Run `work` to its end, or until a stop signal: then cancel it, let it unwind and raise
    Stopped."""
    import asyncio

    # Until the loop's own handlers are in place, a stop signal waits (blocked) instead of
    # raising in the middle of asyncio's set-up, which then leaves a loop half made, or a
    # connection's thread that the process waits for at its end.
    _mask(signal.SIG_BLOCK)
    try:
        if _Pending.signum is not None:  # came, and its exception was dropped on the way
            raise Stopped(_Pending.signum)
        return asyncio.run(_stoppable(work))
    finally:
        _mask(signal.SIG_UNBLOCK)
        work.close()  # stopped before it began: it never runs (and no warning says so)


def _deadline(signum: int) -> None:
    """The last resort: a stop still unwinding after STOP_LIMIT seconds is stuck (something it
    waits for never ends); the process then ends anyway, with one line and 128 + the signal,
    after the log has said what it still waited for (cli.stuck)."""
    import asyncio
    import contextlib
    import logging
    import os
    import threading

    from seminarbot.cli import standard_error
    from seminarbot.cli.logs import command_line
    from seminarbot.cli.stuck import ANSWER_WAIT, say_what_waits

    loop, loop_thread = asyncio.get_running_loop(), threading.get_ident()

    def end() -> None:
        def last_words() -> None:
            say_what_waits(loop, loop_thread)
            for call in _AtTheLimit.calls:
                with contextlib.suppress(Exception):
                    call()
            for handler in logging.getLogger().handlers:  # a log line dropped is said first
                handler.flush()
            standard_error.write(command_line(f"still stopping after {STOP_LIMIT:g} s; ending now"))

        try:  # every write in a thread given a bound: a standard error that is closed, or a
            # full pipe nobody reads, must not keep the process past its end
            telling = threading.Thread(target=last_words, name="stop-stuck", daemon=True)
            telling.start()
            telling.join(ANSWER_WAIT + 1.0)
        finally:
            os._exit(128 + signum)

    timer = threading.Timer(STOP_LIMIT, end)
    timer.daemon = True  # never keeps the process alive itself
    timer.start()


@contextlib.contextmanager
def held_back() -> Iterator[None]:
    """A stop signal that comes while the block runs waits for its end (blocked), then stops
    the process as it would have: for a few steps that must be done together (a lock taken and
    its clean-up registered)."""
    _mask(signal.SIG_BLOCK)
    try:
        yield
    finally:
        _mask(signal.SIG_UNBLOCK)


def _mask(how: int) -> None:
    if hasattr(signal, "pthread_sigmask"):  # POSIX
        signal.pthread_sigmask(how, STOP_SIGNALS)


async def _stoppable(work: Coroutine[Any, Any, T]) -> T:
    import asyncio

    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    assert main is not None
    received: list[int] = []
    _Settled.now = False

    def stop(signum: int) -> None:
        # A second signal while stopping changes nothing; nor does one after `settle`.
        if not received and not _Settled.now:
            received.append(signum)
            main.cancel()
            _deadline(signum)

    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop, signum)
    _mask(signal.SIG_UNBLOCK)  # one that came meanwhile is delivered now, to `stop`
    try:
        status = await work
    except asyncio.CancelledError:
        if received:
            raise Stopped(received[0]) from None
        raise
    finally:
        _mask(signal.SIG_BLOCK)  # none meets the defaults that removing the loop's leaves
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
        # Stopping or settled: one more signal, even in the interpreter's own clean-up
        # (atexit: logging's flush), changes nothing.
        if received or _Settled.now:
            for signum in STOP_SIGNALS:
                signal.signal(signum, signal.SIG_IGN)
        else:
            install()
        _mask(signal.SIG_UNBLOCK)
    if received:
        raise Stopped(received[0])
    return status


def stop_requested() -> bool:
    """Whether the running task is being cancelled by a stop (not by an inner Ctrl-C)."""
    import asyncio

    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
