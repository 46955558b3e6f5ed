"""Where the console's lines come from: a terminal (interactive) or a pipe or file (a script).

On a terminal, prompt_toolkit gives line editing and history, prints the posts that come due
above the line being typed, and the keys act as in a shell (README, The console): Ctrl-C
abandons the line being typed; on an empty line it says how to leave, and a second Ctrl-C (or
Ctrl-D) leaves; Ctrl-C while a command runs interrupts that command and keeps the console.

Piped input is read without a thread (so an interrupt never waits for the next line), a line
at a time, each at most MAX_LINE_BYTES: a longer one is skipped up to its end and answered
with TOO_LONG, never held in memory whole.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import re
import signal
import stat
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from seminarbot.adapters.console.session import Console

MAX_LINE_BYTES = 1 << 20
TOO_LONG = "\x00too long"  # never typed: NUL cannot come through the line splitter below
LEAVE_HINT = "(Ctrl-C again or Ctrl-D to leave)"
BOM = "\ufeff".encode()


async def stdin_lines() -> AsyncIterator[str]:
    """Standard input a line at a time, decoded as UTF-8 (a bad byte becomes U+FFFD)."""
    mode = os.fstat(sys.stdin.fileno()).st_mode
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or sys.stdin.isatty():
        chunks = _pipe_chunks()  # may wait: read by the event loop
    else:
        chunks = _file_chunks()  # a file or a device such as /dev/null: never waits
    async for line in split_lines(as_utf8(chunks)):
        yield line


async def as_utf8(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """`chunks` as UTF-8: a script that begins with UTF-16's byte order mark (Windows'
    "Unicode", PowerShell 5's `>`) or UTF-32's is decoded as such, where its letters beyond
    ASCII became U+FFFD or others (helper-153's 4, helper-160's 7); any other passes as it is."""
    head = b""
    async for chunk in chunks:  # UTF-32's mark begins with UTF-16's: four bytes to tell
        head += chunk
        if len(head) >= 4:
            break
    encoding = next((name for mark, name in ((codecs.BOM_UTF32_LE, "utf-32"),
                                             (codecs.BOM_UTF32_BE, "utf-32"),
                                             (codecs.BOM_UTF16_LE, "utf-16"),
                                             (codecs.BOM_UTF16_BE, "utf-16"))
                     if head.startswith(mark)), None)
    if encoding is None:
        if head:
            yield head
        async for chunk in chunks:
            yield chunk
        return
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    yield decoder.decode(head).encode()
    async for chunk in chunks:
        yield decoder.decode(chunk).encode("utf-8", "replace")
    yield decoder.decode(b"", final=True).encode("utf-8", "replace")


async def _file_chunks() -> AsyncIterator[bytes]:
    while chunk := os.read(sys.stdin.fileno(), 65536):
        yield chunk
        await asyncio.sleep(0)


async def _pipe_chunks() -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader),
                                                os.fdopen(sys.stdin.fileno(), "rb",
                                                          closefd=False))
    try:
        while chunk := await reader.read(65536):
            yield chunk
    finally:
        transport.close()


_LINE_END = re.compile(rb"\r\n?|\n")


async def split_lines(chunks: AsyncIterator[bytes]) -> AsyncIterator[str]:
    """The lines of `chunks` (`stdin_lines`), each without the byte order mark a script saved
    as "UTF-8" by Notepad or PowerShell begins with (it hid the first command, and every
    first command of scripts put one after another: helper-148's 4, helper-153's 4). A line
    ends at LF, CR LF or a CR alone (a script saved with classic Mac line ends ran as one
    line: helper-166's 7), as Python's universal newlines read them."""
    pending, skipping = b"", False
    async for chunk in chunks:
        pending += chunk
        while (end := _LINE_END.search(pending)) is not None:
            if end.group() == b"\r" and end.end() == len(pending):
                break  # its LF may come with the next chunk
            line, pending = pending[: end.start()], pending[end.end() :]
            if skipping:
                skipping = False
                yield TOO_LONG
            else:
                yield _decoded(line)
        if len(pending) > MAX_LINE_BYTES:
            pending, skipping = b"", True
    if skipping:
        yield TOO_LONG
    elif pending:
        yield _decoded(pending.removesuffix(b"\r"))


def _decoded(line: bytes) -> str:
    return line.removeprefix(BOM).replace(b"\x00", b"").decode("utf-8", "replace")


async def interruptible(work: Awaitable[None], said: Callable[[str], None]) -> None:
    """Run one command; Ctrl-C (SIGINT) cancels it, and what it had finished is kept (each
    change is its own transaction)."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(work)
    loop.add_signal_handler(signal.SIGINT, task.cancel)
    try:
        await task
    except asyncio.CancelledError:
        me = asyncio.current_task()
        if not task.cancelled() or (me is not None and me.cancelling()):
            raise  # the console itself is being stopped (SIGTERM, SIGHUP)
        said("Interrupted.")
    finally:
        loop.remove_signal_handler(signal.SIGINT)


async def run_terminal(console: Console, greeting: str) -> None:
    """The interactive loop, until /quit, Ctrl-D or a second Ctrl-C on an empty line."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
    from prompt_toolkit.patch_stdout import patch_stdout

    empty_when_interrupted = [False]
    keys = KeyBindings()

    @keys.add("c-c")
    @keys.add("<sigint>")  # a SIGINT sent with kill(1), which prompt_toolkit takes as a key
    def _interrupt(event: KeyPressEvent) -> None:
        empty_when_interrupted[0] = not event.current_buffer.text
        event.app.exit(exception=KeyboardInterrupt(), style="class:aborting")

    session: PromptSession[str] = PromptSession(key_bindings=keys)
    ticker = asyncio.create_task(console.app.scheduler.run_forever())
    armed = False
    try:
        with patch_stdout():
            console.out = sys.stdout  # through prompt_toolkit, above the line being typed
            console.emit(greeting)
            while not console.finished:
                try:
                    line = await session.prompt_async("> ")
                except KeyboardInterrupt:
                    if empty_when_interrupted[0] and armed:
                        break
                    armed = empty_when_interrupted[0]
                    if armed:
                        console.emit(LEAVE_HINT)
                    continue
                except EOFError:
                    break
                armed = False
                await interruptible(console.handle(line), console.emit)
    finally:
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker
