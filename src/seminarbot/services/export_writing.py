"""How an export's bytes reach its output: as UTF-8, a slice at a time, in a worker thread
one piece behind the rendering, each slice counted as the output takes it, so that a failed or
stopped export's audit says how far it got (README, Exports: Audit)."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import threading
from collections.abc import Callable

Write = Callable[[bytes], None]
UTF8_SLICE = 8192  # bytes of a page checked at a time (larger slices raised the peak)
# Bytes handed to the output at a time: a stop finds at most one slice under way. Larger
# writes save nothing measurable (benchmarks/export_bench.py writes 1M responses either way).
OUT_SLICE = 65536
# What ends a response's record where each is one line (RFC 4180's CRLF; JSON Lines' LF): the
# whole ones in a part taken are counted. Markdown and HTML count the pages taken whole.
ROW_ENDS = {"csv": b"\r\n", "jsonl": b"\n"}
SETTLE_SECONDS = 1.0  # a stop waits this long for a slice under way, then says it was


class Counter:
    """What has been written: bytes, and the responses in them. Every piece of every format
    passes here: a damaged row's bytes that are not UTF-8 (pages are read from SQLite as
    bytes, not decoded) are written as U+FFFD, so that every file is UTF-8 (RFC 8259 requires
    it of JSON). `row_end`: ROW_ENDS's, for the format. Its writer thread sets what the event
    loop reads: each a whole value, read while that thread waits on its output."""

    def __init__(self, write: Write, row_end: bytes | None = None) -> None:
        self.write_through = write
        self.row_end = row_end
        self.size = 0
        self.responses = 0  # those of the pieces taken whole
        self.piece, self.taken = b"", 0  # the piece under way, and how much of it went
        self.writing = 0  # the bytes of the slice under way
        self.in_flight = 0  # those of one still under way when a stop was audited
        self.stopped = False

    def __call__(self, data: bytes, responses: int = 0) -> None:
        if not _utf8(data):
            data = data.decode(errors="replace").encode()
        self.piece, self.taken = data, 0
        for start in range(0, len(data), OUT_SLICE):
            if self.stopped:  # nothing more goes out: the audit says what did
                return
            part = data[start:start + OUT_SLICE]
            self.writing = len(part)
            try:
                self.write_through(part)
            except OSError as error:  # the part taken before a reader went away is counted
                self._went(getattr(error, "characters_written", 0))
                raise
            finally:
                self.writing = 0
            self._went(len(part))
        self.responses += responses
        self.piece, self.taken = b"", 0

    def _went(self, count: int) -> None:
        self.taken += count
        self.size += count

    def whole_responses(self) -> int:
        """The responses taken whole: those of whole pieces, and for CSV and JSON Lines the
        records the part taken of the piece under way ends."""
        if self.row_end is None or not self.piece:
            return self.responses
        return self.responses + self.piece[:self.taken].count(self.row_end)


def _utf8(data: bytes) -> bool:
    """Whether `data` is UTF-8, decoded a slice at a time: decoding each page whole (2 MB)
    in the writer's thread raised a Markdown export's peak memory from 76 to 100 MB, and
    1 MB slices to 88 MB; 8 KB slices leave it as it was."""
    if data.isascii():
        return True
    decoder, view = codecs.getincrementaldecoder("utf-8")(), memoryview(data)
    try:
        for start in range(0, len(data), UTF8_SLICE):
            decoder.decode(view[start:start + UTF8_SLICE])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _settled(done: asyncio.Future[None], failed: BaseException | None) -> None:
    if not done.done():
        if failed is None:
            done.set_result(None)
        else:
            done.set_exception(failed)


class Written:
    """`write` in a worker thread, one piece behind: the next page renders while this one is
    written (writing took a fifth of the event loop's time in an export of 1M responses to
    HTML, benchmarks/export_bench.py). Its errors are raised at the next piece or `drain`."""

    def __init__(self, write: Counter) -> None:
        self.write = write
        self.pending: asyncio.Future[None] | None = None

    async def __call__(self, data: bytes, responses: int = 0) -> None:
        await self.drain()
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()

        def work() -> None:
            failed: BaseException | None = None
            try:
                self.write(data, responses)
            except BaseException as error:  # handed to the event loop, raised there
                failed = error
            with contextlib.suppress(RuntimeError):  # the loop closed: the process is ending
                loop.call_soon_threadsafe(_settled, done, failed)

        # A daemon thread: one that waits on a reader that never reads never holds up the
        # end of the process (the default executor's threads are waited for at its end).
        threading.Thread(target=work, name="export-writer", daemon=True).start()
        self.pending = done

    async def drain(self) -> None:
        """Once the pieces given so far are written."""
        pending, self.pending = self.pending, None
        if pending is not None:
            await pending

    async def settle(self, *, stopped: bool) -> None:
        """After a failure or a stop, before the audit: the piece under way ends (a stop lets
        no further slice go, and waits SETTLE_SECONDS at most for the one under way: a reader
        may never take it, and then its bytes are said to be in flight)."""
        counter = self.write
        counter.stopped = counter.stopped or stopped
        with contextlib.suppress(Exception, asyncio.CancelledError):
            if not stopped:
                await self.drain()
            for _ in range(int(SETTLE_SECONDS / 0.05)):
                if not counter.writing:
                    break
                await asyncio.sleep(0.05)
        counter.in_flight = counter.writing
