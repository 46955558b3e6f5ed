"""Reading a cohort's responses for export, a page at a time, in transcript order.

Pages are keyset ranges on (created_at, id) inside one thread, along the index
responses_transcript (storage/keyset.py), so each page costs the same however deep into the
export it is and memory holds a few pages; with more than one connection, pages are read on
them in turn (SQLite renders two pages at once). Only responses that count are read
(storage/counted.py: not deleted, not by someone who opted out), each with its author's name
in the cohort's own community.

For CSV and JSON Lines the page query renders each row's line, its link back to the platform
included (storage/export_lines.py), and joins a page's lines itself (SQLite does the quoting,
the formula rule and the JSON escaping in C, and hands over one bytes object per page), which
leaves no Python work per row at all: with Python's csv module the CSV export took about twice
as long as `sqlite3 -csv`, and with `json.dumps` per record JSON Lines 3.5 times as long.
`csv_line` and `jsonl_lines` in domain/exports.py are the references these renderings must
match (property tests hold them equal). SQLite cannot isolate bidirectional controls, nor drop a
damaged row's control characters as the references do (domain/display.py `as_text`): the rows
of a page that holds any are rendered again in Python (export_lines.py `LineFormat`).
Transcripts read raw rows (`raw_entries`, their links rendered by SQLite too), cleaned of a
damaged row's control characters the same way.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from typing import Any, NamedTuple, TypeVar

from seminarbot.clock import to_iso
from seminarbot.domain.display import BIDI_BYTES, as_text, c0_controls, clean_bytes, has_c1
from seminarbot.domain.exports import Entry, ExportScope, RawEntry, RawPage
from seminarbot.domain.links import Links
from seminarbot.storage.counted import COUNTS, RESPONSES_AND_AUTHORS
from seminarbot.storage.damage import key_text
from seminarbot.storage.db import Database
from seminarbot.storage.export_lines import (
    CSV,
    ENTRY,
    JSONL,
    RAW_ENTRY,
    RAW_HEAD,
    RAW_HEAD_FIELDS,
    LineFormat,
    entry,
    link_params,
    stored_key,
)
from seminarbot.storage.keyset import Page, Position, Thread, keyset_pages

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


class ThreadLinks(NamedTuple):
    """A thread to export, how its responses link back to the platform and, for CSV and JSON
    Lines, what each of its lines starts with."""
    key: ThreadKey
    links: Links = NO_LINKS
    prefix: str = ""


class ExportReader:
    def __init__(self, db: Database, page_bytes: int = PAGE_BYTES,
                 first_page: int = FIRST_PAGE, readers: Sequence[Database] = ()) -> None:
        """`readers`: further connections to the same database that pages are read on too."""
        self.db = db
        self.page_bytes = page_bytes
        self.first_page = first_page
        self.connections = (db, *readers)

    async def threads(self, cohort_id: int, session_id: str | None = None) -> list[ThreadKey]:
        """Every (session, prompt, thread) the cohort has responses in, in no particular order:
        some may have none that count, and yield no page. (Which threads have responses that
        count is known only by reading every response: as many reads of the file as the
        export's own, where the index alone answers this.)"""
        sql = ("SELECT session_id, prompt_id, outbox_id, CAST(session_id AS BLOB),"
               " CAST(prompt_id AS BLOB), min(id) FROM responses WHERE cohort_id = ?")
        params: list[Any] = [cohort_id]
        if session_id is not None:
            sql += " AND session_id = ?"
            params.append(session_id)
        groups = await self.db.fetch_tuples(sql + " GROUP BY 1, 2, 3", params)
        posts = {row[0]: (as_text(row[1]), as_text(row[2]), row[3]) for row in
                 await self.db.fetch_tuples(
                     "SELECT id, COALESCE(thread_id, message_id, ''), COALESCE(message_id, ''),"
                     " thread_id IS NOT NULL FROM outbox WHERE cohort_id = ?", (cohort_id,))}
        # The ids are kept as stored: the pages are read by them (storage/damage.py key_text).
        return [ThreadKey(stored_key(s, raw_s, f"response {n}'s session_id"), stored_key(
            p, raw_p, f"response {n}'s prompt_id"), o, *posts.get(o, ("", "", False)))
            for s, p, o, raw_s, raw_p, n in groups]

    async def community_of(self, cohort_id: int) -> str:
        """The platform's id of the cohort's community (a Discord guild), for links."""
        return as_text(await self.db.scalar(
            "SELECT CAST(m.external_id AS BLOB) FROM cohorts c"
            " JOIN communities m ON m.id = c.community_id WHERE c.id = ?", (cohort_id,)))

    async def entries(self, cohort_id: int, key: ThreadKey, scope: ExportScope,
                      links: Links = NO_LINKS) -> AsyncGenerator[list[Entry], None]:
        """Pages of one thread's responses as domain.exports.Entry (the references' input)."""
        query = _PageQuery(cohort_id, key, scope)
        params = link_params(links)

        async def read(db: Database, after: Position, upto: Position | None,
                       size: int) -> Page[list[Entry]]:
            tail, window = query.tail(after, upto, size)
            found = await db.fetch_tuples(f"SELECT {ENTRY}{tail}", (*params, *window))
            rows = [entry(row) for row in found]
            last = (key_text(found[-1][4], f"response {found[-1][0]}'s created_at"),
                    found[-1][0]) if found else None  # as stored
            return Page(len(rows), last, sum(len(row.text) for row in rows), rows)

        async with aclosing(self._paged([(query.thread, read)])) as pages:
            async for _, page in pages:
                yield page.payload

    async def raw_entries(self, cohort_id: int, threads: Sequence[ThreadLinks],
                          scope: ExportScope) -> AsyncGenerator[tuple[int, RawPage], None]:
        """(thread's index, page) of responses as the transcripts' fast path reads them, every
        field UTF-8. SQLite joins a page's fields with NUL between them (inbound text never
        holds one), so Python splits one bytes object instead of receiving a row object per
        response; a page that does not split evenly (a NUL in a display name) is read again
        row by row. A page is searched once for bidirectional controls (RawPage.controls)."""
        def reading(key: ThreadKey, links: Links) -> Thread[RawPage]:
            query, params = _PageQuery(cohort_id, key, scope), link_params(links)

            async def read(db: Database, after: Position, upto: Position | None,
                           size: int) -> Page[RawPage]:
                tail, window = query.tail(after, upto, size)
                ((rows, heads, bodies, last),) = await db.fetch_tuples(
                    "SELECT count(*), CAST(group_concat(head, char(0)) AS BLOB),"
                    " CAST(group_concat(body, char(0)) AS BLOB),"
                    f" CAST(max(at || ({_ID_OFFSET} + id)) AS BLOB)"
                    f" FROM (SELECT {RAW_HEAD} AS head, r.body AS body, r.created_at AS at,"
                    f" r.id AS id{tail})",
                    (*params, *window))
                heads, bodies = heads or b"", bodies or b""
                page = _split(rows, heads, bodies)
                controls = page is None or bool(BIDI_BYTES.search(heads)
                                                or BIDI_BYTES.search(bodies))
                # Beside the NULs that join them, a damaged row's controls.
                damaged = (page is None or has_c1(heads) or has_c1(bodies)
                           or c0_controls(heads) + c0_controls(bodies)
                           != RAW_HEAD_FIELDS * rows - 1 + rows - 1)
                if page is None:
                    page = [(str(i).encode(), str(p).encode(), name or b"", at or b"",
                             edited or b"", link or b"", text or b"")
                            for i, p, name, at, edited, link, text in await db.fetch_tuples(
                                f"SELECT {RAW_ENTRY}{tail}", (*params, *window))]
                if damaged:
                    page = [_cleaned(row) for row in page]
                return Page(rows, _position(last), len(bodies), RawPage(page, controls))

            return query.thread, read

        async with aclosing(self._paged([reading(key, links) for key, links, _ in threads])
                            ) as pages:
            async for index, page in pages:
                yield index, page.payload

    def csv_lines(self, cohort_id: int, threads: Sequence[ThreadLinks], scope: ExportScope
                  ) -> AsyncGenerator[tuple[int, bytes], None]:
        """(rows, bytes) per page: the threads' CSV lines in turn, each line starting with its
        thread's prefix, each response linked by its thread's links."""
        return self._lines(CSV, cohort_id, threads, scope)

    def jsonl_lines(self, cohort_id: int, threads: Sequence[ThreadLinks], scope: ExportScope
                    ) -> AsyncGenerator[tuple[int, bytes], None]:
        """(rows, bytes) per page: the threads' JSON lines in turn, each line starting with its
        thread's prefix (domain.exports.jsonl_prefix), each response linked by its links."""
        return self._lines(JSONL, cohort_id, threads, scope)

    async def _again(self, db: Database, cohort_id: int, form: LineFormat, prefix: str,
                     links: Links, tail: str, window: tuple[Any, ...]) -> bytes:
        """A page's lines read a row at a time, those the format suspects (or holding a NUL)
        rendered by its reference from ENTRY."""
        page = await db.fetch_tuples(
            f"SELECT r.id, CAST({form.line} AS BLOB), {form.nul} {tail}",
            (prefix, *link_params(links), *window))
        ids = [row[0] for row in page if row[2] or form.suspect(row[1], 1)]
        entries: dict[int, Entry] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = await db.fetch_tuples(
                f"SELECT {ENTRY} FROM {RESPONSES_AND_AUTHORS}"
                f" WHERE r.id IN ({', '.join('?' * len(chunk))})",
                (*link_params(links), cohort_id, *chunk))
            entries.update((row[0], entry(row)) for row in rows)
        return b"".join(form.render(prefix, entries[row[0]]).encode() if row[0] in entries
                        else row[1] for row in page)

    async def _lines(self, form: LineFormat, cohort_id: int, threads: Sequence[ThreadLinks],
                     scope: ExportScope) -> AsyncGenerator[tuple[int, bytes], None]:
        """A page is one row: SQLite joins the page's lines itself, so no Python object is made
        per response (with a row per line, the tuples alone cost a tenth of the export). A page
        the format suspects, or holding a NUL, is read again (`_again`)."""
        def reading(key: ThreadKey, links: Links, prefix: str) -> Thread[bytes]:
            query, line_params = _PageQuery(cohort_id, key, scope), (prefix, *link_params(links))

            async def read(db: Database, after: Position, upto: Position | None,
                           size: int) -> Page[bytes]:
                tail, window = query.tail(after, upto, size)
                # The last row's keyset position: created_at, then the id in 19 digits.
                ((rows, data, last, nul),) = await db.fetch_tuples(
                    "SELECT count(*), CAST(group_concat(line, '') AS BLOB),"
                    f" CAST(max(at || ({_ID_OFFSET} + id)) AS BLOB), max(nul) FROM (SELECT"
                    f" {form.line} AS line, {form.nul} AS nul, r.created_at AS at, r.id AS id"
                    f"{tail})", (*line_params, *window))
                if data and (nul or form.suspect(data, rows)):
                    data = await self._again(db, cohort_id, form, prefix, links, tail, window)
                return Page(rows, _position(last), len(data or b""), data or b"")

            return query.thread, read

        async with aclosing(self._paged([reading(*thread) for thread in threads])) as pages:
            async for _, page in pages:
                yield page.rows, page.payload

    def _paged(self, threads: Sequence[Thread[T]]) -> AsyncGenerator[tuple[int, Page[T]], None]:
        return keyset_pages(self.connections, threads, page_bytes=self.page_bytes,
                            first_page=self.first_page, limits=(MIN_PAGE, MAX_PAGE))


_ID_OFFSET = 10**18  # ids below 9 * 10**18 then print in 19 digits


def _cleaned(row: RawEntry) -> RawEntry:
    i, p, name, at, edited, link, text = (clean_bytes(field) for field in row)
    return i, p, name, at, edited, link, text


def _split(rows: int, heads: bytes, bodies: bytes) -> list[RawEntry] | None:
    """Rows from the NUL-joined fields of a page, or None if they do not add up."""
    fields, texts = heads.split(b"\0"), bodies.split(b"\0")
    if rows == 0 or len(fields) != RAW_HEAD_FIELDS * rows or len(texts) != rows:
        return [] if rows == 0 else None
    it = iter(fields)
    return list(zip(it, it, it, it, it, it, texts, strict=True))


class _PageQuery:
    """The FROM … of a page of one thread's responses that count, in the scope."""

    def __init__(self, cohort_id: int, key: ThreadKey, scope: ExportScope) -> None:
        self.thread = (cohort_id, key.session_id, key.prompt_id, key.outbox_id)
        filters, self.params = _scope_filters(scope)
        self.sql = (f" FROM {RESPONSES_AND_AUTHORS}"
                    " WHERE r.cohort_id = ? AND r.session_id = ? AND r.prompt_id = ?"
                    f" AND r.outbox_id IS ? AND {COUNTS}{filters}"
                    " AND (r.created_at, r.id) > (?, ?)")

    def tail(self, after: Position, upto: Position | None, size: int
             ) -> tuple[str, tuple[Any, ...]]:
        """The query's tail and its parameters for the page after `after` up to `upto`
        included, or (None) of at most `size` rows."""
        params = (self.thread[0], *self.thread, *self.params, *after)
        if upto is None:
            return f"{self.sql} ORDER BY r.created_at, r.id LIMIT ?", (*params, size)
        return (f"{self.sql} AND (r.created_at, r.id) <= (?, ?) ORDER BY r.created_at, r.id",
                (*params, *upto))


def _position(last: bytes | None) -> Position | None:
    """The keyset position from `created_at` followed by the id in 19 digits (as bytes)."""
    if not last:
        return None
    response_id = int(last[-19:]) - _ID_OFFSET
    return key_text(last[:-19], f"response {response_id}'s created_at"), response_id


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
