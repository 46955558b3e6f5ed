"""Keyset ranges over one or two connections: every row of every thread once, in order,
whatever the page size; responses written while a thread's last (open-ended) page is read are
followed before the next thread's."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from seminarbot.clock import ManualClock
from seminarbot.core.invocation import Actor
from seminarbot.services.container import Services
from seminarbot.services.responses import InboundMessage, record_message
from seminarbot.storage.db import Database
from seminarbot.storage.keyset import Page, Position, keyset_pages
from tests.conftest import ConsoleDriver

Reader = Callable[[Database, Position, Position | None, int], Awaitable[Page[list[int]]]]


def reader(thread: tuple[Any, ...], before_open: Callable[[], Awaitable[None]] | None = None,
           calls: list[tuple[Position, Position | None]] | None = None) -> Reader:
    async def read(db: Database, after: Position, upto: Position | None,
                   size: int) -> Page[list[int]]:
        if calls is not None:
            calls.append((after, upto))
        if upto is None and before_open is not None:
            await before_open()
        sql = ("SELECT id, created_at FROM responses WHERE cohort_id = ? AND session_id = ?"
               " AND prompt_id = ? AND outbox_id IS ? AND deleted_at IS NULL"
               " AND (created_at, id) > (?, ?)")
        window: tuple[Any, ...] = (*after, size) if upto is None else (*after, *upto)
        sql += (" ORDER BY created_at, id LIMIT ?" if upto is None
                else " AND (created_at, id) <= (?, ?) ORDER BY created_at, id")
        rows = await db.fetch_tuples(sql, (*thread, *window))
        last = (rows[-1][1], rows[-1][0]) if rows else None
        return Page(len(rows), last, len(rows), [row[0] for row in rows])
    return read


async def write(app: Services, clock: ManualClock, post: str, count: int, start: int) -> None:
    people = [Actor("console", f"console:p{i}", f"p{i}") for i in range(3)]
    for i in range(start, start + count):
        if i % 4 == 0:
            clock.advance(timedelta(seconds=1))  # runs of equal timestamps
        await record_message(app, InboundMessage("console", f"x{i}", people[i % 3], "w",
                                                 clock.now(), reply_to=post))


async def ids(app: Services, outbox_id: int | None = None) -> list[int]:
    return [row[0] for row in await app.db.fetch_tuples(
        "SELECT id FROM responses WHERE deleted_at IS NULL AND (? IS NULL OR outbox_id = ?)"
        " ORDER BY created_at, id", (outbox_id, outbox_id))]


async def test_pages_on_one_or_two_connections_hold_every_row_once_in_order(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post 1")
    posts = (await app.outbox.for_cohort(1))[:2]
    assert len(posts) == 2
    await write(app, clock, posts[0].message_id or "", 41, 0)
    await write(app, clock, posts[1].message_id or "", 13, 100)
    for gone in ("x3", "x4", "x5", "x40"):  # a page may hold none that count, or the last
        await app.responses.delete("console", gone, clock.now())
    expected = [(n, i) for n, post in enumerate(posts) for i in await ids(app, post.id)]
    threads = [(1, post.session_id, post.item, post.id) for post in posts]
    second = await Database.open(app.db.path, create=False, write=False, migrate=False)
    try:
        for connections in ((app.db,), (app.db, second)):
            for first in (1, 2, 3, 7, 13, 40, 41, 42, 100):
                for budget in (1, 5, 1000):
                    pages = [page async for page in keyset_pages(
                        connections, [(t, reader(t)) for t in threads], page_bytes=budget,
                        first_page=first, limits=(1, 9))]
                    assert [(n, i) for n, page in pages for i in page.payload] == expected
                    assert all(page.rows for _, page in pages)
    finally:
        await second.close()


async def test_responses_written_while_the_last_page_is_read_are_followed(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post 1")
    post = (await app.outbox.for_cohort(1))[0]
    await write(app, clock, post.message_id or "", 6, 0)
    thread = (1, post.session_id, post.item, post.id)
    later = (await app.outbox.for_cohort(1))[1]
    await write(app, clock, later.message_id or "", 9, 50)
    other = (1, later.session_id, later.item, later.id)
    written: list[int] = []

    async def more() -> None:
        if not written:
            written.append(1)
            await write(app, clock, post.message_id or "", 30, 6)

    calls: list[tuple[Position, Position | None]] = []
    pages = [page async for page in keyset_pages(
        (app.db,), [(thread, reader(thread, more, calls)), (other, reader(other))],
        page_bytes=4, first_page=4, limits=(4, 4))]
    assert [(n, i) for n, page in pages for i in page.payload] == (
        [(0, i) for i in await ids(app, post.id)] + [(1, i) for i in await ids(app, later.id)])
    assert len(await ids(app, post.id)) == 36
    # The open-ended page came back full and was followed from its last row.
    assert sum(upto is None for _, upto in calls) > 1
