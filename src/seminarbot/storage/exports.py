"""Reading a cohort's responses for export, a page at a time, in transcript order.

Pages use keyset pagination on (created_at, id) inside one thread, along the index
responses_transcript, so each page costs the same however deep into the export it is and memory
holds one page. Deleted responses and opted-out participants' responses are never read.

For CSV the page query renders each row's line itself (SQLite does the quoting and the formula
rule in C, as bytes), which keeps the Python work per row to almost nothing; `csv_line` in
domain/exports.py is the reference it must match.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, NamedTuple

from seminarbot.clock import to_iso
from seminarbot.domain.exports import FORMULA_TRIGGERS, Entry, ExportScope
from seminarbot.storage.db import Database

PAGE_SIZE = 1000  # rows; bodies are at most 20,000 characters, so a page stays under ~20 MB


class ThreadKey(NamedTuple):
    session_id: str
    prompt_id: str
    outbox_id: int | None
    thread_id: str


def _sql_literal(char: str) -> str:
    return f"char({ord(char)})" if not char.isprintable() else "'" + char.replace("'", "''") + "'"


def sql_csv_cell(column: str) -> str:
    """SQL for `csv_cell(column)`: neutralised by FORMULA_TRIGGERS, quotes doubled, quoted."""
    triggers = ", ".join(_sql_literal(c) for c in FORMULA_TRIGGERS)
    neutral = (f"CASE WHEN substr({column}, 1, 1) IN ({triggers}) THEN '''' || {column}"
               f" ELSE {column} END")
    return f"('\"' || replace({neutral}, '\"', '\"\"') || '\"')"


_CSV_LINE = (
    "CAST(? || r.id || ',' || r.participant_id || ',' || " + sql_csv_cell("p.display_name") +
    " || ',' || " + sql_csv_cell("r.message_id") + " || ',' || r.created_at || ',' ||"
    " COALESCE(r.edited_at, '') || ',' || " + sql_csv_cell("r.body") + " || char(13, 10)"
    " AS BLOB)")
_ENTRY = ("r.id, r.participant_id, p.display_name, r.message_id, r.created_at, r.edited_at,"
          " r.body")


class ExportReader:
    def __init__(self, db: Database, page_size: int = PAGE_SIZE) -> None:
        self.db = db
        self.page_size = page_size

    async def threads(self, cohort_id: int, session_id: str | None = None) -> list[ThreadKey]:
        """Every (session, prompt, thread) the cohort has responses in, in no particular order."""
        sql = "SELECT DISTINCT session_id, prompt_id, outbox_id FROM responses WHERE cohort_id = ?"
        params: list[Any] = [cohort_id]
        if session_id is not None:
            sql += " AND session_id = ?"
            params.append(session_id)
        groups = await self.db.fetch_tuples(sql, params)
        posts = dict(await self.db.fetch_tuples(
            "SELECT id, COALESCE(thread_id, message_id, '') FROM outbox WHERE cohort_id = ?",
            (cohort_id,)))
        return [ThreadKey(s, p, o, posts.get(o, "") if o is not None else "")
                for s, p, o in groups]

    async def entries(self, cohort_id: int, key: ThreadKey,
                      scope: ExportScope) -> AsyncIterator[list[Entry]]:
        async for page in self._pages(_ENTRY, (), cohort_id, key, scope):
            yield [Entry(*row[2:]) for row in page]

    async def csv_lines(self, cohort_id: int, key: ThreadKey, scope: ExportScope,
                        prefix: str) -> AsyncIterator[tuple[int, bytes]]:
        """(rows, bytes) per page: the page's CSV lines, each starting with `prefix`."""
        async for page in self._pages(_CSV_LINE, (prefix,), cohort_id, key, scope):
            yield len(page), b"".join(row[2] for row in page)

    async def _pages(self, columns: str, column_params: tuple[Any, ...], cohort_id: int,
                     key: ThreadKey, scope: ExportScope) -> AsyncIterator[list[tuple[Any, ...]]]:
        filters, params = _scope_filters(scope)
        sql = (f"SELECT r.created_at, r.id, {columns}"
               " FROM responses r JOIN participants p ON p.id = r.participant_id"
               " WHERE r.cohort_id = ? AND r.session_id = ? AND r.prompt_id = ?"
               " AND r.outbox_id IS ? AND r.deleted_at IS NULL AND p.opted_out = 0" + filters +
               " AND (r.created_at, r.id) > (?, ?) ORDER BY r.created_at, r.id LIMIT ?")
        after: tuple[str, int] = ("", 0)
        while True:
            page = await self.db.fetch_tuples(sql, (
                *column_params, cohort_id, key.session_id, key.prompt_id, key.outbox_id, *params,
                *after, self.page_size))
            if not page:
                return
            yield page
            if len(page) < self.page_size:
                return
            after = (page[-1][0], page[-1][1])


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


class ParticipantMatch(NamedTuple):
    id: int
    external_id: str
    display_name: str
    opted_out: bool


async def participants_matching(db: Database, platform: str, wanted: str,
                                *, prefix: bool = False, limit: int = 25) -> list[ParticipantMatch]:
    """Participants on a platform named `wanted`: their platform id or, ignoring case, their
    display name (or, with prefix, a display name that begins with it)."""
    if prefix:
        pattern = wanted.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = await db.fetch_tuples(
            "SELECT id, external_id, display_name, opted_out FROM participants"
            " WHERE platform = ? AND lower(display_name) LIKE ? ESCAPE '\\'"
            " ORDER BY lower(display_name), id LIMIT ?", (platform, pattern + "%", limit))
    else:
        rows = await db.fetch_tuples(
            "SELECT id, external_id, display_name, opted_out FROM participants"
            " WHERE platform = ? AND (external_id = ? OR lower(display_name) = lower(?))"
            " ORDER BY id LIMIT ?", (platform, wanted, wanted, limit))
    return [ParticipantMatch(r[0], r[1], r[2], bool(r[3])) for r in rows]
