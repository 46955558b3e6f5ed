"""Reading a cohort's responses for export, a page at a time, in transcript order.

Pages use keyset pagination on (created_at, id) inside one thread, along the index
responses_transcript, so each page costs the same however deep into the export it is and memory
holds one page. Only responses that count are read (storage/counted.py: not deleted, not by
someone who opted out), each with its author's name in the cohort's own community.

For CSV and JSON Lines the page query renders each row's line, its link back to the platform
included (storage/export_lines.py), and joins a page's lines itself (SQLite does the quoting,
the formula rule and the JSON escaping in C, and hands over one bytes object per page), which
leaves no Python work per row at all: with Python's csv module the CSV export took about twice
as long as `sqlite3 -csv`, and with `json.dumps` per record JSON Lines 3.5 times as long.
`csv_line` and `jsonl_lines` in domain/exports.py are the references these renderings must
match (property tests hold them equal). SQLite cannot isolate bidirectional controls: a CSV
page whose bytes hold any has those rows rendered again in Python (`csv_row`), and a JSON Lines
page has them written as \\u escapes (`json_safe`), as the references do.
Transcripts read raw rows (`raw_entries`, their links rendered by SQLite too).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from typing import Any, Generic, NamedTuple, TypeVar

from seminarbot.clock import to_iso
from seminarbot.domain.display import BIDI_BYTES, json_safe
from seminarbot.domain.exports import Entry, ExportScope, RawEntry, RawPage, csv_row
from seminarbot.domain.links import Links
from seminarbot.storage.counted import COUNTS, RESPONSES_AND_AUTHORS, RESPONSES_AND_PEOPLE
from seminarbot.storage.db import Database
from seminarbot.storage.export_lines import (
    CSV_LINE,
    ENTRY,
    JSONL_LINE,
    RAW_ENTRY,
    RAW_HEAD,
    RAW_HEAD_FIELDS,
    link_params,
)

# A page holds about this many bytes of text, whatever the responses' length: the row count
# adapts after each page, between the two limits.
PAGE_BYTES = 2 * 1024 * 1024
FIRST_PAGE, MIN_PAGE, MAX_PAGE = 500, 50, 10_000


T = TypeVar("T")
NO_LINKS = Links()


class ThreadKey(NamedTuple):
    session_id: str
    prompt_id: str
    outbox_id: int | None
    thread_id: str  # the prompt's thread, else its post; "" when unknown
    post_id: str = ""  # the prompt's post (message or event); "" when unknown
    threaded: bool = False  # whether the post has a thread of its own


class ExportReader:
    def __init__(self, db: Database, page_bytes: int = PAGE_BYTES,
                 first_page: int = FIRST_PAGE) -> None:
        self.db = db
        self.page_bytes = page_bytes
        self.first_page = first_page

    async def threads(self, cohort_id: int, session_id: str | None = None) -> list[ThreadKey]:
        """Every (session, prompt, thread) the cohort has responses that count in, in no
        particular order."""
        sql = (f"SELECT DISTINCT r.session_id, r.prompt_id, r.outbox_id FROM {RESPONSES_AND_PEOPLE}"
               f" WHERE r.cohort_id = ? AND {COUNTS}")
        params: list[Any] = [cohort_id]
        if session_id is not None:
            sql += " AND r.session_id = ?"
            params.append(session_id)
        groups = await self.db.fetch_tuples(sql, params)
        posts = {row[0]: row[1:] for row in await self.db.fetch_tuples(
            "SELECT id, COALESCE(thread_id, message_id, ''), COALESCE(message_id, ''),"
            " thread_id IS NOT NULL FROM outbox WHERE cohort_id = ?", (cohort_id,))}
        return [ThreadKey(s, p, o, *posts.get(o, ("", "", False))) for s, p, o in groups]

    async def community_of(self, cohort_id: int) -> str:
        """The platform's id of the cohort's community (a Discord guild), for links."""
        return str(await self.db.scalar(
            "SELECT m.external_id FROM cohorts c JOIN communities m ON m.id = c.community_id"
            " WHERE c.id = ?", (cohort_id,)) or "")

    async def entries(self, cohort_id: int, key: ThreadKey, scope: ExportScope,
                      links: Links = NO_LINKS) -> AsyncGenerator[list[Entry], None]:
        async with aclosing(self._pages(ENTRY, link_params(links), cohort_id, key,
                                        scope)) as pages:
            async for page in pages:
                yield [Entry(*row) for row in page]

    async def raw_entries(self, cohort_id: int, key: ThreadKey, scope: ExportScope,
                          links: Links = NO_LINKS) -> AsyncGenerator[RawPage, None]:
        """Pages of responses as the transcripts' fast path reads them, every field UTF-8.
        SQLite joins a page's fields with NUL between them (inbound text never holds one), so
        Python splits one bytes object instead of receiving a row object per response; a page
        that does not split evenly (a NUL in a display name) is read again row by row. A page
        is searched once for bidirectional controls (RawPage.controls)."""
        tail, params = _page_query(cohort_id, key, scope)
        params = [*link_params(links), *params]
        sql = ("SELECT count(*), CAST(group_concat(head, char(0)) AS BLOB),"
               " CAST(group_concat(body, char(0)) AS BLOB),"
               f" max(at || ({_ID_OFFSET} + id)) FROM (SELECT {RAW_HEAD} AS head,"
               f" r.body AS body, r.created_at AS at, r.id AS id{tail})")
        one_by_one = f"SELECT {RAW_ENTRY}{tail}"

        async def read(after: tuple[str, int], size: int) -> _Page[RawPage]:
            ((rows, heads, bodies, last),) = await self.db.fetch_tuples(
                sql, (*params, *after, size))
            heads, bodies = heads or b"", bodies or b""
            page = _split(rows, heads, bodies)
            controls = page is None or bool(BIDI_BYTES.search(heads)
                                            or BIDI_BYTES.search(bodies))
            if page is None:
                page = [(str(i).encode(), str(p).encode(), name.encode(), at.encode(),
                         (edited or "").encode(), link.encode(), text)
                        for i, p, name, at, edited, link, text in
                        await self.db.fetch_tuples(one_by_one, (*params, *after, size))]
            position = (last[:-19], int(last[-19:]) - _ID_OFFSET) if last else None
            return _Page(rows, position, len(bodies), RawPage(page, controls))

        async with aclosing(self._paged(read)) as pages:
            async for page in pages:
                yield page.payload

    def csv_lines(self, cohort_id: int, key: ThreadKey, scope: ExportScope, prefix: str,
                  links: Links = NO_LINKS) -> AsyncGenerator[tuple[int, bytes], None]:
        """(rows, bytes) per page: the page's CSV lines, each starting with `prefix`, each
        response linked by `links`."""
        line_params = (prefix, *link_params(links))

        async def isolated(data: bytes, page: tuple[Any, ...]) -> bytes:
            rows = await self.db.fetch_tuples(
                f"SELECT r.id, CAST({CSV_LINE} AS BLOB) {tail}", (*line_params, *page))
            return await self._isolated(cohort_id, rows, prefix, links)

        tail, _ = _page_query(cohort_id, key, scope)
        return self._lines(CSV_LINE, line_params, cohort_id, key, scope, isolated)

    def jsonl_lines(self, cohort_id: int, key: ThreadKey, scope: ExportScope, prefix: str,
                    links: Links = NO_LINKS) -> AsyncGenerator[tuple[int, bytes], None]:
        """(rows, bytes) per page: the page's JSON lines, each starting with `prefix`
        (domain.exports.jsonl_prefix), each response linked by `links`."""
        async def escaped(data: bytes, page: tuple[Any, ...]) -> bytes:
            # Only inside JSON strings can the controls be (keys are ours, ASCII): escaping
            # them over the whole page is escaping them line by line.
            return json_safe(data.decode()).encode()

        return self._lines(JSONL_LINE, (prefix, *link_params(links)), cohort_id, key, scope,
                           escaped)

    async def _isolated(self, cohort_id: int, page: list[tuple[Any, ...]], prefix: str,
                        links: Links) -> bytes:
        """The page's CSV from (id, line) rows, those with bidirectional controls rendered by
        `csv_row`."""
        ids = [row[0] for row in page if BIDI_BYTES.search(row[1])]
        entries: dict[int, Entry] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = await self.db.fetch_tuples(
                f"SELECT {ENTRY} FROM {RESPONSES_AND_AUTHORS}"
                f" WHERE r.id IN ({', '.join('?' * len(chunk))})",
                (*link_params(links), cohort_id, *chunk))
            entries.update((row[0], Entry(*row)) for row in rows)
        return b"".join((prefix + csv_row(entries[row[0]])).encode() if row[0] in entries
                        else row[1] for row in page)

    async def _lines(self, line: str, line_params: tuple[Any, ...], cohort_id: int,
                     key: ThreadKey, scope: ExportScope,
                     bidi: Callable[[bytes, tuple[Any, ...]], Awaitable[bytes]]
                     ) -> AsyncGenerator[tuple[int, bytes], None]:
        """A page is one row: SQLite joins the page's lines itself, so no Python object is made
        per response (with a row per line, the tuples alone cost a tenth of the export). A page
        holding bidirectional controls is handed to `bidi` with its query's parameters (all
        but the line's own, `line_params`)."""
        tail, params = _page_query(cohort_id, key, scope)
        # The last row's keyset position: created_at, then the id in a fixed width of 19 digits.
        sql = ("SELECT count(*), CAST(group_concat(line, '') AS BLOB),"
               f" max(at || ({_ID_OFFSET} + id)) FROM (SELECT {line} AS line,"
               f" r.created_at AS at, r.id AS id{tail})")

        async def read(after: tuple[str, int], size: int) -> _Page[bytes]:
            ((rows, data, last),) = await self.db.fetch_tuples(
                sql, (*line_params, *params, *after, size))
            if data and BIDI_BYTES.search(data):
                data = await bidi(data, (*params, *after, size))
            position = (last[:-19], int(last[-19:]) - _ID_OFFSET) if last else None
            return _Page(rows, position, len(data or b""), data or b"")

        async with aclosing(self._paged(read)) as pages:
            async for page in pages:
                yield page.rows, page.payload

    async def _pages(self, columns: str, column_params: tuple[Any, ...], cohort_id: int,
                     key: ThreadKey, scope: ExportScope
                     ) -> AsyncGenerator[list[tuple[Any, ...]], None]:
        """Pages of rows whose first column is the response id and last its text."""
        tail, params = _page_query(cohort_id, key, scope)
        sql = f"SELECT {columns}{tail}"

        async def read(after: tuple[str, int], size: int) -> _Page[list[tuple[Any, ...]]]:
            rows = await self.db.fetch_tuples(sql, (*column_params, *params, *after, size))
            position = None
            if rows:
                written = await self.db.scalar("SELECT created_at FROM responses WHERE id = ?",
                                               (rows[-1][0],))
                position = (written, rows[-1][0])
            return _Page(len(rows), position, sum(len(row[-1]) for row in rows), rows)

        async with aclosing(self._paged(read)) as pages:
            async for page in pages:
                yield page.payload

    async def _paged(self, read: Callable[[tuple[str, int], int], Awaitable[_Page[T]]]
                     ) -> AsyncGenerator[_Page[T], None]:
        """Keyset pages of about `page_bytes` of text each (the row count adapts to the
        length of the last page's rows). The next page is read while the caller writes this
        one."""
        size = self.first_page
        pending: asyncio.Future[_Page[T]] | None = asyncio.ensure_future(read(("", 0), size))
        try:
            while pending is not None:
                page = await pending
                pending = None
                if page.rows == size and page.last is not None:
                    average = max(1, page.size // page.rows)
                    size = max(MIN_PAGE, min(MAX_PAGE, self.page_bytes // average))
                    pending = asyncio.ensure_future(read(page.last, size))
                    # Let the read reach the connection's thread before the caller takes this
                    # page: SQLite then reads the next page (without the GIL) while Python
                    # renders and writes this one. Without it the task would only start at the
                    # caller's next await, and the two would take turns.
                    await asyncio.sleep(0)
                if page.rows:
                    yield page
        finally:
            if pending is not None:  # the caller stopped early: let the read finish
                with contextlib.suppress(Exception):
                    await pending


class _Page(NamedTuple, Generic[T]):
    rows: int
    last: tuple[str, int] | None  # (created_at, id) of its last row
    size: int  # bytes (or characters) of text in it
    payload: T


_ID_OFFSET = 10**18  # ids below 9 * 10**18 then print in 19 digits


def _split(rows: int, heads: bytes, bodies: bytes) -> list[RawEntry] | None:
    """Rows from the NUL-joined fields of a page, or None if they do not add up."""
    fields, texts = heads.split(b"\0"), bodies.split(b"\0")
    if rows == 0 or len(fields) != RAW_HEAD_FIELDS * rows or len(texts) != rows:
        return [] if rows == 0 else None
    it = iter(fields)
    return list(zip(it, it, it, it, it, it, texts, strict=True))


def _page_query(cohort_id: int, key: ThreadKey, scope: ExportScope) -> tuple[str, list[Any]]:
    """The FROM … LIMIT ? of a page of one thread, and its parameters but the last three:
    the keyset position (created_at, id) and the page size."""
    filters, params = _scope_filters(scope)
    return (f" FROM {RESPONSES_AND_AUTHORS}"
            " WHERE r.cohort_id = ? AND r.session_id = ? AND r.prompt_id = ?"
            f" AND r.outbox_id IS ? AND {COUNTS}" + filters +
            " AND (r.created_at, r.id) > (?, ?) ORDER BY r.created_at, r.id LIMIT ?",
            [cohort_id, cohort_id, key.session_id, key.prompt_id, key.outbox_id, *params])


def _scope_filters(scope: ExportScope) -> tuple[str, list[Any]]:
    sql, params = "", list[Any]()
    if scope.participant_id is not None:
        sql += " AND r.participant_id = ?"
        params.append(scope.participant_id)
    if scope.since is not None:
        sql += " AND r.created_at >= ?"
        params.append(to_iso(scope.since))
    if scope.until is not None:
        sql += " AND r.created_at < ?"
        params.append(to_iso(scope.until))
    return sql, params
