"""Threads' responses in pages, in transcript order, read over one or more connections.

A page is a keyset range of the index responses_transcript: one thread's responses after one
position (created_at, id) up to and including another. Each page's end is found first, by a
query that walks the index only (`size` entries on, whether they count or not), so no page's
read waits for the one before it: with two connections, SQLite renders the next page on one
while the other renders this one, each in its own thread without the GIL (storage/memstatus.py),
and an export uses two cores. The pages of the next thread are asked for as soon as the last of
this one's is, so a new thread does not empty the pipeline. When fewer than `size` entries are
left, a thread's last page is open-ended, read with a LIMIT, and followed from its last row while
it comes back full (responses written during the export). Pages are handed over in order and at
most one per connection is read ahead, so memory holds a few pages.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from typing import Generic, NamedTuple, TypeVar

from seminarbot.storage.damage import damaged, key_text
from seminarbot.storage.db import Database

T = TypeVar("T")
Position = tuple[str, int]  # (created_at, id)
START: Position = ("", 0)

# The position `size` index entries after a given one in one thread (?: cohort, session,
# prompt, outbox post, the position, size - 1).
_BOUND = ("SELECT CAST(created_at AS BLOB), id FROM responses"
          " WHERE cohort_id = ? AND session_id = ? AND prompt_id = ? AND outbox_id IS ?"
          " AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT 1 OFFSET ?")


class Page(NamedTuple, Generic[T]):
    rows: int
    last: Position | None  # of its last row: needed only for the open-ended page
    size: int  # bytes (or characters) of text in it
    payload: T


# Read the page after the first position up to the second (None: open-ended, LIMIT the int).
Read = Callable[[Database, Position, Position | None, int], Awaitable[Page[T]]]
# A thread, (cohort id, session id, prompt id, outbox id), and how its pages are read.
Thread = tuple[tuple[object, ...], Read[T]]


async def keyset_pages(connections: Sequence[Database], threads: Sequence[Thread[T]], *,
                       page_bytes: int, first_page: int, limits: tuple[int, int]
                       ) -> AsyncGenerator[tuple[int, Page[T]], None]:
    """(thread's index, page) of each thread in turn, every page non-empty and in order, each
    of about `page_bytes` of text (the row count adapts to the length of the last page's rows,
    within `limits`). The next pages, of this thread or the next, are read while the caller
    writes this one."""
    turns = itertools.cycle(connections)
    # Each page asked for: its read, its thread's index, and its LIMIT if open-ended.
    pending: deque[tuple[asyncio.Future[Page[T]], int, int | None]] = deque()
    index, after, size = 0, START, first_page

    async def ask() -> None:
        nonlocal index, after
        while index < len(threads) and len(pending) < len(connections):
            db = next(turns)
            thread, read = threads[index]
            found = await db.fetch_tuples(_BOUND, (*thread, *after, size - 1))
            upto = position_after(after, *found[0]) if found else None
            pending.append((asyncio.ensure_future(read(db, after, upto, size)), index,
                            None if upto else size))
            index, after = (index, upto) if upto else (index + 1, START)

    try:
        await ask()
        while pending:
            page = await pending[0][0]
            _, at, limit = pending.popleft()
            if page.rows:
                average = max(1, page.size // page.rows)
                size = max(limits[0], min(limits[1], page_bytes // average))
            await ask()
            # Let the reads reach their connections' threads before the caller takes this page:
            # SQLite then reads (without the GIL) while Python renders and writes. Without it
            # they would only start at the caller's next await, and the two would take turns.
            await asyncio.sleep(0)
            if page.rows:
                yield at, page
            while limit is not None and page.rows == limit and page.last is not None:
                # Responses written during the export: they are read before any later thread's.
                last = page.last
                page = await threads[at][1](connections[0], last, None, limit)
                if page.last is not None:
                    onward(last, page.last)
                if page.rows:
                    yield at, page
    finally:
        # The caller stopped early, or was cancelled (and the reads with it): let every read
        # end before the connections can be closed.
        await asyncio.gather(*(future for future, _, _ in pending), return_exceptions=True)


def position_after(after: Position, created_at: bytes | str, response_id: int) -> Position:
    """The keyset position of a row read as (CAST(created_at AS BLOB), id), which must come
    after `after`: its text exactly (a U+FFFD in its place would name another position), else
    Damaged (storage/damage.py key_text)."""
    return onward(after, (key_text(created_at, f"response {response_id}'s created_at"),
                          response_id))


def onward(after: Position, then: Position) -> Position:
    """`then`, which must come after `after`: a page that does not move on would be read
    again and again (a key stored as bytes sorts after every text), so it is Damaged."""
    if then <= after:
        raise damaged(f"response {then[1]}'s created_at",
                      ValueError("it does not sort as text: bytes where text belongs"))
    return then
