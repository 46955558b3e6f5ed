"""The command line every benchmark script shares.

- Arguments are checked before anything runs: a bad one is one sentence from argparse naming
  the parameter and what it expects (`--pairs: expected a whole number ≥ 1, got '0'`), exit 2.
- `--json PATH` is checked for being writable at the start, not after the run.
- `main` compiles src/ to bytecode first (as `make bench` does), so that a script run directly
  under PYTHONDONTWRITEBYTECODE does not measure the bot compiling itself at every start.
- Ctrl-C (or SIGTERM) ends the run with one line and exit 130, a failure with one line and
  exit 1 (set BENCH_TRACEBACK=1 for the traceback). Cleanups in `finally` blocks have run by
  then; the process then exits at once, so a thread left by a failed run cannot keep it alive.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import contextlib
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import interrupted

DEFAULT_PAIRS = 5
T = TypeVar("T")
SRC = Path(__file__).resolve().parents[1] / "src"


def whole(least: int = 1, multiple_of: int = 1, most: int = 10**8) -> Callable[[str], int]:
    """An argparse type: an int from `least` to `most` (and a multiple of `multiple_of`), else
    one sentence."""
    expects = f"a whole number from {least:,} to {most:,}" + (
        f" that is a multiple of {multiple_of}" if multiple_of > 1 else "")

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expects}, got {text!r}") from None
        if not least <= value <= most or value % multiple_of:
            raise argparse.ArgumentTypeError(f"expected {expects}, got {text!r}")
        return value

    return parse


def seconds(text: str) -> float:
    """An argparse type: a number of seconds over 0, up to an hour."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("expected a number of seconds over 0 and at most 3600, "
                                         f"got {text!r}")
    return value


def writable_file(text: str) -> str:
    """An argparse type: a path a file can be written at (its folder exists and is writable)."""
    path = Path(text)
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a file path, got an empty one")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"expected a file path, got the folder {text!r}")
    folder = path.parent
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"expected a file in an existing folder; {folder} "
                                         "does not exist")
    if path.exists() and not path.is_file():  # a FIFO would hang the open below
        raise argparse.ArgumentTypeError(f"expected a regular file, {text!r} is not one")
    existed = path.exists()
    try:  # opened as the report will be, so /proc, /sys and read-only places fail now
        with path.open("a"):
            pass
    except OSError as error:
        raise argparse.ArgumentTypeError(f"expected a file this user can write; {text!r} "
                                         f"cannot be written ({error.strerror})") from None
    if not existed:
        path.unlink()
    return text


def folder(text: str) -> Path:
    """An argparse type: a folder to keep files in, writable, or one that can be made in an
    existing writable folder. Nothing is made here (`made` makes it once every argument has
    been accepted): a refused command line leaves no folder behind."""
    path = Path(text)
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a folder path, got an empty one")
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"expected a folder, {text!r} is not one")
    where = path if path.exists() else path.parent
    if not where.is_dir():
        raise argparse.ArgumentTypeError(f"expected a folder that can be made; {where} "
                                         + ("is not a folder" if where.exists()
                                            else "does not exist"))
    try:  # a folder made and removed at once: /proc and read-only places fail now, as root too
        os.rmdir(tempfile.mkdtemp(dir=where))
    except OSError as error:
        raise argparse.ArgumentTypeError(f"expected a folder this user can write; {where} "
                                         f"is not ({error.strerror})") from None
    return path


def made(path: Path) -> Path:
    """`path` (a `folder` argument), made if missing."""
    path.mkdir(exist_ok=True)
    return path


def plural(count: int, word: str) -> str:
    """"1 round", "5 rounds": `word` with an s unless `count` is 1."""
    return f"{count:,} {word}" + ("" if count == 1 else "s")


@contextmanager
def built(path: Path) -> Iterator[Path]:
    """Where to build a file that a later run may reuse (--keep): a name of its own, renamed to
    `path` only when the block ends without error, so an interrupted build is never reused."""
    partial = path.with_name(path.name + ".partial")

    def remove() -> None:  # the file and SQLite's journals beside it
        for leftover in path.parent.glob(partial.name + "*"):
            leftover.unlink(missing_ok=True)

    remove()
    try:
        yield partial
    except BaseException:  # an interrupted build leaves nothing
        remove()
        raise
    partial.rename(path)


def parser(description: str | None, *, pairs: int = DEFAULT_PAIRS,
           what_pairs: str = "interleaved pairs") -> argparse.ArgumentParser:
    """A benchmark's parser with the two arguments every one takes: --json and --pairs."""
    made = argparse.ArgumentParser(description=description,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    made.add_argument("--json", metavar="PATH", type=writable_file,
                      help="also write the figures here, as JSON (run_all.py reads it)")
    made.add_argument("--pairs", type=whole(most=1000), default=pairs,
                      help=f"{what_pairs}, each counted (default {pairs})")
    return made


SCRATCH: list[Path] = []  # every scratch folder made, removed again on the way out
TERMINATED = False  # stopped by a SIGTERM sent to this process, not by a terminal's Ctrl-C


@contextmanager
def scratch(prefix: str) -> Iterator[Path]:
    """A temporary folder, removed however the block ends (and again by `main` once its
    children have exited, should one still have written in it)."""
    with tempfile.TemporaryDirectory(prefix=prefix, ignore_cleanup_errors=True) as folder:
        SCRATCH.append(Path(folder))
        yield Path(folder)


def tell(loop: asyncio.AbstractEventLoop, callback: Callable[..., object], *args: object
         ) -> None:
    """`callback(*args)` run in `loop`, from another thread; nothing once the loop is closed
    (a run stopped meanwhile: nobody awaits the answer any more)."""
    with contextlib.suppress(RuntimeError):  # "Event loop is closed"
        loop.call_soon_threadsafe(callback, *args)


async def in_thread(work: Callable[..., T], *args: object) -> T:
    """`work(*args)` in a daemon thread of its own, awaited. Unlike asyncio.to_thread, whose
    pool asyncio.run joins on the way out, a Ctrl-C does not wait for the work to end: `main`
    leaves at once and the thread goes with the process."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[T] = loop.create_future()

    def settle(outcome: Callable[[], None]) -> None:
        if not done.done():
            outcome()

    def run() -> None:
        try:
            value = work(*args)
        except BaseException as error:  # handed to the awaiting task, which raises it
            failure = error
            tell(loop, settle, lambda: done.set_exception(failure))
        else:
            tell(loop, settle, lambda: done.set_result(value))

    threading.Thread(target=run, daemon=True).start()
    return await done


def main(body: Callable[[], object]) -> None:
    """Run a benchmark's body: one line and exit 130 on Ctrl-C, one line and exit 1 on a
    failure, never a traceback unless BENCH_TRACEBACK=1."""
    name = Path(sys.argv[0]).name
    if sys.stdout is None:  # started with it closed (`>&-`): every figure would vanish unsaid
        _leave(f"{name}: standard output is closed, so the figures would be lost; run it with "
               "standard output open", 2)
    if signal.getsignal(signal.SIGINT) is interrupted.stop:  # from here on, cleanups run
        signal.signal(signal.SIGINT, signal.default_int_handler)
    # SIGTERM (kill, timeout, a service manager) stops a run as Ctrl-C does, cleaning up,
    # also where SIGINT is ignored (a background job of a non-interactive shell).
    signal.signal(signal.SIGTERM, _terminated)
    try:
        compileall.compile_dir(SRC, quiet=2)
        body()
    except KeyboardInterrupt:
        _leave(interrupted.said(), 130)
    except BrokenPipeError:  # its reader went away (`| head`), as `seminarbot export` says it
        with contextlib.suppress(OSError):  # and no second error at the exit's flush
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        _leave(f"{name}: standard output was closed before the figures were all written", 1)
    except Exception as error:  # the one boundary: a sentence, not a traceback
        shown = bool(os.environ.get("BENCH_TRACEBACK"))
        if shown:
            traceback.print_exc()
        lines = str(error).strip().splitlines()
        detail = ": " + " … ".join(lines[:1] + lines[1:][-1:]) if lines else ""
        _leave(f"{name}: failed: {type(error).__name__}{detail}"
               + ("" if shown else " (BENCH_TRACEBACK=1 shows where)"), 1)


def run_async(work: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(work)` for a benchmark: a SIGTERM while it runs cancels `work` where it
    awaits, as asyncio's own Ctrl-C does (asyncio.Runner), so that its cleanups (a database
    closed before its loop, a child stopped) run in order; then KeyboardInterrupt, which `main`
    says as an interruption. Raised at once, as a signal handler outside the loop does, it
    could land inside the loop's own machinery: a connection's thread then answered a closed
    loop, with a traceback, or a cleanup waited for what would never come."""
    async def cancellable() -> T:
        task, loop = asyncio.current_task(), asyncio.get_running_loop()
        assert task is not None

        def terminate() -> None:
            global TERMINATED
            if not TERMINATED:  # a second SIGTERM does not cut the cleanups short
                TERMINATED = True
                task.cancel()

        loop.add_signal_handler(signal.SIGTERM, terminate)
        try:
            return await work
        except asyncio.CancelledError:
            if TERMINATED:
                raise _Terminated from None
            raise
        finally:
            loop.remove_signal_handler(signal.SIGTERM)
            signal.signal(signal.SIGTERM, _terminated)

    try:
        return asyncio.run(cancellable())
    except _Terminated:
        raise KeyboardInterrupt from None


class _Terminated(Exception):
    """`work` was cancelled by a SIGTERM and has unwound (run_async)."""


def _terminated(signum: int, frame: object) -> None:
    global TERMINATED
    TERMINATED = True
    raise KeyboardInterrupt


def _leave(line: str, status: int) -> None:
    _end_children()
    for folder in SCRATCH:
        shutil.rmtree(folder, ignore_errors=True)
    interrupted.say(line)
    with contextlib.suppress(OSError, AttributeError):  # None where it was closed at start
        sys.stdout.flush()
    os._exit(status)  # a worker thread a failed run left behind must not keep the process up


def _end_children(grace: float = 10.0) -> None:
    """Wait for this process's children (a Ctrl-C reached them too; a SIGTERM sent to this
    process alone did not, so they are sent one) to exit, then SIGKILL every descendant still
    running after `grace` seconds (a child's own child too: /usr/bin/time's command): none
    outlives the run or writes after its cleanup."""
    if TERMINATED:
        for pid in _descendants(children_only=True):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while _descendants(children_only=True) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in _descendants():  # gathered before any is killed: an orphan's parent changes
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def _descendants(*, children_only: bool = False) -> list[int]:
    """Live (not zombie) processes descended from this one (or only its children), from
    /proc/PID/stat."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: list[int] = []
    layer = parents.get(os.getpid(), [])
    while layer:
        found += layer
        layer = [] if children_only else [c for pid in layer for c in parents.get(pid, [])]
    return found
