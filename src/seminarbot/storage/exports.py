"""Reading a cohort's responses for export, a page at a time, in transcript order.

Pages use keyset pagination on (created_at, id) inside one thread, along the index
responses_transcript, so each page costs the same however deep into the export it is and memory
holds one page. Deleted responses and opted-out participants' responses are never read.

For CSV the page query renders each row's line itself (SQLite does the quoting and the formula
rule in C, and hands over bytes), which keeps the Python work per row to almost nothing: with
Python's csv module the export took about twice as long as `sqlite3 -csv`. `csv_line` in
domain/exports.py is the reference this rendering must match (a property test holds them equal).
SQLite cannot isolate bidirectional controls, so a page whose bytes hold any has those rows
rendered again in Python (`csv_row`): rare, and only those rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any, NamedTuple

from seminarbot.clock import to_iso
from seminarbot.domain.exports import FORMULA_TRIGGERS, Entry, ExportScope, csv_row
from seminarbot.domain.links import Links
from seminarbot.storage.db import Database

# A page holds about this many bytes of text, whatever the responses' length: the row count
# adapts after each page, between the two limits.
PAGE_BYTES = 4 * 1024 * 1024
FIRST_PAGE, MIN_PAGE, MAX_PAGE = 500, 50, 10_000


Page = list[tuple[Any, ...]]
NO_LINKS = Links()
# U+202A–U+202E and U+2066–U+2069 as UTF-8 bytes.
_BIDI_BYTES = re.compile(b"\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")


class ThreadKey(NamedTuple):
    session_id: str
    prompt_id: str
    outbox_id: int | None
    thread_id: str  # the prompt's thread, else its post; "" when unknown
    post_id: str = ""  # the prompt's post (message or event); "" when unknown
    threaded: bool = False  # whether the post has a thread of its own


# A response's link (domain/links.py `Links.response`, rendered here): the three parameters
# are the thread's event base, channel base and own link (NULL where a base is unused).
_LINK = ("COALESCE(? || replace(replace(r.message_id, '%', '%25'), '/', '%2F'),"
         " ? || r.channel_id || '/' || r.message_id, ?)")


def sql_formula_guard(column: str) -> str:
    """SQL for the apostrophe `neutralise_cell` puts before `column`, or ''."""
    codes = ", ".join(str(ord(c)) for c in FORMULA_TRIGGERS)
    return f"CASE WHEN unicode({column}) IN ({codes}) THEN '''' ELSE '' END"


def sql_csv_line(columns: tuple[str, ...], text_cells: frozenset[str],
                 nullable: frozenset[str]) -> str:
    """SQL rendering one CSV line (CRLF-terminated, as bytes) after a `?` prefix parameter:
    text cells guarded and quoted like `csv_cell` (quotes doubled only where there are any),
    other cells as they are, NULL as empty. One printf builds the line in a single pass."""
    formats, arguments = [], ["?"]
    for column in columns:
        if column in text_cells:
            formats.append('"%s%s"')
            arguments += [sql_formula_guard(column),
                          f"CASE WHEN instr({column}, '\"') THEN replace({column}, '\"', '\"\"')"
                          f" ELSE {column} END"]
        else:
            formats.append("%s")
            arguments.append(f"COALESCE({column}, '')" if column in nullable else column)
    template = "%s" + ",".join(formats)
    return f"CAST(printf('{template}' || char(13, 10), {', '.join(arguments)}) AS BLOB)"


# A link holds no quote and begins with no formula character (domain/links.py): quoting it is
# all `csv_cell` does to it.
_CSV_LINE = sql_csv_line(
    ("r.id", "r.participant_id", "p.display_name", "r.message_id", "r.created_at",
     "r.edited_at", "r.body", f"'\"' || {_LINK} || '\"'"),
    frozenset({"p.display_name", "r.message_id", "r.body"}), frozenset({"r.edited_at"}))

_ENTRY = ("r.id, r.participant_id, p.display_name, r.message_id, r.created_at, r.edited_at,"
          f" {_LINK}, r.body")


class ExportReader:
    def __init__(self, db: Database, page_bytes: int = PAGE_BYTES,
                 first_page: int = FIRST_PAGE) -> None:
        self.db = db
        self.page_bytes = page_bytes
        self.first_page = first_page

    async def threads(self, cohort_id: int, session_id: str | None = None) -> list[ThreadKey]:
        """Every (session, prompt, thread) the cohort has responses in, in no particular order."""
        sql = "SELECT DISTINCT session_id, prompt_id, outbox_id FROM responses WHERE cohort_id = ?"
        params: list[Any] = [cohort_id]
        if session_id is not None:
            sql += " AND session_id = ?"
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
        async with aclosing(self._pages(_ENTRY, _link_params(links), cohort_id, key,
                                        scope)) as pages:
            async for page in pages:
                yield [Entry(*row) for row in page]

    async def csv_lines(self, cohort_id: int, key: ThreadKey, scope: ExportScope,
                        prefix: str, links: Links = NO_LINKS
                        ) -> AsyncGenerator[tuple[int, bytes], None]:
        """(rows, bytes) per page: the page's CSV lines, each starting with `prefix`."""
        async with aclosing(self._pages(f"r.id, {_CSV_LINE}", (prefix, *_link_params(links)),
                                        cohort_id, key, scope)) as pages:
            async for page in pages:
                data = b"".join(row[1] for row in page)
                if _BIDI_BYTES.search(data):
                    data = await self._isolated(page, prefix, links)
                yield len(page), data

    async def _isolated(self, page: Page, prefix: str, links: Links) -> bytes:
        """The page's CSV, its rows with bidirectional controls rendered by `csv_row`."""
        ids = [row[0] for row in page if _BIDI_BYTES.search(row[1])]
        entries: dict[int, Entry] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = await self.db.fetch_tuples(
                f"SELECT {_ENTRY} FROM responses r JOIN participants p"
                f" ON p.id = r.participant_id WHERE r.id IN ({', '.join('?' * len(chunk))})",
                (*_link_params(links), *chunk))
            entries.update((row[0], Entry(*row)) for row in rows)
        return b"".join((prefix + csv_row(entries[row[0]])).encode() if row[0] in entries
                        else row[1] for row in page)

    async def _pages(self, columns: str, column_params: tuple[Any, ...], cohort_id: int,
                     key: ThreadKey, scope: ExportScope) -> AsyncGenerator[Page, None]:
        """Pages of rows whose first column is the response id and last its text. The next
        page is read while the caller writes this one."""
        filters, params = _scope_filters(scope)
        sql = (f"SELECT {columns}"
               " FROM responses r JOIN participants p ON p.id = r.participant_id"
               " WHERE r.cohort_id = ? AND r.session_id = ? AND r.prompt_id = ?"
               " AND r.outbox_id IS ? AND r.deleted_at IS NULL AND p.opted_out = 0" + filters +
               " AND (r.created_at, r.id) > (?, ?) ORDER BY r.created_at, r.id LIMIT ?")

        def read(after: tuple[str, int], size: int) -> asyncio.Future[Page]:
            return asyncio.ensure_future(self.db.fetch_tuples(sql, (
                *column_params, cohort_id, key.session_id, key.prompt_id, key.outbox_id,
                *params, *after, size)))

        size = self.first_page
        pending: asyncio.Future[Page] | None = read(("", 0), size)
        try:
            while pending is not None:
                page = await pending
                pending = None
                if len(page) == size:
                    last = page[-1][0]
                    written = await self.db.scalar(
                        "SELECT created_at FROM responses WHERE id = ?", (last,))
                    # The last column is the text (a CSV line or a body): aim at the budget.
                    average = max(1, sum(len(row[-1]) for row in page) // len(page))
                    size = max(MIN_PAGE, min(MAX_PAGE, self.page_bytes // average))
                    pending = read((written, last), size)
                if page:
                    yield page
        finally:
            if pending is not None:  # the caller stopped early: let the read finish
                with contextlib.suppress(Exception):
                    await pending


def _link_params(links: Links) -> tuple[str | None, str | None, str]:
    return links.event_base, links.channel_base, links.thread


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
